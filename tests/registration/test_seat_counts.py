"""The meeting's seat counts (registered, waitlisted, the latest `registered_at`) stay equal to
what counting its participants gives, whatever sequence of writes changes them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.interchange.services import import_meeting, parse_document
from meetapp.meetings.services import MeetingData, update_meeting
from meetapp.models import Meeting, Participant, Status
from meetapp.participants.services import import_participants, mark_attended
from meetapp.registration.services import (
    RegistrationData,
    cancel_registration,
    promote_participant,
    register_participant,
    update_registration,
)

OPERATIONS = (
    "register",
    "register_by_organiser",
    "cancel",
    "promote",
    "capacity",
    "edit",
    "check_in",
    "csv_import",
    "insert",
    "delete",
)


def real_counts(meeting_id: int) -> tuple[int, int, datetime | None]:
    registered, waitlisted, latest = db.session.execute(
        select(
            func.count().filter(Participant.status == Status.REGISTERED),
            func.count().filter(Participant.status == Status.WAITLISTED),
            func.max(Participant.registered_at),
        ).where(Participant.meeting_id == meeting_id)
    ).one()
    return registered, waitlisted, latest


def kept_counts(meeting_id: int) -> tuple[int, int, datetime | None]:
    registered, waitlisted, latest = db.session.execute(
        select(
            Meeting.registered_count, Meeting.waitlisted_count, Meeting.latest_registered_at
        ).where(Meeting.id == meeting_id)
    ).one()
    return registered, waitlisted, latest


def assert_counts_kept(meeting_id: int) -> None:
    registered, waitlisted, latest = real_counts(meeting_id)
    kept_registered, kept_waitlisted, kept_latest = kept_counts(meeting_id)
    assert (kept_registered, kept_waitlisted) == (registered, waitlisted)
    # The latest ever given: a participant deleted since leaves it where it was.
    if latest is not None:
        assert kept_latest is not None
        # SQLite keeps microseconds, PostgreSQL too: the same instant.
        assert kept_latest >= latest.replace(tzinfo=latest.tzinfo or UTC)


def _meeting_data(meeting: Meeting, capacity: int | None) -> MeetingData:
    return MeetingData(
        slug=meeting.slug,
        title=meeting.title,
        starts_at=meeting.starts_at,
        timezone=meeting.timezone,
        organisation_id=meeting.organisation_id,
        languages=list(meeting.languages),
        capacity=capacity,
        registration_opens_at=meeting.registration_opens_at,
        registration_closes_at=meeting.registration_closes_at,
    )


def _someone(meeting_id: int, rng: random.Random) -> Participant | None:
    ids = db.session.scalars(
        select(Participant.id).where(Participant.meeting_id == meeting_id).order_by(Participant.id)
    ).all()
    return db.session.get(Participant, rng.choice(ids)) if ids else None


def apply(operation: str, meeting_id: int, rng: random.Random, organiser: Any) -> None:
    """One write of the kind named, as the app makes it; a refusal (DomainError) rolls back."""
    meeting = db.session.get(Meeting, meeting_id)
    assert meeting is not None
    email = f"p{rng.randrange(12)}@example.org"  # a small pool: some are taken already
    data = RegistrationData(name=f"Person {email}", email=email, consent=True)
    person = _someone(meeting_id, rng)
    if operation == "register":
        register_participant(meeting, data)
    elif operation == "register_by_organiser":
        register_participant(meeting, data, by_organiser=True)
    elif operation == "cancel" and person is not None:
        cancel_registration(person)
    elif operation == "promote" and person is not None:
        promote_participant(person)
    elif operation == "capacity":
        update_meeting(meeting, _meeting_data(meeting, rng.choice((None, 0, 1, 2, 3, 5, 8))))
    elif operation == "edit" and person is not None:
        update_registration(
            person, RegistrationData(name="Edited", email=person.email, consent=True)
        )
    elif operation == "check_in" and person is not None:
        mark_attended(person, rng.random() < 0.7, by=organiser)
    elif operation == "csv_import":
        status = rng.choice(("", "registered", "waitlisted", "cancelled"))
        lines = [f"Imported {n},i{rng.randrange(10**9)}@example.org,{status}" for n in range(3)]
        import_participants(meeting, "name,email,status\n" + "\n".join(lines) + "\n")
    elif operation == "insert":
        # Written directly, as fixtures and scripts do: the flush counts it too.
        db.session.add(
            Participant(
                meeting_id=meeting_id,
                name="Inserted",
                email=f"x{rng.randrange(10**9)}@example.org",
                email_normalized=f"x{rng.randrange(10**9)}@example.org",
                status=rng.choice(tuple(Status)),
                registered_at=datetime.now(UTC) + timedelta(seconds=rng.randrange(-100, 100)),
            )
        )
        db.session.flush()
    elif operation == "delete" and person is not None:
        db.session.delete(person)
        db.session.flush()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=25),
    seed=st.integers(0, 2**32),
)
def test_every_write_keeps_the_seat_counts(app, make_meeting, make_user, operations, seed) -> None:
    rng = random.Random(seed)
    meeting = make_meeting(capacity=rng.choice((None, 0, 2, 4)))
    organiser = make_user()
    meeting_id, organiser_id = meeting.id, organiser.id
    with app.test_request_context():
        for operation in operations:
            try:
                apply(operation, meeting_id, rng, db.session.get(type(organiser), organiser_id))
                db.session.commit()
            except DomainError:
                db.session.rollback()
            assert_counts_kept(meeting_id)


def test_a_failed_flush_rolls_the_counts_back(app, make_meeting) -> None:
    meeting = make_meeting(capacity=5)
    with app.test_request_context():
        register_participant(
            meeting, RegistrationData(name="A", email="a@example.org", consent=True)
        )
        db.session.commit()
        db.session.add(
            Participant(
                meeting_id=meeting.id,
                name="Same address",
                email="a@example.org",
                email_normalized="a@example.org",
            )
        )
        try:
            db.session.flush()
        except Exception:  # noqa: BLE001 - the unique constraint, whichever driver's error
            db.session.rollback()
        else:  # pragma: no cover
            raise AssertionError("the duplicate address was accepted")
        assert_counts_kept(meeting.id)
        assert kept_counts(meeting.id)[:2] == (1, 0)


def test_the_meeting_import_counts_its_participants(app) -> None:
    from meetapp.cli import DEMO_FILE

    with app.test_request_context():
        report = import_meeting(parse_document(DEMO_FILE.read_bytes()))
        db.session.commit()
        registered, waitlisted, latest = real_counts(report.meeting.id)
        assert registered > 0
        assert kept_counts(report.meeting.id) == (registered, waitlisted, latest)


def test_participants_added_with_a_new_meeting_are_counted_in_its_row(app, make_meeting) -> None:
    """A meeting and its participants added together, through the relationship (no meeting id
    yet), and a participant added to an existing meeting through it."""
    from meetapp.models import Organisation

    with app.app_context():
        meeting = Meeting(
            organisation=Organisation(name="Counting Network"),
            slug="counted-together",
            title="Counted together",
            starts_at=datetime(2030, 1, 2, 9, tzinfo=UTC),
            timezone="UTC",
            languages=["en"],
        )
        people = [
            Participant(
                meeting=meeting,
                name=f"Person {n}",
                email=f"p{n}@example.org",
                email_normalized=f"p{n}@example.org",
                status=status,
            )
            for n, status in enumerate([Status.REGISTERED, Status.REGISTERED, Status.WAITLISTED])
        ]
        db.session.add_all([meeting, *people])
        db.session.commit()
        assert kept_counts(meeting.id)[:2] == (2, 1)
        assert_counts_kept(meeting.id)

        db.session.add(
            Participant(
                meeting=meeting,
                name="Later",
                email="later@example.org",
                email_normalized="later@example.org",
            )
        )
        db.session.commit()
        assert kept_counts(meeting.id)[:2] == (3, 1)
        assert_counts_kept(meeting.id)
