"""Every PDF of the app is tagged (structure tree, language, title), and laid out as staff print
it: the sign-in sheet inside its margins with rows to sign in, one masthead, a running header on
one line, times as city and UTC offset, sentences that start with a capital, survey comments
collapsed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import render_template
from pypdf import PdfReader
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload
from weasyprint.formatting_structure import boxes

from meetapp.formatting import capitalised, collapsed, running_header, zone_label
from meetapp.models import Participant, Survey
from meetapp.reports import documents as report_documents
from meetapp.reports.documents import (
    sign_in_pages,
    sign_in_rows,
    sign_in_sheet_pdf,
    walk_in_count,
)
from meetapp.reports.pdf import layout_pdf
from meetapp.reports.press_release import compose_press_release
from meetapp.surveys.results import survey_results
from tests.reports.pdftext import assert_tagged, pdf_text, structure_elements

# CSS pixels (WeasyPrint's unit) per millimetre.
PX_PER_MM = 96 / 25.4


def _demo_pdfs(db: Any, meeting: Any) -> dict[str, str]:
    """URL -> the title each PDF of the demo meeting must carry."""
    title = meeting.title
    urls = {
        f"/meetings/{meeting.slug}/press-release.pdf": f"Press release · {title}",
        f"/meetings/{meeting.slug}/summary.pdf": f"Meeting summary · {title}",
        f"/meetings/{meeting.slug}/sign-in-sheet.pdf": f"Sign-in sheet · {title}",
        f"/m/{meeting.slug}/agenda.pdf": f"Agenda · {title}",
    }
    for survey in db.session.scalars(select(Survey).where(Survey.meeting_id == meeting.id)):
        urls[f"/meetings/{meeting.slug}/surveys/{survey.key}/results.pdf"] = (
            f"Survey results: {survey.title}"
        )
    return urls


def test_every_pdf_of_the_app_is_tagged_with_its_language_and_title(
    db: Any, load_demo: Any, make_user: Any, login_as: Any
) -> None:
    meeting = load_demo()
    client = login_as(make_user("staff"))
    urls = _demo_pdfs(db, meeting)
    assert len(urls) >= 5
    for url, title in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_tagged(response.data, title)
        reader = PdfReader(io.BytesIO(response.data))
        root: Any = reader.trailer["/Root"]
        metadata = root["/Metadata"].get_object().get_data()
        assert b'pdfuaid:part="1"' in metadata, url  # declared PDF/UA-1
        roles = {element["S"] for element in structure_elements(response.data)}
        assert "/H1" in roles, url  # headings are tagged as such


def test_a_sign_in_sheet_rendered_in_parts_is_tagged_as_one_document(
    db: Any, load_demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each part is rendered tagged; merging joins their structure trees in page order."""
    meeting = load_demo()
    monkeypatch.setattr(report_documents, "SIGN_IN_PAGES_PER_PART", 1)
    pdf = sign_in_sheet_pdf(meeting)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 3
    assert_tagged(pdf, f"Sign-in sheet · {meeting.title}")
    elements = structure_elements(pdf)
    assert [element["S"] for element in elements].count("/Document") == 1
    assert [element["S"] for element in elements].count("/Table") == pages
    on_pages = [element["page"] for element in elements if element["page"]]
    assert on_pages == sorted(on_pages)  # reading order follows the pages
    text = pdf_text(pdf)
    assert f"Page {pages} of {pages}" in text


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _lines(page_box: Any) -> list[str]:
    """The text of every line on the page, margin boxes included."""
    return [
        "".join(text.text for text in _walk(line) if isinstance(text, boxes.TextBox))
        for line in _walk(page_box)
        if isinstance(line, boxes.LineBox)
    ]


def _margin_texts(page_box: Any) -> dict[str, list[str]]:
    """The lines of each margin box of a page: {"@top-left": ["Mekong Migration Network"]}."""
    return {
        child.at_keyword: _lines(child)
        for child in page_box.children
        if isinstance(child, boxes.MarginBox)
    }


def test_sign_in_sheet_stays_inside_its_margins_with_rows_to_sign_and_rows_for_walk_ins(
    db: Any, make_meeting: Any
) -> None:
    meeting = make_meeting(capacity=None)
    long_organisation = (
        "National Committee for Counter-Trafficking (NCCT), Royal Government of Cambodia"
    )
    db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": meeting.id,
                "name": f"Person {n:03d} with a rather long family name Sokhonthearoth",
                "email": f"x{n}@example.org",
                "email_normalized": f"x{n}@example.org",
                "organisation": long_organisation if n % 2 else "ILO",
                "status": "registered",
            }
            for n in range(45)
        ],
    )
    db.session.commit()
    pages = sign_in_pages(sign_in_rows(meeting), meeting.title)
    html = render_template(
        "pdf/sign_in_sheet.html",
        meeting=meeting,
        pages=pages,
        first_part=True,
        total=45,
    )
    document = layout_pdf(html)
    assert len(document.pages) == len(pages)
    rows_seen = 0
    blank_rows = 0
    for page in document.pages:
        page_box = page._page_box
        left = page_box.margin_left
        right = page_box.margin_left + page_box.width
        tables = [box for box in _walk(page_box) if isinstance(box, boxes.TableBox)]
        assert len(tables) == 1
        for box in _walk(page_box.children[0]):
            if getattr(box, "position_x", None) is None or not hasattr(box, "margin_width"):
                continue
            # Inside the margins: the left edge and the right edge alike (half a pixel).
            assert box.position_x >= left - 0.5, box
            assert box.position_x + box.margin_width() <= right + 0.5, box
        # The table as far from the right margin as from the left (it once overran the right).
        table = tables[0]
        gap_left = table.position_x - left
        gap_right = right - (table.position_x + table.margin_width())
        assert gap_right >= -0.5
        assert gap_right == pytest.approx(gap_left, abs=1 * PX_PER_MM)
        for row in _walk(table):
            if not isinstance(row, boxes.TableRowBox) or row.element_tag != "tr":
                continue
            cells = [cell for cell in row.children if isinstance(cell, boxes.TableCellBox)]
            if cells[0].element_tag == "th":
                continue
            rows_seen += 1
            assert row.height >= 10 * PX_PER_MM - 0.5  # room to sign: 10 mm at least
            signature = cells[-1]
            assert signature.border_left_width > 0
            assert signature.border_right_width > 0
            assert signature.border_bottom_width > 0  # ruled
            if not _lines(cells[1]) or not "".join(_lines(cells[1])).strip():
                blank_rows += 1
    assert rows_seen == sum(len(page) for page in pages)
    assert blank_rows >= walk_in_count(45) == 10
    # The header is on one line on every page, the organisation's name whole.
    for page in document.pages:
        margins = _margin_texts(page._page_box)
        assert margins["@top-left"] == [meeting.organisation.name]
        assert len(margins["@top-right"]) == 1


def test_walk_in_rows_are_a_tenth_of_the_registered_and_at_least_ten() -> None:
    assert walk_in_count(0) == 10
    assert walk_in_count(99) == 10
    assert walk_in_count(101) == 11
    assert walk_in_count(5000) == 500
    rows = [row for page in sign_in_pages([("A", "B")] * 3, "T") for row in page]
    assert [row.name for row in rows[:3]] == ["A"] * 3
    assert len(rows) >= 13
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))


def test_the_press_release_has_one_masthead_and_later_pages_a_running_header(
    db: Any, load_demo: Any
) -> None:
    meeting = load_demo()
    draft = compose_press_release(meeting)
    document = layout_pdf(render_template("pdf/press_release.html", meeting=meeting, draft=draft))
    assert len(document.pages) >= 2
    first = _margin_texts(document.pages[0]._page_box)
    assert "@top-left" not in first  # the masthead is enough
    assert "@top-right" not in first
    first_lines = _lines(document.pages[0]._page_box)
    assert first_lines[0] == meeting.organisation.name  # the masthead
    second = _margin_texts(document.pages[1]._page_box)
    assert second["@top-left"] == [meeting.organisation.name]
    assert len(second["@top-right"]) == 1


def test_running_header_keeps_the_organisation_whole_and_cuts_the_title() -> None:
    title = "Sign-in sheet · " + "Multi-stakeholder Meeting on Labour Migration " * 3
    organisation, cut = running_header("Mekong Migration Network", "MMN", title)
    assert organisation == "Mekong Migration Network"
    assert cut.endswith("…")
    assert len(cut) < len(title)
    assert title.startswith(cut[:-1])
    long_name = "International Organization for Migration, Regional Office for Asia and the Pacific"
    assert running_header(long_name, "IOM ROAP", "Agenda") == ("IOM ROAP", "Agenda")
    assert running_header(long_name, None, "Agenda") == (long_name, "Agenda")
    # A title without spaces (Japanese) is cut inside, not emptied.
    organisation, cut = running_header("MMN", None, "Agenda · " + "日本語のタイトル" * 10)
    assert len(cut) > len("Agenda · ") + 10


def test_zone_label_is_the_city_and_the_utc_offset() -> None:
    winter = datetime(2019, 2, 18, 2, tzinfo=UTC)
    summer = datetime(2019, 7, 18, 2, tzinfo=UTC)
    assert zone_label("Asia/Phnom_Penh", winter) == "Phnom Penh (UTC+7)"
    assert zone_label("Asia/Kolkata", winter) == "Kolkata (UTC+5:30)"
    # West of Greenwich with a real minus sign, as Babel writes offsets.
    assert zone_label("America/New_York", winter) == "New York (UTC\u22125)"
    assert zone_label("America/New_York", summer) == "New York (UTC\u22124)"
    assert zone_label("America/Argentina/Buenos_Aires", winter) == "Buenos Aires (UTC\u22123)"
    assert zone_label("Europe/London", winter) == "London (UTC)"
    assert zone_label("UTC", winter) == "UTC"
    assert zone_label(None, winter) == "UTC"
    assert zone_label("No/Such_Zone", winter) == "UTC"


def test_capitalised_starts_a_sentence_without_touching_the_rest() -> None:
    assert capitalised("develop better training") == "Develop better training"
    assert capitalised("the ILO and the IOM") == "The ILO and the IOM"
    assert capitalised("“we need a fee”") == "“We need a fee”"
    assert capitalised("Already capital") == "Already capital"
    assert capitalised("iPhone apps") == "iPhone apps"
    assert capitalised("www.ilo.org lists it") == "www.ilo.org lists it"
    assert capitalised("ចាន់ សុភា") == "ចាន់ សុភា"
    assert capitalised("") == ""
    assert capitalised(None) == ""


def test_collapsed_counts_identical_comments_most_given_first() -> None:
    texts = ["Fine.", "We need a fee.", "we need  a fee.", "Fine.", "We need a fee.", "Other"]
    assert collapsed(texts) == [("We need a fee.", 3), ("Fine.", 2), ("Other", 1)]
    assert collapsed([]) == []


def test_survey_results_pdf_collapses_comments_and_cautions_small_groups(
    db: Any, load_demo: Any, make_user: Any, login_as: Any
) -> None:
    meeting = load_demo()
    [survey] = db.session.scalars(select(Survey).where(Survey.meeting_id == meeting.id)).all()
    client = login_as(make_user("staff"))
    pdf = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/results.pdf").data
    text = pdf_text(pdf)
    assert text.count("We need a standard recruitment fee.") == 1
    assert "“We need a standard recruitment fee.” × 9" in text
    assert "× 1" not in text
    # The demo's "International organisations" group has 2 respondents.
    assert "International organisations †" in text
    assert "† Fewer than 5 people answered: too few to read as a share." in text
    assert "Government †" not in text


def test_dates_in_the_survey_results_pdf_do_not_wrap(db: Any, load_demo: Any) -> None:
    """The demo's title once pushed "5 December 2026" over the end of the line: "5" stayed
    behind, "December 2026" began the next."""
    meeting = load_demo()
    survey = db.session.scalars(
        select(Survey)
        .options(selectinload(Survey.questions))
        .where(Survey.meeting_id == meeting.id)
    ).first()
    html = render_template(
        "pdf/survey_results.html",
        meeting=meeting,
        survey=survey,
        results=survey_results(survey),
        generated_at=datetime(2026, 12, 5, 5, tzinfo=UTC),
    )
    lines = _lines(layout_pdf(html).pages[0]._page_box)
    assert any("5 December 2026" in line for line in lines), lines[:5]


def test_agenda_pdf_times_read_as_city_and_offset(
    db: Any, load_demo: Any, make_user: Any, login_as: Any
) -> None:
    meeting = load_demo()
    text = pdf_text(login_as(make_user("staff")).get(f"/m/{meeting.slug}/agenda.pdf").data)
    assert "All times are local times in Phnom Penh (UTC+7)." in text
    assert "Asia/Phnom_Penh" not in text
