"""Survey results: response rate, counts and percentages, means, NPS, free text, breakdown by
stakeholder group, who has not answered; and the JSON summary (the response exports are in
`exports`).

Every figure comes from GROUP BY queries: `survey_results` issues the same few statements
whatever the number of responses.

Only published responses count (`batches`: an anonymous survey's are published in batches;
every other response at once), and `survey_answers` holds only published answers. An anonymous
survey's responses are never listed in the order they were given: its free-text answers are
listed, and its responses exported, in the order of their content, and its times only as days
(those of the batches they were published with).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, distinct, exists, func, select

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.i18n import language_name
from meetapp.models import (
    Meeting,
    Participant,
    QuestionKind,
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
from meetapp.models.surveys import LIKERT_VALUES, NUMBER_KINDS
from meetapp.surveys.batches import waiting_counts

TEXTS_SHOWN = 200  # free-text answers listed per question on the page (all are in the exports)
MISSING_PER_PAGE = 50  # names of those who have not answered, per page of the results page
AGREE = ("agree", "strongly_agree")
NO_GROUP_LABEL = "No group"


@dataclass
class OptionCount:
    value: str
    label: str
    count: int
    percent: float  # of those who answered the question


@dataclass
class GroupBreakdown:
    label: str
    answered: int
    options: list[OptionCount]
    mean: float | None = None
    nps: float | None = None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
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
    by_group: list[GroupBreakdown] = field(default_factory=list)

    def texts_with_languages(self) -> list[tuple[str, str | None]]:
        return list(zip(self.texts, self.text_languages, strict=True))


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


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _number_value(kind: str, value: str) -> float:
    if kind == QuestionKind.LIKERT:
        return float(LIKERT_VALUES.index(value) + 1)
    return float(value)


def _options(
    question: SurveyQuestion, counts: dict[str, int], answered: int, locale: str | None = None
) -> list[OptionCount]:
    """The count of each answer offered, by its stored value (a choice question's option
    key, whatever language it was chosen in), labelled in `locale`."""
    offered = question.choices_in(locale)
    options = [
        OptionCount(value, label, counts.get(value, 0), _percent(counts.get(value, 0), answered))
        for value, label in offered
    ]
    # Answers to options since removed cannot exist (the builder refuses); list any anyway.
    known = {value for value, _label in offered}
    options.extend(
        OptionCount(value, value, count, _percent(count, answered))
        for value, count in counts.items()
        if value not in known
    )
    return options


def _mean(question: SurveyQuestion, counts: dict[str, int]) -> float | None:
    if question.kind not in (QuestionKind.LIKERT, *NUMBER_KINDS):
        return None
    total = sum(counts.values())
    if not total:
        return None
    return sum(_number_value(question.kind, v) * c for v, c in counts.items()) / total


def _nps(counts: dict[str, int]) -> tuple[float | None, int, int, int]:
    total = sum(counts.values())
    promoters = sum(c for v, c in counts.items() if int(v) >= 9)
    detractors = sum(c for v, c in counts.items() if int(v) <= 6)
    passives = total - promoters - detractors
    if not total:
        return None, 0, 0, 0
    return _percent(promoters, total) - _percent(detractors, total), promoters, passives, detractors


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
    # Both counts of responses in one scan of the survey's.
    published = (
        select(
            func.count().label("responses"),
            func.count(SurveyResponse.participant_id).label("tracked"),
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
            attended,
            registered,
        ).select_from(published)
    ).one()
    n_invited, n_invited_answered, n_tracked, n_responses, n_attended, n_registered = (
        int(v or 0) for v in row
    )
    if n_invited:
        asked, is_invited = n_invited + n_tracked - n_invited_answered, True
    else:
        asked, is_invited = n_attended or n_registered, False
    return Audience(asked if asked >= n_responses else 0, is_invited, n_responses, n_attended)


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
        return _percent(self.yes, self.answered)

    @property
    def agree_percent(self) -> float:
        return _percent(self.agreeing, self.answered)

    @property
    def nps(self) -> float:
        return _percent(self.promoters, self.answered) - _percent(self.detractors, self.answered)

    @property
    def mean(self) -> float:
        return self.total / self.answered


def headline_figures(question_ids: list[int]) -> dict[int, HeadlineFigures]:
    """The figures of the questions named (likert, NPS, rating, yes/no) that have answers, each
    counted by the database in one GROUP BY statement: what a press release's highlights need,
    without the rest of `survey_results` (breakdowns, texts, who has not answered)."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(
            SurveyAnswer.question_id,
            func.count(),
            func.count().filter(SurveyAnswer.choice.in_(AGREE)),
            func.count().filter(SurveyAnswer.number >= 9),
            func.count().filter(SurveyAnswer.number <= 6),
            func.coalesce(func.sum(SurveyAnswer.number), 0),
            func.count().filter(SurveyAnswer.choice == "yes"),
        )
        .where(SurveyAnswer.question_id.in_(question_ids))
        .group_by(SurveyAnswer.question_id)
    )
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
    """
    questions = list(survey.questions)
    by_id = {question.id: question for question in questions}
    value_ids = [q.id for q in questions if q.kind != QuestionKind.TEXT]
    text_ids = [q.id for q in questions if q.kind == QuestionKind.TEXT]
    counted = audience_counts(survey)
    audience, is_invited, responses = counted.asked, counted.is_invited, counted.responses
    someone_came = counted.attended > 0

    # Answers are found by their question (which belongs to this survey): every statement below
    # is a scan of one index of survey_answers, in the order of its GROUP BY. One statement
    # counts each value per stakeholder group (NULL in anonymous surveys); the totals are the
    # sums over the groups.
    values: dict[int, dict[str, int]] = defaultdict(dict)
    group_values: dict[int, dict[int | None, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    if value_ids:
        for question_id, group_id, choice, number, count in db.session.execute(
            select(
                SurveyAnswer.question_id,
                SurveyAnswer.stakeholder_group_id,
                SurveyAnswer.choice,
                SurveyAnswer.number,
                func.count(),
            )
            .where(SurveyAnswer.question_id.in_(value_ids))
            .group_by(
                SurveyAnswer.question_id,
                SurveyAnswer.stakeholder_group_id,
                SurveyAnswer.choice,
                SurveyAnswer.number,
            )
        ):
            value = choice if choice is not None else str(number)
            values[question_id][value] = values[question_id].get(value, 0) + count
            group_values[question_id][group_id][value] = count
    # One answer per respondent, except a multiple question's choices and texts: those
    # respondents are counted apart, per stakeholder group (a response has one group), so that
    # a multiple question's percentages are of those who answered it, overall and per group.
    answered: dict[int, int] = {
        question_id: sum(values[question_id].values())
        for question_id in value_ids
        if by_id[question_id].kind != QuestionKind.MULTIPLE
    }
    group_answered: dict[int, dict[int | None, int]] = defaultdict(dict)
    for question_id, by_group in group_values.items():
        if by_id[question_id].kind != QuestionKind.MULTIPLE:
            for group_id, counts in by_group.items():
                group_answered[question_id][group_id] = sum(counts.values())
    apart = [q.id for q in questions if q.kind in (QuestionKind.MULTIPLE, QuestionKind.TEXT)]
    if apart:
        for question_id, group_id, count in db.session.execute(
            select(
                SurveyAnswer.question_id,
                SurveyAnswer.stakeholder_group_id,
                func.count(distinct(SurveyAnswer.response_id)),
            )
            .where(SurveyAnswer.question_id.in_(apart))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.stakeholder_group_id)
        ):
            answered[question_id] = answered.get(question_id, 0) + count
            group_answered[question_id][group_id] = count

    texts: dict[int, list[str]] = defaultdict(list)
    text_languages: dict[int, list[str | None]] = defaultdict(list)
    if with_texts and text_ids:
        # In the order they were given; an anonymous survey's in the order of their text.
        order = (SurveyAnswer.text, SurveyAnswer.id) if survey.anonymous else (SurveyAnswer.id,)
        ranked = (
            select(
                SurveyAnswer.question_id,
                SurveyAnswer.text,
                SurveyAnswer.response_id,
                func.row_number()
                .over(partition_by=SurveyAnswer.question_id, order_by=order)
                .label("n"),
            )
            .where(SurveyAnswer.question_id.in_(text_ids), SurveyAnswer.text.is_not(None))
            .subquery()
        )
        # The language each was written in, from its response (only the texts shown).
        for question_id, text, language in db.session.execute(
            select(ranked.c.question_id, ranked.c.text, SurveyResponse.language)
            .join(SurveyResponse, SurveyResponse.id == ranked.c.response_id)
            .where(ranked.c.n <= texts_shown)
            .order_by(ranked.c.question_id, ranked.c.n)
        ):
            texts[question_id].append(text)
            text_languages[question_id].append(language)

    # The breakdown uses the group each respondent was in when they answered, kept with the
    # response and its answers.
    groups: list[tuple[str, int]] = []
    group_respondents: dict[int | None, int] = {}
    labels: dict[int | None, str] = {}
    if with_groups and not survey.anonymous and responses and value_ids:
        labels = {
            group.id: group.label
            for group in db.session.scalars(
                select(StakeholderGroup)
                .where(StakeholderGroup.meeting_id == survey.meeting_id)
                .order_by(StakeholderGroup.position, StakeholderGroup.id)
            )
        }
        labels[None] = NO_GROUP_LABEL
        for group_id, count in db.session.execute(
            select(SurveyResponse.stakeholder_group_id, func.count())
            .where(SurveyResponse.survey_id == survey.id)
            .group_by(SurveyResponse.stakeholder_group_id)
        ):
            group_respondents[group_id] = count
        groups = [
            (label, group_respondents[group_id])
            for group_id, label in labels.items()
            if group_respondents.get(group_id)
        ]

    items: list[QuestionResult] = []
    for question in questions:
        counts = values.get(question.id, {})
        item = QuestionResult(question=question, answered=answered.get(question.id, 0))
        if question.kind != QuestionKind.TEXT:
            item.options = _options(question, counts, item.answered, locale)
            item.mean = _mean(question, counts)
        if question.kind == QuestionKind.NPS:
            item.nps, item.promoters, item.passives, item.detractors = _nps(counts)
        if question.kind == QuestionKind.LIKERT and item.answered:
            item.agree_percent = _percent(sum(counts.get(v, 0) for v in AGREE), item.answered)
        item.texts = texts.get(question.id, [])
        item.text_languages = text_languages.get(question.id, [])
        if group_values and question.kind != QuestionKind.TEXT:
            for group_id, label in labels.items():
                group_counts = group_values[question.id].get(group_id, {})
                if not group_respondents.get(group_id):
                    continue
                # Percentages are of the group's respondents who answered the question.
                base = group_answered[question.id].get(group_id, 0)
                breakdown = GroupBreakdown(
                    label=label,
                    answered=base,
                    options=_options(question, group_counts, base, locale),
                    mean=_mean(question, group_counts),
                )
                if question.kind == QuestionKind.NPS:
                    breakdown.nps = _nps(group_counts)[0]
                item.by_group.append(breakdown)
        items.append(item)

    results = SurveyResults(
        survey=survey,
        audience=audience,
        audience_is_invited=is_invited,
        responses=responses,
        questions=items,
        groups=groups,
        locale=locale,
        # Anonymous responses keep no language (`services.submit_response`).
        languages=response_languages(survey) if responses and not survey.anonymous else [],
    )
    if with_missing and not survey.anonymous:
        _fill_not_answered(results, survey, is_invited, someone_came, missing_page)
    if survey.anonymous and survey.state(utcnow()) == SurveyState.CLOSED:
        results.held_back = waiting_counts(survey)[0]
    return results


def response_languages(survey: Survey) -> list[tuple[str | None, int]]:
    """How many published responses were given in each language (None: unknown), the most
    first: one GROUP BY, whatever the number of languages."""
    rows = db.session.execute(
        select(SurveyResponse.language, func.count())
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.published)
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
                "by_group": [
                    {
                        "group": g.label,
                        "answered": g.answered,
                        "counts": {o.value: o.count for o in g.options},
                        "mean": _round(g.mean),
                        "nps": _round(g.nps, 1),
                    }
                    for g in item.by_group
                ],
            }
            for item in results.questions
        ],
        "not_answered": results.not_answered_count if not survey.anonymous else None,
    }
