"""organisers message participants; outbox messages carry an attachment

Revision ID: 14f48fee40d8
Revises: b4d81f2e6c90
Create Date: 2026-12-05 03:50:21.600749

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '14f48fee40d8'
down_revision = 'b4d81f2e6c90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_outbox_attachments_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachments'))
    )
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attachments_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('organiser_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('attach_ics', sa.Boolean(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queuing', 'done')", name=op.f('ck_organiser_messages_state')),
    sa.ForeignKeyConstraint(['attachment_id'], ['outbox_attachments.id'], name=op.f('fk_organiser_messages_attachment_id_outbox_attachments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_organiser_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_organiser_messages_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_organiser_messages_survey_id_surveys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organiser_messages'))
    )
    with op.batch_alter_table('organiser_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organiser_messages_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organiser_messages_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_organiser_messages_meeting', ['meeting_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organiser_messages_survey_id'), ['survey_id'], unique=False)

    op.create_table('message_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('waiting', 'queued', 'skipped')", name=op.f('ck_message_recipients_state')),
    sa.ForeignKeyConstraint(['message_id'], ['organiser_messages.id'], name=op.f('fk_message_recipients_message_id_organiser_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_message_recipients_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_message_recipients_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_recipients')),
    sa.UniqueConstraint('message_id', 'participant_id', name=op.f('uq_message_recipients_message_id_participant_id'))
    )
    with op.batch_alter_table('message_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_message_recipients_message_state', ['message_id', 'state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_recipients_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_recipients_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_attachment_id_outbox_attachments'), 'outbox_attachments', ['attachment_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_attachment_id_outbox_attachments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_attachment_id'))
        batch_op.drop_column('attachment_id')

    with op.batch_alter_table('message_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_recipients_participant_id'))
        batch_op.drop_index(batch_op.f('ix_message_recipients_outbox_message_id'))
        batch_op.drop_index('ix_message_recipients_message_state')

    op.drop_table('message_recipients')
    with op.batch_alter_table('organiser_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organiser_messages_survey_id'))
        batch_op.drop_index('ix_organiser_messages_meeting')
        batch_op.drop_index(batch_op.f('ix_organiser_messages_author_id'))
        batch_op.drop_index(batch_op.f('ix_organiser_messages_attachment_id'))

    op.drop_table('organiser_messages')
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachments_meeting_id'))

    op.drop_table('outbox_attachments')
