"""Exports above `EXPORTS_JOB_ROWS` rows are written by a job, as the big PDFs are: the
download link leads to the Documents page, Prepare writes the file (streamed, the same bytes
as the direct download), and a participants export keeps the list's filters."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select, update

from meetapp.models import Participant, PreparedDocument
from tests.documents.test_prepared_documents import DOWNLOAD, documents, page_of
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401


@pytest.fixture
def meeting_of_twelve(make_meeting: Any, make_user: Any, register_people: Any, db: Any) -> Any:
    """12 registered people, 3 of them then moved to the waiting list; its organiser."""
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=None, title="Export meeting")
    register_people(meeting, 12)
    ids = db.session.scalars(
        select(Participant.id).where(Participant.meeting_id == meeting.id).limit(3)
    ).all()
    db.session.execute(
        update(Participant).where(Participant.id.in_(ids)).values(status="waitlisted")
    )
    db.session.commit()
    return meeting, organiser


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_big_participants_export_is_written_by_a_job_with_the_same_bytes(
    app: Flask, db: Any, meeting_of_twelve: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, organiser = meeting_of_twelve
    client = login_as(organiser)
    url = f"/meetings/{meeting.slug}/participants.csv"
    direct = client.get(url).get_data()  # 12 rows: streamed at once
    assert len(csv_rows(direct)) == 13

    monkeypatch.setitem(app.config, "EXPORTS_JOB_ROWS", 10)
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/meetings/{meeting.slug}/documents#document-participants-csv"
    )
    page = page_of(client, meeting.slug)
    prepare = f"/meetings/{meeting.slug}/documents/participants-csv/prepare"
    assert f'action="{prepare}"' in page
    assert client.post(prepare).status_code == 302
    document = next(d for d in documents(db) if d.kind == "participants-csv")
    assert (document.status, document.params) == ("ready", {})
    assert document.filename == f"{meeting.slug}-participants.csv"
    prepared = client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id))
    assert prepared.headers["Content-Type"].startswith("text/csv")
    assert prepared.get_data() == direct


def test_a_filtered_export_keeps_its_filters_through_the_job(
    app: Flask, db: Any, meeting_of_twelve: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, organiser = meeting_of_twelve
    client = login_as(organiser)
    monkeypatch.setitem(app.config, "EXPORTS_JOB_ROWS", 5)
    # Three people wait: few enough to stream at once, filtered.
    waiting = client.get(f"/meetings/{meeting.slug}/participants.csv?status=waitlisted")
    assert waiting.status_code == 200
    assert len(csv_rows(waiting.get_data())) == 4

    response = client.get(
        f"/meetings/{meeting.slug}/participants.xlsx?status=registered&sort=name&bogus=1"
    )
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert parse_qs(location.query) == {
        "export": ["participants-xlsx"],
        "status": ["registered"],
        "sort": ["name"],
    }
    assert location.fragment == "document-participants-xlsx-status-registered-sort-name"
    page = client.get(f"{location.path}?{location.query}").get_data(as_text=True)
    assert "Participants (Excel), filtered" in page
    assert f'id="{location.fragment}"' in page
    prepare = (
        f"/meetings/{meeting.slug}/documents/participants-xlsx/prepare"
        "?status=registered&amp;sort=name"
    )
    assert prepare in page
    assert client.post(prepare.replace("&amp;", "&")).status_code == 302
    document = next(d for d in documents(db) if d.kind == "participants-xlsx")
    assert (document.status, document.params) == (
        "ready",
        {"status": "registered", "sort": "name"},
    )
    from openpyxl import load_workbook

    data = client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id)).get_data()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    assert sum(1 for _ in sheet.iter_rows()) == 1 + 9  # the header, the 9 registered


def test_survey_responses_and_the_meeting_file_are_prepared_when_big(
    app: Flask,
    db: Any,
    meeting_of_twelve: Any,
    login_as: Any,
    make_survey: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting, organiser = meeting_of_twelve
    survey = make_survey(meeting, title="What did you think")
    client = login_as(organiser)
    monkeypatch.setitem(app.config, "EXPORTS_JOB_ROWS", 0)

    responses = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/responses.csv")
    # No responses: nothing above the threshold of 0, so it streams at once.
    assert responses.status_code == 200

    exported = client.get(f"/meetings/{meeting.slug}/export.json")
    assert exported.status_code == 303
    assert exported.headers["Location"].endswith("#document-meeting-json")
    prepare_json = f"/meetings/{meeting.slug}/documents/meeting-json/prepare"
    assert client.post(prepare_json).status_code == 302
    document = next(d for d in documents(db) if d.kind == "meeting-json")
    assert document.status == "ready"
    body = json.loads(client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id)).get_data())
    assert body["format"] == "meetapp/1"
    assert len(body["participants"]) == 12

    prepare = f"/meetings/{meeting.slug}/documents/responses-xlsx/prepare?survey={survey.key}"
    assert client.post(prepare).status_code == 302
    xlsx = next(d for d in documents(db) if d.kind == "responses-xlsx")
    assert (xlsx.status, xlsx.params) == ("ready", {"survey": survey.key})
    # A survey's export without its survey, or of a survey not of the meeting: not found.
    assert client.post(prepare.split("?")[0]).status_code == 404
    assert client.post(prepare.replace(survey.key, "no-such")).status_code == 404
    assert client.post(f"/meetings/{meeting.slug}/documents/no-such/prepare").status_code == 404
    assert len(list(db.session.scalars(select(PreparedDocument)))) == 2


def test_without_script_the_page_of_a_filtered_export_reloads_with_its_card(
    app: Flask, db: Any, meeting_of_twelve: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, organiser = meeting_of_twelve
    client = login_as(organiser)
    monkeypatch.setitem(app.config, "EXPORTS_JOB_ROWS", 5)
    # A document being prepared: the page reloads itself without script.
    monkeypatch.setattr("meetapp.documents.routes.enqueue", lambda *args, **kwargs: None)
    prepare = f"/meetings/{meeting.slug}/documents/participants-csv/prepare?status=registered"
    assert client.post(prepare).status_code == 302
    page = client.get(
        f"/meetings/{meeting.slug}/documents?export=participants-csv&status=registered"
    ).get_data(as_text=True)
    assert (
        f'content="3; url=/meetings/{meeting.slug}/documents?export=participants-csv'
        "&amp;status=registered"
    ) in page
    # A query that names the page's own parameter is not a 500.
    odd = client.get(f"/meetings/{meeting.slug}/documents?slug=other&export=participants-csv")
    assert odd.status_code == 200
