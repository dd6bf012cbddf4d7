"""Attacks on forms and exports: extra fields are ignored (mass assignment), the login's next=
never leads off the site, and spreadsheet exports never hand a formula to a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from meetapp.models import Meeting, Participant, StakeholderGroup, User
from meetapp.surveys.services import QuestionData
from tests.conftest import PASSWORD
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401

# Fields a form never shows, forged in the hope that the view copies them onto the record.
FORGED = {
    "status": "waitlisted",
    "meeting_id": "999999",
    "role": "admin",
    "attended": "y",
    "checked_in_at": "2020-01-01T00:00",
    "token_hash": "0" * 64,
    "id": "999999",
    "password_hash": "x",
}
FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)"]


def _group_id(db: Any, meeting: Meeting) -> int:
    return db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == "cso"
        )
    )


def test_registration_ignores_forged_fields(client: Any, db: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    other = make_meeting()
    data = {
        **FORGED,
        "meeting_id": str(other.id),
        "name": "Sokha Chan",
        "email": "sokha@example.org",
        "stakeholder_group": str(_group_id(db, meeting)),
        "consent": "y",
    }
    response = client.post(f"/m/{meeting.slug}/register", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(Participant).where(Participant.email == data["email"]))
    assert person.meeting_id == meeting.id
    assert person.status == "registered"
    assert person.attended is False
    assert person.checked_in_at is None
    assert person.token_hash != FORGED["token_hash"]
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


def test_participant_edit_ignores_forged_fields(
    client: Any, db: Any, make_user: Any, make_meeting: Any, make_participant: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    other = make_meeting()
    person = make_participant(meeting, status="waitlisted")
    login_as(organiser)
    data = {
        **FORGED,
        "status": "registered",
        "meeting_id": str(other.id),
        "name": "New Name",
        "email": person.email,
        "stakeholder_group": str(_group_id(db, meeting)),
    }
    response = client.post(f"/meetings/{meeting.slug}/participants/{person.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.name == "New Name"
    assert person.meeting_id == meeting.id
    assert person.status == "waitlisted"
    assert person.attended is False
    assert person.token_hash is None


def test_user_edit_ignores_forged_fields(
    client: Any, db: Any, make_user: Any, login_as: Any
) -> None:
    admin = make_user("admin")
    user = make_user("staff")
    hash_before = user.password_hash
    login_as(admin)
    data = {
        **FORGED,
        "role": "staff",
        "email": user.email,
        "name": "Renamed",
        "active": "y",
        "is_admin": "1",
    }
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role, user.id) == ("Renamed", "staff", user.id)
    assert user.password_hash == hash_before
    assert db.session.get(User, 999999) is None


@pytest.mark.parametrize(
    "target",
    [
        "//elsewhere.example",
        "//elsewhere.example/path",
        "https://x",
        "http://elsewhere.example/",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "/\\elsewhere.example",
        "\\\\elsewhere.example",
        " //elsewhere.example",
        "/%0d%0aSet-Cookie:x=y",
    ],
)
def test_login_never_redirects_off_the_site(client: Any, make_user: Any, target: str) -> None:
    user = make_user("organiser")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/"), location
    assert not location.startswith(("//", "/\\")), location
    assert "elsewhere" not in location
    assert "javascript" not in location.lower()
    assert "\n" not in location
    assert "\r" not in location


def test_login_keeps_a_path_of_the_site(client: Any, make_user: Any) -> None:
    user = make_user("organiser")
    response = client.post(
        "/login",
        query_string={"next": "/meetings/new"},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/meetings/new"


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _assert_no_formula(rows: list[list[str]], sheet: Any) -> None:
    texts = [cell for row in rows for cell in row]
    for formula in FORMULAS:
        assert f"'{formula}" in texts, formula
        assert formula not in texts, formula
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    for formula in FORMULAS:
        matching = [cell for cell in cells if cell.value.lstrip("'") == formula]
        assert matching, formula
        assert all(cell.data_type == "s" for cell in matching), formula


def test_participant_exports_neutralise_formulas(
    client: Any, make_user: Any, make_meeting: Any, make_participant: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    for n, formula in enumerate(FORMULAS):
        make_participant(meeting, name=formula, email=f"p{n}@example.org")
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/participants"
    rows = _csv_rows(client.get(f"{base}.csv").get_data())
    xlsx = client.get(f"{base}.xlsx").get_data()
    _assert_no_formula(rows, openpyxl.load_workbook(io.BytesIO(xlsx)).active)


def test_survey_response_exports_neutralise_formulas(
    client: Any,
    new_client: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    make_survey: Any,  # noqa: F811
    invite_people: Any,  # noqa: F811
    login_as: Any,
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    survey = make_survey(meeting, questions=[QuestionData("Say", "text")])
    people = [
        make_participant(meeting, name=f"Person {n}", email=f"s{n}@example.org")
        for n in range(len(FORMULAS))
    ]
    tokens = invite_people(survey, people)
    for token, formula in zip(tokens, FORMULAS, strict=True):
        response = new_client().post(f"/s/{token}", data={"q-q1": formula})
        assert response.status_code in (200, 302), response.status_code
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    rows = _csv_rows(client.get(f"{base}/responses.csv").get_data())
    xlsx = client.get(f"{base}/responses.xlsx").get_data()
    _assert_no_formula(rows, openpyxl.load_workbook(io.BytesIO(xlsx)).active)
