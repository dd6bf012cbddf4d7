"""Survey questions can be shown only when an earlier answer matches (`show_if`).

Revision ID: a1c5e9d3f702
Revises: f4b8c2e6a917
Create Date: 2026-12-05 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a1c5e9d3f702"
down_revision = "f4b8c2e6a917"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_if", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.drop_column("show_if")
