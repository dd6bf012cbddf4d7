"""A big sign-in sheet in a real browser: Prepare, the progress bar while its job runs (after
the response, in the server's process), then the download link; with JavaScript, and without
it (the page then reloads itself while the sheet is prepared)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.documents.conftest import person_name, register_people  # noqa: F401
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.reports.pdftext import pdf_text

NAMES = 700  # two parts of the sheet: a few seconds of drawing


@pytest.fixture
def big_sheet(make_user: Any, make_meeting: Any, register_people: Any) -> Any:  # noqa: F811
    """`big_sheet(slug)`: a meeting of NAMES registered people at `slug`; its organiser."""

    def make(slug: str) -> Any:
        organiser = make_user("organiser", email=f"{slug}@example.org")
        meeting = make_meeting(organisers=[organiser], capacity=None, slug=slug)
        register_people(meeting, NAMES)
        return organiser

    return make


def test_prepare_shows_the_progress_then_the_download(
    page: Any, live_server: str, db: Any, big_sheet: Any
) -> None:
    organiser = big_sheet("big-sheet")
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)

    page.goto(f"{live_server}/meetings/big-sheet/documents")
    card = page.locator("#document-sign-in-sheet")
    assert card.get_by_text(f"{NAMES} rows: it is prepared in the background").count()
    card.get_by_role("button", name="Prepare").click()

    page.get_by_text("Sign-in sheet: being prepared.").wait_for()
    progress = page.locator("#document-sign-in-sheet progress")
    progress.wait_for()
    screenshot(page, "documents-preparing")
    link = page.get_by_role("link", name="big-sheet-sign-in-sheet.pdf")
    link.wait_for(timeout=90_000)  # the script saw it ready and showed the page again
    assert page.locator("#document-sign-in-sheet progress").count() == 0
    assert card.get_by_text(re.compile(r"kept until")).count()
    screenshot(page, "documents-ready")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "big-sheet-sign-in-sheet.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert person_name(1) in text
    assert person_name(NAMES) in text
    assert problems == []


def test_without_javascript_the_page_reloads_until_the_sheet_is_ready(
    browser: Any, live_server: str, db: Any, big_sheet: Any
) -> None:
    organiser = big_sheet("no-script-sheet")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, organiser.email)
        page.goto(f"{live_server}/meetings/no-script-sheet/documents")
        page.locator("#document-sign-in-sheet").get_by_role("button", name="Prepare").click()
        page.locator("#document-sign-in-sheet progress").wait_for()
        page.get_by_role("link", name="no-script-sheet-sign-in-sheet.pdf").wait_for(timeout=90_000)
    finally:
        context.close()
