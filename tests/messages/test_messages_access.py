"""Who may write to a meeting's participants: its organisers and administrators. Staff read
the history (they read everything) but send nothing; another meeting's organiser finds
nothing; a form without its CSRF token is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from meetapp.extensions import db
from meetapp.models import OrganiserMessage
from tests.conftest import csrf_token_from
from tests.messages.conftest import compose_data, send


def _messages():
    return db.session.scalar(select(func.count()).select_from(OrganiserMessage))


def test_another_meetings_organiser_finds_nothing(setup, make_user, new_client, mail_to):
    mail_to(2525)
    stranger = new_client(make_user("organiser"))
    assert stranger.get(setup.compose_url).status_code == 404
    assert stranger.get(setup.history_url).status_code == 404
    response = stranger.post(setup.compose_url, data=compose_data(send="Send"))
    assert response.status_code == 404
    assert _messages() == 0


def test_staff_read_the_history_but_send_nothing(
    setup, make_user, new_client, mail_to, make_participant
):
    mail_to(2525)
    make_participant(setup.meeting)
    staff = new_client(make_user("staff"))
    page = staff.get(setup.history_url)
    assert page.status_code == 200
    assert "New message" not in page.get_data(as_text=True)
    assert staff.get(setup.compose_url).status_code == 403
    assert staff.post(setup.compose_url, data=compose_data(send="Send")).status_code == 403
    assert _messages() == 0


def test_an_administrator_may_send(
    setup, make_user, new_client, mail_to, make_participant, monkeypatch
):
    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    make_participant(setup.meeting)
    admin = new_client(make_user("admin"))
    assert send(admin, setup.compose_url).status_code == 302
    assert _messages() == 1


def test_a_form_without_its_csrf_token_is_refused(
    setup, csrf_enabled, new_client, mail_to, make_participant, monkeypatch
):
    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    make_participant(setup.meeting)
    client = new_client(setup.organiser)
    response = client.post(setup.compose_url, data=compose_data(send="Send"))
    assert response.status_code in (400, 422)
    assert _messages() == 0
    token = csrf_token_from(client.get(setup.compose_url).get_data(as_text=True))
    response = client.post(
        setup.compose_url, data=compose_data(send="Send", expected="1", csrf_token=token)
    )
    assert response.status_code == 302
    assert _messages() == 1
