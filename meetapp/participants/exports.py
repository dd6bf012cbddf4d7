"""The participant list as a file (CSV, XLSX): the columns the CSV import reads, one row per
participant of the organiser's filtered list, streamed from the database (see `meetapp.exports`),
and a column per registration question.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import IO

from meetapp.exports import (
    CSV,
    XLSX,
    YIELD_PER,
    Export,
    csv_pieces,
    open_workbook,
    streamed,
    write_sheet,
)
from meetapp.formatting import to_zone
from meetapp.models import Meeting, Participant
from meetapp.participants.answers import ExportedAnswers, meeting_questions
from meetapp.participants.services import COLUMNS, ParticipantFilter, filtered_query
from meetapp.registration.questions import answers_of

# Rows whose answers are fetched at a time (one query each).
ANSWERS_CHUNK = YIELD_PER
# Columns named after a field of another name.
_FIELDS = {"stakeholder_group": "stakeholder_group_id"}


def export_rows(meeting: Meeting, filters: ParticipantFilter | None = None) -> Iterator[list[str]]:
    """The header, then one row of text per participant, in the list's order; after the
    import's columns, one per registration question, archived ones too (their answers are
    kept), whose answers are fetched a chunk of rows at a time."""
    keys = {group.id: group.key for group in meeting.stakeholder_groups}
    questions = meeting_questions(meeting.id)
    answers = ExportedAnswers(meeting, questions)
    yield [*COLUMNS, *answers.header()]
    query = filtered_query(meeting, filters or ParticipantFilter()).with_only_columns(
        Participant.id,
        *(getattr(Participant, _FIELDS.get(column, column)) for column in COLUMNS),
    )
    timezone = meeting.timezone
    rows = streamed(query)
    while chunk := list(islice(rows, ANSWERS_CHUNK)):
        given = answers_of(row.id for row in chunk) if questions else {}
        for row in chunk:
            yield [
                row.name,
                row.honorific or "",
                row.email,
                row.organisation or "",
                row.position or "",
                keys.get(row.stakeholder_group_id or 0, ""),
                row.country or "",
                " ".join(row.languages or []),
                row.status,
                "yes" if row.attended else "no",
                to_zone(row.registered_at, timezone).isoformat(timespec="seconds"),
                row.needs or "",
                *answers.cells(given.get(row.id, {})),
            ]


def participants_csv(meeting: Meeting, filters: ParticipantFilter | None = None) -> Export:
    """UTF-8 with a byte-order mark; formula-like cells neutralised (`csv_pieces`)."""
    return Export.text(
        f"{meeting.slug}-participants.csv",
        CSV,
        lambda: csv_pieces(export_rows(meeting, filters)),
    )


def participants_xlsx(meeting: Meeting, filters: ParticipantFilter | None = None) -> Export:
    """One sheet; every cell written as a string: text that looks like a formula stays text."""

    def write(out: IO[bytes]) -> None:
        workbook = open_workbook(out)
        write_sheet(workbook, "Participants", export_rows(meeting, filters))
        workbook.close()

    return Export.binary(f"{meeting.slug}-participants.xlsx", XLSX, write)
