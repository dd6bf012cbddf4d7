"""Published results: the organiser chooses the questions and, one by one, the free-text answers
a public page shows; nothing of fewer than 5 respondents appears there, and the page exists
only while published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from meetapp.models import Survey, SurveyAnswer
from meetapp.surveys.services import get_survey
from tests.surveys.conftest import good_answers


def _answer(new_client: Any, tokens: list[str], **per_question: list[Any]) -> None:
    for index, token in enumerate(tokens):
        changes = {f"q-{key}": values[index] for key, values in per_question.items()}
        response = new_client().post(f"/s/{token}", data=good_answers(**changes))
        assert response.status_code == 302


def _setup(
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    make_survey: Any,
    invite_people: Any,
    people: int = 7,
    groups: tuple[str, ...] = (),
    **meeting_fields: Any,
) -> tuple[Any, Any, Any, list[str]]:
    organiser = make_user("organiser")
    meeting = make_meeting(slug="pub", organisers=[organiser], **meeting_fields)
    keys = list(groups) or ["government"] * people
    participants = [make_participant(meeting, group_key=key) for key in keys]
    survey = make_survey(meeting)
    tokens = invite_people(survey, participants)
    return organiser, meeting, survey, tokens


def _publish(client: Any, survey_key: str, questions: list[str], **extra: Any) -> Any:
    data = {"published": "y", "questions": questions, **extra}
    return client.post(f"/meetings/pub/surveys/{survey_key}/publication", data=data)


def test_nothing_is_public_until_published_and_only_the_chosen_questions_show(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people
    )
    _answer(new_client, tokens, q1=["agree"] * 5 + ["strongly_agree"] * 2)
    assert client.get(f"/m/pub/surveys/{survey.key}/results").status_code == 404
    assert client.get("/m/pub/surveys/nope/results").status_code == 404
    assert client.get("/m/nope/surveys/whatever/results").status_code == 404

    owner = new_client(organiser)
    response = _publish(owner, survey.key, ["q1", "q6"])
    assert response.status_code == 302
    page = client.get(f"/m/pub/surveys/{survey.key}/results")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, max-age=60"
    html = page.get_data(as_text=True)
    assert "The meeting was useful for my work." in html
    assert "Would you come again?" in html
    assert "Overall, how would you rate the meeting?" not in html
    assert "How likely are you to recommend it?" not in html
    # Free text is never published as a question: only answers chosen one by one.
    assert "Any other comments?" not in html
    assert "Very well organised." not in html
    # Nothing about who did not answer, and no names or addresses.
    assert "example.org" not in html
    assert "Not answered" not in html
    assert "Answers received: 7." in html
    assert "no figure of fewer than 5 people is shown" in html

    # Unpublished again: not found.
    owner.post(f"/meetings/pub/surveys/{survey.key}/publication", data={"questions": ["q1"]})
    assert client.get(f"/m/pub/surveys/{survey.key}/results").status_code == 404


def test_free_text_answers_are_published_one_by_one(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=6
    )
    texts = [f"Comment number {n}." for n in range(6)]
    _answer(new_client, tokens, q7=texts)
    owner = new_client(organiser)
    results = owner.get(f"/meetings/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert 'name="chosen"' in results
    ids = {
        answer.text: answer.id
        for answer in db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.text.is_not(None)))
    }
    shown = [ids[text] for text in texts]
    response = owner.post(
        f"/meetings/pub/surveys/{survey.key}/published-texts",
        data={"shown": shown, "chosen": [ids["Comment number 2."]]},
    )
    assert response.status_code == 302
    assert _publish(owner, survey.key, []).status_code == 302
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Any other comments?" in html
    assert "Comment number 2." in html
    assert "Comment number 3." not in html
    # No figures of questions not chosen.
    assert "The meeting was useful for my work." not in html

    # A participant changes the chosen answer: the new wording waits to be chosen again.
    again = new_client().post(f"/s/{tokens[2]}", data=good_answers(**{"q-q7": "Changed."}))
    assert again.status_code == 302
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Comment number 2." not in html
    assert "Changed." not in html


def test_answers_of_another_survey_cannot_be_chosen(
    db, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=1
    )
    _answer(new_client, tokens)
    other = make_survey(meeting, title="Other")
    answer_id = db.session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.text.is_not(None)))
    owner = new_client(organiser)
    refused = owner.post(
        f"/meetings/pub/surveys/{other.key}/published-texts",
        data={"shown": [answer_id], "chosen": [answer_id]},
    )
    assert refused.status_code == 422
    assert "no longer there" in refused.get_data(as_text=True)
    assert not db.session.scalar(
        select(SurveyAnswer.published_text).where(SurveyAnswer.id == answer_id)
    )
    # Chosen but not listed: refused too.
    response = owner.post(
        f"/meetings/pub/surveys/{survey.key}/published-texts", data={"chosen": [answer_id]}
    )
    assert response.status_code == 422
    assert "Only the answers listed on the page can be chosen." in response.get_data(as_text=True)
    assert not db.session.scalar(
        select(SurveyAnswer.published_text).where(SurveyAnswer.id == answer_id)
    )
    assert (
        owner.post(
            f"/meetings/pub/surveys/{survey.key}/published-texts", data={"shown": ["x"]}
        ).status_code
        == 400
    )


def test_a_free_text_question_cannot_be_published_whole(
    db, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=1
    )
    response = _publish(new_client(organiser), survey.key, ["q7"])
    assert response.status_code == 422
    db.session.expire_all()
    assert not get_survey(meeting, survey.key).results_published


def test_fewer_than_five_respondents_show_nothing(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=4
    )
    _answer(new_client, tokens)
    _publish(new_client(organiser), survey.key, ["q1", "q2"])
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Too few people have answered this survey" in html
    assert "The meeting was useful for my work." not in html


def test_small_cells_and_groups_are_left_out(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    # 6 from government, 2 from civil society: the latter group is too small, and with it
    # left out, it could be read as the total less government: no breakdown is shown.
    groups = ("government",) * 6 + ("cso",) * 2
    organiser, meeting, survey, tokens = _setup(
        db,
        make_user,
        make_meeting,
        make_participant,
        make_survey,
        invite_people,
        groups=groups,
    )
    # Would you come again: 6 yes, 2 no: the 2 is hidden, and the 6 with it (else 8 - 6).
    # The session preferred: 8 morning, 0 afternoon: nothing hidden.
    _answer(new_client, tokens, q6=["yes"] * 6 + ["no"] * 2, q4=["morning"] * 8)
    _publish(new_client(organiser), survey.key, ["q4", "q6"], by_group="y")
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "not shown" in html
    section = html.split("Would you come again?</h2>")[1].split("</section>")[0]
    assert ">6<" not in section
    assert ">2<" not in section
    morning = html.split("Which session did you prefer?</h2>")[1].split("</section>")[0]
    assert ">8<" in morning
    assert "Civil society" not in html
    assert "By stakeholder group" not in html


def test_groups_of_five_or_more_are_broken_down(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    groups = ("government",) * 5 + ("cso",) * 5
    organiser, meeting, survey, tokens = _setup(
        db,
        make_user,
        make_meeting,
        make_participant,
        make_survey,
        invite_people,
        groups=groups,
    )
    _answer(new_client, tokens, q4=["morning"] * 10)
    _publish(new_client(organiser), survey.key, ["q4"], by_group="y")
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "By stakeholder group" in html
    assert "Civil society" in html
    assert "Government" in html


def test_anonymous_results_count_published_batches_only(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="pub", organisers=[organiser])
    people = [make_participant(meeting) for _ in range(7)]
    survey = make_survey(meeting, anonymous=True, batch_size=5)
    tokens = invite_people(survey, people)
    _answer(new_client, tokens[:5], q1=["agree"] * 5)
    _answer(new_client, tokens[5:], q1=["disagree"] * 2)
    _publish(new_client(organiser), survey.key, ["q1"], by_group="y")
    db.session.expire_all()
    assert not get_survey(meeting, survey.key).published_by_group  # no groups when anonymous
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Answers received: 5." in html
    assert "Disagree</th>" in html  # the option is listed, with no one choosing it
    assert ">2<" not in html


def test_only_the_team_may_publish(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=1
    )
    staff = new_client(make_user("staff"))
    assert _publish(staff, survey.key, ["q1"]).status_code == 403
    page = staff.get(f"/meetings/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert 'id="publish"' not in page
    assert 'name="chosen"' not in page
    stranger = new_client(make_user("organiser"))
    assert _publish(stranger, survey.key, ["q1"]).status_code == 404
    assert (
        stranger.post(
            f"/meetings/pub/surveys/{survey.key}/published-texts", data={"shown": []}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert not get_survey(meeting, survey.key).results_published


def test_the_page_follows_the_language_chosen(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db,
        make_user,
        make_meeting,
        make_participant,
        make_survey,
        invite_people,
        people=5,
        languages=["en", "km"],
    )
    _answer(new_client, tokens)
    _publish(new_client(organiser), survey.key, ["q1"])
    client.get("/language?to=km&next=/")
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Survey results" not in html
    assert 'lang="km"' in html


def test_a_mean_is_not_shown_beside_counts_left_out(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=8
    )
    # Ratings: six 4s and two 5s: the 2 is left out, the 6 with it, and the mean (which
    # with the total would give both) too. NPS in bands: 5 promoters, 3 passives: the 3 is
    # left out, the 5 with it, and the score.
    _answer(
        new_client,
        tokens,
        q2=["4"] * 6 + ["5"] * 2,
        q3=["9", "10", "9", "10", "9", "7", "8", "7"],
    )
    _publish(new_client(organiser), survey.key, ["q2", "q3"])
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    rating = html.split("Overall, how would you rate the meeting?</h2>")[1].split("</section>")[0]
    assert "Average" not in rating
    assert ">6<" not in rating
    nps = html.split("How likely are you to recommend it?</h2>")[1].split("</section>")[0]
    assert "Promoters (9 or 10)" in nps
    assert "Net promoter score" not in nps
    assert ">3<" not in nps
    assert ">5<" not in nps


def test_the_score_is_shown_when_nothing_is_left_out(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=10
    )
    _answer(new_client, tokens, q2=["4"] * 5 + ["5"] * 5, q3=["10"] * 5 + ["3"] * 5)
    _publish(new_client(organiser), survey.key, ["q2", "q3"])
    html = client.get(f"/m/pub/surveys/{survey.key}/results").get_data(as_text=True)
    assert "Average: 4.5 out of 5." in html
    assert "Net promoter score: 0 (from -100 to +100)." in html


def test_counts_left_out_cannot_be_worked_out_from_the_totals():
    from meetapp.surveys.publication import _hide

    # One small count in a row: the next smallest goes with it.
    assert _hide([[6, 2, 0]], one_value=True) == [{0, 1}]
    # Several answers each: a row does not add up, so nothing more goes.
    assert _hide([[6, 2, 0]], one_value=False) == [{1}]
    # Groups: a column with one count left out loses its smallest other count too, and then
    # that row, with one left out, loses its next smallest.
    assert _hide([[10, 2], [7, 9], [8, 12]], one_value=True) == [{0, 1}, {0, 1}, set()]


def test_open_link_answers_are_published_only_when_the_results_count_them(
    db, client, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    from meetapp.models import SurveyResponse

    organiser, meeting, survey, tokens = _setup(
        db, make_user, make_meeting, make_participant, make_survey, invite_people, people=5
    )
    _answer(new_client, tokens, q7=[f"Invited {n}." for n in range(5)])
    room = SurveyResponse(survey_id=survey.id, via_open_link=True)
    db.session.add(room)
    db.session.flush()
    question_id = get_survey(meeting, survey.key).questions[6].id
    db.session.add(
        SurveyAnswer(response_id=room.id, question_id=question_id, text="From the room.")
    )
    db.session.execute(
        update(SurveyAnswer).where(SurveyAnswer.text.is_not(None)).values(published_text=True)
    )
    db.session.commit()
    _publish(new_client(organiser), survey.key, [])
    url = f"/m/pub/surveys/{survey.key}/results"
    assert "From the room." in client.get(url).get_data(as_text=True)

    db.session.execute(
        update(Survey).where(Survey.id == survey.id).values(open_counts_with_invited=False)
    )
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Invited 0." in html
    assert "From the room." not in html
