"""A big meeting file is imported by a job: past the old 5 MB ceiling, streamed to a file in the
app's storage, imported all or nothing after the response, followed on a status page that
reloads itself (no script); its problems, or an unexpected failure, are shown there and nothing
is written. Old files and records are removed by a periodic job."""

from __future__ import annotations

import html
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meetapp.database import utcnow
from meetapp.interchange import background
from meetapp.interchange.background import (
    BACKGROUND_BYTES,
    IMPORT_JOB,
    KEEP_FILES,
    KEEP_RECORDS,
    MAX_IMPORT_BYTES,
    remove_old_imports,
    upload_key,
)
from meetapp.jobs import perform
from meetapp.models import (
    FailedJob,
    ImportStatus,
    Meeting,
    MeetingImport,
    Participant,
    meeting_organisers,
)
from meetapp.storage import storage


def padded(document, size):
    """`document` as JSON text of at least `size` bytes (white space is valid JSON)."""
    text = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return text + b" " * max(0, size - len(text)) + b"\n"


def upload(client, data, filename="big-meeting.json"):
    return client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def kept_uploads(app):
    folder = Path(app.instance_path) / "files" / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def status_page(client, response):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/meetings/imports/" in location
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


def test_a_file_over_five_megabytes_is_imported_by_a_job_and_its_status_shown(
    app, db, login_as, make_user, new_client, owned_demo
):
    organiser = make_user("organiser")
    client = login_as(organiser)
    data = padded(owned_demo, 6 * 1024 * 1024)

    location, page = status_page(client, upload(client, data))

    # The job ran once the response was sent: the status page says it is done.
    assert 'data-status="done"' in page
    assert "Imported the meeting" in page
    assert "(52 participants, 5 stakeholder groups" in html.unescape(page)
    assert 'href="/meetings/cambodia-japan-2019"' in page
    assert 'http-equiv="refresh"' not in page
    db.session.rollback()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "cambodia-japan-2019"))
    count = select(func.count()).select_from(Participant)
    assert db.session.scalar(count.where(Participant.meeting_id == meeting.id)) == 52
    team = select(meeting_organisers.c.user_id).where(meeting_organisers.c.meeting_id == meeting.id)
    assert list(db.session.scalars(team)) == [organiser.id]
    assert kept_uploads(app) == []
    # Only its uploader (and administrators) see it.
    assert new_client(make_user("organiser")).get(location).status_code == 404
    assert new_client(make_user("admin")).get(location).status_code == 200


def test_a_small_file_is_still_imported_at_once(db, login_as, make_user, owned_demo):
    client = login_as(make_user("organiser"))
    response = upload(client, padded(owned_demo, BACKGROUND_BYTES - 1000))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/meetings/cambodia-japan-2019")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MeetingImport)) == 0


def test_a_big_file_with_problems_lists_them_on_its_status_page_and_writes_nothing(
    app, db, login_as, make_user, demo_document, row_counts
):
    client = login_as(make_user("organiser"))
    demo_document["participants"][40]["email"] = "not-an-address"
    demo_document["surveys"][0]["responses"][3]["answers"]["rating"] = 11
    before = row_counts()

    _location, page = status_page(
        client, upload(client, padded(demo_document, BACKGROUND_BYTES + 1))
    )

    assert 'data-status="failed"' in page
    text = html.unescape(page)
    assert "The file was not imported and nothing was written." in text
    assert "participants[40].email: not an email address" in text
    assert "surveys[0].responses[3].answers.rating:" in text
    assert row_counts() == before
    assert kept_uploads(app) == []


def test_an_import_under_way_reloads_its_page_without_script(db, login_as, make_user):
    organiser = make_user("organiser")
    pending = MeetingImport(user_id=organiser.id, filename="big.json", size=3_000_000)
    db.session.add(pending)
    db.session.commit()

    page = login_as(organiser).get(f"/meetings/imports/{pending.id}").get_data(as_text=True)

    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'data-status="queued"' in page
    assert "<script>" not in page.split("</head>")[0]


def test_an_unexpected_failure_is_shown_kept_for_the_jobs_page_and_runs_again(
    app, db, login_as, make_user, owned_demo, row_counts, monkeypatch
):
    admin = make_user("admin")
    client = login_as(admin)
    real_import = background.import_meeting

    def failing(*args, **kwargs):
        real_import(*args, **kwargs)  # writes, then fails: nothing of it may stay
        raise RuntimeError("the database went away")

    monkeypatch.setattr(background, "import_meeting", failing)
    before = row_counts()

    location, page = status_page(client, upload(client, padded(owned_demo, BACKGROUND_BYTES + 1)))

    assert 'data-status="failed"' in page
    assert "stopped on an unexpected error and nothing was written" in page
    assert row_counts() == before
    db.session.rollback()
    failed = db.session.scalars(select(FailedJob)).one()
    assert failed.name == IMPORT_JOB
    assert "the database went away" in failed.error
    assert len(kept_uploads(app)) == 1

    # Run again (as from the Jobs page) once the cause is gone: imported, once.
    monkeypatch.setattr(background, "import_meeting", real_import)
    with app.app_context():
        perform(IMPORT_JOB, failed.args)
        perform(IMPORT_JOB, failed.args)
    page = client.get(location).get_data(as_text=True)
    assert 'data-status="done"' in page
    assert row_counts()["Meeting"] == before["Meeting"] + 1
    assert kept_uploads(app) == []


def test_the_web_import_takes_files_up_to_its_limit_and_refuses_larger_ones_unread(
    db, login_as, make_user, row_counts
):
    client = login_as(make_user("organiser"))
    response = client.post(
        "/meetings/import",
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(MAX_IMPORT_BYTES + 128 * 1024)},
    )
    assert response.status_code == 413
    assert row_counts()["Meeting"] == 0
    assert MAX_IMPORT_BYTES >= 100 * 1024 * 1024


@pytest.mark.parametrize("role", ["staff"])
def test_staff_cannot_see_an_import(db, login_as, make_user, role):
    owner = make_user("organiser")
    pending = MeetingImport(user_id=owner.id, filename="big.json", size=3_000_000)
    db.session.add(pending)
    db.session.commit()
    assert login_as(make_user(role)).get(f"/meetings/imports/{pending.id}").status_code == 403


def test_a_queue_that_does_not_answer_is_said_on_the_status_page(
    app, db, login_as, make_user, owned_demo, row_counts, monkeypatch
):
    from meetapp.jobs import QueueUnavailable

    def unavailable(name, *args, **kwargs):
        raise QueueUnavailable(name, ConnectionError("Redis does not answer"))

    monkeypatch.setattr(background, "enqueue", unavailable)
    client = login_as(make_user("organiser"))
    before = row_counts()

    _location, page = status_page(client, upload(client, padded(owned_demo, BACKGROUND_BYTES + 1)))

    assert 'data-status="failed"' in page
    assert "could not be started (the job queue does not answer)" in page
    assert row_counts() == before
    assert kept_uploads(app) == []


def test_a_storage_that_fails_is_said_on_the_status_page_and_nothing_is_queued(
    app, db, login_as, make_user, owned_demo, row_counts, monkeypatch
):
    queued = []
    monkeypatch.setattr(background, "enqueue", lambda *args, **kwargs: queued.append(args))

    class FullDisk:
        def put(self, key, source):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(background, "storage", lambda: FullDisk())
    client = login_as(make_user("organiser"))
    before = row_counts()

    _location, page = status_page(client, upload(client, padded(owned_demo, BACKGROUND_BYTES + 1)))

    assert 'data-status="failed"' in page
    assert "could not be stored for the import and nothing was written" in page
    assert queued == []
    assert row_counts()["Meeting"] == before["Meeting"]


def _kept_import(app, db, user, finished_ago=None, status=ImportStatus.QUEUED):
    pending = MeetingImport(user_id=user.id, filename="big.json", size=10, status=status)
    if finished_ago is not None:
        pending.finished_at = utcnow() - finished_ago
    db.session.add(pending)
    db.session.commit()
    storage().put(upload_key(pending.id), io.BytesIO(b"{}"))
    return pending.id


def test_old_import_files_and_records_are_removed_and_current_ones_kept(app, db, make_user):
    user = make_user("organiser")
    waiting = _kept_import(app, db, user)
    failed_now = _kept_import(app, db, user, timedelta(hours=1), ImportStatus.FAILED)
    failed_long_ago = _kept_import(
        app, db, user, KEEP_FILES + timedelta(hours=1), ImportStatus.FAILED
    )
    done_last_year = _kept_import(app, db, user, KEEP_RECORDS + timedelta(days=1))
    storage().put("imports/999999.json", io.BytesIO(b"{}"))  # no record: stray

    removed = remove_old_imports()

    assert (removed.files, removed.records) == (3, 1)
    kept = {path.name for path in kept_uploads(app)}
    assert kept == {f"{waiting}.json", f"{failed_now}.json"}
    db.session.expire_all()
    assert db.session.get(MeetingImport, failed_long_ago) is not None  # its page still says why
    assert db.session.get(MeetingImport, done_last_year) is None
    assert remove_old_imports() == background.Removed(files=0, records=0)
