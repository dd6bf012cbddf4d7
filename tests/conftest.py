"""Fixtures shared by the whole suite.

The suite runs on SQLite (a file in a temporary folder) by default and on PostgreSQL when
MEETAPP_TEST_DATABASE_URL is set. The schema is built once per run; every test starts from
empty tables. CSRF is off by default (tests that check it turn it on with `csrf_enabled`).

Each request made with a test client runs in an application context of its own, as in
production: two clients are two independent browsers (Flask-Login caches the user in `g`), and
a request has its own database session. After each request the test's own session is rolled
back, so the test's objects reload and show what the request committed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, select

from config import TestingConfig
from meetapp import create_app
from meetapp.extensions import db as _db
from meetapp.extensions import limiter
from meetapp.models import Meeting, Organisation, Participant, StakeholderGroup, User
from tests.outbox.smtp import Inbox, free_port, start_smtp


def pytest_configure(config: pytest.Config) -> None:
    """The compiled catalogues, as `make install` builds them, for a suite run without it."""
    compile_catalogues()


def compile_catalogues() -> None:
    """Compile each messages.po whose .mo is missing or older (written whole, then renamed:
    test processes may compile at once)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    translations = Path(__file__).resolve().parent.parent / "meetapp" / "translations"
    for po in translations.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        partial = mo.with_name(f"messages.mo.{os.getpid()}")
        with partial.open("wb") as handle:
            write_mo(handle, catalogue)
        partial.replace(mo)


PASSWORD = "correct horse battery staple"
# One address in two spellings: as stored (the form `normalise_email` gives), and as a person
# may type it again: upper case, accents decomposed (as some keyboards and systems send them),
# spaces around. A plain `.lower()` tells them apart.
UNICODE_EMAIL = "élodie@bücher.example"
UNICODE_EMAIL_TYPED = " E\u0301LODIE@BU\u0308CHER.EXAMPLE "


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The suite's database: MEETAPP_TEST_DATABASE_URL, else a SQLite file of its own.

    Under pytest-xdist each worker process needs a database of its own: on PostgreSQL it is a
    new database beside the given one, named after the worker, and dropped at the end.
    """
    url = os.environ.get("MEETAPP_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    elif worker_id == "master" or not url.startswith(("postgresql", "postgres:")):
        yield url
    else:
        with postgres_database(url, f"_{worker_id}") as worker_url:
            yield worker_url


@contextmanager
def postgres_database(url: str, suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the one `url` names (its name + `suffix`), on
    the same server; dropped afterwards. Yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url.replace("postgres://", "postgresql://", 1))
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"{base.database}{suffix}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets a fresh application context, and whose response
    is read and closed at once, as a server does: the jobs that run after the response (see
    `meetapp.jobs`) have run when the test reads it."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        outer = has_app_context()
        context = self.application.app_context()
        context.push()
        try:
            response = super().open(*args, **kwargs)
        except BaseException:
            context.pop()
            raise

        def done() -> None:
            context.pop()
            # The body the client sent (a temporary file when it is large).
            response.request.environ["wsgi.input"].close()
            if outer:
                _db.session.rollback()

        if kwargs["buffered"]:
            response.close()  # the body is read already; this closes the request's input too
            done()
        else:
            # A streamed body (`buffered=False`) is read from the request's context, database
            # session included, until the test closes the response, as under a server.
            response.call_on_close(done)
        return response


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ.setdefault("MEETAPP_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    suite_config = type("SuiteConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    application = create_app(suite_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
    limiter.reset()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def new_client(app: Flask) -> Callable[..., FlaskClient]:
    """`new_client(user=None)`: another independent browser, logged in as `user` if given."""

    def make(user: User | None = None) -> FlaskClient:
        client = app.test_client()
        if user is not None:
            login(client, user)
        return client

    return make


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


_CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _CSRF_TOKEN.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(
        role: str = "organiser",
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        active: bool = True,
    ) -> User:
        n = next(counter)
        user = User(
            email=email or f"{role}{n}@example.org",
            name=name or f"{role.title()} {n}",
            role=role,
            active=active,
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_meeting(db: Any) -> Callable[..., Meeting]:
    counter = iter(range(1, 1_000_000))

    def make(
        slug: str | None = None,
        organisers: tuple[User, ...] | list[User] = (),
        capacity: int | None = 20,
        groups: tuple[tuple[str, str], ...] | None = None,
        opens_in: timedelta | None = timedelta(days=-1),
        closes_in: timedelta | None = timedelta(days=10),
        timezone: str = "Asia/Phnom_Penh",
        **fields: Any,
    ) -> Meeting:
        n = next(counter)
        now = datetime.now(UTC)
        organisation = Organisation(name=f"Network {n}", short_name=f"N{n}")
        meeting = Meeting(
            organisation=organisation,
            slug=slug or f"meeting-{n}",
            title=fields.pop("title", f"Meeting {n}"),
            starts_at=fields.pop("starts_at", now + timedelta(days=20)),
            timezone=timezone,
            capacity=capacity,
            registration_opens_at=None if opens_in is None else now + opens_in,
            registration_closes_at=None if closes_in is None else now + closes_in,
            languages=fields.pop("languages", ["en"]),
            **fields,
        )
        for position, (key, label) in enumerate(
            groups
            if groups is not None
            else (("government", "Government"), ("cso", "Civil society"))
        ):
            meeting.stakeholder_groups.append(
                StakeholderGroup(key=key, label=label, position=position)
            )
        db.session.add(meeting)
        db.session.flush()
        for user in organisers:
            db.session.execute(
                _db.metadata.tables["meeting_organisers"]
                .insert()
                .values(meeting_id=meeting.id, user_id=user.id)
            )
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_participant(db: Any) -> Callable[..., Participant]:
    counter = iter(range(1, 1_000_000))

    def make(
        meeting: Meeting, status: str = "registered", group_key: str | None = None, **fields: Any
    ) -> Participant:
        n = next(counter)
        email = fields.pop("email", f"person{n}@example.org")
        group = None
        if group_key is not None:
            group = db.session.scalar(
                select(StakeholderGroup).where(
                    StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == group_key
                )
            )
        participant = Participant(
            meeting_id=meeting.id,
            name=fields.pop("name", f"Person {n}"),
            email=email,
            email_normalized=email.lower(),
            status=status,
            stakeholder_group_id=group.id if group else None,
            **fields,
        )
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log in through the form (with its CSRF token when CSRF is on)."""
    data = {"email": user.email, "password": password}
    match = _CSRF_TOKEN.search(client.get("/login").get_data(as_text=True))
    if match:
        data["csrf_token"] = match.group(1)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    def do(user: User) -> FlaskClient:
        login(client, user)
        return client

    return do


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Use as `with count_queries() as counter: ...`, then read `counter.count`."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = _db.engine

        def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if (
                not statement.lstrip()
                .upper()
                .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
            ):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return counting


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, with what it received."""
    controller, inbox = start_smtp(free_port())
    yield inbox
    controller.stop()


@pytest.fixture
def mail_to(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`mail_to(port)`: configure the app to send through 127.0.0.1:port."""

    def configure(port: int) -> None:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
        monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "meetings@example.org")

    return configure
