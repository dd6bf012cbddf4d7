"""organisers choose to hear about registrations and cancellations, each or in a daily digest

Revision ID: 8d2f4a6c1e37
Revises: 3c9e2b7d1a06
Create Date: 2026-12-05 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '8d2f4a6c1e37'
down_revision = '3c9e2b7d1a06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_organisers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('notify', sa.String(length=10), server_default='off', nullable=False)
        )
        batch_op.add_column(sa.Column('digest_from', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting_organisers', schema=None) as batch_op:
        batch_op.drop_column('digest_from')
        batch_op.drop_column('notify')
