"""Public registration and the personal page behind each registrant's link.

No login: the meeting's slug opens the registration form, and the personal link `/r/<token>`
is the registrant's only key to see, change or cancel their registration. Token lookups are
rate-limited per address so that links cannot be guessed by brute force (they carry 256
random bits, and only their SHA-256 is stored).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, refresh
from limits import parse as parse_limit
from sqlalchemy.exc import IntegrityError

from meetapp.accounts.services import email_for_lookup
from meetapp.agenda.services import has_agenda
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db, limiter, personal_link_limit
from meetapp.formatting import local_datetime, number
from meetapp.forms import show_domain_error
from meetapp.i18n import (
    N_,
    in_language,
    locale_code,
    use_meeting_languages,
    use_participant_language,
)
from meetapp.meetings.access import get_meeting_or_404, is_slug
from meetapp.meetings.notifications import (
    EVENT_CANCELLED,
    EVENT_REGISTERED,
    tell_organisers_later,
)
from meetapp.models import Meeting, Participant, Status
from meetapp.outbox.services import mail_configured, send_later
from meetapp.qr import qr_svg
from meetapp.registration.forms import (
    RegisterForm,
    ResendLinkForm,
    UpdateRegistrationForm,
    form_with_questions,
)
from meetapp.registration.notifications import (
    notify_promoted,
    personal_link,
    queue_registration_mail,
    resend_link_later,
)
from meetapp.registration.questions import answer_text, answers_of, form_questions
from meetapp.registration.services import (
    ALREADY_REGISTERED,
    EMAIL_IN_USE,
    cancel_registration,
    email_taken,
    find_by_token,
    free_seats,
    register_participant,
    registration_page,
    update_registration,
    waitlist_place,
)

bp = Blueprint("registration", __name__)

BAD_LINK = N_(
    "This personal link is not valid. Check that you copied the whole link from your "
    "confirmation. If you registered again or were sent a new link, only the newest link works."
)
LOST_LINK = N_(
    "Lost your link? Open the meeting's registration page and choose \"Send me my link "
    'again": a new link goes to the e-mail address you registered with.'
)
KEEP_LINK = N_(
    "Keep this page's link: it is the only way to see, change or cancel your registration."
)


@bp.after_request
def _keep_personal_pages_private(response: Response) -> Response:
    """The personal page's address is a key: keep it out of caches and Referer headers."""
    if request.endpoint in ("registration.manage", "registration.cancel"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _register_limit() -> str:
    return str(current_app.config["REGISTER_RATE_LIMIT"])


def _resend_limit() -> str:
    return str(current_app.config["LINK_RESEND_RATE_LIMIT"])


def _resend_allowed(meeting_id: int, email: str) -> bool:
    """Count one link sent to `email` for the meeting; False once the address is over its
    limit (LINK_RESEND_ADDRESS_RATE_LIMIT). Counted whether or not the address is registered,
    and under a hash of its normal form: the limiter's store keeps no address."""
    key = email_for_lookup(email) or ""
    limit = parse_limit(str(current_app.config["LINK_RESEND_ADDRESS_RATE_LIMIT"]))
    digest = hashlib.sha256(key.encode()).hexdigest()
    return bool(limiter.limiter.hit(limit, "link-resend", str(meeting_id), digest))


def _send_link_again(meeting_id: int, email: str) -> ResponseReturnValue:
    """Have the link of `email`'s registration sent to it (if there is one, and the address is
    within its limit), and answer with the page that says to look in the mailbox: the same
    redirect for every address."""
    slug = db.session.get_one(Meeting, meeting_id).slug
    # The job runs on its own connection: this request's transaction ends first.
    db.session.rollback()
    if _resend_allowed(meeting_id, email):
        resend_link_later(meeting_id, email)
    return redirect(url_for(".resend_link", slug=slug, sent=1), 303)


def window_message(meeting: Meeting, state: str) -> str | None:
    """What the page says when registration is not open; None while it is."""
    if state == "not_open":
        opens = local_datetime(meeting.registration_opens_at, meeting.timezone)
        return gettext("Registration has not opened yet. It opens on %(date)s.", date=opens)
    if state == "closed":
        return gettext("Registration is closed.")
    return None


def _closed_page(meeting: Meeting, state: str, agenda: bool, status: int) -> ResponseReturnValue:
    return render_template(
        "registration/register.html",
        meeting=meeting,
        has_agenda=agenda,
        form=None,
        closed_message=window_message(meeting, state),
    ), status


def _form_page(meeting: Meeting, form: RegisterForm, agenda: bool) -> str:
    """The open registration page with `form`: empty, or as posted with its errors."""
    return render_template(
        "registration/register.html",
        meeting=meeting,
        has_agenda=agenda,
        form=form,
        seats=free_seats(meeting),
        closed_message=None,
    )


@bp.get("/m/<slug>/register")
def register(slug: str) -> ResponseReturnValue:
    """The page every participant opens, often all at once after an invitation goes out: its
    meeting is read in one SELECT (see `registration_page`). Reading is not rate-limited
    (registering is, below)."""
    if not is_slug(slug):
        abort(404)
    page = registration_page(slug)
    if page is None:
        abort(404)
    meeting = page.meeting
    use_meeting_languages(meeting.languages)
    state = meeting.registration_state(utcnow())
    if state != "open":
        return _closed_page(meeting, state, page.has_agenda, 200)
    return _form_page(meeting, form_with_questions(RegisterForm, meeting), page.has_agenda)


@bp.post("/m/<slug>/register")
@limiter.limit(_register_limit)
def submit_registration(slug: str) -> ResponseReturnValue:
    """Registering: the form posted from the page, rate-limited per address."""
    meeting = get_meeting_or_404(slug)
    use_meeting_languages(meeting.languages)
    state = meeting.registration_state(utcnow())
    if state != "open":
        return _closed_page(meeting, state, has_agenda(meeting), 403)

    form = form_with_questions(RegisterForm, meeting)
    if form.validate_on_submit():
        data = form.registration_data(consent=bool(form.consent.data))
        try:
            registration = register_participant(meeting, data)
            message_ids = queue_registration_mail(registration)
            token, place = registration.token, registration.place
            title = in_language(meeting, "title")
            meeting_id, participant_id = meeting.id, registration.participant.id
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if exc.message is ALREADY_REGISTERED:
                # The address is not proof of identity: the link goes to it, never on a page.
                return _send_link_again(meeting.id, data.email)
            show_domain_error(form, exc)
        except IntegrityError:
            # The meeting lock makes this unreachable in practice; the unique constraint on
            # (meeting, e-mail) is the last line, and still gets the person a clear answer.
            db.session.rollback()
            if not email_taken(meeting.id, data.email):
                raise
            return _send_link_again(meeting.id, data.email)
        else:
            send_later(message_ids)
            tell_organisers_later(meeting_id, participant_id, EVENT_REGISTERED)
            keep = gettext(KEEP_LINK)
            if message_ids:
                keep += " " + gettext("We have also sent it to you by e-mail.")
            if place is None:
                told = gettext("You are registered for %(meeting)s.", meeting=title)
                flash(f"{told} {keep}", "success")
            else:
                told = gettext(
                    "%(meeting)s is full: you are on the waiting list, place %(place)s. "
                    "This page shows when a seat becomes yours.",
                    meeting=title,
                    place=number(place),
                )
                flash(f"{told} {keep}", "warning")
            return redirect(url_for(".manage", token=token))
        # A refusal because the window closed meanwhile is shown like a closed page.
        state = meeting.registration_state(utcnow())
        if state != "open":
            return _closed_page(meeting, state, has_agenda(meeting), 403)
    return _form_page(meeting, form, has_agenda(meeting))


@bp.route("/m/<slug>/link", methods=["GET", "POST"])
@limiter.limit(_resend_limit, methods=["POST"])
def resend_link(slug: str) -> ResponseReturnValue:
    """ "Send me my link again": the person gives their e-mail address; if it is registered
    for the meeting, a new personal link is e-mailed to it (the old one stops working). The
    answer is the same redirect, then the same page, whether or not it is registered: nothing
    is revealed. Rate-limited per visitor's address (IP) and per e-mail address."""
    meeting = get_meeting_or_404(slug)
    use_meeting_languages(meeting.languages)
    form = ResendLinkForm()
    if form.validate_on_submit():
        return _send_link_again(meeting.id, form.email.data or "")
    sent = request.method == "GET" and request.args.get("sent") == "1"
    return render_template(
        "registration/resend_link.html",
        meeting=meeting,
        form=None if sent else form,
        mail_on=mail_configured(),
        language_back=url_for(".resend_link", slug=slug, sent=1 if sent else None),
    ), 422 if form.errors else 200


def _participant_or_404(token: str) -> Participant:
    participant = find_by_token(token)
    if participant is None:
        abort(404, f"{gettext(BAD_LINK)} {gettext(LOST_LINK)}")
    use_meeting_languages(participant.meeting.languages)
    use_participant_language(participant.languages)
    return participant


def _details(participant: Participant) -> dict[str, Any]:
    return {
        "name": participant.name,
        "honorific": participant.honorific,
        "email": participant.email,
        "organisation": participant.organisation,
        "position": participant.position,
        "stakeholder_group": participant.stakeholder_group_id,
        "country": participant.country or "",
        "languages": list(participant.languages or []),
        "needs": participant.needs,
    }


@bp.route("/r/<token>", methods=["GET", "POST"])
@personal_link_limit()
def manage(token: str) -> ResponseReturnValue:
    participant = _participant_or_404(token)
    meeting = participant.meeting
    form: UpdateRegistrationForm | None = None
    # Archived questions too: their answers stay on the person's page.
    questions = form_questions(meeting.id, archived=True)
    answers = answers_of([participant.id])[participant.id] if questions else {}
    # Answers are changed while registration is open, as they are given.
    answers_open = meeting.registration_state(utcnow()) == "open"
    if participant.status != Status.CANCELLED:
        if answers_open:
            form = form_with_questions(
                UpdateRegistrationForm, meeting, answers, data=_details(participant)
            )
        else:
            form = UpdateRegistrationForm(meeting, data=_details(participant))
        if form.validate_on_submit():
            try:
                update_registration(participant, form.registration_data())
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                show_domain_error(form, exc)
            except IntegrityError:
                db.session.rollback()
                if not email_taken(meeting.id, form.email.data or "", but=participant.id):
                    raise
                form.email.errors = [*form.email.errors, gettext(EMAIL_IN_USE)]
            else:
                # Told in the language the participant may just have chosen.
                use_participant_language(participant.languages)
                refresh()
                flash(gettext("Your changes are saved."), "success")
                return redirect(url_for(".manage", token=token))
    elif request.method == "POST":
        flash(gettext("This registration is cancelled; nothing was changed."), "warning")
        return redirect(url_for(".manage", token=token))

    # After a refused change the session was rolled back: relationships of `participant`
    # would need a lazy load, so the group is looked up among the meeting's.
    group = next(
        (g for g in meeting.stakeholder_groups if g.id == participant.stakeholder_group_id), None
    )
    link = personal_link(token)
    locale = locale_code()
    return render_template(
        "registration/manage.html",
        answers=[
            (in_language(question, "label"), answer_text(question, answers[question.id], locale))
            for question in questions
            if question.id in answers
        ],
        answers_open=answers_open,
        participant=participant,
        meeting=meeting,
        group=group,
        form=form,
        place=waitlist_place(participant),
        link=link,
        qr=qr_svg(link, gettext("QR code of your personal link")),
        can_register_again=meeting.registration_state(utcnow()) == "open",
        mail_on=mail_configured(),
    )


@bp.route("/r/<token>/cancel", methods=["POST"])
@personal_link_limit()
def cancel(token: str) -> ResponseReturnValue:
    participant = _participant_or_404(token)
    if participant.status == Status.CANCELLED:
        flash(gettext("This registration was already cancelled."), "info")
        return redirect(url_for(".manage", token=token))
    promoted = cancel_registration(participant)
    message_ids = notify_promoted(promoted)
    meeting_id, participant_id = participant.meeting_id, participant.id
    db.session.commit()
    send_later(message_ids)
    tell_organisers_later(meeting_id, participant_id, EVENT_CANCELLED)
    flash(gettext("Your registration is cancelled. Thank you for letting us know."), "info")
    return redirect(url_for(".manage", token=token))
