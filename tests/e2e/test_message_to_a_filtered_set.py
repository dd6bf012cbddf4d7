"""In a real browser: an organiser writes to "registered, in Khmer, who have not answered the
survey", previews it for one of them, sends it, and it arrives through a real SMTP server in
each person's language with each person's own link."""

from __future__ import annotations

import re
from typing import Any

from meetapp.models import SurveyResponse
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.e2e.test_journey_in_language import wait_for_mail
from tests.outbox.smtp import Inbox

PERSONAL = re.compile(r"https?://[^\s\"<]+/r/([A-Za-z0-9_-]+)")


def _body(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def test_a_message_to_khmer_readers_who_have_not_answered_arrives_with_their_links(
    browser: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    smtp_server: Inbox,
    mail_to: Any,
) -> None:
    from meetapp.models import Survey

    mail_to(smtp_server.port)
    organiser = make_user("organiser", email="org@example.org")
    meeting = make_meeting(
        slug="write-day", organisers=[organiser], languages=["en", "km"], capacity=None
    )
    survey = Survey(meeting_id=meeting.id, key="after", title="After the meeting")
    db.session.add(survey)
    db.session.commit()
    make_participant(meeting, name="Sokha", email="sokha@example.org", languages=["km"])
    make_participant(meeting, name="Vanna", email="vanna@example.org", languages=["km", "en"])
    answered = make_participant(meeting, name="Dara", email="dara@example.org", languages=["km"])
    make_participant(meeting, name="Anne", email="anne@example.org", languages=["en"])
    make_participant(
        meeting, name="Waiting", email="wait@example.org", languages=["km"], status="waitlisted"
    )
    db.session.add(SurveyResponse(survey_id=survey.id, participant_id=answered.id, published=True))
    db.session.commit()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/meetings/write-day/messages/new")
    page.get_by_label("Speaks").select_option("km")
    page.get_by_label("Survey", exact=True).select_option(label="After the meeting")
    page.get_by_label("Of that survey").select_option("not_answered")
    page.get_by_label("Subject (English)").fill("Your page for {meeting}")
    page.get_by_label("Body (English)").fill("Dear {name}, your page: {link}")
    page.get_by_label("Subject (Khmer)").fill("ទំព័ររបស់អ្នក {meeting}")
    page.get_by_label("Body (Khmer)").fill("ជម្រាបសួរ {name} ទំព័ររបស់អ្នក៖ {link}")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("2 people chosen").wait_for()
    assert "ជម្រាបសួរ" in page.locator("body").inner_text()
    screenshot(page, "message-preview-khmer")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("The message to 2 people").wait_for()

    sokha = wait_for_mail(smtp_server, "sokha@example.org", 1)
    vanna = wait_for_mail(smtp_server, "vanna@example.org", 1)
    assert sorted(r[0] for r in smtp_server.recipients) == [
        "sokha@example.org",
        "vanna@example.org",
    ]
    assert sokha["Subject"] == f"ទំព័ររបស់អ្នក {meeting.title}"
    assert _body(sokha).startswith("ជម្រាបសួរ Sokha ")
    tokens = {PERSONAL.findall(_body(m))[0] for m in (sokha, vanna)}
    assert len(tokens) == 2
    visitor = browser.new_context().new_page()
    for token, email in zip(
        [PERSONAL.findall(_body(m))[0] for m in (sokha, vanna)],
        ["sokha@example.org", "vanna@example.org"],
        strict=True,
    ):
        visitor.goto(f"{live_server}/r/{token}")
        assert email in visitor.locator("body").inner_text()
    assert problems == []
    context.close()
