"""Published results: what the organiser chooses to show of a survey's results on a public page,
`/m/<slug>/surveys/<key>/results`.

Nothing is public unless chosen: the page exists only while the organiser has it on, shows the
figures of the questions they tick, and the free-text answers they tick one by one (a free-text
question is never published as a whole). The figures are those of the results page
(`results.survey_results`, published responses only), with the small-group rule applied
strictly: where the results page marks a figure of fewer than SMALL_GROUP respondents, this
page leaves it out. That holds for the whole survey, a question, a stakeholder group and one
answer's count ("cell"); and counts left out must not be computable from what is shown, so
more go with them (`_hide`), and a mean, an NPS or a share who agreed is shown only where no
count is left out. An NPS question is published as its three bands. Nothing is said of who did
not answer, and no name or e-mail address is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select, update

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.i18n import N_
from meetapp.models import (
    StakeholderGroup,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from meetapp.models.surveys import QuestionKind
from meetapp.surveys.kinds import OptionCount, Tally, kind_of, percent
from meetapp.surveys.results import (
    SMALL_GROUP,
    TEXTS_SHOWN,
    QuestionResult,
    counted_responses,
    survey_results,
)

# The kinds whose figures the public page knows how to show, each row of counts protected by
# `_hide`. Free text is not among them (its answers are chosen one by one); a kind added later
# is offered once the page shows it.
PUBLISHABLE_KINDS = frozenset(
    {
        QuestionKind.LIKERT,
        QuestionKind.RATING,
        QuestionKind.NPS,
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.YES_NO,
    }
)


def is_publishable(kind: str) -> bool:
    return kind in PUBLISHABLE_KINDS


def publishable_questions(survey: Survey) -> list[SurveyQuestion]:
    """The questions whose figures may be chosen for the public page (`PUBLISHABLE_KINDS`)."""
    return [q for q in survey.questions if is_publishable(q.kind)]


def is_free_text(question: SurveyQuestion) -> bool:
    return Tally.TEXTS in kind_of(question.kind).tallies


def save_settings(
    survey: Survey, *, published: bool, question_keys: Iterable[str], by_group: bool
) -> None:
    """Store what the public page shows. Only publishable questions of the survey may be
    chosen; a stakeholder-group breakdown only in a tracked survey (an anonymous survey keeps
    no groups)."""
    allowed = [q.key for q in publishable_questions(survey)]
    chosen = set(question_keys)
    unknown = chosen - set(allowed)
    if unknown:
        raise DomainError(
            "Only the questions offered can be published; free-text answers are chosen one by "
            "one on the results page.",
            field="questions",
        )
    if published and not chosen and not has_published_texts(survey):
        raise DomainError(
            "Choose at least one question to publish, or tick free-text answers below first.",
            field="questions",
        )
    survey.results_published = published
    survey.published_questions = [key for key in allowed if key in chosen]
    survey.published_by_group = by_group and not survey.anonymous
    db.session.flush()


def _text_question_ids(survey: Survey) -> list[int]:
    return [q.id for q in survey.questions if is_free_text(q)]


def has_published_texts(survey: Survey) -> bool:
    ids = _text_question_ids(survey)
    if not ids:
        return False
    return (
        db.session.scalar(
            select(SurveyAnswer.id)
            .where(SurveyAnswer.question_id.in_(ids), SurveyAnswer.published_text)
            .limit(1)
        )
        is not None
    )


def choose_texts(survey: Survey, shown: Sequence[int], chosen: Sequence[int]) -> int:
    """Publish the free-text answers `chosen` among those `shown` on the results page, and
    withdraw the others shown; returns how many of those shown are now published. Ids that are
    not this survey's free-text answers are refused (a page from before a change, or made up).
    """
    shown_set, chosen_set = set(shown), set(chosen)
    if not chosen_set <= shown_set:
        raise DomainError("Only the answers listed on the page can be chosen.")
    ids = _text_question_ids(survey)
    if not shown_set:
        return 0
    found = set(
        db.session.scalars(
            select(SurveyAnswer.id).where(
                SurveyAnswer.id.in_(shown_set),
                SurveyAnswer.question_id.in_(ids),
                SurveyAnswer.text.is_not(None),
            )
        )
    )
    if found != shown_set:
        raise DomainError(
            "Some of these answers are no longer there (changed or replaced since the page was "
            "opened). Nothing was changed: open the results again and choose once more."
        )
    db.session.execute(
        update(SurveyAnswer)
        .where(SurveyAnswer.id.in_(shown_set))
        .values(published_text=SurveyAnswer.id.in_(chosen_set))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return len(chosen_set)


def published_text_ids(survey: Survey) -> set[int]:
    """The ids of the survey's free-text answers chosen for the public page."""
    ids = _text_question_ids(survey)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(SurveyAnswer.id).where(
                SurveyAnswer.question_id.in_(ids), SurveyAnswer.published_text
            )
        )
    )


# --- the public page -----------------------------------------------------------------------


@dataclass
class PublicCell:
    label: str
    count: int | None  # None: left out (too few)
    percent: float | None


@dataclass
class PublicGroup:
    label: str
    answered: int
    cells: list[PublicCell]
    mean: float | None = None
    nps: float | None = None


@dataclass
class PublicQuestion:
    question: SurveyQuestion
    text: str
    kind: str
    answered: int = 0
    too_few: bool = False
    cells: list[PublicCell] = field(default_factory=list)
    mean: float | None = None
    nps: float | None = None
    agree_percent: float | None = None
    groups: list[PublicGroup] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    hidden_cells: bool = False

    @property
    def lists_texts(self) -> bool:
        return is_free_text(self.question)


@dataclass
class PublicResults:
    survey: Survey
    responses: int
    too_few: bool
    questions: list[PublicQuestion]
    by_group: bool


def _label(question: SurveyQuestion, label: str) -> str:
    """A fixed answer's label (agreement, yes/no) is the catalogue's text, translated here; a
    choice question's is already in the page's language."""
    return label if question.has_options else gettext(label)


# An NPS question is published as its three bands, not its eleven values: the score is made of
# them, and eleven small counts would mostly be left out.
NPS_BANDS = (
    (N_("Detractors (0 to 6)"), range(0, 7)),
    (N_("Passives (7 or 8)"), range(7, 9)),
    (N_("Promoters (9 or 10)"), range(9, 11)),
)


def _counts(question: SurveyQuestion, options: Sequence[OptionCount]) -> list[tuple[str, int]]:
    """(label, count) of each answer as published: an NPS question's bands, any other
    question's answers."""
    if question.kind == QuestionKind.NPS:
        by_value = {int(o.value): o.count for o in options if o.value.isdigit()}
        return [
            (gettext(label), sum(by_value.get(value, 0) for value in values))
            for label, values in NPS_BANDS
        ]
    return [(_label(question, o.label), o.count) for o in options]


def _hide(rows: list[list[int]], one_value: bool) -> list[set[int]]:
    """Which counts of each row (the whole question's, or each group's) are left out: those
    of 1 to SMALL_GROUP - 1, and then, until nothing changes, the smallest other count of a
    row (when the answer is one value, so that a row adds up to its total) or of a column
    (the groups add up to the whole) where only one is left out, which the totals would give
    away."""
    hidden = [{i for i, count in enumerate(row) if 0 < count < SMALL_GROUP} for row in rows]

    def smallest_shown(cells: list[tuple[int, int, int]]) -> tuple[int, int] | None:
        shown = sorted((count, r, c) for r, c, count in cells if count and c not in hidden[r])
        return (shown[0][1], shown[0][2]) if shown else None

    changed = True
    while changed:
        changed = False
        lines: list[list[tuple[int, int, int]]] = []
        if one_value:
            lines += [[(r, c, count) for c, count in enumerate(row)] for r, row in enumerate(rows)]
        if len(rows) > 1:
            width = len(rows[0])
            lines += [[(r, c, rows[r][c]) for r in range(len(rows))] for c in range(width)]
        for line in lines:
            if sum(1 for r, c, _count in line if c in hidden[r]) != 1:
                continue
            found = smallest_shown(line)
            if found is not None:
                hidden[found[0]].add(found[1])
                changed = True
    return hidden


def _cells(counts: list[tuple[str, int]], answered: int, hidden: set[int]) -> list[PublicCell]:
    return [
        PublicCell(label, None, None)
        if i in hidden
        else PublicCell(label, count, percent(count, answered))
        for i, (label, count) in enumerate(counts)
    ]


def _public_question(
    item: QuestionResult, locale: str | None, by_group: bool, group_labels: dict[int | None, str]
) -> PublicQuestion:
    """A question's published figures. The mean, the NPS and the share who agreed are shown
    only where no count is left out: with the total, they would give the missing counts."""
    question = item.question
    kind = kind_of(question.kind)
    shown = PublicQuestion(
        question=question,
        text=question.text_in(locale, "text"),
        kind=question.kind,
        answered=item.answered,
    )
    if item.answered < SMALL_GROUP:
        shown.too_few = True
        return shown
    one_value = not kind.several
    kept = []
    if by_group and item.by_group:
        kept = [g for g in item.by_group if g.answered >= SMALL_GROUP]
        if len(item.by_group) - len(kept) == 1 and kept:
            # One group left out could be read as the total less the others: one more goes.
            kept.remove(min(kept, key=lambda g: g.answered))
    counts = [_counts(question, item.options)] + [_counts(question, g.options) for g in kept]
    # The whole question's row is protected alone; its groups' rows together, column-wise too.
    overall_hidden = _hide([[count for _label, count in counts[0]]], one_value)[0]
    group_hidden = _hide([[count for _label, count in row] for row in counts[1:]], one_value)
    shown.cells = _cells(counts[0], item.answered, overall_hidden)
    shown.hidden_cells = bool(overall_hidden)
    if not overall_hidden:
        shown.mean, shown.nps, shown.agree_percent = item.mean, item.nps, item.agree_percent
    for group, row, hidden in zip(kept, counts[1:], group_hidden, strict=True):
        shown.groups.append(
            PublicGroup(
                label=group_labels.get(group.group_id, group.label),
                answered=group.answered,
                cells=_cells(row, group.answered, hidden),
                mean=None if hidden else group.mean,
                nps=None if hidden else group.nps,
            )
        )
    return shown


def public_results(survey: Survey, locale: str | None) -> PublicResults:
    """What the public page shows: the chosen questions' figures and the chosen free-text
    answers, in the survey's order, nothing of fewer than SMALL_GROUP respondents."""
    chosen = set(survey.published_questions or [])
    by_group = bool(survey.published_by_group) and not survey.anonymous
    results = survey_results(
        survey, with_texts=False, with_groups=by_group, with_missing=False, locale=locale
    )
    if results.responses < SMALL_GROUP:
        return PublicResults(survey, results.responses, True, [], by_group)
    texts = _published_texts(survey)
    group_labels = _group_labels(survey, locale) if by_group else {}
    questions: list[PublicQuestion] = []
    for item in results.questions:
        question = item.question
        if is_free_text(question):
            if question.id not in texts:
                continue
            shown = PublicQuestion(
                question=question,
                text=question.text_in(locale, "text"),
                kind=question.kind,
                answered=item.answered,
            )
            if item.answered < SMALL_GROUP:
                shown.too_few = True
            else:
                shown.texts = texts[question.id]
            questions.append(shown)
        elif question.key in chosen and is_publishable(question.kind):
            questions.append(_public_question(item, locale, by_group, group_labels))
    return PublicResults(survey, results.responses, False, questions, by_group)


def _group_labels(survey: Survey, locale: str | None) -> dict[int | None, str]:
    """The meeting's stakeholder groups' labels in the page's language."""
    labels: dict[int | None, str] = {
        group.id: group.text_in(locale, "label")
        for group in db.session.scalars(
            select(StakeholderGroup).where(StakeholderGroup.meeting_id == survey.meeting_id)
        )
    }
    labels[None] = gettext("No group")
    return labels


def _published_texts(survey: Survey) -> dict[int, list[str]]:
    """The chosen free-text answers of each question (of published responses), as the results
    page orders them: an anonymous survey's by their text, others' as given."""
    ids = _text_question_ids(survey)
    if not ids:
        return {}
    order = (SurveyAnswer.text, SurveyAnswer.id) if survey.anonymous else (SurveyAnswer.id,)
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyAnswer.question_id.in_(ids),
            SurveyAnswer.published_text,
            SurveyAnswer.text.is_not(None),
            SurveyResponse.published,
            # The responses the results count (those of the open link may be left out).
            counted_responses(survey),
        )
        .order_by(SurveyAnswer.question_id, *order)
    ):
        if len(texts[question_id]) < TEXTS_SHOWN:
            texts[question_id].append(str(text))
    return texts


def find_published(surveys: Iterable[Survey], key: str) -> Survey | None:
    return next((s for s in surveys if s.key == key and s.results_published), None)
