"""The documents that grow with a meeting, one class per kind.

A kind says what its file is called and what type it is, how big the document will be (a cheap
count of its rows: names, answers), and how to write it to a binary file, reporting progress.
`meetapp.documents.services` decides from the count whether a download is made at once or
prepared by a job. A kind whose document is long and splits into independent parts (the
sign-in sheet) is a `SplitKind`: a job plans the parts, one job per part renders it, and a last
job merges them, so that several workers share one document.

A new kind is one class here, added to KINDS, and its card on the Documents page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, ClassVar

from sqlalchemy import ColumnElement, func, select

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.exports import CSV, JSON, XLSX, Export
from meetapp.extensions import db
from meetapp.interchange.export import meeting_json
from meetapp.models import (
    Meeting,
    Participant,
    Status,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from meetapp.participants import exports as participant_exports
from meetapp.participants.forms import FILTER_FIELDS, read_filters
from meetapp.participants.services import filtered_query
from meetapp.reports.documents import (
    SignInRow,
    download_name,
    sign_in_pages,
    sign_in_part_pdf,
    sign_in_parts,
    sign_in_rows,
    summary_pdf,
)
from meetapp.reports.pdf import merge_pdf_files, render_pdf_template
from meetapp.surveys import exports as survey_exports
from meetapp.surveys import results as survey_results
from meetapp.surveys.batches import publish_on_close
from meetapp.surveys.services import get_survey

PDF = "application/pdf"
Params = dict[str, str]


# Told how far the document has come: (done, total, what is being done).
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """For a document made while its reader waits: nobody to tell."""


class SubjectGone(DomainError):
    """What the document is about is no longer there (a survey deleted since it was asked)."""


class DocumentKind:
    """A document made whole in one go (by a job when it is big)."""

    name: ClassVar[str]
    label: ClassVar[str]
    mimetype: ClassVar[str] = PDF
    # The parameters that say which document of the kind (a survey's key...).
    params: ClassVar[tuple[str, ...]] = ()
    # The setting that says above how many rows it is prepared by a job.
    job_rows_setting: ClassVar[str] = "DOCUMENTS_JOB_ROWS"

    def check(self, meeting: Meeting, params: Params) -> None:
        """Raises SubjectGone when `params` name nothing of the meeting."""

    def filename(self, meeting: Meeting, params: Params) -> str:
        raise NotImplementedError

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        """The rows the document will hold, counted cheaply: an SQL expression, so that a page
        showing many documents counts them all in one statement (`estimates`)."""
        raise NotImplementedError

    def estimate(self, meeting: Meeting, params: Params) -> int:
        """The rows the document will hold (`rows`), counted now."""
        return estimates([self.rows(meeting, params)])[0]

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        raise NotImplementedError


class SplitKind(DocumentKind):
    """A document made of parts that can be made side by side, then merged.

    `plan` reads what the document shows once and divides it into parts (a JSON-ready dict
    with a "parts" list), so that every part sees the same data even if the meeting changes
    while they are made.
    """

    def plan(self, meeting: Meeting, params: Params) -> dict[str, Any]:
        raise NotImplementedError

    def write_part(
        self, meeting: Meeting, plan: dict[str, Any], index: int, out: IO[bytes]
    ) -> None:
        raise NotImplementedError

    def merge(self, parts: list[IO[bytes]], out: IO[bytes]) -> None:
        merge_pdf_files(parts, out)

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        """All the parts in this process, one after the other, then merged."""
        plan = self.plan(meeting, params)
        count = len(plan["parts"])
        parts: list[IO[bytes]] = []
        for index in range(count):
            progress(index, count, DRAWING_PAGES)
            part = io.BytesIO()
            self.write_part(meeting, plan, index, part)
            part.seek(0)
            parts.append(part)
        self.merge(parts, out)


DRAWING_PAGES = "Drawing the pages"
MERGING_PAGES = "Putting the pages together"


class SignInSheet(SplitKind):
    name = "sign-in-sheet"
    label = "Sign-in sheet"

    def filename(self, meeting: Meeting, params: Params) -> str:
        return download_name(meeting, "sign-in-sheet", "pdf")

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        return _rows(
            Participant,
            Participant.meeting_id == meeting.id,
            Participant.status == Status.REGISTERED,
        )

    def plan(self, meeting: Meeting, params: Params) -> dict[str, Any]:
        rows = sign_in_rows(meeting)
        parts = sign_in_parts(sign_in_pages(rows, meeting.title))
        first_pages = [1]
        for part in parts[:-1]:
            first_pages.append(first_pages[-1] + len(part))
        return {
            "total": len(rows),
            "page_count": sum(len(part) for part in parts),
            "parts": [
                {
                    "first_page": first,
                    "pages": [
                        [[row.number, row.name, row.organisation, row.lines] for row in page]
                        for page in part
                    ],
                }
                for first, part in zip(first_pages, parts, strict=True)
            ],
        }

    def write_part(
        self, meeting: Meeting, plan: dict[str, Any], index: int, out: IO[bytes]
    ) -> None:
        part = plan["parts"][index]
        pages = [[SignInRow(*row) for row in page] for page in part["pages"]]
        out.write(
            sign_in_part_pdf(meeting, pages, part["first_page"], plan["page_count"], plan["total"])
        )


class MeetingSummary(DocumentKind):
    name = "summary"
    label = "Meeting summary"

    def filename(self, meeting: Meeting, params: Params) -> str:
        return download_name(meeting, "summary", "pdf")

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        """The participants counted by group, and the survey answers whose figures it shows."""
        return _participants_and_responses(meeting)

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        publish_on_close(meeting)
        progress(0, 1, "Drawing the PDF")
        out.write(summary_pdf(meeting))


class SurveyResultsPdf(DocumentKind):
    name = "survey-results"
    label = "Survey results"
    params = ("survey",)

    def survey(self, meeting: Meeting, params: Params) -> Survey:
        survey = get_survey(meeting, params.get("survey", ""))
        if survey is None:
            raise SubjectGone("The survey was deleted.")
        return survey

    def check(self, meeting: Meeting, params: Params) -> None:
        self.survey(meeting, params)

    def filename(self, meeting: Meeting, params: Params) -> str:
        return f"{meeting.slug}-{params['survey']}-results.pdf"

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        """Its answers, and the invitations (those who have not answered are listed)."""
        survey_id = _survey_id(meeting, params)
        return _rows(SurveyResponse, SurveyResponse.survey_id == survey_id) + _rows(
            SurveyInvitation, SurveyInvitation.survey_id == survey_id
        )

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        publish_on_close(meeting)
        progress(0, 1, "Drawing the PDF")  # before the survey is read: reporting commits
        survey = self.survey(meeting, params)
        out.write(
            render_pdf_template(
                "pdf/survey_results.html",
                meeting=meeting,
                survey=survey,
                results=survey_results.survey_results(survey),
                generated_at=utcnow(),
            )
        )


# --- exports ---------------------------------------------------------------------------------


class ExportKind(DocumentKind):
    """An export (`meetapp.exports`): streamed to the browser when small, written to the file
    by a job when big, in constant memory either way."""

    job_rows_setting = "EXPORTS_JOB_ROWS"

    def export(self, meeting: Meeting, params: Params) -> Export:
        raise NotImplementedError

    def filename(self, meeting: Meeting, params: Params) -> str:
        return self.export(meeting, params).filename

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        progress(0, 1, "Writing the file")
        self.export(meeting, params).write(out)


class ParticipantsExport(ExportKind):
    """The participant list, narrowed by the list's filters (its parameters)."""

    params = FILTER_FIELDS

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        _form, filters = read_filters(meeting, params)
        query = filtered_query(meeting, filters).order_by(None).with_only_columns(func.count())
        return query.scalar_subquery()


class ParticipantsCsv(ParticipantsExport):
    name = "participants-csv"
    label = "Participants (CSV)"
    mimetype = CSV

    def export(self, meeting: Meeting, params: Params) -> Export:
        return participant_exports.participants_csv(meeting, read_filters(meeting, params)[1])


class ParticipantsXlsx(ParticipantsExport):
    name = "participants-xlsx"
    label = "Participants (Excel)"
    mimetype = XLSX

    def export(self, meeting: Meeting, params: Params) -> Export:
        return participant_exports.participants_xlsx(meeting, read_filters(meeting, params)[1])


class ResponsesExport(ExportKind):
    """A survey's responses, one row each."""

    params = ("survey",)

    def survey(self, meeting: Meeting, params: Params) -> Survey:
        return SurveyResultsPdf().survey(meeting, params)

    def check(self, meeting: Meeting, params: Params) -> None:
        self.survey(meeting, params)

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        return _rows(SurveyResponse, SurveyResponse.survey_id == _survey_id(meeting, params))


class ResponsesCsv(ResponsesExport):
    name = "responses-csv"
    label = "Survey responses (CSV)"
    mimetype = CSV

    def export(self, meeting: Meeting, params: Params) -> Export:
        return survey_exports.responses_csv(self.survey(meeting, params), meeting)


class ResponsesXlsx(ResponsesExport):
    name = "responses-xlsx"
    label = "Survey responses (Excel)"
    mimetype = XLSX

    def export(self, meeting: Meeting, params: Params) -> Export:
        survey = self.survey(meeting, params)
        results = survey_results.survey_results(survey, with_texts=False)
        return survey_exports.responses_xlsx(survey, meeting, results)


class MeetingJson(ExportKind):
    name = "meeting-json"
    label = "The meeting as meetapp/1 JSON"
    mimetype = JSON

    def rows(self, meeting: Meeting, params: Params) -> ColumnElement[int]:
        """Its participants and its survey responses: the arrays that grow."""
        return _participants_and_responses(meeting)

    def export(self, meeting: Meeting, params: Params) -> Export:
        return meeting_json(meeting)

    def write(
        self, meeting: Meeting, params: Params, out: IO[bytes], progress: Progress = no_progress
    ) -> None:
        publish_on_close(meeting)  # as the direct download does
        super().write(meeting, params, out, progress)


def _rows(model: Any, *conditions: Any) -> ColumnElement[int]:
    """The number of rows of `model` that meet `conditions`, as a scalar subquery."""
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def _participants_and_responses(meeting: Meeting) -> ColumnElement[int]:
    in_meeting = select(Survey.id).where(Survey.meeting_id == meeting.id)
    return _rows(Participant, Participant.meeting_id == meeting.id) + _rows(
        SurveyResponse, SurveyResponse.survey_id.in_(in_meeting)
    )


def _survey_id(meeting: Meeting, params: Params) -> ColumnElement[int]:
    return (
        select(Survey.id)
        .where(Survey.meeting_id == meeting.id, Survey.key == params["survey"])
        .scalar_subquery()
    )


def estimates(counts: list[ColumnElement[int]]) -> list[int]:
    """The values of the row counts `counts` (`DocumentKind.rows`), in one statement."""
    if not counts:
        return []
    row = db.session.execute(select(*counts)).one()
    return [int(value or 0) for value in row]


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        SignInSheet(),
        MeetingSummary(),
        SurveyResultsPdf(),
        ParticipantsCsv(),
        ParticipantsXlsx(),
        ResponsesCsv(),
        ResponsesXlsx(),
        MeetingJson(),
    )
}
