"""E-mails to a meeting's organiser team about what participants do: each new registration
and cancellation as it happens, or a daily digest of them.

Each organiser chooses for themselves, per meeting, on the team page (`NOTIFY_CHOICES`); the
choice is kept on their row of `meeting_organisers`. Only what participants do themselves is
told (registering, cancelling through their link): what the team does, the team knows.

Nothing here runs in the participant's request: the view asks `tell_organisers_later`, which
queues a job only when somebody on the team wants to hear; the job writes the e-mails to the
outbox. The digest is a periodic job that runs every hour and sends each organiser who chose
it what happened since their last digest, at most once a day and only when something did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.jobs import QueueUnavailable, enqueue, task
from meetapp.models import Meeting, Participant, Role, Status, User
from meetapp.models.meetings import meeting_organisers
from meetapp.outbox.services import mail_configured, queue_message, send_later
from meetapp.public_urls import public_url

NOTIFY_OFF = "off"
NOTIFY_EACH = "each"
NOTIFY_DAILY = "daily"
NOTIFY_CHOICES = (NOTIFY_OFF, NOTIFY_EACH, NOTIFY_DAILY)

EVENT_REGISTERED = "registered"
EVENT_CANCELLED = "cancelled"
EVENTS = (EVENT_REGISTERED, EVENT_CANCELLED)

KIND_CHANGE = "organiser_change"
KIND_DIGEST = "organiser_digest"
DIGEST_EVERY = timedelta(days=1)
# Organisers' e-mails are in English, like the organiser pages.
ORGANISER_LOCALE = "en"


def notify_choice(meeting: Meeting, user: User) -> str | None:
    """What `user` chose to hear about `meeting`, or None when they are not on its team."""
    return db.session.scalar(
        select(meeting_organisers.c.notify).where(
            meeting_organisers.c.meeting_id == meeting.id,
            meeting_organisers.c.user_id == user.id,
        )
    )


def set_notify_choice(meeting: Meeting, user: User, choice: str) -> bool:
    """Keep `user`'s choice for `meeting`; False when they are not on its team. A digest
    chosen now covers what happens from now on."""
    if choice not in NOTIFY_CHOICES:
        raise ValueError(choice)
    result = db.session.execute(
        update(meeting_organisers)
        .where(
            meeting_organisers.c.meeting_id == meeting.id,
            meeting_organisers.c.user_id == user.id,
        )
        .values(notify=choice, digest_from=utcnow() if choice == NOTIFY_DAILY else None)
    )
    return bool(getattr(result, "rowcount", 0))


def _hears(user: User) -> bool:
    """Whether `user` still gets the e-mails they chose (someone made staff since keeps their
    place on the team, not the e-mails)."""
    return user.active and user.role in (Role.ORGANISER, Role.ADMIN)


def _listeners(meeting_id: int, choice: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(meeting_organisers, meeting_organisers.c.user_id == User.id)
            .where(
                meeting_organisers.c.meeting_id == meeting_id,
                meeting_organisers.c.notify == choice,
                User.active.is_(True),
                User.role.in_((Role.ORGANISER, Role.ADMIN)),  # as `_hears`
            )
            .order_by(User.id)
        )
    )


def tell_organisers_later(meeting_id: int, participant_id: int, event: str) -> None:
    """After the commit of a registration or cancellation: have a job tell the organisers who
    asked for each change. One indexed look-up when nobody asked."""
    if event not in EVENTS or not mail_configured():
        return
    wanted = db.session.scalar(
        select(func.count())
        .select_from(meeting_organisers)
        .where(
            meeting_organisers.c.meeting_id == meeting_id,
            meeting_organisers.c.notify == NOTIFY_EACH,
        )
    )
    if not wanted:
        return
    try:
        enqueue("meetings.tell-organisers", meeting_id, participant_id, event)
    except QueueUnavailable:
        # The participant's change is committed and must not fail for this: the organisers
        # miss one e-mail (the daily digest, for those who chose it, still tells them).
        current_app.logger.exception(
            "notifications: organisers of meeting %s not told of %s", meeting_id, event
        )


def _organiser_mail(template: str, meeting: Meeting, **context: object) -> str:
    """The body of an e-mail to organisers, with the links every one of them ends with."""
    return render_template(
        template,
        meeting=meeting,
        participants_url=public_url("participants.list", slug=meeting.slug),
        team_url=public_url("meetings.team", slug=meeting.slug),
        **context,
    )


@task("meetings.tell-organisers")
def tell_organisers(meeting_id: int, participant_id: int, event: str) -> list[int]:
    """Queue the e-mail about one change to each organiser who asked for each change."""
    meeting = db.session.get(Meeting, meeting_id)
    participant = db.session.get(Participant, participant_id)
    if meeting is None or participant is None or participant.meeting_id != meeting_id:
        return []
    ids = []
    with force_locale(ORGANISER_LOCALE):
        if event == EVENT_CANCELLED:
            subject = gettext(
                "Cancelled: %(name)s, %(meeting)s", name=participant.name, meeting=meeting.title
            )
        elif participant.status == Status.WAITLISTED:
            subject = gettext(
                "Waiting list: %(name)s, %(meeting)s", name=participant.name, meeting=meeting.title
            )
        else:
            subject = gettext(
                "Registered: %(name)s, %(meeting)s", name=participant.name, meeting=meeting.title
            )
        body = _organiser_mail(
            "meetings/email/organiser_change.txt", meeting, participant=participant, event=event
        )
        for user in _listeners(meeting_id, NOTIFY_EACH):
            message = queue_message(user.email, subject, body, KIND_CHANGE, meeting.id)
            if message is not None:
                ids.append(message.id)
    db.session.commit()
    send_later(ids)
    return ids


@dataclass(frozen=True)
class Digest:
    registered: list[Participant]
    waitlisted: list[Participant]
    cancelled: list[Participant]

    def __bool__(self) -> bool:
        return bool(self.registered or self.waitlisted or self.cancelled)


def changes_between(meeting_id: int, start: datetime, end: datetime) -> Digest:
    """The registrations (still standing) and cancellations of `start` <= time < `end`."""
    joined = list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.registered_at >= start,
                Participant.registered_at < end,
                Participant.status != Status.CANCELLED,
            )
            .order_by(Participant.registered_at, Participant.id)
        )
    )
    cancelled = list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.cancelled_at >= start,
                Participant.cancelled_at < end,
            )
            .order_by(Participant.cancelled_at, Participant.id)
        )
    )
    return Digest(
        registered=[p for p in joined if p.status == Status.REGISTERED],
        waitlisted=[p for p in joined if p.status == Status.WAITLISTED],
        cancelled=cancelled,
    )


def send_digests(now: datetime | None = None) -> int:
    """Queue the digest of each organiser whose last one covered up to a day ago or more;
    returns how many were queued. An organiser's row is claimed by moving its `digest_from`
    forward only if nobody moved it meanwhile, so two runs never send the same digest."""
    now = now or utcnow()
    due = db.session.execute(
        select(
            meeting_organisers.c.meeting_id,
            meeting_organisers.c.user_id,
            meeting_organisers.c.digest_from,
        )
        .where(
            meeting_organisers.c.notify == NOTIFY_DAILY,
            meeting_organisers.c.digest_from <= now - DIGEST_EVERY,
        )
        .order_by(meeting_organisers.c.meeting_id, meeting_organisers.c.user_id)
    ).all()
    ids = []
    for meeting_id, user_id, start in due:
        claimed = db.session.execute(
            update(meeting_organisers)
            .where(
                meeting_organisers.c.meeting_id == meeting_id,
                meeting_organisers.c.user_id == user_id,
                meeting_organisers.c.digest_from == start,
            )
            .values(digest_from=now)
        )
        if not getattr(claimed, "rowcount", 0):
            continue
        meeting = db.session.get(Meeting, meeting_id)
        user = db.session.get(User, user_id)
        digest = changes_between(meeting_id, start, now) if meeting else None
        if meeting is None or user is None or not _hears(user) or not digest:
            db.session.commit()
            continue
        with force_locale(ORGANISER_LOCALE):
            body = _organiser_mail(
                "meetings/email/organiser_digest.txt", meeting, digest=digest, start=start, end=now
            )
            subject = gettext("Registrations of the last day: %(meeting)s", meeting=meeting.title)
        message = queue_message(user.email, subject, body, KIND_DIGEST, meeting.id)
        db.session.commit()
        if message is not None:
            ids.append(message.id)
    send_later(ids)
    return len(ids)


@task("meetings.organiser-digest", every=3600)
def organiser_digest_job() -> None:
    send_digests()
