"""Views of the participants capability: the organiser's list, add/edit/cancel/promote, a new
personal link, check-in on the day, exports and the CSV import. Staff read all of it and check
people in; the other changes are the organisers'."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from meetapp.accounts.routes import safe_next_url
from meetapp.documents.routes import document_download
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.forms import show_domain_error
from meetapp.meetings.access import can_check_in, can_edit, meeting_view
from meetapp.models import Meeting, Participant, Status
from meetapp.outbox.services import mail_configured, send_later
from meetapp.participants import services
from meetapp.participants.answers import (
    answers_to,
    archived_answers,
    desk_answers,
    meeting_questions,
    organiser_text,
)
from meetapp.participants.forms import (
    ActionForm,
    CheckinForm,
    ImportConfirmForm,
    ImportUploadForm,
    ParticipantFilterForm,
    ParticipantForm,
    SeatForm,
    WalkInForm,
    filter_params,
    read_filters,
)
from meetapp.participants.services import ParticipantFilter
from meetapp.registration import services as registration
from meetapp.registration.forms import form_with_questions
from meetapp.registration.notifications import (
    mail_to,
    notify_promoted,
    personal_link,
    queue_new_link_mail,
    queue_registration_mail,
)
from meetapp.registration.questions import answers_of

bp = Blueprint("participants", __name__)


def _participant_or_404(
    meeting: Meeting, participant_id: int, *, with_checker: bool = False
) -> Participant:
    participant = services.find_participant(meeting, participant_id, with_checker=with_checker)
    if participant is None:
        abort(404)
    return participant


def _filters_from_args(meeting: Meeting) -> tuple[ParticipantFilterForm, ParticipantFilter]:
    """The filter form filled from the query string; invalid values are ignored (and shown)."""
    return read_filters(meeting, request.args)


def _list_url(meeting: Meeting) -> str:
    return url_for("participants.list", slug=meeting.slug)


def _back(meeting: Meeting, form: ActionForm) -> ResponseReturnValue:
    """Back to the page the button was on, if it is this meeting's participant list."""
    target = safe_next_url(form.next.data)
    if target is None or not target.startswith(_list_url(meeting)):
        target = _list_url(meeting)
    return redirect(target)


@bp.route("/meetings/<slug>/participants", endpoint="list")
@meeting_view
def participant_list(meeting: Meeting) -> ResponseReturnValue:
    form, filters = _filters_from_args(meeting)
    page = request.args.get("page", 1, type=int) or 1
    pagination = services.list_participants(
        meeting, filters, page, int(current_app.config["PARTICIPANTS_PER_PAGE"])
    )
    items = pagination.items
    places = services.waitlist_places(
        meeting, [p.id for p in items if p.status == Status.WAITLISTED]
    )
    counts = services.participant_counts(meeting)
    # Narrowed to a question's answer: the answers to it show in a column of their own.
    question = form.answer_question()
    answers = (
        {
            participant_id: organiser_text(question, answer)
            for participant_id, answer in answers_to(question.id, [p.id for p in items]).items()
        }
        if question is not None
        else {}
    )
    query_args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "participants/list.html",
        meeting=meeting,
        form=form,
        pagination=pagination,
        participants=items,
        places=places,
        counts=counts,
        question=question,
        answers=answers,
        groups={group.id: group for group in meeting.stakeholder_groups},
        query_args=query_args,
        editable=can_edit(current_user, meeting),
        action_form=ActionForm(),
        export_args={k: v for k, v in query_args.items() if k != "sort"},
    )


@bp.route("/meetings/<slug>/participants/new", methods=["GET", "POST"])
@meeting_view(write=True)
def new(meeting: Meeting) -> ResponseReturnValue:
    form = form_with_questions(ParticipantForm, meeting)
    if form.validate_on_submit():
        try:
            added = registration.register_participant(
                meeting, form.registration_data(), by_organiser=True
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, "email")
        else:
            # The person gets their personal link by e-mail (when mail is configured).
            message_ids = queue_registration_mail(added)
            place = added.place
            name = added.participant.name
            db.session.commit()
            send_later(message_ids)
            if message_ids:
                by_mail = " An e-mail with their personal link is on its way."
            else:
                by_mail = " No e-mail is sent: make their personal link on their page."
            if place is not None:
                flash(f"{name} is on the waiting list (place {place}).{by_mail}", "warning")
            else:
                flash(f"{name} is registered.{by_mail}", "success")
            return redirect(_list_url(meeting))
    return render_template("participants/form.html", meeting=meeting, form=form, participant=None)


@bp.route("/meetings/<slug>/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def edit(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    participant = _participant_or_404(meeting, participant_id, with_checker=True)
    answers = answers_of([participant.id])[participant.id]
    if request.method == "POST":
        form = form_with_questions(ParticipantForm, meeting, answers)
    else:
        form = form_with_questions(
            ParticipantForm, meeting, answers, data=services.form_data(participant)
        )
    # Read now: a refused save rolls the session back.
    archived = archived_answers(meeting, answers)
    if form.validate_on_submit():
        try:
            registration.update_registration(participant, form.registration_data())
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, "email")
        else:
            db.session.commit()
            flash(f"The details of {participant.name} are saved.", "success")
            return redirect(_list_url(meeting))
    return _participant_page(meeting, participant, form, archived=archived)


def _participant_page(
    meeting: Meeting,
    participant: Participant,
    form: ParticipantForm,
    new_link: str | None = None,
    archived: list[tuple[str, str]] | None = None,
) -> str:
    """The participant's page: the edit form, their status, the actions on them and, right
    after it was made without mail, their new personal link. `archived`: their answers to
    removed questions, shown, not edited."""
    return render_template(
        "participants/form.html",
        meeting=meeting,
        form=form,
        participant=participant,
        place=registration.waitlist_place(participant),
        action_form=ActionForm(),
        mail_on=mail_configured(),
        new_link=new_link,
        mails=mail_to(participant),
        archived=archived or [],
    )


@bp.route("/meetings/<slug>/participants/<int:participant_id>/link", methods=["POST"])
@meeting_view(write=True)
def send_link(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    """A new personal link for the participant; the one they had stops working.

    With mail it is e-mailed to them (the registration confirmation, saying the link is new)
    and the older e-mails with a link that are still unsent are withdrawn; without mail it is
    shown to the organiser in this response only, to pass on: it is not stored anywhere.
    """
    participant = _participant_or_404(meeting, participant_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = url_for("participants.edit", slug=meeting.slug, participant_id=participant.id)
    try:
        renewed = registration.renew_personal_link(participant)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(page)
    message_ids = queue_new_link_mail(renewed)
    name, email = participant.name, participant.email
    db.session.commit()
    if message_ids:
        send_later(message_ids)
        flash(
            f"A new personal link is on its way to {name} ({email}). The link they had before "
            "no longer works. Whether the e-mail left is shown below, under E-mails.",
            "success",
        )
        return redirect(page)
    # Without mail: shown once, in this response, never stored (only its hash is).
    shown = _participant_or_404(meeting, participant_id, with_checker=True)
    answers = answers_of([shown.id])[shown.id]
    form = form_with_questions(
        ParticipantForm, meeting, answers, formdata=None, data=services.form_data(shown)
    )
    response = make_response(
        _participant_page(
            meeting,
            shown,
            form,
            new_link=personal_link(renewed.token),
            archived=archived_answers(meeting, answers),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/meetings/<slug>/participants/<int:participant_id>/cancel", methods=["POST"])
@meeting_view
def cancel(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    participant = _participant_or_404(meeting, participant_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if participant.status == Status.CANCELLED:
        flash(f"{participant.name} was already cancelled.", "info")
        return _back(meeting, form)
    promoted = registration.cancel_registration(participant)
    message_ids = notify_promoted(promoted)
    message = f"The registration of {participant.name} is cancelled."
    if promoted:
        message += " From the waiting list: " + ", ".join(p.name for p in promoted) + "."
    db.session.commit()
    send_later(message_ids)
    flash(message, "success")
    return _back(meeting, form)


@bp.route("/meetings/<slug>/participants/<int:participant_id>/promote", methods=["POST"])
@meeting_view
def promote(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    participant = _participant_or_404(meeting, participant_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if participant.status == Status.REGISTERED:
        flash(f"{participant.name} already has a seat.", "info")
        return _back(meeting, form)
    try:
        registration.promote_participant(participant)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(meeting, form)
    message_ids = notify_promoted([participant])
    name = participant.name
    db.session.commit()
    send_later(message_ids)
    if message_ids:
        flash(f"{name} now has a seat. An e-mail tells them.", "success")
    else:
        flash(
            f'{name} now has a seat. No e-mail can tell them: they are marked "promoted, not '
            'told yet" until you make their personal link on their page and pass it on.',
            "warning",
        )
    return _back(meeting, form)


# --- check-in ------------------------------------------------------------------------------


def _checkin_query() -> str:
    return (request.values.get("q") or "").strip()[: services.MAX_SEARCH_LENGTH]


def _checkin_context(
    meeting: Meeting,
    q: str,
    message: str | None = None,
    *,
    walk_in: WalkInForm | None = None,
    confirm_seat: int | None = None,
) -> dict[str, Any]:
    """What the check-in page shows. `walk_in` is the walk-in form as posted (refused, or
    waiting for the confirmation to seat someone over capacity); `confirm_seat` the id of the
    person whose seat over capacity is to be confirmed."""
    found = services.checkin_search(meeting, q)
    results = found[: services.CHECKIN_RESULTS_LIMIT]
    if walk_in is None:
        walk_in = WalkInForm(meeting, formdata=None, q=q)
    return {
        "meeting": meeting,
        "q": q,
        "results": results,
        # The answers to the questions shown at the desk, for the rows shown.
        "desk_answers": desk_answers(p.id for p in results),
        "more": len(found) > services.CHECKIN_RESULTS_LIMIT,
        "counts": services.checkin_counts(meeting),
        "editable": can_edit(current_user, meeting),
        "may_check_in": can_check_in(current_user, meeting),
        "message": message,
        "walk_in": walk_in,
        "confirm_seat": confirm_seat,
    }


def _checkin_results(
    meeting: Meeting, q: str, message: str | None = None, *, confirm_seat: int | None = None
) -> str:
    return render_template(
        "participants/_checkin_results.html",
        **_checkin_context(meeting, q, message, confirm_seat=confirm_seat),
    )


@bp.route("/meetings/<slug>/checkin")
@meeting_view
def checkin(meeting: Meeting) -> ResponseReturnValue:
    return render_template(
        "participants/checkin.html", **_checkin_context(meeting, _checkin_query())
    )


@bp.route("/meetings/<slug>/checkin/search")
@meeting_view
def checkin_search(meeting: Meeting) -> ResponseReturnValue:
    """The results part of the check-in page, for the type-ahead."""
    return _checkin_results(meeting, _checkin_query())


@bp.route("/meetings/<slug>/checkin/<int:participant_id>", methods=["POST"])
@meeting_view(may_change=can_check_in)
def checkin_mark(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    participant = _participant_or_404(meeting, participant_id)
    form = CheckinForm()
    if not form.validate_on_submit():
        abort(400)
    q = (form.q.data or "").strip()
    attended = form.attended.data == "1"
    try:
        services.mark_attended(participant, attended, by=current_user)
    except DomainError as error:
        db.session.rollback()
        message, category = error.message, "error"
    else:
        db.session.commit()
        if attended:
            message, category = f"{participant.name} is checked in.", "success"
        else:
            message, category = f"Check-in of {participant.name} undone.", "info"
    if _fetched():
        return _checkin_results(meeting, q, message)
    flash(message, category)
    return redirect(url_for("participants.checkin", slug=meeting.slug, q=q or None))


def _fetched() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.route("/meetings/<slug>/checkin/<int:participant_id>/seat", methods=["POST"])
@meeting_view(may_change=can_check_in)
def checkin_seat(meeting: Meeting, participant_id: int) -> ResponseReturnValue:
    """A seat at the desk for someone on the waiting list (or cancelled), checked in at once.
    When the meeting is full the answer asks to confirm a seat over capacity, which a second
    submit with `over_capacity=1` gives."""
    participant = _participant_or_404(meeting, participant_id)
    form = SeatForm()
    if not form.validate_on_submit():
        abort(400)
    q = (form.q.data or "").strip()
    name = participant.name
    confirm_seat = None
    try:
        registration.seat_at_desk(
            participant, by=current_user, over_capacity=form.over_capacity.data == "1"
        )
    except registration.MeetingFull as error:
        db.session.rollback()
        message, category, confirm_seat = error.message, "warning", participant_id
    except DomainError as error:
        db.session.rollback()
        message, category = error.message, "error"
    else:
        db.session.commit()
        message, category = f"{name} now has a seat and is checked in.", "success"
    if _fetched():
        return _checkin_results(meeting, q, message, confirm_seat=confirm_seat)
    if confirm_seat is not None:
        return render_template(
            "participants/checkin.html",
            **_checkin_context(meeting, q, message, confirm_seat=confirm_seat),
        )
    flash(message, category)
    return redirect(url_for("participants.checkin", slug=meeting.slug, q=q or None))


@bp.route("/meetings/<slug>/checkin/walk-in", methods=["POST"])
@meeting_view(may_change=can_check_in)
def walk_in(meeting: Meeting) -> ResponseReturnValue:
    """Someone who comes without a registration: added and checked in at once. When the
    meeting is full the form comes back asking to confirm a seat over capacity."""
    form = WalkInForm(meeting)
    message = None
    if form.validate_on_submit():
        try:
            added = registration.add_walk_in(
                meeting,
                form.registration_data(),
                by=current_user,
                over_capacity=form.over_capacity.data == "1",
            )
        except registration.MeetingFull as error:
            db.session.rollback()
            message = error.message
            form.over_capacity.data = "1"
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, "email")
        else:
            name = added.name
            db.session.commit()
            flash(f"{name} is added and checked in.", "success")
            return redirect(url_for("participants.checkin", slug=meeting.slug, q=name))
    q = (form.q.data or "").strip()[: services.MAX_SEARCH_LENGTH]
    context = _checkin_context(meeting, q, walk_in=form)
    context["walk_in_message"] = message
    return render_template("participants/checkin.html", **context), 200 if message else 422


# --- exports -------------------------------------------------------------------------------


@bp.route("/meetings/<slug>/participants.csv")
@meeting_view
def export_csv(meeting: Meeting) -> ResponseReturnValue:
    """Streamed when small; a big list is prepared by a job (see `document_download`)."""
    return document_download(meeting, "participants-csv", filter_params(request.args))


@bp.route("/meetings/<slug>/participants.xlsx")
@meeting_view
def export_xlsx(meeting: Meeting) -> ResponseReturnValue:
    return document_download(meeting, "participants-xlsx", filter_params(request.args))


# --- import --------------------------------------------------------------------------------


@bp.route("/meetings/<slug>/participants/import", methods=["GET", "POST"])
@meeting_view(write=True)
def import_csv(meeting: Meeting) -> ResponseReturnValue:
    """Upload -> preview (every problem listed, nothing written) -> confirm (checked again,
    then written in one transaction). The confirm form carries the file's text."""
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    preview = None
    if request.method == "POST" and "csv_text" in request.form:
        if confirm.validate_on_submit():
            text = (confirm.csv_text.data or "").replace("\r\n", "\n")
            preview = services.import_participants(meeting, text)
            if preview.ok:
                db.session.commit()
                flash(
                    f"{preview.written} participants imported. Imported people get no e-mail "
                    "and no personal link: send someone theirs from their page.",
                    "success",
                )
                return redirect(_list_url(meeting))
            db.session.rollback()
            flash("Nothing was imported: the file has problems now (see below).", "error")
        else:
            upload.file.errors = [*upload.file.errors, "Upload the file again."]
    elif upload.validate_on_submit():
        storage = upload.file.data
        try:
            text = services.decode_upload(storage.read(), storage.filename)
        except DomainError as error:
            show_domain_error(upload, error, "file")
        else:
            preview = services.check_import(meeting, text)
            if preview.file_errors:
                # The file as a whole is refused (its header, its size): said beside the field.
                upload.file.errors = [*upload.file.errors, *preview.file_errors]
                preview = None
            else:
                confirm = ImportConfirmForm(formdata=None, csv_text=text)
    refused = bool(upload.file.errors) or (preview is not None and bool(preview.file_errors))
    return render_template(
        "participants/import.html",
        meeting=meeting,
        upload=upload,
        confirm=confirm,
        preview=preview,
        columns=services.COLUMNS,
        questions=[q for q in meeting_questions(meeting.id) if q.archived_at is None],
    ), 422 if refused else 200
