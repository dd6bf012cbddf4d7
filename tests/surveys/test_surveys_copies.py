"""New surveys from others: a copy of a survey of another meeting the user may read (settings,
questions, options, translations; never responses, invitations or dates), or a built-in
template (post-meeting feedback; a rating per agenda session)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from meetapp.models import AgendaSession, Survey, SurveyInvitation, SurveyResponse
from meetapp.surveys.services import get_survey
from tests.surveys.conftest import good_answers


def _copy(client: Any, slug: str, source: str) -> Any:
    return client.post(f"/meetings/{slug}/surveys/new-from", data={"source": source})


def test_a_survey_of_an_earlier_meeting_is_copied_without_its_answers(
    db, new_client, make_user, make_meeting, make_participant, make_survey, invite_people
):
    organiser = make_user("organiser")
    earlier = make_meeting(slug="earlier", organisers=[organiser], languages=["en", "km"])
    later = make_meeting(slug="later", organisers=[organiser], languages=["en", "km"])
    source = make_survey(earlier, anonymous=True, batch_size=7, title="Feedback 2025")
    source = get_survey(earlier, source.key)
    source.translations = {"km": {"title": "មតិ"}}
    choice = next(q for q in source.questions if q.kind == "single")
    choice.translations = {"km": {"text": "វគ្គ", "option:morning": "ព្រឹក"}}
    choice.quotable_in_release = True
    source.results_published = True
    source.published_questions = ["q1"]
    db.session.commit()
    tokens = invite_people(source, [make_participant(earlier)])
    assert new_client().post(f"/s/{tokens[0]}", data=good_answers()).status_code == 302

    owner = new_client(organiser)
    page = owner.get("/meetings/later/surveys/new-from").get_data(as_text=True)
    assert "Feedback 2025" in page
    assert "Post-meeting feedback" in page
    response = _copy(owner, "later", f"survey:{source.id}")
    assert response.status_code == 302
    copy = db.session.scalar(select(Survey).where(Survey.meeting_id == later.id))
    assert response.headers["Location"].endswith(f"/meetings/later/surveys/{copy.key}")
    copy = get_survey(later, copy.key)
    source = get_survey(earlier, source.key)
    assert copy.title == "Feedback 2025"
    assert copy.intro == source.intro
    assert copy.anonymous
    assert copy.batch_size == 7
    assert copy.opens_at is None
    assert copy.closes_at is None
    assert not copy.results_published
    assert copy.published_questions == []
    assert copy.translations == {"km": {"title": "មតិ"}}
    assert [(q.key, q.kind, q.text, q.required, q.options) for q in copy.questions] == [
        (q.key, q.kind, q.text, q.required, q.options) for q in source.questions
    ]
    copied_choice = next(q for q in copy.questions if q.kind == "single")
    assert copied_choice.translations == {"km": {"text": "វគ្គ", "option:morning": "ព្រឹក"}}
    assert copied_choice.quotable_in_release
    for model, column in ((SurveyResponse, "survey_id"), (SurveyInvitation, "survey_id")):
        count = db.session.scalar(
            select(func.count()).select_from(model).where(getattr(model, column) == copy.id)
        )
        assert count == 0


def test_only_meetings_the_user_may_read_are_offered_and_copied(
    db, new_client, make_user, make_meeting, make_survey
):
    organiser = make_user("organiser")
    own = make_meeting(slug="own", organisers=[organiser])
    other = make_meeting(slug="other", organisers=[make_user("organiser")])
    hidden = make_survey(other, title="Somebody else's survey")
    owner = new_client(organiser)
    page = owner.get("/meetings/own/surveys/new-from").get_data(as_text=True)
    assert "Somebody else&#39;s survey" not in page
    assert "Somebody else's survey" not in page
    assert _copy(owner, "own", f"survey:{hidden.id}").status_code == 404
    assert _copy(owner, "own", "survey:999999").status_code == 404
    assert _copy(owner, "own", "survey:abc").status_code == 404
    assert _copy(owner, "own", "template:nothing").status_code == 422
    assert _copy(owner, "own", "").status_code == 422
    assert (
        db.session.scalar(
            select(func.count()).select_from(Survey).where(Survey.meeting_id == own.id)
        )
        == 0
    )

    admin = new_client(make_user("admin"))
    assert "Somebody else" in admin.get("/meetings/own/surveys/new-from").get_data(as_text=True)
    assert _copy(admin, "own", f"survey:{hidden.id}").status_code == 302


def test_staff_cannot_make_surveys_from_others(
    db, new_client, make_user, make_meeting, make_survey
):
    meeting = make_meeting(slug="m")
    source = make_survey(make_meeting(slug="n"))
    staff = new_client(make_user("staff"))
    assert staff.get("/meetings/m/surveys/new-from").status_code == 403
    assert _copy(staff, "m", f"survey:{source.id}").status_code == 403
    assert _copy(staff, "m", "template:feedback").status_code == 403
    assert (
        db.session.scalar(
            select(func.count()).select_from(Survey).where(Survey.meeting_id == meeting.id)
        )
        == 0
    )


def test_the_feedback_template_in_the_meetings_languages(db, new_client, make_user, make_meeting):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="fb", organisers=[organiser], languages=["en", "km"])
    assert _copy(new_client(organiser), "fb", "template:feedback").status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.meeting_id == meeting.id))
    survey = get_survey(meeting, survey.key)
    assert survey.title == "Post-meeting feedback"
    assert survey.opens_at is None
    assert [q.kind for q in survey.questions] == [
        "likert",
        "rating",
        "nps",
        "text",
        "text",
        "yes_no",
    ]
    assert survey.questions[3].text == "What was most useful to you?"
    assert survey.questions[4].text == "What should we improve?"
    # The Khmer catalogue's texts are the questions' Khmer translations.
    assert survey.translations["km"]["title"] != "Post-meeting feedback"
    assert all(q.translations.get("km", {}).get("text") for q in survey.questions)


def test_the_feedback_template_in_a_meeting_whose_first_language_is_khmer(
    db, new_client, make_user, make_meeting
):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="kh", organisers=[organiser], languages=["km"])
    assert _copy(new_client(organiser), "kh", "template:feedback").status_code == 302
    survey = get_survey(meeting, db.session.scalar(select(Survey.key)))
    assert survey.title != "Post-meeting feedback"
    assert survey.questions[0].text != "The meeting was useful for my work."


def test_the_session_evaluation_asks_about_each_session(db, new_client, make_user, make_meeting):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="ev", organisers=[organiser], languages=["en", "km"])
    owner = new_client(organiser)
    response = _copy(owner, "ev", "template:sessions")
    assert response.status_code == 422
    assert "agenda has no sessions" in response.get_data(as_text=True)
    start = datetime(2027, 1, 10, 2, tzinfo=UTC)
    for offset, (key, title, kind) in enumerate(
        [
            ("open", "Opening", "keynote"),
            ("coffee", "Coffee", "break"),
            ("panel", "Panel on wages", "panel"),
        ]
    ):
        db.session.add(
            AgendaSession(
                meeting_id=meeting.id,
                key=key,
                title=title,
                kind=kind,
                starts_at=start + timedelta(hours=offset),
                translations={"km": {"title": f"{title} km"}},
            )
        )
    db.session.commit()
    assert _copy(owner, "ev", "template:sessions").status_code == 302
    survey = get_survey(meeting, db.session.scalar(select(Survey.key)))
    assert survey.title == "Session evaluation"
    assert [(q.kind, q.text) for q in survey.questions] == [
        ("rating", "Opening"),
        ("rating", "Panel on wages"),
    ]
    assert survey.questions[1].translations == {"km": {"text": "Panel on wages km"}}


def test_a_survey_id_of_other_digits_names_nothing(db, new_client, make_user, make_meeting):
    organiser = make_user("organiser")
    make_meeting(slug="own", organisers=[organiser])
    assert _copy(new_client(organiser), "own", "survey:²").status_code == 404


def test_a_copy_keeps_a_grids_scale_and_the_conditions(db, new_client, make_user, make_meeting):
    from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey

    organiser = make_user("organiser")
    earlier = make_meeting(slug="earlier", organisers=[organiser])
    later = make_meeting(slug="later", organisers=[organiser])
    source = create_survey(earlier, SurveyData(title="With a grid"))
    add_question(source, QuestionData("Came?", "yes_no"))
    condition = {"question": "q1", "op": "is", "value": "yes"}
    add_question(
        source,
        QuestionData(
            "Each session", "grid", options=["Opening", "Close"], scale="rating", show_if=condition
        ),
    )
    db.session.commit()
    assert _copy(new_client(organiser), "later", f"survey:{source.id}").status_code == 302
    key = db.session.scalar(select(Survey.key).where(Survey.meeting_id == later.id))
    grid = get_survey(later, key).questions[1]
    assert grid.kind == "grid"
    assert grid.scale == "rating"
    assert grid.show_if == condition
    assert grid.option_keys() == ["opening", "close"]
