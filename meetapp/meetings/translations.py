"""The texts of a meeting in its other languages: what there is to translate, what is missing,
and saving a language's translations (the organiser's "Translations" page).

The meeting's first language is held in the ordinary columns; every other language of the
meeting (`Meeting.languages[1:]`) in the rows' `translations` (`meetapp.models.texts`). The
rules of each text (its length, whether it may hold line breaks) are those of its column, and
are shared with the meetapp/1 import (`meetapp.interchange`), so a translation typed on the
page and one imported from a file obey the same limits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.i18n import shipped
from meetapp.locking import lock_meeting
from meetapp.models import Meeting, StakeholderGroup
from meetapp.models.agenda import AgendaSession
from meetapp.models.questions import CHOICE_KINDS as REGISTRATION_CHOICE_KINDS
from meetapp.models.questions import (
    OPTION_LABEL_MAX,
    QUESTION_HELP_MAX,
    QUESTION_LABEL_MAX,
    RegistrationQuestion,
)
from meetapp.models.surveys import (
    CHOICE_KINDS,
    OPTION_MAX,
    QUESTION_TEXT_MAX,
    SURVEY_INTRO_MAX,
    SURVEY_TITLE_MAX,
    Survey,
    SurveyQuestion,
)
from meetapp.models.texts import Translatable
from meetapp.surveys.kinds import find_kind
from meetapp.validation import has_control_characters

OPTION_PREFIX = "option:"
# Texts without a length in the database (a background, a description) are held to the
# limit of the meetapp/1 format's long texts.
LONG_TEXT = 100_000


@dataclass(frozen=True)
class Rule:
    """How a translatable text is labelled for the organiser and what it may hold."""

    label: str
    limit: int
    multiline: bool = False


# Per model, its translatable columns (`TRANSLATED`, in that order) and their rules.
RULES: dict[type[Translatable], dict[str, Rule]] = {
    Meeting: {
        "title": Rule("Title", 300),
        "topic": Rule("Topic", 300),
        "venue": Rule("Venue", 300),
        "city": Rule("City", 100),
        "background": Rule("Background", LONG_TEXT, multiline=True),
    },
    StakeholderGroup: {"label": Rule("Name", 200)},
    AgendaSession: {
        "title": Rule("Title", 300),
        "location": Rule("Location", 300),
        "description": Rule("Description", LONG_TEXT, multiline=True),
    },
    Survey: {
        "title": Rule("Title", SURVEY_TITLE_MAX),
        "intro": Rule("Introduction", SURVEY_INTRO_MAX, multiline=True),
    },
    SurveyQuestion: {"text": Rule("Question", QUESTION_TEXT_MAX, multiline=True)},
    RegistrationQuestion: {
        "label": Rule("Question", QUESTION_LABEL_MAX),
        "help": Rule("Help text", QUESTION_HELP_MAX, multiline=True),
    },
}
OPTION_RULE = Rule("Option", OPTION_MAX)
# The options of the organiser's registration questions, by the length of their column.
OPTION_RULES: dict[type[Translatable], Rule] = {
    SurveyQuestion: OPTION_RULE,
    RegistrationQuestion: Rule("Option", OPTION_LABEL_MAX),
}


def rule_of(row: Translatable | type[Translatable], key: str) -> Rule | None:
    """The rule of translation key `key` of `row`'s model (a column, or ``option:<key>`` for
    a question's options); None when the model has no such translatable text."""
    model = row if isinstance(row, type) else type(row)
    if key.startswith(OPTION_PREFIX):
        return OPTION_RULES.get(model)
    return RULES.get(model, {}).get(key)


def option_keys(question: SurveyQuestion | RegistrationQuestion) -> list[str]:
    """The keys of the options a question offers whose labels the organiser writes (single and
    multiple choice, a survey grid's rows; the other kinds' answers are labelled by the
    catalogues)."""
    kinds = (
        REGISTRATION_CHOICE_KINDS if isinstance(question, RegistrationQuestion) else CHOICE_KINDS
    )
    if question.kind not in kinds:
        return []
    return [str(option["key"]) for option in question.options or []]


def problem(text: str, rule: Rule) -> str | None:
    """What is wrong with a translation `text` under `rule`, or None."""
    if len(text) > rule.limit:
        return f"Keep this to {rule.limit:,} characters at most (it has {len(text):,})."
    if has_control_characters(text):
        return "Remove the invisible control characters."
    if not rule.multiline and any(c in text for c in "\t\n\r\x0b\x0c\x85\u2028\u2029"):
        return "Keep this on one line: remove the line breaks and tabs."
    return None


@dataclass(frozen=True)
class Text:
    """One text to translate, as the form shows it."""

    name: str  # the form field: "meeting-title", "stakeholder-3-label", "question-7-option:visa"
    row: Translatable
    key: str  # in the row's translations: "title", "option:visa"
    label: str
    source: str  # in the meeting's first language
    rule: Rule

    def translation(self, language: str) -> str | None:
        return self.row.translation(language, self.key)


@dataclass(frozen=True)
class Section:
    heading: str
    texts: list[Text]


def other_languages(meeting: Meeting) -> list[str]:
    """The languages the organiser translates into: the meeting's, but its first, that the
    participant pages are written in (`meetapp.i18n.LOCALES`). A page is never shown in
    another, so a text in it would never be read (`unread_languages`)."""
    return [code for code in _after_first(meeting) if shipped(code) == code]


def unread_languages(meeting: Meeting) -> list[str]:
    """The meeting's other languages that no participant page is written in: their readers
    get the pages in a language of theirs the app has, else in the meeting's first."""
    return [code for code in _after_first(meeting) if shipped(code) != code]


def _after_first(meeting: Meeting) -> list[str]:
    return list(dict.fromkeys(meeting.languages or []))[1:]


def _texts(prefix: str, row: Translatable, fields: Mapping[str, Rule]) -> list[Text]:
    return [
        Text(f"{prefix}-{field}", row, field, rule.label, source, rule)
        for field, rule in fields.items()
        if (source := getattr(row, field))
    ]


def _question_texts(
    prefix: str, question: SurveyQuestion | RegistrationQuestion, number: int
) -> list[Text]:
    """A question's texts, each labelled with its number ("Question 2", "Question 2, help
    text"), then its options' labels."""
    texts = [
        Text(
            text.name,
            question,
            text.key,
            f"Question {number}" + ("" if text.key in ("text", "label") else f", {text.label}"),
            text.source,
            text.rule,
        )
        for text in _texts(prefix, question, RULES[type(question)])
    ]
    rule = OPTION_RULES[type(question)]
    # What a survey question's kind calls its options (a grid's are its rows).
    kind = find_kind(question.kind) if isinstance(question, SurveyQuestion) else None
    item = getattr(kind, "item", "option")
    for key in option_keys(question):
        texts.append(
            Text(
                f"{prefix}-{OPTION_PREFIX}{key}",
                question,
                OPTION_PREFIX + key,
                f"Question {number}, {item}",
                question.option_label(key),
                rule,
            )
        )
    return texts


def meeting_sections(meeting: Meeting) -> list[Section]:
    """Every text participants read that the organiser wrote, in the order of the page; texts
    empty in the first language are left out (there is nothing to translate)."""
    sections = [Section("Meeting", _texts("meeting", meeting, RULES[Meeting]))]
    groups = [
        text
        for group in meeting.stakeholder_groups
        for text in _texts(f"stakeholder-{group.id}", group, RULES[StakeholderGroup])
    ]
    if groups:
        sections.append(Section("Stakeholder groups", groups))
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.meeting_id == meeting.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    for session in sessions:
        sections.append(
            Section(
                f"Agenda: {session.title}",
                _texts(f"session-{session.id}", session, RULES[AgendaSession]),
            )
        )
    asked = []
    for number, question in enumerate(
        db.session.scalars(
            select(RegistrationQuestion)
            .where(
                RegistrationQuestion.meeting_id == meeting.id,
                RegistrationQuestion.archived_at.is_(None),
            )
            .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
        ),
        start=1,
    ):
        asked += _question_texts(f"registration-question-{question.id}", question, number)
    if asked:
        sections.append(Section("Registration questions", asked))
    surveys = list(
        db.session.scalars(
            select(Survey).where(Survey.meeting_id == meeting.id).order_by(Survey.id)
        )
    )
    questions: dict[int, list[SurveyQuestion]] = {survey.id: [] for survey in surveys}
    if surveys:
        for question in db.session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id.in_(questions))
            .order_by(SurveyQuestion.position, SurveyQuestion.id)
        ):
            questions[question.survey_id].append(question)
    for survey in surveys:
        texts = _texts(f"survey-{survey.id}", survey, RULES[Survey])
        for number, question in enumerate(questions[survey.id], start=1):
            texts += _question_texts(f"question-{question.id}", question, number)
        sections.append(Section(f"Survey: {survey.title}", texts))
    return [section for section in sections if section.texts]


def missing_counts(meeting: Meeting, sections: list[Section] | None = None) -> dict[str, int]:
    """For each language of the meeting but its first, how many texts have no translation
    (participants reading that language see them in the first language)."""
    texts = [text for section in sections or meeting_sections(meeting) for text in section.texts]
    return {
        language: sum(1 for text in texts if text.translation(language) is None)
        for language in other_languages(meeting)
    }


def _keys_to_translate(row: Translatable) -> list[str]:
    """The translation keys of `row` that have a first-language text (as the page lists them)."""
    keys = [field for field in RULES[type(row)] if getattr(row, field)]
    if isinstance(row, SurveyQuestion | RegistrationQuestion):
        keys += [OPTION_PREFIX + key for key in option_keys(row)]
    return keys


def missing_by_meeting(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """`missing_counts` of several meetings (the dashboard) in a fixed number of queries: the
    groups, sessions, surveys and questions of all the meetings with more than one language."""
    wanted = {meeting.id: meeting for meeting in meetings if other_languages(meeting)}
    if not wanted:
        return {}
    rows: dict[int, list[Translatable]] = {meeting_id: [m] for meeting_id, m in wanted.items()}
    ids = list(wanted)
    for group in db.session.scalars(
        select(StakeholderGroup).where(StakeholderGroup.meeting_id.in_(ids))
    ):
        rows[group.meeting_id].append(group)
    for session in db.session.scalars(
        select(AgendaSession).where(AgendaSession.meeting_id.in_(ids))
    ):
        rows[session.meeting_id].append(session)
    surveys = {
        survey.id: survey
        for survey in db.session.scalars(select(Survey).where(Survey.meeting_id.in_(ids)))
    }
    for survey in surveys.values():
        rows[survey.meeting_id].append(survey)
    if surveys:
        for question in db.session.scalars(
            select(SurveyQuestion).where(SurveyQuestion.survey_id.in_(list(surveys)))
        ):
            rows[surveys[question.survey_id].meeting_id].append(question)
    for asked in db.session.scalars(
        select(RegistrationQuestion).where(
            RegistrationQuestion.meeting_id.in_(ids), RegistrationQuestion.archived_at.is_(None)
        )
    ):
        rows[asked.meeting_id].append(asked)
    return {
        meeting_id: {
            language: sum(
                1
                for row in rows[meeting_id]
                for key in _keys_to_translate(row)
                if row.translation(language, key) is None
            )
            for language in other_languages(meeting)
        }
        for meeting_id, meeting in wanted.items()
    }


def fingerprint(sections: list[Section], language: str) -> str:
    """A digest of the texts of the form of `language` as they are stored: which texts there
    are, their first-language wording and their translations. A save from a form opened on
    another fingerprint would overwrite what someone else changed meanwhile."""
    state = [
        (text.name, text.source, text.translation(language))
        for section in sections
        for text in section.texts
    ]
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()


class TranslationsChanged(DomainError):
    """The texts or their translations changed since the form was opened."""


def save_translations(
    meeting: Meeting, language: str, values: Mapping[str, str], seen: str
) -> dict[str, str]:
    """Store the translations into `language` typed in the form (`values`, by field name),
    all or nothing: returns the problems by field name (nothing stored) or {} once stored.

    A field left empty removes its translation (the text is then missing, and participants read
    it in the first language). Translations into other languages, and keys the form does not
    show, are kept. TranslationsChanged when `seen` (the form's `fingerprint`) is not the
    stored one any more; the meeting is locked meanwhile, so two saves do not interleave.
    """
    # Everything is read again under the lock: rows this request loaded before may be stale.
    db.session.expire_all()
    lock_meeting(meeting.id)
    sections = meeting_sections(meeting)
    if fingerprint(sections, language) != seen:
        raise TranslationsChanged(
            "Someone changed the meeting's texts or their translations since you opened this "
            "page. Nothing was saved: your entries are kept below, with the stored text under "
            "each one that differs; check them and save again."
        )
    problems: dict[str, str] = {}
    wanted: list[tuple[Text, str]] = []
    for section in sections:
        for text in section.texts:
            value = (values.get(text.name) or "").strip()
            found = problem(value, text.rule)
            if found:
                problems[text.name] = found
            wanted.append((text, value))
    if problems:
        return problems
    changed: dict[int, tuple[Translatable, dict[str, dict[str, str]]]] = {}
    for text, value in wanted:
        if value == (text.translation(language) or ""):
            continue
        _row, translations = changed.setdefault(
            id(text.row), (text.row, _copy(text.row.translations))
        )
        mine = translations.setdefault(language, {})
        if value:
            mine[text.key] = value
        else:
            mine.pop(text.key, None)
        if not mine:
            del translations[language]
    for row, translations in changed.values():
        # A new dict: the JSON column records a change only when it is assigned.
        row.translations = translations
    return {}


def _copy(translations: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    return {language: dict(texts) for language, texts in (translations or {}).items()}
