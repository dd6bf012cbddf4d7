"""The outbox: every e-mail is recorded as a row first, then sent over SMTP with Flask-Mail.

Queueing happens inside the caller's transaction, so a message exists exactly when the change
it reports was committed. Delivery runs after that commit, as a background job (`send_later`,
see `meetapp.jobs`), so no request waits on the mail server; `flask --app meetapp send-mail`
retries what failed. Delivery commits each message's status on its own, so an SMTP failure
never undoes the change and never loses the message: it stays 'failed', with the error, until
a later delivery sends it.

Several deliverers may run at once (requests, the command), so a message is claimed before it
is sent: one UPDATE moves it to 'sending' with the time of the claim (`claimed_at`) and bumps
`attempts` from the value that was read. Only 'queued' and 'failed' messages (and abandoned
ones, below) can be claimed, so no other deliverer sends a message while its SMTP exchange is
under way; that exchange runs outside any database transaction, so a writer is never blocked
by a slow mail server. The outcome ('sent' or 'failed') is recorded only while the claim is
still the deliverer's own (same `attempts`).

A deliverer that dies mid-send leaves its message 'sending'. A claim older than the lease
(MAIL_SEND_LEASE seconds) is therefore taken to be abandoned and the message can be claimed
again. The lease must be longer than one SMTP exchange (a few MAIL_TIMEOUTs) plus the clock
difference between the app's servers (claims are timed by the clock of the deliverer); if a
deliverer outlives it anyway, the message may be sent twice. Delivery is at least once.

A message that has become wrong before it was sent (it carries a personal link that has since
been replaced) is withdrawn: deleted while it is still claimable, so that a retry cannot
deliver it; one being sent at that moment is left to its deliverer.

A message carrying a personal link holds the link only until it is sent: recording 'sent'
also removes the links from the stored body (`meetapp.tokens.without_personal_links`), so that
the outbox never keeps a working link to someone's registration or survey answers.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from meetapp.database import begin_write, utcnow
from meetapp.extensions import db, mail
from meetapp.jobs import QueueUnavailable, enqueue, task
from meetapp.models import OutboxAttachment, OutboxMessage
from meetapp.tokens import without_personal_links

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"

_SUBJECT_MAX = 300
_ERROR_MAX = 2000


def mail_configured() -> bool:
    """True when an SMTP server is configured (MAIL_SERVER); without one nothing is queued."""
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_message(
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    meeting_id: int | None = None,
    attachment_id: int | None = None,
) -> OutboxMessage | None:
    """Record a message to send; None (and nothing recorded) when mail is not configured.

    `attachment_id`: an `OutboxAttachment` sent with it (see `add_attachment`).
    Flushes, never commits: the message is committed with the change it reports.
    """
    if not mail_configured():
        return None
    # A header may not span lines; titles come from people, so fold any line break.
    subject = " ".join(subject.split())[:_SUBJECT_MAX]
    message = OutboxMessage(
        recipient=recipient.strip(),
        subject=subject,
        body=body,
        kind=kind,
        meeting_id=meeting_id,
        status=QUEUED,
        attempts=0,
        attachment_id=attachment_id,
    )
    db.session.add(message)
    db.session.flush()
    return message


def add_attachment(
    filename: str, content_type: str, data: bytes, meeting_id: int | None = None
) -> OutboxAttachment:
    """Store a file to attach to messages: once, however many messages carry it.
    Flushes, never commits."""
    attachment = OutboxAttachment(
        filename=filename, content_type=content_type, data=data, meeting_id=meeting_id
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def withdraw(ids: Iterable[int]) -> int:
    """Delete the messages among `ids` that no deliverer has (queued, failed, or abandoned
    mid-send), so that they are never sent; returns how many. A message being sent now is
    left alone. Flushes, never commits: the withdrawal is committed with its reason."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(wanted), claimable())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def send_later(ids: Iterable[int]) -> None:
    """After the commit that queued the messages `ids`: have a job send them, so that the
    request does not wait on the mail server."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    try:
        enqueue(DELIVER_JOB, wanted)
    except QueueUnavailable:
        # The messages are committed: the periodic retry sends them once the queue is back.
        current_app.logger.exception("outbox: messages %s wait for the periodic retry", wanted)


DELIVER_JOB = "outbox.deliver"
# A failed message is tried again after 1, 2, 4 ... minutes, at most an hour apart, and no more
# by itself after this many attempts (about four hours of trying); a retry asked for by an
# organiser, or `flask --app meetapp send-mail`, still sends it.
RETRY_ATTEMPTS = 10
_RETRY_BATCH = 500


@task(DELIVER_JOB)
def _deliver_job(ids: list[int] | None) -> None:
    deliver_queued(ids)


def retry_delay(attempts: int) -> timedelta:
    """How long a message that failed `attempts` times waits before the next attempt.

    >>> [int(retry_delay(n).total_seconds() // 60) for n in (1, 2, 3, 7, 9)]
    [1, 2, 4, 60, 60]
    """
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def due_for_retry(now: datetime | None = None) -> list[int]:
    """The messages a periodic retry sends now, oldest first: failed ones whose wait since
    their last attempt (`retry_delay`) is over, abandoned ones (see `claimable`), and queued
    ones older than the lease, whose delivery job was lost (a web process that died before it
    ran it, a queue that was emptied)."""
    now = now or utcnow()
    cutoff = _lease_cutoff(now)
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
            OutboxMessage.claimed_at,
        )
        .where(claimable(now), OutboxMessage.attempts < RETRY_ATTEMPTS)
        .order_by(OutboxMessage.id)
    )
    due = []
    for row in rows:
        if row.status == QUEUED:
            waited = row.created_at < cutoff
        elif row.status == FAILED:
            waited = row.claimed_at is None or row.claimed_at + retry_delay(row.attempts) <= now
        else:  # abandoned mid-send: `claimable` has checked its lease
            waited = True
        if waited:
            due.append(row.id)
    db.session.commit()
    return due


@task("outbox.retry", every=60)
def _retry_job() -> None:
    """Every minute (with a worker): send what `due_for_retry` finds, in batches."""
    if not mail_configured():
        return
    due = due_for_retry()
    for start in range(0, len(due), _RETRY_BATCH):
        deliver_queued(due[start : start + _RETRY_BATCH])


class _TimedConnection(Connection):
    """A Flask-Mail connection whose socket gives up after MAIL_TIMEOUT seconds.

    Without a timeout a mail server that accepts the connection and then stalls would hold
    the request (or the send-mail command) forever.
    """

    def __init__(self, state: object, timeout: float) -> None:
        super().__init__(state)  # type: ignore[arg-type]
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        settings = self.mail
        host: smtplib.SMTP
        if settings.use_ssl:
            host = smtplib.SMTP_SSL(settings.server, settings.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(settings.server, settings.port, timeout=self.timeout)
        host.set_debuglevel(int(settings.debug))
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host


def _connection() -> _TimedConnection:
    # Built from the current configuration on each delivery, not from the settings Flask-Mail
    # captured when the app was created, so a changed MAIL_* setting takes effect.
    config = current_app.config
    state = mail.init_mail(config, current_app.debug, current_app.testing)
    return _TimedConnection(state, float(config.get("MAIL_TIMEOUT") or 10))


def send_lease() -> timedelta:
    """How long a claim keeps other deliverers off a message (MAIL_SEND_LEASE seconds)."""
    return timedelta(seconds=float(current_app.config.get("MAIL_SEND_LEASE", 300)))


def _lease_cutoff(now: datetime | None = None) -> datetime:
    """Claims made before this are past their lease."""
    return (now or utcnow()) - send_lease()


def claimable(now: datetime | None = None) -> ColumnElement[bool]:
    """The messages a deliverer may claim: queued, failed, or 'sending' under a claim older
    than the lease (its deliverer is taken to have died). A message whose claim is still
    running is left alone, so it is not sent twice."""
    cutoff = _lease_cutoff(now)
    return or_(
        OutboxMessage.status.in_((QUEUED, FAILED)),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < cutoff),
    )


def sending_elsewhere() -> int:
    """How many messages are being sent right now under a claim within its lease."""
    cutoff = _lease_cutoff()
    count = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at >= cutoff)
    )
    return int(count or 0)


def _claim(message_id: int, seen_attempts: int) -> bool:
    """Take the message for sending; False when another deliverer has it (or had it since
    `seen_attempts` was read)."""
    begin_write(db.session())
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.attempts == seen_attempts,
            claimable(now),
        )
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def _record(message_id: int, claim: int, error: str | None, subject: str, body: str) -> None:
    """Record the outcome of the send made under `claim` (the attempts it set); once sent, the
    stored `subject` and `body` lose their personal links (forms keep links out of subjects;
    this is the rule for every kind of message).

    When the claim was lost (the lease ran out and another deliverer claimed the message),
    that deliverer records the outcome instead, so a late failure here cannot mark as failed
    a message the other one sent.
    """
    begin_write(db.session())
    values: dict[str, object]
    if error is None:
        values = {
            "status": SENT,
            "sent_at": utcnow(),
            "last_error": None,
            "subject": without_personal_links(subject)[:_SUBJECT_MAX],
            "body": without_personal_links(body),
        }
    else:
        values = {"status": FAILED, "last_error": error[:_ERROR_MAX]}
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == SENDING,
            OutboxMessage.attempts == claim,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if getattr(result, "rowcount", 0) != 1:
        current_app.logger.warning(
            "outbox message %s: outcome (%s) not recorded, the claim was lost during the SMTP "
            "exchange (the lease ran out and another deliverer took the message, or it was "
            "deleted); MAIL_SEND_LEASE may be too short",
            message_id,
            "sent" if error is None else error[:200],
        )


def deliver_queued(ids: Iterable[int] | None = None, limit: int | None = None) -> tuple[int, int]:
    """Send the claimable messages (only `ids`, when given; oldest first); (sent, failed).

    Claimable: queued, failed, or left 'sending' by a deliverer whose lease ran out (see
    `claimable`); a message another deliverer is sending now is skipped and counted in
    neither. Commits: call it after the caller's own commit. SMTP and connection errors are
    recorded on the message (status 'failed', `last_error`), never raised. Does nothing when
    mail is not configured.
    """
    if not mail_configured():
        return 0, 0
    query = (
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(claimable())
        .order_by(OutboxMessage.id)
    )
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return 0, 0
        query = query.where(OutboxMessage.id.in_(wanted))
    if limit is not None:
        query = query.limit(limit)
    candidates = [(row.id, row.attempts) for row in db.session.execute(query)]
    db.session.commit()

    sent = failed = 0
    connection: _TimedConnection | None = None
    try:
        for message_id, attempts in candidates:
            if not _claim(message_id, attempts):
                continue  # another deliverer took it
            claim = attempts + 1
            row = db.session.get(OutboxMessage, message_id)
            if row is None:  # deleted with its meeting since the claim
                db.session.commit()
                continue
            row_body = row.body
            row_subject = row.subject
            sender = str(current_app.config.get("MAIL_DEFAULT_SENDER") or "meetapp@localhost")
            message = Message(
                subject=row.subject, recipients=[row.recipient], body=row_body, sender=sender
            )
            # The same Message-ID on every attempt: should a message be delivered twice (a
            # deliverer that died between the server's acceptance and recording it), the copies
            # are known for one.
            message.msgId = message_id_header(message_id, sender)
            if row.attachment_id is not None:
                attachment = db.session.get(OutboxAttachment, row.attachment_id)
                if attachment is not None:
                    message.attach(attachment.filename, attachment.content_type, attachment.data)
            db.session.commit()  # end the read before talking to the mail server
            error: str | None = None
            try:
                if connection is None:
                    connection = _connection().__enter__()
                connection.send(message)
            except Exception as exc:  # every failure is recorded, none may escape
                error = f"{type(exc).__name__}: {exc}"
                _close_quietly(connection)
                connection = None
            _record(message_id, claim, error, row_subject, row_body)
            if error is None:
                sent += 1
            else:
                failed += 1
    finally:
        _close_quietly(connection)
    return sent, failed


def message_id_header(message_id: int, sender: str) -> str:
    """The Message-ID of the outbox message `message_id`, in the sender's domain.

    >>> message_id_header(42, "Meetings <meetings@example.org>")
    '<outbox-42@example.org>'
    """
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    return f"<outbox-{message_id}@{domain}>"


def _close_quietly(connection: _TimedConnection | None) -> None:
    if connection is None or connection.host is None:
        return
    try:
        connection.host.quit()
    except (smtplib.SMTPException, OSError):
        connection.host.close()
    connection.host = None
