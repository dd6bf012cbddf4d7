"""Composing the draft costs a fixed number of queries, whatever the amount of data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import Contact, Meeting, Outcome, Speaker, Statement
from meetapp.reports.press_release import compose_press_release


def _queries(db: Any, count_queries: Any, slug: str) -> int:
    db.session.expire_all()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    with count_queries() as counter:
        compose_press_release(meeting)
    return counter.count


def test_query_count_does_not_grow_with_the_data(
    db: Any, load_demo: Any, count_queries: Any
) -> None:
    meeting = load_demo()
    slug = meeting.slug
    before = _queries(db, count_queries, slug)
    speaker = db.session.scalar(select(Speaker).where(Speaker.meeting_id == meeting.id))
    for n in range(30):
        db.session.add_all(
            [
                Statement(
                    meeting_id=meeting.id,
                    speaker_id=speaker.id,
                    kind="point",
                    text=f"made point {n}",
                    highlight=True,
                ),
                Outcome(meeting_id=meeting.id, kind="finding", text=f"Finding {n}.", position=9),
                Contact(meeting_id=meeting.id, name=f"Contact {n}", languages=["en"], position=9),
            ]
        )
    db.session.commit()
    assert _queries(db, count_queries, slug) == before
    assert before <= 16  # the draft, the contacts, the agenda and the survey's headline results
