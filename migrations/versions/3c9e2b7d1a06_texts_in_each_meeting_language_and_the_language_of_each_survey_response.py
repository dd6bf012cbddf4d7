"""texts in each meeting language, and the language of each survey response

Revision ID: 3c9e2b7d1a06
Revises: 5e1d7a0c4b2f
Create Date: 2026-12-05 03:50:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '3c9e2b7d1a06'
down_revision = '5e1d7a0c4b2f'
branch_labels = None
depends_on = None

TRANSLATABLE = ('meetings', 'stakeholder_groups', 'agenda_sessions', 'surveys', 'survey_questions')


def upgrade():
    for table in TRANSLATABLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('translations', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
            )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_column('language')
    for table in reversed(TRANSLATABLE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
