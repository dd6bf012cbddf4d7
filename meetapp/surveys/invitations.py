"""Invitations to a survey: personal links for chosen participants, sent through the outbox.

A personal link is `/s/<token>`: 256 random bits, of which only the SHA-256 is stored, so a
link can be written only when it is made. A reminder therefore makes a new link for the same
invitation (earlier links keep working). Without SMTP the links are handed to the organiser as
a CSV file in the response that made them.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from defusedcsv import csv as safe_csv
from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import exists, select

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.i18n import in_language, locale_code, mail_locale
from meetapp.models import (
    Meeting,
    OutboxMessage,
    Participant,
    StakeholderGroup,
    Status,
    Survey,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyResponse,
)
from meetapp.outbox.intros import chosen_intro, intro_for, intros
from meetapp.outbox.mail_templates import (
    AS_PLACEHOLDERS,
    Written,
    fill_template,
    template_for,
    templates,
)
from meetapp.outbox.services import FAILED, claimable, queue_message
from meetapp.public_urls import public_url
from meetapp.surveys.services import issue_token

KIND_INVITATION = "survey_invitation"
KIND_REMINDER = "survey_reminder"

AUDIENCES = {
    "registered": "Everyone registered",
    "attended": "Those who attended",
    "group": "One stakeholder group (registered)",
}


@dataclass
class Link:
    """A personal link made just now, for one participant."""

    invitation: SurveyInvitation
    participant: Participant
    token: str


def survey_link(token: str) -> str:
    """The absolute survey link, under the configured public address (see
    `meetapp.public_urls`)."""
    return public_url("surveys.answer", token=token)


def invite(survey: Survey, audience: str, group_id: int | None = None) -> list[Link]:
    """Invite the chosen participants who are not invited yet; returns their new links."""
    query = select(Participant).where(
        Participant.meeting_id == survey.meeting_id, Participant.status == Status.REGISTERED
    )
    if audience == "attended":
        query = query.where(Participant.attended.is_(True))
    elif audience == "group":
        group = db.session.scalar(
            select(StakeholderGroup.id).where(
                StakeholderGroup.id == group_id, StakeholderGroup.meeting_id == survey.meeting_id
            )
        )
        if group is None:
            raise DomainError("Choose one of the meeting's stakeholder groups.", field="group")
        query = query.where(Participant.stakeholder_group_id == group)
    elif audience != "registered":
        raise DomainError("Choose who to invite.", field="audience")
    already = exists().where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.participant_id == Participant.id
    )
    people = list(db.session.scalars(query.where(~already).order_by(Participant.name)))
    now = utcnow()
    invitations = [
        SurveyInvitation(survey_id=survey.id, participant_id=person.id, created_at=now)
        for person in people
    ]
    db.session.add_all(invitations)
    db.session.flush()
    return [
        Link(invitation, person, issue_token(invitation, now))
        for invitation, person in zip(invitations, people, strict=True)
    ]


def _answered(survey: Survey) -> Any:
    """An invitation was used, or its participant answered without it (an imported response)."""
    return exists().where(
        SurveyInvitationUse.invitation_id == SurveyInvitation.id
    ) | exists().where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.participant_id == SurveyInvitation.participant_id,
    )


def unanswered_links(survey: Survey) -> list[Link]:
    """New links for every invitation not used yet (for reminders and the CSV of links)."""
    used = _answered(survey)
    rows = db.session.execute(
        select(SurveyInvitation, Participant)
        .join(Participant, Participant.id == SurveyInvitation.participant_id)
        .where(SurveyInvitation.survey_id == survey.id, ~used)
        .where(Participant.status != Status.CANCELLED)
        .order_by(Participant.name, Participant.id)
    ).all()
    now = utcnow()
    return [Link(row[0], row[1], issue_token(row[0], now)) for row in rows]


def render_survey_mail(
    meeting: Meeting,
    survey: Survey,
    participant: Participant,
    *,
    link: str,
    reminder: bool,
    locale: str,
    texts: dict[str, str] | None = None,
    saved: dict[str, Written] | None = None,
    draft: tuple[str, Written] | None = None,
    as_template: bool = False,
) -> tuple[str, str]:
    """The subject and body of a survey invitation or reminder in `locale`: the organisers'
    template for that language when they saved one, else the app's own e-mail with their
    introduction for that language (`texts`: `intros(meeting.id, kind)`, `saved`:
    `templates(meeting.id, kind)`, each read once for all the recipients). `draft` and
    `as_template` are as in `meetapp.registration.notifications.render_registration_mail`
    (written out as a template, the survey's title is a placeholder)."""
    kind = KIND_REMINDER if reminder else KIND_INVITATION
    with force_locale(locale):
        chosen = draft or (None if as_template else template_for(meeting, kind, saved))
        if chosen is not None:
            language, written = chosen
            title = " ".join(str(survey.text_in(language, "title") or "").split())
            return fill_template(
                meeting, participant, language, written, {"survey": title}, survey_link=link
            )
        shown = AS_PLACEHOLDERS if as_template else None
        if shown:
            subject = f"{shown['survey']} · {shown['meeting']}"
            found = chosen_intro(meeting, kind, locale_code(), texts)
            intro = found[1].strip() if found else ""
        else:
            subject = f"{in_language(survey, 'title')} · {in_language(meeting, 'title')}"
            intro = intro_for(meeting, kind, participant, texts)
        if reminder:
            subject = gettext("Reminder: %(subject)s", subject=subject)
        body = render_template(
            "email/survey_invitation.txt",
            participant=participant,
            meeting=meeting,
            survey=survey,
            link=link,
            reminder=reminder,
            intro=intro,
            shown=shown,
        )
    return subject, body


def queue_mails(meeting: Meeting, survey: Survey, links: list[Link], reminder: bool) -> list[int]:
    """Queue one e-mail per link (none when mail is not configured); returns the message ids."""
    ids: list[int] = []
    kind = KIND_REMINDER if reminder else KIND_INVITATION
    texts = intros(meeting.id, kind)
    saved = templates(meeting.id, kind)
    for link in links:
        # In the participant's language, also when a background job sends them.
        subject, body = render_survey_mail(
            meeting,
            survey,
            link.participant,
            link=survey_link(link.token),
            reminder=reminder,
            locale=mail_locale(link.participant.languages, meeting.languages),
            texts=texts,
            saved=saved,
        )
        message = queue_message(
            link.participant.email,
            subject,
            body,
            kind,
            meeting_id=meeting.id,
        )
        if message is None:
            continue
        link.invitation.last_message_id = message.id
        if reminder:
            link.invitation.reminders += 1
        ids.append(message.id)
    db.session.flush()
    return ids


def links_csv(links: list[Link]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = safe_csv.writer(buffer)
    writer.writerow(["name", "email", "link"])
    for link in links:
        writer.writerow([link.participant.name, link.participant.email, survey_link(link.token)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass
class InvitationRow:
    name: str
    email: str
    group: str | None
    answered: bool
    reminders: int
    message_status: str | None
    message_error: str | None
    message_attempts: int
    # The message can be sent (again) now: queued, failed, or abandoned while 'sending'.
    message_pending: bool


@dataclass
class InvitationOverview:
    rows: list[InvitationRow]
    invited: int
    answered: int
    by_status: Counter[str]
    pending_message_ids: list[int]


def invitation_overview(survey: Survey) -> InvitationOverview:
    """Every invitation with whether it was used and its last e-mail's status (one query).

    The pending messages are those a delivery would send now; a message another deliverer
    is sending (within its lease) is not pending, so it is not offered for a retry.
    """
    used = _answered(survey)
    rows: list[InvitationRow] = []
    pending: list[int] = []
    by_status: Counter[str] = Counter()
    for (
        name,
        email,
        group,
        answered,
        reminders,
        message_id,
        status,
        error,
        attempts,
        pending_now,
    ) in db.session.execute(
        select(
            Participant.name,
            Participant.email,
            StakeholderGroup.label,
            used.label("answered"),
            SurveyInvitation.reminders,
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.last_error,
            OutboxMessage.attempts,
            claimable().label("pending"),
        )
        .join(Participant, Participant.id == SurveyInvitation.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.stakeholder_group_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == SurveyInvitation.last_message_id)
        .where(SurveyInvitation.survey_id == survey.id)
        .order_by(Participant.name, Participant.id)
    ):
        rows.append(
            InvitationRow(
                name=name,
                email=email,
                group=group,
                answered=bool(answered),
                reminders=reminders,
                message_status=status,
                message_error=error if status == FAILED else None,
                message_attempts=attempts or 0,
                message_pending=bool(pending_now),
            )
        )
        if status is not None:
            by_status[status] += 1
        if pending_now:
            pending.append(message_id)
    return InvitationOverview(
        rows=rows,
        invited=len(rows),
        answered=sum(1 for row in rows if row.answered),
        by_status=by_status,
        pending_message_ids=pending,
    )
