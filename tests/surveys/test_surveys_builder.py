"""The builder: creating a survey, its questions of seven kinds, reordering, preview, and the
changes refused once answers exist."""

from __future__ import annotations

from sqlalchemy import func, select

from meetapp.models import Survey, SurveyQuestion
from tests.surveys.conftest import good_answers


def questions_of(db, survey_id):
    db.session.rollback()
    return list(
        db.session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey_id)
            .order_by(SurveyQuestion.position, SurveyQuestion.id)
        )
    )


def test_organiser_builds_a_survey_with_every_kind(client, db, organiser_setup, login_as):
    organiser, meeting = organiser_setup()
    login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/surveys/new",
        data={"title": "Post-meeting survey", "intro": "Three minutes.", "closes_at": ""},
    )
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.meeting_id == meeting.id))
    assert survey.key == "post-meeting-survey"
    assert response.headers["Location"].endswith(f"/surveys/{survey.key}")
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"

    kinds = [
        ("likert", ""),
        ("rating", ""),
        ("nps", ""),
        ("single", "Yes\nNo\nNot sure"),
        ("multiple", "Fees\nHiring"),
        ("yes_no", ""),
        ("text", ""),
    ]
    for kind, options in kinds:
        response = client.post(
            f"{base}/questions",
            data={"text": f"A {kind} question?", "kind": kind, "options": options, "required": "y"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    questions = questions_of(db, survey.id)
    assert [q.kind for q in questions] == [kind for kind, _ in kinds]
    assert questions[3].option_labels() == ["Yes", "No", "Not sure"]
    assert questions[0].options == []
    assert all(q.required for q in questions)

    page = client.get(base).get_data(as_text=True)
    assert "A nps question?" in page
    preview = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Not sure" in preview
    assert "Strongly agree" in preview
    assert "Answers cannot be sent from here" in preview


def test_a_choice_question_needs_options_and_input_is_kept(
    client, db, organiser_setup, login_as, make_survey
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, questions=[])
    login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/surveys/{survey.key}/questions",
        data={"text": "Pick one <b>now</b>", "kind": "single", "options": "Only one"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "at least two options" in page
    assert "Pick one &lt;b&gt;now&lt;/b&gt;" in page
    assert questions_of(db, survey.id) == []


def test_bad_question_input_is_refused(client, db, organiser_setup, login_as, make_survey):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, questions=[])
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/questions"
    for data in (
        {"text": "", "kind": "likert"},
        {"text": "x" * 10_000, "kind": "likert"},
        {"text": "Nul\x00byte", "kind": "likert"},
        {"text": "Kind?", "kind": "essay"},
        {"text": "Long option", "kind": "single", "options": "a\n" + "b" * 300},
        {"text": "Twice", "kind": "single", "options": "a\na"},
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200, data
    assert questions_of(db, survey.id) == []


def test_reorder_questions(client, db, organiser_setup, login_as, make_survey):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(organiser)
    first, second = questions_of(db, survey.id)[:2]
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/questions/{second.id}/move"
    assert client.post(url, data={"direction": "up"}).status_code == 302
    ordered = questions_of(db, survey.id)
    assert [ordered[0].id, ordered[1].id] == [second.id, first.id]
    assert client.post(url, data={"direction": "sideways"}).status_code == 400


def test_changes_that_would_break_answers_are_refused(
    client, new_client, db, organiser_setup, login_as, make_survey, make_participant, invite_people
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    person = make_participant(meeting)
    [token] = invite_people(survey, [person])
    visitor = new_client()
    assert visitor.post(f"/s/{token}", data=good_answers()).status_code == 302

    login_as(organiser)
    questions = questions_of(db, survey.id)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    likert, single, multiple = questions[0], questions[3], questions[4]

    # The kind of an answered question cannot change.
    response = client.post(
        f"{base}/questions/{likert.id}", data={"text": likert.text, "kind": "rating"}
    )
    assert response.status_code == 200
    assert "changing its kind would make them meaningless" in response.get_data(as_text=True)

    # A chosen option cannot be removed or renamed; an unchosen one can, options can be added.
    response = client.post(
        f"{base}/questions/{single.id}",
        data={"text": single.text, "kind": "single", "options": "Evening\nAfternoon"},
    )
    assert response.status_code == 200
    assert "“Morning” (1)" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/questions/{multiple.id}",
        data={"text": "Topics?", "kind": "multiple", "options": "Training\nFees\nReturn"},
    )
    assert response.status_code == 302
    assert questions_of(db, survey.id)[4].option_labels() == ["Training", "Fees", "Return"]

    # An answered question cannot be deleted; the survey cannot become anonymous or be deleted.
    client.post(f"{base}/questions/{likert.id}/delete")
    assert len(questions_of(db, survey.id)) == 7
    response = client.post(base, data={"title": survey.title, "anonymous": "y"})
    assert response.status_code == 200
    assert "cannot be switched between anonymous and tracked" in response.get_data(as_text=True)
    client.post(f"{base}/delete")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1

    # Wording and the required flag may change.
    response = client.post(
        f"{base}/questions/{likert.id}",
        data={"text": "The meeting helped my work.", "kind": "likert"},
    )
    assert response.status_code == 302
    assert questions_of(db, survey.id)[0].text == "The meeting helped my work."


def test_survey_of_another_meeting_is_not_found(client, db, organiser_setup, login_as, make_survey):
    organiser, meeting = organiser_setup()
    _other_organiser, other = organiser_setup()
    survey = make_survey(other)
    question_id = questions_of(db, survey.id)[0].id
    login_as(organiser)
    assert client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}").status_code == 404
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/questions/{question_id}"
    assert client.get(url).status_code == 404
    assert client.get(f"/meetings/{meeting.slug}/surveys/bad%00key").status_code == 404


def test_staff_see_the_survey_but_cannot_change_it(
    client, make_user, organiser_setup, login_as, make_survey
):
    _organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(make_user("staff"))
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(base)
    assert page.status_code == 200
    assert "Add a question" not in page.get_data(as_text=True)
    assert client.post(f"{base}/questions", data={"text": "x", "kind": "text"}).status_code == 403
    assert client.get(f"{base}/results").status_code == 200


def test_deleting_a_meeting_deletes_its_surveys_and_answers(
    client, new_client, db, organiser_setup, login_as, make_survey, make_participant, invite_people
):
    from meetapp.models import SurveyAnswer, SurveyInvitation, SurveyResponse

    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    [token] = invite_people(survey, [make_participant(meeting, group_key="cso")])
    assert new_client().post(f"/s/{token}", data=good_answers()).status_code == 302
    login_as(organiser)
    assert client.post(f"/meetings/{meeting.slug}/delete").status_code == 302
    db.session.rollback()
    for model in (Survey, SurveyQuestion, SurveyInvitation, SurveyResponse, SurveyAnswer):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
