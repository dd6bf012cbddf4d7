"""A survey's responses as a file (CSV, XLSX): one row per published response, one column per
question, streamed from the database (see `meetapp.exports`).

An anonymous survey's responses are never listed in the order they were given: they come in
the order of their answers, with only the days (UTC) of the batches that published them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby
from typing import IO

import xlsxwriter
from sqlalchemy import select

from meetapp.exports import (
    CSV,
    XLSX,
    Export,
    csv_pieces,
    open_workbook,
    sorted_externally,
    streamed,
    write_sheet,
)
from meetapp.formatting import to_zone
from meetapp.i18n import language_name
from meetapp.models import (
    Meeting,
    Participant,
    StakeholderGroup,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from meetapp.surveys.kinds import kind_of
from meetapp.surveys.results import SurveyResults


def _when(value: datetime | None, timezone: str) -> str:
    return to_zone(value, timezone).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: datetime | None) -> str:
    """The day (UTC) of an anonymous response's time, which is all it keeps."""
    return value.astimezone(UTC).date().isoformat() if value else ""


def _cell(choice: str | None, number: int | None, text: str | None) -> str:
    if choice is not None:
        return choice
    return str(number) if number is not None else text or ""


def response_rows(survey: Survey, meeting: Meeting) -> Iterator[list[str]]:
    """The header, then one row per response, one column per question (several choices
    joined by "; "; a grid's rows a column each), in one streamed query.

    Published responses only. A tracked survey's come in the order they were given, with
    their times in the meeting's time zone; an anonymous survey's in the order of their
    answers (then days), with the days (UTC) of the batches that published them and their
    changes, so that neither the order nor the days can be matched against the moments
    participants used their links.
    """
    questions = list(survey.questions)
    # Once the survey has had an open link, a column says which responses came through it
    # (all are listed, whether the results count them or not).
    marks_open = survey.open_key is not None
    if survey.anonymous:
        header = ["Response", "Published on (UTC)", "Change published on (UTC)"]
    else:
        header = ["Response", "Submitted at", "Changed at", "Name", "E-mail", "Stakeholder group"]
    kinds = {question.id: kind_of(question.kind) for question in questions}
    columns = [column for q in questions for column in kinds[q.id].export_columns(q)]
    header.append("Language")
    if marks_open:
        header.append("Via open link")
    yield header + columns
    # Choices are stored as values (a choice question's option keys): written as their labels
    # in the meeting's first language, whatever language each was chosen in. (A number's label
    # is the number; a text has none.)
    labels = {question.id: dict(question.choices()) for question in questions}
    rows = streamed(
        select(
            SurveyResponse.id,
            SurveyResponse.submitted_at,
            SurveyResponse.updated_at,
            SurveyResponse.language,
            SurveyResponse.via_open_link,
            Participant.name,
            Participant.email,
            StakeholderGroup.label,
            SurveyAnswer.question_id,
            SurveyAnswer.choice,
            SurveyAnswer.number,
            SurveyAnswer.text,
        )
        .outerjoin(Participant, Participant.id == SurveyResponse.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.stakeholder_group_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.published)
        .order_by(SurveyResponse.id, SurveyAnswer.id)
    )

    def body() -> Iterator[list[str]]:
        for _response_id, answers in groupby(rows, key=lambda row: row[0]):
            first, *rest = answers
            _id, submitted, updated, language, via_open_link, name, email, label = first[:8]
            given: dict[int | None, list[str]] = {}
            stored: dict[int | None, list[tuple[str | None, int | None, str | None]]] = {}
            for *_person, question_id, choice, number, text in [first, *rest]:
                given.setdefault(question_id, []).append(_cell(choice, number, text))
                stored.setdefault(question_id, []).append((choice, number, text))
            if survey.anonymous:
                row = [_day(submitted), _day(updated)]
            else:
                row = [_when(submitted, meeting.timezone), _when(updated, meeting.timezone)]
                row += [name or "", email or "", label or ""]
            # The language of the page the answers were given on (free text is in it).
            row.append(language_name(language) or "")
            if marks_open:
                row.append("yes" if via_open_link else "")
            for question in questions:
                # A kind with columns of its own (a grid's rows) writes its cells.
                kind = kinds[question.id]
                answer = None
                for choice, number, text in stored.get(question.id, []):
                    answer = kind.read(answer, choice, number, text)
                cells = kind.export_cells(question, answer)
                if cells is not None:
                    row.extend(cells)
                    continue
                values = given.get(question.id, [])
                if question.id in labels:
                    values = [labels[question.id].get(value, value) for value in values]
                row.append("; ".join(values))
            yield row

    ordered = body()
    if survey.anonymous:
        ordered = sorted_externally(ordered, key=lambda row: (row[2:], row[:2]))
    for number, row in enumerate(ordered, start=1):
        yield [str(number), *row]


def responses_csv(survey: Survey, meeting: Meeting) -> Export:
    """UTF-8 with a byte-order mark; formula-like cells neutralised (`csv_pieces`)."""
    return Export.text(
        f"{meeting.slug}-{survey.key}-responses.csv",
        CSV,
        lambda: csv_pieces(response_rows(survey, meeting)),
    )


def responses_xlsx(survey: Survey, meeting: Meeting, results: SurveyResults) -> Export:
    """Two sheets: every response, and the summary per question. Text is written as text."""

    def write(out: IO[bytes]) -> None:
        workbook = open_workbook(out)
        write_sheet(workbook, "Responses", response_rows(survey, meeting))
        _write_summary(workbook, survey, results)
        workbook.close()

    return Export.binary(f"{meeting.slug}-{survey.key}-responses.xlsx", XLSX, write)


def _write_summary(workbook: xlsxwriter.Workbook, survey: Survey, results: SurveyResults) -> None:
    bold = workbook.add_format({"bold": True})
    summary = workbook.add_worksheet("Summary")
    r = 0
    summary.write_string(r, 0, survey.title, bold)
    r += 1
    summary.write_string(
        r,
        0,
        f"Responses: {results.responses} of {results.audience}"
        if results.audience
        else f"Responses: {results.responses}",
    )
    if results.languages:
        r += 1
        summary.write_string(r, 0, results.answered_in())
    r += 2
    for item in results.questions:
        summary.write_string(r, 0, item.question.text, bold)
        summary.write_number(r, 1, item.answered)
        r += 1
        for option in item.options:
            summary.write_string(r, 0, option.label)
            summary.write_number(r, 1, option.count)
            summary.write_number(r, 2, round(option.percent, 1))
            r += 1
        for grid_row in item.rows:
            # A grid's rows: each one's answers and mean.
            summary.write_string(r, 0, grid_row.label)
            summary.write_number(r, 1, grid_row.answered)
            if grid_row.mean is not None:
                summary.write_string(r, 2, "Mean")
                summary.write_number(r, 3, round(grid_row.mean, 2))
            r += 1
        if item.mean is not None:
            summary.write_string(r, 0, "Mean")
            summary.write_number(r, 1, round(item.mean, 2))
            r += 1
        if item.nps is not None:
            summary.write_string(r, 0, "NPS")
            summary.write_number(r, 1, round(item.nps, 1))
            r += 1
        r += 1
    summary.set_column(0, 0, 60)
