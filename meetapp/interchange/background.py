"""Big meeting files are imported by a job, not within the request that uploads them.

The upload (streamed to a temporary file by Werkzeug, never held in memory whole) is kept in
the instance folder's `imports/` under the id of its `MeetingImport`, which records who sent
it and how it went; the job imports it all or nothing, as the form does, then removes the
file. Its uploader follows it on a status page. A job that meets a problem in the file records
the problems and writes nothing; one that fails otherwise (the database went away) records that
too, keeps the file and raises, so that the queue retries it (and an administrator can run it
again from the Jobs page); a finished import is never run twice.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.interchange.services import (
    ImportReport,
    InterchangeError,
    import_meeting,
    parse_document,
)
from meetapp.jobs import QueueUnavailable, enqueue, task
from meetapp.meetings.services import add_team_member
from meetapp.models import ImportStatus, MeetingImport, Role, User

IMPORT_JOB = "interchange.import_meeting"
# Files larger than this are imported by a job (a meeting of about 3,000 participants).
BACKGROUND_BYTES = 2 * 1024 * 1024
# The largest file the web import takes (a meeting of about 150,000 participants).
MAX_IMPORT_BYTES = 100 * 1024 * 1024
NOT_QUEUED = (
    "The import could not be started (the job queue does not answer) and nothing was written. "
    "Upload the file again in a moment."
)
UNEXPECTED = (
    "The import stopped on an unexpected error and nothing was written. "
    "An administrator can see why, and run it again, on the Jobs page."
)


def upload_size(upload: FileStorage) -> int:
    """The uploaded file's size in bytes (read from its end, not by reading it)."""
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def uploads_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(pending: MeetingImport) -> Path:
    return uploads_folder() / f"{pending.id}.json"


def keep_upload(upload: FileStorage, user: User) -> MeetingImport:
    """Record the upload for the import job and copy it to the uploads folder, a piece at a
    time. Flushes, never commits: the caller commits, then enqueues `IMPORT_JOB`."""
    pending = MeetingImport(
        user_id=user.id,
        filename=(upload.filename or "meeting.json")[:255],
        size=upload_size(upload),
    )
    db.session.add(pending)
    db.session.flush()
    upload.save(upload_path(pending))
    return pending


def start_import(pending: MeetingImport) -> None:
    """Enqueue the import of the committed `pending`. When the queue cannot take it, the
    import is over before it began: its page says so, and the file goes."""
    try:
        enqueue(IMPORT_JOB, pending.id)
    except QueueUnavailable:
        _finish(pending.id, ImportStatus.FAILED, problems=[NOT_QUEUED])
        upload_path(pending).unlink(missing_ok=True)


@task(IMPORT_JOB)
def run_import(import_id: int) -> None:
    """Import the kept file of the `MeetingImport` `import_id` (see the module)."""
    pending = db.session.get(MeetingImport, import_id)
    if pending is None or pending.status == ImportStatus.DONE:
        return
    path = upload_path(pending)
    if not path.exists():  # its problems were recorded, and the file removed, by a run before
        return
    pending.status = ImportStatus.RUNNING
    db.session.commit()
    try:
        report = _import(path, pending.user_id)
    except InterchangeError as error:
        db.session.rollback()
        _finish(import_id, ImportStatus.FAILED, problems=error.problems)
        path.unlink(missing_ok=True)
        return
    except Exception:
        db.session.rollback()
        _finish(import_id, ImportStatus.FAILED, problems=[UNEXPECTED])
        raise
    pending.status = ImportStatus.DONE
    pending.meeting_id = report.meeting.id
    pending.summary = report.summary()
    pending.new_organisation = report.new_organisation
    pending.problems = []
    pending.finished_at = utcnow()
    db.session.commit()
    path.unlink(missing_ok=True)


def _import(path: Path, user_id: int) -> ImportReport:
    """The import, in the job's one transaction; the uploader joins the meeting's team when
    an organiser (as with the form)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise InterchangeError(["$: the account that uploaded the file is no longer active"])
    report = import_meeting(parse_document(path.read_bytes()), importer=user)
    if user.role == Role.ORGANISER:
        add_team_member(report.meeting, user)
    return report


def _finish(import_id: int, status: ImportStatus, problems: list[str]) -> None:
    pending = db.session.get(MeetingImport, import_id)
    if pending is None:
        return
    pending.status = status
    pending.problems = problems
    pending.finished_at = utcnow()
    db.session.commit()
