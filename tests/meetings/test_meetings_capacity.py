"""Changing a meeting's capacity: raising it fills seats from the waiting list, lowering it
below the number registered is refused."""

from __future__ import annotations

import socket

from sqlalchemy import select

from meetapp.formatting import to_local
from meetapp.models import Meeting, OutboxMessage, Participant


def _edit_data(meeting: Meeting, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": meeting.title,
        "slug": meeting.slug,
        "organisation": str(meeting.organisation_id),
        "timezone": meeting.timezone,
        "starts_at": to_local(meeting.starts_at, meeting.timezone).strftime("%Y-%m-%dT%H:%M"),
        "languages": list(meeting.languages),
        "capacity": "" if meeting.capacity is None else str(meeting.capacity),
    }
    data.update(overrides)
    return data


def _statuses(db, meeting):
    db.session.rollback()
    return [
        (p.name, p.status)
        for p in db.session.scalars(
            select(Participant).where(Participant.meeting_id == meeting.id).order_by(Participant.id)
        )
    ]


def test_raising_capacity_promotes_from_the_waiting_list_in_order(
    db, make_user, make_meeting, make_participant, login_as
):
    organiser = make_user("organiser")
    meeting = make_meeting(
        slug="cap", capacity=2, organisers=[organiser], opens_in=None, closes_in=None
    )
    for name in ("R1", "R2"):
        make_participant(meeting, name=name)
    for name in ("W1", "W2", "W3"):
        make_participant(meeting, name=name, status="waitlisted")
    client = login_as(organiser)
    response = client.post(
        "/meetings/cap/edit", data=_edit_data(meeting, capacity="4"), follow_redirects=True
    )
    assert response.status_code == 200
    assert "2 people move from the waiting list to registered." in response.get_data(as_text=True)
    assert _statuses(db, meeting) == [
        ("R1", "registered"),
        ("R2", "registered"),
        ("W1", "registered"),
        ("W2", "registered"),
        ("W3", "waitlisted"),
    ]


def test_removing_the_limit_promotes_everyone(
    db, make_user, make_meeting, make_participant, login_as
):
    admin = make_user("admin")
    meeting = make_meeting(slug="cap", capacity=1, opens_in=None, closes_in=None)
    make_participant(meeting, name="R1")
    make_participant(meeting, name="W1", status="waitlisted")
    make_participant(meeting, name="W2", status="waitlisted")
    response = login_as(admin).post("/meetings/cap/edit", data=_edit_data(meeting, capacity=""))
    assert response.status_code == 302
    assert {status for _, status in _statuses(db, meeting)} == {"registered"}


def test_lowering_capacity_below_registered_is_refused(
    db, make_user, make_meeting, make_participant, login_as
):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="cap", capacity=5, organisers=[organiser], title="Before")
    for _ in range(3):
        make_participant(meeting)
    make_participant(meeting, status="cancelled")
    client = login_as(organiser)
    response = client.post(
        "/meetings/cap/edit", data=_edit_data(meeting, capacity="2", title="After")
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 participants are registered: the capacity cannot be lower." in page
    assert 'value="After"' in page  # input kept
    db.session.rollback()
    unchanged = db.session.get(Meeting, meeting.id)
    assert unchanged.capacity == 5
    assert unchanged.title == "Before"
    # Lowering to exactly the number registered is fine; nobody is moved.
    response = client.post("/meetings/cap/edit", data=_edit_data(meeting, capacity="3"))
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Meeting, meeting.id).capacity == 3
    assert [s for _, s in _statuses(db, meeting)].count("registered") == 3


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_promoted_people_are_told_by_email(
    app, db, make_user, make_meeting, make_participant, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    organiser = make_user("organiser")
    meeting = make_meeting(slug="cap", capacity=1, organisers=[organiser])
    make_participant(meeting, name="R1")
    make_participant(meeting, name="W1", status="waitlisted", email="w1@example.org")
    make_participant(meeting, name="W2", status="waitlisted", email="w2@example.org")
    client = login_as(organiser)
    response = client.post("/meetings/cap/edit", data=_edit_data(meeting, capacity="2"))
    assert response.status_code == 302
    db.session.rollback()
    messages = db.session.scalars(select(OutboxMessage)).all()
    # The SMTP server is unreachable here: the message is recorded, its failure too.
    assert [(m.recipient, m.kind) for m in messages] == [
        ("w1@example.org", "registration_promoted")
    ]
