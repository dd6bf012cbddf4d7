"""participants are searched by name and organisation without case or accents; only registered participants can have attended

Revision ID: 00ec3f07de56
Revises: e3a47707c816
Create Date: 2026-11-27 22:48:37.144487

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '00ec3f07de56'
down_revision = 'e3a47707c816'
branch_labels = None
depends_on = None

# The rule of meetapp.formatting.folded as it stood when this revision was written: a revision
# keeps its own copy, so that a later change to the rule cannot change what this one does.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _folded(text):
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", (text or "").casefold()))
    return unicodedata.normalize("NFC", bare)


def upgrade():
    # A plain ADD COLUMN: SQLite does not rebuild the table for it.
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))

    participants = sa.table(
        'participants',
        sa.column('id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('organisation', sa.String),
        sa.column('search_text', sa.Text),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(participants.c.id, participants.c.name, participants.c.organisation)
            .where(participants.c.id > last_id)
            .order_by(participants.c.id)
            .limit(1000)
        ).all()
        if not rows:
            break
        connection.execute(
            participants.update()
            .where(participants.c.id == sa.bindparam('row_id'))
            .values(search_text=sa.bindparam('text')),
            [
                {'row_id': row.id, 'text': f'{_folded(row.name)}\n{_folded(row.organisation)}'}
                for row in rows
            ],
        )
        last_id = rows[-1].id

    # Attendance goes with a seat. Before this revision a cancelled registration kept its
    # check-in (and an import could mark waitlisted people as attended): those are cleared,
    # then the rule is written into the table. On SQLite the batch rebuilds participants
    # (env.py turns foreign keys off meanwhile).
    connection.execute(
        sa.text(
            "UPDATE participants SET attended = :no, checked_in_at = NULL,"
            " checked_in_by_id = NULL WHERE status <> 'registered' AND attended"
        ),
        {'no': False},
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_participants_attended_registered'), "status = 'registered' OR NOT attended"
        )


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_attended_registered'), type_='check')
        batch_op.drop_column('search_text')
