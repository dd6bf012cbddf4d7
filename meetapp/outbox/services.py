"""The outbox: every e-mail is recorded as a row first, then sent over SMTP with Flask-Mail.

Queueing happens inside the caller's transaction, so a message exists exactly when the change
it reports was committed. Delivery runs after that commit (at the end of the request, and by
`flask --app meetapp send-mail` for retries) and commits each message's status on its own, so
an SMTP failure never undoes the change and never loses the message: it stays 'failed', with
the error, until a later delivery sends it.

Delivery is at least once: a message is claimed by bumping `attempts` from the value that was
read (two deliverers that read the same row cannot both claim it), and the SMTP transaction is
done outside any database transaction, so a writer is never blocked by a slow mail server.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update

from meetapp.database import begin_write, utcnow
from meetapp.extensions import db, mail
from meetapp.models import OutboxMessage

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"

_SUBJECT_MAX = 300
_ERROR_MAX = 2000


def mail_configured() -> bool:
    """True when an SMTP server is configured (MAIL_SERVER); without one nothing is queued."""
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_message(
    recipient: str, subject: str, body: str, kind: str, meeting_id: int | None = None
) -> OutboxMessage | None:
    """Record a message to send; None (and nothing recorded) when mail is not configured.

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
    )
    db.session.add(message)
    db.session.flush()
    return message


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


def _claim(message_id: int, seen_attempts: int) -> bool:
    begin_write(db.session())
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_((QUEUED, FAILED)),
            OutboxMessage.attempts == seen_attempts,
        )
        .values(attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def _record(message_id: int, error: str | None) -> None:
    begin_write(db.session())
    values: dict[str, object]
    if error is None:
        values = {"status": SENT, "sent_at": utcnow(), "last_error": None}
    else:
        values = {"status": FAILED, "last_error": error[:_ERROR_MAX]}
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_queued(ids: Iterable[int] | None = None, limit: int | None = None) -> tuple[int, int]:
    """Send queued and failed messages (only `ids`, when given; oldest first); (sent, failed).

    Commits: call it after the caller's own commit. SMTP and connection errors are recorded on
    the message (status 'failed', `last_error`, `attempts` + 1), never raised. Does nothing
    when mail is not configured.
    """
    if not mail_configured():
        return 0, 0
    query = (
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(OutboxMessage.status.in_((QUEUED, FAILED)))
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
            row = db.session.get(OutboxMessage, message_id)
            if row is None:
                continue
            message = Message(
                subject=row.subject,
                recipients=[row.recipient],
                body=row.body,
                sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
            )
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
            _record(message_id, error)
            if error is None:
                sent += 1
            else:
                failed += 1
    finally:
        _close_quietly(connection)
    return sent, failed


def _close_quietly(connection: _TimedConnection | None) -> None:
    if connection is None or connection.host is None:
        return
    try:
        connection.host.quit()
    except (smtplib.SMTPException, OSError):
        connection.host.close()
    connection.host = None
