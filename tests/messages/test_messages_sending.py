"""Sending a message: the request records it and its recipients at a fixed cost, a job queues
one e-mail per recipient in chunks (never twice), and each person gets their own links."""

from __future__ import annotations

import re
from email.message import EmailMessage

from sqlalchemy import func, insert, select, update

from meetapp.extensions import db
from meetapp.meetings.services import delete_meeting
from meetapp.messages import sending
from meetapp.models import (
    MessageRecipient,
    MessageState,
    OrganiserMessage,
    OutboxAttachment,
    OutboxMessage,
    Participant,
    RecipientState,
    SurveyInvitation,
)
from meetapp.tokens import hash_token
from tests.messages.conftest import compose_data, send

PERSONAL = re.compile(r"https?://[^\s\"<]+/r/([A-Za-z0-9_-]+)")
SURVEY = re.compile(r"https?://[^\s\"<]+/s/([A-Za-z0-9_-]+)")


def _add_people(meeting, count, start=0):
    db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": meeting.id,
                "name": f"Person {n:05d}",
                "email": f"p{n}@example.org",
                "email_normalized": f"p{n}@example.org",
                "status": "registered",
                "languages": ["en"],
            }
            for n in range(start, start + count)
        ],
    )
    db.session.commit()


def _send(setup, **changes):
    return send(setup.client, setup.compose_url, **changes)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_sending_records_the_message_and_enqueues_one_job_at_a_fixed_cost(
    setup, make_meeting, make_user, login_as, mail_to, monkeypatch, count_queries
):
    mail_to(2525)
    enqueued = []
    monkeypatch.setattr(
        "meetapp.messages.routes.enqueue", lambda *args, **kw: enqueued.append(args)
    )
    small = setup
    _add_people(small.meeting, 5)
    url = small.compose_url
    with count_queries() as few:
        response = small.client.post(url, data=compose_data(send="Send", expected="5"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/messages")

    big_meeting = make_meeting(organisers=[small.organiser], languages=["en", "km"])
    _add_people(big_meeting, 5000, start=100)
    url = f"/meetings/{big_meeting.slug}/messages/new"
    with count_queries() as many:
        response = small.client.post(url, data=compose_data(send="Send", expected="5000"))
    assert response.status_code == 302
    assert many.count == few.count

    messages = db.session.scalars(select(OrganiserMessage).order_by(OrganiserMessage.id)).all()
    assert [m.total for m in messages] == [5, 5000]
    assert [m.author_id for m in messages] == [small.organiser.id] * 2
    assert messages[1].versions[0]["subject"] == "News about {meeting}"
    assert messages[1].filters["statuses"] == ["registered"]
    assert enqueued == [(sending.QUEUE_JOB, messages[0].id), (sending.QUEUE_JOB, messages[1].id)]
    assert _count(OutboxMessage) == 0  # the job queues the e-mails, not the request

    # The job: one e-mail per recipient, in chunks, never twice.
    monkeypatch.setattr(sending, "send_later", lambda ids: None)
    big = messages[1]
    assert sending.queue_chunk(big.id)  # a first chunk, then the job "dies"
    db.session.expire_all()
    assert db.session.get(OrganiserMessage, big.id).queued == sending.CHUNK
    page = small.client.get(f"/meetings/{big_meeting.slug}/messages").get_data(as_text=True)
    assert "500 of 5,000 queued" in page
    assert '<meta http-equiv="refresh" content="3">' in page

    assert sending.queue_organiser_message(big.id) == 9  # the rest
    assert sending.queue_organiser_message(big.id) == 0  # run again: nothing more
    db.session.execute(
        update(OrganiserMessage).where(OrganiserMessage.id == big.id).values(state="queuing")
    )
    db.session.commit()
    assert sending.queue_organiser_message(big.id) == 0  # even when marked unfinished
    db.session.expire_all()
    big = db.session.get(OrganiserMessage, big.id)
    assert (big.state, big.queued, big.skipped) == (MessageState.DONE, 5000, 0)
    outbox = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.meeting_id == big_meeting.id)
    ).all()
    assert len(outbox) == 5000 == len(set(outbox))
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(MessageRecipient)
            .where(MessageRecipient.message_id == big.id, MessageRecipient.state == "queued")
        )
        == 5000
    )
    kinds = set(db.session.scalars(select(OutboxMessage.kind)).all())
    assert kinds == {"organiser_message"}

    page = small.client.get(f"/meetings/{big_meeting.slug}/messages").get_data(as_text=True)
    assert "News about {meeting}" in page
    assert "Dara Organiser" in page
    assert "5,000" in page
    assert "queued</div>" not in page


def test_nobody_chosen_sends_nothing(setup, mail_to, make_participant):
    mail_to(2525)
    make_participant(setup.meeting, status="waitlisted")
    response = _send(setup)
    assert response.status_code == 422
    assert "Nobody matches these filters: nothing was sent." in response.get_data(as_text=True)
    assert _count(OrganiserMessage) == 0


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def test_each_person_gets_their_own_link_through_the_mail_server(
    setup, make_participant, smtp_server, mail_to, new_client
):
    mail_to(smtp_server.port)
    sokha = make_participant(
        setup.meeting, name="Sokha", email="sokha@example.org", languages=["km"]
    )
    anne = make_participant(setup.meeting, name="Anne", email="anne@example.org", languages=["en"])
    make_participant(setup.meeting, name="Gone", status="cancelled")
    response = _send(
        setup,
        subject_0="Your link for {meeting}",
        body_0="Dear {name}, your page: {link}",
        subject_1="តំណរបស់អ្នក {meeting}",
        body_1="ជម្រាបសួរ {name} {link}",
        attach_ics="y",
    )
    assert response.status_code == 302
    page = setup.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The message to 2 people is being queued" in page

    assert sorted(r[0] for r in smtp_server.recipients) == ["anne@example.org", "sokha@example.org"]
    by_address = {
        r[0]: m for r, m in zip(smtp_server.recipients, smtp_server.messages, strict=True)
    }
    english, khmer = by_address["anne@example.org"], by_address["sokha@example.org"]
    assert english["Subject"] == "Your link for Labour Migration Meeting"
    assert khmer["Subject"] == "តំណរបស់អ្នក Labour Migration Meeting"
    assert _body(english).startswith("Dear Anne, your page: ")
    assert _body(khmer).startswith("ជម្រាបសួរ Sokha ")
    [anne_token] = PERSONAL.findall(_body(english))
    [sokha_token] = PERSONAL.findall(_body(khmer))
    assert anne_token != sokha_token
    db.session.expire_all()
    assert db.session.get(Participant, anne.id).token_hash == hash_token(anne_token)
    assert db.session.get(Participant, sokha.id).token_hash == hash_token(sokha_token)
    visitor = new_client()
    assert "anne@example.org" in visitor.get(f"/r/{anne_token}").get_data(as_text=True)

    # The calendar file is attached, stored once for both.
    [calendar] = [part for part in english.iter_attachments()]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == f"{setup.meeting.slug}.ics"
    assert b"BEGIN:VCALENDAR" in calendar.get_content().encode()
    assert _count(OutboxAttachment) == 1

    # Sent, the stored copies keep no working link; the history counts them.
    for body in db.session.scalars(select(OutboxMessage.body)):
        assert anne_token not in body
        assert sokha_token not in body
    page = setup.client.get(setup.history_url).get_data(as_text=True)
    assert "Your link for {meeting}" in page
    assert '<meta http-equiv="refresh"' not in page
    assert re.search(r'<td class="text-end">2</td>\s*<td class="text-end">2</td>', page)


def test_survey_links_come_from_the_surveys_invitations(
    setup, make_participant, make_message_survey, smtp_server, mail_to, new_client
):
    mail_to(smtp_server.port)
    survey = make_message_survey(setup.meeting)
    dara = make_participant(setup.meeting, name="Dara", email="dara@example.org")
    response = _send(
        setup,
        survey=str(survey.id),
        answered="not_answered",
        subject_0="Tell us: {meeting}",
        body_0="Dear {name}, answer here: {survey_link}",
    )
    assert response.status_code == 302
    [message] = smtp_server.messages
    [token] = SURVEY.findall(_body(message))
    [invitation] = db.session.scalars(select(SurveyInvitation)).all()
    assert invitation.participant_id == dara.id
    assert invitation.last_message_id is not None
    page = new_client().get(f"/s/{token}")
    assert page.status_code == 200
    assert "After the meeting" in page.get_data(as_text=True)


def test_someone_cancelled_before_the_job_runs_is_passed_over(
    setup, make_participant, mail_to, monkeypatch
):
    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    monkeypatch.setattr(sending, "send_later", lambda ids: None)
    stays = make_participant(setup.meeting, name="Stays")
    leaves = make_participant(setup.meeting, name="Leaves")
    assert _send(setup, body_0="Your page: {link}").status_code == 302
    leaves = db.session.get(Participant, leaves.id)
    leaves.status = "cancelled"
    db.session.commit()
    [message] = db.session.scalars(select(OrganiserMessage)).all()
    sending.queue_organiser_message(message.id)
    db.session.expire_all()
    message = db.session.get(OrganiserMessage, message.id)
    assert (message.queued, message.skipped, message.state) == (1, 1, "done")
    states = dict(
        db.session.execute(select(MessageRecipient.participant_id, MessageRecipient.state)).all()
    )
    assert states == {stays.id: RecipientState.QUEUED, leaves.id: RecipientState.SKIPPED}


def test_the_history_says_whom_each_message_went_to_at_a_fixed_cost(
    setup, make_participant, make_message_survey, mail_to, monkeypatch, count_queries
):
    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    survey = make_message_survey(setup.meeting)
    for n in range(3):
        make_participant(setup.meeting, languages=["km"], attended=True, name=f"P{n}")
    assert _send(setup).status_code == 302
    url = setup.history_url
    setup.client.get(url)
    with count_queries() as one:
        setup.client.get(url)
    assert (
        _send(
            setup, language="km", attended="yes", survey=str(survey.id), answered="not_answered"
        ).status_code
        == 302
    )
    assert _send(setup, subject_0="Third").status_code == 302
    with count_queries() as three:
        page = setup.client.get(url).get_data(as_text=True)
    assert three.count == one.count
    assert "To: registered</div>" in page
    assert "<strong>English:</strong> Third" in page
    assert "Dear {name},\n\nSee you in {venue} on {dates}." in page
    assert "To: registered · attended · speaks km · not answered “After the meeting”" in page
    assert page.count("0 of 3 queued") == 3


def test_send_goes_only_to_as_many_people_as_the_page_showed(
    setup, make_participant, mail_to, monkeypatch
):
    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    for _ in range(3):
        make_participant(setup.meeting)
    page = setup.client.get(setup.compose_url).get_data(as_text=True)
    assert 'value="Send to 3 people"' in page
    make_participant(setup.meeting)  # registered meanwhile
    response = setup.client.post(setup.compose_url, data=compose_data(send="Send", expected="3"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "These filters now choose 4 people: check the preview, then send." in page
    assert 'value="Send to 4 people"' in page
    assert 'id="message-preview"' in page
    assert _count(OrganiserMessage) == 0
    response = setup.client.post(setup.compose_url, data=compose_data(send="Send", expected="4"))
    assert response.status_code == 302
    assert _count(OrganiserMessage) == 1


def test_a_meeting_goes_with_its_messages(setup, make_participant, mail_to, monkeypatch):
    mail_to(2525)
    monkeypatch.setattr(sending, "send_later", lambda ids: None)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    make_participant(setup.meeting)
    assert _send(setup, attach_ics="y").status_code == 302
    [message] = db.session.scalars(select(OrganiserMessage)).all()
    sending.queue_organiser_message(message.id)
    assert (_count(OutboxMessage), _count(OutboxAttachment)) == (1, 1)
    meeting = db.session.get(type(setup.meeting), setup.meeting.id)
    delete_meeting(meeting)
    db.session.commit()
    for model in (OrganiserMessage, MessageRecipient, OutboxMessage, OutboxAttachment):
        assert _count(model) == 0, model
