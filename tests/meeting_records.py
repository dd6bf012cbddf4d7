"""One record of every kind a meeting's URLs name, for tests generated from the URL map, and
the world of two meetings that those tests request the URLs of."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from pypdf import PdfWriter
from sqlalchemy import select

from meetapp.database import utcnow
from meetapp.documents.services import file_key
from meetapp.models import (
    AgendaSession,
    Contact,
    FailedJob,
    MailIntro,
    MailTemplate,
    Meeting,
    MeetingImport,
    OutboxMessage,
    Outcome,
    Participant,
    PreparedDocument,
    PressReleaseOverride,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    User,
)
from meetapp.registration.questions import QuestionData as RegistrationQuestionData
from meetapp.registration.questions import save_question
from meetapp.registration.services import new_token
from meetapp.storage import storage
from meetapp.surveys.invitations import KIND_INVITATION
from meetapp.surveys.open_link import OpenLinkSettings, update_open_link
from meetapp.surveys.services import (
    QuestionData,
    SurveyData,
    add_question,
    create_survey,
    issue_token,
)


def add_one_of_each(
    db: Any, meeting: Meeting, participant: Participant, team_member: User
) -> tuple[dict[str, Any], Any]:
    """Adds a speaker, a session, a statement, a survey with a question and a free-text answer,
    a contact and an outcome to `meeting`, gives `participant` a personal link, records a
    failed job, a failed import of `team_member`'s, and a prepared sign-in sheet (ready) and
    survey results (failed).
    Returns the value of every URL argument (as `<name>` in the URL map) and the survey."""
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
    # A free-text answer (the participant's): the results page offers it for the published
    # results.
    comments = add_question(survey, QuestionData("Anything else?", "text"))
    response = SurveyResponse(survey_id=survey.id, participant_id=participant.id)
    db.session.add(response)
    db.session.flush()
    answer = SurveyAnswer(response_id=response.id, question_id=comments.id, text="Thanks")
    db.session.add(answer)
    # Its open link for the room is on (`/o/<open_key>`).
    update_open_link(survey, OpenLinkSettings(enabled=True))
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
    failed_job = FailedJob(name="outbox.deliver", args=[[]], error="SMTPException: refused")
    db.session.add(failed_job)
    meeting_import = MeetingImport(
        user_id=team_member.id,
        filename="big.json",
        size=3_000_000,
        status="failed",
        problems=["participants[3].email: not an email address"],
    )
    db.session.add(meeting_import)
    # A yes/no question: its radios get the forged values, and its editor's options box
    # (which the form matrix types over) is not read.
    asked = save_question(meeting, RegistrationQuestionData(kind="yes_no", label="Field visit"))
    archived = save_question(
        meeting, RegistrationQuestionData(kind="short_text", label="Old question")
    )
    archived.archived_at = utcnow()
    document = prepared_sign_in_sheet(db, meeting)
    # The survey's results PDF failed: its card offers to prepare it again.
    db.session.add(
        PreparedDocument(
            meeting_id=meeting.id,
            kind="survey-results",
            params={"survey": survey.key},
            status="failed",
            error="The document could not be made (RuntimeError).",
        )
    )
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
        "survey_id": survey.id,
        "open_key": survey.open_key,
        "question_id": question.id,
        "answer_id": answer.id,
        "reg_question_id": asked.id,
        "contact_id": contact.id,
        "outcome_id": outcome.id,
        "section": "headline",
        "job_id": failed_job.id,
        "import_id": meeting_import.id,
        # Prepare a summary; the prepared sign-in sheet is the document to read and remove.
        "kind": "summary",
        "document_id": document.id,
    }
    return values, survey


def prepared_sign_in_sheet(db: Any, meeting: Meeting) -> PreparedDocument:
    """A sign-in sheet of the meeting prepared by a job, ready, its file (one blank page) in
    the storage."""
    document = PreparedDocument(
        meeting_id=meeting.id,
        kind="sign-in-sheet",
        params={},
        status="ready",
        filename=f"{meeting.slug}-sign-in-sheet.pdf",
        mimetype="application/pdf",
        finished_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=24),
    )
    db.session.add(document)
    db.session.flush()
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(pdf)
    pdf.seek(0)
    document.file_key = file_key(document.id)
    document.size = storage().put(document.file_key, pdf)
    return document


def survey_token(db: Any, survey: Any, participant: Participant) -> str:
    """Invites `participant` to `survey`; returns the token of the survey link."""
    invitation = SurveyInvitation(survey_id=survey.id, participant_id=participant.id)
    db.session.add(invitation)
    db.session.flush()
    token = issue_token(invitation)
    db.session.commit()
    return token


def two_meetings(
    db: Any, make_user: Any, make_meeting: Any, make_participant: Any
) -> dict[str, Any]:
    """Meeting A of organiser A, and meeting B of organiser B with a participant and one record
    of each kind (`values` fills every URL argument with them); a member of staff."""
    organiser_a = make_user("organiser")
    organiser_b = make_user("organiser")
    staff = make_user("staff")
    meeting_a = make_meeting(organisers=[organiser_a])
    meeting_b = make_meeting(organisers=[organiser_b])
    participant_b = make_participant(meeting_b)
    values, survey = add_one_of_each(db, meeting_b, participant_b, organiser_b)
    return {
        "organiser_a": organiser_a,
        "organiser_b": organiser_b,
        "participant_b": participant_b,
        "participant_b_email": participant_b.email,
        "staff": staff,
        "meeting_a": meeting_a,
        "meeting_b": meeting_b,
        "survey_b": survey,
        "values": values,
    }


def every_form_world(
    db: Any, make_user: Any, make_meeting: Any, make_participant: Any
) -> dict[str, Any]:
    """`two_meetings`, with what makes every form of the app appear on some page of meeting B:
    a waitlisted participant (promote), a second language (translations), a second survey
    question (move), a rewritten section of the press release (reset), an e-mail's
    introduction (reset), an invitation whose e-mail waits in the outbox (retry), and a speaker
    in another meeting of organiser B (copy).
    Also an administrator; a survey link of meeting B's participant (`survey_token`); and
    meeting A with one record of each kind, whose ids (`values_a`) are another meeting's ids to
    forge."""
    world = two_meetings(db, make_user, make_meeting, make_participant)
    meeting_a, meeting_b = world["meeting_a"], world["meeting_b"]
    survey = world["survey_b"]
    world["admin"] = make_user("admin")
    world["values_a"], _ = add_one_of_each(
        db, meeting_a, make_participant(meeting_a), world["organiser_a"]
    )
    meeting_c = make_meeting(organisers=[world["organiser_b"]])
    db.session.add(Speaker(meeting_id=meeting_c.id, key="speaker-c", name="Speaker C"))
    make_participant(meeting_b, status="waitlisted")
    # A second language: the Translations page shows its form.
    meeting_b.languages = ["en", "km"]
    db.session.refresh(survey, ["questions"])
    add_question(survey, QuestionData("Would you come again?", "likert"))
    db.session.add(
        PressReleaseOverride(meeting_id=meeting_b.id, section="headline", text="Our headline")
    )
    # An introduction of an automatic e-mail: the E-mails page shows its reset.
    db.session.add(
        MailIntro(meeting_id=meeting_b.id, kind="survey_reminder", language="en", text="Hi {name}")
    )
    # An automatic e-mail written whole: the E-mails page shows its reset too.
    db.session.add(
        MailTemplate(
            meeting_id=meeting_b.id,
            kind="registration_confirmation",
            language="en",
            subject="Welcome to {meeting}",
            body="Dear {name}, your link: {link}",
        )
    )
    world["survey_token"] = survey_token(db, survey, world["participant_b"])
    # A survey whose open link asks for a code: its code page shows the code's form.
    coded = create_survey(meeting_b, SurveyData(title="Survey in the room"))
    update_open_link(coded, OpenLinkSettings(enabled=True, code="ROOM7"))
    world["coded_open_key"] = coded.open_key
    message = OutboxMessage(
        meeting_id=meeting_b.id,
        recipient=world["participant_b_email"],
        subject=survey.title,
        body="Your link",
        kind=KIND_INVITATION,
    )
    db.session.add(message)
    db.session.flush()
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
    )
    invitation.last_message_id = message.id
    db.session.commit()
    return world
