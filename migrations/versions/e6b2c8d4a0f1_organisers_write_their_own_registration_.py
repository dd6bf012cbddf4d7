"""organisers write their own registration questions; answers per option

Revision ID: e6b2c8d4a0f1
Revises: c3a7e5f2d914
Create Date: 2026-12-05 21:18:08.530047

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6b2c8d4a0f1'
down_revision = 'c3a7e5f2d914'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('help', sa.Text(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('show_at_desk', sa.Boolean(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_registration_questions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions')),
    sa.UniqueConstraint('meeting_id', 'key', name=op.f('uq_registration_questions_meeting_id_key'))
    )
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_questions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('registration_question_groups',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['stakeholder_groups.id'], name=op.f('fk_registration_question_groups_group_id_stakeholder_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['registration_questions.id'], name=op.f('fk_registration_question_groups_question_id_registration_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'group_id', name=op.f('pk_registration_question_groups'))
    )
    with op.batch_alter_table('registration_question_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_question_groups_group_id'), ['group_id'], unique=False)

    op.create_table('registration_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_registration_answers_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['registration_questions.id'], name=op.f('fk_registration_answers_question_id_registration_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answers')),
    sa.UniqueConstraint('participant_id', 'question_id', 'option_key', name=op.f('uq_registration_answers_participant_id_question_id_option_key'))
    )
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.create_index('ix_registration_answers_question_option', ['question_id', 'option_key'], unique=False)



def downgrade():
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_answers_question_option')

    op.drop_table('registration_answers')
    with op.batch_alter_table('registration_question_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_question_groups_group_id'))

    op.drop_table('registration_question_groups')
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_questions_meeting_id'))

    op.drop_table('registration_questions')
