"""Meetings: organisations, meetings, stakeholder groups and organiser teams."""

from __future__ import annotations

from sqlalchemy import exists, insert, select

from meetapp.extensions import db
from meetapp.models import Meeting, User, meeting_organisers


def add_team_member(meeting: Meeting, user: User) -> None:
    """Put `user` on the organiser team of `meeting` (no-op when already there)."""
    already = db.session.scalar(
        select(
            exists().where(
                meeting_organisers.c.meeting_id == meeting.id,
                meeting_organisers.c.user_id == user.id,
            )
        )
    )
    if not already:
        db.session.execute(
            insert(meeting_organisers).values(meeting_id=meeting.id, user_id=user.id)
        )
