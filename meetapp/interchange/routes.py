"""Views of the interchange capability: download a meeting as JSON, import one from a file."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from meetapp.downloads import export_download
from meetapp.extensions import db
from meetapp.interchange.export import meeting_json
from meetapp.interchange.forms import ImportMeetingForm
from meetapp.interchange.services import InterchangeError, import_meeting, parse_document
from meetapp.meetings.access import meeting_view, roles_required
from meetapp.meetings.services import add_team_member
from meetapp.models import Meeting, Role
from meetapp.surveys.batches import publish_on_close

bp = Blueprint("interchange", __name__)


@bp.route("/meetings/<slug>/export.json")
@meeting_view(write=False)
def export(meeting: Meeting) -> Response:
    publish_on_close(meeting)
    return export_download(meeting_json(meeting))


@bp.route("/meetings/import", methods=["GET", "POST"], endpoint="import_meeting")
@roles_required(Role.ADMIN, Role.ORGANISER)
def import_meeting_view() -> ResponseReturnValue:
    form = ImportMeetingForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            document = parse_document(form.file.data.read())
            report = import_meeting(document, importer=current_user)
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
                flash(
                    f"It is convened by a new organisation, “{organisation}”, which you can "
                    "edit under Organisations.",
                    "info",
                )
            return redirect(url_for("meetings.meeting_show", slug=slug))
    status = 422 if problems else 200
    return render_template("interchange/import.html", form=form, problems=problems), status
