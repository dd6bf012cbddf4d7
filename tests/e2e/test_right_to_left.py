"""The participant pages laid out right to left, in a real browser.

None of the shipped languages is written right to left, but the pages must not depend on the
direction: Bootstrap's stylesheet is written left to right (`margin-left`, `float: left`), and
a rule of ours in physical terms (`border-left`) silently breaks the mirrored page. Forcing
`dir="rtl"` on `<html>` shows it, and the same checks run left to right as the control, so
that what they measure is the direction and nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from meetapp.models import SurveyResponse
from meetapp.surveys.invitations import invite
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey
from tests.e2e.conftest import screenshot
from tests.i18n.catalogues import read_catalogue

# A phone's width: where a page that overflows sideways shows it.
PHONE = {"width": 360, "height": 800}

# Every element that sticks out of the viewport sideways (the page then scrolls sideways).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolled = document.documentElement.scrollWidth;
  const out = scrolled > width ? [`page: ${scrolled}px`] : [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.left < -1 || box.right > width + 1)) {
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      out.push(`${el.tagName.toLowerCase()}.${el.className}: ${where}`);
    }
  }
  return out;
}"""

# For each visible control of the page's form: its id, type, its labels' texts, and where the
# control and its (first visible) label's text start and end, in the page's direction.
LABELS = """(form) => {
  const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
  const span = (box) => rtl ? [-box.right, -box.left] : [box.left, box.right];  // [start, end]
  const rows = [];
  for (const control of form.querySelectorAll('input, select, textarea')) {
    if (control.type === 'hidden' || control.type === 'submit') continue;
    const labels = [...control.labels];
    const shown = labels.find((label) => label.getBoundingClientRect().width > 1);
    let text = null;
    if (shown) {
      const range = document.createRange();
      range.selectNodeContents(shown);
      text = span(range.getBoundingClientRect());
    }
    rows.push({
      id: control.id,
      type: control.type,
      labels: labels.map((label) => label.innerText.trim()),
      control: span(control.getBoundingClientRect()),
      text,
    });
  }
  return rows;
}"""


def km(text: str) -> str:
    return str(read_catalogue("km").get(text).string)


def _open(browser: Any, url: str, direction: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="km", viewport=PHONE)
    page = context.new_page()
    page.goto(url)
    page.evaluate("(direction) => { document.documentElement.dir = direction; }", direction)
    return context, page


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_registration_form_mirrors_without_breaking(
    browser: Any, live_server: str, make_meeting: Any, direction: str
) -> None:
    """On a phone, in Khmer, laid out in `direction`:

    - nothing sticks out of the viewport sideways (a definition list's `dd` kept the browser's
      40px start margin on the right, which pushed the meeting's facts off the screen);
    - every control has a label that names it, and the label starts where its control does
      (above a text box: the same start edge; beside a check box: the box on the start side,
      its text right after it). Left to right, Bootstrap floats the box to the left of its
      text; mirrored, it stayed at the far left, away from a text that starts at the right, so
      a reader saw a row of boxes that belonged to nothing.
    """
    meeting = make_meeting(
        languages=["en", "km", "ja"],
        title="Labour migration from Cambodia to Japan: a multi-stakeholder dialogue",
        venue="Sunway Hotel",
        city="Phnom Penh",
        country="KH",
    )
    context, page = _open(browser, f"{live_server}/m/{meeting.slug}/register", direction)
    try:
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == direction
        screenshot(page, f"register-phone-{direction}")
        assert page.evaluate(OVERFLOWING) == []

        rows = page.locator("form").first.evaluate(LABELS)
        assert {row["id"] for row in rows} >= {"name", "email", "organisation", "consent"}
        for row in rows:
            assert row["labels"], f"{row['id']} has no label"
            assert all(row["labels"]), f"{row['id']} has an empty label"
            if row["text"] is None:
                continue  # named by a visually hidden label, which has no place to check
            control_start, control_end = row["control"]
            text_start, _ = row["text"]
            if row["type"] in ("checkbox", "radio"):
                gap = text_start - control_end
                assert 0 <= gap <= 12, f"{row['id']}: its box is {gap:.0f}px from its text"
            else:
                assert abs(text_start - control_start) <= 2, f"{row['id']}: label out of line"

        # The associations hold: each label reaches its control.
        page.get_by_label(km("Name"), exact=True).fill("សុខា ចាន់")
        assert page.locator("#name").input_value() == "សុខា ចាន់"
        page.get_by_text("ខ្មែរ", exact=True).last.click()
        assert page.get_by_label("ខ្មែរ", exact=True).is_checked()
    finally:
        context.close()


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_a_survey_answer_that_needs_attention_is_marked_on_its_start_side(
    browser: Any,
    live_server: str,
    db: Any,
    make_meeting: Any,
    make_participant: Any,
    direction: str,
) -> None:
    """A required question left unanswered gets a red bar along the side where its text
    starts, which a reader scanning the page meets first. Written as `border-left`, the bar
    of a mirrored page was on the far side, after the text."""
    meeting = make_meeting(languages=["km"])
    make_participant(meeting, name="សុខា ចាន់", languages=["km"])
    survey = create_survey(meeting, SurveyData(title="After the meeting"))
    add_question(survey, QuestionData(text="How was the venue?", kind="rating", required=True))
    (link,) = invite(survey, "registered")
    db.session.commit()
    survey_id = survey.id

    context, page = _open(browser, f"{live_server}/s/{link.token}", direction)
    try:
        page.get_by_role("button", name=km("Send my answers")).click()
        page.get_by_text(km("This question needs an answer.")).wait_for()
        # The text is there before the page's stylesheet may be: the bar is read once the
        # page has loaded (on a loaded machine the stylesheet came after, and the bar read 0px).
        page.wait_for_load_state("load")
        page.evaluate("(direction) => { document.documentElement.dir = direction; }", direction)
        question = page.locator("fieldset.survey-question.is-invalid")
        widths = question.evaluate(
            "(el) => { const style = getComputedStyle(el);"
            " return {left: style.borderLeftWidth, right: style.borderRightWidth}; }"
        )
        start, end = ("right", "left") if direction == "rtl" else ("left", "right")
        assert (widths[start], widths[end]) == ("3px", "0px")
        assert page.evaluate(OVERFLOWING) == []
    finally:
        context.close()
    db.session.rollback()
    assert (
        db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
        is None
    )
