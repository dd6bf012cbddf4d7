"""users have a session version and a row per login

Revision ID: 8ff905909dbf
Revises: 56f0fcd24473
Create Date: 2026-12-04 18:59:16.855166

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ff905909dbf'
down_revision = '56f0fcd24473'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_logins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_logins'))
    )
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_logins_user_id'), ['user_id'], unique=False)

    # A plain ADD COLUMN (SQLite does not rebuild users for it); its server default gives
    # every existing user the first session version. No login row exists yet, so the cookies
    # made before (which carry the bare user id) open nothing: everyone logs in again once.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    # The logins go first; then, on SQLite, the batch rebuilds users (env.py turns foreign
    # keys off meanwhile, so the meeting teams and check-ins that point at a user stay).
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_logins_user_id'))

    op.drop_table('user_logins')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
