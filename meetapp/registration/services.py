"""Registration: places, the waiting list, personal links and cancellations.

Every operation that changes who holds a seat first locks the meeting (`lock_meeting`), so two
requests at once cannot both take the last seat or both promote into one freed seat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from meetapp.accounts.services import email_for_lookup, normalise_email
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.i18n import N_
from meetapp.locking import lock_meeting
from meetapp.models import (
    AgendaSession,
    Meeting,
    Participant,
    StakeholderGroup,
    Status,
    User,
)
from meetapp.models.questions import RegistrationQuestion
from meetapp.registration.questions import (
    Answer,
    Posted,
    check_answers,
    form_questions,
    release_limited_places,
    save_answers,
)
from meetapp.tokens import hash_token, is_token_shaped, new_token

NEEDS_MAX_LENGTH = 2000
ALREADY_REGISTERED = N_(
    "This e-mail address is already registered for this meeting. Use the personal link "
    "from your confirmation to see or change your registration."
)
EMAIL_IN_USE = N_("Another registration for this meeting uses this e-mail address.")


@dataclass
class RegistrationData:
    """What a person (or an organiser on their behalf) enters; strings already stripped."""

    name: str
    email: str
    honorific: str | None = None
    organisation: str | None = None
    position: str | None = None
    stakeholder_group_id: int | None = None
    country: str | None = None
    languages: list[str] = field(default_factory=list)
    needs: str | None = None
    consent: bool = False
    # The meeting's registration questions the form asked, and what was posted for them, by
    # question id (checked by `meetapp.registration.questions.check_answers` when saved).
    # None: the answers are left as they are.
    questions: Sequence[RegistrationQuestion] | None = None
    answers: Mapping[int, Posted] = field(default_factory=dict)


def find_by_token(token: str) -> Participant | None:
    """The participant whose personal link carries `token`, with its meeting and group loaded."""
    if not is_token_shaped(token):
        return None
    return db.session.scalar(
        select(Participant)
        .options(joinedload(Participant.meeting), joinedload(Participant.stakeholder_group))
        .where(Participant.token_hash == hash_token(token))
    )


def count_registered(meeting_id: int) -> int:
    """The seats taken, from the meeting's count (kept by every write: see
    `meetapp.models.registration.add_to_seat_counts`), not counted."""
    return db.session.scalar(select(Meeting.registered_count).where(Meeting.id == meeting_id)) or 0


def seats_left(capacity: int | None, registered: int) -> int | None:
    """Seats left when `registered` hold one; None when there is no capacity limit."""
    if capacity is None:
        return None
    return max(capacity - registered, 0)


def free_seats(meeting: Meeting) -> int | None:
    """Seats left, or None when the meeting has no capacity limit: from the meeting's count as
    this session read it (`lock_meeting` reads it again, and each flush that changes it
    updates it)."""
    if meeting.capacity is None:
        return None
    return seats_left(meeting.capacity, meeting.registered_count)


@dataclass(frozen=True)
class RegistrationPage:
    """What the public registration page shows: the meeting (with its organisation and
    stakeholder groups loaded) and whether it has an agenda to link to."""

    meeting: Meeting
    has_agenda: bool


def registration_page(slug: str) -> RegistrationPage | None:
    """The meeting at `slug` for its registration page, in one SELECT: the meeting joined with
    its organisation and its stakeholder groups, and whether it has an agenda. The seats taken
    are the meeting's own count (`free_seats`), so the page reads the same at 50 participants
    and at 100,000."""
    agenda = exists().where(AgendaSession.meeting_id == Meeting.id)
    row = (
        db.session.execute(
            select(Meeting, agenda.label("has_agenda"))
            .options(joinedload(Meeting.stakeholder_groups))
            .where(Meeting.slug == slug)
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        return None
    meeting, has_agenda = row
    return RegistrationPage(meeting, bool(has_agenda))


def waitlist_place(participant: Participant) -> int | None:
    """1 for the first on the waiting list; None when not waitlisted."""
    if participant.status != Status.WAITLISTED:
        return None
    ahead = (
        db.session.scalar(
            select(func.count())
            .select_from(Participant)
            .where(
                Participant.meeting_id == participant.meeting_id,
                Participant.status == Status.WAITLISTED,
                (Participant.registered_at < participant.registered_at)
                | (
                    (Participant.registered_at == participant.registered_at)
                    & (Participant.id < participant.id)
                ),
            )
        )
        or 0
    )
    return ahead + 1


GROUP_NOT_OF_MEETING = N_("Choose one of the meeting's stakeholder groups.")


def _check_group(meeting: Meeting, group_id: int | None) -> None:
    """The group must be one of the meeting's. Read under the meeting lock, which the removal
    of a group takes too, so a group cannot go between this check and the insert."""
    if group_id is None:
        return
    found = db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.id == group_id, StakeholderGroup.meeting_id == meeting.id
        )
    )
    if found is None:
        raise DomainError(GROUP_NOT_OF_MEETING, field="stakeholder_group")


def email_taken(meeting_id: int, email: str, but: int | None = None) -> bool:
    """Whether a registration of the meeting (other than `but`) has this address, compared
    in the normalised form that registrations store."""
    key = email_for_lookup(email)
    if key is None:
        return False
    query = select(Participant.id).where(
        Participant.meeting_id == meeting_id, Participant.email_normalized == key
    )
    if but is not None:
        query = query.where(Participant.id != but)
    return db.session.scalar(query.limit(1)) is not None


def _check_answers_early(data: RegistrationData) -> None:
    """Refuse wrong answers before the meeting lock is taken (they need no database), so a bad
    form does not queue behind others; `_answers_under_lock` checks them again, against the
    questions as they are then, and gives what is stored."""
    if data.questions:
        check_answers(data.questions, data.stakeholder_group_id, data.answers)


def _answers_under_lock(
    meeting: Meeting, data: RegistrationData
) -> tuple[list[RegistrationQuestion], dict[int, Answer]]:
    """The questions as they are under the meeting lock (an organiser may have changed an
    option, its places or the question meanwhile), and the answers checked against them."""
    questions = form_questions(meeting.id, fresh=True)
    return questions, check_answers(questions, data.stakeholder_group_id, data.answers)


def _apply(participant: Participant, data: RegistrationData, email: str) -> None:
    participant.name = data.name
    participant.email = data.email.strip()
    participant.email_normalized = email
    participant.honorific = data.honorific or None
    participant.organisation = data.organisation or None
    participant.position = data.position or None
    participant.stakeholder_group_id = data.stakeholder_group_id
    participant.country = data.country or None
    participant.languages = list(data.languages)
    participant.needs = data.needs or None


@dataclass(frozen=True)
class NewRegistration:
    """A registration with the personal link just made for it (on registering, or renewed)."""

    participant: Participant
    token: str  # the personal-link token: shown once, never stored
    place: int | None  # the place on the waiting list; None with a seat


def _after(latest: datetime | None, now: datetime) -> datetime:
    """`now`, or just after `latest` when that is later: a newcomer's `registered_at` comes
    after everyone's before them, whatever the clock of the server that took them (servers'
    clocks differ a little) or the times an import brought, so that the order of
    `registered_at` is the order in which the meeting lock let people in."""
    if latest is not None and latest >= now:
        return latest + timedelta(microseconds=1)
    return now


def register_participant(
    meeting: Meeting,
    data: RegistrationData,
    *,
    now: datetime | None = None,
    by_organiser: bool = False,
) -> NewRegistration:
    """Register a person: a seat while there is one, else the end of the waiting list.

    Raises DomainError when registration is not open (unless `by_organiser`), consent is
    missing, the group is not the meeting's, or the e-mail is already registered.

    `registered_at` is taken once the meeting lock is held, so that the order of
    `registered_at` is the order in which seats were handed out: everyone registered arrived
    before everyone waitlisted at the same moment, and the waiting list is first come, first
    served.

    Under the lock there are at most five statements (the lock, which reads the meeting's seat
    counts too, the group, the e-mail, the counts' update and the insert), each as quick at
    100,000 participants as at 50, so that a rush of registrations queues as briefly as
    possible.
    """
    email = normalise_email(data.email)
    _check_answers_early(data)
    meeting = lock_meeting(meeting.id)
    now = now or utcnow()
    if not by_organiser:
        state = meeting.registration_state(now)
        if state == "not_open":
            raise DomainError(N_("Registration has not opened yet."))
        if state == "closed":
            raise DomainError(N_("Registration is closed."))
        if not data.consent:
            raise DomainError(N_("Please agree to the processing of your data."), field="consent")
    _check_group(meeting, data.stakeholder_group_id)

    participant = db.session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting.id, Participant.email_normalized == email
        )
    )
    if participant is not None and participant.status != Status.CANCELLED:
        raise DomainError(ALREADY_REGISTERED, field="email")
    # Read before the new row is added: the flush that writes it changes them.
    ahead = meeting.waitlisted_count
    now = _after(meeting.latest_registered_at, now)
    seats = seats_left(meeting.capacity, meeting.registered_count)
    has_seat = seats is None or seats > 0
    if participant is None:
        participant = Participant(meeting_id=meeting.id)
        db.session.add(participant)
    _apply(participant, data, email)
    participant.status = Status.REGISTERED if has_seat else Status.WAITLISTED
    participant.registered_at = now
    participant.cancelled_at = None
    participant.promoted_at = None
    participant.told_at = None
    participant.attended = False
    participant.checked_in_at = None
    participant.checked_in_by_id = None
    participant.consent_at = now if data.consent else None
    token, participant.token_hash = new_token()
    db.session.flush()
    if data.questions:
        # Places a cancelled registration held were freed: a new one takes them again.
        questions, answers = _answers_under_lock(meeting, data)
        save_answers(participant, questions, answers, keep_held=False)
    return NewRegistration(participant, token, None if has_seat else ahead + 1)


CANCELLED_NO_LINK = (
    "The registration of {name} is cancelled, so there is no personal link to send: their "
    "link would only say so. Give them a seat first, or they can register again while "
    "registration is open."
)


def renew_personal_link(participant: Participant) -> NewRegistration:
    """A new personal link for `participant`; the one they had stops working.

    Only the hash of a token is stored, so a link cannot be written out again: sending it
    again means making a new one. This is also how people added by a CSV import (who have no
    link) get one. The meeting is locked first, as for every change of a registration: two
    requests at once are served one after the other, so the token stored is the last one
    made, and the e-mail the caller queues in the same transaction is the last one queued.

    Raises DomainError for a cancelled registration: the personal page of a cancelled
    registration shows only that it is cancelled and changes nothing.
    """
    lock_meeting(participant.meeting_id)
    db.session.refresh(participant)
    if participant.status == Status.CANCELLED:
        raise DomainError(CANCELLED_NO_LINK.format(name=participant.name))
    token, participant.token_hash = new_token()
    participant.told_at = utcnow()
    db.session.flush()
    return NewRegistration(participant, token, waitlist_place(participant))


def update_registration(participant: Participant, data: RegistrationData) -> Participant:
    """Change a registration's details; the e-mail stays unique within the meeting.

    Status and seat are not touched. (The public page offers no changes to a cancelled
    registration; organisers may still correct one.)
    """
    email = normalise_email(data.email)
    _check_answers_early(data)
    meeting = lock_meeting(participant.meeting_id)
    _check_group(meeting, data.stakeholder_group_id)
    clash = db.session.scalar(
        select(Participant.id).where(
            Participant.meeting_id == meeting.id,
            Participant.email_normalized == email,
            Participant.id != participant.id,
        )
    )
    if clash is not None:
        raise DomainError(EMAIL_IN_USE, field="email")
    _apply(participant, data, email)
    db.session.flush()
    if data.questions:
        questions, answers = _answers_under_lock(meeting, data)
        save_answers(participant, questions, answers)
    return participant


def cancel_registration(
    participant: Participant, *, now: datetime | None = None
) -> list[Participant]:
    """Cancel; the freed seat goes to the first on the waiting list. Returns those promoted.

    A check-in goes with the seat: attendance is counted among registered participants only,
    so a cancelled registration is never also counted as someone who came.
    """
    meeting = lock_meeting(participant.meeting_id)
    db.session.refresh(participant)
    if participant.status == Status.CANCELLED:
        return []
    release_limited_places(participant.id, meeting.id)
    participant.status = Status.CANCELLED
    participant.cancelled_at = now or utcnow()
    participant.attended = False
    participant.checked_in_at = None
    participant.checked_in_by_id = None
    db.session.flush()
    return promote_waitlisted(meeting)


def promote_waitlisted(meeting: Meeting) -> list[Participant]:
    """Fill free seats from the waiting list, first come first served.

    The caller holds the meeting lock (`lock_meeting`), so concurrent calls cannot promote
    past capacity.
    """
    limit = free_seats(meeting)
    if limit == 0:
        return []
    query = (
        select(Participant)
        .where(Participant.meeting_id == meeting.id, Participant.status == Status.WAITLISTED)
        .order_by(Participant.registered_at, Participant.id)
    )
    if limit is not None:
        query = query.limit(limit)
    promoted = list(db.session.scalars(query))
    now = utcnow()
    for participant in promoted:
        participant.status = Status.REGISTERED
        participant.promoted_at = now
    db.session.flush()
    return promoted


def promote_participant(participant: Participant) -> Participant:
    """An organiser gives a waitlisted (or cancelled) person a seat, if one is free."""
    meeting = lock_meeting(participant.meeting_id)
    db.session.refresh(participant)
    if participant.status == Status.REGISTERED:
        return participant
    seats = free_seats(meeting)
    if seats is not None and seats <= 0:
        raise DomainError(
            f"The meeting is full ({meeting.capacity} of {meeting.capacity} seats taken). "
            "Raise the capacity or cancel a registration first."
        )
    _reactivated(participant)
    participant.status = Status.REGISTERED
    participant.cancelled_at = None
    participant.promoted_at = utcnow()
    db.session.flush()
    return participant


def _reactivated(participant: Participant) -> None:
    """A cancelled registration about to hold a seat again holds no place in a limited option
    (an import may have brought its old answers): it chooses one again like anyone."""
    if participant.status == Status.CANCELLED and participant.id is not None:
        release_limited_places(participant.id, participant.meeting_id)


# --- the registration desk -------------------------------------------------------------------


class MeetingFull(DomainError):
    """The meeting has no free seat: staff at the desk may seat someone over capacity, but only
    once they have confirmed it (a second submit with `over_capacity`)."""

    def __init__(self, capacity: int, registered: int) -> None:
        super().__init__(
            f"The meeting is full ({registered} of {capacity} seats taken). Seat this person "
            "over capacity?"
        )
        self.capacity = capacity
        self.registered = registered


def _desk_seat(meeting: Meeting, over_capacity: bool) -> None:
    """Under the meeting lock: raise MeetingFull unless there is a seat or staff confirmed."""
    if meeting.capacity is None or over_capacity:
        return
    registered = count_registered(meeting.id)
    if registered >= meeting.capacity:
        raise MeetingFull(meeting.capacity, registered)


def _checked_in(participant: Participant, by: User, now: datetime) -> None:
    """Seated and checked in at the desk: they are there, so they know."""
    _reactivated(participant)
    if participant.status != Status.REGISTERED:
        participant.promoted_at = now
    participant.told_at = now
    participant.status = Status.REGISTERED
    participant.cancelled_at = None
    participant.attended = True
    participant.checked_in_at = now
    participant.checked_in_by_id = by.id


WALK_IN_REGISTERED = (
    "{name} is already registered with this e-mail address ({status}): find them by name above."
)


def add_walk_in(
    meeting: Meeting,
    data: RegistrationData,
    *,
    by: User,
    over_capacity: bool = False,
    now: datetime | None = None,
) -> Participant:
    """Someone who comes to the desk without a registration: registered and checked in at once.

    Staff at the desk do this (`can_check_in`). The meeting is locked first, as for every change
    of who holds a seat, so two desks at once cannot both take the last seat: the second is
    told that the meeting is full (MeetingFull) and may then seat the person over capacity
    (`over_capacity`). A cancelled registration with the same e-mail address is taken up again;
    an active one is refused. The person gets no personal link (as after an import): an
    organiser sends one from their page if they need it.
    """
    email = normalise_email(data.email)
    meeting = lock_meeting(meeting.id)
    _check_group(meeting, data.stakeholder_group_id)
    participant = db.session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting.id, Participant.email_normalized == email
        )
    )
    if participant is not None and participant.status != Status.CANCELLED:
        status = "waiting list" if participant.status == Status.WAITLISTED else "registered"
        raise DomainError(
            WALK_IN_REGISTERED.format(name=participant.name, status=status), field="email"
        )
    _desk_seat(meeting, over_capacity)
    now = now or utcnow()
    latest = meeting.latest_registered_at  # read with the lock (see `register`)
    if participant is None:
        participant = Participant(meeting_id=meeting.id)
        db.session.add(participant)
        participant.token_hash = None
    _apply(participant, data, email)
    participant.registered_at = _after(latest, now)
    participant.consent_at = None
    _checked_in(participant, by, now)
    db.session.flush()
    return participant


def seat_at_desk(
    participant: Participant,
    *,
    by: User,
    over_capacity: bool = False,
    now: datetime | None = None,
) -> Participant:
    """Staff give someone on the waiting list (or cancelled) a seat at the desk and check them
    in. Under the meeting lock; MeetingFull when no seat is free and staff have not confirmed
    `over_capacity`. Someone who already has a seat is checked in (if not yet)."""
    meeting = lock_meeting(participant.meeting_id)
    db.session.refresh(participant)
    now = now or utcnow()
    if participant.status == Status.REGISTERED:
        if not participant.attended:
            _checked_in(participant, by, now)
            db.session.flush()
        return participant
    _desk_seat(meeting, over_capacity)
    _checked_in(participant, by, now)
    db.session.flush()
    return participant
