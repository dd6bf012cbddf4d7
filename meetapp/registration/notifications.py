"""E-mails to registrants, queued in the outbox: confirmation, waiting list, promotion.

Each function queues (flushes, never commits) and returns the ids of the queued messages;
the view commits and then hands the ids to `meetapp.outbox.services.deliver_queued`. When
mail is not configured nothing is queued and the lists are empty.

Views of other capabilities that give people a seat (an organiser cancels or promotes a
participant, or raises the capacity) call `notify_promoted` with what
`cancel_registration`, `promote_participant` or `promote_waitlisted` returned.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, render_template, url_for

from meetapp.extensions import db
from meetapp.models import Meeting, Participant, Status
from meetapp.outbox.services import mail_configured, queue_message
from meetapp.registration.services import NewRegistration

KIND_CONFIRMATION = "registration_confirmation"
KIND_WAITLISTED = "registration_waitlisted"
KIND_PROMOTED = "registration_promoted"


def personal_link(token: str) -> str:
    """The absolute personal link: PUBLIC_BASE_URL (scheme and host) when set, else the
    address the current request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for("registration.manage", token=token)
    return url_for("registration.manage", token=token, _external=True)


def _meeting(participant: Participant) -> Meeting:
    # From the identity map when the meeting was locked in this transaction.
    return db.session.get_one(Meeting, participant.meeting_id)


def queue_registration_mail(registration: NewRegistration) -> list[int]:
    """Confirm a new registration, or tell a waitlisted registrant their place, with the link."""
    if not mail_configured():
        return []
    participant, token, place = registration.participant, registration.token, registration.place
    meeting = _meeting(participant)
    waitlisted = participant.status == Status.WAITLISTED
    template = "email/registration_waitlisted.txt" if waitlisted else "email/registration.txt"
    subject = (
        f"Waiting list, place {place}: {meeting.title}"
        if waitlisted
        else f"Registration confirmed: {meeting.title}"
    )
    body = render_template(
        template,
        participant=participant,
        meeting=meeting,
        place=place,
        link=personal_link(token),
    )
    message = queue_message(
        participant.email,
        subject,
        body,
        KIND_WAITLISTED if waitlisted else KIND_CONFIRMATION,
        meeting_id=meeting.id,
    )
    return [message.id] if message is not None else []


def notify_promoted(participants: Iterable[Participant]) -> list[int]:
    """Tell each newly promoted person that a seat is now theirs.

    The personal link is not in this e-mail: only the hash of its token is stored, so the
    link cannot be written again, and issuing a fresh token would silently break the link
    the person was told to keep (bookmarks, the confirmation e-mail, the waiting-list page).
    The e-mail points them to that link instead; it keeps working and now shows the seat.
    """
    if not mail_configured():
        return []
    ids: list[int] = []
    for participant in participants:
        meeting = _meeting(participant)
        body = render_template(
            "email/registration_promoted.txt", participant=participant, meeting=meeting
        )
        message = queue_message(
            participant.email,
            f"A seat is now yours: {meeting.title}",
            body,
            KIND_PROMOTED,
            meeting_id=meeting.id,
        )
        if message is not None:
            ids.append(message.id)
    return ids
