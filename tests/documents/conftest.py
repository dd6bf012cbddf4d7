"""Meetings with many registered participants, for the documents that grow with them, and a
storage of each test's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert

from meetapp.models import Meeting, Participant
from meetapp.storage import LocalStorage


@pytest.fixture(autouse=True)
def _own_storage(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app keeps its files in the test's folder: what a test finds there is its own."""
    monkeypatch.setitem(app.extensions, "meetapp.storage", LocalStorage(tmp_path / "files"))


def person_name(n: int) -> str:
    return f"Person {n:04d}"


@pytest.fixture
def register_people(db: Any) -> Callable[[Meeting, int], None]:
    """`register_people(meeting, n)`: n registered participants, "Person 0001" to n, in one
    statement."""

    def register(meeting: Meeting, n: int) -> None:
        db.session.execute(
            insert(Participant),
            [
                {
                    "meeting_id": meeting.id,
                    "name": person_name(number),
                    "email": f"p{number}-{meeting.id}@example.org",
                    "email_normalized": f"p{number}-{meeting.id}@example.org",
                    "organisation": f"Organisation {number % 7}",
                    "status": "registered",
                }
                for number in range(1, n + 1)
            ],
        )
        db.session.commit()

    return register
