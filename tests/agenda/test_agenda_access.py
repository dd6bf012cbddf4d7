"""Who may see and change the agenda: the team changes, staff read, organisers of other
meetings see nothing; the public agenda is open to everyone. (tests/test_access_matrix.py
covers every route of the app the same way.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meetapp.models import AgendaSession, Speaker, Statement
from tests.agenda.conftest import page_text


@pytest.fixture
def agenda(setup):
    speaker = setup.add_speaker("Sok Dara")
    session = setup.add_session(
        "Opening", starts_at=setup.meeting.starts_at, speakers=[(speaker, "chair")]
    )
    statement = setup.add_statement(session, speaker, "said something")
    return speaker, session, statement


def _paths(setup, agenda):
    speaker, session, statement = agenda
    reads = [
        "/speakers",
        "/agenda",
        "/statements",
        f"/agenda/{session.id}/statements",
    ]
    forms = [
        "/speakers/new",
        f"/speakers/{speaker.id}/edit",
        "/speakers/copy",
        "/agenda/new",
        f"/agenda/{session.id}/edit",
        f"/statements/{statement.id}/edit",
    ]
    posts = [
        *forms,
        f"/speakers/{speaker.id}/delete",
        f"/agenda/{session.id}/delete",
        f"/agenda/{session.id}/statements",
        f"/statements/{statement.id}/delete",
        f"/statements/{statement.id}/move",
    ]
    return (
        [setup.base + p for p in reads],
        [setup.base + p for p in forms],
        [setup.base + p for p in posts],
    )


def _unchanged(setup):
    assert (setup.count(Speaker), setup.count(AgendaSession), setup.count(Statement)) == (1, 1, 1)
    setup.db.session.rollback()
    assert setup.db.session.scalar(select(Statement.text)) == "said something"
    assert setup.db.session.scalar(select(AgendaSession.title)) == "Opening"


DATA = {
    "name": "Changed",
    "title": "Changed",
    "text": "Changed",
    "speaker": "participants",
    "kind": "point",
    "direction": "down",
    "starts_at": "2025-03-10T10:00",
}


def test_staff_read_everything_and_change_nothing(setup, agenda, make_user, new_client):
    from tests.conftest import login

    client = new_client()
    login(client, make_user("staff"))
    reads, forms, posts = _paths(setup, agenda)
    for url in reads:
        response = client.get(url)
        assert response.status_code == 200, url
        page = page_text(response)
        assert "Add a speaker" not in page
        assert "Add a session" not in page
        assert "Record a statement" not in page
    assert "said something" in page_text(client.get(f"{setup.base}/statements"))
    for url in forms:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data=DATA).status_code == 403, url
    _unchanged(setup)


def test_organisers_of_another_meeting_can_neither_read_nor_change(
    setup, agenda, make_user, make_meeting, new_client
):
    from tests.conftest import login

    stranger = make_user("organiser")
    make_meeting(organisers=[stranger])
    client = new_client()
    login(client, stranger)
    reads, forms, posts = _paths(setup, agenda)
    for url in reads + forms:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, data=DATA).status_code == 404, url
    _unchanged(setup)
    # Nor copy a speaker of this meeting into their own.
    own = make_meeting(organisers=[stranger])
    speaker = agenda[0]
    page = page_text(client.get(f"/meetings/{own.slug}/speakers/copy"))
    assert "Sok Dara" not in page
    client.post(f"/meetings/{own.slug}/speakers/copy", data={"speaker": speaker.id})
    setup.db.session.rollback()
    assert setup.db.session.scalar(select(func.count(Speaker.id))) == 1


def test_anonymous_visitors_see_the_public_agenda_only(setup, agenda, new_client):
    client = new_client()
    reads, forms, posts = _paths(setup, agenda)
    for url in reads + forms:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    page = page_text(client.get("/m/phnom-penh-2025/agenda"))
    assert "Opening" in page
    assert "Sok Dara" in page
    assert "said something" not in page
