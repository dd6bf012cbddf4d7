"""Views of the prepared documents: asking for one (Prepare), its progress as JSON for the
Documents page's script, its download, and removing it; and the download of a document of
any size, made at once when it is small.

Whoever may read a meeting may do all of this (`can_prepare_documents`); every document is
looked up by its id within the meeting of the URL, so another meeting's id is not found.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import click
from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wsgi import wrap_file

from meetapp.documents import jobs as _jobs  # noqa: F401  (registers the jobs)
from meetapp.documents import services
from meetapp.documents.kinds import KINDS, DocumentKind, ExportKind, Params, SubjectGone
from meetapp.downloads import export_download, file_download
from meetapp.extensions import db
from meetapp.jobs import QueueUnavailable, enqueue
from meetapp.meetings.access import can_prepare_documents, meeting_view
from meetapp.models import DocumentStatus, Meeting, PreparedDocument
from meetapp.storage import CHUNK, storage

bp = Blueprint("documents", __name__, cli_group=None)


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    config = state.app.config
    if int(config["DOCUMENTS_KEEP_HOURS"]) < 1:
        raise RuntimeError("MEETAPP_DOCUMENTS_KEEP_HOURS must be 1 or more")
    for setting in ("DOCUMENTS_JOB_ROWS", "EXPORTS_JOB_ROWS"):
        if int(config[setting]) < 0:
            raise RuntimeError(f"MEETAPP_{setting} must be 0 or more")


@bp.app_template_filter("file_size")
def file_size(size: int | None) -> str:
    """A file's size as people read it.

    >>> file_size(980), file_size(48_213), file_size(3_456_789), file_size(None)
    ('980 bytes', '48 KB', '3.5 MB', '')
    """
    if size is None:
        return ""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def documents_page(meeting: Meeting, kind: DocumentKind, params: Params) -> str:
    """The Documents page at the document's card; an export narrowed by filters has a card
    only when asked for, by the query string."""
    asked: dict[str, Any] = (
        {"export": kind.name, **params} if services.asked_card(kind, params) else {}
    )
    return (
        url_for("reports.documents", slug=meeting.slug, **asked)
        + "#"
        + services.anchor(kind, params)
    )


def prepare_url(meeting: Meeting, kind: DocumentKind, params: Params) -> str:
    if kind.name == "survey-results":
        return url_for("documents.prepare_survey_results", slug=meeting.slug, key=params["survey"])
    values: dict[str, Any] = {"slug": meeting.slug, "kind": kind.name, **params}
    return url_for("documents.prepare", **values)


def params_from(kind: DocumentKind, values: Any) -> Params:
    """The parameters of a document of `kind` given in `values` (a query string), without the
    empty ones and without anything else."""
    return {name: str(values[name])[:200] for name in kind.params if values.get(name)}


def _checked(meeting: Meeting, kind: DocumentKind, params: Params) -> None:
    try:
        kind.check(meeting, params)
    except SubjectGone:
        abort(404)


def document_download(meeting: Meeting, kind_name: str, params: Params) -> ResponseReturnValue:
    """The document as a download, made now (an export streamed) when it is small; a big one
    is prepared by a job, from the Documents page, where this sends the reader."""
    kind = KINDS[kind_name]
    _checked(meeting, kind, params)
    rows = kind.estimate(meeting, params)
    if rows > services.job_threshold(kind):
        flash(
            f"{kind.label}: with {rows:,} rows it is prepared in the background. Press "
            "Prepare, and download it here when it is ready.",
            "info",
        )
        return redirect(documents_page(meeting, kind, params), 303)
    if isinstance(kind, ExportKind):
        return export_download(kind.export(meeting, params))
    out = io.BytesIO()
    kind.write(meeting, params, out)
    return file_download(out.getvalue(), kind.mimetype, kind.filename(meeting, params))


# --- preparing ------------------------------------------------------------------------------


def _prepare(meeting: Meeting, kind: DocumentKind, params: Params) -> ResponseReturnValue:
    _checked(meeting, kind, params)
    requested = services.request_document(meeting, kind, params, current_user)
    document_id = requested.document.id
    db.session.commit()
    if not requested.new:
        flash(f"{kind.label}: it is being prepared already; it appears here when ready.", "info")
        return redirect(documents_page(meeting, kind, params))
    try:
        enqueue("documents.prepare", document_id)
        if requested.replaced:
            enqueue("documents.remove-files", requested.replaced)
    except QueueUnavailable:
        services.fail(document_id, "The job queue does not answer. Try again in a moment.")
        flash(f"{kind.label}: the job queue does not answer. Try again in a moment.", "error")
    else:
        flash(f"{kind.label}: being prepared. It appears here when it is ready.", "success")
    return redirect(documents_page(meeting, kind, params))


@bp.post("/meetings/<slug>/documents/<kind>/prepare")
@meeting_view(may_change=can_prepare_documents)
def prepare(meeting: Meeting, kind: str) -> ResponseReturnValue:
    """A document of `kind`, its parameters (a survey's key, the list's filters) given in the
    query string."""
    found = KINDS.get(kind)
    if found is None:
        abort(404)
    params = params_from(found, request.args)
    if "survey" in found.params and "survey" not in params:
        abort(404)
    return _prepare(meeting, found, params)


@bp.post("/meetings/<slug>/surveys/<key>/results/prepare")
@meeting_view(may_change=can_prepare_documents)
def prepare_survey_results(meeting: Meeting, key: str) -> ResponseReturnValue:
    return _prepare(meeting, KINDS["survey-results"], {"survey": key})


# --- a prepared document --------------------------------------------------------------------


def _document_or_404(meeting: Meeting, document_id: str) -> PreparedDocument:
    document = services.find_document(meeting, document_id)
    if document is None or document.kind not in KINDS:
        abort(404)
    return document


def status_of(meeting: Meeting, document: PreparedDocument) -> dict[str, Any]:
    shown = services.shown_status(document)
    ready = shown == DocumentStatus.READY
    return {
        "id": document.id,
        "status": shown,
        "done": document.done,
        "total": document.total,
        "percent": document.percent,
        "message": document.message,
        "error": document.error,
        "filename": document.filename,
        "size": document.size if ready else None,
        "expires_at": document.expires_at.isoformat() if document.expires_at else None,
        "download_url": (
            url_for(".download", slug=meeting.slug, document_id=document.id) if ready else None
        ),
    }


@bp.get("/meetings/<slug>/documents/<document_id>/status.json")
@meeting_view
def status(meeting: Meeting, document_id: str) -> ResponseReturnValue:
    return jsonify(status_of(meeting, _document_or_404(meeting, document_id)))


@bp.get("/meetings/<slug>/documents/<document_id>/download")
@meeting_view
def download(meeting: Meeting, document_id: str) -> ResponseReturnValue:
    document = _document_or_404(meeting, document_id)
    kind = KINDS[document.kind]
    back = documents_page(meeting, kind, document.params)
    if services.shown_status(document) == DocumentStatus.EXPIRED:
        flash(f"{kind.label}: the file was removed after its time. Prepare it again.", "warning")
        return redirect(back, 303)
    if document.status != DocumentStatus.READY or not document.file_key:
        flash(f"{kind.label}: it is not ready yet.", "info")
        return redirect(back, 303)
    try:
        stream = storage().open(document.file_key)
    except FileNotFoundError:
        flash(f"{kind.label}: the file is missing. Prepare it again.", "warning")
        return redirect(back, 303)
    response = file_download(
        wrap_file(request.environ, stream, CHUNK), document.mimetype, document.filename
    )
    if document.size is not None:
        response.content_length = document.size
    return response


@bp.post("/meetings/<slug>/documents/<document_id>/remove")
@meeting_view(may_change=can_prepare_documents)
def remove(meeting: Meeting, document_id: str) -> ResponseReturnValue:
    document = _document_or_404(meeting, document_id)
    kind = KINDS[document.kind]
    back = documents_page(meeting, kind, document.params)
    removed = services.remove_document(document)
    db.session.commit()
    # Should the queue not answer, the periodic clean-up removes the file of a document gone.
    with contextlib.suppress(QueueUnavailable):
        enqueue("documents.remove-files", [removed])
    flash(f"{kind.label}: the prepared file was removed.", "success")
    return redirect(back)


# --- the command ----------------------------------------------------------------------------


@bp.cli.command("remove-expired-documents")
def remove_expired_command() -> None:
    """Remove the prepared documents whose time is over, and the files no document keeps
    (a worker does this every 15 minutes; without one, run it from cron)."""
    removed = services.remove_expired()
    click.echo(
        f"{removed.expired} document(s) expired, {removed.lost} lost one(s) marked failed, "
        f"{removed.files} file(s) removed."
    )
