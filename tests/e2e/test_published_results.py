"""Published survey results in a real browser: the organiser chooses two questions and one
free-text answer on the results page; a visitor without a login then sees those and nothing
else on the public page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from meetapp.models import Meeting, Participant, Survey, SurveyAnswer, SurveyResponse
from meetapp.surveys.services import (
    QuestionData,
    SurveyData,
    add_question,
    answer_rows,
    check_answers,
    create_survey,
)
from tests.e2e.conftest import log_in, screenshot
from tests.surveys.conftest import ALL_KINDS

# Five comments: a free-text question answered by fewer than 5 shows none, even chosen ones.
COMMENTS = [
    "The visit to the port was the best part.",
    "Too long, and the room was cold.",
    "Good speakers.",
    "More time for questions.",
    "Useful contacts.",
]


def survey_with_answers(db: Any, meeting: Meeting, people: list[Participant]) -> Survey:
    """A tracked survey with a question of every kind, answered by each of `people` (the first
    five write a comment; the others leave the free-text question out)."""
    survey = create_survey(meeting, SurveyData(title="Feedback on the meeting"))
    for data in ALL_KINDS:
        add_question(survey, QuestionData(data.text, data.kind, data.required, data.options))
    for index, person in enumerate(people):
        response = SurveyResponse(
            survey_id=survey.id,
            participant_id=person.id,
            stakeholder_group_id=person.stakeholder_group_id,
        )
        db.session.add(response)
        db.session.flush()
        raw: dict[str, Any] = {
            "q1": "agree" if index % 3 else "strongly_agree",
            "q2": str(3 + index % 3),
            "q3": str(6 + index % 5),
            "q4": "morning",
            "q5": ["fees", "training"] if index % 2 else ["hiring"],
            "q6": "yes",
        }
        if index < len(COMMENTS):
            raw["q7"] = COMMENTS[index]
        answers = check_answers(survey.questions, raw)
        rows = answer_rows(survey.questions, response.id, answers, person.stakeholder_group_id)
        db.session.execute(insert(SurveyAnswer), rows)
    db.session.commit()
    return survey


def _row(section: Any, label: str) -> Any:
    """The row of a figures table whose header is `label`."""
    header = section.page.get_by_role("rowheader", name=label, exact=True)
    return section.locator("tr", has=header)


def test_the_public_page_shows_the_chosen_questions_only(
    browser: Any,
    page: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
) -> None:
    organiser = make_user("organiser", email="pub@example.org")
    meeting = make_meeting(slug="pub", organisers=[organiser], title="Labour migration")
    people = [make_participant(meeting, group_key="government") for _ in range(6)]
    survey = survey_with_answers(db, meeting, people)
    key = survey.key

    visitor = browser.new_context()
    public = visitor.new_page()
    response = public.goto(f"{live_server}/m/pub/surveys/{key}/results")
    assert response is not None
    assert response.status == 404

    log_in(page, live_server, "pub@example.org")
    page.goto(f"{live_server}/meetings/pub/surveys/{key}/results")
    page.get_by_label(COMMENTS[0]).check()
    page.get_by_role("button", name="Save the answers chosen for publication").click()
    page.get_by_text("1 free-text answer of those listed is chosen").wait_for()
    form = page.locator("#publish")
    form.get_by_label("Publish the results").check()
    form.get_by_label("The meeting was useful for my work.").check()
    form.get_by_label("Would you come again?").check()
    # A free-text question is not offered as a whole.
    assert form.get_by_label("Any other comments?").count() == 0
    form.get_by_role("button", name="Save publication").click()
    page.get_by_text("The results are published").wait_for()

    public.goto(f"{live_server}/m/pub/surveys/{key}/results")
    public.get_by_role("heading", name="Feedback on the meeting").wait_for()
    headings = public.locator("section h2").all_inner_texts()
    assert headings == [
        "The meeting was useful for my work.",
        "Would you come again?",
        "Any other comments?",
    ]
    text = public.locator("body").inner_text()
    assert COMMENTS[0] in text
    assert COMMENTS[1] not in text
    assert "Overall, how would you rate the meeting?" not in text
    # "Strongly agree" was chosen by 2 of 6: too few to show, and "Agree" (4) with it.
    likert = public.locator("section").first
    assert _row(likert, "Strongly agree").get_by_text("not shown").count() == 1
    assert _row(likert, "Agree").get_by_text("not shown").count() == 1
    assert (
        _row(public.locator("section").nth(1), "Yes").get_by_role("cell").first.inner_text() == "6"
    )
    screenshot(public, "published-results")
    visitor.close()
