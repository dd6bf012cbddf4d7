"""Every organiser page of a meeting at phone size (390 px), in Chromium: nothing overflows
the screen sideways, the section menu takes one line, and axe-core finds no serious or
critical accessibility problem. Screenshots go to test-artifacts/screenshots/phone-*.png."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import insert

from meetapp.interchange.services import import_meeting, parse_document
from meetapp.models import meeting_organisers
from meetapp.registration.questions import OptionLine, save_question
from meetapp.registration.questions import QuestionData as RegistrationQuestionData
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.e2e.test_survey_and_press_release import DEMO_FILE

PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, each with where it is."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


# The outermost elements that reach past the right edge of the screen, to say what to mend.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
    && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '')
  )"""


def test_every_organiser_page_fits_a_phone_and_passes_axe(
    browser: Any, live_server: str, make_user: Any, db: Any
) -> None:
    organiser = make_user("organiser", email="organiser@example.org", name="Dara Organiser")
    meeting = import_meeting(parse_document(DEMO_FILE.read_bytes())).meeting
    db.session.execute(
        insert(meeting_organisers).values(meeting_id=meeting.id, user_id=organiser.id)
    )
    visit = save_question(
        meeting,
        RegistrationQuestionData(
            kind="single_choice",
            label="Field visit to the port of Sihanoukville",
            options=[OptionLine("Yes, I will join the visit", 20), OptionLine("No")],
            group_ids=[meeting.stakeholder_groups[0].id],
        ),
    )
    db.session.commit()
    slug = meeting.slug
    survey_key = meeting_surveys = None
    from meetapp.surveys.services import list_surveys

    meeting_surveys = list_surveys(meeting)
    survey_key = meeting_surveys[0].key if meeting_surveys else None

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    paths = {
        "dashboard": "/",
        "overview": f"/meetings/{slug}",
        "edit": f"/meetings/{slug}/edit",
        "participants": f"/meetings/{slug}/participants",
        "checkin": f"/meetings/{slug}/checkin",
        "agenda": f"/meetings/{slug}/agenda",
        "speakers": f"/meetings/{slug}/speakers",
        "statements": f"/meetings/{slug}/statements",
        "surveys": f"/meetings/{slug}/surveys",
        "groups": f"/meetings/{slug}/groups",
        "questions": f"/meetings/{slug}/questions",
        "question": f"/meetings/{slug}/questions/{visit.id}/edit",
        "team": f"/meetings/{slug}/team",
        "translations": f"/meetings/{slug}/translations",
        "emails": f"/meetings/{slug}/emails",
        "emails-preview": f"/meetings/{slug}/emails?preview=registration_confirmation"
        f"&language={(meeting.languages or ['en'])[0]}",
        "messages": f"/meetings/{slug}/messages",
        "compose": f"/meetings/{slug}/messages/new",
        "outcomes": f"/meetings/{slug}/outcomes",
        "contacts": f"/meetings/{slug}/contacts",
        "press-release": f"/meetings/{slug}/press-release",
        "documents": f"/meetings/{slug}/documents",
        "account": "/account",
    }
    if survey_key:
        paths["survey-results"] = f"/meetings/{slug}/surveys/{survey_key}/results"
    found: dict[str, list[str]] = {}
    for name, path in paths.items():
        response = page.goto(live_server + path)
        assert response is not None
        assert response.status == 200, (name, path)
        screenshot(page, f"phone-{name}")
        wide = overflow(page)
        if wide > 0:
            found.setdefault(name, []).append(
                f"{wide} px wider than the screen: {page.evaluate(TOO_WIDE)}"
            )
        found.setdefault(name, []).extend(serious_violations(page))
    found = {name: issues for name, issues in found.items() if issues}
    assert not found, "\n".join(
        f"{name}: {issue}" for name, issues in found.items() for issue in issues
    )
    assert not problems
    context.close()


def test_the_section_menu_and_the_skip_link_on_a_phone(
    browser: Any, live_server: str, make_user: Any, make_meeting: Any
) -> None:
    organiser = make_user("organiser", email="organiser@example.org")
    make_meeting(slug="menu", organisers=[organiser])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/meetings/menu")
    # The sections take one line, and open as a menu without script.
    tabs = page.locator("nav[aria-label='Meeting sections'] .nav-tabs")
    assert not tabs.is_visible()
    menu = page.locator(".section-menu summary")
    assert menu.inner_text().split() == ["Section:", "Overview"]
    assert menu.bounding_box()["height"] < 60
    menu.click()
    page.locator(".section-menu").get_by_role("link", name="Documents").click()
    page.wait_for_url(f"{live_server}/meetings/menu/documents")
    assert "Documents" in page.locator(".section-menu summary").inner_text()

    # The first Tab shows the skip link; following it puts the focus on the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    assert skip.is_visible()
    outline = skip.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline == "solid 3px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()
