"""The records behind each section of the press-release draft, as links to edit them: the
panel beside each section of the editor.

`meetapp.reports.press_release.draft_sources(meeting)` (and `facts_sources(facts)`) names the
records each section was composed from (`Source(kind, id, label)`); this module turns each
into a link to the page where the record is edited. A kind this module does not know is shown
as its label, without a link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask import url_for
from sqlalchemy import select

from meetapp.extensions import db
from meetapp.models import Meeting, Survey, SurveyQuestion
from meetapp.reports.press_release import PressReleaseFacts, facts_sources


class SourceLike(Protocol):
    """What the draft says of one record it was composed from."""

    @property
    def kind(self) -> str: ...

    @property
    def id(self) -> Any: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class SourceLink:
    kind: str
    label: str
    url: str | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


KIND_LABELS = {
    "meeting": "Meeting",
    "organisation": "Organisation",
    "statement": "Statement",
    "speaker": "Speaker",
    "session": "Session",
    "outcome": "Outcome",
    "contact": "Media contact",
    "partner": "Partner",
    "survey_question": "Survey question",
    "survey": "Survey",
    "participants": "Participants",
    "participant": "Participant",
    "stakeholder_group": "Stakeholder group",
}


def _question_keys(meeting: Meeting, ids: set[int]) -> dict[int, str]:
    """The survey key of each of these questions of the meeting (one query)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(SurveyQuestion.id, Survey.key)
        .join(Survey, SurveyQuestion.survey_id == Survey.id)
        .where(Survey.meeting_id == meeting.id, SurveyQuestion.id.in_(ids))
    )
    return {question_id: key for question_id, key in rows}


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def source_links(
    meeting: Meeting, sources: Mapping[str, Sequence[SourceLike]]
) -> dict[str, list[SourceLink]]:
    """Per section, each record it was composed from with the address of its edit page."""
    slug = meeting.slug
    question_ids = {
        number
        for items in sources.values()
        for source in items
        if source.kind == "survey_question" and (number := _as_int(source.id)) is not None
    }
    survey_keys = _question_keys(meeting, question_ids)

    def page(kind: str, number: int | None) -> str | None:
        by_id: dict[str, Callable[[int], str]] = {
            "statement": lambda n: url_for("agenda.statement_edit", slug=slug, statement_id=n),
            "speaker": lambda n: url_for("agenda.speaker_edit", slug=slug, speaker_id=n),
            "session": lambda n: url_for("agenda.session_edit", slug=slug, session_id=n),
            "contact": lambda n: url_for("outcomes.contact_edit", slug=slug, contact_id=n),
            "participant": lambda n: url_for("participants.edit", slug=slug, participant_id=n),
            "organisation": lambda n: url_for("meetings.organisation_edit", org_id=n),
        }
        if kind in ("meeting", "partner"):  # partners are recorded on the meeting's form
            return url_for("meetings.meeting_edit", slug=slug)
        if kind == "outcome":
            return url_for("outcomes.outcomes", slug=slug)
        if kind in ("participants", "stakeholder_group"):
            return url_for("participants.list", slug=slug)
        if kind == "survey_question" and number in survey_keys:
            return url_for(
                "surveys.question_edit", slug=slug, key=survey_keys[number], question_id=number
            )
        if kind in by_id and number is not None:
            return by_id[kind](number)
        return None

    return {
        section: [
            SourceLink(source.kind, source.label, page(source.kind, _as_int(source.id)))
            for source in items
        ]
        for section, items in sources.items()
    }


def editor_sources(meeting: Meeting, facts: PressReleaseFacts) -> dict[str, list[SourceLink]]:
    """The panel's links, from the draft's own account of its sources (`facts_sources`, on the
    facts the editor's draft was composed from: no second reading of the meeting)."""
    return source_links(meeting, facts_sources(facts))
