"""Database foundations: the declarative base, shared column types, SQLite set-up and locking,
and what URLs may name: ids within the range of the id columns, text without control
characters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked as UTC
    on the way out; naive datetimes are refused, which keeps local times from slipping in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def configure_sqlite(engine: Engine, busy_timeout: float = 30) -> None:
    """WAL, a busy timeout (seconds), foreign keys, and transactions that SQLAlchemy begins
    itself.

    pysqlite begins transactions lazily and on its own terms; taking that over lets a write
    request start with BEGIN IMMEDIATE (see `begin_write`), so that check-then-insert writes such
    as registrations wait for each other, up to the busy timeout, instead of failing at once
    with "database is locked" (past it, see `meetapp.locking`).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def configure_postgresql(engine: Engine, lock_timeout: float) -> None:
    """Each connection waits at most `lock_timeout` seconds for a lock (a row another
    transaction locked or is writing, a table a migration alters) before its statement fails
    (see `meetapp.locking`). Set once per connection rather than per transaction, so that a
    locked write costs no statement more."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        cursor.close()
        dbapi_connection.autocommit = autocommit


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    Called before the first query of a request that will write: on SQLite the transaction
    then begins IMMEDIATE (one writer at a time, others wait on the busy timeout); on other
    backends nothing changes and row locks (`meetapp.locking.lock_meeting`) do the serialising.
    """
    if session.in_transaction():
        return
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def forget_connections(app: Any) -> None:
    """In a process forked from the one that built `app`: drop the inherited connection
    pools without closing their connections, which still belong to the parent."""
    from meetapp.extensions import db

    if "sqlalchemy" not in app.extensions:
        return  # another app served with the same settings (the benchmarks' bare Flask)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def render_migration_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    """Alembic autogenerate: write UTCDateTime as a plain DateTime, so that migrations do not
    import application code (the UTC handling lives in the model layer, not the schema)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


class RowIdConverter(IntegerConverter):
    """The `int` of URL rules: a positive id within the range of the integer id columns, so
    that a forged id far beyond it is simply not found (PostgreSQL would refuse to compare it)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# C0 control characters and DEL: PostgreSQL refuses to compare text holding NUL, and no slug,
# key or token holds any of them.
_NO_CONTROL_CHARACTERS = r"[^/\x00-\x1f\x7f]"


class PlainTextConverter(UnicodeConverter):
    """The `string` (default) converter of URL rules: one path segment without control
    characters, so that a URL holding one is simply not found instead of reaching a query."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = _NO_CONTROL_CHARACTERS + self.regex.removeprefix("[^/]")


class PlainPathConverter(PathConverter):
    """The `path` converter of URL rules, without control characters (see PlainTextConverter)."""

    regex = _NO_CONTROL_CHARACTERS + r"[^\x00-\x1f\x7f]*?"


URL_CONVERTERS = {
    "int": RowIdConverter,
    "default": PlainTextConverter,
    "string": PlainTextConverter,
    "path": PlainPathConverter,
}
