"""What organisers write for the automatic e-mails to participants.

`MailIntro`: one row per meeting, kind of e-mail (`meetapp.meetings.mail_intros.KINDS`) and
language: the text placed after the greeting of that e-mail, for the participants who read it
in that language. The e-mail keeps everything else the app writes (the dates, the personal
link, the instructions), so an introduction can add to an e-mail but never take its link away.

`MailTemplate`: one row per meeting, kind and language: the whole e-mail (subject and body,
with placeholders), which replaces the app's own e-mail, introduction included, for the
readers of that language (`meetapp.meetings.mail_templates`). A template that would drop the
personal link of its kind is refused before it is saved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db


class MailIntro(db.Model):  # type: ignore[name-defined]
    __tablename__ = "mail_intros"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class MailTemplate(db.Model):  # type: ignore[name-defined]
    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
