"""Guards of sending: the same message sent twice in a row goes once, and no personal link
goes into a subject (a sent e-mail's subject is kept and shown; its body loses its links)."""

from __future__ import annotations

from sqlalchemy import func, select

from meetapp.extensions import db
from meetapp.models import OrganiserMessage
from tests.messages.conftest import compose_data, send


def test_the_same_message_sent_twice_goes_once(setup, make_participant, mail_to, monkeypatch):
    mail_to(2525)
    queued: list[tuple] = []
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: queued.append(args))
    make_participant(setup.meeting, name="Sokha")
    first = send(setup.client, setup.compose_url, body_0="Your page: {link}")
    assert first.status_code == 302
    # A double click, or the browser sending the form again.
    again = setup.client.post(
        setup.compose_url, data=compose_data(send="Send", expected="1", body_0="Your page: {link}")
    )
    assert again.status_code == 302
    assert again.headers["Location"].endswith(setup.history_url)
    page = setup.client.get(setup.history_url).get_data(as_text=True)
    assert "This message went out moments ago to the same people" in page
    assert db.session.scalar(select(func.count()).select_from(OrganiserMessage)) == 1
    assert len(queued) == 1
    # Another message is another message.
    assert send(setup.client, setup.compose_url, body_0="Another text").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OrganiserMessage)) == 2


def test_a_link_in_the_subject_is_refused_beside_it(setup, make_participant, mail_to):
    mail_to(2525)
    make_participant(setup.meeting)
    for key in ("link", "survey_link"):
        response = setup.client.post(
            setup.compose_url, data=compose_data(subject_0=f"Your page {{{key}}}")
        )
        assert response.status_code == 422
        assert f"{{{key}}} goes in the body" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OrganiserMessage)) == 0


def test_a_survey_deleted_after_send_leaves_nobody_an_empty_link(
    setup, make_participant, make_message_survey, mail_to, monkeypatch
):
    from meetapp.messages import sending
    from meetapp.models import MessageRecipient, OutboxMessage, RecipientState, Survey

    mail_to(2525)
    monkeypatch.setattr("meetapp.messages.routes.enqueue", lambda *args, **kw: None)
    monkeypatch.setattr(sending, "send_later", lambda ids: None)
    survey = make_message_survey(setup.meeting)
    make_participant(setup.meeting, name="Sokha")
    response = send(
        setup.client, setup.compose_url, survey=str(survey.id), body_0="Answer: {survey_link}"
    )
    assert response.status_code == 302
    db.session.delete(db.session.get(Survey, survey.id))
    db.session.commit()
    [message] = db.session.scalars(select(OrganiserMessage)).all()
    sending.queue_organiser_message(message.id)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert set(db.session.scalars(select(MessageRecipient.state))) == {RecipientState.SKIPPED}
