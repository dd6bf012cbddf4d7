"""The questions an organiser adds to a meeting's registration form, and people's answers.

A question has a kind (`QuestionKind`), may be limited to some stakeholder groups, and a
choice may have a number of places ("Field visit: 20 places"). Answers are rows of
`registration_answers`: one row per chosen option for the kinds with options (single and
multiple choice, yes/no), the option's key in `option_key`; one row with the typed `value`
(text, a number, an ISO date, a country code) for the others, `option_key` empty. Choices are
therefore counted, filtered and held to their places by plain indexed queries, alike on every
database.

A question that has answers is never deleted: removing it archives it (`archived_at`). It
leaves the form, and its answers stay in the participant's page, the list and the exports.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db
from meetapp.models.texts import Translatable

if TYPE_CHECKING:
    from meetapp.models.meetings import StakeholderGroup

QUESTION_LABEL_MAX = 300
QUESTION_HELP_MAX = 1000
QUESTION_KEY_MAX = 50
OPTION_LABEL_MAX = 200
TEXT_ANSWER_MAX = {"short_text": 300, "long_text": 4000}
# The prefix of an option's label in `translations`, as for survey questions.
OPTION_FIELD = "option:"


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    DATE = "date"
    COUNTRY = "country"


# Kinds whose options the organiser writes, and whose answers are option keys.
CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# Kinds answered by option keys: the organiser's choices, and yes/no ("yes", "no").
KEYED_KINDS = CHOICE_KINDS | {QuestionKind.YES_NO}
YES, NO = "yes", "no"

registration_question_groups = Table(
    "registration_question_groups",
    db.metadata,
    Column(
        "question_id",
        ForeignKey("registration_questions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "group_id",
        ForeignKey("stakeholder_groups.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class RegistrationQuestion(Translatable, db.Model):  # type: ignore[name-defined]
    __tablename__ = "registration_questions"
    __table_args__ = (UniqueConstraint("meeting_id", "key"),)

    TRANSLATED: ClassVar[tuple[str, ...]] = ("label", "help")

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # Stable within the meeting (`meetapp.keys`): the column of the exports and the name in
    # meetapp/1 and in CSV imports; the label can be reworded.
    key: Mapped[str] = mapped_column(String(QUESTION_KEY_MAX))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(QUESTION_LABEL_MAX))
    help: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # Choices in order: {"key", "label"} and, for a choice with a limited number of places,
    # "capacity". Keys never change, so a label can be reworded or translated.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The answers are shown on the check-in desk's rows.
    show_at_desk: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Empty: asked of everyone. Otherwise asked only of people in one of these groups.
    groups: Mapped[list[StakeholderGroup]] = relationship(
        secondary=registration_question_groups, lazy="raise", order_by="StakeholderGroup.position"
    )

    def option_keys(self) -> list[str]:
        if self.kind == QuestionKind.YES_NO:
            return [YES, NO]
        return [option["key"] for option in self.options or []]

    def capacity_of(self, key: str) -> int | None:
        for option in self.options or []:
            if option["key"] == key:
                capacity = option.get("capacity")
                return int(capacity) if capacity is not None else None
        return None

    def has_capacities(self) -> bool:
        return any(option.get("capacity") is not None for option in self.options or [])

    def option_label(self, key: str, locale: str | None = None) -> str:
        """The label of option `key` in `locale`, falling back to the meeting's first language;
        the key itself for an option the question no longer has. Yes/no are labelled by the
        caller (the catalogues)."""
        found = self.translation(locale, OPTION_FIELD + key)
        if found is not None:
            return found
        for option in self.options or []:
            if option["key"] == key:
                return str(option["label"])
        return key

    def text_in(self, locale: str | None, field: str) -> Any:
        if field.startswith(OPTION_FIELD):
            return self.option_label(field[len(OPTION_FIELD) :], locale)
        return super().text_in(locale, field)


class RegistrationAnswer(db.Model):  # type: ignore[name-defined]
    __tablename__ = "registration_answers"
    __table_args__ = (
        # One row per question, or per chosen option; `option_key` is "" for typed answers,
        # so that the constraint holds on every database (NULLs are never equal).
        UniqueConstraint("participant_id", "question_id", "option_key"),
        # Places taken by a choice, and the list filtered by an answer.
        Index("ix_registration_answers_question_option", "question_id", "option_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="CASCADE")
    )
    option_key: Mapped[str] = mapped_column(String(60), default="")
    value: Mapped[str | None] = mapped_column(Text)
