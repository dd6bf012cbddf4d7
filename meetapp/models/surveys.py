"""Post-meeting surveys: questions, invitations with personal links, responses and answers.

One response per invitation is enforced by the database twice over: `survey_invitation_uses`
has the invitation as its primary key (inserted with the first submission), and a tracked
survey's responses are unique per participant (an anonymous survey's, per `edit_key`). An
anonymous survey's responses carry neither a participant nor an invitation: the use table
records only *that* an invitation was used.

An anonymous response can still be changed by whoever holds the link it was given through: it
keeps `edit_key`, an HMAC of that link's token under the app's secret key. The invitation side
keeps the SHA-256 of the token; neither can be computed from the other without the token
itself, which the database does not hold.

An anonymous survey's results are published in batches (`meetapp.surveys.batches`): a new
response waits, unpublished, with its answers in `pending_answers`, until `batch_size` new
responses are in; a change to a published response waits there too. `survey_answers` holds only
published answers, so every figure read from it is of published responses only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sql_text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db
from meetapp.i18n import N_
from meetapp.keys import key_from_text, unique_key
from meetapp.models.texts import Translatable

if TYPE_CHECKING:
    from meetapp.models.registration import Participant

SURVEY_TITLE_MAX = 300
SURVEY_INTRO_MAX = 5000
QUESTION_TEXT_MAX = 1000
OPTION_MAX = 200
OPTIONS_MAX_COUNT = 50
TEXT_ANSWER_MAX = 5000
KEY_MAX = 50
# An anonymous survey's results appear, and then change, only `batch_size` new answers at a time.
# Never fewer than 3: with 2, each of the two could take their own answers away from the batch
# and read the other's.
BATCH_SIZE_DEFAULT = 5
BATCH_SIZE_MIN = 3
BATCH_SIZE_MAX = 500
# The open link (`meetapp.surveys.open_link`): its path key, and the code that may guard it.
OPEN_KEY_LENGTH = 10
OPEN_CODE_MIN = 3
OPEN_CODE_MAX = 20


class QuestionKind(enum.StrEnum):
    LIKERT = "likert"  # 5-point agree scale
    RATING = "rating"  # 1-5
    NPS = "nps"  # 0-10
    SINGLE = "single"
    MULTIPLE = "multiple"
    YES_NO = "yes_no"
    TEXT = "text"
    GRID = "grid"  # one scale (GRID_SCALES) over several rows


class SurveyState(enum.StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


LIKERT_VALUES = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
LIKERT_LABELS = {
    "strongly_disagree": N_("Strongly disagree"),
    "disagree": N_("Disagree"),
    "neutral": N_("Neither agree nor disagree"),
    "agree": N_("Agree"),
    "strongly_agree": N_("Strongly agree"),
}
# The scales a grid question's rows are answered on: agreement (LIKERT_VALUES) or a rating from
# 1 to 5. Either way each row's answer is stored as a number from 1 to 5 (see `SurveyAnswer`).
GRID_SCALES = ("likert", "rating")
GRID_SCALE_MAX = 5
YES_NO_VALUES = ("yes", "no")
YES_NO_LABELS = {"yes": N_("Yes"), "no": N_("No")}
# The kinds whose options the organiser lists, for the translations page: `Kind.has_options`
# (`meetapp.surveys.kinds`) says the same, and a test keeps the two in step. A grid question's
# rows are its options.
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.GRID)


# The prefix of an option's label in `translations` ("option:<option key>").
OPTION_FIELD = "option:"
OPTION_KEY_FALLBACK = "option"


def option_key_for(label: str, taken: Iterable[str]) -> str:
    """The key a new option with `label` gets: a slug of the label ("Civil society" ->
    'civil-society'; a label without Latin letters or digits, 'option'), made unique among the
    question's keys (`taken`) with -2, -3 ... It never changes afterwards, whatever the label
    becomes, so the answers that name it stay attached."""
    return unique_key(key_from_text(label, KEY_MAX, OPTION_KEY_FALLBACK), taken)


def derive_option_keys(labels: Iterable[str]) -> list[str]:
    """The keys options with `labels` get when they are created together, in order (what an
    imported document without `option_keys` gives)."""
    keys: list[str] = []
    for label in labels:
        keys.append(option_key_for(label, keys))
    return keys


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Survey(Translatable, db.Model):  # type: ignore[name-defined]
    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("meeting_id", "key"),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at >= opens_at", name="window"
        ),
        CheckConstraint(
            f"batch_size >= {BATCH_SIZE_MIN} AND batch_size <= {BATCH_SIZE_MAX}", name="batch_size"
        ),
    )

    TRANSLATED = ("title", "intro")

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    title: Mapped[str] = mapped_column(String(SURVEY_TITLE_MAX))
    intro: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(default=False)
    # Anonymous surveys: how many new answers make a batch of results (see the module's doc).
    batch_size: Mapped[int] = mapped_column(
        default=BATCH_SIZE_DEFAULT, server_default=str(BATCH_SIZE_DEFAULT)
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Published results (`meetapp.surveys.publication`): whether the public results page is on,
    # the keys of the questions whose figures it shows (free-text questions never as a whole:
    # their answers are chosen one by one, `SurveyAnswer.published_text`), and whether it
    # breaks the figures down by stakeholder group. Nothing is public unless chosen.
    results_published: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    published_questions: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=sql_text("'[]'")
    )
    published_by_group: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The open link for the room (`meetapp.surveys.open_link`): whether it takes answers; the
    # key of its address `/o/<open_key>` (made when it is first turned on, and kept, so that a
    # printed code keeps working when it is turned on again); the code that guards it, as the
    # organiser wrote it (said aloud in the room, so shown to organisers; never exported);
    # and whether its answers count in the results with those given through invitations.
    open_link: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    open_key: Mapped[str | None] = mapped_column(String(OPEN_KEY_LENGTH), unique=True)
    open_code: Mapped[str | None] = mapped_column(String(OPEN_CODE_MAX))
    open_counts_with_invited: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey",
        order_by="SurveyQuestion.position, SurveyQuestion.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    def state(self, now: datetime) -> SurveyState:
        if self.opens_at is not None and now < self.opens_at:
            return SurveyState.NOT_OPEN
        if self.closes_at is not None and now > self.closes_at:
            return SurveyState.CLOSED
        return SurveyState.OPEN


class SurveyQuestion(Translatable, db.Model):  # type: ignore[name-defined]
    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "key"),
        CheckConstraint(_in("kind", QuestionKind), name="kind"),
        # A grid question has a scale, and no other question has one. (IS NOT NULL: a NULL
        # scale would make the IN unknown, which a CHECK lets through.)
        CheckConstraint(
            f"(kind = '{QuestionKind.GRID.value}' AND scale IS NOT NULL"
            f" AND {_in('scale', GRID_SCALES)})"
            f" OR (kind <> '{QuestionKind.GRID.value}' AND scale IS NULL)",
            name="scale",
        ),
        Index("ix_survey_questions_survey_position", "survey_id", "position"),
    )

    TRANSLATED = ("text",)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(QUESTION_TEXT_MAX))
    required: Mapped[bool] = mapped_column(default=False)
    # The organiser allows the question's figure in the press release ("rated the meeting's
    # usefulness 4.5 out of 5"); no question is quoted unless marked.
    quotable_in_release: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The offered options of single and multiple choice questions, in order, as
    # {"key": ..., "label": ...}; [] otherwise. The label is in the meeting's first language
    # (other languages: `translations`, "option:<key>"); answers store the key, which never
    # changes (`option_key_for`), so a label can be reworded or translated without losing them.
    # A grid question's rows are its options (translated and kept by key the same way).
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # A grid question's scale (one of GRID_SCALES); NULL for every other kind.
    scale: Mapped[str | None] = mapped_column(String(20))
    # Shown only when an earlier question's answer matches: {"question": <its key>, "op": "is",
    # "is_not", "any_of", "at_least" or "at_most", "value": <a stored value, or a list of them
    # for any_of>}; NULL: always shown (`meetapp.surveys.conditions`).
    show_if: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    survey: Mapped[Survey] = relationship(back_populates="questions", lazy="raise")

    def option_keys(self) -> list[str]:
        return [option["key"] for option in self.options or []]

    def option_labels(self) -> list[str]:
        """The options' labels in the meeting's first language, in order."""
        return [option["label"] for option in self.options or []]

    def option_label(self, key: str, locale: str | None = None) -> str:
        """The label of option `key` in `locale`, falling back to the meeting's first language;
        the key itself for an option the question no longer has."""
        found = self.translation(locale, OPTION_FIELD + key)
        if found is not None:
            return found
        for option in self.options or []:
            if option["key"] == key:
                return option["label"]
        return key

    def text_in(self, locale: str | None, field: str) -> Any:
        """As `Translatable.text_in`, and "option:<key>" gives that option's label."""
        if field.startswith(OPTION_FIELD):
            return self.option_label(field[len(OPTION_FIELD) :], locale)
        return super().text_in(locale, field)

    def choices(self) -> list[tuple[str, str]]:
        """(stored value, label) of every answer the question offers: a choice question's are
        (option key, label in the meeting's first language); a free-text question has none.
        Its kind says (`meetapp.surveys.kinds`)."""
        from meetapp.surveys.kinds import kind_of  # the kinds build on these models

        return kind_of(self.kind).choices(self)

    def choices_in(self, locale: str | None) -> list[tuple[str, str]]:
        """`choices`, with a choice question's labels in `locale` (falling back to the
        meeting's first language). Likert and yes/no labels stay the catalogue's texts, which
        the caller translates."""
        from meetapp.surveys.kinds import kind_of

        return kind_of(self.kind).choices_in(self, locale)

    @property
    def has_options(self) -> bool:
        """Whether the organiser lists the question's options (its kind says)."""
        from meetapp.surveys.kinds import kind_of

        return kind_of(self.kind).has_options


class SurveyInvitation(db.Model):  # type: ignore[name-defined]
    """A participant asked to answer a survey; their personal links are in `survey_tokens`."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last e-mail (invitation or reminder) queued for it, whose status the organiser sees.
    last_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    reminders: Mapped[int] = mapped_column(default=0)

    participant: Mapped[Participant] = relationship(lazy="raise")


class SurveyToken(db.Model):  # type: ignore[name-defined]
    """One personal link of an invitation (a reminder adds one; earlier links keep working).

    Only the SHA-256 of the token is stored.
    """

    __tablename__ = "survey_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyInvitationUse(db.Model):  # type: ignore[name-defined]
    """That an invitation was used to answer: nothing else (no time, no response)."""

    __tablename__ = "survey_invitation_uses"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="CASCADE"), primary_key=True
    )


class SurveyResponse(db.Model):  # type: ignore[name-defined]
    __tablename__ = "survey_responses"
    __table_args__ = (
        # One response per participant (tracked surveys); NULLs (anonymous) are all distinct.
        UniqueConstraint("survey_id", "participant_id"),
        Index("ix_survey_responses_survey", "survey_id", "id"),
        # An unpublished response has its answers waiting.
        CheckConstraint("published OR pending_answers IS NOT NULL", name="waits_with_answers"),
        # An answer through the open link names no one.
        CheckConstraint("NOT via_open_link OR participant_id IS NULL", name="open_names_no_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    # The respondent's stakeholder group when they answered (tracked surveys only; NULL in an
    # anonymous survey, where even a group could single a person out).
    stakeholder_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language of the page the answers were given on (a shipped locale code), so results
    # say how many answered in each language and free text is read as written. NULL: unknown
    # (imported, or given before languages were recorded).
    language: Mapped[str | None] = mapped_column(String(12))
    # Anonymous surveys: HMAC-SHA256(SECRET_KEY, "survey-answer:" + token) in hex, of the link
    # the answers were given through, so that the same link finds them again to change them
    # (`services.answer_key`). A response given through the open link, in any survey: the HMAC
    # of the browser's own key (`open_link.browser_answer_key`), whose uniqueness lets each
    # browser answer once. NULL otherwise, and for imported responses.
    edit_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    # Whether it counts in the results. Tracked and imported responses are published at once;
    # an anonymous one given through a link, with the batch it belongs to.
    published: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Anonymous surveys: the answers (question key -> value, as `services.check_answers` gives
    # them) of a response not published yet, or the change to a published one, waiting for the
    # next batch; NULL when nothing waits.
    pending_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Given through the survey's open link rather than a personal one: it names no participant
    # and no group, whatever the survey (`meetapp.surveys.open_link`); the results count it
    # only when the survey says so (`Survey.open_counts_with_invited`).
    via_open_link: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    answers: Mapped[list[SurveyAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class SurveyAnswer(db.Model):  # type: ignore[name-defined]
    """One answer value: a choice (likert, yes_no, single, one row per option of multiple),
    a number (rating, nps) or a text; or one row of a grid question, whose choice is the row's
    key and number the point of the scale (1-5) chosen for it.

    A grid's rows need no column of their own: the row key in `choice` keeps one answer per
    row and response (the unique constraint below), the results' GROUP BY over (question,
    group, choice, number) already counts each scale point per row, and an answered row
    cannot be removed by the same check that keeps a chosen option (`answer_counts`)."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint(
            "(choice IS NOT NULL AND number IS NULL AND text IS NULL)"
            " OR (choice IS NULL AND number IS NOT NULL AND text IS NULL)"
            " OR (choice IS NULL AND number IS NULL AND text IS NOT NULL)"
            # A grid question's row: its key and the point of the scale.
            " OR (choice IS NOT NULL AND number IS NOT NULL AND text IS NULL)",
            name="one_value",
        ),
        CheckConstraint("number IS NULL OR (number >= 0 AND number <= 10)", name="number_range"),
        CheckConstraint(f"text IS NULL OR length(text) <= {TEXT_ANSWER_MAX}", name="text_length"),
        UniqueConstraint("response_id", "question_id", "choice"),
        # The results are GROUP BY scans of these indexes, without a sort and without a join,
        # however many responses there are.
        Index("ix_survey_answers_question", "question_id", "choice", "number"),
        Index("ix_survey_answers_question_response", "question_id", "response_id"),
        # The respondents of a multiple-choice or text question, per stakeholder group.
        Index(
            "ix_survey_answers_question_group_response",
            "question_id",
            "stakeholder_group_id",
            "response_id",
        ),
        Index(
            "ix_survey_answers_question_group",
            "question_id",
            "stakeholder_group_id",
            "choice",
            "number",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    # A copy of the response's stakeholder group, so that the breakdown by group needs no join.
    stakeholder_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id", ondelete="SET NULL")
    )
    choice: Mapped[str | None] = mapped_column(String(OPTION_MAX))
    number: Mapped[int | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)
    # A free-text answer the organiser chose, by itself, for the published results page. A
    # changed answer is written anew, unchosen: its new wording was never approved.
    published_text: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
