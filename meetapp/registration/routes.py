"""Public registration and the personal page behind each registrant's link.

No login: the meeting's slug opens the registration form, and the personal link `/r/<token>`
is the registrant's only key to see, change or cancel their registration. Token lookups are
rate-limited per address so that links cannot be guessed by brute force (they carry 256
random bits, and only their SHA-256 is stored).
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, refresh
from flask_wtf.csrf import generate_csrf
from limits import parse as parse_limit
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError

from meetapp.accounts.services import email_for_lookup
from meetapp.agenda.services import has_agenda
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db, limiter, personal_link_limit
from meetapp.formatting import local_datetime, number
from meetapp.forms import show_domain_error
from meetapp.i18n import N_, locale_code, use_meeting_languages, use_participant_language
from meetapp.meetings.access import get_meeting_or_404, is_slug
from meetapp.models import Meeting, Participant, Status
from meetapp.outbox.services import mail_configured, send_later
from meetapp.qr import qr_svg
from meetapp.registration.forms import (
    RegisterForm,
    ResendLinkForm,
    UpdateRegistrationForm,
    blank_registration_fields,
)
from meetapp.registration.notifications import (
    notify_promoted,
    personal_link,
    queue_registration_mail,
    resend_link_later,
)
from meetapp.registration.services import (
    ALREADY_REGISTERED,
    EMAIL_IN_USE,
    PublicMeeting,
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


def window_message(meeting: Meeting | PublicMeeting, state: str) -> str | None:
    """What the page says when registration is not open; None while it is."""
    if state == "not_open":
        opens = local_datetime(meeting.registration_opens_at, meeting.timezone)
        return gettext("Registration has not opened yet. It opens on %(date)s.", date=opens)
    if state == "closed":
        return gettext("Registration is closed.")
    return None


def _closed_page(
    meeting: Meeting | PublicMeeting, state: str, agenda: bool, status: int
) -> ResponseReturnValue:
    return render_template(
        "registration/register.html",
        meeting=meeting,
        has_agenda=agenda,
        form=None,
        closed_message=window_message(meeting, state),
    ), status


@bp.get("/m/<slug>/register")
def register(slug: str) -> ResponseReturnValue:
    """The page every participant opens, often all at once after an invitation goes out: one
    SELECT outside the ORM session and a transaction, then the page from a memo with the
    visitor's CSRF token. Reading is not rate-limited (registering is, below): a view of its
    own keeps the limiter's work off this page."""
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
    if "_flashes" in session:
        # A message to show once, to this visitor: the page is rendered for them alone.
        return render_template(
            REGISTER_TEMPLATE, **_open_page_context(meeting, page.has_agenda, page.free_seats)
        )
    before, after = _open_page_parts(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        request.script_root,
        meeting,
        page.has_agenda,
        page.free_seats,
        locale_code(),
    )
    return before + str(escape(generate_csrf())) + after


REGISTER_TEMPLATE = "registration/register.html"
# Stands for the visitor's CSRF token in a memoised page: random, so no text of a meeting can
# contain it.
_CSRF_HOLE = f"csrf-{secrets.token_hex(16)}"


def _open_page_context(
    meeting: PublicMeeting, has_agenda: bool, seats: int | None
) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "has_agenda": has_agenda,
        "form": None,
        "blank_fields": blank_registration_fields(meeting),
        "seats": seats,
        "closed_message": None,
        "language_back": url_for("registration.register", slug=meeting.slug),
    }


class _NotInMemo:
    """Stands for a per-request value (the visitor, their session) while a page is rendered
    for a memo: reading it fails loudly instead of putting one visitor's data into the page
    that every visitor gets."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(
            f"the open registration page is memoised and must not read `{self._name}`: "
            "key the memo on it (see _open_page_parts) or render it per request"
        )

    __getattr__ = __call__ = __str__ = __html__ = __bool__ = __iter__ = _refuse


def _relative_url_for(endpoint: str, **values: Any) -> str:
    """url_for for a memoised page: an absolute URL would carry the host name of the request
    that happened to fill the memo."""
    if values.get("_external") or values.get("_scheme"):
        _NotInMemo("the request's host (url_for with _external)")._refuse()
    return url_for(endpoint, **values)


@lru_cache(maxsize=128)
def _open_page_parts(
    app: Flask,
    script_root: str,
    meeting: PublicMeeting,
    has_agenda: bool,
    seats: int | None,
    locale: str,
) -> tuple[str, str]:
    """The open registration page as HTML, before and after the CSRF token of the visitor.

    The page every participant opens is the same for all of them but for the CSRF token:
    it is rendered once per process for each state of the meeting, and each request only adds
    its visitor's token. The memo is keyed on everything the page shows, read from the
    database on every request (the meeting, its organisation and groups, whether it has an
    agenda, the seats left), on the language of the page (`locale`, which the texts are
    translated into while rendering), and on what its links depend on (the app, the script
    root), so
    it is never stale. A visitor with a message to show gets a page rendered for them alone;
    the visitor, the session and the request are not available to the template here.
    """
    html = render_template(
        REGISTER_TEMPLATE,
        **_open_page_context(meeting, has_agenda, seats),
        csrf_token=lambda: Markup(_CSRF_HOLE),  # noqa: S704 - a fixed, safe string
        get_flashed_messages=lambda **_kwargs: [],
        current_user=_NotInMemo("current_user"),
        session=_NotInMemo("session"),
        request=_NotInMemo("request"),
        g=_NotInMemo("g"),
        url_for=_relative_url_for,
    )
    before, hole, after = html.partition(_CSRF_HOLE)
    if not hole or _CSRF_HOLE in after:
        raise RuntimeError(f"{REGISTER_TEMPLATE} must show the CSRF token once")
    return before, after


@bp.post("/m/<slug>/register")
@limiter.limit(_register_limit)
def submit_registration(slug: str) -> ResponseReturnValue:
    """Registering: the form posted from the page, rate-limited per address."""
    meeting = get_meeting_or_404(slug)
    use_meeting_languages(meeting.languages)
    state = meeting.registration_state(utcnow())
    if state != "open":
        return _closed_page(meeting, state, has_agenda(meeting), 403)

    form = RegisterForm(meeting)
    if form.validate_on_submit():
        data = form.registration_data(consent=bool(form.consent.data))
        try:
            registration = register_participant(meeting, data)
            message_ids = queue_registration_mail(registration)
            token, place = registration.token, registration.place
            title = meeting.title
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
    return render_template(
        "registration/register.html",
        meeting=meeting,
        has_agenda=has_agenda(meeting),
        form=form,
        blank_fields=None,
        seats=free_seats(meeting),
        closed_message=None,
    )


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
    if participant.status != Status.CANCELLED:
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
    return render_template(
        "registration/manage.html",
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
    db.session.commit()
    send_later(message_ids)
    flash(gettext("Your registration is cancelled. Thank you for letting us know."), "info")
    return redirect(url_for(".manage", token=token))
