"""organisations have a privacy notice

Revision ID: 5b1e0c7d2a94
Revises: 392b0d5c5c95
Create Date: 2026-12-04 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = '392b0d5c5c95'
branch_labels = None
depends_on = None


def upgrade():
    # The address of the organisation's privacy notice, linked from the consent box of the
    # registration form; empty for the organisations made before.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_url', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('privacy_url')
