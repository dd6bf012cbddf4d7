"""meetings count their seats; participants indexed by the orders they are listed in; survey
answers indexed by question, group and response

Revision ID: a7c3e91f04b2
Revises: 392b0d5c5c95
Create Date: 2026-12-04 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91f04b2'
down_revision = '392b0d5c5c95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('waitlisted_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('latest_registered_at', sa.DateTime(timezone=True), nullable=True))

    # The counts as they are now; from here on every write keeps them.
    op.execute(
        "UPDATE meetings SET"
        " registered_count = (SELECT count(*) FROM participants p"
        "  WHERE p.meeting_id = meetings.id AND p.status = 'registered'),"
        " waitlisted_count = (SELECT count(*) FROM participants p"
        "  WHERE p.meeting_id = meetings.id AND p.status = 'waitlisted'),"
        " latest_registered_at = (SELECT max(p.registered_at) FROM participants p"
        "  WHERE p.meeting_id = meetings.id)"
    )

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index('ix_participants_meeting_status_registered', ['meeting_id', 'status', 'registered_at', 'id'], unique=False)
        batch_op.create_index('ix_participants_meeting_registered', ['meeting_id', 'registered_at', 'id'], unique=False)
        batch_op.create_index('ix_participants_meeting_search', ['meeting_id', 'search_text', 'id'], unique=False)

    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answers_question_group_response', ['question_id', 'stakeholder_group_id', 'response_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_question_group_response')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_meeting_search')
        batch_op.drop_index('ix_participants_meeting_registered')
        batch_op.drop_index('ix_participants_meeting_status_registered')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('latest_registered_at')
        batch_op.drop_column('waitlisted_count')
        batch_op.drop_column('registered_count')
