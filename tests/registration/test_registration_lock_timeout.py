"""A registration that waits too long for a lock another request holds is told that the site is
busy (503, Retry-After, the site's page) and stores nothing; one whose meeting was deleted
meanwhile gets the not-found page. On PostgreSQL the lock is the meeting's row lock, on SQLite
the database's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from config import TestingConfig
from meetapp import create_app
from meetapp.errors import RETRY_AFTER
from meetapp.extensions import db as app_db
from meetapp.models import Meeting, OutboxMessage, Participant
from meetapp.registration import services

pytestmark = pytest.mark.slow


def stored(db: Any) -> tuple[int, int]:
    """(participants, e-mails in the outbox)."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Participant)),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )


@pytest.fixture
def short_lock_app(database_url: str) -> Any:
    """The app on the suite's database, waiting one second for a lock."""
    config = type(
        "ShortLockConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "LOCK_TIMEOUT": 1},
    )
    application = create_app(config)
    yield application
    with application.app_context():
        app_db.engine.dispose()


@contextmanager
def another_request_holds_the_lock(db: Any, database_url: str, meeting: Meeting) -> Iterator[None]:
    """PostgreSQL: the meeting's row lock; SQLite: the database's write lock."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as other:
            other.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
            yield
            other.rollback()
        return
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_registration_waits_no_longer_than_the_lock_timeout(
    database_url: str, db: Any, make_meeting: Any, form: Any, short_lock_app: Flask
) -> None:
    meeting = make_meeting()
    url = f"/m/{meeting.slug}/register"
    with another_request_holds_the_lock(db, database_url, meeting):
        response = short_lock_app.test_client().post(url, data=form())
    assert response.status_code == 503
    # At least the app's figure (the rate limiter may name the end of its window instead).
    assert int(response.headers["Retry-After"]) >= RETRY_AFTER
    page = response.get_data(as_text=True)
    assert "Busy, try again" in page
    assert "Nothing was saved: please try again in a few seconds." in page
    assert stored(db) == (0, 0)
    # The lock released, the same registration goes through.
    assert short_lock_app.test_client().post(url, data=form()).status_code == 302
    assert stored(db)[0] == 1


def test_a_meeting_deleted_while_someone_registers_is_not_found(
    client: Any, db: Any, make_meeting: Any, form: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = make_meeting(groups=())
    real_lock = services.lock_meeting

    def lock_after_the_meeting_went(meeting_id: int) -> Meeting:
        # The organiser deletes the meeting between the form's check and the lock (committed,
        # as by another request).
        app_db.session.execute(delete(Meeting).where(Meeting.id == meeting_id))
        app_db.session.commit()
        return real_lock(meeting_id)

    monkeypatch.setattr(services, "lock_meeting", lock_after_the_meeting_went)
    response = client.post(f"/m/{meeting.slug}/register", data=form(stakeholder_group=None))
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)
    assert stored(db) == (0, 0)
