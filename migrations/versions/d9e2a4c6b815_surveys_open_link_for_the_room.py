"""surveys: an open link for the room; responses given through it

Revision ID: d9e2a4c6b815
Revises: a1c5e9d3f702
Create Date: 2026-12-05 21:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9e2a4c6b815'
down_revision = 'a1c5e9d3f702'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_link', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('open_key', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('open_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('open_counts_with_invited', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_surveys_open_key'), ['open_key'])

    # Autogenerate does not compare CHECK constraints: the one below is written by hand.
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_open_link', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_survey_responses_open_names_no_one'),
            "NOT via_open_link OR participant_id IS NULL",
        )


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_responses_open_names_no_one'), type_='check')
        batch_op.drop_column('via_open_link')

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_surveys_open_key'), type_='unique')
        batch_op.drop_column('open_counts_with_invited')
        batch_op.drop_column('open_code')
        batch_op.drop_column('open_key')
        batch_op.drop_column('open_link')
