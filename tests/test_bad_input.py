"""Input no form expects, across capabilities: control characters (PostgreSQL cannot store NUL),
ids beyond the id columns, impossible years, reserved addresses and fields a form does not have.
Each gets a form error or a 4xx, never a 500, and nothing is stored."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.models import (
    Meeting,
    Organisation,
    Outcome,
    Participant,
    Speaker,
    StakeholderGroup,
    User,
)
from meetapp.tokens import new_token
from tests.registration.conftest import form_data as registration

CONTROL = "Remove the invisible control characters."
HUGE_ID = "99999999999999999999"


def count(db: Any, model: Any) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "field", ["name", "honorific", "email", "organisation", "position", "needs"]
)
@pytest.mark.parametrize("value", ["a\x00b", "\x00", "a\x1bb"])
def test_registration_refuses_control_characters(client, db, make_meeting, field, value):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=registration(**{field: value}))
    assert response.status_code == 200
    assert CONTROL in response.get_data(as_text=True)
    assert count(db, Participant) == 0


def test_repeated_or_foreign_choices_are_refused(client, db, make_meeting):
    meeting = make_meeting()
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=registration(country=["KH", "\x00"], languages=["en", "\x00"]),
    )
    assert response.status_code == 200
    assert count(db, Participant) == 0


def test_personal_link_update_refuses_control_characters(client, db, make_meeting):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=registration())
    token = response.headers["Location"].rsplit("/r/", 1)[1]
    response = client.post(f"/r/{token}", data=registration(name="Changed\x00"))
    assert response.status_code == 200
    assert CONTROL in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Participant.name)) == "Sokha Chan"


def test_extra_fields_are_ignored(client, db, make_meeting):
    """status, meeting_id, attended or token_hash sent along change nothing."""
    meeting = make_meeting(capacity=0)
    other = make_meeting()
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=registration(
            status="registered",
            meeting_id=str(other.id),
            attended="y",
            token_hash="0" * 64,
            role="admin",
        ),
    )
    assert response.status_code == 302
    db.session.rollback()
    person = db.session.scalar(select(Participant))
    assert (person.meeting_id, person.status, person.attended) == (meeting.id, "waitlisted", False)
    assert person.token_hash != "0" * 64


@pytest.mark.parametrize("email", ["a\x00b@example.org", "\x00"])
def test_login_refuses_control_characters(client, make_user, email):
    make_user("organiser", email="a@example.org")
    response = client.post("/login", data={"email": email, "password": "whatever it is"})
    assert response.status_code == 200
    assert CONTROL in response.get_data(as_text=True)


def test_organiser_forms_refuse_control_characters(db, make_user, make_meeting, new_client):
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], slug="mine")
    person = Participant(
        meeting_id=meeting.id, name="Old Name", email="p@example.org", email_normalized="p@x"
    )
    db.session.add(person)
    db.session.commit()
    client = new_client(organiser)
    posts = {
        "/meetings/mine/participants/new": {"name": "New\x00", "email": "new@example.org"},
        f"/meetings/mine/participants/{person.id}/edit": {
            "name": "Changed",
            "email": "p@example.org",
            "needs": "\x00",
        },
        "/meetings/mine/groups": {"label": "Press\x00"},
        "/meetings/mine/team": {"email": "x\x00@example.org"},
        "/organisations/new": {"name": "Org\x00"},
    }
    for url, data in posts.items():
        response = client.post(url, data=data)
        assert response.status_code == 200, url
        assert CONTROL in response.get_data(as_text=True), url
    assert count(db, Participant) == 1
    assert db.session.scalar(select(Participant.name)) == "Old Name"
    assert count(db, StakeholderGroup) == 2
    assert count(db, Organisation) == 1


def test_admin_user_form_refuses_control_characters(db, make_user, new_client):
    admin = new_client(make_user("admin"))
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "new@example.org",
            "name": "New\x00User",
            "role": "staff",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 200
    assert CONTROL in response.get_data(as_text=True)
    assert count(db, User) == 1


def test_searches_ignore_control_characters(make_user, make_meeting, make_participant, new_client):
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], slug="mine")
    make_participant(meeting, name="Sokha Chan")
    client = new_client(organiser)
    for url in (
        "/meetings/mine/participants",
        "/meetings/mine/participants.csv",
        "/meetings/mine/checkin",
        "/meetings/mine/checkin/search",
    ):
        assert client.get(url, query_string={"q": "So\x00kha"}).status_code == 200, url
    page = client.get("/meetings/mine/checkin/search", query_string={"q": "\x00Sokha"})
    assert "Sokha Chan" in page.get_data(as_text=True)


def test_ids_beyond_the_id_columns_are_not_found(make_user, make_meeting, new_client):
    admin = make_user("admin")
    make_meeting(organisers=[], slug="mine")
    client = new_client(admin)
    for url in (
        f"/admin/users/{HUGE_ID}/edit",
        f"/organisations/{HUGE_ID}/edit",
        f"/meetings/mine/participants/{HUGE_ID}/edit",
        "/meetings/mine/participants/0/edit",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/meetings/mine/groups/{HUGE_ID}/rename",
        f"/meetings/mine/team/{HUGE_ID}/remove",
        f"/meetings/mine/checkin/{HUGE_ID}",
    ):
        assert client.post(url, data={"label": "x", "attended": "1"}).status_code == 404, url


@pytest.mark.parametrize("digits", ["²", "¹²", "①"])
def test_digits_that_are_not_numbers_are_refused_as_ids(
    db, make_user, make_meeting, new_client, digits
):
    """Characters that str.isdigit() calls digits but int() refuses: a forged outcome row or
    speaker to copy is refused like any other, not a 500."""
    organiser = make_user("organiser")
    make_meeting(organisers=[organiser], slug="mine")
    client = new_client(organiser)
    response = client.post(
        "/meetings/mine/outcomes",
        data={"rows-0-id": digits, "rows-0-kind": "finding", "rows-0-text": "A finding"},
    )
    assert response.status_code == 200
    assert "This row is not an outcome of this meeting." in response.get_data(as_text=True)
    response = client.post("/meetings/mine/speakers/copy", data={"speaker": digits})
    assert response.status_code == 200
    assert count(db, Outcome) == count(db, Speaker) == 0


def test_csv_import_lists_control_characters_and_impossible_years(
    db, make_user, make_meeting, new_client
):
    organiser = make_user("organiser")
    make_meeting(organisers=[organiser], slug="mine")
    client = new_client(organiser)
    text = (
        "name,email,registered_at\n"
        "Bad\x1bName,a@example.org,\n"
        "Old Timer,b@example.org,0001-01-01T00:00:00\n"
    )
    response = client.post(
        "/meetings/mine/participants/import",
        data={"file": (io.BytesIO(text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "name: contains invisible control characters" in page
    assert "registered_at: Enter a date between 1900 and 2200." in page
    # A confirmation carrying a NUL (the page never offers one) writes nothing either.
    forged = "name,email\nBad\x00Name,a@example.org\n"
    response = client.post("/meetings/mine/participants/import", data={"csv_text": forged})
    assert response.status_code == 422
    assert count(db, Participant) == 0


def _upload(client: Any, document: dict[str, Any]) -> Any:
    body = json.dumps(document).encode()
    return client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(body), "meeting.json")},
        content_type="multipart/form-data",
    )


def test_json_import_lists_control_characters_and_impossible_years(db, make_user, new_client):
    client = new_client(make_user("organiser"))
    document = {
        "format": "meetapp/1",
        "organisation": {"name": "Network\x00"},
        "meeting": {
            "slug": "bad\x00slug",
            "title": "A meeting",
            "starts_at": "0001-01-01T00:00:00+14:00",
        },
        "participants": [{"name": "A\x01", "email": "a@example.org"}],
    }
    response = _upload(client, document)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "organisation.name: contains control characters" in page
    assert "meeting.slug: contains control characters" in page
    assert "participants[0].name: contains control characters" in page
    assert "meeting.starts_at: the year must lie between 1900 and 2200" in page
    assert count(db, Meeting) == 0


@pytest.mark.parametrize("slug", ["new", "import"])
def test_meeting_addresses_of_pages_are_refused(db, make_user, new_client, slug):
    organiser = make_user("organiser")
    organisation = Organisation(name="Network", created_by_id=organiser.id)
    db.session.add(organisation)
    db.session.commit()
    client = new_client(organiser)
    response = client.post(
        "/meetings/new",
        data={
            "title": "Clash",
            "slug": slug,
            "organisation": str(organisation.id),
            "timezone": "UTC",
            "starts_at": "2030-01-01T09:00",
        },
    )
    assert response.status_code == 200
    assert "is the address of a page of meetapp" in response.get_data(as_text=True)
    assert count(db, Meeting) == 0


def test_token_of_another_shape_is_not_found(client, db, make_meeting, make_participant):
    meeting = make_meeting()
    person = make_participant(meeting)
    token, person.token_hash = new_token()
    db.session.commit()
    for bad in (token + "\x00", token[:-1] + "%00", "a" * 5000):
        assert client.get(f"/r/{bad}").status_code == 404


def test_participants_meet_errors_in_their_own_frame(client):
    page = client.get("/r/" + "a" * 43).get_data(as_text=True)
    assert "This personal link is not valid." in page
    assert "Go to the start page" not in page
    assert client.get("/no/such/page").status_code == 404
    assert "Go to the start page" in client.get("/no/such/page").get_data(as_text=True)
