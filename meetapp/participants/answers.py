"""The organisers' registration questions in the participant screens: the list's filter by an
answer, the answers on the participant's page and at the check-in desk, the exports' columns
and the CSV import's.

These are organiser pages, in plain English: questions and options are named by the texts in
the meeting's first language (the questions' own columns), yes/no by "Yes"/"No". The exports
write the answers in the meeting's first language, and the import reads back what they write.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale, gettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import country_codes, country_name
from meetapp.i18n import first_shipped
from meetapp.models import Meeting
from meetapp.models.questions import (
    KEYED_KINDS,
    NO,
    OPTION_FIELD,
    YES,
    QuestionKind,
    RegistrationAnswer,
    RegistrationQuestion,
)
from meetapp.registration.questions import (
    ANY_ANSWER,
    Answer,
    Posted,
    answer_text,
    asked_of,
    check_answers,
)

# The value of the list's answer filter that matches any answer to the question (as the
# messages' filter writes it).
ANSWERED = ANY_ANSWER
# Between the options of a multiple choice in an export's cell and an imported one: option
# labels may hold commas.
OPTION_SEPARATOR = ";"
ARCHIVED_MARK = " (archived)"


def meeting_questions(meeting_id: int) -> list[RegistrationQuestion]:
    """All the meeting's questions, those on the form first in its order, then the archived
    ones: one query (their groups are not loaded)."""
    return list(
        db.session.scalars(
            select(RegistrationQuestion)
            .where(RegistrationQuestion.meeting_id == meeting_id)
            .order_by(
                RegistrationQuestion.archived_at.is_not(None),
                RegistrationQuestion.position,
                RegistrationQuestion.id,
            )
        )
    )


def option_name(question: RegistrationQuestion, key: str) -> str:
    """An option as the organiser pages name it."""
    if question.kind == QuestionKind.YES_NO:
        return "Yes" if key == YES else "No" if key == NO else key
    return question.option_label(key)


def organiser_text(question: RegistrationQuestion, answer: Answer | None) -> str:
    """An answer as the organiser pages show it: options in the question's order."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        order = {key: index for index, key in enumerate(question.option_keys())}
        keys = sorted(answer, key=lambda key: order.get(key, len(order)))
        return ", ".join(option_name(question, key) for key in keys)
    if question.kind == QuestionKind.COUNTRY:
        return country_name(answer, "en")
    return answer


def question_heading(question: RegistrationQuestion) -> str:
    return question.label + (ARCHIVED_MARK if question.archived_at is not None else "")


# --- the list's filter ----------------------------------------------------------------------


def answer_filter_choices(
    questions: Sequence[RegistrationQuestion],
) -> dict[str | None, list[SelectChoice]]:
    """The answer filter's choices, one group per question: "<question id>:*" for any answer,
    and "<question id>:<option key>" for each option of the kinds answered by options."""
    choices: dict[str | None, list[SelectChoice]] = {None: [SelectChoice("", "Any answer")]}
    for question in questions:
        heading = question_heading(question)
        if heading in choices:  # two questions worded alike
            heading = f"{heading} ({question.key})"
        group = [SelectChoice(f"{question.id}:{ANSWERED}", "Answered")]
        if question.kind in KEYED_KINDS:
            group.extend(
                SelectChoice(f"{question.id}:{key}", option_name(question, key))
                for key in question.option_keys()
            )
        choices[heading] = group
    return choices


def parse_answer_filter(value: str) -> tuple[int, str] | None:
    """(question id, option key or ANSWERED) of a filter value the form accepted."""
    question_id, _colon, key = value.partition(":")
    if not question_id.isdigit() or not key:
        return None
    return int(question_id), key


def answers_to(question_id: int, participant_ids: Iterable[int]) -> dict[int, list[str] | str]:
    """The answers of participants to one question: one query."""
    ids = list(participant_ids)
    found: dict[int, list[str] | str] = {}
    if not ids:
        return found
    rows = db.session.execute(
        select(
            RegistrationAnswer.participant_id,
            RegistrationAnswer.option_key,
            RegistrationAnswer.value,
        )
        .where(
            RegistrationAnswer.question_id == question_id,
            RegistrationAnswer.participant_id.in_(ids),
        )
        .order_by(RegistrationAnswer.id)
    )
    for participant_id, key, value in rows:
        if key:
            existing = found.setdefault(participant_id, [])
            if isinstance(existing, list):
                existing.append(key)
        else:
            found[participant_id] = value or ""
    return found


# --- the participant's page and the check-in desk -------------------------------------------


def archived_answers(meeting: Meeting, answers: Mapping[int, Answer]) -> list[tuple[str, str]]:
    """(question, answer) of the participant's answers to archived questions, read-only on
    their page: one query, none when they answered nothing."""
    if not answers:
        return []
    questions = db.session.scalars(
        select(RegistrationQuestion)
        .where(
            RegistrationQuestion.meeting_id == meeting.id,
            RegistrationQuestion.archived_at.is_not(None),
            RegistrationQuestion.id.in_(list(answers)),
        )
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )
    return [
        (question.label, organiser_text(question, answers[question.id])) for question in questions
    ]


def desk_answers(participant_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Per participant, ("<question>", "<answer>") for the questions on the form that the
    organisers show at the check-in desk, in the form's order: one query."""
    ids = list(participant_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            RegistrationQuestion,
            RegistrationAnswer.participant_id,
            RegistrationAnswer.option_key,
            RegistrationAnswer.value,
        )
        .join(RegistrationAnswer, RegistrationAnswer.question_id == RegistrationQuestion.id)
        .where(
            RegistrationAnswer.participant_id.in_(ids),
            RegistrationQuestion.show_at_desk.is_(True),
            RegistrationQuestion.archived_at.is_(None),
        )
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id, RegistrationAnswer.id)
    )
    gathered: dict[int, dict[int, tuple[RegistrationQuestion, list[str] | str]]] = defaultdict(dict)
    for question, participant_id, key, value in rows:
        theirs = gathered[participant_id]
        if key:
            _question, keys = theirs.setdefault(question.id, (question, []))
            if isinstance(keys, list):
                keys.append(key)
        else:
            theirs[question.id] = (question, value or "")
    return {
        participant_id: [
            (question.label, organiser_text(question, answer))
            for question, answer in theirs.values()
        ]
        for participant_id, theirs in gathered.items()
    }


# --- the exports ----------------------------------------------------------------------------


class ExportedAnswers:
    """The answers' cells of the exports, in the meeting's first language: option labels (a
    multiple choice's separated by OPTION_SEPARATOR, as the import reads them), yes/no as the
    registration form says them, a country's name, or the typed text."""

    def __init__(self, meeting: Meeting, questions: Sequence[RegistrationQuestion]) -> None:
        self.questions = list(questions)
        self.locale = _babel_locale((meeting.languages or ["en"])[0])
        with force_locale(first_shipped(meeting.languages) or "en"):
            self.yes_no = {YES: gettext("Yes"), NO: gettext("No")}

    def header(self) -> list[str]:
        return [question_heading(question) for question in self.questions]

    def cells(self, answers: Mapping[int, Answer]) -> list[str]:
        return [self.cell(question, answers.get(question.id)) for question in self.questions]

    def cell(self, question: RegistrationQuestion, answer: Answer | None) -> str:
        if not isinstance(answer, list):
            return answer_text(question, answer, str(self.locale))
        order = {key: index for index, key in enumerate(question.option_keys())}
        keys = sorted(answer, key=lambda key: order.get(key, len(order)))
        if question.kind == QuestionKind.YES_NO:
            return f"{OPTION_SEPARATOR} ".join(self.yes_no.get(key, key) for key in keys)
        return f"{OPTION_SEPARATOR} ".join(
            answer_text(question, [key], str(self.locale)) for key in keys
        )


def _babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


# --- the CSV import -------------------------------------------------------------------------


def _name(text: str) -> str:
    """A name as the import compares it: regardless of case and of how accents were typed."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def match_question(
    header: str, questions: Sequence[RegistrationQuestion]
) -> RegistrationQuestion | None:
    """The question a column's header names: its key or its label (as the exports write it,
    "(archived)" after an archived one's), regardless of case."""
    wanted = _name(header)
    if not wanted:
        return None
    for question in questions:
        names = {_name(question.key), _name(question.label)}
        if question.archived_at is not None:
            names.add(_name(question_heading(question)))
        if wanted in names:
            return question
    return None


@dataclass
class AnswerReader:
    """Reads the answers' cells of an imported row back into answers: an option by its key or
    its label in any of the meeting's languages, yes/no as "yes"/"no" or as the exports write
    them, a country by its code or its name (English or the meeting's first language)."""

    meeting: Meeting
    questions: Sequence[RegistrationQuestion]
    _options: dict[int, dict[str, str]] = field(default_factory=dict)
    _countries: dict[str, str] | None = None

    def __post_init__(self) -> None:
        exported = ExportedAnswers(self.meeting, [])
        for question in self.questions:
            if question.kind == QuestionKind.YES_NO:
                names = {YES: {YES, exported.yes_no[YES]}, NO: {NO, exported.yes_no[NO]}}
            else:
                names = {key: {key, question.option_label(key)} for key in question.option_keys()}
                for texts in (question.translations or {}).values():
                    for name, text in (texts or {}).items():
                        key = name.removeprefix(OPTION_FIELD)
                        if name.startswith(OPTION_FIELD) and key in names and text:
                            names[key].add(text)
            self._options[question.id] = {
                _name(name): key for key, texts in names.items() for name in texts
            }

    def countries(self) -> dict[str, str]:
        if self._countries is None:
            first = str(ExportedAnswers(self.meeting, []).locale)
            self._countries = {}
            for code in country_codes():
                for locale in ("en", first):
                    self._countries[_name(country_name(code, locale))] = code
                self._countries[_name(code)] = code
        return self._countries

    def read(
        self, cells: Mapping[int, str], group_id: int | None, group_names: Mapping[int, str]
    ) -> tuple[dict[int, Answer], list[str]]:
        """The row's answers to store, and its problems ("<question>: <problem>"). Checked by
        the registration form's rules (`check_answers`), question by question so that every
        problem is listed; a question's column is required of the rows it is asked of when
        the question is required. A question without a column is left unanswered."""
        answers: dict[int, Answer] = {}
        problems: list[str] = []
        for question in self.questions:
            text = (cells.get(question.id) or "").strip()
            if not asked_of(question, group_id):
                if text:
                    names = ", ".join(group_names.get(group.id, "") for group in question.groups)
                    problems.append(f"{question.label}: asked only of {names}; leave it empty")
                continue
            posted: Posted
            if question.kind in KEYED_KINDS:
                known = self._options[question.id]
                parts = [part.strip() for part in text.split(OPTION_SEPARATOR) if part.strip()]
                unknown = [part for part in parts if _name(part) not in known]
                if unknown:
                    offered = ", ".join(
                        option_name(question, key) for key in question.option_keys()
                    )
                    problems.append(
                        f"{question.label}: “{unknown[0][:60]}” is not one of the options "
                        f"({offered})"
                    )
                    continue
                posted = [known[_name(part)] for part in parts]
            elif question.kind == QuestionKind.COUNTRY and text:
                posted = self.countries().get(_name(text), text)
            else:
                posted = text
            # The registration form's messages, in the organiser pages' English.
            with force_locale("en"):
                try:
                    answers.update(check_answers([question], group_id, {question.id: posted}))
                except DomainError as error:
                    problems.append(f"{question.label}: {gettext(error.message)}")
        return answers, problems


class PlacesLeft:
    """The places of limited options as an import hands them out, row after row in the file's
    order: it may not take more than are left (an organiser who wants more raises the option's
    places first)."""

    def __init__(self, questions: Sequence[RegistrationQuestion], taken: dict[int, dict[str, int]]):
        self.limited = {
            question.id: question for question in questions if question.has_capacities()
        }
        self.taken = {question_id: dict(taken.get(question_id, {})) for question_id in self.limited}

    def take(self, answers: Mapping[int, Answer]) -> list[str]:
        """Take the places of a row's `answers`; the problems when one is full (then none is
        taken)."""
        wanted: list[tuple[RegistrationQuestion, str]] = []
        problems: list[str] = []
        for question_id, answer in answers.items():
            question = self.limited.get(question_id)
            if question is None or not isinstance(answer, list):
                continue
            for key in answer:
                capacity = question.capacity_of(key)
                if capacity is None:
                    continue
                if self.taken[question_id].get(key, 0) >= capacity:
                    problems.append(
                        f"{question.label}: “{option_name(question, key)}” has no places left "
                        f"({capacity} place{'' if capacity == 1 else 's'})"
                    )
                wanted.append((question, key))
        if not problems:
            for question, key in wanted:
                self.taken[question.id][key] = self.taken[question.id].get(key, 0) + 1
        return problems
