"""Survey questions can be marked as quotable in the press release.

Revision ID: 7c1e0d2a9b41
Revises: 5e1a0c7d9b21
Create Date: 2026-12-04 22:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7c1e0d2a9b41"
down_revision = "5e1a0c7d9b21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "quotable_in_release", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.drop_column("quotable_in_release")
