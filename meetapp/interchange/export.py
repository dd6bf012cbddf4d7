"""Export of a whole meeting as a `meetapp/1` JSON document, written piece by piece: the
participants and the survey responses are streamed from the database and written one per line,
so that a meeting of 100,000 participants takes no more memory than one of ten (see
`meetapp.exports`).

The document is indented by two spaces, except that each participant and each response is one
line; times are given in the meeting's time zone with its offset; every field is present (null
or an empty list when there is nothing), so that export -> import -> export is stable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
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
    FORMAT,
    ParticipantDoc,
    ResponseDoc,
    fold_item,
    fold_single_lines,
)
from meetapp.meetings import mail_intros, mail_templates
from meetapp.meetings.translations import rule_of
from meetapp.models import (
    PRESS_RELEASE_SECTIONS,
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

When = Callable[[datetime | None], str | None]


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
    """The meeting as a `meetapp/1` document, keys in the order of the format's table; the
    participants and each survey's responses are `JsonArray`s, read from the database as
    they are written.

    Single-line fields are written on one line (`fold_single_lines`), as the import wants.
    """
    zone = _zone(meeting.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

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
    # The small sections are folded whole; the arrays item by item as they are written.
    return fold_single_lines(
        {
            "format": FORMAT,
            "organisation": {
                "name": organisation.name,
                "short_name": organisation.short_name,
                "about": organisation.about,
                "website": organisation.website,
                **_set({"release_end": organisation.release_end}),
                "privacy_url": organisation.privacy_url,
            },
            "meeting": {
                "slug": meeting.slug,
                "title": meeting.title,
                "kind": meeting.kind,
                "topic": meeting.topic,
                "starts_at": when(meeting.starts_at),
                "ends_at": when(meeting.ends_at),
                "timezone": meeting.timezone,
                "venue": meeting.venue,
                "city": meeting.city,
                "country": meeting.country,
                "languages": list(meeting.languages or []),
                "background": meeting.background,
                "capacity": meeting.capacity,
                "registration_opens_at": when(meeting.registration_opens_at),
                "registration_closes_at": when(meeting.registration_closes_at),
                "stakeholder_groups": [
                    {
                        "key": group.key,
                        "label": group.label,
                        **_set({"translations": _translations(group)}),
                    }
                    for group in groups
                ],
                **_set(
                    {
                        "online": meeting.online,
                        "partners": _partners(meeting),
                        "translations": _translations(meeting),
                        "mail_intros": mail_intros.stored(meeting),
                        "mail_templates": {
                            kind: {
                                language: {"subject": written.subject, "body": written.body}
                                for language, written in by_language.items()
                            }
                            for kind, by_language in mail_templates.stored(meeting).items()
                        },
                        "registration_questions": questions,
                    }
                ),
            },
            "speakers": speakers,
            "sessions": sessions,
            "statements": statements,
            "outcomes": [
                {
                    "kind": outcome.kind,
                    "text": outcome.text,
                    "addressed_to": outcome.addressed_to,
                    **_set({"news": outcome.is_news}),
                }
                for outcome in outcomes
            ],
            "contacts": [
                {
                    "honorific": contact.honorific,
                    "name": contact.name,
                    "role": contact.role,
                    "organisation": contact.organisation,
                    "email": contact.email,
                    "phone": contact.phone,
                    "languages": list(contact.languages or []),
                }
                for contact in contacts
            ],
            "participants": JsonArray(
                _participant_docs(meeting, group_keys, when, bool(questions))
            ),
            "surveys": _export_surveys(meeting, when),
            "press_release": _export_press_release(meeting),
        }
    )


def _participant_docs(
    meeting: Meeting, group_keys: dict[int, str], when: When, with_answers: bool
) -> Iterator[dict[str, Any]]:
    """The participants in the order they were added, from one streamed query; their keys
    are those of the format (`ParticipantDoc`), in its order. Their answers to the
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
            doc.update(_set({"answers": answers.get(row[0])}))
            yield fold_item(doc, ParticipantDoc)


# Participants whose answers are read in one query.
ANSWER_CHUNK = 1000


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _set(values: dict[str, Any]) -> dict[str, Any]:
    """The optional keys added to meetapp/1 after its first version, written only when they
    hold something (a document without them reads the same)."""
    return {key: value for key, value in values.items() if value}


def _translations(row: Translatable) -> dict[str, dict[str, str]]:
    """The row's texts in other languages, without the empty ones; single-line texts on one
    line, as the import wants them (as `fold_single_lines` does for the columns)."""
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


def _partners(meeting: Meeting) -> list[dict[str, Any]]:
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.meeting_id == meeting.id)
        .order_by(Partner.position, Partner.id)
    )
    return [{"role": p.role, "name": p.name, "short_name": p.short_name} for p in partners]


def _export_press_release(meeting: Meeting) -> dict[str, Any]:
    """The release date and the sections rewritten by hand, in the order of the draft."""
    release_date = db.session.scalar(
        select(PressRelease.release_date).where(PressRelease.meeting_id == meeting.id)
    )
    overrides = {
        row.section: row.text
        for row in db.session.scalars(
            select(PressReleaseOverride).where(PressReleaseOverride.meeting_id == meeting.id)
        )
    }
    result: dict[str, Any] = {
        "release_date": release_date.isoformat() if release_date is not None else None
    }
    result.update({name: overrides[name] for name in PRESS_RELEASE_SECTIONS if name in overrides})
    return result


def _export_agenda(
    meeting: Meeting, group_keys: dict[int, str], when: When
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
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
            {
                "key": speaker.key,
                "honorific": speaker.honorific,
                "name": speaker.name,
                "family_name": speaker.family_name,
                "name_order": speaker.name_order,
                "position": speaker.position,
                "organisation": speaker.organisation,
                "stakeholder_group": group_keys.get(speaker.stakeholder_group_id)
                if speaker.stakeholder_group_id is not None
                else None,
                "bio": speaker.bio,
            }
            for speaker in speakers
        ],
        [
            {
                "key": session.key,
                "title": session.title,
                "kind": session.kind,
                "starts_at": when(session.starts_at),
                "ends_at": when(session.ends_at),
                "location": session.location,
                "description": session.description,
                "speakers": [
                    {"speaker": speaker_keys[part.speaker_id], "role": part.role}
                    for part in sorted(session.speakers, key=lambda p: (p.sort_order, p.id))
                ],
                **_set({"translations": _translations(session)}),
            }
            for session in sessions
        ],
        [
            {
                "speaker": speaker_keys[statement.speaker_id]
                if statement.speaker_id is not None
                else None,
                "session": session_keys[statement.session_id]
                if statement.session_id is not None
                else None,
                "kind": statement.kind,
                "text": statement.text,
                "highlight": statement.highlight,
                **_set({"news": statement.is_news}),
            }
            for statement in statements
        ],
    )


def _export_surveys(meeting: Meeting, when: When) -> list[dict[str, Any]]:
    """Surveys with their questions, and their responses as `JsonArray`s read from one
    streamed query (in survey order, which is the order they are written in)."""
    surveys = list(
        db.session.scalars(
            select(Survey)
            .options(selectinload(Survey.questions))
            .where(Survey.meeting_id == meeting.id)
            .order_by(Survey.id)
        )
    )
    if not surveys:
        return []
    kinds = {q.id: (q.key, q.kind) for survey in surveys for q in survey.questions}
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
        {
            "key": survey.key,
            "title": survey.title,
            "intro": survey.intro,
            "anonymous": survey.anonymous,
            "opens_at": when(survey.opens_at),
            "closes_at": when(survey.closes_at),
            "questions": [
                {
                    "key": question.key,
                    "text": question.text,
                    "kind": question.kind,
                    "options": question.option_labels() if question.has_options else None,
                    "required": question.required,
                    "quotable_in_release": question.quotable_in_release or None,
                    **_set({"option_keys": _option_keys(question)}),
                    **_set({"translations": _translations(question)}),
                }
                for question in survey.questions
            ],
            "responses": JsonArray(_response_docs(survey, rows.of(survey.id), kinds, labels, when)),
            **_set({"translations": _translations(survey)}),
            **_set({"open_link": _open_link(survey)}),
        }
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


def _open_link(survey: Survey) -> dict[str, Any] | None:
    """The open link's settings, once it was set up (None before): never its code, which is
    said in one room at one time, nor its address, which belongs to this site."""
    if survey.open_key is None and not survey.open_link and survey.open_counts_with_invited:
        return None
    return {
        "enabled": survey.open_link,
        "counts_with_invited": survey.open_counts_with_invited,
        **_set({"code_required": bool(survey.open_code)}),
    }


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
) -> Iterator[dict[str, Any]]:
    """A tracked survey's responses in the order they were given, with their times; an
    anonymous survey's with their days (UTC) only, in the order of their answers, so that
    neither reveals when (or so in which order) each was given."""
    docs = (
        fold_item(
            {
                "participant": None if survey.anonymous else email,
                "submitted_at": (
                    submitted_at.astimezone(UTC).date().isoformat()
                    if survey.anonymous
                    else when(submitted_at)
                ),
                "answers": _answers(answer_rows, kinds, labels),
                **_set({"language": language}),
                **_set({"via_open_link": via_open_link}),
            },
            ResponseDoc,
        )
        for (_survey, _id, email, submitted_at, language, via_open_link, *_), answer_rows in (
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
) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for *_response, question_id, choice, number, text in rows:
        if question_id is None:  # a response without answers
            continue
        key, kind = kinds[question_id]
        if question_id in labels and choice is not None:
            choice = labels[question_id].get(choice, choice)
        given[key] = kind_of(kind).read(given.get(key), choice, number, text)
    return given


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
