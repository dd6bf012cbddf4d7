"""Deliverers that overlap (requests, `send-mail`): a message being sent is left to its
deliverer, so it arrives once; one abandoned mid-send is sent again after the lease."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from meetapp.database import utcnow
from meetapp.extensions import db as _db
from meetapp.models import OutboxMessage
from meetapp.outbox.services import deliver_queued, queue_message
from tests.outbox.smtp import Inbox, free_port, start_smtp


@dataclass
class HoldingInbox(Inbox):
    """Holds the first message it receives at DATA until `release` is set (`arrived` tells
    when it is there), then accepts it, or answers `held_reply` instead when one is given.
    Every other message is taken at once, after `delay` seconds."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held_reply: str | None = None
    delay: float = 0.0
    holding: bool = True

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.holding:
            self.holding = False
            self.arrived.set()
            for _ in range(1000):  # ten seconds at most, so a failing test cannot hang
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
            if self.held_reply is not None:
                return self.held_reply
        elif self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def deliver_apart(app: Any) -> tuple[int, int]:
    """`deliver_queued()` as another request or process runs it: with an application context,
    and so a database session, of its own."""
    with app.app_context():
        try:
            return deliver_queued()
        finally:
            _db.session.remove()


def queue(db: Any, count: int) -> list[int]:
    ids = []
    for n in range(count):
        message = queue_message(f"p{n}@example.org", f"Message {n}", "Body", "test")
        assert message is not None
        ids.append(message.id)
    db.session.commit()
    return ids


def rows(db: Any) -> list[OutboxMessage]:
    db.session.expire_all()
    found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    db.session.commit()
    return found


def received(inbox: Inbox) -> list[str]:
    return sorted(recipient for envelope in inbox.recipients for recipient in envelope)


def test_a_deliverer_leaves_alone_the_message_another_is_sending(app, db, mail_to):
    inbox = HoldingInbox(port=free_port())
    controller, _ = start_smtp(inbox.port, inbox)
    try:
        mail_to(inbox.port)
        queue(db, 5)
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(deliver_apart, app)
            # The first deliverer is in the middle of sending message 0 ...
            assert inbox.arrived.wait(10)
            # ... when another one starts, and finishes, while it waits for the server.
            second = pool.submit(deliver_apart, app).result(timeout=30)
            inbox.release.set()
            assert first.result(timeout=30) == (1, 0)
        assert second == (4, 0)
    finally:
        controller.stop()
    assert received(inbox) == [f"p{n}@example.org" for n in range(5)]
    assert [(row.status, row.attempts) for row in rows(db)] == [("sent", 1)] * 5


def test_deliverers_running_at_once_send_each_message_once(app, db, mail_to):
    inbox = HoldingInbox(port=free_port(), delay=0.01, holding=False)
    controller, _ = start_smtp(inbox.port, inbox)
    try:
        mail_to(inbox.port)
        queue(db, 30)

        def staggered(n: int) -> tuple[int, int]:
            time.sleep(0.03 * n)  # each starts while the ones before are sending
            return deliver_apart(app)

        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(staggered, range(3)))
    finally:
        controller.stop()
    assert sum(sent for sent, _ in results) == 30
    assert all(failed == 0 for _, failed in results)
    assert received(inbox) == sorted(f"p{n}@example.org" for n in range(30))
    assert [(row.status, row.attempts) for row in rows(db)] == [("sent", 1)] * 30


def test_a_message_left_sending_past_the_lease_is_sent_again(
    app, db, runner, smtp_server, mail_to, monkeypatch
):
    mail_to(smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_SEND_LEASE", 60)
    abandoned, busy = queue(db, 2)
    now = utcnow()
    for message_id, claimed in ((abandoned, now - timedelta(seconds=61)), (busy, now)):
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status="sending", claimed_at=claimed, attempts=1)
        )
    db.session.commit()

    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["1 sent, 0 failed.", "1 being sent by another process."]
    assert smtp_server.recipients == [["p0@example.org"]]
    by_id = {row.id: row for row in rows(db)}
    assert (by_id[abandoned].status, by_id[abandoned].attempts) == ("sent", 2)
    assert by_id[abandoned].claimed_at > now
    assert (by_id[busy].status, by_id[busy].attempts) == ("sending", 1)
    assert by_id[busy].sent_at is None

    # Asking for it by id changes nothing while the claim holds.
    with app.app_context():
        assert deliver_queued([busy]) == (0, 0)
    assert len(smtp_server.messages) == 1


def test_the_late_outcome_of_a_lost_claim_does_not_overwrite_the_new_one(
    app, db, mail_to, monkeypatch
):
    # The first deliverer outlives its lease and is then refused by the server; the second,
    # which took the message over meanwhile, sent it: the message stays sent.
    inbox = HoldingInbox(port=free_port(), held_reply="451 Try again later")
    controller, _ = start_smtp(inbox.port, inbox)
    try:
        mail_to(inbox.port)
        monkeypatch.setitem(app.config, "MAIL_SEND_LEASE", 0)
        queue(db, 1)
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(deliver_apart, app)
            assert inbox.arrived.wait(10)
            assert pool.submit(deliver_apart, app).result(timeout=30) == (1, 0)
            inbox.release.set()
            assert first.result(timeout=30) == (0, 1)
    finally:
        controller.stop()
    assert received(inbox) == ["p0@example.org"]
    [row] = rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert row.sent_at is not None
