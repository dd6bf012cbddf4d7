"""participants record when they were promoted from the waiting list and when they were told

Revision ID: 5e1d7a0c4b2f
Revises: 5b1e0c7d2a94
Create Date: 2026-12-04 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '5e1d7a0c4b2f'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    # Seats given before this revision are not marked: nobody knows whether they were told.
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('told_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('told_at')
        batch_op.drop_column('promoted_at')
