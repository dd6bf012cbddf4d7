"""sent messages keep no personal links

Revision ID: 7408dcef8cfb
Revises: 00ec3f07de56
Create Date: 2026-11-27 23:22:14.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7408dcef8cfb'
down_revision = '00ec3f07de56'
branch_labels = None
depends_on = None

# The rule of meetapp.tokens.without_personal_links when this revision was written.
_PERSONAL_LINK = re.compile(r"(/[rs]/)[A-Za-z0-9_-]{20,100}")
_REMOVED = "(link removed from the stored copy once sent)"


def upgrade():
    # From now on a message loses its personal links when it is recorded as sent; the ones
    # sent before are cleaned here. Queued and failed messages keep theirs for the retry.
    outbox = sa.table(
        'outbox_messages',
        sa.column('id', sa.Integer),
        sa.column('status', sa.String),
        sa.column('body', sa.Text),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.body)
            .where(outbox.c.status == 'sent', outbox.c.id > last_id)
            .order_by(outbox.c.id)
            .limit(500)
        ).all()
        if not rows:
            break
        changed = [
            {'row_id': row.id, 'new_body': cleaned}
            for row in rows
            if (cleaned := _PERSONAL_LINK.sub(lambda m: m.group(1) + _REMOVED, row.body)) != row.body
        ]
        if changed:
            connection.execute(
                outbox.update()
                .where(outbox.c.id == sa.bindparam('row_id'))
                .values(body=sa.bindparam('new_body')),
                changed,
            )
        last_id = rows[-1].id


def downgrade():
    # The links are gone for good; nothing to put back.
    pass
