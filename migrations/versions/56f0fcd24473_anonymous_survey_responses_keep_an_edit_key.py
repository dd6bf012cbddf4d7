"""anonymous survey responses keep an edit key, the HMAC of the link they were given through

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


def downgrade():
    # On SQLite the batch rebuilds survey_responses (env.py turns foreign keys off meanwhile,
    # so the answers that point at the responses stay).
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_edit_key'))
        batch_op.drop_column('edit_key')
