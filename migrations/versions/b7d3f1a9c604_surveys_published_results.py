"""surveys: published results (questions chosen, breakdown by group) and free-text answers
chosen one by one

Revision ID: b7d3f1a9c604
Revises: d9e2a4c6b815
Create Date: 2026-12-05 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d3f1a9c604'
down_revision = 'd9e2a4c6b815'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('results_published', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('published_questions', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column('published_by_group', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('published_text', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_column('published_text')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('published_by_group')
        batch_op.drop_column('published_questions')
        batch_op.drop_column('results_published')
