"""Survey results: response rate, counts and percentages, means, NPS, free text, breakdown by
stakeholder group, who has not answered; and the JSON summary (the response exports are in
`exports`).

Every figure comes from GROUP BY queries: `survey_results` issues the same few statements
whatever the number of responses.

Answers given through the survey's open link count only when the organiser says so
(`Survey.open_counts_with_invited`): otherwise the same statements leave them out
(`_counted`, `_counted_answers`), and the results say how many there were (`open_left_out`).

Only published responses count (`batches`: an anonymous survey's are published in batches;
every other response at once), and `survey_answers` holds only published answers. An anonymous
survey's responses are never listed in the order they were given: its free-text answers are
listed, and its responses exported, in the order of their content, and its times only as days
(those of the batches they were published with).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Select, and_, case, distinct, exists, false, func, or_, select, true

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.i18n import language_name
from meetapp.models import (
    Meeting,
    Participant,
    StakeholderGroup,
    Status,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyQuestion,
    SurveyResponse,
    SurveyState,
)
from meetapp.surveys.batches import waiting_counts
from meetapp.surveys.conditions import condition_of, matching
from meetapp.surveys.kinds import (
    AGREE,
    OptionCount,
    RowFigures,
    Tally,
    grid_value,
    kind_of,
    percent,
)

_S = TypeVar("_S", bound=Select)  # a query of survey_answers

TEXTS_SHOWN = 200  # free-text answers listed per question on the page (all are in the exports)
MISSING_PER_PAGE = 50  # names of those who have not answered, per page of the results page
NO_GROUP_LABEL = "No group"
# Figures of fewer respondents than this are marked as too few to read (a group of three where
# two agreed is "67%"), wherever results are shown.
SMALL_GROUP = 5
# Under this many answers an NPS moves by more than 3 points with each answer: it says so.
NPS_STEADY = 30


@dataclass
class GroupBreakdown:
    label: str
    answered: int
    options: list[OptionCount]
    mean: float | None = None
    nps: float | None = None
    # A grid question's figures, row by row (of the group's respondents).
    rows: list[RowFigures] = field(default_factory=list)
    # The stakeholder group's id (None: no group), for a page that labels it in its language.
    group_id: int | None = None

    @property
    def too_few(self) -> bool:
        return self.answered < SMALL_GROUP


@dataclass
class QuestionResult:
    small_group: ClassVar[int] = SMALL_GROUP

    question: SurveyQuestion
    answered: int = 0
    # How many responses the question was shown to, for a question shown only for some
    # earlier answer (`conditions`); None: shown to every respondent.
    shown: int | None = None
    options: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    agree_percent: float | None = None
    texts: list[str] = field(default_factory=list)
    # Parallel to `texts`: the language of the page each was written on (None: unknown).
    text_languages: list[str | None] = field(default_factory=list)
    # Parallel to `texts`: each answer's id (for choosing it for the published results).
    text_ids: list[int] = field(default_factory=list)
    by_group: list[GroupBreakdown] = field(default_factory=list)
    # A grid question's figures, row by row.
    rows: list[RowFigures] = field(default_factory=list)

    @property
    def lists_texts(self) -> bool:
        """Whether the question's answers are texts, listed rather than charted (its kind
        says)."""
        return Tally.TEXTS in kind_of(self.question.kind).tallies

    def texts_with_languages(self) -> list[tuple[str, str | None]]:
        return list(zip(self.texts, self.text_languages, strict=True))

    def listed_texts(self) -> list[tuple[str, str | None, int]]:
        """(text, language, answer id) of each text listed."""
        return list(zip(self.texts, self.text_languages, self.text_ids, strict=True))

    @property
    def has_small_groups(self) -> bool:
        return any(group.too_few for group in self.by_group)

    @property
    def nps_step(self) -> int | None:
        """By how many points one answer moves the NPS, when that is more than a little (few
        answered); None otherwise."""
        if self.nps is None or not self.answered or self.answered >= NPS_STEADY:
            return None
        return round(100 / self.answered)


@dataclass
class MissingRow:
    name: str
    email: str
    group: str | None


@dataclass
class SurveyResults:
    survey: Survey
    audience: int
    audience_is_invited: bool
    responses: int
    questions: list[QuestionResult]
    # How many were asked and have not answered (tracked surveys), and one page of their names
    # (`missing_page`): never all of them, whatever the number.
    not_answered_count: int = 0
    not_answered: list[MissingRow] = field(default_factory=list)
    missing_page: int = 1
    missing_pages: int = 1
    groups: list[tuple[str, int]] = field(default_factory=list)  # (label, responses)
    # A closed anonymous survey's new responses that never made a batch, and so are not shown
    # (counted only once the survey is closed: before, the number would change with each answer).
    held_back: int = 0
    # The language the labels of options and the questions are shown in (None: the meeting's
    # first language, the texts' own columns).
    locale: str | None = None
    # How many published responses were given in each language, the most first (None: not
    # known, as for imported responses), in one GROUP BY.
    languages: list[tuple[str | None, int]] = field(default_factory=list)
    # Published responses given through the open link: all of them, and those left out of the
    # figures (the survey does not count them with the invited ones).
    open_responses: int = 0
    open_left_out: int = 0

    @property
    def rate(self) -> float | None:
        """Answered / invited (or / participants when nobody was invited), in percent; None
        without a real denominator (see `audience_and_responses`)."""
        if not self.audience:
            return None
        return 100.0 * self.responses / self.audience

    def answered_in(self) -> str:
        """ "Answered in: English 12, ខ្មែរ 5": the published responses per language."""
        counts = ", ".join(
            f"{language_name(language) or 'language not recorded'} {count}"
            for language, count in self.languages
        )
        return f"Answered in: {counts}"

    @property
    def audience_label(self) -> str:
        return "invited" if self.audience_is_invited else "participants"


def _counted(survey: Survey) -> Any:
    """The condition on a survey's responses that the results count: those given through the
    open link only when the survey counts them with the invited ones."""
    if survey.open_counts_with_invited:
        return true()
    return SurveyResponse.via_open_link.is_(False)


def counted_responses(survey: Survey) -> Any:
    """The condition on a survey's responses that the results count (`_counted`), for the
    pages that read answers as the results do (the published results)."""
    return _counted(survey)


def _counted_answers(survey: Survey, query: _S) -> _S:
    """`query` of survey_answers, without the answers of responses the results do not count
    (joined to their responses only then: the same one statement)."""
    if survey.open_counts_with_invited:
        return query
    return query.join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id).where(
        _counted(survey)
    )


def audience_and_responses(survey: Survey) -> tuple[int, bool, int]:
    """(how many were asked, whether that is the number invited, published responses), in one
    query (see `audience_counts`)."""
    audience = audience_counts(survey)
    return audience.asked, audience.is_invited, audience.responses


@dataclass(frozen=True)
class Audience:
    asked: int
    is_invited: bool
    responses: int
    attended: int  # participants who came (not cancelled)
    # Published responses given through the open link, and how many of them the results leave
    # out (`Survey.open_counts_with_invited`); `responses` counts only the others then.
    open_responses: int = 0
    open_left_out: int = 0


def audience_counts(survey: Survey) -> Audience:
    """How many were asked, whether that is the number invited, the published responses and
    how many participants came, in one query.

    With invitations: those invited, plus anyone who answered without one (responses brought
    in by an import). Without: the participants who attended, else those registered. When that
    number is 0 or smaller than the responses (answers imported from people it does not
    count), there is no real denominator: the number asked is then 0, and no rate is shown.
    """
    invited = (
        select(func.count())
        .select_from(SurveyInvitation)
        .where(SurveyInvitation.survey_id == survey.id)
        .scalar_subquery()
    )
    # Driven by the invitations, so that it costs nothing when there are none.
    invited_who_answered = (
        select(func.count())
        .select_from(SurveyInvitation)
        .join(
            SurveyResponse,
            and_(
                SurveyResponse.survey_id == SurveyInvitation.survey_id,
                SurveyResponse.participant_id == SurveyInvitation.participant_id,
            ),
        )
        .where(SurveyInvitation.survey_id == survey.id)
        .scalar_subquery()
    )
    # The counts of responses in one scan of the survey's.
    published = (
        select(
            func.count().label("responses"),
            func.count(SurveyResponse.participant_id).label("tracked"),
            func.count().filter(SurveyResponse.via_open_link).label("open"),
        )
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.published)
        .subquery()
    )
    attended = (
        select(func.count())
        .select_from(Participant)
        .where(
            Participant.meeting_id == survey.meeting_id,
            Participant.attended.is_(True),
            Participant.status != Status.CANCELLED,
        )
        .scalar_subquery()
    )
    # The meeting's own count (see `meetapp.models.registration.add_to_seat_counts`).
    registered = (
        select(Meeting.registered_count).where(Meeting.id == survey.meeting_id).scalar_subquery()
    )
    row = db.session.execute(
        select(
            invited,
            invited_who_answered,
            published.c.tracked,
            published.c.responses,
            published.c.open,
            attended,
            registered,
        ).select_from(published)
    ).one()
    n_invited, n_invited_answered, n_tracked, n_responses, n_open, n_attended, n_registered = (
        int(v or 0) for v in row
    )
    left_out = 0 if survey.open_counts_with_invited else n_open
    n_responses -= left_out
    if n_invited:
        asked, is_invited = n_invited + n_tracked - n_invited_answered, True
    else:
        asked, is_invited = n_attended or n_registered, False
    return Audience(
        asked if asked >= n_responses else 0,
        is_invited,
        n_responses,
        n_attended,
        n_open,
        left_out,
    )


@dataclass
class HeadlineFigures:
    """A likert, NPS, rating or yes/no question's figures for a press release."""

    answered: int
    agreeing: int  # likert: agree or strongly agree
    promoters: int  # NPS: 9 or 10
    detractors: int  # NPS: 0 to 6
    total: int  # rating: the sum of the numbers given
    yes: int = 0  # yes/no: the yeses

    @property
    def yes_percent(self) -> float:
        return percent(self.yes, self.answered)

    @property
    def agree_percent(self) -> float:
        return percent(self.agreeing, self.answered)

    @property
    def nps(self) -> float:
        return percent(self.promoters, self.answered) - percent(self.detractors, self.answered)

    @property
    def mean(self) -> float:
        return self.total / self.answered


def headline_figures(
    question_ids: list[int], survey: Survey | None = None
) -> dict[int, HeadlineFigures]:
    """The figures of the questions named (likert, NPS, rating, yes/no) that have answers, each
    counted by the database in one GROUP BY statement: what a press release's highlights need,
    without the rest of `survey_results` (breakdowns, texts, who has not answered). Given the
    `survey` they belong to, its open answers count only as it says (`_counted_answers`)."""
    if not question_ids:
        return {}
    query = select(
        SurveyAnswer.question_id,
        func.count(),
        func.count().filter(SurveyAnswer.choice.in_(AGREE)),
        func.count().filter(SurveyAnswer.number >= 9),
        func.count().filter(SurveyAnswer.number <= 6),
        func.coalesce(func.sum(SurveyAnswer.number), 0),
        func.count().filter(SurveyAnswer.choice == "yes"),
    ).where(SurveyAnswer.question_id.in_(question_ids))
    if survey is not None:
        query = _counted_answers(survey, query)
    rows = db.session.execute(query.group_by(SurveyAnswer.question_id))
    return {
        question_id: HeadlineFigures(
            int(n), int(agreeing), int(high), int(low), int(total or 0), int(yes)
        )
        for question_id, n, agreeing, high, low, total, yes in rows
        if n
    }


def survey_results(
    survey: Survey,
    *,
    with_texts: bool = True,
    with_groups: bool = True,
    with_missing: bool = True,
    missing_page: int | None = None,
    texts_shown: int = TEXTS_SHOWN,
    locale: str | None = None,
) -> SurveyResults:
    """Everything the results page, the PDF and the JSON summary show.

    `with_missing` counts those who have not answered; `missing_page` (from 1) lists that page
    of their names, MISSING_PER_PAGE a page. Options are labelled in `locale` (None: the
    meeting's first language). `survey.questions` must be loaded (`services.get_survey` does).

    The answers are counted by the statements their kinds take part in (`kinds.Tally`), each
    one GROUP BY for all the questions; each kind makes its figures of the counts.
    """
    questions = list(survey.questions)
    counted = audience_counts(survey)
    tallies = _count_answers(survey, questions)
    shown = count_shown(survey, questions)
    if with_texts:
        _list_texts(survey, questions, texts_shown, tallies)
    groups = _Groups()
    if with_groups and not survey.anonymous and counted.responses:
        groups = _response_groups(survey, questions)
    results = SurveyResults(
        survey=survey,
        audience=counted.asked,
        audience_is_invited=counted.is_invited,
        responses=counted.responses,
        questions=[_question_result(q, tallies, groups, locale, shown) for q in questions],
        groups=groups.listed(),
        locale=locale,
        # Anonymous responses keep no language (`services.submit_response`).
        languages=response_languages(survey) if counted.responses and not survey.anonymous else [],
        open_responses=counted.open_responses,
        open_left_out=counted.open_left_out,
    )
    if with_missing and not survey.anonymous:
        _fill_not_answered(results, survey, counted.is_invited, counted.attended > 0, missing_page)
    if survey.anonymous and survey.state(utcnow()) == SurveyState.CLOSED:
        results.held_back = waiting_counts(survey)[0]
    return results


def _taking_part(questions: list[SurveyQuestion], tally: Tally) -> list[int]:
    return [q.id for q in questions if tally in kind_of(q.kind).tallies]


@dataclass
class _Tallies:
    """What the statements of the results counted, per question id."""

    # Each stored value (choice, or number as text) and its count, overall and per
    # stakeholder group (None: no group, and every answer of an anonymous survey).
    values: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    group_values: dict[int, dict[int | None, dict[str, int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    # How many respondents answered, overall and per group.
    answered: dict[int, int] = field(default_factory=dict)
    group_answered: dict[int, dict[int | None, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # The texts listed, and the language of the page each was written on (None: unknown).
    texts: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    text_languages: dict[int, list[str | None]] = field(default_factory=lambda: defaultdict(list))
    text_ids: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


def _count_answers(survey: Survey, questions: list[SurveyQuestion]) -> _Tallies:
    """The values and respondents of the questions, in at most two statements.

    Answers are found by their question (which belongs to this survey): each statement is a
    scan of one index of survey_answers, in the order of its GROUP BY. One counts each value
    per stakeholder group (NULL in anonymous surveys); the totals are the sums over the
    groups. One answer is one respondent, except where a kind counts its respondents apart
    (several choices in one answer, or texts): that statement counts them per group (a
    response has one group), so that percentages are of those who answered the question,
    overall and per group."""
    tallies = _Tallies()
    value_ids = _taking_part(questions, Tally.VALUES)
    apart = _taking_part(questions, Tally.RESPONDENTS)
    if value_ids:
        for question_id, group_id, choice, number, count in db.session.execute(
            _counted_answers(
                survey,
                select(
                    SurveyAnswer.question_id,
                    SurveyAnswer.stakeholder_group_id,
                    SurveyAnswer.choice,
                    SurveyAnswer.number,
                    func.count(),
                ).where(SurveyAnswer.question_id.in_(value_ids)),
            ).group_by(
                SurveyAnswer.question_id,
                SurveyAnswer.stakeholder_group_id,
                SurveyAnswer.choice,
                SurveyAnswer.number,
            )
        ):
            value = grid_value(choice, number)
            counts = tallies.values[question_id]
            counts[value] = counts.get(value, 0) + count
            tallies.group_values[question_id][group_id][value] = count
    for question_id in value_ids:
        if question_id in apart:
            continue
        tallies.answered[question_id] = sum(tallies.values[question_id].values())
        for group_id, counts in tallies.group_values.get(question_id, {}).items():
            tallies.group_answered[question_id][group_id] = sum(counts.values())
    if apart:
        for question_id, group_id, count in db.session.execute(
            _counted_answers(
                survey,
                select(
                    SurveyAnswer.question_id,
                    SurveyAnswer.stakeholder_group_id,
                    func.count(distinct(SurveyAnswer.response_id)),
                ).where(SurveyAnswer.question_id.in_(apart)),
            ).group_by(SurveyAnswer.question_id, SurveyAnswer.stakeholder_group_id)
        ):
            tallies.answered[question_id] = tallies.answered.get(question_id, 0) + count
            tallies.group_answered[question_id][group_id] = count
    return tallies


def count_shown(survey: Survey, questions: list[SurveyQuestion]) -> dict[int, int]:
    """How many published responses each question with a condition was shown to, in one
    statement however many there are (none without conditions).

    Each response is judged by its own stored answers to the question the condition is on:
    shown when one of them is among the values the condition matches (`conditions.matching`),
    or, for ``is_not``, when it answered that question and chose none of them (those who
    answered it, less those who chose one: both counted per response). A response that did
    not answer it, or to which it was hidden (its answers were never stored), did not see the
    question, as on the answer page. `survey_answers` holds published answers only."""
    by_key = {question.key: question for question in questions}
    columns: list[Any] = []
    judged: list[tuple[int, bool]] = []
    referred_ids: set[int] = set()
    for question in questions:
        condition = condition_of(question)
        referred = by_key.get(condition.question) if condition else None
        if condition is None or referred is None:
            continue
        values, negated = matching(condition, referred)
        kind = kind_of(referred.kind)
        checked = [kind.check(referred, value) for value in sorted(values)]
        stored = [kind.rows(answer)[0] for answer in checked if answer is not None]
        choices = [row["choice"] for row in stored if row["choice"] is not None]
        numbers = [row["number"] for row in stored if row["number"] is not None]
        matched = or_(
            SurveyAnswer.choice.in_(choices) if choices else false(),
            SurveyAnswer.number.in_(numbers) if numbers else false(),
        )
        of_referred = SurveyAnswer.question_id == referred.id
        columns.append(
            func.count(distinct(case((and_(of_referred, matched), SurveyAnswer.response_id))))
        )
        if negated:
            columns.append(func.count(distinct(case((of_referred, SurveyAnswer.response_id)))))
        judged.append((question.id, negated))
        referred_ids.add(referred.id)
    if not judged:
        return {}
    row = iter(
        db.session.execute(
            _counted_answers(
                survey,
                select(*columns).where(SurveyAnswer.question_id.in_(sorted(referred_ids))),
            )
        ).one()
    )
    shown: dict[int, int] = {}
    for question_id, negated in judged:
        matched_count = int(next(row) or 0)
        shown[question_id] = int(next(row) or 0) - matched_count if negated else matched_count
    return shown


def _list_texts(
    survey: Survey, questions: list[SurveyQuestion], texts_shown: int, tallies: _Tallies
) -> None:
    """The first `texts_shown` texts of each question whose kind lists them, with the language
    each was written in (from its response), in one statement: in the order they were given;
    an anonymous survey's in the order of their text."""
    text_ids = _taking_part(questions, Tally.TEXTS)
    if not text_ids:
        return
    order = (SurveyAnswer.text, SurveyAnswer.id) if survey.anonymous else (SurveyAnswer.id,)
    ranked = _counted_answers(
        survey,
        select(
            SurveyAnswer.question_id,
            SurveyAnswer.text,
            SurveyAnswer.response_id,
            SurveyAnswer.id,
            func.row_number()
            .over(partition_by=SurveyAnswer.question_id, order_by=order)
            .label("n"),
        ).where(SurveyAnswer.question_id.in_(text_ids), SurveyAnswer.text.is_not(None)),
    ).subquery()
    for question_id, text, answer_id, language in db.session.execute(
        select(ranked.c.question_id, ranked.c.text, ranked.c.id, SurveyResponse.language)
        .join(SurveyResponse, SurveyResponse.id == ranked.c.response_id)
        .where(ranked.c.n <= texts_shown)
        .order_by(ranked.c.question_id, ranked.c.n)
    ):
        tallies.texts[question_id].append(text)
        tallies.text_languages[question_id].append(language)
        tallies.text_ids[question_id].append(answer_id)


@dataclass
class _Groups:
    """The stakeholder groups of a tracked survey's breakdown: their labels (in the order of
    the meeting's groups, "No group" last) and how many responded in each."""

    labels: dict[int | None, str] = field(default_factory=dict)
    respondents: dict[int | None, int] = field(default_factory=dict)

    def listed(self) -> list[tuple[str, int]]:
        return [
            (label, self.respondents[group_id])
            for group_id, label in self.labels.items()
            if self.respondents.get(group_id)
        ]


def _response_groups(survey: Survey, questions: list[SurveyQuestion]) -> _Groups:
    """The breakdown uses the group each respondent was in when they answered, kept with the
    response and its answers; none when no question's values are counted."""
    if not _taking_part(questions, Tally.VALUES):
        return _Groups()
    groups = _Groups()
    groups.labels = {
        group.id: group.label
        for group in db.session.scalars(
            select(StakeholderGroup)
            .where(StakeholderGroup.meeting_id == survey.meeting_id)
            .order_by(StakeholderGroup.position, StakeholderGroup.id)
        )
    }
    groups.labels[None] = NO_GROUP_LABEL
    for group_id, count in db.session.execute(
        select(SurveyResponse.stakeholder_group_id, func.count())
        .where(SurveyResponse.survey_id == survey.id, _counted(survey))
        .group_by(SurveyResponse.stakeholder_group_id)
    ):
        groups.respondents[group_id] = count
    return groups


def _question_result(
    question: SurveyQuestion,
    tallies: _Tallies,
    groups: _Groups,
    locale: str | None,
    shown: dict[int, int],
) -> QuestionResult:
    """A question's figures, as its kind makes them of the counts, overall and per group."""
    kind = kind_of(question.kind)
    answered = tallies.answered.get(question.id, 0)
    figures = kind.summarise(question, tallies.values.get(question.id, {}), answered, locale)
    item = QuestionResult(
        question=question,
        answered=answered,
        shown=shown.get(question.id),
        options=figures.options,
        mean=figures.mean,
        nps=figures.nps,
        promoters=figures.promoters,
        passives=figures.passives,
        detractors=figures.detractors,
        agree_percent=figures.agree_percent,
        texts=tallies.texts.get(question.id, []),
        text_languages=tallies.text_languages.get(question.id, []),
        rows=figures.rows,
        text_ids=tallies.text_ids.get(question.id, []),
    )
    if not tallies.group_values or Tally.VALUES not in kind.tallies:
        return item
    by_group = tallies.group_values.get(question.id, {})
    for group_id, label in groups.labels.items():
        if not groups.respondents.get(group_id):
            continue
        # Percentages are of the group's respondents who answered the question.
        base = tallies.group_answered.get(question.id, {}).get(group_id, 0)
        group_figures = kind.summarise(question, by_group.get(group_id, {}), base, locale)
        item.by_group.append(
            GroupBreakdown(
                label=label,
                answered=base,
                options=group_figures.options,
                mean=group_figures.mean,
                nps=group_figures.nps,
                rows=group_figures.rows,
                group_id=group_id,
            )
        )
    return item


def response_languages(survey: Survey) -> list[tuple[str | None, int]]:
    """How many published responses were given in each language (None: unknown), the most
    first: one GROUP BY, whatever the number of languages."""
    rows = db.session.execute(
        select(SurveyResponse.language, func.count())
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.published, _counted(survey))
        .group_by(SurveyResponse.language)
    ).all()
    return sorted(
        ((language, int(count)) for language, count in rows),
        key=lambda row: (-row[1], row[0] is None, row[0] or ""),
    )


def _not_answered_query(
    survey: Survey, is_invited: bool, someone_came: bool, *columns: Any
) -> Select[Any]:
    """Who was asked and has not answered (tracked surveys): the invited, or else the
    participants who attended (or, when nobody is marked as having come, those registered),
    without a response. `someone_came` is read with the audience (`audience_counts`)."""
    answered = exists().where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.participant_id == Participant.id
    )
    query = (
        select(*columns)
        .select_from(Participant)
        .where(Participant.meeting_id == survey.meeting_id, ~answered)
    )
    if is_invited:
        used = exists().where(SurveyInvitationUse.invitation_id == SurveyInvitation.id)
        query = query.join(
            SurveyInvitation,
            and_(
                SurveyInvitation.participant_id == Participant.id,
                SurveyInvitation.survey_id == survey.id,
            ),
        ).where(~used)
    elif someone_came:
        query = query.where(Participant.attended.is_(True), Participant.status != Status.CANCELLED)
    else:
        query = query.where(Participant.status == Status.REGISTERED)
    return query


def count_not_answered(survey: Survey, is_invited: bool, someone_came: bool) -> int:
    """How many were asked and have not answered: one statement, counted by the database."""
    query = _not_answered_query(survey, is_invited, someone_came, func.count())
    return int(db.session.scalar(query) or 0)


def _pages(count: int) -> int:
    return max(1, -(-count // MISSING_PER_PAGE))


def _fill_not_answered(
    results: SurveyResults,
    survey: Survey,
    is_invited: bool,
    someone_came: bool,
    page: int | None,
) -> None:
    """How many have not answered and, when a page is asked for, that page of them. A page
    comes with the count in one statement; only a page past the last needs the count apart
    (and then shows the last page)."""
    if page is None:
        results.not_answered_count = count_not_answered(survey, is_invited, someone_came)
        results.missing_pages = _pages(results.not_answered_count)
        return
    page = max(page, 1)
    rows, total = not_answered(survey, is_invited, someone_came, page=page)
    if total is None:
        total = count_not_answered(survey, is_invited, someone_came)
        if total:
            page = _pages(total)
            rows, _total = not_answered(survey, is_invited, someone_came, page=page)
    results.not_answered_count = total
    results.missing_pages = _pages(total)
    results.missing_page = min(page, results.missing_pages)
    results.not_answered = rows


def not_answered(
    survey: Survey, is_invited: bool, someone_came: bool, *, page: int = 1
) -> tuple[list[MissingRow], int | None]:
    """A page of those who were asked and have not answered, by name (as the participant list
    sorts them), and how many they are in all (None when the page is past the last): one
    statement, which finds them once for both."""
    group = StakeholderGroup
    query = (
        _not_answered_query(
            survey,
            is_invited,
            someone_came,
            Participant.name,
            Participant.email,
            group.label,
            func.count().over().label("total"),
        )
        .outerjoin(group, group.id == Participant.stakeholder_group_id)
        .order_by(Participant.search_text, Participant.id)
        .offset((page - 1) * MISSING_PER_PAGE)
        .limit(MISSING_PER_PAGE)
    )
    rows = db.session.execute(query).all()
    total = int(rows[0].total) if rows else None
    return [MissingRow(name, email, label) for name, email, label, _total in rows], total


# --- the JSON summary -------------------------------------------------------------------


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _row_summary(row: RowFigures) -> dict[str, Any]:
    """A grid row's figures: how many answered it, the count and percentage of each point of
    the scale (1-5, labelled), the mean and, on the agreement scale, the share who agreed."""
    return {
        "key": row.key,
        "label": row.label,
        "answered": row.answered,
        "options": [
            {"value": o.value, "label": o.label, "count": o.count, "percent": round(o.percent, 1)}
            for o in row.options
        ],
        "mean": _round(row.mean),
        "agree_percent": _round(row.agree_percent, 1),
    }


def results_summary(results: SurveyResults, meeting: Meeting) -> dict[str, Any]:
    """The JSON summary: figures only (free text is in the response exports)."""
    survey = results.survey
    return {
        "meeting": meeting.slug,
        "survey": {
            "key": survey.key,
            "title": survey.title,
            "anonymous": survey.anonymous,
            "opens_at": survey.opens_at.isoformat() if survey.opens_at else None,
            "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        },
        "audience": results.audience or None,
        "audience_is_invited": results.audience_is_invited,
        "responses": results.responses,
        "response_rate": _round(results.rate, 1),
        "languages": [
            {"language": language, "responses": count} for language, count in results.languages
        ],
        "questions": [
            {
                "key": item.question.key,
                "text": item.question.text,
                "kind": item.question.kind,
                "required": item.question.required,
                "answered": item.answered,
                "shown": results.responses if item.shown is None else item.shown,
                "options": [
                    {
                        "value": o.value,
                        "label": o.label,
                        "count": o.count,
                        "percent": round(o.percent, 1),
                    }
                    for o in item.options
                ],
                "mean": _round(item.mean),
                "nps": _round(item.nps, 1),
                "agree_percent": _round(item.agree_percent, 1),
                **({"rows": [_row_summary(row) for row in item.rows]} if item.rows else {}),
                "by_group": [
                    {
                        "group": g.label,
                        "answered": g.answered,
                        "counts": {o.value: o.count for o in g.options},
                        "mean": _round(g.mean),
                        "nps": _round(g.nps, 1),
                        **({"rows": [_row_summary(row) for row in g.rows]} if g.rows else {}),
                    }
                    for g in item.by_group
                ],
            }
            for item in results.questions
        ],
        "not_answered": results.not_answered_count if not survey.anonymous else None,
    }
