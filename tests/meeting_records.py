"""One record of every kind a meeting's URLs name, for tests generated from the URL map."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import (
    AgendaSession,
    Contact,
    Meeting,
    Outcome,
    Participant,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
    User,
)
from meetapp.registration.services import new_token
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey


def add_one_of_each(
    db: Any, meeting: Meeting, participant: Participant, team_member: User
) -> tuple[dict[str, Any], Any]:
    """Adds a speaker, a session, a statement, a survey with a question, a contact and an
    outcome to `meeting`, and gives `participant` a personal link. Returns the value of every
    URL argument (as `<name>` in the URL map) and the survey."""
    token, participant.token_hash = new_token()
    contact = Contact(meeting_id=meeting.id, name="Press Office", position=0, languages=[])
    outcome = Outcome(meeting_id=meeting.id, kind="finding", text="A finding", position=0)
    db.session.add_all([contact, outcome])
    db.session.commit()
    group = db.session.scalar(
        select(StakeholderGroup).where(StakeholderGroup.meeting_id == meeting.id)
    )
    survey = create_survey(meeting, SurveyData(title="Survey"))
    question = add_question(survey, QuestionData("Useful?", "likert"))
    speaker = Speaker(meeting_id=meeting.id, key="speaker-a", name="Speaker A")
    # The session shares the survey's key, so one value fills <key> for both kinds of URL.
    session = AgendaSession(
        meeting_id=meeting.id,
        key=survey.key,
        title="Session A",
        kind="panel",
        starts_at=meeting.starts_at,
    )
    db.session.add_all([speaker, session])
    db.session.flush()
    db.session.add(SessionSpeaker(session_id=session.id, speaker_id=speaker.id))
    statement = Statement(
        meeting_id=meeting.id,
        session_id=session.id,
        speaker_id=speaker.id,
        kind="point",
        text="said something",
    )
    db.session.add(statement)
    db.session.commit()
    values = {
        "slug": meeting.slug,
        "participant_id": participant.id,
        "group_id": group.id if group else 0,
        "user_id": team_member.id,
        "org_id": meeting.organisation_id,
        "token": token,
        "speaker_id": speaker.id,
        "session_id": session.id,
        "statement_id": statement.id,
        "key": survey.key,
        "question_id": question.id,
        "contact_id": contact.id,
        "outcome_id": outcome.id,
        "section": "headline",
    }
    return values, survey
