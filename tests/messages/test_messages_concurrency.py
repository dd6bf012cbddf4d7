"""Two runs of a message's job at once (a retry while the first still runs, two workers)
queue each recipient's e-mail once: each chunk takes the message's row for writing first."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meetapp.extensions import db
from meetapp.messages import sending
from meetapp.messages.services import RecipientFilter, Version, record_message
from meetapp.models import MessageRecipient, OrganiserMessage, OutboxMessage
from tests.concurrency import run_together

pytestmark = pytest.mark.slow


def test_two_runs_at_once_queue_each_recipient_once(
    app, setup, make_participant, mail_to, monkeypatch
):
    mail_to(2525)
    monkeypatch.setattr(sending, "send_later", lambda ids: None)
    monkeypatch.setattr(sending, "CHUNK", 7)
    for n in range(40):
        make_participant(setup.meeting, name=f"Person {n}")
    message = record_message(
        setup.meeting,
        setup.organiser,
        RecipientFilter(),
        [Version("en", "Hello {name}", "See you on {dates}."), Version("km", "", "")],
        attach_ics=False,
    )
    message_id = message.id
    db.session.commit()

    def run(_client, _i):
        with app.app_context():
            chunks = sending.queue_organiser_message(message_id)
            db.session.remove()
            return chunks

    chunks = run_together([None, None, None], run)
    assert sum(chunks) == 6  # 40 recipients in chunks of 7, shared among the runs
    db.session.expire_all()
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert len(recipients) == 40 == len(set(recipients))
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(MessageRecipient)
            .where(MessageRecipient.state == "queued")
        )
        == 40
    )
    done = db.session.get(OrganiserMessage, message_id)
    assert (done.queued, done.state) == (40, "done")
