"""Small numbers in survey results: a group of fewer than 5 respondents is marked as too few to
read, an NPS of few answers says how much one answer moves it, and a score of zero reads "0"."""

from __future__ import annotations

from typing import Any

from meetapp.reports.survey_figures import figure_clause
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import get_survey
from tests.surveys.conftest import good_answers


def _answer(new_client: Any, tokens: list[str], scores: list[str]) -> None:
    for token, score in zip(tokens, scores, strict=True):
        response = new_client().post(f"/s/{token}", data=good_answers(**{"q-q3": score}))
        assert response.status_code == 302


def test_small_groups_and_a_zero_nps_on_the_results_page(
    db,
    new_client,
    make_user,
    make_meeting,
    make_participant,
    make_survey,
    invite_people,
    login_as,
):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="few", organisers=[organiser])
    government, cso = meeting.stakeholder_groups
    people = [make_participant(meeting, group_key="government") for _ in range(5)]
    people += [make_participant(meeting, group_key="cso") for _ in range(2)]
    survey = make_survey(meeting)
    tokens = invite_people(survey, people)
    # Government: 2 promoters, 2 detractors, 1 passive: NPS 0. Civil society: one of each.
    _answer(new_client, tokens, ["10", "9", "3", "2", "8", "10", "0"])
    results = survey_results(get_survey(meeting, survey.key))
    nps = next(item for item in results.questions if item.question.kind == "nps")
    assert round(nps.nps) == 0
    by_group = {group.label: group for group in nps.by_group}
    assert not by_group[government.label].too_few
    assert by_group[cso.label].too_few
    assert nps.nps_step == 14  # 7 answered

    page = login_as(organiser).get(f"/meetings/few/surveys/{survey.key}/results")
    html = page.get_data(as_text=True)
    assert "NPS 0 (" in html
    assert "NPS +0" not in html
    assert "only 7 answered, so each answer moves the score by about 14 points" in html
    assert f"{cso.label} †" in html
    assert f"{government.label} †" not in html
    assert "† Fewer than 5 people answered: too few to read as a share." in html


def test_a_steady_nps_says_nothing_of_its_size(db, make_meeting, make_survey):
    meeting = make_meeting()
    survey = make_survey(meeting)
    results = survey_results(get_survey(meeting, survey.key))
    nps = next(item for item in results.questions if item.question.kind == "nps")
    nps.nps, nps.answered = 12.0, 30
    assert nps.nps_step is None
    nps.answered = 29
    assert nps.nps_step == 3


def test_the_press_release_writes_a_zero_score_as_zero() -> None:
    assert figure_clause("nps", "Would you recommend it?", 0.2).endswith(" was 0")
    assert figure_clause("nps", "Would you recommend it?", -12.4).endswith(" was -12")
