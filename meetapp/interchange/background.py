"""Big meeting files are imported by a job, not within the request that uploads them.

The upload (streamed to a temporary file by Werkzeug, never held in memory whole) is kept in
the app's storage (`meetapp.storage`: the instance folder, or an S3-compatible store that
workers on other hosts see too) under `imports/<id>.json`, the id of its `MeetingImport`,
which records who sent it and how it went; the job imports it all or nothing, as the form
does, then removes the file. Its uploader follows it on a status page. A job that meets a
problem in the file records the problems and writes nothing; one that fails otherwise (the
database went away) records that too, keeps the file and raises, so that the queue retries it
(and an administrator can run it again from the Jobs page); a finished import is never run
twice. A periodic job removes the files of imports over for a day (a failure given up on) and
the records of those over for `KEEP_RECORDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.datastructures import FileStorage

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.interchange.services import InterchangeError, import_meeting, parse_document
from meetapp.interchange.writing import ImportReport
from meetapp.jobs import QueueUnavailable, enqueue, task
from meetapp.meetings.services import add_team_member
from meetapp.models import ImportStatus, MeetingImport, Role, User
from meetapp.storage import storage

IMPORT_JOB = "interchange.import_meeting"
# Files larger than this are imported by a job (a meeting of about 3,000 participants).
BACKGROUND_BYTES = 2 * 1024 * 1024
# The largest file the web import takes (a meeting of about 150,000 participants).
MAX_IMPORT_BYTES = 100 * 1024 * 1024
NOT_QUEUED = (
    "The import could not be started (the job queue does not answer) and nothing was written. "
    "Upload the file again in a moment."
)
NOT_KEPT = (
    "The file could not be stored for the import and nothing was written. "
    "Upload it again in a moment."
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


# Where uploads are kept in the storage.
FOLDER = "imports"
# An import's file is kept this long after it is over, for an administrator to run it again.
KEEP_FILES = timedelta(days=1)
# Its record (what its uploader's status page shows) this long.
KEEP_RECORDS = timedelta(days=30)


def upload_key(import_id: int) -> str:
    return f"{FOLDER}/{import_id}.json"


def keep_upload(upload: FileStorage, user: User) -> MeetingImport:
    """Record the upload for the import job, commit, then copy it to the storage a piece at a
    time (committed first, so that the clean-up never takes the file for a stray one). A
    storage that fails marks the import failed. The caller then calls `start_import`."""
    pending = MeetingImport(
        user_id=user.id,
        filename=(upload.filename or "meeting.json")[:255],
        size=upload_size(upload),
    )
    db.session.add(pending)
    db.session.commit()
    try:
        storage().put(upload_key(pending.id), upload.stream)
    except Exception:  # a full disk, a store that does not answer: said, not a 500
        current_app.logger.exception("the upload of import %d could not be kept", pending.id)
        _finish(pending.id, ImportStatus.FAILED, problems=[NOT_KEPT])
    return pending


def start_import(pending: MeetingImport) -> None:
    """Enqueue the import of `pending`, unless it is already over (its file could not be
    kept). When the queue cannot take it, the import is over before it began: its page says
    so, and the file goes."""
    if pending.status != ImportStatus.QUEUED:
        return
    try:
        enqueue(IMPORT_JOB, pending.id)
    except QueueUnavailable:
        _finish(pending.id, ImportStatus.FAILED, problems=[NOT_QUEUED])
        storage().delete(upload_key(pending.id))


@task(IMPORT_JOB)
def run_import(import_id: int) -> None:
    """Import the kept file of the `MeetingImport` `import_id` (see the module)."""
    pending = db.session.get(MeetingImport, import_id)
    if pending is None or pending.status == ImportStatus.DONE:
        return
    files, key = storage(), upload_key(import_id)
    if not files.exists(key):  # its problems were recorded, and the file removed, by a run before
        return
    pending.status = ImportStatus.RUNNING
    db.session.commit()
    try:
        with files.open(key) as kept:
            data = kept.read()
        report = _import(data, pending.user_id)
    except InterchangeError as error:
        db.session.rollback()
        _finish(import_id, ImportStatus.FAILED, problems=error.problems)
        files.delete(key)
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
    files.delete(key)


def _import(data: bytes, user_id: int) -> ImportReport:
    """The import, in the job's one transaction; the uploader joins the meeting's team when
    an organiser (as with the form)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise InterchangeError(["$: the account that uploaded the file is no longer active"])
    report = import_meeting(parse_document(data), importer=user)
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


@dataclass(frozen=True)
class Removed:
    files: int
    records: int


def remove_old_imports(now: datetime | None = None) -> Removed:
    """Remove the kept files of imports over for `KEEP_FILES`, and of imports no longer
    recorded; then the records over for `KEEP_RECORDS`. Commits."""
    now = now or utcnow()
    files = storage()
    # Listed before the rows are read: a row is written before its file, so a listed file
    # whose row is not found belongs to an import that is gone.
    listed = list(files.keys(FOLDER))
    current = {
        upload_key(import_id)
        for import_id in db.session.scalars(
            select(MeetingImport.id).where(
                (MeetingImport.finished_at.is_(None))
                | (MeetingImport.finished_at > now - KEEP_FILES)
            )
        )
    }
    removed_files = 0
    for key in listed:
        if key not in current:
            files.delete(key)
            removed_files += 1
    result = db.session.execute(
        delete(MeetingImport).where(MeetingImport.finished_at <= now - KEEP_RECORDS)
    )
    db.session.commit()
    return Removed(files=removed_files, records=int(getattr(result, "rowcount", 0) or 0))


@task("interchange.remove-old-imports", every=3600)
def remove_old_imports_job() -> None:
    removed = remove_old_imports()
    current_app.logger.info(
        "imports: %d kept files and %d records removed", removed.files, removed.records
    )
