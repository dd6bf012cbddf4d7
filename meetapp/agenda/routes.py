"""Views of the agenda: the organiser's speakers, sessions and statements screens (staff read
them), and the public agenda with its PDF and iCalendar files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from meetapp.agenda import calendar, services
from meetapp.agenda.display import register_agenda_filters, speaker_name
from meetapp.agenda.forms import (
    NO_SESSION_CHOICE,
    PARTICIPANTS_CHOICE,
    CopySearchForm,
    CopySpeakerForm,
    MoveForm,
    SessionForm,
    SpeakerForm,
    StatementForm,
)
from meetapp.downloads import file_download
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import from_local, to_local
from meetapp.i18n import use_meeting_languages
from meetapp.meetings.access import can_edit, get_meeting_or_404, meeting_view
from meetapp.models import AgendaSession, Meeting, Speaker, Statement
from meetapp.public_urls import public_url
from meetapp.reports.pdf import render_pdf_template

bp = Blueprint("agenda", __name__)


@bp.record_once
def _template_helpers(state: Any) -> None:
    register_agenda_filters(state.app)


BLANK_SPEAKER_ROWS = 3


def _show_error(form: FlaskForm, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _speaker_or_404(meeting: Meeting, speaker_id: int) -> Speaker:
    speaker = services.find_speaker(meeting, speaker_id)
    if speaker is None:
        abort(404)
    return speaker


def _session_or_404(meeting: Meeting, session_id: int) -> AgendaSession:
    session = services.find_session(meeting, session_id)
    if session is None:
        abort(404)
    return session


def _statement_or_404(meeting: Meeting, statement_id: int) -> Statement:
    statement = services.find_statement(meeting, statement_id)
    if statement is None:
        abort(404)
    return statement


def _editable(meeting: Meeting) -> bool:
    return can_edit(current_user, meeting)


# --- speakers ---------------------------------------------------------------------------------


def _speaker_data(form: SpeakerForm) -> services.SpeakerData:
    return services.SpeakerData(
        name=form.name.data or "",
        honorific=form.honorific.data,
        family_name=form.family_name.data,
        name_order=form.name_order.data or None,
        position=form.position.data,
        organisation=form.organisation.data,
        stakeholder_group_id=form.stakeholder_group.data,
        bio=form.bio.data,
    )


@bp.route("/meetings/<slug>/speakers")
@meeting_view
def speakers(meeting: Meeting) -> ResponseReturnValue:
    return render_template(
        "agenda/speakers.html",
        meeting=meeting,
        rows=services.speaker_rows(meeting),
        editable=_editable(meeting),
    )


@bp.route("/meetings/<slug>/speakers/new", methods=["GET", "POST"])
@meeting_view(write=True)
def speaker_new(meeting: Meeting) -> ResponseReturnValue:
    form = SpeakerForm(meeting)
    if form.validate_on_submit():
        try:
            speaker = services.create_speaker(meeting, _speaker_data(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            name = speaker_name(speaker)
            db.session.commit()
            flash(f"{name} was added.", "success")
            return redirect(url_for(".speakers", slug=meeting.slug))
    return render_template("agenda/speaker_form.html", meeting=meeting, form=form, speaker=None)


@bp.route("/meetings/<slug>/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def speaker_edit(meeting: Meeting, speaker_id: int) -> ResponseReturnValue:
    speaker = _speaker_or_404(meeting, speaker_id)
    if request.method == "POST":
        form = SpeakerForm(meeting)
    else:
        form = SpeakerForm(
            meeting,
            data={
                "honorific": speaker.honorific,
                "name": speaker.name,
                "family_name": speaker.family_name,
                "name_order": speaker.name_order or "",
                "position": speaker.position,
                "organisation": speaker.organisation,
                "stakeholder_group": speaker.stakeholder_group_id,
                "bio": speaker.bio,
            },
        )
    if form.validate_on_submit():
        try:
            services.update_speaker(speaker, meeting, _speaker_data(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            name = speaker_name(speaker)
            db.session.commit()
            flash(f"The details of {name} are saved.", "success")
            return redirect(url_for(".speakers", slug=meeting.slug))
    return render_template("agenda/speaker_form.html", meeting=meeting, form=form, speaker=speaker)


@bp.route("/meetings/<slug>/speakers/<int:speaker_id>/delete", methods=["POST"])
@meeting_view
def speaker_delete(meeting: Meeting, speaker_id: int) -> ResponseReturnValue:
    speaker = _speaker_or_404(meeting, speaker_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    name = speaker_name(speaker)
    try:
        services.delete_speaker(speaker)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{name} was removed from the speakers.", "success")
    return redirect(url_for(".speakers", slug=meeting.slug))


@bp.route("/meetings/<slug>/speakers/copy", methods=["GET", "POST"])
@meeting_view(write=True)
def speaker_copy(meeting: Meeting) -> ResponseReturnValue:
    """Add a speaker from another meeting the user can read, instead of retyping."""
    search = CopySearchForm(formdata=request.args)
    search.validate()
    q = search.q.data if not search.q.errors else None
    form = CopySpeakerForm()
    if form.validate_on_submit():
        try:
            speaker = services.copy_speaker(meeting, current_user, int(form.speaker.data))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            name = speaker_name(speaker)
            db.session.commit()
            flash(f"{name} was added.", "success")
            return redirect(url_for(".speakers", slug=meeting.slug))
    elif request.method == "POST":
        flash("Choose a speaker to add.", "error")
    return render_template(
        "agenda/speaker_copy.html",
        meeting=meeting,
        search=search,
        candidates=services.copy_candidates(meeting, current_user, q),
        q=q,
    )


# --- sessions ---------------------------------------------------------------------------------


def _session_data(meeting: Meeting, form: SessionForm) -> services.SessionData:
    zone = meeting.timezone
    return services.SessionData(
        title=form.title.data or "",
        kind=form.kind.data or "other",
        starts_at=from_local(form.starts_at.data, zone),
        ends_at=from_local(form.ends_at.data, zone),
        location=form.location.data,
        description=form.description.data,
        speakers=form.chosen_speakers(),
    )


def _render_session_form(
    meeting: Meeting, form: SessionForm, session: AgendaSession | None
) -> ResponseReturnValue:
    blank = sum(1 for entry in form.speakers if not entry.form.speaker.data)
    form.add_blank_rows(max(0, BLANK_SPEAKER_ROWS - blank))
    return render_template("agenda/session_form.html", meeting=meeting, form=form, session=session)


@bp.route("/meetings/<slug>/agenda")
@meeting_view
def agenda(meeting: Meeting) -> ResponseReturnValue:
    sessions = services.agenda_sessions(meeting)
    return render_template(
        "agenda/agenda.html",
        meeting=meeting,
        days=services.agenda_days(meeting, sessions),
        warnings=services.agenda_warnings(meeting, sessions),
        counts=services.statement_counts(meeting),
        editable=_editable(meeting),
    )


@bp.route("/meetings/<slug>/agenda/new", methods=["GET", "POST"])
@meeting_view(write=True)
def session_new(meeting: Meeting) -> ResponseReturnValue:
    speakers = services.meeting_speakers(meeting)
    if request.method == "POST":
        form = SessionForm(meeting, speakers)
    else:
        start = services.next_start(meeting)
        form = SessionForm(meeting, speakers, data={"starts_at": to_local(start, meeting.timezone)})
    if form.validate_on_submit():
        try:
            session = services.create_session(meeting, _session_data(meeting, form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            title = session.title
            db.session.commit()
            flash(f"The session “{title}” was added.", "success")
            if request.form.get("then") == "another":
                return redirect(url_for(".session_new", slug=meeting.slug))
            return redirect(url_for(".agenda", slug=meeting.slug))
    return _render_session_form(meeting, form, None)


@bp.route("/meetings/<slug>/agenda/<int:session_id>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def session_edit(meeting: Meeting, session_id: int) -> ResponseReturnValue:
    session = _session_or_404(meeting, session_id)
    speakers = services.meeting_speakers(meeting)
    if request.method == "POST":
        form = SessionForm(meeting, speakers)
    else:
        zone = meeting.timezone
        form = SessionForm(
            meeting,
            speakers,
            data={
                "title": session.title,
                "kind": session.kind,
                "starts_at": to_local(session.starts_at, zone),
                "ends_at": to_local(session.ends_at, zone),
                "location": session.location,
                "description": session.description,
                "speakers": [
                    {"speaker": str(part.speaker_id), "role": part.role}
                    for part in session.speakers
                ],
            },
        )
    if form.validate_on_submit():
        try:
            services.update_session(meeting, session, _session_data(meeting, form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            title = session.title
            db.session.commit()
            flash(f"The session “{title}” was saved.", "success")
            return redirect(url_for(".agenda", slug=meeting.slug))
    return _render_session_form(meeting, form, session)


@bp.route("/meetings/<slug>/agenda/<int:session_id>/delete", methods=["POST"])
@meeting_view
def session_delete(meeting: Meeting, session_id: int) -> ResponseReturnValue:
    session = _session_or_404(meeting, session_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    title = session.title
    services.delete_session(session)
    db.session.commit()
    flash(f"The session “{title}” was removed.", "success")
    return redirect(url_for(".agenda", slug=meeting.slug))


# --- statements -------------------------------------------------------------------------------


def _statement_data(form: StatementForm, session_id: int | None) -> services.StatementData:
    return services.StatementData(
        text=form.text.data or "",
        kind=form.kind.data or "point",
        speaker_id=form.speaker_id,
        session_id=session_id,
        highlight=bool(form.highlight.data),
        is_news=bool(form.is_news.data),
    )


@bp.route("/meetings/<slug>/statements")
@meeting_view
def statements(meeting: Meeting) -> ResponseReturnValue:
    return render_template(
        "agenda/statements.html",
        meeting=meeting,
        groups=services.statement_overview(meeting),
        editable=_editable(meeting),
    )


@bp.route("/meetings/<slug>/agenda/<int:session_id>/statements", methods=["GET", "POST"])
@meeting_view
def session_statements(meeting: Meeting, session_id: int) -> ResponseReturnValue:
    """One screen per session: what was said, in order, and quick entry of the next one."""
    session = _session_or_404(meeting, session_id)
    speakers = services.meeting_speakers(meeting)
    own = [part.speaker_id for part in session.speakers]
    form = StatementForm(meeting, speakers, first=own)
    if request.method != "POST":
        # The speaker and kind of the last entry stay chosen for the next one.
        remembered = request.args.get("speaker", "")
        values = {str(choice.value) for choice in form.speaker.choices or []}
        default = str(own[0]) if own else PARTICIPANTS_CHOICE
        form.speaker.data = remembered if remembered in values else default
        form.kind.data = "quote" if request.args.get("kind") == "quote" else "point"
    if form.validate_on_submit():
        try:
            services.create_statement(meeting, _statement_data(form, session.id))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            # No #fragment: it would keep the browser from focusing the text box again.
            flash("Saved.", "success")
            return redirect(
                url_for(
                    ".session_statements",
                    slug=meeting.slug,
                    session_id=session_id,
                    speaker=form.speaker.data,
                    kind=form.kind.data,
                )
            )
    return render_template(
        "agenda/session_statements.html",
        meeting=meeting,
        session=session,
        statements=services.session_statements(session),
        form=form,
        editable=_editable(meeting),
    )


def _back_to_statements(meeting: Meeting, session_id: int | None) -> ResponseReturnValue:
    if session_id is None:
        return redirect(url_for(".statements", slug=meeting.slug))
    return redirect(url_for(".session_statements", slug=meeting.slug, session_id=session_id))


@bp.route("/meetings/<slug>/statements/<int:statement_id>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def statement_edit(meeting: Meeting, statement_id: int) -> ResponseReturnValue:
    statement = _statement_or_404(meeting, statement_id)
    speakers = services.meeting_speakers(meeting)
    sessions = services.agenda_sessions(meeting)
    if request.method == "POST":
        form = StatementForm(meeting, speakers, sessions)
    else:
        form = StatementForm(
            meeting,
            speakers,
            sessions,
            data={
                "speaker": str(statement.speaker_id)
                if statement.speaker_id is not None
                else PARTICIPANTS_CHOICE,
                "kind": statement.kind,
                "text": statement.text,
                "highlight": statement.highlight,
                "is_news": statement.is_news,
                "session": str(statement.session_id)
                if statement.session_id is not None
                else NO_SESSION_CHOICE,
            },
        )
    if form.validate_on_submit():
        try:
            services.update_statement(meeting, statement, _statement_data(form, form.session_id))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            session_id = statement.session_id
            db.session.commit()
            flash("The statement was saved.", "success")
            return _back_to_statements(meeting, session_id)
    return render_template(
        "agenda/statement_form.html", meeting=meeting, form=form, statement=statement
    )


@bp.route("/meetings/<slug>/statements/<int:statement_id>/delete", methods=["POST"])
@meeting_view
def statement_delete(meeting: Meeting, statement_id: int) -> ResponseReturnValue:
    statement = _statement_or_404(meeting, statement_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    session_id = statement.session_id
    services.delete_statement(statement)
    db.session.commit()
    flash("The statement was deleted.", "success")
    return _back_to_statements(meeting, session_id)


@bp.route("/meetings/<slug>/statements/<int:statement_id>/move", methods=["POST"])
@meeting_view
def statement_move(meeting: Meeting, statement_id: int) -> ResponseReturnValue:
    statement = _statement_or_404(meeting, statement_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    session_id = statement.session_id
    services.move_statement(meeting, statement, form.direction.data or "")
    db.session.commit()
    if session_id is None:
        return redirect(url_for(".statements", slug=meeting.slug))
    return redirect(
        url_for(
            ".session_statements",
            slug=meeting.slug,
            session_id=session_id,
            _anchor=f"statement-{statement_id}",
        )
    )


# --- public agenda ----------------------------------------------------------------------------


def _public_context(meeting: Meeting) -> dict[str, Any]:
    sessions = services.agenda_sessions(meeting)
    return {
        "meeting": meeting,
        "days": services.agenda_days(meeting, sessions),
        "sessions": sessions,
    }


@bp.route("/m/<slug>/agenda")
def public_agenda(slug: str) -> ResponseReturnValue:
    meeting = get_meeting_or_404(slug)
    use_meeting_languages(meeting.languages)
    return render_template("agenda/public_agenda.html", **_public_context(meeting))


@bp.route("/m/<slug>/agenda.pdf")
def public_agenda_pdf(slug: str) -> ResponseReturnValue:
    meeting = get_meeting_or_404(slug)
    use_meeting_languages(meeting.languages)
    pdf = render_pdf_template("pdf/agenda.html", **_public_context(meeting))
    return file_download(
        pdf, "application/pdf", f"{meeting.slug}-agenda.pdf", inline=True, personal=False
    )


def _ics(body: bytes, filename: str) -> Response:
    return file_download(body, "text/calendar; charset=utf-8", filename, personal=False)


@bp.route("/m/<slug>/agenda.ics")
def meeting_ics(slug: str) -> ResponseReturnValue:
    meeting = get_meeting_or_404(slug)
    sessions = services.agenda_sessions(meeting)
    body = calendar.agenda_calendar(
        meeting, sessions, public_url("agenda.public_agenda", slug=meeting.slug)
    )
    return _ics(body, f"{meeting.slug}.ics")


@bp.route("/m/<slug>/sessions/<key>.ics")
def session_ics(slug: str, key: str) -> ResponseReturnValue:
    meeting = get_meeting_or_404(slug)
    session = services.find_session_by_key(meeting, key)
    if session is None or session.starts_at is None:
        abort(404)
    body = calendar.session_calendar(
        meeting, session, public_url("agenda.public_agenda", slug=meeting.slug)
    )
    return _ics(body, f"{meeting.slug}-{session.key}.ics")
