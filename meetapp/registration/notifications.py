"""E-mails to registrants, queued in the outbox: confirmation, waiting list, promotion, and
a new personal link sent by an organiser.

Each function queues (flushes, never commits) and returns the ids of the queued messages;
the view commits and then hands the ids to `meetapp.outbox.services.send_later`. When
mail is not configured nothing is queued and the lists are empty.

Views of other capabilities that give people a seat (an organiser cancels or promotes a
participant, or raises the capacity) call `notify_promoted` with what
`cancel_registration`, `promote_participant` or `promote_waitlisted` returned.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from meetapp.accounts.services import email_for_lookup
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import number
from meetapp.i18n import in_language, locale_code, mail_locale
from meetapp.jobs import enqueue, task
from meetapp.models import Meeting, OutboxMessage, Participant, Status
from meetapp.outbox.intros import chosen_intro, intro_for
from meetapp.outbox.mail_templates import AS_PLACEHOLDERS, Written, fill_template, template_for
from meetapp.outbox.services import (
    claimable,
    mail_configured,
    queue_message,
    send_later,
    withdraw,
)
from meetapp.public_urls import public_url
from meetapp.registration.services import NewRegistration, renew_personal_link
from meetapp.tokens import new_token

KIND_CONFIRMATION = "registration_confirmation"
KIND_WAITLISTED = "registration_waitlisted"
KIND_PROMOTED = "registration_promoted"
KIND_NEW_LINK = "registration_new_link"
# The e-mails that carry a personal link.
LINK_KINDS = (KIND_CONFIRMATION, KIND_WAITLISTED, KIND_NEW_LINK)


def personal_link(token: str) -> str:
    """The absolute personal link, under the configured public address (never the request's
    host: see `meetapp.public_urls`)."""
    return public_url("registration.manage", token=token)


def _meeting(participant: Participant) -> Meeting:
    # From the identity map when the meeting was locked in this transaction.
    return db.session.get_one(Meeting, participant.meeting_id)


def registration_kind(participant: Participant, new_link: bool) -> str:
    """The kind of e-mail that carries `participant`'s (new) personal link."""
    if new_link:
        return KIND_NEW_LINK
    return KIND_WAITLISTED if participant.status == Status.WAITLISTED else KIND_CONFIRMATION


def render_registration_mail(
    meeting: Meeting,
    participant: Participant,
    kind: str,
    *,
    place: int | None,
    link: str,
    locale: str,
    draft: tuple[str, Written] | None = None,
    as_template: bool = False,
) -> tuple[str, str]:
    """The subject and body of a registration e-mail of `kind` (confirmation, waiting list,
    new link) in `locale`: the organisers' template for that language when they saved one
    (`draft`: one being written, with its language, for the page's preview), else the app's
    own e-mail with their introduction for that language. `as_template`: the app's own e-mail, with
    placeholders where a template has them (the editor's starting text; the introduction
    as written)."""
    waitlisted = kind == KIND_WAITLISTED or (
        kind == KIND_NEW_LINK and participant.status == Status.WAITLISTED
    )
    template = "email/registration_waitlisted.txt" if waitlisted else "email/registration.txt"
    with force_locale(locale):
        chosen = draft or (None if as_template else template_for(meeting, kind))
        if chosen is not None:
            language, written = chosen
            return fill_template(
                meeting,
                participant,
                language,
                written,
                {"place": number(place) if place is not None else ""},
                link=link,
            )
        shown = AS_PLACEHOLDERS if as_template else None
        title = shown["meeting"] if shown else in_language(meeting, "title")
        if kind == KIND_NEW_LINK:
            subject = gettext("Your new personal link: %(meeting)s", meeting=title)
        elif waitlisted:
            subject = gettext(
                "Waiting list, place %(place)s: %(meeting)s",
                place=shown["place"] if shown else number(place),
                meeting=title,
            )
        else:
            subject = gettext("Registration confirmed: %(meeting)s", meeting=title)
        body = render_template(
            template,
            participant=participant,
            meeting=meeting,
            place=place,
            link=link,
            new_link=kind == KIND_NEW_LINK,
            intro=_intro(meeting, kind, participant, as_template),
            shown=shown,
        )
    return subject, body


def _intro(meeting: Meeting, kind: str, participant: Participant, as_template: bool) -> str:
    """The introduction the e-mail being rendered carries: filled for `participant`, or as
    written when the e-mail is written out `as_template`."""
    if not as_template:
        return intro_for(meeting, kind, participant)
    found = chosen_intro(meeting, kind, locale_code())
    return found[1].strip() if found else ""


def queue_registration_mail(registration: NewRegistration, *, new_link: bool = False) -> list[int]:
    """Confirm a new registration, or tell a waitlisted registrant their place, with the link.

    `new_link`: the link was renewed by an organiser (`renew_personal_link`); the e-mail is
    the same confirmation, says that the link replaces any earlier one, and has its own
    subject and kind.
    """
    if not mail_configured():
        return []
    participant, token, place = registration.participant, registration.token, registration.place
    meeting = _meeting(participant)
    kind = registration_kind(participant, new_link)
    subject, body = render_registration_mail(
        meeting,
        participant,
        kind,
        place=place,
        link=personal_link(token),
        locale=mail_locale(participant.languages, meeting.languages),
    )
    message = queue_message(participant.email, subject, body, kind, meeting_id=meeting.id)
    return [message.id] if message is not None else []


def withdraw_link_mail(participant: Participant) -> int:
    """Withdraw the e-mails to `participant` that carry a personal link and are not sent yet
    (queued, or failed and waiting for a retry): their link no longer works once a new one is
    made, and a retry must not deliver it after the e-mail with the new link. Returns how
    many were withdrawn; one being sent at this moment is left alone.

    The outbox records the address, not the participant: messages are matched by meeting,
    kind and address (in its normal form; addresses are unique within a meeting).
    """
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.recipient).where(
            OutboxMessage.meeting_id == participant.meeting_id,
            OutboxMessage.kind.in_(LINK_KINDS),
            claimable(),
        )
    ).all()
    ids = [
        row.id
        for row in rows
        if row.recipient == participant.email
        or email_for_lookup(row.recipient) == participant.email_normalized
    ]
    return withdraw(ids)


def mail_to(participant: Participant, limit: int = 10) -> list[OutboxMessage]:
    """The latest e-mails queued to `participant` in their meeting, newest first, with their
    delivery status, for the organisers to see what reached them."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.meeting_id == participant.meeting_id,
                OutboxMessage.recipient == participant.email,
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def queue_new_link_mail(renewed: NewRegistration) -> list[int]:
    """After `renew_personal_link`: withdraw the unsent e-mails with the old link, then queue
    the one with the new link (nothing when mail is not configured). Call it in the
    transaction that renewed the link, so the order of the e-mails is the order of the links.
    """
    withdraw_link_mail(renewed.participant)
    return queue_registration_mail(renewed, new_link=True)


def render_promoted_mail(
    meeting: Meeting,
    participant: Participant,
    *,
    link: str | None,
    locale: str,
    draft: tuple[str, Written] | None = None,
    as_template: bool = False,
) -> tuple[str, str]:
    """The subject and body of the e-mail that gives a seat, in `locale`: the organisers'
    template for that language when they saved one (`draft`, `as_template`: as in
    `render_registration_mail`), else the app's own e-mail with their introduction.

    The template has no `{link}`: most who are promoted keep the link they had, which cannot
    be written again. When a link is made now (someone who never had one), the app's own
    paragraph with it follows the organisers' text, so no template can leave it out."""
    with force_locale(locale):
        chosen = draft or (None if as_template else template_for(meeting, KIND_PROMOTED))
        if chosen is not None:
            language, written = chosen
            subject, body = fill_template(meeting, participant, language, written, {})
            if link:
                body += (
                    "\n"
                    + gettext(
                        "Your personal link shows your registration. Use it to change your "
                        "details, or to cancel if you can no longer come, so that the seat goes "
                        "to the next person. Keep it to yourself:"
                    )
                    + f"\n\n{link}\n"
                )
            return subject, body
        shown = AS_PLACEHOLDERS if as_template else None
        body = render_template(
            "email/registration_promoted.txt",
            participant=participant,
            meeting=meeting,
            link=None if as_template else link,
            intro=_intro(meeting, KIND_PROMOTED, participant, as_template),
            shown=shown,
        )
        subject = gettext(
            "A seat is now yours: %(meeting)s",
            meeting=shown["meeting"] if shown else in_language(meeting, "title"),
        )
    return subject, body


def notify_promoted(participants: Iterable[Participant]) -> list[int]:
    """Tell each newly promoted person that a seat is now theirs.

    The personal link is not in this e-mail: only the hash of its token is stored, so the
    link cannot be written again, and issuing a fresh token would silently break the link
    the person was told to keep (bookmarks, the confirmation e-mail, the waiting-list page).
    The e-mail points them to that link instead; it keeps working and now shows the seat.
    Someone who never had a link (added from a CSV file) has none to break: they get one
    made now, in this e-mail. (Someone who lost theirs gets a new one from the organisers:
    `renew_personal_link` and `queue_new_link_mail`.) Call it in the transaction that
    promoted them, so that the new link's hash is committed with the seat.
    """
    if not mail_configured():
        return []
    ids: list[int] = []
    for participant in participants:
        meeting = _meeting(participant)
        link = None
        if participant.token_hash is None:
            token, participant.token_hash = new_token()
            link = personal_link(token)
        subject, body = render_promoted_mail(
            meeting,
            participant,
            link=link,
            locale=mail_locale(participant.languages, meeting.languages),
        )
        message = queue_message(
            participant.email,
            subject,
            body,
            KIND_PROMOTED,
            meeting_id=meeting.id,
        )
        if message is not None:
            ids.append(message.id)
            participant.told_at = utcnow()
    return ids


RESEND_LINK_JOB = "registration.resend-link"


def resend_link_later(meeting_id: int, email: str) -> None:
    """ "Send me my link again": have a job make a new personal link for the registration of
    `email` in the meeting, if there is one, and e-mail it to that address. The request that
    asks learns nothing: whether the address is registered is found out by the job, after the
    response (the same for every address, in its content and its timing) has gone. Nothing
    happens without mail: a new link that cannot be sent would only break the old one."""
    if mail_configured():
        enqueue(RESEND_LINK_JOB, meeting_id, email)


@task(RESEND_LINK_JOB)
def resend_link(meeting_id: int, email: str) -> list[int]:
    """The job of `resend_link_later`: a new link (the old one stops working) e-mailed to the
    address the registration has, never to another. A cancelled registration gets none, as
    from the organisers (`renew_personal_link`). Returns the ids of the messages queued."""
    key = email_for_lookup(email)
    if key is None or not mail_configured():
        return []
    participant = db.session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id,
            Participant.email_normalized == key,
            Participant.status != Status.CANCELLED,
        )
    )
    if participant is None:
        return []
    try:
        renewed = renew_personal_link(participant)
    except DomainError:  # cancelled meanwhile
        db.session.rollback()
        return []
    ids = queue_new_link_mail(renewed)
    db.session.commit()
    send_later(ids)
    return ids
