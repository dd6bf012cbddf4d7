"""participants record who checked them in

Revision ID: e3a47707c816
Revises: 0106469ea666
Create Date: 2026-11-27 21:48:17.221515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a47707c816'
down_revision = '0106469ea666'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the batch rebuilds participants (env.py turns foreign keys off meanwhile, so
    # the survey invitations and responses that point at a participant keep pointing at it).
    # Check-ins made before this revision keep an empty checked_in_by_id: nobody knows who.
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_participants_checked_in_by_id'), ['checked_in_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_participants_checked_in_by_id_users'), 'users', ['checked_in_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participants_checked_in_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participants_checked_in_by_id'))
        batch_op.drop_column('checked_in_by_id')
