"""Downloading a meeting as JSON and importing one through the web, with permissions."""

from __future__ import annotations

import html
import io
import json

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, meeting_organisers
from tests.conftest import PASSWORD, csrf_token_from


def upload(client, document, filename="meeting.json", **extra):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    )


def team_of(db, slug: str) -> list[int]:
    db.session.rollback()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    return list(
        db.session.scalars(
            select(meeting_organisers.c.user_id).where(
                meeting_organisers.c.meeting_id == meeting.id
            )
        )
    )


@pytest.fixture
def demo_meeting(db, owned_demo, make_user):
    organiser = make_user("organiser")
    meeting = import_meeting(owned_demo).meeting
    db.session.flush()
    db.session.execute(
        meeting_organisers.insert().values(meeting_id=meeting.id, user_id=organiser.id)
    )
    db.session.commit()
    return meeting, organiser


@pytest.mark.parametrize("role", ["staff", "admin", "team"])
def test_export_download(db, login_as, make_user, demo_meeting, role):
    meeting, organiser = demo_meeting
    client = login_as(organiser if role == "team" else make_user(role))

    response = client.get("/meetings/cambodia-japan-2019/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=cambodia-japan-2019.json"
    )
    db.session.rollback()
    assert json.loads(response.get_data(as_text=True)) == export_meeting(
        db.session.get(Meeting, meeting.id)
    )
    # Keys keep the order of the format.
    assert list(json.loads(response.get_data(as_text=True))) == [
        "format",
        "organisation",
        "meeting",
        "speakers",
        "sessions",
        "statements",
        "outcomes",
        "contacts",
        "participants",
        "surveys",
        "press_release",
    ]


def test_export_is_hidden_from_an_organiser_of_another_meeting(
    login_as, make_user, make_meeting, demo_meeting
):
    other = make_user("organiser")
    make_meeting(slug="their-own", organisers=[other])
    client = login_as(other)
    assert client.get("/meetings/cambodia-japan-2019/export.json").status_code == 404
    assert client.get("/meetings/their-own/export.json").status_code == 200
    assert client.get("/meetings/no-such-meeting/export.json").status_code == 404


def test_export_needs_a_login(client, demo_meeting):
    response = client.get("/meetings/cambodia-japan-2019/export.json")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_organiser_imports_a_meeting_and_joins_its_team(db, login_as, make_user, owned_demo):
    organiser = make_user("organiser")
    client = login_as(organiser)

    assert "Import a meeting" in client.get("/meetings/import").get_data(as_text=True)
    response = upload(client, owned_demo)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/meetings/cambodia-japan-2019")
    assert team_of(db, "cambodia-japan-2019") == [organiser.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported the meeting cambodia-japan-2019 (52 participants" in page


def test_admin_imports_a_meeting(db, login_as, make_user, owned_demo):
    client = login_as(make_user("admin"))
    response = upload(client, owned_demo)
    assert response.status_code == 302
    assert team_of(db, "cambodia-japan-2019") == []


def test_staff_cannot_import(login_as, make_user, owned_demo, row_counts):
    client = login_as(make_user("staff"))
    before = row_counts()
    assert client.get("/meetings/import").status_code == 403
    assert upload(client, owned_demo).status_code == 403
    assert row_counts() == before


def test_import_needs_a_login(client, owned_demo, row_counts):
    response = upload(client, owned_demo)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert row_counts()["Meeting"] == 0


def test_a_bad_document_lists_every_problem_and_writes_nothing(
    login_as, make_user, demo_document, row_counts
):
    client = login_as(make_user("organiser"))
    demo_document["participants"][12]["email"] = "not-an-address"
    demo_document["meeting"]["<script>alert(1)</script>"] = "x"
    before = row_counts()

    response = upload(client, demo_document)

    assert response.status_code == 422
    raw = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw
    page = html.unescape(raw)
    assert "The file was not imported and nothing was written." in page
    assert "3 problems to fix" in page
    for line in (
        'meeting["<script>alert(1)</script>"]: unknown key',
        "participants[12].email: not an email address",
        "surveys[0].responses[11].participant: no participant with this e-mail address",
    ):
        assert line in page
    assert row_counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{ this is not json", "$: not valid JSON"),
        (b"\x89PNG\r\n\x1a\n", "$: not valid JSON: not UTF-8"),
        (b"[]", "$: expected a JSON object"),
    ],
)
def test_a_file_that_is_not_a_document_is_refused(login_as, make_user, row_counts, data, message):
    client = login_as(make_user("organiser"))
    response = upload(client, data)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert row_counts()["Meeting"] == 0


def test_the_form_needs_a_file(login_as, make_user):
    client = login_as(make_user("organiser"))
    response = client.post("/meetings/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a meetapp/1 JSON file." in response.get_data(as_text=True)


def test_import_checks_the_csrf_token(csrf_enabled, client, make_user, owned_demo, row_counts):
    user = make_user("organiser")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302

    response = upload(client, owned_demo)
    assert response.status_code == 400
    assert row_counts()["Meeting"] == 0

    token = csrf_token_from(client.get("/meetings/import").get_data(as_text=True))
    response = upload(client, owned_demo, csrf_token=token)
    assert response.status_code == 302
    assert row_counts()["Meeting"] == 1
