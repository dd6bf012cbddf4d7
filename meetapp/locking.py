"""Locks that serialise the writes which check, then insert (a seat, a key in use), and how long
a request waits for one.

A request waits at most LOCK_TIMEOUT seconds for a lock another request holds: on PostgreSQL
for a row lock such as the meeting's (its `lock_timeout`, see
`meetapp.database.configure_postgresql`), on SQLite for the database's write lock (its busy
timeout, see `meetapp.database.configure_sqlite`). Past it, the database's error is raised as
`LockTimeout`, whichever statement met it, and the visitor is told that the site is busy and
to try again (503); the transaction is rolled back, so nothing is half-written.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.util import identity_key

from meetapp.errors import LockTimeout, MeetingGone
from meetapp.extensions import db
from meetapp.models import Meeting

# PostgreSQL's SQLSTATE for a lock not granted within lock_timeout (lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"


@cache
def _meeting_columns() -> tuple[str, ...]:
    return tuple(attribute.key for attribute in sa_inspect(Meeting).column_attrs)


def lock_meeting(meeting_id: int) -> Meeting:
    """Re-read the meeting with a row lock, serialising writes that check then insert.

    On PostgreSQL this is SELECT ... FOR UPDATE, waiting at most LOCK_TIMEOUT (LockTimeout);
    on SQLite the write transaction is already exclusive (see `meetapp.database.begin_write`).
    A meeting this request already loaded has only its own columns read again (capacity,
    registration window...): its organisation and stakeholder groups are not reloaded, which
    keeps the time the lock is held short. Code that must see a group as it is under the lock
    queries it. A meeting not loaded yet is read whole, with the lock, in one statement.
    MeetingGone when the meeting was deleted meanwhile.
    """
    loaded = db.session.identity_map.get(identity_key(Meeting, meeting_id))
    if isinstance(loaded, Meeting):
        try:
            db.session.refresh(loaded, attribute_names=_meeting_columns(), with_for_update=True)
        except InvalidRequestError as error:  # deleted since it was read
            raise MeetingGone() from error
        return loaded
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
    )
    if meeting is None:
        raise MeetingGone()
    return meeting


def is_lock_timeout(error: BaseException) -> bool:
    """Whether the database driver's `error` says that a lock was not granted in time."""
    if getattr(error, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    code = getattr(error, "sqlite_errorcode", None)
    # The primary code, whatever the extended one (SQLITE_BUSY_SNAPSHOT, _TIMEOUT...).
    return (
        isinstance(error, sqlite3.OperationalError)
        and code is not None
        and (code & 0xFF == sqlite3.SQLITE_BUSY)
    )


def raise_lock_timeouts(engine: Engine) -> None:
    """Have every statement of `engine` that waited too long for a lock raise LockTimeout."""

    @event.listens_for(engine, "handle_error")
    def _lock_timeout(context: ExceptionContext) -> BaseException | None:
        if is_lock_timeout(context.original_exception):
            return LockTimeout()
        return None
