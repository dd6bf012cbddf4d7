"""organisations record who created them

Revision ID: 50040d1ac67e
Revises: 6b047c8d53e5
Create Date: 2026-12-04 18:56:20.972391

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '50040d1ac67e'
down_revision = '6b047c8d53e5'
branch_labels = None
depends_on = None


def upgrade():
    # Nobody knows who created the organisations made before this revision: they keep an empty
    # created_by_id. Those that convene a meeting stay usable by its team; one that convenes
    # none is then left to administrators (who may give it a meeting, or an organiser may
    # create their own).
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisations_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisations_created_by_id_users'), 'users', ['created_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_created_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisations_created_by_id'))
        batch_op.drop_column('created_by_id')
