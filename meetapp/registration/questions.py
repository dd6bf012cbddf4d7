"""The organiser's own registration questions: writing them, and checking and storing answers.

The answers a form posts are checked here (`check_answers`), not by WTForms validators: which
questions apply depends on the stakeholder group chosen in the same form, and a question's
"required" holds only for the people it is asked of. Answers to a question that does not apply
to the person are discarded, never stored.

A choice with a number of places is held exactly like the meeting's seats: the places taken
are counted under the meeting lock (`lock_meeting`, taken by every write of a registration),
so two people at once cannot both take the last place. A place is held by an active
registration, registered or on the waiting list, and freed by cancelling; it is held from the
moment of answering, so a person promoted from the waiting list keeps the place they chose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import ColumnElement, delete, exists, func, insert, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import country_codes, country_name
from meetapp.i18n import N_, locale_code
from meetapp.keys import key_from_text, unique_key
from meetapp.models import Meeting, Participant, StakeholderGroup, Status
from meetapp.models.questions import (
    CHOICE_KINDS,
    KEYED_KINDS,
    NO,
    OPTION_LABEL_MAX,
    QUESTION_HELP_MAX,
    QUESTION_KEY_MAX,
    QUESTION_LABEL_MAX,
    TEXT_ANSWER_MAX,
    YES,
    QuestionKind,
    RegistrationAnswer,
    RegistrationQuestion,
    registration_question_groups,
)
from meetapp.validation import FieldRuleError, has_control_characters, single_line

KIND_LABELS = {
    QuestionKind.SHORT_TEXT: "Short text",
    QuestionKind.LONG_TEXT: "Long text",
    QuestionKind.SINGLE_CHOICE: "Single choice",
    QuestionKind.MULTIPLE_CHOICE: "Multiple choice",
    QuestionKind.YES_NO: "Yes / no",
    QuestionKind.NUMBER: "Number",
    QuestionKind.DATE: "Date",
    QuestionKind.COUNTRY: "Country",
}
OPTIONS_MAX = 50
CAPACITY_MAX = 100_000
NUMBER_MAX_DIGITS = 15
NUMBER = re.compile(r"-?\d{1,15}(?:[.,]\d{1,15})?")
THOUSANDS = re.compile(r"-?\d{1,3},\d{3}")

# An answer as checked: option keys for the keyed kinds, else one typed value.
Answer = list[str] | str
# What a form posts for a question: its text, or the chosen option keys.
Posted = str | list[str] | None


def field_name(question: RegistrationQuestion) -> str:
    """The form field of a question: by id, so a reworded label never renames it."""
    return f"question_{question.id}"


# --- the organiser's questions ---------------------------------------------------------------


def form_questions(
    meeting_id: int, *, archived: bool = False, fresh: bool = False
) -> list[RegistrationQuestion]:
    """The meeting's questions in their order, with their groups (one more query); only those
    still on the form unless `archived`. `fresh`: read again even if this request loaded them
    (under the meeting lock, what an organiser changed meanwhile counts)."""
    query = (
        select(RegistrationQuestion)
        .options(selectinload(RegistrationQuestion.groups))
        .where(RegistrationQuestion.meeting_id == meeting_id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )
    if not archived:
        query = query.where(RegistrationQuestion.archived_at.is_(None))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def asked_of(question: RegistrationQuestion, group_id: int | None) -> bool:
    """Whether the question is asked of a person in stakeholder group `group_id`."""
    return not question.groups or any(group.id == group_id for group in question.groups)


@dataclass
class OptionLine:
    label: str
    capacity: int | None = None
    key: str | None = None  # an existing option's key; None for a new option


@dataclass
class QuestionData:
    kind: str
    label: str
    help: str | None = None
    required: bool = False
    show_at_desk: bool = False
    options: list[OptionLine] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)


def parse_option_lines(text: str) -> list[OptionLine]:
    """The editor's options, one per line; "Field visit | 20" limits that option to 20 places.
    DomainError (field "options") for a line whose places are not a whole number."""
    lines: list[OptionLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, bar, places = line.rpartition("|") if "|" in line else (line, "", "")
        label = label.strip()
        capacity = None
        if bar:
            places = places.strip()
            if not places.isdigit() or not 0 < int(places) <= CAPACITY_MAX:
                raise DomainError(
                    f"Line {number}: after | give the number of places, a whole number from 1 "
                    f"to {CAPACITY_MAX:,} (or leave out | for no limit).",
                    field="options",
                )
            capacity = int(places)
        lines.append(OptionLine(label, capacity))
    return lines


def option_lines_text(question: RegistrationQuestion) -> str:
    """The editor's text of a question's options (`parse_option_lines` reads it back)."""
    return "\n".join(
        f"{option['label']} | {option['capacity']}"
        if option.get("capacity") is not None
        else str(option["label"])
        for option in question.options or []
    )


def _check_text(value: str, limit: int, what: str, field_name: str, multiline: bool) -> None:
    if len(value) > limit:
        raise DomainError(f"Keep the {what} to {limit:,} characters.", field=field_name)
    if has_control_characters(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise DomainError(
            f"Remove the line breaks or control characters from the {what}.", field=field_name
        )


def check_question(meeting_id: int, data: QuestionData) -> None:
    """The rules of a question as the organiser writes it (the form and meetapp/1)."""
    if data.kind not in KIND_LABELS:
        raise DomainError("Choose the kind of question.", field="kind")
    if not data.label:
        raise DomainError("Write the question.", field="label")
    _check_text(data.label, QUESTION_LABEL_MAX, "question", "label", multiline=False)
    if data.help:
        _check_text(data.help, QUESTION_HELP_MAX, "help text", "help", multiline=True)
    if data.kind in CHOICE_KINDS:
        if not data.options:
            raise DomainError("Give the options, one per line.", field="options")
        if len(data.options) > OPTIONS_MAX:
            raise DomainError(f"Give at most {OPTIONS_MAX} options.", field="options")
        labels = [line.label for line in data.options]
        if len(set(labels)) != len(labels):
            raise DomainError("An option is listed twice.", field="options")
        for line in data.options:
            if not line.label:
                raise DomainError("An option has places but no text.", field="options")
            _check_text(line.label, OPTION_LABEL_MAX, "option", "options", multiline=False)
    elif data.options:
        raise DomainError("Only choice questions have options.", field="options")
    if data.group_ids:
        found = set(
            db.session.scalars(
                select(StakeholderGroup.id).where(
                    StakeholderGroup.meeting_id == meeting_id,
                    StakeholderGroup.id.in_(data.group_ids),
                )
            )
        )
        if found != set(data.group_ids):
            raise DomainError("Choose among the meeting's stakeholder groups.", field="groups")


def answer_counts(
    question_ids: Iterable[int], registered_only: bool = False
) -> dict[int, dict[str, int]]:
    """Per question, the number of people holding each option ("" for typed answers), counting
    active registrations (registered or waitlisted; registered only if `registered_only`): one
    GROUP BY."""
    ids = list(question_ids)
    if not ids:
        return {}
    active = (
        Participant.status == Status.REGISTERED
        if registered_only
        else Participant.status != Status.CANCELLED
    )
    rows = db.session.execute(
        select(
            RegistrationAnswer.question_id,
            RegistrationAnswer.option_key,
            func.count(),
        )
        .join(Participant, Participant.id == RegistrationAnswer.participant_id)
        .where(RegistrationAnswer.question_id.in_(ids), active)
        .group_by(RegistrationAnswer.question_id, RegistrationAnswer.option_key)
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, key, count in rows:
        counts[question_id][key] = count
    return counts


def has_answers(question_id: int) -> bool:
    return (
        db.session.scalar(
            select(RegistrationAnswer.id)
            .where(RegistrationAnswer.question_id == question_id)
            .limit(1)
        )
        is not None
    )


def _options(
    question: RegistrationQuestion | None, lines: Sequence[OptionLine]
) -> list[dict[str, object]]:
    """The stored options of `lines`. First, a line with an option's very label keeps that
    option's key (so options can be moved); then, when the number of lines is unchanged, a
    line left over in the place of an option left over rewords it. Other lines are new options
    with new keys. An option anyone ever chose (cancelled registrations included: their rows
    keep its key) cannot be removed, and a limited option cannot be given fewer places than
    the people who hold it."""
    existing = [
        {"key": str(option["key"]), "label": str(option["label"])}
        for option in (question.options or [] if question else [])
    ]
    by_label = {option["label"]: option["key"] for option in existing}
    keys: list[str | None] = [by_label.get(line.label) for line in lines]
    if len(existing) == len(lines):
        claimed = {key for key in keys if key is not None}
        for index, key in enumerate(keys):
            in_place = existing[index]["key"]
            if key is None and in_place not in claimed:
                keys[index] = in_place
                claimed.add(in_place)
    taken = {option["key"] for option in existing}
    result: list[dict[str, object]] = []
    for line, key in zip(lines, keys, strict=True):
        if key is None:
            key = unique_key(key_from_text(line.label, QUESTION_KEY_MAX, "option"), taken)
            taken.add(key)
        option: dict[str, object] = {"key": key, "label": line.label}
        if line.capacity is not None:
            option["capacity"] = line.capacity
        result.append(option)
    if question is None or question.id is None:
        return result
    dropped = {option["key"] for option in existing} - {str(o["key"]) for o in result}
    ever = _chosen_ever(question.id)
    gone = [option["label"] for option in existing if option["key"] in dropped & set(ever)]
    if gone:
        raise DomainError(
            f"People chose {', '.join(f'“{label}”' for label in gone)}: an option with answers "
            "cannot be removed. Keep it (you can reword it).",
            field="options",
        )
    held = answer_counts([question.id]).get(question.id, {})
    for option in result:
        capacity = option.get("capacity")
        holding = held.get(str(option["key"]), 0)
        if isinstance(capacity, int) and capacity < holding:
            raise DomainError(
                f"{holding} people hold “{option['label']}”: give it at least {holding} places "
                "(or leave out | for no limit).",
                field="options",
            )
    return result


def _chosen_ever(question_id: int) -> set[str]:
    """The option keys of a question that any answer names, whatever its person's status."""
    return set(
        db.session.scalars(
            select(RegistrationAnswer.option_key)
            .where(RegistrationAnswer.question_id == question_id)
            .distinct()
        )
    )


def save_question(
    meeting: Meeting, data: QuestionData, question: RegistrationQuestion | None = None
) -> RegistrationQuestion:
    """Add a question at the end of the form, or change `question`. Its kind cannot change
    once people have answered it (their answers would lose their meaning)."""
    check_question(meeting.id, data)
    groups = (
        list(
            db.session.scalars(
                select(StakeholderGroup).where(StakeholderGroup.id.in_(data.group_ids))
            )
        )
        if data.group_ids
        else []
    )
    if question is None:
        taken = db.session.scalars(
            select(RegistrationQuestion.key).where(RegistrationQuestion.meeting_id == meeting.id)
        )
        last = db.session.scalar(
            select(func.max(RegistrationQuestion.position)).where(
                RegistrationQuestion.meeting_id == meeting.id
            )
        )
        question = RegistrationQuestion(
            meeting_id=meeting.id,
            key=unique_key(key_from_text(data.label, QUESTION_KEY_MAX, "question"), taken),
            position=(last or 0) + 1,
            kind=data.kind,
            options=_options(None, data.options),
            groups=groups,
        )
        db.session.add(question)
    else:
        _check_restriction(question, data.group_ids)
        if question.kind != data.kind and has_answers(question.id):
            raise DomainError(
                "People have answered this question: its kind cannot change. Remove it (its "
                "answers are kept) and add a new one.",
                field="kind",
            )
        question.options = _options(question, data.options)
        _load_groups(question)
        question.groups = groups
    if data.kind not in CHOICE_KINDS:
        question.options = []
    question.kind = data.kind
    question.label = data.label
    question.help = data.help or None
    question.required = data.required
    question.show_at_desk = data.show_at_desk
    db.session.flush()
    return question


def _load_groups(question: RegistrationQuestion) -> None:
    """Load a question's groups if this request has not (changing them needs the old ones)."""
    if "groups" in sa_inspect(question).dict:
        return
    current = db.session.scalars(
        select(StakeholderGroup)
        .join(
            registration_question_groups,
            registration_question_groups.c.group_id == StakeholderGroup.id,
        )
        .where(registration_question_groups.c.question_id == question.id)
    )
    set_committed_value(question, "groups", list(current))


def _check_restriction(question: RegistrationQuestion, group_ids: list[int]) -> None:
    """A question people answered cannot be limited to groups that leave some of them out:
    their answers would be dropped the next time they save their details."""
    if not group_ids:
        return
    outside = (
        db.session.scalar(
            select(func.count(func.distinct(RegistrationAnswer.participant_id)))
            .join(Participant, Participant.id == RegistrationAnswer.participant_id)
            .where(
                RegistrationAnswer.question_id == question.id,
                or_(
                    Participant.stakeholder_group_id.is_(None),
                    Participant.stakeholder_group_id.not_in(group_ids),
                ),
            )
        )
        or 0
    )
    if outside:
        raise DomainError(
            f"{outside} {'person' if outside == 1 else 'people'} outside these groups answered "
            "this question: limited to them, it would drop those answers. Keep it for the "
            "groups they are in, or remove it (its answers are kept) and add a new one.",
            field="groups",
        )


def remove_question(question: RegistrationQuestion) -> bool:
    """Take a question off the form: deleted when nobody answered it, else archived with its
    answers kept (they stay in the participant pages and the exports). True when archived."""
    if has_answers(question.id):
        question.archived_at = utcnow()
        db.session.flush()
        return True
    db.session.delete(question)
    db.session.flush()
    return False


def restore_question(question: RegistrationQuestion) -> None:
    """Put an archived question back at the end of the form."""
    last = db.session.scalar(
        select(func.max(RegistrationQuestion.position)).where(
            RegistrationQuestion.meeting_id == question.meeting_id
        )
    )
    question.archived_at = None
    question.position = (last or 0) + 1
    db.session.flush()


def move_question(question: RegistrationQuestion, up: bool) -> None:
    """Swap a question with its neighbour on the form."""
    questions = form_questions(question.meeting_id)
    index = next((i for i, q in enumerate(questions) if q.id == question.id), None)
    if index is None:  # archived: off the form, it has no place to move from
        return
    other = index - 1 if up else index + 1
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    for position, each in enumerate(questions, start=1):
        each.position = position
    db.session.flush()


# --- answers --------------------------------------------------------------------------------

REQUIRED = N_("Answer this question.")
NOT_AN_OPTION = N_("Choose one of the options.")
NOT_A_NUMBER = N_("Enter a number, such as 3 or 2.5.")
NOT_A_DATE = N_("Enter a date as year-month-day, such as 2019-02-21.")
NOT_A_COUNTRY = N_("Choose a country from the list.")
TOO_LONG = N_("Keep this to %(limit)s characters.")
FULL = N_("“%(option)s” has no places left. Choose another option.")
BAD_TEXT = N_("Remove the invisible control characters.")


def clean_value(question: RegistrationQuestion, value: str) -> str:
    """A typed answer in its stored form; DomainError on the question's field."""
    name = field_name(question)
    kind = question.kind
    if kind in TEXT_ANSWER_MAX:
        limit = TEXT_ANSWER_MAX[kind]
        if len(value) > limit:
            raise DomainError(gettext(TOO_LONG, limit=limit), field=name)
        if has_control_characters(value):
            raise DomainError(BAD_TEXT, field=name)
        if kind == QuestionKind.SHORT_TEXT:
            try:
                single_line(value)
            except FieldRuleError as error:
                raise DomainError(error.message, field=name) from None
        return value
    if kind == QuestionKind.NUMBER:
        # Digits with one decimal separator, "." or ",": no exponent (which would make a huge
        # number out of a few characters), and no thousands separator ("1,200" is refused
        # rather than read as 1.2).
        if not NUMBER.fullmatch(value) or THOUSANDS.fullmatch(value):
            raise DomainError(NOT_A_NUMBER, field=name)
        number = Decimal(value.replace(",", "."))
        return (
            format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
        )
    if kind == QuestionKind.DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise DomainError(NOT_A_DATE, field=name) from None
    if kind == QuestionKind.COUNTRY:
        if value.upper() not in country_codes():
            raise DomainError(NOT_A_COUNTRY, field=name)
        return value.upper()
    raise DomainError(NOT_AN_OPTION, field=name)


def check_answers(
    questions: Sequence[RegistrationQuestion],
    group_id: int | None,
    posted: Mapping[int, Posted],
) -> dict[int, Answer]:
    """The answers to store, by question id, from what was `posted` (by question id: text, or
    the chosen option keys): only the questions asked of the group, each checked by its kind;
    the required ones must be answered. An unanswered question is left out. DomainError on the
    first question's field that is wrong."""
    answers: dict[int, Answer] = {}
    for question in questions:
        if question.archived_at is not None or not asked_of(question, group_id):
            continue
        raw = posted.get(question.id)
        if question.kind in KEYED_KINDS:
            chosen = [raw] if isinstance(raw, str) else list(raw or [])
            chosen = list(dict.fromkeys(key for key in chosen if key))
            if question.kind != QuestionKind.MULTIPLE_CHOICE and len(chosen) > 1:
                raise DomainError(NOT_AN_OPTION, field=field_name(question))
            if any(key not in question.option_keys() for key in chosen):
                raise DomainError(NOT_AN_OPTION, field=field_name(question))
            if chosen:
                answers[question.id] = chosen
        else:
            text = (raw if isinstance(raw, str) else "").strip()
            if text:
                answers[question.id] = clean_value(question, text)
        if question.required and question.id not in answers:
            raise DomainError(REQUIRED, field=field_name(question))
    return answers


def save_answers(
    participant: Participant,
    questions: Sequence[RegistrationQuestion],
    answers: Mapping[int, Answer],
    *,
    keep_held: bool = True,
) -> None:
    """Replace the participant's answers to the meeting's current `questions` with `answers`
    (from `check_answers`): answers to a question no longer asked of them go. Archived
    questions keep their answers.

    The caller holds the meeting lock, under which the places of limited choices are counted:
    DomainError on the question's field when a newly chosen option is full, and the caller
    rolls back. An option the participant already held stays theirs (`keep_held`), even when
    the organiser has since lowered its places; a registration made anew holds nothing."""
    current = [question for question in questions if question.archived_at is None]
    if not current:
        return
    ids = [question.id for question in current]
    held = _held_by(participant.id, ids) if keep_held else set()
    db.session.execute(
        delete(RegistrationAnswer).where(
            RegistrationAnswer.participant_id == participant.id,
            RegistrationAnswer.question_id.in_(ids),
        )
    )
    limited = [question for question in current if question.has_capacities()]
    counts = answer_counts(question.id for question in limited)
    for question in limited:
        chosen = answers.get(question.id)
        for key in chosen if isinstance(chosen, list) else []:
            capacity = question.capacity_of(key)
            if capacity is None or (question.id, key) in held:
                continue
            if counts.get(question.id, {}).get(key, 0) >= capacity:
                raise DomainError(
                    gettext(FULL, option=question.option_label(key, locale_code())),
                    field=field_name(question),
                )
    rows = answer_rows(participant.id, current, answers)
    if rows:
        db.session.execute(insert(RegistrationAnswer), rows)


def answer_rows(
    participant_id: int, questions: Iterable[RegistrationQuestion], answers: Mapping[int, Answer]
) -> list[dict[str, object]]:
    """The rows of `answers` for a bulk insert."""
    rows: list[dict[str, object]] = []
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if isinstance(answer, list):
            rows.extend(
                {
                    "participant_id": participant_id,
                    "question_id": question.id,
                    "option_key": key,
                    "value": None,
                }
                for key in answer
            )
        else:
            rows.append(
                {
                    "participant_id": participant_id,
                    "question_id": question.id,
                    "option_key": "",
                    "value": answer,
                }
            )
    return rows


def _held_by(participant_id: int, question_ids: list[int]) -> set[tuple[int, str]]:
    rows = db.session.execute(
        select(RegistrationAnswer.question_id, RegistrationAnswer.option_key).where(
            RegistrationAnswer.participant_id == participant_id,
            RegistrationAnswer.question_id.in_(question_ids),
        )
    )
    return {(question_id, key) for question_id, key in rows}


def answers_of(participant_ids: Iterable[int]) -> dict[int, dict[int, Answer]]:
    """The stored answers of participants, by participant and question: one query."""
    ids = list(participant_ids)
    found: dict[int, dict[int, Answer]] = defaultdict(dict)
    if not ids:
        return found
    rows = db.session.execute(
        select(
            RegistrationAnswer.participant_id,
            RegistrationAnswer.question_id,
            RegistrationAnswer.option_key,
            RegistrationAnswer.value,
        )
        .where(RegistrationAnswer.participant_id.in_(ids))
        .order_by(RegistrationAnswer.id)
    )
    for participant_id, question_id, key, value in rows:
        if key:
            existing = found[participant_id].setdefault(question_id, [])
            if isinstance(existing, list):
                existing.append(key)
        else:
            found[participant_id][question_id] = value or ""
    return found


def answer_text(question: RegistrationQuestion, answer: Answer | None, locale: str | None) -> str:
    """An answer as people read it, in `locale`: option labels (in the question's order),
    "Yes"/"No", a country's name, or the typed text."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        if question.kind == QuestionKind.YES_NO:
            return ", ".join(gettext("Yes") if key == YES else gettext("No") for key in answer)
        order = {key: index for index, key in enumerate(question.option_keys())}
        keys = sorted(answer, key=lambda key: order.get(key, len(order)))
        return ", ".join(question.option_label(key, locale) for key in keys)
    if question.kind == QuestionKind.COUNTRY:
        return country_name(answer, locale)
    return answer


def yes_no_label(key: str) -> str:
    return gettext("Yes") if key == YES else gettext("No") if key == NO else key


def places_left(
    questions: Sequence[RegistrationQuestion], held: Iterable[tuple[int, str]] = ()
) -> dict[int, dict[str, int | None]]:
    """Per question with limited options, the places left of each (None: no limit, or an
    option the participant already `held`, which stays theirs): one GROUP BY."""
    limited = [question for question in questions if question.has_capacities()]
    counts = answer_counts(question.id for question in limited)
    kept = set(held)
    left: dict[int, dict[str, int | None]] = {}
    for question in limited:
        taken = counts.get(question.id, {})
        left[question.id] = {}
        for key in question.option_keys():
            capacity = question.capacity_of(key)
            if capacity is not None and (question.id, key) not in kept:
                left[question.id][key] = max(capacity - taken.get(key, 0), 0)
    return left


def form_data(
    questions: Sequence[RegistrationQuestion], answers: Mapping[int, Answer]
) -> dict[str, Posted]:
    """The form's initial data of stored `answers` (the personal page, the organiser's form)."""
    data: dict[str, Posted] = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if isinstance(answer, list) and question.kind != QuestionKind.MULTIPLE_CHOICE:
            data[field_name(question)] = answer[0] if answer else None
        else:
            data[field_name(question)] = answer
    return data


def held_options(answers: Mapping[int, Answer]) -> set[tuple[int, str]]:
    return {
        (question_id, key)
        for question_id, answer in answers.items()
        if isinstance(answer, list)
        for key in answer
    }


def answered_counts(question_ids: Iterable[int]) -> dict[int, int]:
    """Per question, how many people (of any status) answered it: one GROUP BY."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            RegistrationAnswer.question_id,
            func.count(func.distinct(RegistrationAnswer.participant_id)),
        )
        .where(RegistrationAnswer.question_id.in_(ids))
        .group_by(RegistrationAnswer.question_id)
    )
    return {question_id: count for question_id, count in rows}


@dataclass(frozen=True)
class ChoiceCount:
    """A choice question's answers among the registered (the summary PDF)."""

    label: str
    counts: list[tuple[str, int]]  # (option, people who chose it), in the question's order
    archived: bool


def choice_counts(meeting_id: int) -> list[ChoiceCount]:
    """The counts of every choice question of the meeting (single and multiple choice, yes/no,
    archived ones too) that registered people answered, in the meeting's first language: two
    queries."""
    questions = [
        question
        for question in form_questions(meeting_id, archived=True)
        if question.kind in KEYED_KINDS
    ]
    counts = answer_counts((question.id for question in questions), registered_only=True)
    result = []
    for question in questions:
        chosen = counts.get(question.id)
        if not chosen:
            continue
        # The summary is written in English, whoever downloads it (its other texts are the
        # meeting's first language), so yes and no are not the reader's.
        yes_no = question.kind == QuestionKind.YES_NO
        labels = [
            {YES: "Yes", NO: "No"}[key] if yes_no else question.option_label(key)
            for key in question.option_keys()
        ]
        result.append(
            ChoiceCount(
                question.label,
                [
                    (label, chosen.get(key, 0))
                    for key, label in zip(question.option_keys(), labels, strict=True)
                ],
                question.archived_at is not None,
            )
        )
    return result


ANY_ANSWER = "*"


def answer_condition(question_id: int, option_key: str = ANY_ANSWER) -> ColumnElement[bool]:
    """The participant answered the question (`ANY_ANSWER`), or chose option `option_key` of
    it: an EXISTS on the answers' index."""
    condition = exists().where(
        RegistrationAnswer.participant_id == Participant.id,
        RegistrationAnswer.question_id == question_id,
    )
    if option_key != ANY_ANSWER:
        condition = condition.where(RegistrationAnswer.option_key == option_key)
    return condition


def answer_filter_choices(
    questions: Sequence[RegistrationQuestion],
) -> list[tuple[str, str]]:
    """The choices of a filter by answer, as ("<question id>:<option key>", text): each
    question answered at all, and each option of the kinds with options."""
    choices: list[tuple[str, str]] = []
    for question in questions:
        label = question.label + (" (archived)" if question.archived_at is not None else "")
        choices.append((f"{question.id}:{ANY_ANSWER}", f"{label}: answered"))
        if question.kind in KEYED_KINDS:
            for key in question.option_keys():
                text = (
                    {YES: "Yes", NO: "No"}[key]
                    if question.kind == QuestionKind.YES_NO
                    else question.option_label(key)
                )
                choices.append((f"{question.id}:{key}", f"{label}: {text}"))
    return choices


def parse_answer_filter(
    value: str | None, questions: Sequence[RegistrationQuestion]
) -> tuple[int, str] | None:
    """(question id, option key or `ANY_ANSWER`) of a filter's value, when it names one of
    `questions` (the meeting's) and one of its options; else None."""
    if not value or ":" not in value:
        return None
    raw_id, key = value.split(":", 1)
    question = next((q for q in questions if str(q.id) == raw_id), None)
    if question is None:
        return None
    if key != ANY_ANSWER and key not in question.option_keys():
        return None
    return question.id, key


def release_limited_places(participant_id: int, meeting_id: int) -> None:
    """Let go of the places a registration being cancelled holds in limited options (their
    answers go): a cancelled registration holds no place, and when it becomes active again (a
    seat given by an organiser or at the desk, a new registration) it takes a place only by
    choosing it again, counted like anyone's. Its other answers stay."""
    limited = {
        question.id: [
            str(option["key"])
            for option in question.options or []
            if option.get("capacity") is not None
        ]
        for question in form_questions(meeting_id, archived=True)
        if question.has_capacities()
    }
    for question_id, keys in limited.items():
        db.session.execute(
            delete(RegistrationAnswer).where(
                RegistrationAnswer.participant_id == participant_id,
                RegistrationAnswer.question_id == question_id,
                RegistrationAnswer.option_key.in_(keys),
            )
        )
