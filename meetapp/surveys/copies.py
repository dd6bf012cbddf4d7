"""New surveys made from others: a copy of a survey of an earlier meeting, or one of the built-in
templates (post-meeting feedback; a session evaluation with a question per agenda session).

A copy is a new draft of the meeting: its settings, questions, options (with their keys), a
grid's scale, the conditions that show a question only for some earlier answer, and
translations, never its responses, invitations, dates or publication, which belong to the
meeting it came from. The organiser edits it as any survey. Which meetings' surveys a user may
copy is decided by `meetings.access` (`readable_meetings_filter`): an organiser's team's, every
meeting for an admin; staff make no surveys.

The built-in templates' texts are in the catalogues: each question is written in the meeting's
first language and translated into its other languages where a catalogue has the text.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.i18n import N_, shipped
from meetapp.keys import key_from_text, unique_key
from meetapp.meetings.access import readable_meetings_filter
from meetapp.models import (
    AgendaSession,
    Meeting,
    QuestionKind,
    Survey,
    SurveyQuestion,
    User,
)
from meetapp.models.agenda import SessionKind
from meetapp.models.surveys import KEY_MAX, QUESTION_TEXT_MAX

TEMPLATE_PREFIX = "template:"
SURVEY_PREFIX = "survey:"


@dataclass(frozen=True)
class TemplateQuestion:
    text: str  # marked with N_: translated into the meeting's languages
    kind: QuestionKind
    required: bool = False


@dataclass(frozen=True)
class BuiltIn:
    name: str
    label: str  # what the organiser's list calls it (organiser pages are in English)
    title: str
    intro: str
    questions: tuple[TemplateQuestion, ...] = ()
    # One rating question per agenda session, titled with the session's title.
    per_session: bool = False


BUILT_INS: dict[str, BuiltIn] = {
    built_in.name: built_in
    for built_in in (
        BuiltIn(
            name="feedback",
            label="Post-meeting feedback: usefulness, overall rating, recommendation, what was "
            "most useful, what to improve, whether people would attend again",
            title=N_("Post-meeting feedback"),
            intro=N_("Thank you for taking part. This short survey takes about three minutes."),
            questions=(
                TemplateQuestion(N_("The meeting was useful for my work."), QuestionKind.LIKERT),
                TemplateQuestion(
                    N_("Overall, how would you rate the meeting?"), QuestionKind.RATING
                ),
                TemplateQuestion(
                    N_("How likely are you to recommend a meeting like this one to a colleague?"),
                    QuestionKind.NPS,
                ),
                TemplateQuestion(N_("What was most useful to you?"), QuestionKind.TEXT),
                TemplateQuestion(N_("What should we improve?"), QuestionKind.TEXT),
                TemplateQuestion(
                    N_("Would you attend a meeting like this one again?"), QuestionKind.YES_NO
                ),
            ),
        ),
        BuiltIn(
            name="sessions",
            label="Session evaluation: a rating (1 to 5) of each session of the agenda, one "
            "question per session",
            title=N_("Session evaluation"),
            intro=N_(
                "Please rate each session you attended, from 1 (poor) to 5 (excellent). Leave "
                "out the sessions you did not attend."
            ),
            per_session=True,
        ),
    )
}


def choices_for(user: User, meeting: Meeting) -> list[tuple[str, list[tuple[str, str]]]]:
    """What `user` may make a new survey of `meeting` from, as groups of (value, label): the
    built-in templates, then the surveys of each other meeting they may read (the latest
    meetings first), in one statement."""
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "Built-in templates",
            [(TEMPLATE_PREFIX + b.name, b.label) for b in BUILT_INS.values()],
        )
    ]
    query = (
        select(Survey.id, Survey.title, Meeting.id, Meeting.title)
        .join(Meeting, Meeting.id == Survey.meeting_id)
        .where(Meeting.id != meeting.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id, Survey.id)
    )
    readable = readable_meetings_filter(user)
    if readable is not None:
        query = query.where(readable)
    current: int | None = None
    for survey_id, survey_title, meeting_id, meeting_title in db.session.execute(query):
        if meeting_id != current:
            groups.append((meeting_title, []))
            current = meeting_id
        groups[-1][1].append((SURVEY_PREFIX + str(survey_id), survey_title))
    return groups


def readable_survey(user: User, survey_id: int, meeting: Meeting) -> Survey | None:
    """The survey with `survey_id` of another meeting `user` may read, its questions loaded;
    None otherwise (the caller answers 404, saying nothing of other meetings)."""
    query = (
        select(Survey)
        .join(Meeting, Meeting.id == Survey.meeting_id)
        .options(selectinload(Survey.questions))
        .where(Survey.id == survey_id, Meeting.id != meeting.id)
    )
    readable = readable_meetings_filter(user)
    if readable is not None:
        query = query.where(readable)
    return db.session.scalar(query)


def _new_key(meeting: Meeting, title: str) -> str:
    taken = set(db.session.scalars(select(Survey.key).where(Survey.meeting_id == meeting.id)))
    return unique_key(key_from_text(title, KEY_MAX, "survey"), taken)


def copy_survey(meeting: Meeting, source: Survey) -> Survey:
    """A new draft survey of `meeting` with `source`'s settings and questions (options, keys
    and translations included); no dates, responses, invitations or publication."""
    survey = Survey(
        meeting_id=meeting.id,
        key=_new_key(meeting, source.title),
        title=source.title,
        intro=source.intro,
        anonymous=source.anonymous,
        batch_size=source.batch_size,
        translations=copy.deepcopy(source.translations or {}),
        questions=[
            SurveyQuestion(
                key=question.key,
                position=position,
                kind=question.kind,
                text=question.text,
                required=question.required,
                quotable_in_release=question.quotable_in_release,
                options=copy.deepcopy(question.options or []),
                scale=question.scale,
                # A condition names an earlier question by its key, which the copy keeps.
                show_if=copy.deepcopy(question.show_if),
                translations=copy.deepcopy(question.translations or {}),
            )
            for position, question in enumerate(source.questions)
        ],
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def _in_languages(text: str, languages: list[str]) -> tuple[str, dict[str, dict[str, str]]]:
    """A catalogue text (msgid) in the meeting's first language (English when no catalogue
    has it), and its translations into the others that a catalogue has, as `translations`
    keeps them per field (the caller names the field)."""
    first, others = (languages[0], languages[1:]) if languages else ("en", [])
    own = _translated(text, first) or text
    found: dict[str, dict[str, str]] = {}
    for code in others:
        translated = _translated(text, code)
        if translated and translated != own:
            found[code] = {"": translated}
    return own, found


def _translated(text: str, code: str) -> str | None:
    locale = shipped(code)
    if locale is None:
        return None
    with force_locale(locale):
        translated = gettext(text)
    return translated if locale == "en" or translated != text else None


def _field(found: dict[str, dict[str, str]], field: str) -> dict[str, dict[str, str]]:
    return {code: {field: texts[""]} for code, texts in found.items()}


def _merge(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for part in parts:
        for code, texts in part.items():
            merged.setdefault(code, {}).update(texts)
    return merged


def from_template(meeting: Meeting, name: str) -> Survey:
    """A new draft survey of `meeting` made from the built-in template `name`."""
    built_in = BUILT_INS.get(name)
    if built_in is None:
        raise DomainError("Choose one of the templates offered.", field="source")
    languages = [code for code in meeting.languages or [] if isinstance(code, str)]
    title, title_translations = _in_languages(built_in.title, languages)
    intro, intro_translations = _in_languages(built_in.intro, languages)
    questions: list[SurveyQuestion] = []
    for question in built_in.questions:
        text, translations = _in_languages(question.text, languages)
        questions.append(
            SurveyQuestion(
                kind=question.kind.value,
                text=text,
                required=question.required,
                options=[],
                translations=_field(translations, "text"),
            )
        )
    if built_in.per_session:
        questions.extend(_session_questions(meeting))
    for position, question in enumerate(questions):
        question.key = f"q{position + 1}"
        question.position = position
    survey = Survey(
        meeting_id=meeting.id,
        key=_new_key(meeting, title),
        title=title,
        intro=intro,
        translations=_merge(
            _field(title_translations, "title"), _field(intro_translations, "intro")
        ),
        questions=questions,
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def _session_questions(meeting: Meeting) -> list[SurveyQuestion]:
    """A rating question per session of the agenda (not the breaks), in the agenda's order,
    titled with the session's title in each language it has."""
    from meetapp.agenda.services import session_order_by

    sessions = list(
        db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.meeting_id == meeting.id, AgendaSession.kind != SessionKind.BREAK)
            .order_by(*session_order_by())
        )
    )
    if not sessions:
        raise DomainError(
            "The meeting's agenda has no sessions yet: add them first, then make the session "
            "evaluation.",
            field="source",
        )
    return [
        SurveyQuestion(
            kind=QuestionKind.RATING.value,
            text=session.title[:QUESTION_TEXT_MAX],
            required=False,
            options=[],
            translations=_session_titles(session),
        )
        for session in sessions
    ]


def _session_titles(session: AgendaSession) -> dict[str, Any]:
    return {
        code: {"text": texts["title"]}
        for code, texts in (session.translations or {}).items()
        if isinstance(texts, dict) and texts.get("title")
    }
