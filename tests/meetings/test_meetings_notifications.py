"""Organisers hear about registrations and cancellations: each as it happens, or a digest."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.meetings.notifications import send_digests
from meetapp.models import meeting_organisers
from tests.registration.conftest import form_data, token_from


@pytest.fixture
def mailing(app: Any, smtp_server: Any, mail_to: Any) -> Any:
    mail_to(smtp_server.port)
    return smtp_server


def _checked(page: str) -> str:
    (found,) = [
        tag
        for tag in re.findall(r"<input[^>]*>", page)
        if 'name="notify-notify"' in tag and "checked" in tag
    ]
    return re.search(r'value="([^"]*)"', found).group(1)


def _choose(client: Any, slug: str, choice: str) -> Any:
    return client.post(f"/meetings/{slug}/team/notifications", data={"notify-notify": choice})


def _to(inbox: Any, address: str) -> list[Any]:
    return [m for m, rcpt in zip(inbox.messages, inbox.recipients, strict=True) if address in rcpt]


def _register(client: Any, slug: str, **fields: Any) -> str:
    response = client.post(f"/m/{slug}/register", data=form_data(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return token_from(response.headers["Location"])


def test_each_organiser_chooses_for_themselves(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser", email="dara@example.org")
    colleague = make_user("organiser", email="mina@example.org")
    meeting = make_meeting(slug="t", organisers=[organiser, colleague])
    client = login_as(organiser)
    page = client.get("/meetings/t/team").get_data(as_text=True)
    assert "Hearing about registrations" in page
    assert _checked(page) == "off"
    assert _choose(client, "t", "each").status_code == 302
    page = client.get("/meetings/t/team").get_data(as_text=True)
    assert "Your choice of e-mails is saved." in page
    assert _checked(page) == "each"
    db.session.rollback()
    choices = dict(
        db.session.execute(
            select(meeting_organisers.c.user_id, meeting_organisers.c.notify).where(
                meeting_organisers.c.meeting_id == meeting.id
            )
        ).all()
    )
    assert choices == {organiser.id: "each", colleague.id: "off"}


def test_a_bad_choice_is_refused_next_to_the_field(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(slug="t", organisers=[organiser])
    client = login_as(organiser)
    response = _choose(client, "t", "hourly")
    assert response.status_code == 400
    assert "Choose one of the options." in response.get_data(as_text=True)


def test_only_team_members_choose(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    staff = make_user("staff", email="staff@example.org")
    stranger = make_user("organiser", email="stranger@example.org")
    make_meeting(slug="t", organisers=[organiser])
    staff_client = login_as(staff)
    assert "You are not on this meeting" in staff_client.get("/meetings/t/team").get_data(
        as_text=True
    )
    assert _choose(staff_client, "t", "each").status_code == 403
    assert _choose(login_as(stranger), "t", "each").status_code in (403, 404)


def test_each_registration_and_cancellation_reaches_who_asked(
    client, make_user, make_meeting, login_as, mailing, new_client
):
    listener = make_user("organiser", email="dara@example.org")
    quiet = make_user("organiser", email="mina@example.org")
    make_meeting(slug="t", organisers=[listener, quiet], capacity=1)
    _choose(login_as(listener), "t", "each")

    public = new_client()
    token = _register(public, "t", name="Sokha <b>Chan</b>", organisation="MMN")
    _register(public, "t", name="Lina Phan", email="lina@example.org")
    heard = _to(mailing, "dara@example.org")
    assert [m["Subject"] for m in heard] == [
        "Registered: Sokha <b>Chan</b>, Meeting 1",
        "Waiting list: Lina Phan, Meeting 1",
    ]
    body = heard[0].get_content()
    assert "Sokha <b>Chan</b> (MMN) registered for Meeting 1." in body
    assert "Registered: 1 / 1" in body
    assert "http://localhost/meetings/t/participants" in body
    assert not _to(mailing, "mina@example.org")

    public.post(f"/r/{token}/cancel")
    heard = _to(mailing, "dara@example.org")
    assert heard[-1]["Subject"] == "Cancelled: Sokha <b>Chan</b>, Meeting 1"
    assert "cancelled their registration" in heard[-1].get_content()


def test_nothing_is_queued_when_nobody_asked(
    make_user, make_meeting, mailing, new_client, app, monkeypatch
):
    make_meeting(slug="t", organisers=[make_user("organiser")])
    queued: list[Any] = []
    monkeypatch.setattr(
        "meetapp.meetings.notifications.enqueue", lambda *args, **kw: queued.append(args)
    )
    _register(new_client(), "t")
    assert queued == []
    assert all(not m["Subject"].startswith("Registered:") for m in mailing.messages)
    assert mailing.messages  # the participant's own confirmation did go


def test_the_daily_digest_covers_the_day_once(
    db, make_user, make_meeting, make_participant, login_as, mailing
):
    organiser = make_user("organiser", email="dara@example.org")
    meeting = make_meeting(slug="t", organisers=[organiser])
    _choose(login_as(organiser), "t", "daily")
    db.session.rollback()
    start = db.session.scalar(
        select(meeting_organisers.c.digest_from).where(meeting_organisers.c.user_id == organiser.id)
    )
    assert start is not None
    # Nothing is due before a day has passed.
    assert send_digests(now=start + timedelta(hours=23)) == 0

    during = start + timedelta(hours=2)
    make_participant(meeting, name="Sokha Chan", organisation="MMN", registered_at=during)
    make_participant(meeting, name="Lina Phan", status="waitlisted", registered_at=during)
    make_participant(
        meeting,
        name="Kenji Sato",
        status="cancelled",
        registered_at=start - timedelta(days=3),
        cancelled_at=during,
    )
    make_participant(meeting, name="Before", registered_at=start - timedelta(hours=1))
    day = start + timedelta(days=1, minutes=5)
    assert send_digests(now=day) == 1
    # A second run in the same hour finds nothing due.
    assert send_digests(now=day + timedelta(minutes=1)) == 0
    (digest,) = _to(mailing, "dara@example.org")
    assert digest["Subject"] == "Registrations of the last day: Meeting 1"
    body = digest.get_content().replace("\r\n", "\n")
    assert "Registered (1):\n- Sokha Chan, MMN" in body
    assert "On the waiting list (1):\n- Lina Phan" in body
    assert "Cancelled (1):\n- Kenji Sato" in body
    assert "Before" not in body
    # A quiet day sends nothing, and the next digest starts where the last ended.
    assert send_digests(now=day + timedelta(days=1, minutes=5)) == 0
    assert len(_to(mailing, "dara@example.org")) == 1


def test_a_daily_choice_hears_nothing_at_each_change(
    make_user, make_meeting, login_as, mailing, new_client
):
    organiser = make_user("organiser", email="dara@example.org")
    make_meeting(slug="t", organisers=[organiser])
    _choose(login_as(organiser), "t", "daily")
    _register(new_client(), "t")
    # The digest job is what tells them, a day later.
    assert not _to(mailing, "dara@example.org")
    assert mailing.messages


def test_a_queue_that_is_down_does_not_fail_the_registration(
    make_user, make_meeting, login_as, mailing, new_client, monkeypatch, db
):
    from meetapp.jobs import QueueUnavailable

    organiser = make_user("organiser", email="dara@example.org")
    make_meeting(slug="t", organisers=[organiser])
    _choose(login_as(organiser), "t", "each")

    def down(*args, **kwargs):
        raise QueueUnavailable("meetings.tell-organisers", ConnectionError("refused"))

    monkeypatch.setattr("meetapp.meetings.notifications.enqueue", down)
    token = _register(new_client(), "t")
    assert token
    assert not _to(mailing, "dara@example.org")


def test_someone_made_staff_hears_no_more(
    db, make_user, make_meeting, login_as, mailing, new_client
):
    organiser = make_user("organiser", email="dara@example.org")
    make_meeting(slug="t", organisers=[organiser])
    _choose(login_as(organiser), "t", "each")
    organiser.role = "staff"
    db.session.commit()
    _register(new_client(), "t")
    assert not _to(mailing, "dara@example.org")
    # Nor is the choice offered to them any more.
    page = login_as(organiser).get("/meetings/t/team").get_data(as_text=True)
    assert 'name="notify-notify"' not in page
