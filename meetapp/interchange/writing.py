"""Writing a checked `meetapp/1` document into the database (`services.import_meeting` calls
it once every check has passed): the organisation, the meeting and everything it holds, in
batches, flushed and never committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from meetapp.agenda.services import KEY_LENGTH
from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.interchange.checks import InterchangeError, keyed_options, question_key
from meetapp.interchange.registration_questions import write_questions
from meetapp.interchange.schema import (
    EmailCache,
    MeetingDoc,
    MeetingDocument,
    OrganisationDoc,
)
from meetapp.keys import key_from_text, unique_key
from meetapp.meetings.access import usable_organisations_filter
from meetapp.meetings.services import save_partners
from meetapp.models import (
    AgendaSession,
    Contact,
    MailIntro,
    MailTemplate,
    Meeting,
    Organisation,
    Outcome,
    Participant,
    PressRelease,
    PressReleaseOverride,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    StakeholderGroup,
    Statement,
    StatementKind,
    Status,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from meetapp.models.registration import SeatChange, add_to_seat_counts, seat_change
from meetapp.models.surveys import KEY_MAX
from meetapp.surveys.conditions import check_condition
from meetapp.surveys.kinds import kind_of
from meetapp.surveys.open_link import new_open_key
from meetapp.surveys.services import (
    anonymous_day,
    answer_rows,
    answers_from_labels,
    check_answers,
)
from meetapp.tokens import new_token

_Row = TypeVar("_Row")


@dataclass
class ImportReport:
    meeting: Meeting
    participants: int = 0
    stakeholder_groups: int = 0
    contacts: int = 0
    speakers: int = 0
    sessions: int = 0
    statements: int = 0
    surveys: int = 0
    survey_responses: int = 0
    # Whether the import created the organisation that convenes the meeting.
    new_organisation: bool = False

    def summary(self) -> str:
        """'52 participants, 5 stakeholder groups, 2 contacts, 4 speakers, 7 sessions,
        9 statements, 1 survey with 38 responses' (the agenda's and the surveys' counts only
        when there are some)."""
        counts = [
            (self.participants, "participant"),
            (self.stakeholder_groups, "stakeholder group"),
            (self.contacts, "contact"),
        ]
        counts += [
            (number, noun)
            for number, noun in (
                (self.speakers, "speaker"),
                (self.sessions, "session"),
                (self.statements, "statement"),
            )
            if number
        ]
        text = ", ".join(_count(number, noun) for number, noun in counts)
        if self.surveys:
            text += (
                f", {_count(self.surveys, 'survey')} with "
                f"{_count(self.survey_responses, 'response')}"
            )
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def write_meeting(
    document: MeetingDocument,
    normalised_emails: list[str | None],
    importer: User | None,
    emails: EmailCache,
) -> ImportReport:
    organisation = _find_or_create_organisation(document.organisation, importer)
    new_organisation = organisation.id is None
    meeting = _new_meeting(document.meeting, organisation)
    db.session.add(meeting)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Another import took the slug between the check and now.
        raise InterchangeError(
            [f"meeting.slug: {json.dumps(meeting.slug)} is already used by another meeting"]
        ) from exc

    contacts = document.contacts or []
    for position, contact in enumerate(contacts):
        db.session.add(
            Contact(
                meeting_id=meeting.id,
                position=position,
                honorific=contact.honorific,
                name=contact.name,
                role=contact.role,
                organisation=contact.organisation,
                email=contact.email,
                phone=contact.phone,
                languages=list(contact.languages or []),
            )
        )

    for position, outcome in enumerate(document.outcomes or []):
        db.session.add(
            Outcome(
                meeting_id=meeting.id,
                position=position,
                kind=outcome.kind,
                text=outcome.text,
                addressed_to=outcome.addressed_to,
                is_news=bool(outcome.news),
            )
        )
    save_partners(meeting, document.meeting.partners or [])
    for kind, texts in (document.meeting.mail_intros or {}).items():
        for language, text in texts.items():
            db.session.add(
                MailIntro(meeting_id=meeting.id, kind=kind, language=language, text=text)
            )
    for kind, templates in (document.meeting.mail_templates or {}).items():
        for language, template in templates.items():
            db.session.add(
                MailTemplate(
                    meeting_id=meeting.id,
                    kind=kind,
                    language=language,
                    subject=template.subject,
                    body=template.body,
                )
            )
    now = utcnow()
    press_release = document.press_release
    if press_release is not None:
        if press_release.release_date is not None:
            db.session.add(
                PressRelease(
                    meeting_id=meeting.id, release_date=press_release.release_date, updated_at=now
                )
            )
        for section, text in press_release.overrides().items():
            db.session.add(
                PressReleaseOverride(
                    meeting_id=meeting.id, section=section, text=text, updated_at=now
                )
            )

    group_ids = {group.key: group.id for group in meeting.stakeholder_groups}
    participants = document.participants or []
    rows = (
        {
            "meeting_id": meeting.id,
            "name": participant.name,
            "honorific": participant.honorific,
            "email": participant.email,
            "email_normalized": email_normalized,
            "organisation": participant.organisation,
            "position": participant.position,
            "stakeholder_group_id": (
                group_ids[participant.stakeholder_group] if participant.stakeholder_group else None
            ),
            "country": participant.country,
            "languages": list(participant.languages or []),
            "status": participant.status or Status.REGISTERED.value,
            "attended": bool(participant.attended),
            "registered_at": participant.registered_at or now,
            "updated_at": now,
            "token_hash": new_token()[1],
        }
        for participant, email_normalized in zip(participants, normalised_emails, strict=True)
    )
    # The table's insert, not the ORM's: that one splits rows whose empty columns differ into
    # a statement each.
    counts = SeatChange()
    for batch in _batches(rows):
        db.session.execute(insert(Participant.__table__), batch)
        counts.add(seat_change(batch))
    add_to_seat_counts(db.session(), meeting.id, counts)
    db.session.flush()
    report = ImportReport(
        meeting=meeting,
        new_organisation=new_organisation,
        participants=len(participants),
        stakeholder_groups=len(group_ids),
        contacts=len(contacts),
    )
    write_questions(document, meeting, group_ids)
    _write_agenda(document, meeting, group_ids, report)
    _write_surveys(document, meeting, report, emails)
    return report


def _write_agenda(
    document: MeetingDocument, meeting: Meeting, group_ids: dict[str, int], report: ImportReport
) -> None:
    """Speakers, sessions with their speakers, and statements (keys checked beforehand)."""
    speakers = {
        doc.key: Speaker(
            meeting_id=meeting.id,
            key=doc.key,
            honorific=doc.honorific,
            name=doc.name,
            family_name=doc.family_name,
            name_order=doc.name_order,
            position=doc.position,
            organisation=doc.organisation,
            stakeholder_group_id=(
                group_ids[doc.stakeholder_group] if doc.stakeholder_group else None
            ),
            bio=doc.bio,
        )
        for doc in document.speakers or []
    }
    db.session.add_all(speakers.values())

    session_docs = document.sessions or []
    taken = [doc.key for doc in session_docs if doc.key]
    sessions: dict[str, AgendaSession] = {}
    for doc in session_docs:
        key = doc.key
        if not key:  # the format lets a session go without a key: one is made from its title
            key = unique_key(key_from_text(doc.title, KEY_LENGTH, "session"), taken)
            taken.append(key)
        sessions[key] = AgendaSession(
            meeting_id=meeting.id,
            key=key,
            title=doc.title,
            kind=doc.kind or SessionKind.OTHER.value,
            starts_at=doc.starts_at,
            ends_at=doc.ends_at,
            location=doc.location,
            description=doc.description,
            translations=doc.translations or {},
        )
    db.session.add_all(sessions.values())
    db.session.flush()

    parts = [
        {
            "session_id": session.id,
            "speaker_id": speakers[part.speaker].id,
            "role": part.role or SpeakerRole.SPEAKER.value,
            "sort_order": order,
        }
        for doc, session in zip(session_docs, sessions.values(), strict=True)
        for order, part in enumerate(doc.speakers or [])
    ]
    if parts:
        db.session.execute(insert(SessionSpeaker), parts)

    next_order: dict[str | None, int] = {}
    statements = []
    for said in document.statements or []:
        order = next_order.get(said.session, 0)
        next_order[said.session] = order + 1
        statements.append(
            {
                "meeting_id": meeting.id,
                "session_id": sessions[said.session].id if said.session else None,
                "speaker_id": speakers[said.speaker].id if said.speaker else None,
                "kind": said.kind or StatementKind.POINT.value,
                "text": said.text,
                "highlight": bool(said.highlight),
                "is_news": bool(said.news),
                "sort_order": order,
            }
        )
    if statements:
        db.session.execute(insert(Statement), statements)
    db.session.flush()
    report.speakers = len(speakers)
    report.sessions = len(sessions)
    report.statements = len(statements)


def _write_surveys(
    document: MeetingDocument, meeting: Meeting, report: ImportReport, emails: EmailCache
) -> None:
    """Each survey with its questions, then its responses and their answers in bulk, a batch
    at a time (the ids of a batch's responses come back from its insert, in order)."""
    if not document.surveys:
        return
    participant_ids = {
        email: (participant_id, group_id)
        for email, participant_id, group_id in db.session.execute(
            select(
                Participant.email_normalized, Participant.id, Participant.stakeholder_group_id
            ).where(Participant.meeting_id == meeting.id)
        )
    }
    now = utcnow()
    taken = {survey_doc.key for survey_doc in document.surveys if survey_doc.key}
    for survey_doc in document.surveys:
        key = survey_doc.key
        if key is None:  # as for sessions, a key is made from the title
            key = unique_key(key_from_text(survey_doc.title, KEY_MAX, "survey"), taken)
            taken.add(key)
        survey = Survey(
            meeting_id=meeting.id,
            key=key,
            title=survey_doc.title,
            intro=survey_doc.intro,
            anonymous=bool(survey_doc.anonymous),
            opens_at=survey_doc.opens_at,
            closes_at=survey_doc.closes_at,
            translations=survey_doc.translations or {},
            results_published=survey_doc.published_results is not None,
            published_questions=list(
                survey_doc.published_results.questions if survey_doc.published_results else []
            ),
            published_by_group=bool(
                survey_doc.published_results
                and survey_doc.published_results.by_group
                and not survey_doc.anonymous
            ),
            **_open_link_columns(survey_doc),
            questions=[
                SurveyQuestion(
                    key=question_key(question.key, position),
                    position=position,
                    kind=question.kind,
                    text=question.text,
                    required=bool(question.required),
                    quotable_in_release=bool(question.quotable_in_release),
                    options=(
                        keyed_options(list(question.options or []), question.option_keys)
                        if kind_of(question.kind).has_options
                        else []
                    ),
                    translations=question.translations or {},
                    scale=question.scale if kind_of(question.kind).has_scale else None,
                )
                for position, question in enumerate(survey_doc.questions or [])
            ],
        )
        _keep_conditions(survey.questions, survey_doc.questions or [])
        db.session.add(survey)
        db.session.flush()
        response_docs = survey_doc.responses or []
        for batch in _batches(iter(response_docs)):
            rows: list[dict[str, Any]] = []
            groups: list[int | None] = []
            for response_doc in batch:
                participant_id = group_id = None
                via_open_link = bool(response_doc.via_open_link)
                if response_doc.participant and not survey.anonymous and not via_open_link:
                    # Checked to be a participant's address, in its normal form.
                    email = emails.normalised(response_doc.participant) or ""
                    participant_id, group_id = participant_ids[email]
                groups.append(group_id)
                submitted_at = response_doc.submitted_at or now
                rows.append(
                    {
                        "survey_id": survey.id,
                        "participant_id": participant_id,
                        "stakeholder_group_id": group_id,
                        # An anonymous response keeps only its day, as on the answer page.
                        "submitted_at": (
                            anonymous_day(submitted_at) if survey.anonymous else submitted_at
                        ),
                        "language": response_doc.language,
                        "via_open_link": via_open_link,
                    }
                )
            ids = db.session.scalars(
                insert(SurveyResponse.__table__).returning(
                    SurveyResponse.__table__.c.id, sort_by_parameter_order=True
                ),
                rows,
            ).all()
            answers: list[dict[str, Any]] = []
            for response_id, group_id, response_doc in zip(ids, groups, batch, strict=True):
                clean = check_answers(
                    survey.questions,
                    answers_from_labels(survey.questions, response_doc.answers),
                    enforce_required=False,
                )
                chosen = _published_text_ids(survey, response_doc.published_texts)
                answers.extend(
                    {**row, "published_text": row["question_id"] in chosen}
                    for row in answer_rows(survey.questions, response_id, clean, group_id)
                )
            if answers:
                db.session.execute(insert(SurveyAnswer.__table__), answers)
        report.surveys += 1
        report.survey_responses += len(response_docs)
    db.session.flush()


def _published_text_ids(survey: Survey, keys: list[str] | None) -> set[int]:
    """The ids of the questions whose free-text answer a response's `published_texts` choose
    for the published results (checked to be free-text questions it answered)."""
    if not keys:
        return set()
    return {question.id for question in survey.questions if question.key in keys}


def _keep_conditions(questions: list[SurveyQuestion], docs: list[Any]) -> None:
    """Each question's `show_if` as kept: checked already (`checks`), with an option named by
    its label turned into its key and numbers as numbers (`conditions.Condition.as_json`)."""
    for position, (question, doc) in enumerate(zip(questions, docs, strict=True)):
        if doc.show_if is None:
            continue
        value = doc.show_if.value
        condition, _problems = check_condition(
            doc.show_if.question,
            doc.show_if.op,
            value if isinstance(value, list) else [value],
            questions[:position],
        )
        if condition is not None:
            referred = next(q for q in questions[:position] if q.key == condition.question)
            question.show_if = condition.as_json(referred)


def _open_link_columns(survey_doc: Any) -> dict[str, Any]:
    """The open link's settings of an imported survey. A link that had a code comes in turned
    off (the document never holds the code): an organiser sets a new one and turns it on. Its
    address is made when it is turned on, on this site."""
    doc = survey_doc.open_link
    if doc is None:
        return {}
    return {
        "open_link": doc.enabled and not doc.code_required,
        "open_counts_with_invited": doc.counts_with_invited is not False,
        "open_key": new_open_key() if doc.enabled and not doc.code_required else None,
    }


# Rows inserted by one statement: enough to be quick, few enough to hold little memory.
BATCH_ROWS = 5000


def _batches(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    """`rows` in lists of `BATCH_ROWS`."""
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch


def _find_or_create_organisation(doc: OrganisationDoc, importer: User | None) -> Organisation:
    """The organisation with exactly these details that `importer` may use (any, without an
    importer), or a new one created by the importer."""
    query = (
        select(Organisation)
        .where(
            Organisation.name == doc.name,
            Organisation.short_name.is_not_distinct_from(doc.short_name),
            Organisation.about.is_not_distinct_from(doc.about),
            Organisation.website.is_not_distinct_from(doc.website),
            Organisation.release_end.is_not_distinct_from(doc.release_end),
            Organisation.privacy_url.is_not_distinct_from(doc.privacy_url),
        )
        .order_by(Organisation.id)
        .limit(1)
    )
    condition = usable_organisations_filter(importer) if importer is not None else None
    if condition is not None:
        query = query.where(condition)
    existing = db.session.scalars(query).first()
    if existing is not None:
        return existing
    organisation = Organisation(
        name=doc.name,
        short_name=doc.short_name,
        about=doc.about,
        website=doc.website,
        release_end=doc.release_end,
        privacy_url=doc.privacy_url,
        created_by_id=importer.id if importer is not None else None,
    )
    db.session.add(organisation)
    return organisation


def _new_meeting(doc: MeetingDoc, organisation: Organisation) -> Meeting:
    meeting = Meeting(
        organisation=organisation,
        slug=doc.slug,
        title=doc.title,
        kind=doc.kind,
        topic=doc.topic,
        starts_at=doc.starts_at,
        ends_at=doc.ends_at,
        timezone=doc.timezone or "UTC",
        venue=doc.venue,
        online=bool(doc.online),
        city=doc.city,
        country=doc.country,
        languages=list(doc.languages or []),
        background=doc.background,
        capacity=doc.capacity,
        registration_opens_at=doc.registration_opens_at,
        registration_closes_at=doc.registration_closes_at,
        translations=doc.translations or {},
    )
    for position, group in enumerate(doc.stakeholder_groups or []):
        meeting.stakeholder_groups.append(
            StakeholderGroup(
                key=group.key,
                label=group.label,
                position=position,
                translations=group.translations or {},
            )
        )
    return meeting
