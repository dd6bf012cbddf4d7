"""Big documents are prepared by jobs (in-process here: after the response), with their
progress on the Documents page and their file kept for a set time; small ones stay immediate
downloads. Only the meeting's readers see them."""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select, update

from meetapp import jobs
from meetapp.database import utcnow
from meetapp.documents import kinds
from meetapp.models import FailedJob, PreparedDocument
from meetapp.reports import documents as report_documents
from meetapp.storage import storage
from tests.documents.conftest import person_name
from tests.reports.pdftext import assert_tagged, pdf_text
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401

SIGN_IN = "/meetings/{slug}/sign-in-sheet.pdf"
PREPARE = "/meetings/{slug}/documents/{kind}/prepare"
STATUS = "/meetings/{slug}/documents/{id}/status.json"
DOWNLOAD = "/meetings/{slug}/documents/{id}/download"
REMOVE = "/meetings/{slug}/documents/{id}/remove"


def documents(db: Any) -> list[PreparedDocument]:
    db.session.rollback()
    return list(db.session.scalars(select(PreparedDocument).order_by(PreparedDocument.created_at)))


def page_of(client: Any, slug: str) -> str:
    response = client.get(f"/meetings/{slug}/documents")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def prepared(client: Any, db: Any, slug: str, kind: str = "sign-in-sheet") -> PreparedDocument:
    """Press Prepare (its job runs after the response); the document asked for."""
    assert client.post(PREPARE.format(slug=slug, kind=kind)).status_code == 302
    return next(d for d in reversed(documents(db)) if d.kind == kind)


@pytest.fixture
def big_meeting(make_meeting: Any, make_user: Any, register_people: Any) -> Any:
    """A meeting of 301 registered people (the default threshold is 300), its organiser."""
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=None, title="Big meeting")
    register_people(meeting, 301)
    return meeting, organiser


def test_a_big_sign_in_sheet_is_prepared_by_a_job_with_its_progress(
    app: Flask,
    db: Any,
    big_meeting: Any,
    make_user: Any,
    new_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting, organiser = big_meeting
    slug = meeting.slug
    # Parts of 5 pages, so that the sheet's 16 pages (301 names, then blank rows for walk-ins)
    # are drawn in 4 parts.
    monkeypatch.setattr(report_documents, "SIGN_IN_PAGES_PER_PART", 5)
    staff = new_client(make_user("staff"))

    # The download link of a big sheet leads to the Documents page, where it is prepared.
    response = staff.get(SIGN_IN.format(slug=slug))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/meetings/{slug}/documents#document-sign-in-sheet"
    )
    page = page_of(staff, slug)
    assert "301 rows: it is prepared in the background" in page
    assert f'action="/meetings/{slug}/documents/sign-in-sheet/prepare"' in page
    assert documents(db) == []

    seen_while_drawing: list[dict[str, Any]] = []
    write_part = kinds.SignInSheet.write_part

    def watched_write_part(self: Any, *args: Any) -> None:
        [document] = documents(db)
        seen_while_drawing.append(
            new_client(organiser).get(STATUS.format(slug=slug, id=document.id)).json
        )
        write_part(self, *args)

    monkeypatch.setattr(kinds.SignInSheet, "write_part", watched_write_part)

    # The request answers at once: the document is queued; its job runs after the response.
    response = staff.post(PREPARE.format(slug=slug, kind="sign-in-sheet"), buffered=False)
    assert response.status_code == 302
    [document] = documents(db)
    assert document.status == "queued"
    assert seen_while_drawing == []
    queued = new_client(organiser).get(STATUS.format(slug=slug, id=document.id)).json
    assert (queued["status"], queued["download_url"]) == ("queued", None)
    page = page_of(staff, slug)
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    assert f'data-document-status="/meetings/{slug}/documents/{document.id}/status.json"' in page
    assert "<progress" in page
    response.close()

    assert [(seen["status"], seen["done"], seen["total"]) for seen in seen_while_drawing] == [
        ("running", 0, 4),
        ("running", 1, 4),
        ("running", 2, 4),
        ("running", 3, 4),
    ]
    [document] = documents(db)
    assert document.status == "ready"
    status = staff.get(STATUS.format(slug=slug, id=document.id)).json
    assert status["status"] == "ready"
    assert status["download_url"] == DOWNLOAD.format(slug=slug, id=document.id)
    assert status["size"] == document.size > 0

    page = page_of(staff, slug)
    assert "http-equiv" not in page
    assert f"{slug}-sign-in-sheet.pdf" in page
    assert "kept until" in page
    pdf = staff.get(status["download_url"])
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert f"filename={slug}-sign-in-sheet.pdf" in pdf.headers["Content-Disposition"]
    assert int(pdf.headers["Content-Length"]) == document.size == len(pdf.data)
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 16
    text = pdf_text(pdf.data)
    assert "301 registered participants" in text
    positions = [text.index(person_name(n)) for n in range(1, 302)]
    assert positions == sorted(positions)  # every name, in order across the parts
    assert "Page 16 of 16" in reader.pages[-1].extract_text()
    assert "Page 6 of 16" in reader.pages[5].extract_text()
    # The parts' structure trees are merged: the sheet is tagged as a whole.
    assert_tagged(pdf.data, "Sign-in sheet · Big meeting")


def test_a_prepared_file_is_streamed_from_the_storage(
    app: Flask, db: Any, big_meeting: Any, login_as: Any
) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    document = prepared(client, db, meeting.slug)
    response = client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id), buffered=False)
    assert response.is_streamed
    with app.app_context(), storage().open(document.file_key) as stored:
        assert b"".join(response.response) == stored.read()
    response.close()


def test_small_documents_stay_immediate_downloads(
    db: Any, make_meeting: Any, make_user: Any, register_people: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=None)
    register_people(meeting, 300)  # at the threshold
    client = login_as(organiser)
    response = client.get(SIGN_IN.format(slug=meeting.slug))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert person_name(300) in pdf_text(response.data)
    page = page_of(client, meeting.slug)
    assert f'href="/meetings/{meeting.slug}/sign-in-sheet.pdf"' in page
    assert "/documents/sign-in-sheet/prepare" not in page
    assert documents(db) == []


def test_two_people_asking_while_it_is_prepared_get_the_same_document(
    db: Any, big_meeting: Any, make_user: Any, new_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, organiser = big_meeting
    plans = []
    plan = kinds.SignInSheet.plan
    monkeypatch.setattr(
        kinds.SignInSheet, "plan", lambda self, *args: plans.append(1) or plan(self, *args)
    )
    first = new_client(make_user("staff")).post(
        PREPARE.format(slug=meeting.slug, kind="sign-in-sheet"), buffered=False
    )
    second = new_client(organiser).post(
        PREPARE.format(slug=meeting.slug, kind="sign-in-sheet"), follow_redirects=True
    )
    assert "it is being prepared already" in second.get_data(as_text=True)
    [document] = documents(db)
    assert document.status == "queued"
    first.close()
    assert plans == [1]  # the work was done once
    [document] = documents(db)
    assert document.status == "ready"

    # Once it is ready, Prepare again makes a new one, which replaces it (and its file).
    old_id, old_key = document.id, document.file_key
    new = prepared(new_client(organiser), db, meeting.slug)
    assert new.id != old_id
    assert [d.id for d in documents(db)] == [new.id]
    assert not storage().exists(old_key)
    assert storage().exists(new.file_key)


def test_only_readers_of_the_meeting_reach_its_documents(
    app: Flask,
    db: Any,
    big_meeting: Any,
    make_meeting: Any,
    make_user: Any,
    new_client: Any,
    register_people: Any,
) -> None:
    meeting, organiser = big_meeting
    slug = meeting.slug
    document = prepared(new_client(organiser), db, slug)
    other_organiser = make_user("organiser")
    other = make_meeting(organisers=[other_organiser], capacity=None)
    register_people(other, 301)
    other_document = prepared(new_client(other_organiser), db, other.slug)
    before = [(d.id, d.status, d.file_key) for d in documents(db)]

    urls = {
        "GET": [
            STATUS.format(slug=slug, id=document.id),
            DOWNLOAD.format(slug=slug, id=document.id),
        ],
        "POST": [
            PREPARE.format(slug=slug, kind="sign-in-sheet"),
            REMOVE.format(slug=slug, id=document.id),
        ],
    }
    # The organiser of another meeting: not found, as the meeting itself.
    stranger = new_client(other_organiser)
    for method, addresses in urls.items():
        for url in addresses:
            assert stranger.open(url, method=method).status_code == 404, url
    # Nobody logged in: sent to log in.
    anonymous = new_client()
    for method, addresses in urls.items():
        for url in addresses:
            response = anonymous.open(url, method=method)
            assert response.status_code == 302, url
            assert "/login" in response.headers["Location"]
    # Ids that are not this meeting's: another meeting's, made up, or not ids at all.
    reader = new_client(organiser)
    for forged in (other_document.id, secrets.token_urlsafe(24), "abc", "..%2F..%2Fetc", "0" * 200):
        for url in (
            STATUS.format(slug=slug, id=forged),
            DOWNLOAD.format(slug=slug, id=forged),
        ):
            assert reader.get(url).status_code == 404, url
        assert reader.post(REMOVE.format(slug=slug, id=forged)).status_code == 404
    assert reader.post(PREPARE.format(slug=slug, kind="no-such-kind")).status_code == 404
    # A document of a kind the app no longer makes (kept from an older version).
    retired = PreparedDocument(meeting_id=meeting.id, kind="retired-kind", params={})
    db.session.add(retired)
    db.session.commit()
    for url in (STATUS.format(slug=slug, id=retired.id), DOWNLOAD.format(slug=slug, id=retired.id)):
        assert reader.get(url).status_code == 404, url
    db.session.delete(retired)
    db.session.commit()
    assert reader.post(PREPARE.format(slug=slug, kind="survey-results")).status_code == 404
    assert [(d.id, d.status, d.file_key) for d in documents(db)] == before
    with app.app_context():
        assert storage().exists(document.file_key)
        assert storage().exists(other_document.file_key)


def test_expired_files_are_removed_and_the_page_says_so(
    app: Flask, db: Any, big_meeting: Any, login_as: Any
) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    document = prepared(client, db, meeting.slug)
    assert document.expires_at - document.finished_at == timedelta(hours=24)
    key = document.file_key
    db.session.execute(
        update(PreparedDocument)
        .where(PreparedDocument.id == document.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()

    # Past its time the file is no longer handed out, whether removed yet or not.
    response = client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id), follow_redirects=True)
    assert "the file was removed after its time" in response.get_data(as_text=True)
    assert client.get(STATUS.format(slug=meeting.slug, id=document.id)).json["status"] == "expired"

    with app.app_context():
        assert storage().exists(key)
        jobs.enqueue("documents.remove-expired")
        assert not storage().exists(key)
    [document] = documents(db)
    assert (document.status, document.file_key) == ("expired", None)
    page = page_of(client, meeting.slug)
    assert "has expired and was removed (files are kept 24 hours)" in page
    assert "Prepare again" in page


def test_the_clean_up_removes_files_no_document_keeps_and_lost_documents(
    app: Flask, db: Any, big_meeting: Any, login_as: Any, runner: Any
) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    kept = prepared(client, db, meeting.slug)
    orphan = f"documents/{secrets.token_urlsafe(24)}/file"
    with app.app_context():
        storage().put(orphan, io.BytesIO(b"left behind"))
    lost = PreparedDocument(
        meeting_id=meeting.id,
        kind="summary",
        params={},
        status="running",
        created_at=utcnow() - timedelta(hours=2),
    )
    db.session.add(lost)
    db.session.commit()

    result = runner.invoke(args=["remove-expired-documents"])
    assert result.exit_code == 0, result.output
    assert "0 document(s) expired, 1 lost one(s) marked failed, 1 file(s) removed" in result.output
    with app.app_context():
        assert not storage().exists(orphan)
        assert storage().exists(kept.file_key)
    statuses = {d.kind: (d.status, d.error) for d in documents(db)}
    assert statuses["sign-in-sheet"] == ("ready", None)
    assert statuses["summary"][0] == "failed"
    assert "was not finished within an hour" in statuses["summary"][1]


def test_a_failed_document_shows_its_error_and_can_be_tried_again(
    db: Any, big_meeting: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    write_part = kinds.SignInSheet.write_part

    def broken(self: Any, *args: Any) -> None:
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(kinds.SignInSheet, "write_part", broken)
    document = prepared(client, db, meeting.slug)
    assert document.status == "failed"
    assert "could not be made (RuntimeError)" in document.error
    [failed_job] = db.session.scalars(select(FailedJob)).all()
    assert failed_job.name == "documents.part"
    assert "the printer is on fire" in failed_job.error
    page = page_of(client, meeting.slug)
    assert "Sign-in sheet could not be prepared: The document could not be made" in page
    assert "Try again" in page
    assert client.get(STATUS.format(slug=meeting.slug, id=document.id)).json["status"] == "failed"

    monkeypatch.setattr(kinds.SignInSheet, "write_part", write_part)
    again = prepared(client, db, meeting.slug)
    assert again.status == "ready"
    assert [d.id for d in documents(db)] == [again.id]


def test_removing_a_prepared_document(app: Flask, db: Any, big_meeting: Any, login_as: Any) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    document = prepared(client, db, meeting.slug)
    document_id, key = document.id, document.file_key
    response = client.post(REMOVE.format(slug=meeting.slug, id=document_id), follow_redirects=True)
    assert "the prepared file was removed" in response.get_data(as_text=True)
    assert documents(db) == []
    with app.app_context():
        assert not storage().exists(key)
        assert list(storage().keys(f"documents/{document_id}")) == []


def test_the_summary_and_survey_results_are_prepared_by_jobs_when_big(
    app: Flask,
    db: Any,
    big_meeting: Any,
    login_as: Any,
    make_survey: Any,  # noqa: F811
    invite_people: Any,  # noqa: F811
    make_participant: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting, organiser = big_meeting
    survey = make_survey(meeting, title="What did you think")
    invite_people(survey, [make_participant(meeting)])
    client = login_as(organiser)
    summary = client.get(f"/meetings/{meeting.slug}/summary.pdf")
    assert summary.status_code == 303  # 301 participants
    document = prepared(client, db, meeting.slug, "summary")
    assert document.status == "ready"
    text = pdf_text(client.get(DOWNLOAD.format(slug=meeting.slug, id=document.id)).data)
    assert "Participation by stakeholder group" in text

    # One person invited, no answer yet: small, made at once; a lower threshold makes it big.
    results_pdf = f"/meetings/{meeting.slug}/surveys/{survey.key}/results.pdf"
    assert client.get(results_pdf).status_code == 200
    monkeypatch.setitem(app.config, "DOCUMENTS_JOB_ROWS", 0)
    response = client.get(results_pdf)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#document-survey-results-{survey.key}")
    prepare = f"/meetings/{meeting.slug}/surveys/{survey.key}/results/prepare"
    assert prepare in page_of(client, meeting.slug)
    assert client.post(prepare).status_code == 302
    results = next(d for d in documents(db) if d.kind == "survey-results")
    assert (results.status, results.params) == ("ready", {"survey": survey.key})
    assert results.filename == f"{meeting.slug}-{survey.key}-results.pdf"
    text = pdf_text(client.get(DOWNLOAD.format(slug=meeting.slug, id=results.id)).data)
    assert "What did you think" in text

    assert (
        client.post(f"/meetings/{meeting.slug}/surveys/no-such/results/prepare").status_code == 404
    )
    assert db.session.scalar(select(func.count()).select_from(PreparedDocument)) == 2


def test_a_survey_deleted_before_its_job_runs_fails_the_document_clearly(
    db: Any,
    big_meeting: Any,
    login_as: Any,
    make_survey: Any,  # noqa: F811
) -> None:
    meeting, organiser = big_meeting
    survey = make_survey(meeting)
    client = login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/surveys/{survey.key}/results/prepare", buffered=False
    )
    db.session.delete(db.session.get(type(survey), survey.id))
    db.session.commit()
    response.close()
    [document] = documents(db)
    assert (document.status, document.error) == ("failed", "The survey was deleted.")


def test_the_documents_page_keeps_to_the_content_security_policy(
    db: Any, big_meeting: Any, login_as: Any
) -> None:
    meeting, organiser = big_meeting
    client = login_as(organiser)
    running = client.post(PREPARE.format(slug=meeting.slug, kind="sign-in-sheet"), buffered=False)
    response = client.get(f"/meetings/{meeting.slug}/documents")
    running.close()
    page = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    assert scripts
    assert all(body.strip() == "" for body in scripts)  # no inline script
    assert '<script src="/static/js/documents.js">' in page
    assert " style=" not in page
