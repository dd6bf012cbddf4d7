"""outbox claims: sending status and claimed_at

Revision ID: 0106469ea666
Revises: 3e1517257739
Create Date: 2026-11-27 21:13:41.147035

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0106469ea666'
down_revision = '3e1517257739'
branch_labels = None
depends_on = None


def upgrade():
    # Autogenerate does not compare CHECK constraints: the two below are written by hand.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_messages_status'),
            "status IN ('queued', 'sending', 'sent', 'failed')",
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_messages_claimed'),
            "status <> 'sending' OR claimed_at IS NOT NULL",
        )


def downgrade():
    # A message being sent goes back to the queue (it may then be sent twice: at least once).
    op.execute("UPDATE outbox_messages SET status = 'queued' WHERE status = 'sending'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_claimed'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_messages_status'),
            "status IN ('queued', 'sent', 'failed')",
        )
        batch_op.drop_column('claimed_at')
