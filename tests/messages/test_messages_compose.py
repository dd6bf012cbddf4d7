"""Composing a message: the filters choose the right people, placeholders are checked beside
their field, and the preview shows what one recipient will read."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from meetapp.extensions import db
from meetapp.messages.services import RecipientFilter, count_recipients, recipients
from meetapp.models import (
    MessageRecipient,
    OrganiserMessage,
    StakeholderGroup,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyResponse,
)
from tests.messages.conftest import compose_data


def _ids(setup, filters):
    return {p.name for p in recipients(setup.meeting, filters, 100)}


def test_khmer_speakers_registered_who_have_not_answered_the_survey(
    setup, make_participant, make_message_survey
):
    survey = make_message_survey(setup.meeting)
    other = make_message_survey(setup.meeting, key="other", title="Another survey")
    m = setup.meeting
    chosen = make_participant(m, name="Khmer, not answered", languages=["km"])
    make_participant(m, name="Two languages, invited only", languages=["en", "km"])
    answered = make_participant(m, name="Khmer, answered", languages=["km"])
    used = make_participant(m, name="Regional Khmer, answered by link", languages=["km-KH"])
    make_participant(m, name="English only", languages=["en"])
    make_participant(m, name="Khmer, waiting", languages=["km"], status="waitlisted")
    make_participant(m, name="Khmer, cancelled", languages=["km"], status="cancelled")
    db.session.add(SurveyResponse(survey_id=survey.id, participant_id=answered.id, published=True))
    db.session.add(SurveyResponse(survey_id=other.id, participant_id=chosen.id, published=True))
    invitation = SurveyInvitation(survey_id=survey.id, participant_id=used.id)
    db.session.add(invitation)
    db.session.flush()
    db.session.add(SurveyInvitationUse(invitation_id=invitation.id))
    db.session.commit()

    filters = RecipientFilter(
        statuses=["registered"], language="km", survey_id=survey.id, answered=False
    )
    assert _ids(setup, filters) == {"Khmer, not answered", "Two languages, invited only"}
    assert count_recipients(m, filters) == 2

    filters.answered = True
    assert _ids(setup, filters) == {"Khmer, answered", "Regional Khmer, answered by link"}
    filters = RecipientFilter(statuses=["waitlisted", "cancelled"], language="km")
    assert _ids(setup, filters) == {"Khmer, waiting", "Khmer, cancelled"}

    # The page says the same.
    response = setup.client.post(
        setup.compose_url,
        data=compose_data(language="km", survey=str(survey.id), answered="not_answered"),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>2</strong> people chosen" in page
    assert 'value="' + str(chosen.id) + '"' in page


def test_group_and_attendance_filters(setup, make_participant):
    m = setup.meeting
    make_participant(m, name="Came, government", group_key="government", attended=True)
    make_participant(m, name="Absent, government", group_key="government")
    make_participant(m, name="Came, civil society", group_key="cso", attended=True)
    government = db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == m.id, StakeholderGroup.key == "government"
        )
    )
    assert _ids(setup, RecipientFilter(group_id=government, attended=True)) == {"Came, government"}
    assert _ids(setup, RecipientFilter(attended=False)) == {"Absent, government"}
    response = setup.client.post(
        setup.compose_url, data=compose_data(group=str(government), attended="yes")
    )
    assert "<strong>1</strong> person chosen" in response.get_data(as_text=True)


def test_another_meetings_group_or_survey_is_refused(
    setup, make_meeting, make_participant, make_message_survey
):
    other = make_meeting()
    their_group = other.stakeholder_groups[0].id
    their_survey = make_message_survey(other)
    make_participant(setup.meeting)
    for data, message in (
        ({"group": str(their_group)}, "Choose one of the meeting&#39;s stakeholder groups."),
        ({"survey": str(their_survey.id)}, "Choose one of the meeting&#39;s surveys."),
        ({"answered": "answered"}, "Choose the survey under Survey."),
        ({"statuses": []}, "Tick at least one status."),
        ({"language": "zz-nope"}, "Choose a language from the list."),
    ):
        response = setup.client.post(setup.compose_url, data=compose_data(**data))
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data


def test_placeholders_are_checked_beside_their_field(setup, make_participant, mail_to):
    mail_to(2525)
    make_participant(setup.meeting)
    response = setup.client.post(
        setup.compose_url,
        data=compose_data(subject_0="Hello {nmae}", body_0="See {survey_link} {x.y}", send="Send"),
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Unknown placeholder: {nmae}. Use only {name}, {link}" in page
    assert "{survey_link} needs a survey: choose one under Survey." in page
    # A half-written language version is refused; an empty one is fine.
    response = setup.client.post(
        setup.compose_url, data=compose_data(subject_1="Khmer subject only")
    )
    assert response.status_code == 422
    assert "Write the body too, or leave this language empty" in response.get_data(as_text=True)
    # Personal links cannot go to cancelled registrations.
    response = setup.client.post(
        setup.compose_url,
        data=compose_data(statuses=["registered", "cancelled"], body_0="Your page: {link}"),
    )
    assert response.status_code == 422
    assert "{link} cannot go to cancelled registrations" in html.unescape(
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(OrganiserMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(MessageRecipient)) == 0


def test_the_preview_shows_what_the_chosen_person_reads(setup, make_participant):
    make_participant(setup.meeting, name="Anne <b>Bold</b>", languages=["en"])
    khmer = make_participant(setup.meeting, name="Sokha", languages=["km"])
    data = compose_data(
        subject_0="News about {meeting}",
        body_0="Dear {name}, your link: {link}",
        subject_1="ព័ត៌មាន {meeting}",
        body_1="ជម្រាបសួរ {name}",
    )
    response = setup.client.post(setup.compose_url, data=data)
    page = response.get_data(as_text=True)
    # The first by name, escaped.
    assert "As Anne &lt;b&gt;Bold&lt;/b&gt; will read it" in page
    assert "Dear Anne &lt;b&gt;Bold&lt;/b&gt;, your link: [a new personal link" in page
    assert "<b>Bold</b>" not in page
    assert "A message with <code>{link}</code> makes each recipient a new personal link" in page

    response = setup.client.post(setup.compose_url, data={**data, "preview_for": str(khmer.id)})
    page = response.get_data(as_text=True)
    assert "ព័ត៌មាន Labour Migration Meeting" in page
    assert "ជម្រាបសួរ Sokha" in page

    # Without a Khmer version, Sokha reads the English one.
    data.update(subject_1="", body_1="", preview_for=str(khmer.id))
    page = setup.client.post(setup.compose_url, data=data).get_data(as_text=True)
    assert "Dear Sokha, your link:" in page


def test_the_preview_fills_the_meeting_placeholders(setup, make_participant):
    make_participant(setup.meeting, name="Dara")
    page = setup.client.post(setup.compose_url, data=compose_data()).get_data(as_text=True)
    assert "News about Labour Migration Meeting" in page
    assert "See you in Sokha Hotel, Phnom Penh, Cambodia on" in page
    assert f"/m/{setup.meeting.slug}/agenda" in page
    assert "<a " not in page.split('id="message-preview"')[1].split("</section>")[0]


def test_without_mail_nothing_is_sent(setup, make_participant):
    make_participant(setup.meeting)
    page = setup.client.get(setup.compose_url).get_data(as_text=True)
    assert "E-mail is not configured on this server" in page
    assert 'name="send"' not in page
    response = setup.client.post(setup.compose_url, data=compose_data(send="Send"))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OrganiserMessage)) == 0


def test_the_preview_says_which_placeholders_are_empty(setup, make_participant, db):
    make_participant(setup.meeting, name="Dara")
    setup.meeting.venue = None
    setup.meeting.city = None
    setup.meeting.country = None
    db.session.commit()
    page = setup.client.post(setup.compose_url, data=compose_data()).get_data(as_text=True)
    assert "See you in  on" in page
    assert "Empty for this meeting or person: {venue}." in page


def test_the_filter_by_a_registration_answer(setup, make_meeting, make_participant):
    from meetapp.models.questions import RegistrationAnswer
    from meetapp.registration.questions import OptionLine, QuestionData, save_question

    m = setup.meeting
    visit = save_question(
        m,
        QuestionData(
            kind="single_choice",
            label="Field visit",
            options=[OptionLine("Port"), OptionLine("Farm")],
        ),
    )
    theirs = save_question(make_meeting(), QuestionData(kind="yes_no", label="Elsewhere"))
    db.session.commit()
    port = make_participant(m, name="Port")
    farm = make_participant(m, name="Farm")
    make_participant(m, name="Did not answer")
    for person, key in ((port, "port"), (farm, "farm")):
        db.session.add(
            RegistrationAnswer(participant_id=person.id, question_id=visit.id, option_key=key)
        )
    db.session.commit()

    assert _ids(setup, RecipientFilter(question_id=visit.id, option_key="port")) == {"Port"}
    assert _ids(setup, RecipientFilter(question_id=visit.id, option_key="*")) == {"Port", "Farm"}
    response = setup.client.post(setup.compose_url, data=compose_data(answer=f"{visit.id}:farm"))
    page = response.get_data(as_text=True)
    assert "<strong>1</strong> person chosen" in page
    assert "Field visit: Farm" in page
    for value in (f"{theirs.id}:yes", f"{visit.id}:moon", "nonsense"):
        response = setup.client.post(setup.compose_url, data=compose_data(answer=value))
        assert response.status_code == 422, value
        assert "Choose a question and answer from the list." in response.get_data(as_text=True)


def test_the_history_names_the_answer_a_message_went_to():
    from meetapp.messages.services import describe_filters

    filters = {"statuses": ["registered"], "question_id": 4, "option_key": "farm"}
    assert describe_filters(filters, {}, {}, {"4:farm": "Field visit: Farm"}) == (
        "registered · Field visit: Farm"
    )
    assert describe_filters(filters, {}, {}, {}) == (
        "registered · an answer to a question since removed"
    )
