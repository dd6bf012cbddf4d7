"""The organiser's registration questions in a `meetapp/1` document, and the participants'
answers to them: their checks across the document, their rows when imported, and their
export.

In the document, `meeting.registration_questions` lists the questions, each with its key, and
`participants[].answers` gives a participant's answers by question key: a list of option keys
for a multiple choice; otherwise one value (an option key for a single choice, "yes" or "no",
a number, a date as YYYY-MM-DD, a country code, or text). Answers are checked by the rules of
the registration form (`meetapp.registration.questions`), with two differences: a required
question may be left unanswered (people may have registered before it was asked), and an
archived question keeps its answers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from meetapp.accounts.services import normalise_email
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.interchange.schema import Loc, MeetingDocument
from meetapp.models import Meeting, Participant, StakeholderGroup, Status
from meetapp.models.questions import (
    CHOICE_KINDS,
    KEYED_KINDS,
    QuestionKind,
    RegistrationAnswer,
    RegistrationQuestion,
)
from meetapp.registration.questions import answer_rows, answers_of, clean_value, form_questions

AT = ("meeting", "registration_questions")


@dataclass
class Asked:
    """A question of the document, as a model to check answers against."""

    index: int
    question: RegistrationQuestion
    groups: set[str]


def check_questions(
    meeting: dict[str, Any], group_keys: set[str] | None, problems: list[tuple[Loc, str]]
) -> dict[str, Asked] | None:
    """The document's questions by key, with the problems across their fields added to
    `problems`; None when the list is unusable (its shape is reported by the schema)."""
    questions = meeting.get("registration_questions")
    if questions is None:
        return {}
    if not isinstance(questions, list):
        return None
    found: dict[str, Asked] = {}
    for index, raw in enumerate(questions):
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
            continue
        at: Loc = (*AT, index)
        key = raw["key"].strip()
        if key in found:
            problems.append(((*at, "key"), f"the same key as {_path(found[key].index)}.key"))
            continue
        kind = raw.get("kind")
        options = _list(raw.get("options"))
        if kind in CHOICE_KINDS and not options:
            problems.append(((*at, "options"), f"a {kind} question needs its options"))
        elif kind not in CHOICE_KINDS and options:
            problems.append(
                ((*at, "options"), "only single_choice and multiple_choice questions have options")
            )
        kept: list[dict[str, Any]] = []
        for number, option in enumerate(options):
            if isinstance(option, dict) and isinstance(option.get("key"), str):
                if any(other["key"] == option["key"].strip() for other in kept):
                    problems.append(
                        ((*at, "options", number, "key"), "the same key as another option")
                    )
                label = option.get("label")
                if isinstance(label, str):
                    # The editor writes an option per line, "label | places": as there.
                    if "|" in label:
                        problems.append(((*at, "options", number, "label"), "contains |"))
                    if any(other.get("label") == label.strip() for other in kept):
                        problems.append(
                            ((*at, "options", number, "label"), "the same label as another option")
                        )
                    option = {**option, "label": label.strip()}
                kept.append({**option, "key": option["key"].strip()})
        groups = _list(raw.get("groups"))
        for number, group in enumerate(groups):
            if group in groups[:number]:
                problems.append(((*at, "groups", number), "listed twice"))
            if isinstance(group, str) and group_keys is not None and group not in group_keys:
                problems.append(
                    (
                        (*at, "groups", number),
                        f"no stakeholder group with the key {json.dumps(group)} "
                        "in meeting.stakeholder_groups",
                    )
                )
        question = RegistrationQuestion(id=index, key=key, kind=kind, options=kept)
        found[key] = Asked(index, question, {g for g in groups if isinstance(g, str)})
    return found


def check_answers(
    participants: list[Any],
    questions: dict[str, Asked] | None,
    problems: list[tuple[Loc, str]],
) -> None:
    """Each participant's answers against the document's questions, and the places of
    limited options against the people (not cancelled) who chose them."""
    if questions is None:
        return
    chosen: Counter[tuple[str, str]] = Counter()
    for index, participant in enumerate(participants):
        if not isinstance(participant, dict) or not isinstance(participant.get("answers"), dict):
            continue
        group = participant.get("stakeholder_group")
        active = participant.get("status") != Status.CANCELLED.value
        for key, value in participant["answers"].items():
            at: Loc = ("participants", index, "answers", key)
            asked = questions.get(key)
            if asked is None:
                problems.append((at, "no question with this key in meeting.registration_questions"))
                continue
            if asked.groups and group not in asked.groups:
                problems.append(
                    (at, "this question is asked only of " + ", ".join(sorted(asked.groups)))
                )
                continue
            try:
                answer = stored_answer(asked.question, value)
            except DomainError as error:
                problems.append((at, error.message))
                continue
            if active and isinstance(answer, list):
                chosen.update((key, option) for option in answer)
    for key, asked in questions.items():
        for number, option in enumerate(asked.question.options or []):
            capacity = option.get("capacity")
            taken = chosen[(key, option["key"])]
            if isinstance(capacity, int) and taken > capacity:
                problems.append(
                    (
                        (*AT, asked.index, "options", number, "capacity"),
                        f"{taken} participants chose this option, more than its {capacity} places",
                    )
                )


def stored_answer(question: RegistrationQuestion, value: Any) -> list[str] | str:
    """A document's answer as stored: option keys, or the typed value in its stored form.
    DomainError (in English) when it is not an answer to `question`."""
    if question.kind in KEYED_KINDS:
        keys = [value] if isinstance(value, str) else value
        if (
            not isinstance(keys, list)
            or not all(isinstance(key, str) for key in keys)
            or (question.kind != QuestionKind.MULTIPLE_CHOICE and len(keys) != 1)
        ):
            expected = (
                "a list of option keys"
                if question.kind == QuestionKind.MULTIPLE_CHOICE
                else "one option key"
            )
            raise DomainError(f"must be {expected}")
        unknown = [key for key in keys if key not in question.option_keys()]
        if unknown:
            raise DomainError(
                f"not an option of the question: {', '.join(map(json.dumps, unknown))} "
                f"(its options: {', '.join(question.option_keys())})"
            )
        return list(dict.fromkeys(keys))
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DomainError("must be a text, a number or a date")
    return clean_value(question, str(value).strip())


def write_questions(document: MeetingDocument, meeting: Meeting, group_ids: dict[str, int]) -> int:
    """Add the document's questions to `meeting` and the participants' answers (the
    participants are written already). Returns the number of answers."""
    docs = document.meeting.registration_questions or []
    if not docs:
        return 0
    groups = {
        group.id: group
        for group in db.session.scalars(
            select(StakeholderGroup).where(StakeholderGroup.meeting_id == meeting.id)
        )
    }
    questions: dict[str, RegistrationQuestion] = {}
    for position, doc in enumerate(docs, start=1):
        question = RegistrationQuestion(
            meeting_id=meeting.id,
            key=doc.key,
            kind=doc.kind,
            label=doc.label,
            help=doc.help,
            required=bool(doc.required),
            position=position,
            options=[option.model_dump(exclude_none=True) for option in doc.options or []],
            show_at_desk=bool(doc.show_at_desk),
            archived_at=utcnow() if doc.archived else None,
            translations=doc.translations or {},
            groups=[groups[group_ids[key]] for key in doc.groups or []],
        )
        db.session.add(question)
        questions[doc.key] = question
    db.session.flush()
    answered = [p for p in document.participants or [] if p.answers]
    if not answered:
        return 0
    ids = {
        email: participant_id
        for participant_id, email in db.session.execute(
            select(Participant.id, Participant.email_normalized).where(
                Participant.meeting_id == meeting.id
            )
        )
    }
    rows: list[dict[str, Any]] = []
    for participant in answered:
        given = participant.answers or {}
        rows += answer_rows(
            ids[normalise_email(participant.email)],
            [questions[key] for key in given],
            {
                questions[key].id: stored_answer(questions[key], value)
                for key, value in given.items()
            },
        )
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RegistrationAnswer), rows[start : start + 5000])
    return len(rows)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _path(index: int) -> str:
    return f"meeting.registration_questions[{index}]"


# --- export -------------------------------------------------------------------------------


def exported_questions(meeting_id: int) -> list[dict[str, Any]]:
    """The meeting's questions (archived ones too) as the document gives them."""
    result = []
    for question in form_questions(meeting_id, archived=True):
        item: dict[str, Any] = {"key": question.key, "label": question.label, "kind": question.kind}
        if question.help:
            item["help"] = question.help
        if question.required:
            item["required"] = True
        if question.options:
            item["options"] = [dict(option) for option in question.options]
        if question.groups:
            item["groups"] = [group.key for group in question.groups]
        if question.show_at_desk:
            item["show_at_desk"] = True
        if question.archived_at is not None:
            item["archived"] = True
        if question.translations:
            item["translations"] = question.translations
        result.append(item)
    return result


def exported_answers(meeting_id: int, participant_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The answers of some of the meeting's participants, by participant id then question key,
    as the document gives them: one query for the questions, one for the answers."""
    questions = {q.id: q for q in form_questions(meeting_id, archived=True)}
    if not questions:
        return {}
    result: dict[int, dict[str, Any]] = {}
    for participant_id, answers in answers_of(participant_ids).items():
        for question_id, answer in answers.items():
            question = questions[question_id]
            if isinstance(answer, list) and question.kind != QuestionKind.MULTIPLE_CHOICE:
                value: Any = answer[0]
            else:
                value = answer
            result.setdefault(participant_id, {})[question.key] = value
    return result
