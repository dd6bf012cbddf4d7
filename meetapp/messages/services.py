"""Who a message goes to, what each person reads, and recording a message to send.

Recipients are chosen by filters (`RecipientFilter`) and fixed when the message is sent: one
`MessageRecipient` row each, written by one INSERT ... SELECT, so that sending to 5,000
people costs the request as much as sending to 5. The job in `meetapp.messages.sending`
then queues their e-mails.

Each recipient reads the version of the message in their language (`version_for`): the
first of their languages that the meeting has, else the meeting's first language; an empty
version falls back to the first language's. Placeholders (`PLACEHOLDERS`) are filled per
person with `meetapp.outbox.placeholders.fill`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, String, and_, cast, exists, func, insert, literal, or_, select

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import country_name, long_date
from meetapp.i18n import DEFAULT_LOCALE, shipped
from meetapp.locking import lock_meeting
from meetapp.models import (
    Meeting,
    MessageRecipient,
    OrganiserMessage,
    OutboxMessage,
    Participant,
    RecipientState,
    StakeholderGroup,
    Status,
    Survey,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyResponse,
    User,
)
from meetapp.outbox import placeholders
from meetapp.public_urls import public_url
from meetapp.registration.questions import (
    ANY_ANSWER,
    answer_condition,
    answer_filter_choices,
    form_questions,
)

KIND_ORGANISER_MESSAGE = "organiser_message"

# What an organiser may write in a subject or body, and what each gives.
PLACEHOLDERS = {
    "name": "the participant's name",
    "link": "their personal link (a new one is made when the message is sent)",
    "meeting": "the meeting's title",
    "dates": "the meeting's dates",
    "venue": "the venue, city and country",
    "agenda_link": "the public agenda's address",
    "survey_link": "their personal link to the chosen survey",
}
# Placeholders that give a personal link, which a cancelled registration cannot have.
LINK_PLACEHOLDERS = ("link", "survey_link")
SUBJECT_MAX = 300
BODY_MAX = 20_000


@dataclass
class RecipientFilter:
    """The participants a message goes to; None means "any"."""

    statuses: list[str] = field(default_factory=lambda: [Status.REGISTERED.value])
    group_id: int | None = None
    attended: bool | None = None
    language: str | None = None
    survey_id: int | None = None
    # With `survey_id`: True for those who answered it, False for those who have not.
    answered: bool | None = None
    # A registration question (its id) and an option of it, or "*" for any answer to it.
    question_id: int | None = None
    option_key: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "statuses": list(self.statuses),
            "group_id": self.group_id,
            "attended": self.attended,
            "language": self.language,
            "survey_id": self.survey_id,
            "answered": self.answered,
            "question_id": self.question_id,
            "option_key": self.option_key,
        }


@dataclass
class Version:
    """The message in one of the meeting's languages."""

    language: str
    subject: str = ""
    body: str = ""

    @property
    def empty(self) -> bool:
        return not self.subject.strip() and not self.body.strip()


def message_languages(meeting: Meeting) -> list[str]:
    """The languages a message is written in: the meeting's, in its order (English when it
    names none)."""
    seen: dict[str, None] = {}
    for code in meeting.languages or ():
        if code:
            seen.setdefault(str(code), None)
    return list(seen) or [DEFAULT_LOCALE]


def _base(code: str) -> str:
    """'km-KH', 'km_KH', 'KM' -> 'km'."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def version_for(
    versions: Sequence[Version], participant_languages: Sequence[str] | None
) -> Version:
    """The version a participant reads: the first of their languages that has a version,
    else the first version (the meeting's first language); an empty version falls back to
    the first.

    >>> en, km = Version("en", "Hello", "Body"), Version("km", "", "")
    >>> version_for([en, Version("km", "Soursdey", "...")], ["th", "km"]).language
    'km'
    >>> version_for([en, km], ["km"]).language
    'en'
    >>> version_for([en, km, Version("th", "Sawasdee", "...")], ["km", "th"]).language
    'th'
    """
    by_language = {
        _base(version.language): version for version in reversed(versions) if not version.empty
    }
    for code in participant_languages or ():
        found = by_language.get(_base(str(code)))
        if found is not None:
            return found
    return versions[0]


def check_versions(
    versions: Sequence[Version], survey: Survey | None, statuses: Sequence[str]
) -> dict[int, dict[str, list[str]]]:
    """What is wrong with the versions, by version index and field ('subject', 'body').

    The first version is required; another is written whole or left empty. A placeholder
    must be one of PLACEHOLDERS; {survey_link} needs a survey; a personal link cannot go to
    cancelled registrations.
    """
    errors: dict[int, dict[str, list[str]]] = {}

    def refuse(index: int, name: str, message: str) -> None:
        errors.setdefault(index, {}).setdefault(name, []).append(message)

    for index, version in enumerate(versions):
        if index > 0 and version.empty:
            continue
        for name, text, longest in (
            ("subject", version.subject, SUBJECT_MAX),
            ("body", version.body, BODY_MAX),
        ):
            if not text.strip():
                if index == 0:
                    refuse(index, name, f"Write the {name}.")
                else:
                    refuse(
                        index,
                        name,
                        f"Write the {name} too, or leave this language empty: its readers "
                        "then get the first language's version.",
                    )
                continue
            if len(text) > longest:
                refuse(index, name, f"At most {longest:,} characters.")
            if name == "subject" and ("\n" in text.strip() or "\r" in text.strip()):
                refuse(index, name, "The subject is one line.")
            unknown = placeholders.problems(text, PLACEHOLDERS)
            if unknown:
                refuse(
                    index,
                    name,
                    f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: "
                    f"{', '.join(unknown)}. Use only "
                    f"{', '.join('{' + key + '}' for key in PLACEHOLDERS)}.",
                )
            used = placeholders.names(text)
            if name == "subject":
                for key in LINK_PLACEHOLDERS:
                    if key in used:
                        refuse(
                            index,
                            name,
                            f"{{{key}}} goes in the body: the subject of a sent e-mail is kept "
                            "and shown on the participant's page, and a link must not be.",
                        )
            if "survey_link" in used and survey is None:
                refuse(index, name, "{survey_link} needs a survey: choose one under Survey.")
            if Status.CANCELLED in statuses:
                for key in LINK_PLACEHOLDERS:
                    if key in used:
                        refuse(
                            index,
                            name,
                            f"{{{key}}} cannot go to cancelled registrations, which have no "
                            "personal link: untick Cancelled, or remove it.",
                        )
    return errors


def uses_placeholder(versions: Sequence[Version], name: str) -> bool:
    return any(name in placeholders.names(v.subject + "\n" + v.body) for v in versions)


# --- recipients ----------------------------------------------------------------------------


def answered_condition(survey_id: int) -> ColumnElement[bool]:
    """The participant answered the survey: through an invitation (tracked or anonymous), or
    with a response of theirs (an imported one). The same rule as the survey's invitations."""
    used = (
        select(SurveyInvitation.id)
        .join(SurveyInvitationUse, SurveyInvitationUse.invitation_id == SurveyInvitation.id)
        .where(
            SurveyInvitation.survey_id == survey_id,
            SurveyInvitation.participant_id == Participant.id,
        )
        .exists()
    )
    responded = exists().where(
        SurveyResponse.survey_id == survey_id, SurveyResponse.participant_id == Participant.id
    )
    return or_(used, responded)


def speaks(code: str) -> ColumnElement[bool]:
    """The participant's languages (a JSON list of codes) contain `code`, or a regional form
    of it ('km' finds 'km' and 'km-KH'). Codes are letters and '-', so LIKE needs no escape."""
    as_text = cast(Participant.languages, String)
    return or_(as_text.like(f'%"{code}"%'), as_text.like(f'%"{code}-%'))


def recipient_conditions(meeting: Meeting, filters: RecipientFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Participant.meeting_id == meeting.id,
        Participant.status.in_(filters.statuses),
    ]
    if filters.group_id is not None:
        conditions.append(Participant.stakeholder_group_id == filters.group_id)
    if filters.attended is not None:
        conditions.append(Participant.attended.is_(filters.attended))
    if filters.language:
        conditions.append(speaks(filters.language))
    if filters.survey_id is not None and filters.answered is not None:
        answered = answered_condition(filters.survey_id)
        conditions.append(answered if filters.answered else ~answered)
    if filters.question_id is not None:
        conditions.append(answer_condition(filters.question_id, filters.option_key or ANY_ANSWER))
    return conditions


def count_recipients(meeting: Meeting, filters: RecipientFilter) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Participant)
            .where(and_(*recipient_conditions(meeting, filters)))
        )
        or 0
    )


def recipients(meeting: Meeting, filters: RecipientFilter, limit: int) -> list[Participant]:
    """The first `limit` recipients by name, to choose whose preview to show."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(*recipient_conditions(meeting, filters))
            .order_by(Participant.search_text, Participant.id)
            .limit(limit)
        )
    )


def recipient(
    meeting: Meeting, filters: RecipientFilter, participant_id: int
) -> Participant | None:
    """The participant `participant_id` if the filters choose them."""
    return db.session.scalar(
        select(Participant).where(
            Participant.id == participant_id, *recipient_conditions(meeting, filters)
        )
    )


def meeting_survey(meeting: Meeting, survey_id: int | None) -> Survey | None:
    if survey_id is None:
        return None
    return db.session.scalar(
        select(Survey).where(Survey.id == survey_id, Survey.meeting_id == meeting.id)
    )


def meeting_group(meeting: Meeting, group_id: int) -> StakeholderGroup | None:
    return db.session.scalar(
        select(StakeholderGroup).where(
            StakeholderGroup.id == group_id, StakeholderGroup.meeting_id == meeting.id
        )
    )


# --- what each person reads -----------------------------------------------------------------


def meeting_dates(meeting: Meeting, language: str) -> str:
    """'18 February 2019', or '18 February 2019 – 19 February 2019', in `language`."""
    locale = shipped(language) or DEFAULT_LOCALE
    start = long_date(meeting.starts_at, meeting.timezone, locale)
    end = long_date(meeting.ends_at, meeting.timezone, locale) if meeting.ends_at else ""
    return f"{start} – {end}" if end and end != start else start


def meeting_place(meeting: Meeting, language: str) -> str:
    locale = shipped(language) or DEFAULT_LOCALE
    parts = [
        meeting.text_in(language, "venue"),
        meeting.text_in(language, "city"),
        country_name(meeting.country, locale) if meeting.country else None,
    ]
    return ", ".join(" ".join(str(part).split()) for part in parts if part)


def placeholder_values(
    meeting: Meeting,
    participant: Participant,
    language: str,
    link: str,
    survey_link: str,
) -> dict[str, str]:
    """The value of every placeholder for one participant reading `language`."""
    return {
        "name": " ".join((participant.name or "").split()),
        "link": link,
        "meeting": " ".join(str(meeting.text_in(language, "title")).split()),
        "dates": meeting_dates(meeting, language),
        "venue": meeting_place(meeting, language),
        "agenda_link": public_url("agenda.public_agenda", slug=meeting.slug),
        "survey_link": survey_link,
    }


@dataclass
class Filled:
    language: str
    subject: str
    body: str
    # Placeholders of the text that have no value here (a meeting without a venue).
    empty: list[str] = field(default_factory=list)


def fill_for(
    meeting: Meeting,
    versions: Sequence[Version],
    participant: Participant,
    link: str,
    survey_link: str,
) -> Filled:
    """The subject and body `participant` gets."""
    version = version_for(versions, participant.languages)
    values = placeholder_values(meeting, participant, version.language, link, survey_link)
    used = placeholders.names(version.subject + "\n" + version.body)
    return Filled(
        version.language,
        placeholders.fill(version.subject, values),
        placeholders.fill(version.body, values),
        [f"{{{name}}}" for name in used if name in values and not values[name]],
    )


def preview(meeting: Meeting, versions: Sequence[Version], participant: Participant) -> Filled:
    """What `participant` would read, with the links that are made only when the message is
    sent written as a note."""
    return fill_for(
        meeting,
        versions,
        participant,
        "[a new personal link for this person, made when the message is sent]",
        "[this person's link to the survey, made when the message is sent]",
    )


# --- sending ----------------------------------------------------------------------------------


# The same message by the same author within this time is the same sending, asked twice.
SAME_MESSAGE_WITHIN = timedelta(minutes=10)


class SentAlready(DomainError):
    """The same message was just sent (`record_message`)."""


def record_message(
    meeting: Meeting,
    author: User,
    filters: RecipientFilter,
    versions: Sequence[Version],
    attach_ics: bool,
) -> OrganiserMessage:
    """Record the message and its recipients (fixed now); flushes, never commits. The caller
    enqueues `sending.QUEUE_JOB` after its commit. DomainError when nobody matches;
    SentAlready when the author sent the very same message moments ago (a double click, a
    form sent again): under the meeting's lock, so two such requests at once record one."""
    lock_meeting(meeting.id)
    written = [
        {"language": v.language, "subject": v.subject.strip(), "body": v.body} for v in versions
    ]
    recent = db.session.scalars(
        select(OrganiserMessage).where(
            OrganiserMessage.meeting_id == meeting.id,
            OrganiserMessage.author_id == author.id,
            OrganiserMessage.created_at >= utcnow() - SAME_MESSAGE_WITHIN,
        )
    )
    for earlier in recent:
        if earlier.versions == written and earlier.filters == filters.as_json():
            raise SentAlready(
                "This message went out moments ago to the same people: it is not sent twice."
            )
    message = OrganiserMessage(
        meeting_id=meeting.id,
        author_id=author.id,
        filters=filters.as_json(),
        versions=written,
        survey_id=filters.survey_id,
        attach_ics=attach_ics,
        total=0,
        queued=0,
        skipped=0,
    )
    db.session.add(message)
    db.session.flush()
    chosen = select(literal(message.id), Participant.id, literal(RecipientState.WAITING)).where(
        *recipient_conditions(meeting, filters)
    )
    db.session.execute(
        insert(MessageRecipient).from_select(["message_id", "participant_id", "state"], chosen)
    )
    # Counted, not taken from the INSERT's rowcount, which not every driver reports for an
    # INSERT ... SELECT.
    total = int(
        db.session.scalar(
            select(func.count())
            .select_from(MessageRecipient)
            .where(MessageRecipient.message_id == message.id)
        )
        or 0
    )
    if total <= 0:
        raise DomainError("Nobody matches these filters: nothing was sent.", field="statuses")
    message.total = total
    db.session.flush()
    current_app.logger.info("message %s to %s participants recorded", message.id, total)
    return message


def stored_versions(message: OrganiserMessage) -> list[Version]:
    return [
        Version(v.get("language", ""), v.get("subject", ""), v.get("body", ""))
        for v in message.versions or []
    ]


# --- history ----------------------------------------------------------------------------------


STATUS_NAMES = {"registered": "registered", "waitlisted": "waiting list", "cancelled": "cancelled"}


def describe_filters(
    filters: dict[str, Any],
    groups: dict[int, str],
    surveys: dict[int, str],
    answers: dict[str, str] | None = None,
) -> str:
    """Who a message went to, in a line: 'registered · Government · speaks km · not answered
    “After the meeting”'. A group or survey deleted since is said to be so.

    >>> describe_filters({"statuses": ["registered", "waitlisted"], "attended": False,
    ...     "language": "km", "survey_id": 3, "answered": False}, {}, {3: "After"})
    'registered, waiting list · did not attend · speaks km · not answered “After”'
    """
    parts = [", ".join(STATUS_NAMES.get(s, s) for s in filters.get("statuses") or [])]
    group_id = filters.get("group_id")
    if group_id is not None:
        parts.append(groups.get(group_id, "a group since removed"))
    attended = filters.get("attended")
    if attended is not None:
        parts.append("attended" if attended else "did not attend")
    if filters.get("language"):
        parts.append(f"speaks {filters['language']}")
    survey_id, answered = filters.get("survey_id"), filters.get("answered")
    if survey_id is not None and answered is not None:
        title = surveys.get(survey_id, "a survey since removed")
        parts.append(f"{'answered' if answered else 'not answered'} “{title}”")
    question_id = filters.get("question_id")
    if question_id is not None:
        chosen = f"{question_id}:{filters.get('option_key') or ANY_ANSWER}"
        parts.append((answers or {}).get(chosen, "an answer to a question since removed"))
    return " · ".join(part for part in parts if part)


@dataclass
class HistoryRow:
    message: OrganiserMessage
    author: str | None
    statuses: dict[str, int]
    to: str = ""

    @property
    def sent(self) -> int:
        return self.statuses.get("sent", 0)

    @property
    def failed(self) -> int:
        return self.statuses.get("failed", 0)

    @property
    def waiting(self) -> int:
        return self.statuses.get("queued", 0) + self.statuses.get("sending", 0)


def history(meeting: Meeting) -> list[HistoryRow]:
    """The meeting's messages, newest first, with the delivery status of their e-mails and
    whom they went to (four queries, whatever the number of messages and recipients)."""
    rows = db.session.execute(
        select(OrganiserMessage, User.name)
        .outerjoin(User, User.id == OrganiserMessage.author_id)
        .where(OrganiserMessage.meeting_id == meeting.id)
        .order_by(OrganiserMessage.id.desc())
    ).all()
    counts: dict[int, dict[str, int]] = {}
    if rows:
        for message_id, status, count in db.session.execute(
            select(MessageRecipient.message_id, OutboxMessage.status, func.count())
            .join(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_message_id)
            .join(OrganiserMessage, OrganiserMessage.id == MessageRecipient.message_id)
            .where(OrganiserMessage.meeting_id == meeting.id)
            .group_by(MessageRecipient.message_id, OutboxMessage.status)
        ):
            counts.setdefault(message_id, {})[status] = count
    groups: dict[int, str] = {}
    surveys: dict[int, str] = {}
    answers: dict[str, str] = {}
    if any((message.filters or {}).get("question_id") is not None for message, _ in rows):
        answers = dict(answer_filter_choices(form_questions(meeting.id, archived=True)))
    if rows:
        groups = {
            row.id: row.label
            for row in db.session.execute(
                select(StakeholderGroup.id, StakeholderGroup.label).where(
                    StakeholderGroup.meeting_id == meeting.id
                )
            )
        }
        surveys = {
            row.id: row.title
            for row in db.session.execute(
                select(Survey.id, Survey.title).where(Survey.meeting_id == meeting.id)
            )
        }
    return [
        HistoryRow(
            message,
            author,
            counts.get(message.id, {}),
            describe_filters(message.filters or {}, groups, surveys, answers),
        )
        for message, author in rows
    ]
