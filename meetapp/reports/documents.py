"""The documents staff download: the press-release draft (PDF, HTML, Markdown, Word), the
meeting summary PDF and the sign-in sheet PDF. Every PDF goes through `pdf.render_pdf`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import Integer, case, exists, func, select
from sqlalchemy.orm import selectinload

from meetapp.extensions import db
from meetapp.formatting import folded
from meetapp.models import (
    AgendaSession,
    Meeting,
    Outcome,
    OutcomeKind,
    Participant,
    SessionKind,
    SessionSpeaker,
    Status,
    Survey,
    SurveyResponse,
)
from meetapp.reports.pdf import PRINT_STYLESHEET, merge_pdfs, render_pdf_template
from meetapp.reports.press_release import PressReleaseDraft, compose_press_release
from meetapp.reports.word_document import press_release_docx
from meetapp.surveys.results import SurveyResults, survey_results

# Download formats of the press release: extension -> (MIME type, what it is).
PRESS_RELEASE_FORMATS = {
    "pdf": ("application/pdf", "PDF"),
    "html": ("text/html; charset=utf-8", "web page"),
    "md": ("text/markdown; charset=utf-8", "plain text (Markdown) to paste into an e-mail"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
}


def press_release_document(meeting: Meeting, fmt: str) -> bytes:
    """The draft in the format named by its file extension (see PRESS_RELEASE_FORMATS)."""
    draft = compose_press_release(meeting)
    if fmt == "pdf":
        return press_release_pdf(meeting, draft)
    if fmt == "html":
        return press_release_html(meeting, draft).encode("utf-8")
    if fmt == "md":
        return draft.markdown().encode("utf-8")
    if fmt == "docx":
        return press_release_docx(draft)
    raise ValueError(f"unknown press-release format {fmt!r}")


def press_release_pdf(meeting: Meeting, draft: PressReleaseDraft | None = None) -> bytes:
    draft = draft or compose_press_release(meeting)
    return render_pdf_template("pdf/press_release.html", meeting=meeting, draft=draft)


def press_release_html(meeting: Meeting, draft: PressReleaseDraft | None = None) -> str:
    """A web page standing on its own (the print stylesheet inside), to open or forward."""
    draft = draft or compose_press_release(meeting)
    static = Path(current_app.static_folder or "static")
    stylesheet = (static / PRINT_STYLESHEET).read_text(encoding="utf-8")
    return render_template(
        "pdf/press_release.html",
        meeting=meeting,
        draft=draft,
        # The app's own stylesheet, not user data.
        inline_stylesheet=Markup(stylesheet.replace("</", "<\\/")),  # noqa: S704
    )


def download_name(meeting: Meeting, document: str, fmt: str) -> str:
    return f"{meeting.slug}-{document}.{fmt}"


# --- meeting summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    label: str
    registered: int
    attended: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float


def participation_rows(meeting: Meeting) -> list[GroupRow]:
    """Registered and attended participants per stakeholder group, in the groups' order."""
    registered = Participant.status == Status.REGISTERED
    rows = db.session.execute(
        select(
            Participant.stakeholder_group_id,
            func.sum(case((registered, 1), else_=0), type_=Integer),
            func.sum(case((Participant.attended.is_(True), 1), else_=0), type_=Integer),
        )
        .where(Participant.meeting_id == meeting.id)
        .group_by(Participant.stakeholder_group_id)
    ).all()
    counts = {group_id: (reg or 0, att or 0) for group_id, reg, att in rows}
    result = [
        GroupRow(group.label, *counts.get(group.id, (0, 0)))
        for group in sorted(meeting.stakeholder_groups, key=lambda g: (g.position, g.id))
    ]
    if None in counts and any(counts[None]):
        result.append(GroupRow("No group", *counts[None]))
    return result


def chart_bars(rows: list[GroupRow], width: int = 300, row_height: int = 22) -> list[Bar]:
    """Bars of the participation chart (attended if anyone attended, else registered)."""
    use_attended = any(row.attended for row in rows)
    values = [row.attended if use_attended else row.registered for row in rows]
    top = max(values, default=0) or 1
    return [
        Bar(row.label, value, index * row_height, round(width * value / top, 1))
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    ]


def summary_survey_results(meeting: Meeting) -> list[SurveyResults]:
    """The figures of each of the meeting's surveys that has answers, oldest first.

    Figures only: no free text, no breakdown by group, no names of who has not answered.
    Two queries for the surveys and their questions, then a few per survey, whatever the
    number of responses.
    """
    answered = exists().where(SurveyResponse.survey_id == Survey.id)
    surveys = db.session.scalars(
        select(Survey)
        .options(selectinload(Survey.questions))
        .where(Survey.meeting_id == meeting.id, answered)
        .order_by(Survey.id)
    ).all()
    return [
        survey_results(survey, with_texts=False, with_groups=False, with_missing=False)
        for survey in surveys
    ]


def summary_pdf(meeting: Meeting) -> bytes:
    draft = compose_press_release(meeting)
    sessions = list(
        db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.meeting_id == meeting.id)
            .options(selectinload(AgendaSession.speakers).selectinload(SessionSpeaker.speaker))
            .order_by(AgendaSession.starts_at.is_(None), AgendaSession.starts_at, AgendaSession.id)
        )
    )
    outcomes = list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.meeting_id == meeting.id)
            .order_by(Outcome.position, Outcome.id)
        )
    )
    rows = participation_rows(meeting)
    use_attended = any(row.attended for row in rows)
    return render_pdf_template(
        "pdf/summary.html",
        meeting=meeting,
        draft=draft,
        sessions=sessions,
        break_kind=SessionKind.BREAK.value,
        outcome_groups=[
            (label, [o for o in outcomes if o.kind == kind])
            for kind, label in (
                (OutcomeKind.FINDING, "Findings"),
                (OutcomeKind.CONCERN, "Concerns"),
                (OutcomeKind.RECOMMENDATION, "Recommendations"),
                (OutcomeKind.NEXT_STEP, "Next steps"),
            )
        ],
        rows=rows,
        bars=chart_bars(rows),
        chart_counts="attended" if use_attended else "registered",
        surveys=summary_survey_results(meeting),
    )


# --- sign-in sheet ----------------------------------------------------------------------------


def sign_in_rows(meeting: Meeting) -> list[tuple[str, str]]:
    """(name, organisation) of every registered participant, by name."""
    rows = db.session.execute(
        select(Participant.name, Participant.organisation).where(
            Participant.meeting_id == meeting.id, Participant.status == Status.REGISTERED
        )
    ).all()
    return sorted(
        ((name, organisation or "") for name, organisation in rows),
        key=lambda row: name_sort_key(row[0]),
    )


def name_sort_key(name: str) -> tuple[str, str, str]:
    """Alphabetical order that ignores case and accents (Ádám next to Adam, not after Zoë)."""
    return folded(name), name.casefold(), name


# Rows of the sign-in sheet's first page (under the title) and of the following pages; each
# row is one or two lines high, so that a page's table always fits its page.
SIGN_IN_FIRST_PAGE_ROWS = 24
SIGN_IN_PAGE_ROWS = 27


def sign_in_pages(rows: list[tuple[str, str]]) -> list[list[tuple[int, str, str]]]:
    numbered = [(index, name, organisation) for index, (name, organisation) in enumerate(rows, 1)]
    pages = [numbered[:SIGN_IN_FIRST_PAGE_ROWS]] if numbered else []
    rest = numbered[SIGN_IN_FIRST_PAGE_ROWS:]
    pages += [rest[i : i + SIGN_IN_PAGE_ROWS] for i in range(0, len(rest), SIGN_IN_PAGE_ROWS)]
    return pages


# Pages rendered at a time: WeasyPrint's memory grows with the pages it lays out together.
SIGN_IN_PAGES_PER_PART = 20


def sign_in_sheet_pdf(meeting: Meeting) -> bytes:
    """The sign-in sheet, one table per page, rendered in parts of a few pages each."""
    rows = sign_in_rows(meeting)
    pages = sign_in_pages(rows) or [[]]
    parts = []
    for start in range(0, len(pages), SIGN_IN_PAGES_PER_PART):
        parts.append(
            render_pdf_template(
                "pdf/sign_in_sheet.html",
                meeting=meeting,
                pages=pages[start : start + SIGN_IN_PAGES_PER_PART],
                first_part=start == 0,
                total=len(rows),
                page_numbers=(start + 1, len(pages)),
            )
        )
    return merge_pdfs(parts)
