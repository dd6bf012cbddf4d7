"""Views of the interchange capability: download a meeting as JSON, import one from a file."""

from __future__ import annotations

from contextlib import closing

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from meetapp.documents.routes import document_download
from meetapp.extensions import db
from meetapp.interchange.background import (
    BACKGROUND_BYTES,
    MAX_IMPORT_BYTES,
    keep_upload,
    start_import,
    upload_size,
)
from meetapp.interchange.forms import ImportMeetingForm
from meetapp.interchange.services import InterchangeError, import_meeting, parse_document
from meetapp.meetings.access import meeting_view, roles_required
from meetapp.meetings.services import add_team_member
from meetapp.models import ImportStatus, Meeting, MeetingImport, Role
from meetapp.surveys.batches import publish_on_close

bp = Blueprint("interchange", __name__)


@bp.route("/meetings/<slug>/export.json")
@meeting_view(write=False)
def export(meeting: Meeting) -> ResponseReturnValue:
    """Streamed when small; a big meeting is prepared by a job (see `document_download`)."""
    publish_on_close(meeting)
    return document_download(meeting, "meeting-json", {})


@bp.route("/meetings/import", methods=["GET", "POST"], endpoint="import_meeting")
@roles_required(Role.ADMIN, Role.ORGANISER)
def import_meeting_view() -> ResponseReturnValue:
    """A file up to `BACKGROUND_BYTES` is imported at once; a larger one by a job, whose
    status page the importer is sent to."""
    form = ImportMeetingForm()
    problems: list[str] = []
    if form.validate_on_submit():
        # A large upload is a temporary file: closed here, not left to the garbage collector.
        with closing(form.file.data) as upload:
            big = upload_size(upload) > BACKGROUND_BYTES
            pending = keep_upload(upload, current_user) if big else None
            data = b"" if big else upload.read()
        if pending is not None:
            start_import(pending)
            return redirect(url_for(".import_status", import_id=pending.id))
        try:
            report = import_meeting(parse_document(data), importer=current_user)
        except InterchangeError as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            if current_user.role == Role.ORGANISER:
                add_team_member(report.meeting, current_user)
            slug, organisation = report.meeting.slug, report.meeting.organisation.name
            db.session.commit()
            flash(f"Imported the meeting {slug} ({report.summary()}).", "success")
            if report.new_organisation:
                flash(_new_organisation_note(organisation), "info")
            return redirect(url_for("meetings.meeting_show", slug=slug))
    status = 422 if problems else 200
    return render_template(
        "interchange/import.html", form=form, problems=problems, max_bytes=MAX_IMPORT_BYTES
    ), status


def _new_organisation_note(organisation: str) -> str:
    return (
        f"It is convened by a new organisation, “{organisation}”, which you can edit under "
        "Organisations."
    )


@bp.get("/meetings/imports/<int:import_id>")
@roles_required(Role.ADMIN, Role.ORGANISER)
def import_status(import_id: int) -> ResponseReturnValue:
    """How the import of a big file goes, for the one who uploaded it (and administrators);
    the page reloads itself until the import is over."""
    pending = db.session.get(MeetingImport, import_id)
    if pending is None or (pending.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    meeting = db.session.get(Meeting, pending.meeting_id) if pending.meeting_id else None
    return render_template(
        "interchange/import_status.html",
        pending=pending,
        meeting=meeting,
        running=pending.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        new_organisation_note=_new_organisation_note(meeting.organisation.name)
        if meeting is not None and pending.new_organisation
        else None,
    )
