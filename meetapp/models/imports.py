"""Meeting files imported in the background: who uploaded which file, and how it went."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MeetingImport(db.Model):  # type: ignore[name-defined]
    """A meetapp/1 file too large to import within its request, imported by a job (see
    `meetapp.interchange.background`); what its uploader is shown on its status page."""

    __tablename__ = "meeting_imports"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.QUEUED)
    # Why a failed import wrote nothing: "json.path: message" lines, as the form lists them.
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What was imported ("52 participants, ..."), once done.
    summary: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    # Whether the import created the organisation that convenes the meeting.
    new_organisation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
