"""anonymous survey responses keep an edit key, the HMAC of the link they were given through, and only the day of their times

Revision ID: 56f0fcd24473
Revises: 7408dcef8cfb
Create Date: 2026-11-27 23:21:55.378142

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '56f0fcd24473'
down_revision = '7408dcef8cfb'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN and CREATE INDEX: SQLite does not rebuild the table for them. The
    # responses already stored keep NULL: no token is kept to compute their key from, so they
    # cannot be changed through a link (as imported responses cannot).
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edit_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_survey_responses_edit_key'), ['edit_key'], unique=True)

    # An anonymous response keeps only the day (midnight UTC) of when it was given and
    # changed: the times already stored, to the microsecond, could be matched against when a
    # participant was seen using their link. Times are stored in UTC (as text without an
    # offset on SQLite, "YYYY-MM-DD HH:MM:SS.ffffff"). The downgrade cannot bring them back.
    anonymous = "survey_id IN (SELECT id FROM surveys WHERE anonymous)"
    if op.get_bind().dialect.name == 'postgresql':
        midnight = "date_trunc('day', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:
        midnight = "substr({0}, 1, 10) || ' 00:00:00.000000'"
    op.execute(
        f"UPDATE survey_responses SET submitted_at = {midnight.format('submitted_at')},"
        f" updated_at = {midnight.format('updated_at')} WHERE {anonymous}"
    )


def downgrade():
    # On SQLite the batch rebuilds survey_responses (env.py turns foreign keys off meanwhile,
    # so the answers that point at the responses stay).
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_edit_key'))
        batch_op.drop_column('edit_key')
