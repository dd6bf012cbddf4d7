"""The job that queues an organiser's message, one e-mail per recipient, in chunks.

Each chunk is its own transaction: it takes the message's row for writing (so two runs of
the job never work on the same message at once), queues the e-mails of the next recipients
still waiting, marks them queued and counts them on the message, and commits; its e-mails
are handed to the outbox's deliverer after that commit. A job that dies mid-way is simply
run again: what was committed is done, the rest is still waiting, and no recipient is
queued twice (one row per message and participant, unique, with its state).

A message with {link} makes each recipient a new personal link, as "Send the personal link"
does (`renew_personal_link`; the e-mails still waiting with the old link are withdrawn); one
with {survey_link} makes them a link to the survey through its invitations, as the survey's
own invitations do (`issue_token`).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from meetapp.agenda import calendar
from meetapp.agenda.services import agenda_sessions
from meetapp.database import begin_write, utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.jobs import task
from meetapp.messages.services import (
    KIND_ORGANISER_MESSAGE,
    fill_for,
    stored_versions,
    uses_placeholder,
)
from meetapp.models import (
    Meeting,
    MessageRecipient,
    MessageState,
    OrganiserMessage,
    Participant,
    RecipientState,
    Status,
    Survey,
    SurveyInvitation,
)
from meetapp.outbox.services import add_attachment, mail_configured, queue_message, send_later
from meetapp.public_urls import public_url
from meetapp.registration.notifications import personal_link, withdraw_link_mail
from meetapp.registration.services import renew_personal_link
from meetapp.surveys.invitations import survey_link
from meetapp.surveys.services import issue_token

QUEUE_JOB = "messages.queue"
CHUNK = 500


class MailNotConfigured(RuntimeError):
    """The message cannot be queued without an SMTP server; the job fails, to be run again
    from the Jobs page once mail is configured."""


@task(QUEUE_JOB)
def queue_organiser_message(message_id: int) -> int:
    """Queue every recipient's e-mail, chunk by chunk; returns how many chunks it took."""
    chunks = 0
    while queue_chunk(message_id):
        chunks += 1
    return chunks


def _attachment_id(message: OrganiserMessage, meeting: Meeting) -> int | None:
    """The meeting's .ics, made once for the whole message (its first chunk)."""
    if not message.attach_ics:
        return None
    if message.attachment_id is None:
        body = calendar.agenda_calendar(
            meeting,
            agenda_sessions(meeting),
            public_url("agenda.public_agenda", slug=meeting.slug),
        )
        attachment = add_attachment(
            f"{meeting.slug}.ics", "text/calendar; charset=utf-8", body, meeting_id=meeting.id
        )
        message.attachment_id = attachment.id
    return message.attachment_id


def _invitations(survey: Survey, participant_ids: list[int]) -> dict[int, SurveyInvitation]:
    """The survey's invitation of each participant, made for those who have none."""
    found = {
        invitation.participant_id: invitation
        for invitation in db.session.scalars(
            select(SurveyInvitation).where(
                SurveyInvitation.survey_id == survey.id,
                SurveyInvitation.participant_id.in_(participant_ids),
            )
        )
    }
    now = utcnow()
    new = [
        SurveyInvitation(survey_id=survey.id, participant_id=pid, created_at=now)
        for pid in participant_ids
        if pid not in found
    ]
    if new:
        db.session.add_all(new)
        db.session.flush()
        found.update({invitation.participant_id: invitation for invitation in new})
    return found


def queue_chunk(message_id: int, size: int | None = None) -> bool:
    """Queue the e-mails of the next `size` (CHUNK) recipients still waiting, in one
    transaction; False once none is left (the message is then marked done)."""
    size = size or CHUNK
    if not mail_configured():
        raise MailNotConfigured(f"message {message_id}: no SMTP server is configured")
    begin_write(db.session())
    message = db.session.scalar(
        select(OrganiserMessage).where(OrganiserMessage.id == message_id).with_for_update()
    )
    if message is None or message.state == MessageState.DONE:
        db.session.commit()
        return False
    meeting = db.session.get_one(Meeting, message.meeting_id)
    rows = db.session.execute(
        select(MessageRecipient, Participant)
        .join(Participant, Participant.id == MessageRecipient.participant_id)
        .where(
            MessageRecipient.message_id == message.id,
            MessageRecipient.state == RecipientState.WAITING,
        )
        .order_by(MessageRecipient.id)
        .limit(size)
    ).all()
    if not rows:
        message.state = MessageState.DONE
        message.finished_at = utcnow()
        db.session.commit()
        return False

    versions = stored_versions(message)
    wants_link = uses_placeholder(versions, "link")
    survey = None
    wants_survey = uses_placeholder(versions, "survey_link")
    if wants_survey and message.survey_id is not None:
        survey = db.session.get(Survey, message.survey_id)
    # The survey was deleted since Send: a message for its link has nothing left to say.
    survey_gone = wants_survey and survey is None
    invitations = _invitations(survey, [p.id for _, p in rows]) if survey else {}
    attachment_id = _attachment_id(message, meeting)
    now = utcnow()
    queued: list[int] = []
    for recipient, participant in rows:
        link = survey_url = ""
        if survey_gone or (
            (wants_link or survey is not None) and participant.status == Status.CANCELLED
        ):
            # Cancelled since the message was sent (a cancelled registration has no link), or
            # the survey it links to is gone.
            recipient.state = RecipientState.SKIPPED
            message.skipped += 1
            continue
        if wants_link:
            try:
                renewed = renew_personal_link(participant)
            except DomainError:
                recipient.state = RecipientState.SKIPPED
                message.skipped += 1
                continue
            withdraw_link_mail(participant)
            link = personal_link(renewed.token)
        invitation = invitations.get(participant.id)
        if invitation is not None:
            survey_url = survey_link(issue_token(invitation, now))
        filled = fill_for(meeting, versions, participant, link, survey_url)
        outbox = queue_message(
            participant.email,
            filled.subject,
            filled.body,
            KIND_ORGANISER_MESSAGE,
            meeting_id=meeting.id,
            attachment_id=attachment_id,
        )
        if outbox is None:  # mail was switched off meanwhile: nothing of this chunk is kept
            db.session.rollback()
            raise MailNotConfigured(f"message {message_id}: no SMTP server is configured")
        recipient.state = RecipientState.QUEUED
        recipient.outbox_message_id = outbox.id
        if invitation is not None:
            invitation.last_message_id = outbox.id
        message.queued += 1
        queued.append(outbox.id)
    progress = (len(queued), message.queued + message.skipped, message.total)
    # Nothing is read after the commit: a read would begin a transaction that the next
    # chunk's write could not take over on SQLite.
    db.session.commit()
    current_app.logger.info("message %s: %s e-mails queued (%s of %s)", message_id, *progress)
    send_later(queued)
    return True
