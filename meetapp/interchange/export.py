"""Export of a whole meeting as a `meetapp/1` JSON document, written piece by piece: the
participants and the survey responses are streamed from the database and written one per line,
so that a meeting of 100,000 participants takes no more memory than one of ten (see
`meetapp.exports`).

The document is indented by two spaces, except that each participant and each response is one
line; times are given in the meeting's time zone with its offset. Its shape is that of the
models the import validates with (`meetapp.interchange.schema`): the rows are put into those
models and dumped, so that the keys, their order, the keys left out when empty and the way
times and single-line texts are written are stated once, there. Every key of the format's first
version is present (null or an empty list when there is nothing), so that export -> import ->
export is stable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import groupby, islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetapp.agenda.services import session_order_by
from meetapp.exports import JSON, Export, JsonArray, json_pieces, sorted_externally, streamed
from meetapp.extensions import db
from meetapp.interchange.registration_questions import exported_answers, exported_questions
from meetapp.interchange.schema import (
    DAYS_ONLY,
    FORMAT,
    ContactDoc,
    MailTemplateDoc,
    MeetingDoc,
    MeetingDocument,
    OpenLinkDoc,
    OrganisationDoc,
    OutcomeDoc,
    ParticipantDoc,
    PartnerDoc,
    PressReleaseDoc,
    PublishedResultsDoc,
    QuestionDoc,
    RegistrationOptionDoc,
    RegistrationQuestionDoc,
    ResponseDoc,
    SessionDoc,
    SessionSpeakerDoc,
    ShowIfDoc,
    SpeakerDoc,
    StakeholderGroupDoc,
    StatementDoc,
    SurveyDoc,
)
from meetapp.meetings import mail_intros, mail_templates
from meetapp.meetings.translations import rule_of
from meetapp.models import (
    AgendaSession,
    Contact,
    Meeting,
    Outcome,
    Participant,
    Partner,
    PressRelease,
    PressReleaseOverride,
    Speaker,
    Statement,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from meetapp.models.surveys import derive_option_keys
from meetapp.models.texts import Translatable
from meetapp.surveys.kinds import kind_of
from meetapp.validation import one_line

When = Callable[[datetime | None], datetime | None]


def meeting_json(meeting: Meeting) -> Export:
    """The export as a file, `<slug>.json`."""
    return Export.text(f"{meeting.slug}.json", JSON, lambda: _pieces(meeting))


def _pieces(meeting: Meeting) -> Iterator[str]:
    yield from json_pieces(meeting_document(meeting))
    yield "\n"


def export_meeting(meeting: Meeting) -> dict[str, Any]:
    """The exported document as a value (what `meeting_json` writes, read back)."""
    document: dict[str, Any] = json.loads("".join(_pieces(meeting)))
    return document


def meeting_document(meeting: Meeting) -> dict[str, Any]:
    """The meeting as a `meetapp/1` document: a `MeetingDocument` built from the rows (with
    `model_construct`: stored rows are not validated again, and a row stored before a rule
    held is still exported) and dumped. The participants and each survey's responses are
    `JsonArray`s in their places instead, read from the database and dumped one by one as
    they are written."""
    zone = _zone(meeting.timezone)

    def when(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value is not None else None

    organisation = meeting.organisation
    groups = sorted(meeting.stakeholder_groups, key=lambda group: (group.position, group.id))
    group_keys = {group.id: group.key for group in groups}
    questions = exported_questions(meeting.id)
    contacts = db.session.scalars(
        select(Contact)
        .where(Contact.meeting_id == meeting.id)
        .order_by(Contact.position, Contact.id)
    )
    speakers, sessions, statements = _export_agenda(meeting, group_keys, when)
    outcomes = db.session.scalars(
        select(Outcome)
        .where(Outcome.meeting_id == meeting.id)
        .order_by(Outcome.position, Outcome.id)
    )
    surveys, responses = _export_surveys(meeting, when)
    document = MeetingDocument.model_construct(
        format=FORMAT,
        organisation=OrganisationDoc.model_construct(
            name=organisation.name,
            short_name=organisation.short_name,
            about=organisation.about,
            website=organisation.website,
            release_end=organisation.release_end,
            privacy_url=organisation.privacy_url,
        ),
        meeting=MeetingDoc.model_construct(
            slug=meeting.slug,
            title=meeting.title,
            kind=meeting.kind,
            topic=meeting.topic,
            starts_at=when(meeting.starts_at),
            ends_at=when(meeting.ends_at),
            timezone=meeting.timezone,
            venue=meeting.venue,
            city=meeting.city,
            country=meeting.country,
            languages=list(meeting.languages or []),
            background=meeting.background,
            capacity=meeting.capacity,
            registration_opens_at=when(meeting.registration_opens_at),
            registration_closes_at=when(meeting.registration_closes_at),
            stakeholder_groups=[
                StakeholderGroupDoc.model_construct(
                    key=group.key, label=group.label, translations=_translations(group)
                )
                for group in groups
            ],
            online=meeting.online,
            partners=_partners(meeting),
            translations=_translations(meeting),
            mail_intros=mail_intros.stored(meeting),
            mail_templates={
                kind: {
                    language: MailTemplateDoc.model_construct(
                        subject=written.subject, body=written.body
                    )
                    for language, written in by_language.items()
                }
                for kind, by_language in mail_templates.stored(meeting).items()
            },
            registration_questions=[
                RegistrationQuestionDoc.model_construct(
                    **{
                        **question,
                        "options": [
                            RegistrationOptionDoc.model_construct(**option)
                            for option in question.get("options", [])
                        ],
                    }
                )
                for question in questions
            ],
        ),
        speakers=speakers,
        sessions=sessions,
        statements=statements,
        outcomes=[
            OutcomeDoc.model_construct(
                kind=outcome.kind,
                text=outcome.text,
                addressed_to=outcome.addressed_to,
                news=outcome.is_news,
            )
            for outcome in outcomes
        ],
        contacts=[
            ContactDoc.model_construct(
                honorific=contact.honorific,
                name=contact.name,
                role=contact.role,
                organisation=contact.organisation,
                email=contact.email,
                phone=contact.phone,
                languages=list(contact.languages or []),
            )
            for contact in contacts
        ],
        # Written row by row below.
        participants=[],
        surveys=surveys,
        press_release=_export_press_release(meeting),
    ).model_dump(mode="json")
    # The long arrays in their places (assigning to a key keeps its place in the dict).
    document["participants"] = JsonArray(
        _participant_docs(meeting, group_keys, when, bool(questions))
    )
    for survey, its_responses in zip(document["surveys"], responses, strict=True):
        survey["responses"] = its_responses
    return document


def _participant_docs(
    meeting: Meeting, group_keys: dict[int, str], when: When, with_answers: bool
) -> Iterator[dict[str, Any]]:
    """The participants in the order they were added, from one streamed query of the columns
    named as the fields of `ParticipantDoc`, each dumped as one. Their answers to the
    registration questions, when the meeting has any, are read for a chunk of them at a time."""
    keys = [key for key in ParticipantDoc.model_fields if key != "answers"]
    rows = streamed(
        select(
            Participant.id,
            *(
                Participant.stakeholder_group_id
                if key == "stakeholder_group"
                else getattr(Participant, key)
                for key in keys
            ),
        )
        .where(Participant.meeting_id == meeting.id)
        .order_by(Participant.id)
    )
    for chunk in _chunks(rows, ANSWER_CHUNK):
        answers = exported_answers(meeting.id, [row[0] for row in chunk]) if with_answers else {}
        for row in chunk:
            doc = dict(zip(keys, row[1:], strict=True))
            group_id = doc["stakeholder_group"]
            doc["stakeholder_group"] = group_keys.get(group_id) if group_id is not None else None
            doc["languages"] = list(doc["languages"] or [])
            doc["registered_at"] = when(doc["registered_at"])
            doc["answers"] = answers.get(row[0])
            yield ParticipantDoc.model_construct(**doc).model_dump(mode="json")


# Participants whose answers are read in one query.
ANSWER_CHUNK = 1000


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _translations(row: Translatable) -> dict[str, dict[str, str]]:
    """The row's texts in other languages, without the empty ones; single-line texts on one
    line, as the import wants them (as the schema writes the single-line columns)."""
    found: dict[str, dict[str, str]] = {}
    for language, texts in (row.translations or {}).items():
        for key, text in (texts or {}).items():
            if not text:
                continue
            rule = rule_of(row, key)
            found.setdefault(language, {})[key] = (
                text if rule is not None and rule.multiline else one_line(text)
            )
    return found


def _partners(meeting: Meeting) -> list[PartnerDoc]:
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.meeting_id == meeting.id)
        .order_by(Partner.position, Partner.id)
    )
    return [
        PartnerDoc.model_construct(role=p.role, name=p.name, short_name=p.short_name)
        for p in partners
    ]


def _export_press_release(meeting: Meeting) -> PressReleaseDoc:
    """The release date and the sections rewritten by hand."""
    release_date = db.session.scalar(
        select(PressRelease.release_date).where(PressRelease.meeting_id == meeting.id)
    )
    # By section: the schema writes them in the order of the draft.
    overrides: dict[str, Any] = {
        row.section: row.text
        for row in db.session.scalars(
            select(PressReleaseOverride).where(PressReleaseOverride.meeting_id == meeting.id)
        )
    }
    return PressReleaseDoc.model_construct(
        release_date=release_date,
        **overrides,
    )


def _export_agenda(
    meeting: Meeting, group_keys: dict[int, str], when: When
) -> tuple[list[SpeakerDoc], list[SessionDoc], list[StatementDoc]]:
    """Speakers (in the order they were added), sessions in agenda order, and statements
    session by session in their order."""
    speakers = db.session.scalars(
        select(Speaker).where(Speaker.meeting_id == meeting.id).order_by(Speaker.id)
    ).all()
    speaker_keys = {speaker.id: speaker.key for speaker in speakers}
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.meeting_id == meeting.id)
        .options(selectinload(AgendaSession.speakers))
        .order_by(*session_order_by())
    ).all()
    session_keys = {session.id: session.key for session in sessions}
    session_rank = {session.id: rank for rank, session in enumerate(sessions)}
    statements = sorted(
        db.session.scalars(select(Statement).where(Statement.meeting_id == meeting.id)),
        key=lambda s: (
            s.session_id is None,
            session_rank.get(s.session_id, 0) if s.session_id is not None else 0,
            s.sort_order,
            s.id,
        ),
    )
    return (
        [
            SpeakerDoc.model_construct(
                key=speaker.key,
                honorific=speaker.honorific,
                name=speaker.name,
                family_name=speaker.family_name,
                name_order=speaker.name_order,
                position=speaker.position,
                organisation=speaker.organisation,
                stakeholder_group=group_keys.get(speaker.stakeholder_group_id)
                if speaker.stakeholder_group_id is not None
                else None,
                bio=speaker.bio,
            )
            for speaker in speakers
        ],
        [
            SessionDoc.model_construct(
                key=session.key,
                title=session.title,
                kind=session.kind,
                starts_at=when(session.starts_at),
                ends_at=when(session.ends_at),
                location=session.location,
                description=session.description,
                speakers=[
                    SessionSpeakerDoc.model_construct(
                        speaker=speaker_keys[part.speaker_id], role=part.role
                    )
                    for part in sorted(session.speakers, key=lambda p: (p.sort_order, p.id))
                ],
                translations=_translations(session),
            )
            for session in sessions
        ],
        [
            StatementDoc.model_construct(
                speaker=speaker_keys[statement.speaker_id]
                if statement.speaker_id is not None
                else None,
                session=session_keys[statement.session_id]
                if statement.session_id is not None
                else None,
                kind=statement.kind,
                text=statement.text,
                highlight=statement.highlight,
                news=statement.is_news,
            )
            for statement in statements
        ],
    )


def _export_surveys(meeting: Meeting, when: When) -> tuple[list[SurveyDoc], list[JsonArray]]:
    """Surveys with their questions (their `responses` left empty), and beside them their
    responses as `JsonArray`s read from one streamed query (in survey order, which is the
    order they are written in)."""
    surveys = list(
        db.session.scalars(
            select(Survey)
            .options(selectinload(Survey.questions))
            .where(Survey.meeting_id == meeting.id)
            .order_by(Survey.id)
        )
    )
    if not surveys:
        return [], []
    kinds = {q.id: (q.key, q.kind) for survey in surveys for q in survey.questions}
    # The questions whose answers a document writes otherwise than they are read (a grid's
    # points on the agreement scale, by their names).
    by_id = {q.id: q for survey in surveys for q in survey.questions}
    # A choice is written as its option's label in the meeting's first language (the format's
    # contract), not as the key it is stored by.
    labels = {
        q.id: dict(q.choices()) for survey in surveys for q in survey.questions if q.has_options
    }
    rows = _Groups(
        lambda: streamed(
            select(
                SurveyResponse.survey_id,
                SurveyResponse.id,
                Participant.email,
                SurveyResponse.submitted_at,
                SurveyResponse.language,
                SurveyResponse.via_open_link,
                SurveyAnswer.question_id,
                SurveyAnswer.choice,
                SurveyAnswer.number,
                SurveyAnswer.text,
                SurveyAnswer.published_text,
            )
            .outerjoin(Participant, Participant.id == SurveyResponse.participant_id)
            .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            # What the results show: an anonymous survey's answers still waiting for their
            # batch stay out.
            .where(
                SurveyResponse.survey_id.in_([survey.id for survey in surveys]),
                SurveyResponse.published,
            )
            .order_by(SurveyResponse.survey_id, SurveyResponse.id, SurveyAnswer.id)
        )
    )
    return [
        SurveyDoc.model_construct(
            key=survey.key,
            title=survey.title,
            intro=survey.intro,
            anonymous=survey.anonymous,
            opens_at=when(survey.opens_at),
            closes_at=when(survey.closes_at),
            questions=[
                QuestionDoc.model_construct(
                    key=question.key,
                    text=question.text,
                    kind=question.kind,
                    options=question.option_labels() if question.has_options else None,
                    required=question.required,
                    quotable_in_release=question.quotable_in_release or None,
                    option_keys=_option_keys(question),
                    scale=question.scale,
                    translations=_translations(question),
                    show_if=(
                        ShowIfDoc.model_construct(**question.show_if) if question.show_if else None
                    ),
                )
                for question in survey.questions
            ],
            responses=[],
            translations=_translations(survey),
            published_results=_published_results(survey),
            open_link=_open_link(survey),
        )
        for survey in surveys
    ], [
        JsonArray(_response_docs(survey, rows.of(survey.id), kinds, labels, when, by_id))
        for survey in surveys
    ]


class _Groups:
    """Rows ordered by their first column, read once and handed out group by group in that
    order; the query runs when the first group is asked for."""

    def __init__(self, query: Callable[[], Iterable[Sequence[Any]]]) -> None:
        self.query = query
        self.rows: Iterator[Sequence[Any]] | None = None
        self.head: Sequence[Any] | None = None

    def of(self, value: Any) -> Iterator[Sequence[Any]]:
        if self.rows is None:
            self.rows = iter(self.query())
            self.head = next(self.rows, None)
        while self.head is not None and self.head[0] == value:
            yield self.head
            self.head = next(self.rows, None)


def _published_results(survey: Survey) -> PublishedResultsDoc | None:
    """What the survey's public results page shows, while it is published."""
    if not survey.results_published:
        return None
    return PublishedResultsDoc.model_construct(
        questions=list(survey.published_questions or []), by_group=bool(survey.published_by_group)
    )


def _published_texts(rows: list[Sequence[Any]], kinds: dict[int, tuple[str, str]]) -> list[str]:
    """The keys of a response's free-text answers chosen for the published results."""
    return [
        kinds[question_id][0]
        for *_response, question_id, _choice, _number, _text, published in rows
        if question_id is not None and published
    ]


def _open_link(survey: Survey) -> OpenLinkDoc | None:
    """The open link's settings, once it was set up (None before): never its code, which is
    said in one room at one time, nor its address, which belongs to this site."""
    if survey.open_key is None and not survey.open_link and survey.open_counts_with_invited:
        return None
    return OpenLinkDoc.model_construct(
        enabled=survey.open_link,
        counts_with_invited=survey.open_counts_with_invited,
        code_required=bool(survey.open_code) or None,
    )


def _option_keys(question: SurveyQuestion) -> list[str] | None:
    """A choice question's option keys, when an import would not give the same from the
    labels (an option reworded after it was created, say)."""
    if not question.has_options:
        return None
    keys = question.option_keys()
    return keys if keys != derive_option_keys(question.option_labels()) else None


def _response_docs(
    survey: Survey,
    rows: Iterator[Sequence[Any]],
    kinds: dict[int, tuple[str, str]],
    labels: dict[int, dict[str, str]],
    when: When,
    questions: dict[int, SurveyQuestion],
) -> Iterator[dict[str, Any]]:
    """A tracked survey's responses in the order they were given, with their times; an
    anonymous survey's with their days (UTC) only, in the order of their answers, so that
    neither reveals when (or so in which order) each was given."""
    days_only = {DAYS_ONLY: survey.anonymous}
    docs = (
        ResponseDoc.model_construct(
            participant=None if survey.anonymous else email,
            submitted_at=when(submitted_at),
            answers=_answers(answer_rows, kinds, labels, questions),
            language=language,
            published_texts=_published_texts(answer_rows, kinds) or None,
            via_open_link=via_open_link or None,
        ).model_dump(mode="json", context=days_only)
        for (_survey_id, _id, email, submitted_at, language, via_open_link, *_), answer_rows in (
            _by_response(rows)
        )
    )
    if not survey.anonymous:
        return docs
    return sorted_externally(
        docs,
        key=lambda doc: (
            json.dumps(doc["answers"], sort_keys=True, ensure_ascii=False),
            doc["submitted_at"],
        ),
    )


def _by_response(
    rows: Iterator[Sequence[Any]],
) -> Iterator[tuple[Sequence[Any], list[Sequence[Any]]]]:
    """Each response's first row, and all its rows (one per answer)."""
    for _response_id, group in groupby(rows, key=lambda row: row[1]):
        answer_rows = list(group)
        yield answer_rows[0], answer_rows


def _answers(
    rows: list[Sequence[Any]],
    kinds: dict[int, tuple[str, str]],
    labels: dict[int, dict[str, str]],
    questions: dict[int, SurveyQuestion],
) -> dict[str, Any]:
    given: dict[str, Any] = {}
    ids: dict[str, int] = {}
    for *_response, question_id, choice, number, text, _published in rows:
        if question_id is None:  # a response without answers
            continue
        key, kind = kinds[question_id]
        if question_id in labels and choice is not None:
            choice = labels[question_id].get(choice, choice)
        given[key] = kind_of(kind).read(given.get(key), choice, number, text)
        ids[key] = question_id
    return {
        key: kind_of(kinds[ids[key]][1]).document_answer(questions[ids[key]], answer)
        for key, answer in given.items()
    }


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
