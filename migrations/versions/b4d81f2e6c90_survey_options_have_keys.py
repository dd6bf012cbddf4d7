"""survey options have keys: options become {key, label}, answers store the option's key

Revision ID: b4d81f2e6c90
Revises: 8d2f4a6c1e37
Create Date: 2026-12-05 04:00:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d81f2e6c90'
down_revision = '8d2f4a6c1e37'
branch_labels = None
depends_on = None

CHOICE_KINDS = ('single', 'multiple')
KEY_MAX = 50

questions = sa.table(
    'survey_questions',
    sa.column('id', sa.Integer),
    sa.column('survey_id', sa.Integer),
    sa.column('key', sa.String),
    sa.column('kind', sa.String),
    sa.column('options', sa.JSON),
)
answers = sa.table(
    'survey_answers',
    sa.column('id', sa.Integer),
    sa.column('response_id', sa.Integer),
    sa.column('question_id', sa.Integer),
    sa.column('stakeholder_group_id', sa.Integer),
    sa.column('choice', sa.String),
    sa.column('number', sa.Integer),
    sa.column('text', sa.Text),
)
responses = sa.table(
    'survey_responses',
    sa.column('id', sa.Integer),
    sa.column('survey_id', sa.Integer),
    sa.column('pending_answers', sa.JSON(none_as_null=True)),
)


# The keys as `meetapp.models.surveys.derive_option_keys` gave them when this revision was
# written, copied here so that the revision converts the same way whatever the code becomes.
def _key_from_text(text):
    ascii_text = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode('ascii')
    ascii_text = ascii_text.lower().replace("'", '')
    key = re.sub(r'[^a-z0-9]+', '-', ascii_text).strip('-')[: KEY_MAX - 4].strip('-')
    return key or 'option'


def _derive_keys(labels):
    keys = []
    for label in labels:
        base = _key_from_text(label)
        key, number = base, 2
        while key in keys:
            key, number = f'{base}-{number}', number + 1
        keys.append(key)
    return keys


def upgrade():
    # Each option of a choice question gets the key its label gives; the answers and the
    # answers waiting for an anonymous survey's batch name the key instead of the label.
    _convert(op.get_bind(), to_keys=True)


def downgrade():
    # Back to labels (in the meeting's first language); the options' translations stay in
    # `translations`, unused by the older code.
    _convert(op.get_bind(), to_keys=False)


def _convert(connection, to_keys):
    by_survey = {}
    for question_id, survey_id, key, kind, options in connection.execute(
        sa.select(
            questions.c.id, questions.c.survey_id, questions.c.key, questions.c.kind,
            questions.c.options,
        ).where(questions.c.kind.in_(CHOICE_KINDS))
    ):
        options = options or []
        if to_keys:
            labels = [str(option) for option in options]
            keys = _derive_keys(labels)
            stored = [{'key': k, 'label': label} for k, label in zip(keys, labels)]
            mapping = dict(zip(labels, keys))
        else:
            stored = [option['label'] for option in options]
            mapping = {option['key']: option['label'] for option in options}
        connection.execute(
            questions.update().where(questions.c.id == question_id).values(options=stored)
        )
        _rewrite_answers(connection, question_id, mapping)
        by_survey.setdefault(survey_id, {})[key] = mapping
    _rewrite_waiting(connection, by_survey)


def _rewrite_answers(connection, question_id, mapping):
    """Deleted and inserted again with the new value (and the same ids): updated in place, a
    label equal to another option's key could collide, for a moment, with that option's
    answer of the same response."""
    changed = [
        {**row._asdict(), 'choice': mapping[row.choice]}
        for row in connection.execute(
            sa.select(
                answers.c.id, answers.c.response_id, answers.c.question_id,
                answers.c.stakeholder_group_id, answers.c.choice, answers.c.number,
                answers.c.text,
            ).where(answers.c.question_id == question_id, answers.c.choice.is_not(None))
        )
        if row.choice in mapping and mapping[row.choice] != row.choice
    ]
    if not changed:
        return
    ids = [row['id'] for row in changed]
    for start in range(0, len(ids), 500):
        connection.execute(answers.delete().where(answers.c.id.in_(ids[start : start + 500])))
    connection.execute(answers.insert(), changed)


def _rewrite_waiting(connection, by_survey):
    if not by_survey:
        return
    for response_id, survey_id, pending in connection.execute(
        sa.select(responses.c.id, responses.c.survey_id, responses.c.pending_answers).where(
            responses.c.pending_answers.is_not(None),
            responses.c.survey_id.in_(list(by_survey)),
        )
    ).all():
        mappings = by_survey[survey_id]
        rewritten = dict(pending)
        for key, value in pending.items():
            mapping = mappings.get(key)
            if mapping is None:
                continue
            if isinstance(value, list):
                rewritten[key] = [mapping.get(item, item) for item in value]
            else:
                rewritten[key] = mapping.get(value, value)
        if rewritten != pending:
            connection.execute(
                responses.update()
                .where(responses.c.id == response_id)
                .values(pending_answers=rewritten)
            )
