"""anonymous survey results are published in batches: surveys have a batch size, responses are published or wait with their answers

Revision ID: 6b047c8d53e5
Revises: 8ff905909dbf
Create Date: 2026-12-04 19:06:24.827753

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b047c8d53e5'
down_revision = '8ff905909dbf'
branch_labels = None
depends_on = None


def upgrade():
    # The responses already stored are published, as they were shown until now; every survey
    # gets batches of 5. Autogenerate does not compare CHECK constraints: those are written by
    # hand. On SQLite the batches rebuild both tables (env.py turns foreign keys off meanwhile,
    # so the questions, invitations and answers that point at them stay).
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('published', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column('pending_answers', sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_responses_waits_with_answers'),
            'published OR pending_answers IS NOT NULL',
        )

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_size', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_surveys_batch_size'), 'batch_size >= 3 AND batch_size <= 500'
        )


def downgrade():
    # The older schema keeps every answer in survey_answers, shown at once: the answers still
    # waiting for their batch are moved there (a change replaces the published answers of its
    # response), so that nothing participants gave is lost.
    _publish_waiting_answers(op.get_bind())
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_surveys_batch_size'), type_='check')
        batch_op.drop_column('batch_size')

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_survey_responses_waits_with_answers'), type_='check'
        )
        batch_op.drop_column('pending_answers')
        batch_op.drop_column('published')


def _publish_waiting_answers(connection):
    responses = sa.table(
        'survey_responses',
        sa.column('id', sa.Integer),
        sa.column('survey_id', sa.Integer),
        sa.column('published', sa.Boolean),
        sa.column('pending_answers', sa.JSON(none_as_null=True)),
    )
    answers = sa.table(
        'survey_answers',
        sa.column('response_id', sa.Integer),
        sa.column('question_id', sa.Integer),
        sa.column('choice', sa.String),
        sa.column('number', sa.Integer),
        sa.column('text', sa.Text),
    )
    waiting = connection.execute(
        sa.select(responses.c.id, responses.c.survey_id, responses.c.pending_answers).where(
            responses.c.pending_answers.is_not(None)
        )
    ).all()
    if not waiting:
        return
    questions = {
        (row.survey_id, row.key): (row.id, row.kind)
        for row in connection.execute(
            sa.text('SELECT id, survey_id, key, kind FROM survey_questions')
        )
    }
    rows = []
    for response_id, survey_id, given in waiting:
        for key, value in (given or {}).items():
            if (survey_id, key) not in questions:
                continue
            question_id, kind = questions[(survey_id, key)]
            base = {'response_id': response_id, 'question_id': question_id}
            empty = {'choice': None, 'number': None, 'text': None}
            if kind == 'multiple':
                rows.extend({**base, **empty, 'choice': item} for item in value)
            elif kind in ('rating', 'nps'):
                rows.append({**base, **empty, 'number': value})
            elif kind == 'text':
                rows.append({**base, **empty, 'text': value})
            else:
                rows.append({**base, **empty, 'choice': value})
    connection.execute(
        answers.delete().where(answers.c.response_id.in_([row[0] for row in waiting]))
    )
    if rows:
        connection.execute(answers.insert(), rows)
    connection.execute(
        responses.update()
        .where(responses.c.pending_answers.is_not(None))
        .values(published=True, pending_answers=None)
    )
