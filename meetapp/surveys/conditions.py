"""Conditions: a survey question shown only when an earlier question's answer matches.

A question's `show_if` names an earlier question of the same survey (by its key, which never
changes), an operator and the answer(s) it is compared with, as the referred question stores
them (an option's key, a fixed value such as ``agree``, a number):

- ``is`` / ``is_not``: the answer is (is not) that value; for several choices, that value is
  (is not) among those chosen;
- ``any_of``: the answer is one of the values (for several choices: one of them was chosen);
- ``at_least`` / ``at_most``: on a scale (agreement by its order, rating, NPS), the answer is
  that value or above (or below).

A question left unanswered matches no condition, ``is_not`` included: a question that depends
on it stays hidden. So a question that depends on a hidden one is hidden too (a hidden
question's answer is never kept), and one pass in the survey's order decides them all.

The surveys have no sections: a condition is on one question. Each condition is evaluated the
same way on submission (`services.check_answers`: answers to hidden questions are discarded,
and `required` applies only to questions shown), by the answer page's script
(static/js/survey_conditions.js, from the values `matching` gives) and by the results' count
of those each question was shown to (`results`), which judges each response by its stored
answers in SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import gettext

from meetapp.errors import DomainError
from meetapp.surveys.kinds import Answer, kind_of

if TYPE_CHECKING:
    from meetapp.models import SurveyQuestion

# The operators, and what the question editor calls them.
OPS = {
    "is": "is",
    "is_not": "is not",
    "any_of": "is any of",
    "at_least": "is at least",
    "at_most": "is at most",
}
# The operators that compare answers on a scale (`Kind.ordered`).
SCALE_OPS = ("at_least", "at_most")
# The editor's fields each part of a condition is reported on.
EDITOR_FIELDS = {"question": "show_if_question", "op": "show_if_op", "value": "show_if_value"}


@dataclass(frozen=True)
class Condition:
    """A checked condition: the key of the question it depends on, the operator, and the
    values compared with (stored values as text; one, except for ``any_of``)."""

    question: str
    op: str
    values: tuple[str, ...]

    def as_json(self, referred: SurveyQuestion) -> dict[str, Any]:
        """As kept in `SurveyQuestion.show_if` and written in meetapp/1: numbers as numbers,
        a list for ``any_of``."""
        numeric = kind_of(referred.kind).ordered and not _is_fixed(referred)
        values: list[Any] = [int(v) if numeric else v for v in self.values]
        return {
            "question": self.question,
            "op": self.op,
            "value": values if self.op == "any_of" else values[0],
        }


def _is_fixed(question: SurveyQuestion) -> bool:
    """Whether a scale's values are words (agreement) rather than numbers."""
    return not all(value.isdigit() for value, _label in question.choices())


def condition_of(question: SurveyQuestion) -> Condition | None:
    """The question's condition as kept (checked when it was set); None: always shown."""
    show_if = question.show_if
    if not isinstance(show_if, dict) or not isinstance(show_if.get("question"), str):
        return None
    value = show_if.get("value")
    values = value if isinstance(value, list) else [value]
    return Condition(show_if["question"], str(show_if.get("op")), tuple(str(v) for v in values))


def matching(condition: Condition, referred: SurveyQuestion) -> tuple[frozenset[str], bool]:
    """The stored values (as text) the condition is about, and whether it is met when the
    answer holds *none* of them (``is_not``) rather than one of them."""
    kind = kind_of(referred.kind)
    if condition.op in SCALE_OPS and kind.ordered and condition.values:
        bound = kind.score(condition.values[0])
        offered = [value for value, _label in referred.choices()]
        if condition.op == "at_least":
            return frozenset(v for v in offered if kind.score(v) >= bound), False
        return frozenset(v for v in offered if kind.score(v) <= bound), False
    return frozenset(condition.values), condition.op == "is_not"


def answer_texts(answer: Answer | None) -> list[str]:
    """An answer's stored values as text ([] when unanswered)."""
    if answer is None or answer == "" or answer == []:
        return []
    if isinstance(answer, list):
        return [str(item) for item in answer]
    return [str(answer)]


def is_met(
    condition: Condition, referred: SurveyQuestion | None, answers: Mapping[str, Answer]
) -> bool:
    """Whether the answers given (question key -> checked answer) meet the condition; never
    when its question is unknown or unanswered."""
    if referred is None:
        return False
    given = answer_texts(answers.get(condition.question))
    if not given:
        return False
    values, negated = matching(condition, referred)
    hit = any(value in values for value in given)
    return not hit if negated else hit


def shown_keys(questions: Sequence[SurveyQuestion], answers: Mapping[str, Answer]) -> set[str]:
    """The keys of the questions shown for these answers, judged in the survey's order (an
    answer to a hidden question counts as none)."""
    by_key = {question.key: question for question in questions}
    shown: set[str] = set()
    kept: dict[str, Answer] = {}
    for question in questions:
        condition = condition_of(question)
        if condition is not None and not is_met(condition, by_key.get(condition.question), kept):
            continue
        shown.add(question.key)
        if question.key in answers:
            kept[question.key] = answers[question.key]
    return shown


def dependents(questions: Sequence[SurveyQuestion], key: str) -> list[SurveyQuestion]:
    """The questions whose condition is on the question with `key`."""
    return [
        question
        for question in questions
        if (condition := condition_of(question)) is not None and condition.question == key
    ]


def check_condition(
    question_key: Any,
    op: Any,
    values: Sequence[Any],
    earlier: Sequence[SurveyQuestion],
    later: Collection[str] = (),
) -> tuple[Condition | None, list[tuple[str, str]]]:
    """A condition from its parts (as from the editor or a document) and the problems of
    each part ("question", "op", "value"), as a document's checks word them.

    `earlier`: the questions before the one it is for; `later`: the keys of that question and
    those after it, which it cannot depend on."""
    if not isinstance(question_key, str) or not question_key.strip():
        return None, [("question", "name the earlier question it depends on, by its key")]
    question_key = question_key.strip()
    referred = next((q for q in earlier if q.key == question_key), None)
    if referred is None:
        if question_key in later:
            return None, [
                (
                    "question",
                    f"the question {question_key!r} is not before this one: a question can "
                    "depend only on an earlier question",
                )
            ]
        return None, [
            ("question", f"no earlier question of this survey has the key {question_key!r}")
        ]
    kind = kind_of(referred.kind)
    if not kind.can_be_condition:
        return None, [
            ("question", f"the answers of a “{kind.label}” question cannot be a condition")
        ]
    problems: list[tuple[str, str]] = []
    if op not in OPS:
        problems.append(("op", f"must be one of {', '.join(OPS)}"))
    elif op in SCALE_OPS and not kind.ordered:
        problems.append(
            (
                "op",
                "“at least” and “at most” (at_least, at_most) compare answers on a scale "
                "(agreement, rating, likelihood to recommend): use “is”, “is not” or "
                "“any of” (is, is_not, any_of)",
            )
        )
    offered = [value for value, _label in referred.choices()]
    by_label = {label: value for value, label in referred.choices()} if kind.has_options else {}
    chosen: list[str] = []
    for value in values:
        text = (
            str(value).strip()
            if isinstance(value, str | int) and not isinstance(value, bool)
            else None
        )
        if text is not None and text not in offered:
            text = by_label.get(text)
        if text is None:
            problems.append(
                ("value", f"{value!r} is not an answer of that question ({', '.join(offered)})")
            )
        elif text not in chosen:
            chosen.append(text)
    if not values:
        problems.append(("value", "choose the answer it depends on"))
    elif op in OPS and op != "any_of" and len(values) != 1:
        problems.append(
            ("value", f"“{OPS[op]}” ({op}) takes one answer; “is any of” (any_of) takes several")
        )
    if problems:
        return None, problems
    return Condition(question_key, str(op), tuple(chosen)), []


def clean_condition(
    show_if: Mapping[str, Any] | None,
    questions: Sequence[SurveyQuestion],
    position: int,
    own_key: str | None = None,
) -> dict[str, Any] | None:
    """The `show_if` to keep for a question at `position` of `questions` (the survey's, in
    order; the question itself is left out of those it may depend on); DomainError on the
    editor's field of the first problem."""
    if not show_if or not show_if.get("question"):
        return None
    earlier = [q for q in questions[:position] if q.key != own_key]
    later = {q.key for q in questions[position:]} | ({own_key} if own_key else set())
    value = show_if.get("value")
    values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
    condition, problems = check_condition(
        show_if["question"], show_if.get("op"), values, earlier, later
    )
    if condition is None:
        part, message = problems[0]
        raise DomainError(message[0].upper() + message[1:] + ".", field=EDITOR_FIELDS[part])
    referred = next(q for q in earlier if q.key == condition.question)
    return condition.as_json(referred)


# --- the answer page -----------------------------------------------------------------------


def page_condition(
    question: SurveyQuestion, questions: Sequence[SurveyQuestion], locale: str | None
) -> dict[str, Any] | None:
    """What the answer page says of a question's condition: the field it depends on, the
    values its script compares with (`matching`), and the sentence shown to the participant
    (who may have no script: then every question is shown, with this sentence)."""
    condition = condition_of(question)
    if condition is None:
        return None
    referred = next((q for q in questions if q.key == condition.question), None)
    if referred is None:
        return None
    values, negated = matching(condition, referred)
    kind = kind_of(referred.kind)
    labels = dict(referred.choices_in(locale))

    def label(value: str) -> str:
        text = labels.get(value, value)
        # The organiser's options are in the page's language already; fixed answers are the
        # catalogue's.
        return text if kind.has_options else gettext(text)

    asked = referred.text_in(locale, "text")
    first = label(condition.values[0]) if condition.values else ""
    if condition.op == "is_not":
        note = gettext(
            "Answer this only if your answer to “%(question)s” is not “%(value)s”.",
            question=asked,
            value=first,
        )
    elif condition.op == "any_of":
        note = gettext(
            "Answer this only if your answer to “%(question)s” is one of: %(values)s.",
            question=asked,
            values=", ".join(f"“{label(v)}”" for v in condition.values),
        )
    elif condition.op == "at_least":
        note = gettext(
            "Answer this only if your answer to “%(question)s” is at least “%(value)s”.",
            question=asked,
            value=first,
        )
    elif condition.op == "at_most":
        note = gettext(
            "Answer this only if your answer to “%(question)s” is at most “%(value)s”.",
            question=asked,
            value=first,
        )
    else:
        note = gettext(
            "Answer this only if your answer to “%(question)s” is “%(value)s”.",
            question=asked,
            value=first,
        )
    return {
        "field": "q-" + referred.key,
        "values": sorted(values),
        "negated": negated,
        "note": note,
    }


def condition_summary(question: SurveyQuestion, questions: Sequence[SurveyQuestion]) -> str:
    """The condition in the builder's list of questions (in English, for organisers): "Shown
    only when “Did you attend the field visit?” is “Yes”"; "" without one."""
    condition = condition_of(question)
    if condition is None:
        return ""
    referred = next((q for q in questions if q.key == condition.question), None)
    if referred is None:
        return ""
    labels = dict(referred.choices())
    values = " or ".join(f"“{labels.get(v, v)}”" for v in condition.values)
    return f"Shown only when “{referred.text}” {OPS.get(condition.op, condition.op)} {values}"
