"""Two desks taking the last seat at the same moment: one gets it, the other is asked to
confirm a seat over capacity. Real concurrent requests (tests.concurrency); runs on SQLite and
on PostgreSQL (MEETAPP_TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from meetapp.models import Participant
from tests.concurrency import run_together

pytestmark = pytest.mark.slow

FULL = "The meeting is full (3 of 3 seats taken)"


def statuses(db: Any, meeting_id: int) -> list[str]:
    db.session.rollback()
    rows = db.session.scalars(
        select(Participant.status).where(Participant.meeting_id == meeting_id)
    ).all()
    db.session.commit()
    return sorted(rows)


def test_two_desks_seating_the_last_seat_at_once(
    db: Any, make_user: Any, make_meeting: Any, make_participant: Any, new_client: Any
) -> None:
    meeting = make_meeting(capacity=3)
    for _ in range(2):
        make_participant(meeting)
    waiting = [make_participant(meeting, status="waitlisted") for _ in range(2)]
    desks = [new_client(make_user("staff")) for _ in range(2)]
    slug, meeting_id, ids = meeting.slug, meeting.id, [p.id for p in waiting]

    def seat(client: Any, i: int) -> tuple[int, str]:
        response = client.post(
            f"/meetings/{slug}/checkin/{ids[i]}/seat",
            data={"q": "Person"},
            headers={"X-Requested-With": "fetch"},
        )
        return response.status_code, response.get_data(as_text=True)

    results = run_together(desks, seat)
    assert [status for status, _ in results] == [200, 200]
    asked = [FULL in page for _, page in results]
    assert sorted(asked) == [False, True]
    assert statuses(db, meeting_id) == ["registered"] * 3 + ["waitlisted"]


def test_two_walk_ins_for_the_last_seat_at_once(
    db: Any, make_user: Any, make_meeting: Any, make_participant: Any, new_client: Any
) -> None:
    meeting = make_meeting(capacity=3)
    for _ in range(2):
        make_participant(meeting)
    desks = [new_client(make_user("staff")) for _ in range(2)]
    slug, meeting_id = meeting.slug, meeting.id

    def add(client: Any, i: int) -> tuple[int, str]:
        response = client.post(
            f"/meetings/{slug}/checkin/walk-in",
            data={"name": f"Walk In {i}", "email": f"walk{i}@example.org"},
        )
        return response.status_code, response.get_data(as_text=True)

    results = run_together(desks, add)
    assert sorted(status for status, _ in results) == [200, 302]
    refused = next(page for status, page in results if status == 200)
    assert FULL in refused
    assert statuses(db, meeting_id) == ["registered"] * 3
