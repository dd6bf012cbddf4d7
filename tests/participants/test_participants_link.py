"""An organiser sends a participant their personal link again: a new link, the old one stops
working. By e-mail when mail is configured (through a real SMTP server here), shown once on
the participant's page otherwise; refused for a cancelled registration."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select, update

from meetapp.models import OutboxMessage, Participant
from meetapp.outbox.services import deliver_queued
from meetapp.tokens import hash_token
from tests.concurrency import run_together
from tests.conftest import csrf_token_from
from tests.outbox.smtp import free_port, start_smtp

LINK = re.compile(r"https?://[^\s\"<]+/r/([A-Za-z0-9_-]+)")
SHOWN = 'value="http://localhost/r/'
OLD_LINK_GONE = "The link they had before no longer works."


def tokens_in(text):
    return LINK.findall(text)


def register(client, meeting, email="sokha@example.org", name="Sokha Chan"):
    """Register through the public page; the participant's token."""
    response = client.post(
        f"/m/{meeting.slug}/register",
        data={
            "name": name,
            "email": email,
            "country": "KH",
            "languages": ["en", "km"],
            "consent": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response.headers["Location"].rsplit("/r/", 1)[1]


def only_participant(setup):
    [person] = setup.participants()
    return person


def link_url(setup, person):
    return f"{setup.base}/participants/{person.id}/link"


def outbox(setup):
    setup.db.session.rollback()
    return list(setup.db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def opens(client, token):
    return client.get(f"/r/{token}").status_code == 200


def test_the_new_link_is_emailed_and_the_old_one_stops_working(
    setup, new_client, smtp_server, mail_to
):
    mail_to(smtp_server.port)
    visitor = new_client()
    old = register(visitor, setup.meeting)
    person = only_participant(setup)

    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert "Send the personal link" in page
    assert "The link they have now stops working." in page  # the confirmation question

    response = setup.client.post(link_url(setup, person))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/participants/{person.id}/edit")
    page = setup.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A new personal link is on its way to Sokha Chan (sokha@example.org)." in page
    assert OLD_LINK_GONE in page
    assert SHOWN not in page  # mailed, not shown

    assert len(smtp_server.messages) == 2  # the confirmation, then the new link
    message = smtp_server.messages[-1]
    assert smtp_server.recipients[-1] == ["sokha@example.org"]
    assert message["Subject"] == f"Your new personal link: {setup.meeting.title}"
    body = message.get_content()
    assert "You are registered for" in body  # the confirmation's wording
    assert "It replaces any link you were sent before: an older link no longer works." in body
    [new] = tokens_in(body)
    assert new != old

    gone = visitor.get(f"/r/{old}")
    assert gone.status_code == 404
    assert "only the newest link works" in html.unescape(gone.get_data(as_text=True))
    assert opens(visitor, new)
    assert setup.reload(person).token_hash == hash_token(new)
    assert [(row.kind, row.status) for row in outbox(setup)] == [
        ("registration_confirmation", "sent"),
        ("registration_new_link", "sent"),
    ]


def test_a_waitlisted_participant_is_told_their_place_with_the_link(
    setup, make_participant, smtp_server, mail_to, new_client
):
    mail_to(smtp_server.port)
    for _ in range(3):
        make_participant(setup.meeting)  # 3 of 3 seats
    first = make_participant(setup.meeting, status="waitlisted")
    waiting = make_participant(setup.meeting, status="waitlisted", email="wait@example.org")
    assert first.id < waiting.id
    assert setup.client.post(link_url(setup, waiting)).status_code == 302
    [message] = smtp_server.messages
    assert message["Subject"] == f"Your new personal link: {setup.meeting.title}"
    body = message.get_content()
    assert "you are number 2" in body
    assert "no longer works" in body
    [token] = tokens_in(body)
    page = new_client().get(f"/r/{token}").get_data(as_text=True)
    assert "You are number 2 on the waiting list." in page


def test_a_csv_imported_participant_gets_their_first_link(setup, smtp_server, mail_to, new_client):
    csv_text = "name,email,organisation\nDara Kim,dara@example.org,Ministry of Labour\n"
    response = setup.client.post(
        f"{setup.base}/participants/import", data={"csv_text": csv_text}, follow_redirects=True
    )
    assert "1 participants imported." in response.get_data(as_text=True)
    person = only_participant(setup)
    assert person.token_hash is None

    mail_to(smtp_server.port)
    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert "They have no link yet" in page
    assert "data-confirm" not in page.split('id="personal-link"')[1].split("</section>")[0]

    assert setup.client.post(link_url(setup, person)).status_code == 302
    [message] = smtp_server.messages
    assert smtp_server.recipients == [["dara@example.org"]]
    [token] = tokens_in(message.get_content())
    assert setup.reload(person).token_hash == hash_token(token)
    page = new_client().get(f"/r/{token}").get_data(as_text=True)
    assert "Dara Kim" in page
    assert "Ministry of Labour" in page


def test_without_mail_the_link_is_shown_once_on_the_page(setup, new_client):
    visitor = new_client()
    old = register(visitor, setup.meeting)
    person = only_participant(setup)
    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert "Make a new personal link" in page
    assert "Send the personal link" not in page

    response = setup.client.post(link_url(setup, person))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert "shown this once only" in page
    assert "It replaces their old link, which no longer works." in page
    assert 'value="Sokha Chan"' in page  # the edit form is filled from the database
    # This page's address is the action's: saving the form must not make yet another link.
    assert f'action="{setup.base}/participants/{person.id}/edit"' in page
    [new] = tokens_in(page)
    assert new != old
    assert setup.reload(person).token_hash == hash_token(new)
    assert outbox(setup) == []

    assert not opens(visitor, old)
    assert opens(visitor, new)
    # Shown once: the page does not show it again, and nothing can.
    again = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert tokens_in(again) == []
    assert new not in again


def test_a_second_link_replaces_the_first(setup, make_participant, new_client):
    person = make_participant(setup.meeting)
    first = tokens_in(setup.client.post(link_url(setup, person)).get_data(as_text=True))
    second = tokens_in(setup.client.post(link_url(setup, person)).get_data(as_text=True))
    assert len(first) == len(second) == 1
    assert first != second
    visitor = new_client()
    assert not opens(visitor, first[0])
    assert opens(visitor, second[0])


def test_a_cancelled_registration_gets_no_link(setup, make_participant, smtp_server, mail_to):
    mail_to(smtp_server.port)
    person = make_participant(setup.meeting, status="cancelled", token_hash=hash_token("x" * 43))
    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert "Send the personal link" not in page
    assert "The registration is cancelled, so there is no link to send" in page

    response = setup.client.post(link_url(setup, person), follow_redirects=True)
    assert response.status_code == 200
    assert "is cancelled, so there is no personal link to send" in response.get_data(as_text=True)
    assert setup.reload(person).token_hash == hash_token("x" * 43)
    assert outbox(setup) == []
    assert smtp_server.messages == []

    # Given a seat again, they can be sent one.
    setup.client.post(f"{setup.base}/participants/{person.id}/promote")
    assert setup.client.post(link_url(setup, person)).status_code == 302
    assert [row.kind for row in outbox(setup)][-1] == "registration_new_link"


def test_an_unsent_email_with_the_old_link_is_withdrawn(app, setup, new_client, mail_to):
    """The mail server is down: the confirmation, then a first new link, stay 'failed'. Each
    new link withdraws them, so that a retry cannot deliver a dead link after the live one."""
    port = free_port()  # nothing listens here yet
    mail_to(port)
    register(new_client(), setup.meeting)
    person = only_participant(setup)
    [confirmation] = outbox(setup)
    assert (confirmation.kind, confirmation.status) == ("registration_confirmation", "failed")
    response = setup.client.post(link_url(setup, person), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "A new personal link is on its way" in page
    assert OLD_LINK_GONE in page
    # The request did not wait for the mail server; the page shows that the e-mail failed.
    assert "not sent yet</span> after 1 attempt(s); it is tried again" in page
    assert "Connection refused" in page
    [first] = outbox(setup)  # the confirmation's link is dead: withdrawn
    assert (first.kind, first.status) == ("registration_new_link", "failed")

    controller, inbox = start_smtp(port)
    try:
        assert setup.client.post(link_url(setup, person)).status_code == 302
        with app.app_context():
            assert deliver_queued() == (0, 0)  # the retry finds nothing left
    finally:
        controller.stop()
    [row] = outbox(setup)
    assert (row.kind, row.status) == ("registration_new_link", "sent")
    [message] = inbox.messages
    [token] = tokens_in(message.get_content())
    assert setup.reload(person).token_hash == hash_token(token)
    assert opens(new_client(), token)


def test_only_the_participants_own_emails_are_withdrawn(setup, make_participant, mail_to):
    """Matched by address in its normal form: a change of case since is the same person."""
    mail_to(free_port())  # down: every message stays 'failed'
    person = make_participant(setup.meeting, email="Sokha@Example.org")
    other = make_participant(setup.meeting, email="dara@example.org")
    setup.client.post(link_url(setup, other))
    setup.client.post(link_url(setup, person))
    assert [row.recipient for row in outbox(setup)] == ["dara@example.org", "Sokha@Example.org"]

    setup.db.session.execute(
        update(Participant).where(Participant.id == person.id).values(email="SOKHA@example.org")
    )
    setup.db.session.commit()
    setup.client.post(link_url(setup, person))
    assert [row.recipient for row in outbox(setup)] == ["dara@example.org", "SOKHA@example.org"]


# --- who may --------------------------------------------------------------------------------


@pytest.fixture
def person(setup, make_participant):
    return make_participant(setup.meeting, name="Target Person")


def assert_no_new_link(setup, person):
    assert setup.reload(person).token_hash is None
    assert outbox(setup) == []


def test_staff_are_refused(setup, person, make_user, new_client):
    client = new_client(make_user("staff"))
    assert client.post(link_url(setup, person)).status_code == 403
    page = client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert "Target Person" in page
    assert_no_new_link(setup, person)


def test_an_organiser_of_another_meeting_gets_404(
    setup, person, make_user, make_meeting, new_client
):
    outsider = make_user("organiser")
    make_meeting(organisers=[outsider], slug="their-own")
    client = new_client(outsider)
    assert client.post(link_url(setup, person)).status_code == 404
    assert client.post(f"/meetings/their-own/participants/{person.id}/link").status_code == 404
    assert_no_new_link(setup, person)


def test_a_participant_of_another_meeting_is_not_found(
    setup, make_meeting, make_participant, make_user, new_client
):
    """Even for an organiser of both meetings, the id is checked against the meeting."""
    other = make_meeting(organisers=[setup.organiser], slug="other-meeting")
    stranger = make_participant(other)
    response = setup.client.post(f"{setup.base}/participants/{stranger.id}/link")
    assert response.status_code == 404
    admin = new_client(make_user("admin"))
    assert admin.post(f"{setup.base}/participants/{stranger.id}/link").status_code == 404
    assert setup.client.post(f"{setup.base}/participants/2147483647/link").status_code == 404
    assert_no_new_link(setup, stranger)


def test_anonymous_visitors_are_sent_to_log_in(setup, person, new_client):
    response = new_client().post(link_url(setup, person))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert_no_new_link(setup, person)


def test_an_admin_may(setup, person, make_user, new_client):
    response = new_client(make_user("admin")).post(link_url(setup, person))
    assert response.status_code == 200  # no mail: the link is shown
    [token] = tokens_in(response.get_data(as_text=True))
    assert setup.reload(person).token_hash == hash_token(token)


def test_get_is_not_allowed(setup, person):
    assert setup.client.get(link_url(setup, person)).status_code == 405
    assert_no_new_link(setup, person)


@pytest.mark.usefixtures("csrf_enabled")
def test_csrf_is_required(setup, person):
    assert setup.client.post(link_url(setup, person)).status_code == 400
    assert_no_new_link(setup, person)
    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    token = csrf_token_from(page)
    response = setup.client.post(link_url(setup, person), data={"csrf_token": token})
    assert response.status_code == 200
    assert len(tokens_in(response.get_data(as_text=True))) == 1


# --- at the same moment ---------------------------------------------------------------------


@pytest.mark.slow
def test_clicks_at_once_leave_one_valid_link_in_the_newest_email(
    app, setup, smtp_server, mail_to, new_client
):
    mail_to(smtp_server.port)
    register(new_client(), setup.meeting)
    person = only_participant(setup)
    url = link_url(setup, person)
    count = 5
    clients = [new_client(setup.organiser) for _ in range(count)]
    statuses = run_together(clients, lambda client, _i: client.post(url).status_code)
    assert statuses == [302] * count

    rows = [row for row in outbox(setup) if row.kind == "registration_new_link"]
    newest = rows[-1]
    assert newest.status == "sent"
    assert tokens_in(newest.body) == []  # the stored copy lost its link once sent
    # Every older e-mail with a link was withdrawn before it was sent, or was already being
    # sent when the newest was queued: none can be handed to the mail server after it.
    for row in rows[:-1]:
        assert row.claimed_at is not None
        assert row.claimed_at <= newest.created_at
    visitor = new_client()
    received = [token for body in smtp_server.bodies() for token in tokens_in(body)]
    [valid] = [token for token in received if opens(visitor, token)]
    assert setup.reload(person).token_hash == hash_token(valid)
    assert len(received) == 1 + len(rows)  # the confirmation, then one per row kept
