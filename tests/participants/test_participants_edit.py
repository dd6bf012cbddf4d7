"""Organisers add, edit, cancel and promote participants; bad input never gets stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meetapp.models import OutboxMessage


def valid_form(**changes):
    data = {
        "name": "Sokha Chan",
        "honorific": "H.E. Ms",
        "email": "sokha@example.org",
        "organisation": "Ministry of Environment",
        "position": "Director",
        "stakeholder_group": "",
        "country": "KH",
        "languages": ["km", "en"],
        "needs": "Vegetarian",
    }
    data.update(changes)
    return data


def test_new_form_renders(setup):
    response = setup.client.get(f"{setup.base}/participants/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Add a participant" in html
    assert "Civil society" in html


def test_organiser_adds_a_participant_even_when_registration_is_closed(
    setup, make_meeting, new_client
):
    make_meeting(
        organisers=[setup.organiser], slug="closed", opens_in=None, closes_in=timedelta(days=-1)
    )
    data = valid_form(stakeholder_group=str(setup.group_id("cso")))
    response = setup.client.post(f"{setup.base}/participants/new", data=data)
    assert response.status_code == 302
    [person] = setup.participants()
    assert (person.name, person.email_normalized, person.status) == (
        "Sokha Chan",
        "sokha@example.org",
        "registered",
    )
    assert person.stakeholder_group_id == setup.group_id("cso")
    assert person.languages == ["km", "en"]
    assert person.country == "KH"
    assert person.honorific == "H.E. Ms"
    response = setup.client.post("/meetings/closed/participants/new", data=valid_form())
    assert response.status_code == 302


def test_new_participant_goes_to_the_waiting_list_when_full(setup, make_participant):
    for _ in range(3):
        make_participant(setup.meeting)
    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(), follow_redirects=True
    )
    assert "waiting list (place 1)" in response.get_data(as_text=True)
    assert setup.participants()[-1].status == "waitlisted"


def test_duplicate_email_is_a_form_error(setup, make_participant):
    make_participant(setup.meeting, email="sokha@example.org")
    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(email="SOKHA@example.org")
    )
    assert response.status_code == 200
    assert "already registered" in response.get_data(as_text=True)
    assert len(setup.participants()) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"name": "x" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"organisation": "x" * 10_000}, "Field cannot be longer than 300 characters."),
        ({"needs": "x" * 10_000}, "Field cannot be longer than 2000 characters."),
        ({"email": "not-an-email"}, "Not a valid e-mail address"),
        ({"email": "a@" + "b" * 10_000 + ".org"}, "Field cannot be longer than 254 characters."),
        ({"stakeholder_group": "999999"}, "Not a valid choice"),
        ({"stakeholder_group": "abc"}, "Not a valid choice"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"languages": ["zz"]}, "not a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(setup, changes, message):
    response = setup.client.post(f"{setup.base}/participants/new", data=valid_form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert setup.participants() == []


def test_group_of_another_meeting_is_refused(setup, make_meeting):
    other = make_meeting(slug="other")
    foreign_group = other.stakeholder_groups[0].id
    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(stakeholder_group=str(foreign_group))
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert setup.participants() == []


def test_html_is_shown_escaped(setup):
    script = '<script>alert("x")</script>'
    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(name=script, organisation=script)
    )
    assert response.status_code == 302
    html = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert script not in html
    assert "&lt;script&gt;alert(" in html
    # Input kept, escaped, when the form is refused.
    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(name=script, email="bad")
    )
    html = response.get_data(as_text=True)
    assert script not in html
    assert "&lt;script&gt;" in html


def test_edit_changes_every_field(setup, make_participant):
    person = make_participant(setup.meeting, name="Old Name", email="old@example.org")
    url = f"{setup.base}/participants/{person.id}/edit"
    page = setup.client.get(url).get_data(as_text=True)
    assert 'value="Old Name"' in page
    data = valid_form(
        name="New Name",
        email="New@Example.org",
        stakeholder_group=str(setup.group_id("government")),
        languages=["ja"],
        country="JP",
    )
    response = setup.client.post(url, data=data)
    assert response.status_code == 302
    person = setup.reload(person)
    assert person.name == "New Name"
    assert person.email == "New@Example.org"
    assert person.email_normalized == "new@example.org"
    assert person.stakeholder_group_id == setup.group_id("government")
    assert person.languages == ["ja"]
    assert person.country == "JP"
    assert person.needs == "Vegetarian"
    # The new name is what searches find now, the old one no longer.
    assert (
        setup.client.get(f"{setup.base}/participants?q=new+name")
        .get_data(as_text=True)
        .count('class="participant-name"')
        == 1
    )
    assert 'class="participant-name"' not in setup.client.get(
        f"{setup.base}/participants?q=old+name"
    ).get_data(as_text=True)


def test_edit_refuses_an_email_used_by_someone_else(setup, make_participant):
    make_participant(setup.meeting, email="taken@example.org")
    person = make_participant(setup.meeting, name="Keep Me", email="me@example.org")
    response = setup.client.post(
        f"{setup.base}/participants/{person.id}/edit",
        data=valid_form(name="Changed", email="taken@example.org"),
    )
    assert response.status_code == 200
    assert "uses this e-mail address" in response.get_data(as_text=True)
    assert setup.reload(person).name == "Keep Me"


def test_edit_with_bad_input_keeps_the_data(setup, make_participant):
    person = make_participant(setup.meeting, name="Keep Me")
    response = setup.client.post(
        f"{setup.base}/participants/{person.id}/edit", data=valid_form(name="y" * 10_000)
    )
    assert response.status_code == 200
    assert setup.reload(person).name == "Keep Me"


def test_participant_of_another_meeting_is_not_found(setup, make_meeting, make_participant):
    other = make_meeting(organisers=[setup.organiser], slug="other")
    stranger = make_participant(other, name="Stranger")
    base = setup.base
    assert setup.client.get(f"{base}/participants/{stranger.id}/edit").status_code == 404
    assert (
        setup.client.post(f"{base}/participants/{stranger.id}/edit", data=valid_form()).status_code
        == 404
    )
    assert setup.client.post(f"{base}/participants/{stranger.id}/cancel").status_code == 404
    assert setup.client.post(f"{base}/participants/{stranger.id}/promote").status_code == 404
    assert (
        setup.client.post(f"{base}/checkin/{stranger.id}", data={"attended": "1"}).status_code
        == 404
    )
    assert setup.client.get(f"{base}/participants/999999/edit").status_code == 404
    huge = 10**25
    assert setup.client.get(f"{base}/participants/{huge}/edit").status_code == 404
    assert setup.client.post(f"{base}/checkin/{huge}", data={"attended": "1"}).status_code == 404
    stranger = setup.reload(stranger)
    assert (stranger.status, stranger.attended, stranger.name) == ("registered", False, "Stranger")


def test_cancelling_clears_the_check_in_and_the_counts_agree(setup, make_participant):
    """Attendance goes with the seat: a cancelled registration is not also someone who came,
    on the list, the check-in page and the dashboard alike."""
    came = make_participant(setup.meeting, name="Came Then Cancelled")
    setup.client.post(f"{setup.base}/checkin/{came.id}", data={"attended": "1"})
    assert setup.reload(came).attended is True

    setup.client.post(f"{setup.base}/participants/{came.id}/cancel")

    came = setup.reload(came)
    assert (came.status, came.attended, came.checked_in_at, came.checked_in_by_id) == (
        "cancelled",
        False,
        None,
        None,
    )
    assert "<strong>0</strong> of 0 checked in" in setup.client.get(
        f"{setup.base}/checkin"
    ).get_data(as_text=True)
    listed = setup.client.get(f"{setup.base}/participants?attended=yes").get_data(as_text=True)
    assert "Came Then Cancelled" not in listed


def test_cancel_promotes_the_first_on_the_waiting_list(setup, make_participant):
    seated = [make_participant(setup.meeting) for _ in range(3)]
    second = make_participant(
        setup.meeting,
        name="Second",
        status="waitlisted",
        registered_at=datetime(2019, 1, 2, tzinfo=UTC),
    )
    first = make_participant(
        setup.meeting,
        name="First",
        status="waitlisted",
        registered_at=datetime(2019, 1, 1, tzinfo=UTC),
    )
    response = setup.client.post(
        f"{setup.base}/participants/{seated[0].id}/cancel",
        data={"next": f"{setup.base}/participants?status=waitlisted"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/participants?status=waitlisted")
    assert setup.reload(seated[0]).status == "cancelled"
    assert setup.reload(first).status == "registered"
    assert setup.reload(second).status == "waitlisted"
    html = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert "From the waiting list: First." in html
    # Cancelling again changes nothing.
    response = setup.client.post(f"{setup.base}/participants/{seated[0].id}/cancel")
    assert response.status_code == 302
    assert setup.reload(second).status == "waitlisted"


def test_cancel_refuses_a_foreign_next_url(setup, make_participant):
    person = make_participant(setup.meeting)
    for target in ("https://evil.example/", "//evil.example/x", "/meetings/other/participants"):
        response = setup.client.post(
            f"{setup.base}/participants/{person.id}/cancel", data={"next": target}
        )
        assert response.headers["Location"] == f"{setup.base}/participants"


def test_promote_gives_a_seat_or_says_the_meeting_is_full(setup, make_participant):
    seated = [make_participant(setup.meeting) for _ in range(2)]
    waiting = make_participant(setup.meeting, name="Waiting", status="waitlisted")
    cancelled = make_participant(setup.meeting, name="Gone", status="cancelled")
    response = setup.client.post(f"{setup.base}/participants/{waiting.id}/promote")
    assert response.status_code == 302
    assert setup.reload(waiting).status == "registered"
    # Now 3 of 3: refused with a message, nothing changes.
    response = setup.client.post(
        f"{setup.base}/participants/{cancelled.id}/promote", follow_redirects=True
    )
    assert "The meeting is full" in response.get_data(as_text=True)
    assert setup.reload(cancelled).status == "cancelled"
    assert len(seated) == 2


@pytest.fixture
def outbox(app, monkeypatch):
    """Mail configured; what would be handed to the delivery job after the commit is
    recorded, not sent."""
    from meetapp.participants import routes

    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.invalid")
    delivered: list[int] = []
    monkeypatch.setattr(routes, "send_later", delivered.extend)
    return delivered


def queued(setup):
    setup.db.session.rollback()
    return [
        (message.kind, message.recipient, message.status)
        for message in setup.db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def test_promotions_and_new_participants_are_told_by_email(setup, make_participant, outbox):
    seated = make_participant(setup.meeting, email="seated@example.org")
    waiting = make_participant(setup.meeting, status="waitlisted", email="waiting@example.org")
    setup.client.post(f"{setup.base}/participants/{waiting.id}/promote")
    assert queued(setup) == [("registration_promoted", "waiting@example.org", "queued")]

    third = make_participant(setup.meeting, status="waitlisted", email="third@example.org")
    make_participant(setup.meeting)  # 3 of 3 seats
    setup.client.post(f"{setup.base}/participants/{seated.id}/cancel")
    assert queued(setup)[-1] == ("registration_promoted", "third@example.org", "queued")
    assert setup.reload(third).status == "registered"

    response = setup.client.post(
        f"{setup.base}/participants/new", data=valid_form(), follow_redirects=True
    )
    assert "An e-mail with their personal link is on its way." in response.get_data(as_text=True)
    assert queued(setup)[-1] == ("registration_waitlisted", "sokha@example.org", "queued")
    setup.db.session.rollback()
    assert outbox == list(
        setup.db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id))
    )


def test_no_mail_is_queued_when_mail_is_not_configured(setup, make_participant):
    waiting = make_participant(setup.meeting, status="waitlisted")
    setup.client.post(f"{setup.base}/participants/{waiting.id}/promote")
    setup.client.post(f"{setup.base}/participants/new", data=valid_form())
    assert queued(setup) == []
