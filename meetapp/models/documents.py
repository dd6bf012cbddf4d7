"""Documents prepared by background jobs: too big to make while someone waits on a page."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db


class DocumentStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # being made: `done` of `total` steps
    READY = "ready"  # the file is in the storage until `expires_at`
    FAILED = "failed"  # `error` says why
    EXPIRED = "expired"  # the file was removed after its time


ACTIVE = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)
FINISHED = (DocumentStatus.READY, DocumentStatus.FAILED, DocumentStatus.EXPIRED)


def new_document_id() -> str:
    """32 URL-safe characters (192 random bits): the id cannot be guessed from another."""
    return secrets.token_urlsafe(24)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PreparedDocument(db.Model):  # type: ignore[name-defined]
    """A document of a meeting asked for by a user and made by a job (see
    `meetapp.documents`), with its progress while it is made and its file once it is."""

    __tablename__ = "prepared_documents"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in DocumentStatus)), name="status"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress"),
        Index("ix_prepared_documents_meeting_kind", "meeting_id", "kind"),
    )

    id: Mapped[str] = mapped_column(String(43), primary_key=True, default=new_document_id)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The kind of document (`meetapp.documents.kinds`) and what it is about ({"survey": key}).
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=DocumentStatus.QUEUED.value)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    # The file, once made: its key in the storage (`meetapp.storage`), the name it is
    # downloaded under, its type and size in bytes.
    file_key: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if self.status == DocumentStatus.READY:
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0
