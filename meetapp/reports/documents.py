"""The documents staff download: the press-release draft (PDF, HTML, Markdown, Word), the
meeting summary PDF and the sign-in sheet PDF. Every PDF goes through `pdf.render_pdf`."""

from __future__ import annotations

import unicodedata
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
from meetapp.registration.questions import choice_counts
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
    """The figures of each of the meeting's surveys that has published answers, oldest first.

    Figures only: no free text, no breakdown by group, no names of who has not answered.
    Two queries for the surveys and their questions, then a few per survey, whatever the
    number of responses.
    """
    answered = exists().where(SurveyResponse.survey_id == Survey.id, SurveyResponse.published)
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
        choices=choice_counts(meeting.id),
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


# The sign-in sheet lays out one table per page, so that every page has its header and long
# lists render quickly; the rows are therefore counted onto pages here, by their height. A row
# is as high as its longest cell wraps (print.css: `tr.lines-N`), from two lines up to
# SIGN_IN_MAX_LINES, and never under 10 mm, room to sign; longer text is cut with a visible
# "…", never silently. Blank rows for those who come without registering follow the names.
SIGN_IN_ROW_HEIGHTS = {2: 30, 3: 38, 4: 48}  # points, per number of lines
SIGN_IN_MAX_LINES = max(SIGN_IN_ROW_HEIGHTS)
SIGN_IN_PAGE_SPACE = 27 * 24  # points of rows under the header of a page
SIGN_IN_TITLE_LINE = 24  # points a line of the title takes on the first page
SIGN_IN_TITLE_WIDTH = 42  # characters of the title per line (20 pt), counted generously
# Characters per line of the name and organisation columns at 9 pt, counted generously (a
# character of a wide script, such as Japanese, counts twice).
SIGN_IN_NAME_WIDTH = 30
SIGN_IN_ORGANISATION_WIDTH = 27


# Blank rows at the end of the sheet for walk-ins: a tenth of the registered, at least this many.
SIGN_IN_WALK_INS = 10


@dataclass(frozen=True)
class SignInRow:
    number: int
    name: str
    organisation: str
    lines: int


def walk_in_count(registered: int) -> int:
    """Blank rows for people who come without registering: 10% of those registered, at least
    SIGN_IN_WALK_INS."""
    return max(SIGN_IN_WALK_INS, -(-registered // 10))


def _char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes in a column `width` narrow characters wide, wrapped at
    spaces (and inside a word longer than the line), as the sheet's cells wrap it."""
    lines, used = 1, 0
    for word in text.split():
        size = sum(_char_width(char) for char in word)
        needed = size if used == 0 else used + 1 + size
        if needed <= width:
            used = needed
            continue
        if used:
            lines += 1
        lines += (size - 1) // width
        used = size - ((size - 1) // width) * width
    return lines


def _fit(text: str, width: int) -> tuple[str, int]:
    """`text` and its lines, cut with "…" when it would take more than SIGN_IN_MAX_LINES."""
    lines = wrapped_lines(text, width)
    if lines <= SIGN_IN_MAX_LINES:
        return text, lines
    cut = text
    while cut and wrapped_lines(cut + "…", width) > SIGN_IN_MAX_LINES:
        cut = cut[: max(0, len(cut) - max(1, len(cut) // 10))].rstrip()
    return cut + "…", SIGN_IN_MAX_LINES


def sign_in_pages(
    rows: list[tuple[str, str]], title: str = "", walk_ins: int | None = None
) -> list[list[SignInRow]]:
    """The rows numbered and counted onto pages, then at least `walk_ins` blank rows (by
    default `walk_in_count`; as many more as the last page holds); the first page also holds
    the title."""
    title_lines = wrapped_lines(title, SIGN_IN_TITLE_WIDTH) if title else 1
    space = SIGN_IN_PAGE_SPACE - (title_lines + 2) * SIGN_IN_TITLE_LINE
    pages: list[list[SignInRow]] = []
    page: list[SignInRow] = []
    blank = walk_in_count(len(rows)) if walk_ins is None else walk_ins
    for number, (name, organisation) in enumerate([*rows, *[("", "")] * blank], 1):
        name, name_lines = _fit(name, SIGN_IN_NAME_WIDTH)
        organisation, organisation_lines = _fit(organisation, SIGN_IN_ORGANISATION_WIDTH)
        lines = max(2, name_lines, organisation_lines)
        height = SIGN_IN_ROW_HEIGHTS[lines]
        if page and height > space:
            pages.append(page)
            page, space = [], SIGN_IN_PAGE_SPACE
        page.append(SignInRow(number, name, organisation, lines))
        space -= height
    if blank:
        blank_height = SIGN_IN_ROW_HEIGHTS[2]
        while space >= blank_height:
            page.append(SignInRow(len(rows) + blank + 1, "", "", 2))
            blank += 1
            space -= blank_height
    if page:
        pages.append(page)
    return pages


# Pages rendered at a time: WeasyPrint's memory grows with the pages it lays out together. A
# sheet prepared by a job renders each part in a job of its own, on as many workers as are free.
SIGN_IN_PAGES_PER_PART = 20


def sign_in_parts(pages: list[list[SignInRow]]) -> list[list[list[SignInRow]]]:
    """The pages in parts of SIGN_IN_PAGES_PER_PART (one empty page for an empty sheet)."""
    pages = pages or [[]]
    return [
        pages[start : start + SIGN_IN_PAGES_PER_PART]
        for start in range(0, len(pages), SIGN_IN_PAGES_PER_PART)
    ]


def sign_in_part_pdf(
    meeting: Meeting, part: list[list[SignInRow]], first_page: int, page_count: int, total: int
) -> bytes:
    """One part of the sheet: its pages numbered from `first_page` (1 for the first part, which
    also holds the title) of `page_count`; `total` is the number of names on the whole sheet."""
    return render_pdf_template(
        "pdf/sign_in_sheet.html",
        meeting=meeting,
        pages=part,
        first_part=first_page == 1,
        total=total,
        page_numbers=(first_page, page_count),
    )


def sign_in_sheet_pdf(meeting: Meeting) -> bytes:
    """The sign-in sheet, one table per page, rendered in parts of a few pages each."""
    rows = sign_in_rows(meeting)
    parts = sign_in_parts(sign_in_pages(rows, meeting.title))
    page_count = sum(len(part) for part in parts)
    return merge_pdfs(
        [
            sign_in_part_pdf(
                meeting, part, 1 + index * SIGN_IN_PAGES_PER_PART, page_count, len(rows)
            )
            for index, part in enumerate(parts)
        ]
    )
