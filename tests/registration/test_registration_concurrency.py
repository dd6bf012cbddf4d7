"""Registrations and cancellations at the same moment: seats are never over-given.

Each thread has its own test client, so its own app context, database session and
connection; a barrier starts them together. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.models import Participant, RegistrationAnswer
from meetapp.registration.services import waitlist_place
from tests.concurrency import run_together as together

pytestmark = pytest.mark.slow


def run_together(app, count: int, work: Callable[[Any, int], Any]) -> list[Any]:
    """Run `work(client, i)` in `count` threads released at once, each with a new client."""
    return together([app.test_client() for _ in range(count)], work)


def ordered(db, meeting_id):
    db.session.expire_all()
    rows = list(
        db.session.scalars(
            select(Participant)
            .where(Participant.meeting_id == meeting_id)
            .order_by(Participant.registered_at, Participant.id)
        )
    )
    db.session.commit()
    return rows


# What a registrant is told: on the page the registration redirects to (its flashed message),
# and on their personal page (which that page is).
TOLD_SEAT = re.compile(r"You are registered for [^<]*\. Keep this page")
TOLD_PLACE = re.compile(r"is full: you are on the waiting list, place (\d+)\.")
PAGE_SEAT = "A seat is yours."
PAGE_PLACE = re.compile(r"You are number (\d+) on the waiting list")


def told(page: str) -> tuple[int, int]:
    """(the place in the confirmation message, the place on the personal page); 0 for a seat."""
    seat, place = TOLD_SEAT.search(page), TOLD_PLACE.search(page)
    assert bool(seat) != bool(place), page
    on_page = PAGE_PLACE.search(page)
    assert bool(on_page) != (PAGE_SEAT in page), page
    return (int(place.group(1)) if place else 0, int(on_page.group(1)) if on_page else 0)


def test_sixty_registrations_at_once_for_twenty_seats(app, db, make_meeting, form, token_of):
    """Everyone is told, at once, the place that is theirs in the final order: the twenty
    registered are exactly those told they have a seat, and each waitlisted person's place in
    the confirmation and on their personal page is their place on the list."""
    meeting = make_meeting(capacity=20)
    slug, meeting_id = meeting.slug, meeting.id
    db.session.commit()

    def register(client, i):
        response = client.post(
            f"/m/{slug}/register", data=form(email=f"person{i}@example.org", name=f"P{i}")
        )
        if response.status_code != 302:
            return response.status_code, None, None
        # The confirmation: the personal page, with the message flashed by the registration.
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        return 302, token_of(response.headers["Location"]), told(page.get_data(as_text=True))

    results = run_together(app, 60, register)
    assert [status for status, _, _ in results] == [302] * 60

    rows = ordered(db, meeting_id)
    assert len(rows) == 60
    statuses = [row.status for row in rows]
    # Arrival order: everyone registered arrived before everyone waitlisted.
    assert statuses == ["registered"] * 20 + ["waitlisted"] * 40
    # ids were handed out in the same order as registered_at (one writer at a time).
    assert [row.id for row in rows] == sorted(row.id for row in rows)
    assert [waitlist_place(row) for row in rows[20:]] == list(range(1, 41))
    final = {row.email: (0 if row.status == "registered" else n - 19) for n, row in enumerate(rows)}
    db.session.commit()

    told_at_once = {f"person{i}@example.org": places for i, (_, _, places) in enumerate(results)}
    assert {email for email, (message, _) in told_at_once.items() if message == 0} == {
        row.email for row in rows[:20]
    }
    assert {email: message for email, (message, _) in told_at_once.items()} == final
    assert {email: on_page for email, (_, on_page) in told_at_once.items()} == final
    # And once everyone has registered, each personal page still shows that place.
    client = app.test_client()
    for i, (_, token, _) in enumerate(results):
        page = client.get(f"/r/{token}").get_data(as_text=True)
        match = PAGE_PLACE.search(page)
        shown = int(match.group(1)) if match else 0 if PAGE_SEAT in page else None
        assert shown == final[f"person{i}@example.org"], i


def test_ten_registrations_with_one_email_make_one_row(app, db, make_meeting, form):
    meeting = make_meeting(capacity=20)
    slug, meeting_id = meeting.slug, meeting.id
    db.session.commit()

    def register(client, i):
        email = "Same.Person@example.org" if i % 2 else "same.person@EXAMPLE.org"
        response = client.post(f"/m/{slug}/register", data=form(email=email))
        return response.status_code, response.headers.get("Location")

    results = run_together(app, 10, register)
    codes = sorted(status for status, _ in results)
    assert codes == [302] + [303] * 9
    for status, location in results:
        if status == 303:
            # Told to look in their mailbox, where the link is sent again.
            assert location == f"/m/{slug}/link?sent=1"
    rows = ordered(db, meeting_id)
    assert [row.email_normalized for row in rows] == ["same.person@example.org"]


def _full_meeting(client, make_meeting, form, token_of, seats, waiting):
    meeting = make_meeting(capacity=seats)
    tokens = []
    for i in range(seats + waiting):
        response = client.post(
            f"/m/{meeting.slug}/register", data=form(email=f"p{i}@example.org", name=f"P{i}")
        )
        assert response.status_code == 302
        tokens.append(token_of(response.headers["Location"]))
    return meeting, tokens


def _by_name(db, meeting_id):
    return {row.name: row.status for row in ordered(db, meeting_id)}


@pytest.mark.parametrize("waiting", [1, 2, 3])
def test_two_cancellations_racing_promote_exactly_the_first_waitlisted(
    app, client, db, make_meeting, form, token_of, waiting
):
    meeting, tokens = _full_meeting(client, make_meeting, form, token_of, 3, waiting)
    meeting_id = meeting.id
    db.session.commit()

    def cancel(client, i):
        return client.post(f"/r/{tokens[i]}/cancel").status_code

    assert run_together(app, 2, cancel) == [302, 302]
    statuses = _by_name(db, meeting_id)
    assert statuses["P0"] == statuses["P1"] == "cancelled"
    promoted = [f"P{3 + i}" for i in range(min(2, waiting))]
    still_waiting = [f"P{3 + i}" for i in range(2, waiting)]
    assert [name for name in promoted if statuses[name] == "registered"] == promoted
    assert [name for name in still_waiting if statuses[name] == "waitlisted"] == still_waiting
    registered = db.session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.meeting_id == meeting_id, Participant.status == "registered")
    )
    assert registered == 1 + len(promoted) <= 3


def test_the_same_cancellation_racing_itself_promotes_one(
    app, client, db, make_meeting, form, token_of
):
    meeting, tokens = _full_meeting(client, make_meeting, form, token_of, 2, 2)
    meeting_id = meeting.id
    db.session.commit()

    def cancel(client, i):
        return client.post(f"/r/{tokens[0]}/cancel").status_code

    assert run_together(app, 4, cancel) == [302] * 4
    assert _by_name(db, meeting_id) == {
        "P0": "cancelled",
        "P1": "registered",
        "P2": "registered",
        "P3": "waitlisted",
    }


def test_registrations_and_cancellations_mixed_never_exceed_capacity(
    app, client, db, make_meeting, form, token_of
):
    meeting, tokens = _full_meeting(client, make_meeting, form, token_of, 5, 3)
    slug, meeting_id = meeting.slug, meeting.id
    db.session.commit()

    def act(client, i):
        if i < 4:
            return client.post(f"/r/{tokens[i]}/cancel").status_code
        response = client.post(
            f"/m/{slug}/register", data=form(email=f"late{i}@example.org", name=f"L{i}")
        )
        return response.status_code

    assert run_together(app, 12, act) == [302] * 12
    rows = ordered(db, meeting_id)
    registered = [row for row in rows if row.status == "registered"]
    waitlisted = [row for row in rows if row.status == "waitlisted"]
    assert len(registered) == 5
    # Seats go first come, first served: nobody waitlisted arrived before someone seated
    # by the waiting list; the 3 early waitlisted were promoted before any late arrival.
    assert {"P5", "P6", "P7"} <= {row.name for row in registered}
    assert len(waitlisted) == 7  # 8 - 4 cancelled + 8 late = 12 live, 5 seats
    late = [row for row in rows if row.name.startswith("L")]
    assert [row.status for row in late] == ["registered"] + ["waitlisted"] * 7


def test_sixty_registrations_at_once_for_a_choice_with_twenty_places(
    app, db, make_meeting, form, add_question
):
    """A limited option of a registration question is held exactly like the seats: of sixty
    people choosing "Field visit" (20 places) at once, exactly twenty get it; the others are
    told it is full, beside the question, and nothing of theirs is stored."""
    meeting = make_meeting(capacity=None)
    visit = add_question(meeting, "single_choice", "Field visit", options=[("Port", 20), "None"])
    slug, meeting_id, name = meeting.slug, meeting.id, f"question_{visit.id}"
    db.session.commit()

    def register(client, i):
        response = client.post(
            f"/m/{slug}/register",
            data=form(email=f"person{i}@example.org", name=f"P{i}", **{name: "port"}),
        )
        return response.status_code, "has no places left" in response.get_data(as_text=True)

    results = run_together(app, 60, register)
    assert sorted(status for status, _ in results) == [200] * 40 + [302] * 20
    assert all(full for status, full in results if status == 200)
    rows = ordered(db, meeting_id)
    assert len(rows) == 20
    taken = db.session.scalar(
        select(func.count())
        .select_from(RegistrationAnswer)
        .where(RegistrationAnswer.question_id == visit.id, RegistrationAnswer.option_key == "port")
    )
    db.session.commit()
    assert taken == 20
