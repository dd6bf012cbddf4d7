"""Answers given in any language count together: options are stored by key, the answer page
shows the texts in its language and posts keys, the response keeps the language of its page,
and the results are shown in the meeting language the organiser chooses, with how many
answered in each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from meetapp.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from meetapp.surveys import batches
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import QuestionData, get_survey

KHMER_QUESTION = "តើអ្នកចូលចិត្តវគ្គណា?"
KHMER_MORNING = "ពេលព្រឹក"
KHMER_TITLE = "ការស្ទង់មតិក្រោយកិច្ចប្រជុំ"


def _bilingual_survey(db, make_meeting, make_survey, organisers=(), anonymous=False):
    meeting = make_meeting(languages=["en", "km"], organisers=organisers)
    survey = make_survey(
        meeting,
        questions=[
            QuestionData(
                "Which session did you prefer?", "single", options=["Morning", "Afternoon"]
            ),
            QuestionData("Any other comments?", "text"),
        ],
        anonymous=anonymous,
        batch_size=3,
    )
    survey = db.session.get(Survey, survey.id)
    survey.translations = {"km": {"title": KHMER_TITLE}}
    question = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "q1"))
    question.translations = {"km": {"text": KHMER_QUESTION, "option:morning": KHMER_MORNING}}
    db.session.commit()
    return meeting, survey


def test_an_answer_on_a_khmer_page_counts_with_an_english_one(
    db, new_client, make_meeting, make_survey, make_participant, invite_people
):
    meeting, survey = _bilingual_survey(db, make_meeting, make_survey)
    sokha, ana = make_participant(meeting), make_participant(meeting)
    khmer_token, english_token = invite_people(survey, [sokha, ana])

    khmer = new_client()
    page = khmer.get(f"/s/{khmer_token}?lang=km").get_data(as_text=True)
    assert KHMER_TITLE in page
    assert KHMER_QUESTION in page
    assert KHMER_MORNING in page
    # An option not translated yet shows in the meeting's first language; both post keys.
    assert ">Afternoon<" in page
    assert 'value="morning"' in page
    assert 'value="afternoon"' in page
    answered = khmer.post(f"/s/{khmer_token}?lang=km", data={"q-q1": "morning", "q-q2": "ល្អណាស់"})
    assert answered.status_code == 302

    english = new_client()
    page = english.get(f"/s/{english_token}?lang=en").get_data(as_text=True)
    assert "Which session did you prefer?" in page
    assert KHMER_MORNING not in page
    assert english.post(f"/s/{english_token}?lang=en", data={"q-q1": "morning"}).status_code == 302

    db.session.rollback()
    languages = db.session.scalars(select(SurveyResponse.language).order_by(SurveyResponse.id))
    assert languages.all() == ["km", "en"]
    choices = db.session.scalars(
        select(SurveyAnswer.choice).where(SurveyAnswer.choice.is_not(None))
    )
    assert choices.all() == ["morning", "morning"]

    results = survey_results(get_survey(meeting, survey.key))
    [when, _comments] = results.questions
    assert [(o.value, o.label, o.count) for o in when.options] == [
        ("morning", "Morning", 2),
        ("afternoon", "Afternoon", 0),
    ]
    assert results.languages == [("en", 1), ("km", 1)]


def test_results_in_a_chosen_language_say_how_many_answered_in_each(
    db, client, login_as, make_user, make_meeting, make_survey, make_participant, invite_people
):
    organiser = make_user("organiser")
    meeting, survey = _bilingual_survey(db, make_meeting, make_survey, organisers=[organiser])
    people = [make_participant(meeting) for _ in range(3)]
    tokens = invite_people(survey, people)
    for token, language in zip(tokens, ("km", "km", "en"), strict=True):
        data = {"q-q1": "morning", "q-q2": f"Written in {language}"}
        assert client.post(f"/s/{token}?lang={language}", data=data).status_code == 302
    client.delete_cookie("lang")

    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}/results"
    page = client.get(base).get_data(as_text=True)
    assert "Answered in: ខ្មែរ 2, English 1" in page
    # By default, the meeting's first language.
    assert "Which session did you prefer?" in page
    assert KHMER_MORNING not in page
    assert '<option value="en" selected>' in page
    # Free text shows the language it was written in.
    assert 'Written in km</span> <span class="badge text-bg-light"' in page

    page = client.get(f"{base}?language=km").get_data(as_text=True)
    assert KHMER_QUESTION in page
    assert KHMER_MORNING in page
    assert "Afternoon" in page  # not translated: the first language
    assert '<option value="km" selected>' in page
    assert "Answered in: ខ្មែរ 2, English 1" in page

    # A language the meeting does not have shows the first.
    page = client.get(f"{base}?language=ja").get_data(as_text=True)
    assert KHMER_MORNING not in page
    assert '<option value="en" selected>' in page

    summary = client.get(f"{base}.json").get_json()
    assert summary["languages"] == [
        {"language": "km", "responses": 2},
        {"language": "en", "responses": 1},
    ]
    assert summary["questions"][0]["options"][0]["label"] == "Morning"


def test_keys_not_offered_are_refused_with_a_message(
    db, client, make_meeting, make_survey, make_participant, invite_people
):
    meeting, survey = _bilingual_survey(db, make_meeting, make_survey)
    [token] = invite_people(survey, [make_participant(meeting)])
    # The label is not what the page sends: only keys are offered.
    for value in ("Morning", KHMER_MORNING, "evening"):
        response = client.post(f"/s/{token}?lang=en", data={"q-q1": value})
        assert response.status_code == 422
        assert "Choose one of the answers offered." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_rewording_an_option_keeps_its_answers_and_removing_a_chosen_one_is_refused(
    db, client, new_client, organiser_setup, login_as, make_survey, make_participant, invite_people
):
    organiser, meeting = organiser_setup(languages=["en", "km"])
    survey = make_survey(
        meeting,
        questions=[QuestionData("When?", "single", options=["Morning", "Afternoon"])],
    )
    [token] = invite_people(survey, [make_participant(meeting)])
    assert new_client().post(f"/s/{token}", data={"q-q1": "morning"}).status_code == 302
    question = db.session.scalar(select(SurveyQuestion))
    question.translations = {"km": {"option:afternoon": "ពេលរសៀល"}}
    db.session.commit()

    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/questions/{question.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="option_keys" type="hidden" value="morning afternoon"' in page

    def post(options, keys):
        data = {"text": "When?", "kind": "single", "options": options, "option_keys": keys}
        return client.post(url, data=data)

    def stored():
        db.session.rollback()
        return db.session.get(SurveyQuestion, question.id)

    # A line edited in place rewords its option: the answer stays with it.
    assert post("Early morning\nAfternoon", "morning afternoon").status_code == 302
    assert stored().options == [
        {"key": "morning", "label": "Early morning"},
        {"key": "afternoon", "label": "Afternoon"},
    ]
    assert db.session.scalar(select(SurveyAnswer.choice)) == "morning"
    results = survey_results(get_survey(meeting, survey.key))
    assert [(o.label, o.count) for o in results.questions[0].options] == [
        ("Early morning", 1),
        ("Afternoon", 0),
    ]
    # Moved lines keep their options; a new line is a new option.
    assert post("Afternoon\nEarly morning\nNight", "morning afternoon").status_code == 302
    assert stored().option_keys() == ["afternoon", "morning", "night"]

    # The chosen option cannot go, whatever else changes: refused, nothing changed.
    response = post("Afternoon\nNight", "afternoon morning night")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "These options were already chosen and cannot be removed: “Early morning” (1)" in text
    assert stored().option_keys() == ["afternoon", "morning", "night"]

    # An option without answers can go, and its translations with it.
    assert post("Early morning\nNight", "afternoon morning night").status_code == 302
    assert stored().option_keys() == ["morning", "night"]
    assert stored().translations == {"km": {}}


def test_an_anonymous_response_keeps_no_language(
    db, new_client, make_meeting, make_survey, make_participant, invite_people
):
    """Like the stakeholder group, the language of an anonymous response is not kept: where few
    participants read the meeting in a language, it would tell whose answers they are."""
    meeting, survey = _bilingual_survey(db, make_meeting, make_survey, anonymous=True)
    people = [make_participant(meeting) for _ in range(3)]
    tokens = invite_people(survey, people)
    for token, language in zip(tokens, ("km", "en", "km"), strict=True):
        response = new_client().post(f"/s/{token}?lang={language}", data={"q-q1": "morning"})
        assert response.status_code == 302
    # A change, in another language, waits for its batch as before.
    changer = new_client()
    assert changer.post(f"/s/{tokens[0]}?lang=en", data={"q-q1": "afternoon"}).status_code == 302
    page = changer.get(f"/s/{tokens[0]}?lang=en").get_data(as_text=True)
    assert 'value="afternoon" checked' in page
    db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id)
        .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()
    assert batches.publish_due(get_survey(meeting, survey.key))
    db.session.commit()
    assert set(db.session.scalars(select(SurveyResponse.language))) == {None}
    results = survey_results(get_survey(meeting, survey.key))
    assert results.responses == 3
    assert results.languages == []


def test_the_closed_page_names_the_survey_in_the_page_language(
    db, client, make_meeting, make_survey, make_participant, invite_people
):
    meeting, survey = _bilingual_survey(db, make_meeting, make_survey)
    [token] = invite_people(survey, [make_participant(meeting)])
    db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id)
        .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()
    assert KHMER_TITLE in client.get(f"/s/{token}?lang=km").get_data(as_text=True)
    assert KHMER_TITLE not in client.get(f"/s/{token}?lang=en").get_data(as_text=True)
