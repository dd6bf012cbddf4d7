"""Prepared documents: asking for one, finding it again, and letting it go.

Functions flush and never commit, but for the jobs' steps at the end (`start`, `store`...),
which are the whole transaction of a job and commit as they go, so that the progress they
write is seen at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from flask import current_app
from sqlalchemy import select, update

from meetapp.database import begin_write, utcnow
from meetapp.documents.kinds import (
    KINDS,
    DocumentKind,
    Params,
    SplitKind,
    SubjectGone,
    estimates,
)
from meetapp.extensions import db
from meetapp.locking import lock_meeting
from meetapp.models import DocumentStatus, Meeting, PreparedDocument, User
from meetapp.models.documents import ACTIVE
from meetapp.storage import storage

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{32}")
FOLDER = "documents"
# A document still waiting or being made this long after it was asked for was lost (its
# worker stopped, or the web process that ran it in-process): it counts as failed.
LOST_AFTER = timedelta(hours=1)
LOST = "The document was not finished within an hour: whatever was making it stopped. Try again."


def keep_for() -> timedelta:
    return timedelta(hours=int(current_app.config["DOCUMENTS_KEEP_HOURS"]))


def job_threshold(kind: DocumentKind) -> int:
    """Rows above which a document of `kind` is prepared by a job rather than made at once."""
    return int(current_app.config[kind.job_rows_setting])


def is_big(kind: DocumentKind, meeting: Meeting, params: Params) -> bool:
    return kind.estimate(meeting, params) > job_threshold(kind)


def file_key(document_id: str) -> str:
    return f"{FOLDER}/{document_id}/file"


def part_key(document_id: str, index: int) -> str:
    return f"{FOLDER}/{document_id}/parts/{index:05d}"


def plan_key(document_id: str) -> str:
    return f"{FOLDER}/{document_id}/parts/plan.json"


def is_lost(document: PreparedDocument, now: datetime) -> bool:
    return document.active and document.created_at < now - LOST_AFTER


def anchor(kind: DocumentKind, params: Params) -> str:
    """The id of the document's card on the Documents page (letters, digits, - and _): the
    kind, then a survey's key, or the filters given, by name and value."""
    parts = ["document", kind.name]
    for name in kind.params:
        if name in params:
            parts.extend([params[name]] if name == "survey" else [name, params[name]])
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))


def asked_card(kind: DocumentKind, params: Params) -> bool:
    """Whether the document's card is shown only when asked for: an export narrowed by
    parameters other than a survey's key (the list's filters)."""
    return any(name != "survey" for name in params)


def shown_status(document: PreparedDocument, now: datetime | None = None) -> str:
    """The document's status as its readers see it: a ready document whose time is over is
    expired, whether the clean-up has removed its file yet or not."""
    if (
        document.status == DocumentStatus.READY
        and document.expires_at is not None
        and document.expires_at <= (now or utcnow())
    ):
        return DocumentStatus.EXPIRED.value
    return document.status


@dataclass(frozen=True)
class Card:
    """What the Documents page shows of a document that grows with the meeting."""

    kind: DocumentKind
    params: Params
    rows: int
    # Prepared by a job (more rows than `job_threshold(kind)`), not made on download.
    big: bool
    # The newest prepared document of this kind and params, if any.
    prepared: PreparedDocument | None
    status: str | None

    @property
    def anchor(self) -> str:
        return anchor(self.kind, self.params)


def document_cards(
    meeting: Meeting, survey_keys: Iterable[str], asked: tuple[DocumentKind, Params] | None = None
) -> dict[str, Card]:
    """The cards of the meeting's documents by name: "sign-in-sheet", "summary",
    "participants-csv", "participants-xlsx", "meeting-json", and "survey-results/<key>",
    "responses-csv/<key>" and "responses-xlsx/<key>" for each survey; and "asked", the card of
    an export narrowed by filters, when `asked` names one. One query for the prepared
    documents, one that counts the rows of every card."""
    prepared = documents_of(meeting)
    now = utcnow()
    wanted: list[tuple[str, DocumentKind, Params]] = [
        ("sign-in-sheet", KINDS["sign-in-sheet"], {}),
        ("summary", KINDS["summary"], {}),
        ("participants-csv", KINDS["participants-csv"], {}),
        ("participants-xlsx", KINDS["participants-xlsx"], {}),
        ("meeting-json", KINDS["meeting-json"], {}),
    ]
    for key in survey_keys:
        for name in ("survey-results", "responses-csv", "responses-xlsx"):
            wanted.append((f"{name}/{key}", KINDS[name], {"survey": key}))
    if asked is not None:
        wanted.append(("asked", *asked))
    counts = estimates([kind.rows(meeting, params) for _name, kind, params in wanted])
    cards = {}
    for (name, kind, params), rows in zip(wanted, counts, strict=True):
        document = prepared.get((kind.name, params_key(params)))
        status = shown_status(document, now) if document is not None else None
        cards[name] = Card(kind, params, rows, rows > job_threshold(kind), document, status)
    return cards


# --- asking, finding ------------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    document: PreparedDocument
    # False: the document was being prepared already (asked for by someone else, or twice).
    new: bool
    # The ids of the earlier documents it replaces, whose files are to be removed.
    replaced: list[str]


def request_document(meeting: Meeting, kind: DocumentKind, params: Params, user: User) -> Requested:
    """The document of `kind` about `params` for the meeting: the one being prepared if there is
    one, whoever asked for it, else a new one, queued. A new one replaces the meeting's earlier
    document of the same kind and params (ready, failed or expired): the caller has their
    files removed once the change is committed (`remove_files`).

    Under the meeting's lock, so that two people asking at the same moment get one document.
    """
    lock_meeting(meeting.id)
    now = utcnow()
    same = [
        document
        for document in db.session.scalars(
            select(PreparedDocument).where(
                PreparedDocument.meeting_id == meeting.id, PreparedDocument.kind == kind.name
            )
        )
        if document.params == params
    ]
    for document in same:
        if document.active and not is_lost(document, now):
            return Requested(document, False, [])
    for document in same:
        db.session.delete(document)
    document = PreparedDocument(
        meeting_id=meeting.id,
        requested_by_id=user.id,
        kind=kind.name,
        params=dict(params),
        status=DocumentStatus.QUEUED,
        filename=kind.filename(meeting, params),
        mimetype=kind.mimetype,
        message="Waiting for its turn",
    )
    db.session.add(document)
    db.session.flush()
    return Requested(document, True, [old.id for old in same])


def find_document(meeting: Meeting, document_id: str) -> PreparedDocument | None:
    """The meeting's prepared document with this id; None for an id of another meeting, or
    one that is not an id at all."""
    if not _DOCUMENT_ID.fullmatch(document_id):
        return None
    return db.session.scalar(
        select(PreparedDocument).where(
            PreparedDocument.id == document_id, PreparedDocument.meeting_id == meeting.id
        )
    )


def documents_of(meeting: Meeting) -> dict[tuple[str, str], PreparedDocument]:
    """The newest document of each kind and params of the meeting, by (kind, params as JSON)."""
    found: dict[tuple[str, str], PreparedDocument] = {}
    for document in db.session.scalars(
        select(PreparedDocument)
        .where(PreparedDocument.meeting_id == meeting.id)
        .order_by(PreparedDocument.created_at)
    ):
        found[(document.kind, params_key(document.params))] = document
    return found


def params_key(params: Params) -> str:
    return json.dumps(params, sort_keys=True)


def remove_document(document: PreparedDocument) -> str:
    """Forget the document (the caller removes its files after the commit: `remove_files`);
    returns its id."""
    document_id = document.id
    db.session.delete(document)
    db.session.flush()
    return document_id


def remove_files(document_ids: Iterable[str]) -> None:
    """Remove from the storage every file of these documents that no longer exist."""
    ids = set(document_ids)
    kept = set(db.session.scalars(select(PreparedDocument.id).where(PreparedDocument.id.in_(ids))))
    files = storage()
    for document_id in ids - kept:
        for key in list(files.keys(f"{FOLDER}/{document_id}")):
            files.delete(key)


@dataclass(frozen=True)
class Removed:
    expired: int
    lost: int
    files: int


def remove_expired(now: datetime | None = None) -> Removed:
    """Remove the files whose time is over, saying so on their documents (EXPIRED); mark the
    lost ones failed; and remove every file in the storage that no document keeps (the parts
    of a failed document, the files of one replaced or of a deleted meeting). Commits."""
    now = now or utcnow()
    files = storage()
    _commit_then_write()
    expired = list(
        db.session.scalars(
            select(PreparedDocument).where(
                PreparedDocument.status == DocumentStatus.READY,
                PreparedDocument.expires_at <= now,
            )
        )
    )
    for document in expired:
        document.status = DocumentStatus.EXPIRED
        document.file_key = None
    lost = db.session.execute(
        update(PreparedDocument)
        .where(
            PreparedDocument.status.in_([status.value for status in ACTIVE]),
            PreparedDocument.created_at < now - LOST_AFTER,
        )
        .values(status=DocumentStatus.FAILED, error=LOST, finished_at=now)
    )
    db.session.commit()
    # Files go after the rows no longer point at them (a download under way keeps its file
    # open; a new one is refused). The files are listed before the rows are read: a document's
    # row is written before any of its files, so a listed file whose row is not found belongs
    # to a document that is gone.
    listed = list(files.keys(FOLDER))
    kept = {
        document_id: key
        for document_id, key, status in db.session.execute(
            select(PreparedDocument.id, PreparedDocument.file_key, PreparedDocument.status)
        )
        if status in ACTIVE or key
    }
    db.session.commit()
    removed = 0
    for key in listed:
        document_id = key.split("/")[1]
        if document_id not in kept or (kept[document_id] and kept[document_id] != key):
            files.delete(key)
            removed += 1
    return Removed(len(expired), int(getattr(lost, "rowcount", 0) or 0), removed)


# --- the jobs' steps ------------------------------------------------------------------------


def _commit_then_write() -> None:
    """End the session's transaction, and begin a write one (IMMEDIATE on SQLite, whose
    read snapshot could not be turned into a write once another process has written)."""
    db.session.commit()
    begin_write(db.session())


def _update(document_id: str, **values: Any) -> None:
    _commit_then_write()
    db.session.execute(
        update(PreparedDocument).where(PreparedDocument.id == document_id).values(**values)
    )
    db.session.commit()


def start(document_id: str) -> PreparedDocument | None:
    """Mark the document as being made, and return it; None when there is nothing to make
    (it was removed or replaced, is made by another run, or is made already). Commits."""
    _commit_then_write()
    document = db.session.get(PreparedDocument, document_id)
    if document is None or document.status not in (DocumentStatus.QUEUED, DocumentStatus.FAILED):
        db.session.commit()
        return None
    document.status = DocumentStatus.RUNNING
    document.done = document.total = 0
    document.error = None
    document.message = "Starting"
    db.session.commit()
    return document


def running(document_id: str) -> PreparedDocument | None:
    """The document if it is still being made (a part's job of a failed one does nothing)."""
    document = db.session.get(PreparedDocument, document_id)
    return document if document is not None and document.status == DocumentStatus.RUNNING else None


def report_progress(document_id: str, done: int, total: int, message: str) -> None:
    _update(document_id, done=done, total=total, message=message[:200])


def count_part_done(document_id: str) -> None:
    """One more part is made (parts finish in any order, on any worker)."""
    _update(document_id, done=PreparedDocument.done + 1)


def meeting_of(document: PreparedDocument) -> Meeting:
    meeting = db.session.get(Meeting, document.meeting_id)
    if meeting is None:  # deleted since: its documents went with it (ON DELETE CASCADE)
        raise SubjectGone("The meeting was deleted.")
    return meeting


def store(document_id: str, source: IO[bytes]) -> None:
    """Keep the document's file and make it ready to download, for `keep_for()`."""
    key = file_key(document_id)
    size = storage().put(key, source)
    now = utcnow()
    _update(
        document_id,
        status=DocumentStatus.READY,
        file_key=key,
        size=size,
        done=PreparedDocument.total,
        message="",
        finished_at=now,
        expires_at=now + keep_for(),
    )


def fail(document_id: str, error: str) -> None:
    db.session.rollback()
    _update(
        document_id,
        status=DocumentStatus.FAILED,
        error=error[:2000],
        message="",
        finished_at=utcnow(),
    )


def kind_of(document: PreparedDocument) -> DocumentKind:
    return KINDS[document.kind]


def split_kind_of(document: PreparedDocument) -> SplitKind:
    kind = KINDS[document.kind]
    if not isinstance(kind, SplitKind):
        raise TypeError(f"documents of kind {kind.name} are not made in parts")
    return kind
