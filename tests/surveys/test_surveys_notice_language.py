"""The notices of a survey link (closed, answered elsewhere) name the meeting and the survey in
the page's language when the organisers translated them."""

from __future__ import annotations

from datetime import timedelta


def test_a_closed_survey_is_named_in_the_participants_language(
    client, db, make_meeting, make_participant, make_survey, invite_people
):
    meeting = make_meeting(title="Dialogue on Migration", languages=["en", "km"])
    meeting.translations = {"km": {"title": "កិច្ចសន្ទនាស្តីពីចំណាកស្រុក"}}
    survey = make_survey(meeting, closes_in=timedelta(minutes=-5))
    survey.translations = {"km": {"title": "ការស្ទង់មតិ"}}
    db.session.commit()
    person = make_participant(meeting, languages=["km"])
    [token] = invite_people(survey, [person])
    page = client.get(f"/s/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "កិច្ចសន្ទនាស្តីពីចំណាកស្រុក" in page
    assert "ការស្ទង់មតិ" in page
    assert "Dialogue on Migration" not in page
    english = client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert "Dialogue on Migration" in english
