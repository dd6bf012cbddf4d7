"""What the background jobs leave behind: the jobs that failed for good."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db


class FailedJob(db.Model):  # type: ignore[name-defined]
    """A job whose last attempt raised (see `meetapp.jobs`): kept until an administrator runs
    it again or dismisses it."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list[Any]] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
