"""press release: the news, partners of a meeting, online meetings, speakers' family names, how releases end

Revision ID: 5e1a0c7d9b21
Revises: a7c3e91f04b2
Create Date: 2026-12-04 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a0c7d9b21'
down_revision = 'a7c3e91f04b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=True),
    sa.CheckConstraint("role IN ('co_organiser', 'host', 'funder')", name=op.f('ck_meeting_partners_role')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_partners_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_partners'))
    )
    with op.batch_alter_table('meeting_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_partners_meeting_id'), ['meeting_id'], unique=False)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_end', sa.String(length=10), nullable=True))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('name_order', sa.String(length=12), nullable=True))
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_news', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_news', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_column('is_news')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('is_news')
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_column('name_order')
        batch_op.drop_column('family_name')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('online')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('release_end')
    with op.batch_alter_table('meeting_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_partners_meeting_id'))
    op.drop_table('meeting_partners')
