"""grid survey questions: one scale over several rows; a grid question has a scale, and each
row's answer is stored with the row's key and the point of the scale

Revision ID: f4b8c2e6a917
Revises: e6b2c8d4a0f1
Create Date: 2026-12-05 22:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b8c2e6a917'
down_revision = 'e6b2c8d4a0f1'
branch_labels = None
depends_on = None

KINDS = "'likert', 'rating', 'nps', 'single', 'multiple', 'yes_no', 'text'"
ONE_VALUE = (
    '(choice IS NOT NULL AND number IS NULL AND text IS NULL)'
    ' OR (choice IS NULL AND number IS NOT NULL AND text IS NULL)'
    ' OR (choice IS NULL AND number IS NULL AND text IS NOT NULL)'
)


def upgrade():
    # Autogenerate does not compare CHECK constraints: they are written by hand. On SQLite the
    # batches rebuild both tables (env.py turns foreign keys off meanwhile).
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scale', sa.String(length=20), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_survey_questions_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_questions_kind'), f"kind IN ({KINDS}, 'grid')"
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_questions_scale'),
            "(kind = 'grid' AND scale IS NOT NULL AND scale IN ('likert', 'rating'))"
            " OR (kind <> 'grid' AND scale IS NULL)",
        )

    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_answers_one_value'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_answers_one_value'),
            ONE_VALUE + ' OR (choice IS NOT NULL AND number IS NOT NULL AND text IS NULL)',
        )


def downgrade():
    # The older schema knows no grid: grid questions go, with their answers (the foreign keys
    # cascade on PostgreSQL; on SQLite they are deleted first, explicitly).
    op.execute(
        "DELETE FROM survey_answers WHERE question_id IN"
        " (SELECT id FROM survey_questions WHERE kind = 'grid')"
    )
    op.execute("DELETE FROM survey_questions WHERE kind = 'grid'")
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_answers_one_value'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_survey_answers_one_value'), ONE_VALUE)

    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_questions_scale'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_survey_questions_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_questions_kind'), f"kind IN ({KINDS})"
        )
        batch_op.drop_column('scale')
