"""Participants as organisers see them: the filtered list and its counts, check-in on the day,
and the CSV import (the exports are in `exports`).

Every query here is scoped to one meeting. Aggregates are GROUP BY queries and the list loads a
page with a fixed number of statements, whatever the number of participants.
"""

from __future__ import annotations

import csv as std_csv
import io
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_sqlalchemy.pagination import Pagination
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic import ValidationInfo as _Info
from sqlalchemy import ColumnElement, Select, case, func, insert, or_, select
from sqlalchemy.orm import joinedload

from meetapp.accounts.services import normalise_email
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import country_codes, folded, language_codes
from meetapp.locking import lock_meeting
from meetapp.models import Meeting, Participant, StakeholderGroup, Status, User
from meetapp.models.questions import RegistrationAnswer, RegistrationQuestion
from meetapp.models.registration import add_to_seat_counts, seat_change
from meetapp.participants.answers import AnswerReader, PlacesLeft, match_question
from meetapp.registration.questions import (
    Answer,
    answer_condition,
    answer_counts,
    answer_rows,
    form_questions,
)
from meetapp.registration.services import NEEDS_MAX_LENGTH, free_seats
from meetapp.validation import (
    SINGLE_LINE_CHECK,
    YEAR_MESSAGE,
    has_control_characters,
    plausible_date,
    without_control_characters,
)

MAX_SEARCH_LENGTH = 200
MAX_EMAIL_LENGTH = 254
NO_GROUP = "none"
CHECKIN_RESULTS_LIMIT = 30
MAX_PAGE = 1_000_000  # beyond any real list; keeps OFFSET within every database's integers
MAX_IMPORT_CHARS = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# Far more than the known columns and the empty ones a spreadsheet adds after them.
MAX_IMPORT_COLUMNS = 100

COLUMNS = (
    "name",
    "honorific",
    "email",
    "organisation",
    "position",
    "stakeholder_group",
    "country",
    "languages",
    "status",
    "attended",
    "registered_at",
    "needs",
)
STATUSES = tuple(status.value for status in Status)


# --- the list ------------------------------------------------------------------------------


@dataclass
class ParticipantFilter:
    """What the organiser narrowed the list to; None means "any"."""

    status: str | None = None
    group_id: int | None = None
    no_group: bool = False
    attended: bool | None = None
    search: str | None = None
    # (question id, option key): people who chose the option; the key `answers.ANSWERED`:
    # people who answered the question at all.
    answer: tuple[int, str] | None = None
    sort: str = "registered"


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text`, taken literally (% and _ are no wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def search_condition(text: str, *, with_email: bool = True) -> ColumnElement[bool]:
    """Name or organisation (or e-mail) contains `text`, regardless of case and accents:
    "elise" finds "Élise", "nguyen" finds "Nguyễn", however the accents were typed."""
    # Control characters are in no stored text, and PostgreSQL refuses to compare a NUL.
    text = without_control_characters(text)[:MAX_SEARCH_LENGTH]
    condition = _contains(Participant.search_text, folded(text))
    if with_email:
        condition = or_(
            condition,
            _contains(Participant.email_normalized, unicodedata.normalize("NFC", text).lower()),
        )
    return condition


def filtered_query(meeting: Meeting, filters: ParticipantFilter) -> Select[Participant]:
    query = select(Participant).where(Participant.meeting_id == meeting.id)
    if filters.status:
        query = query.where(Participant.status == filters.status)
    if filters.no_group:
        query = query.where(Participant.stakeholder_group_id.is_(None))
    elif filters.group_id is not None:
        query = query.where(Participant.stakeholder_group_id == filters.group_id)
    if filters.attended is not None:
        query = query.where(Participant.attended.is_(filters.attended))
    if filters.search:
        query = query.where(search_condition(filters.search))
    if filters.answer is not None:
        query = query.where(answer_condition(*filters.answer))
    if filters.sort == "name":
        return query.order_by(Participant.search_text, Participant.id)
    return query.order_by(Participant.registered_at, Participant.id)


def list_participants(
    meeting: Meeting, filters: ParticipantFilter, page: int, per_page: int
) -> Pagination:
    """One page of the filtered list (two statements: the count and the page, with who
    checked each person in joined)."""
    return db.paginate(
        filtered_query(meeting, filters).options(joinedload(Participant.checked_in_by)),
        page=min(max(page, 1), MAX_PAGE),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
        count=True,
    )


def waitlist_places(meeting: Meeting, participant_ids: Sequence[int]) -> dict[int, int]:
    """Place on the waiting list (1 = next to get a seat) of those of `participant_ids` who are
    waitlisted, in one statement."""
    if not participant_ids:
        return {}
    ranked = (
        select(
            Participant.id.label("id"),
            func.row_number()
            .over(order_by=(Participant.registered_at, Participant.id))
            .label("place"),
        )
        .where(Participant.meeting_id == meeting.id, Participant.status == Status.WAITLISTED)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(list(participant_ids)))
    )
    return {row.id: row.place for row in rows}


@dataclass
class GroupCount:
    group: StakeholderGroup | None
    by_status: dict[str, int]

    @property
    def active(self) -> int:
        """Registered plus waitlisted: the people still expected."""
        return self.by_status.get(Status.REGISTERED, 0) + self.by_status.get(Status.WAITLISTED, 0)


@dataclass
class ParticipantCounts:
    by_status: dict[str, int]
    by_group: list[GroupCount]
    attended: int
    total: int

    @property
    def registered(self) -> int:
        return self.by_status.get(Status.REGISTERED, 0)


def participant_counts(meeting: Meeting) -> ParticipantCounts:
    """Counts by stakeholder group and status, and how many came: one GROUP BY statement."""
    rows = db.session.execute(
        select(
            Participant.stakeholder_group_id,
            Participant.status,
            func.count(Participant.id),
            func.sum(case((Participant.attended.is_(True), 1), else_=0)),
        )
        .where(Participant.meeting_id == meeting.id)
        .group_by(Participant.stakeholder_group_id, Participant.status)
    ).all()
    by_status = dict.fromkeys(STATUSES, 0)
    by_group_id: dict[int | None, dict[str, int]] = {}
    attended = 0
    for group_id, status, count, came in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_group_id.setdefault(group_id, dict.fromkeys(STATUSES, 0))[status] = count
        attended += int(came or 0)
    by_group = [
        GroupCount(group, by_group_id.get(group.id, dict.fromkeys(STATUSES, 0)))
        for group in meeting.stakeholder_groups
    ]
    if None in by_group_id:
        by_group.append(GroupCount(None, by_group_id[None]))
    return ParticipantCounts(by_status, by_group, attended, sum(by_status.values()))


def find_participant(
    meeting: Meeting, participant_id: int, *, with_checker: bool = False
) -> Participant | None:
    """The participant with this id if it belongs to `meeting`; `with_checker` loads who
    checked them in too (in the same statement), for a page that shows it."""
    if not 0 < participant_id < 2**31:  # a forged id beyond the column's range matches nobody
        return None
    query = select(Participant).where(
        Participant.id == participant_id, Participant.meeting_id == meeting.id
    )
    if with_checker:
        query = query.options(joinedload(Participant.checked_in_by))
    return db.session.scalar(query)


def form_data(participant: Participant) -> dict[str, Any]:
    """A participant's details, keyed like the add/edit form's fields."""
    return {
        "name": participant.name,
        "email": participant.email,
        "honorific": participant.honorific or "",
        "organisation": participant.organisation or "",
        "position": participant.position or "",
        "stakeholder_group": participant.stakeholder_group_id,
        "country": participant.country or "",
        "languages": list(participant.languages or []),
        "needs": participant.needs or "",
    }


# --- check-in ------------------------------------------------------------------------------


@dataclass
class CheckinCounts:
    checked_in: int
    registered: int


def checkin_counts(meeting: Meeting) -> CheckinCounts:
    row = db.session.execute(
        select(
            func.count(Participant.id),
            func.sum(case((Participant.attended.is_(True), 1), else_=0)),
        ).where(Participant.meeting_id == meeting.id, Participant.status == Status.REGISTERED)
    ).one()
    return CheckinCounts(checked_in=int(row[1] or 0), registered=int(row[0] or 0))


def checkin_search(meeting: Meeting, text: str) -> list[Participant]:
    """Participants whose name or organisation contains `text`; registered ones first, with
    who checked them in (joined: the results stay one statement)."""
    text = without_control_characters(text).strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return []
    query = (
        select(Participant)
        .options(joinedload(Participant.checked_in_by))
        .where(Participant.meeting_id == meeting.id, search_condition(text, with_email=False))
        .order_by(
            case((Participant.status == Status.REGISTERED, 0), else_=1),
            Participant.search_text,
            Participant.id,
        )
        .limit(CHECKIN_RESULTS_LIMIT + 1)
    )
    return list(db.session.scalars(query))


def mark_attended(
    participant: Participant, attended: bool, *, by: User, now: datetime | None = None
) -> Participant:
    """Check a registered participant in (or undo it). Waitlisted and cancelled people hold no
    seat and cannot be checked in.

    `by` is the user at the desk: with several people checking in, the organisers can see who
    let someone in. A second check-in of someone already in keeps the first time and the first
    checker (it is a double click or a second desk, not a new arrival); an undo clears both.
    """
    if attended:
        if participant.status != Status.REGISTERED:
            state = (
                "on the waiting list" if participant.status == Status.WAITLISTED else "cancelled"
            )
            raise DomainError(
                f"{participant.name} is {state}: only registered participants can be checked in."
            )
        if not participant.attended:
            participant.attended = True
            participant.checked_in_at = now or utcnow()
            participant.checked_in_by_id = by.id
    else:
        participant.attended = False
        participant.checked_in_at = None
        participant.checked_in_by_id = None
    db.session.flush()
    return participant


# --- import --------------------------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


# The fields of the registration form, with its rules: `needs` alone may hold line breaks.
_Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    SINGLE_LINE_CHECK,
]
_Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EMAIL_LENGTH),
    SINGLE_LINE_CHECK,
]
_Honorific = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=50), SINGLE_LINE_CHECK
]
_Organisation = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), SINGLE_LINE_CHECK
]
_Position = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE_CHECK
]
_Needs = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NEEDS_MAX_LENGTH)]


class ImportedRow(BaseModel):
    """One CSV row. Validation context: `groups` (lower-cased key or label -> group id) and
    `timezone` (for registered_at without an offset)."""

    model_config = ConfigDict(extra="forbid")

    name: _Name
    email: _Email
    honorific: _Honorific = ""
    organisation: _Organisation = ""
    position: _Position = ""
    stakeholder_group: int | None = None
    country: str | None = None
    languages: list[str] = Field(default_factory=list)
    status: str | None = None
    attended: bool = False
    registered_at: datetime | None = None
    needs: _Needs = ""

    @field_validator("stakeholder_group", mode="before")
    @classmethod
    def _group(cls, value: Any, info: _Info) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        groups: dict[str, int] = (info.context or {}).get("groups", {})
        found = groups.get(text.lower())
        if found is None:
            raise ValueError(f"unknown stakeholder group {text[:60]!r}")
        return found

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str | None:
        text = str(value or "").strip().upper()
        if not text:
            return None
        if text not in country_codes():
            raise ValueError(f"unknown country code {text[:20]!r} (use ISO 3166 codes, e.g. KH)")
        return text

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> list[str]:
        codes = [code.lower() for code in str(value or "").replace(",", " ").split()]
        unknown = [code for code in codes if code not in language_codes()]
        if unknown:
            shown = ", ".join(repr(code[:20]) for code in unknown[:5])
            raise ValueError(f"unknown language code {shown} (use ISO 639-1 codes, e.g. km)")
        return list(dict.fromkeys(codes))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str | None:
        text = str(value or "").strip().lower()
        if not text:
            return None
        if text not in STATUSES:
            raise ValueError(f"unknown status {text[:30]!r} (registered, waitlisted or cancelled)")
        return text

    @field_validator("attended", mode="before")
    @classmethod
    def _attended(cls, value: Any) -> bool:
        text = str(value or "").strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise ValueError("use yes or no")

    @field_validator("registered_at", mode="before")
    @classmethod
    def _registered_at(cls, value: Any, info: _Info) -> datetime | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError("not a date and time (use e.g. 2019-02-18T09:00:00+07:00)") from exc
        if not plausible_date(moment):
            raise ValueError(YEAR_MESSAGE)
        if moment.tzinfo is None:
            # A time without an offset is read in the meeting's time zone.
            try:
                zone = ZoneInfo((info.context or {}).get("timezone") or "UTC")
            except (ZoneInfoNotFoundError, ValueError):
                zone = ZoneInfo("UTC")
            moment = moment.replace(tzinfo=zone)
        return moment


def _describe(error: Any) -> str:
    column = str(error["loc"][0]) if error.get("loc") else "row"
    kind = error.get("type")
    context = error.get("ctx") or {}
    if kind in ("missing", "string_too_short"):
        return f"{column}: required"
    if kind == "string_too_long":
        return f"{column}: too long (at most {context.get('max_length')} characters)"
    message = str(error.get("msg", "invalid"))
    return f"{column}: {message.removeprefix('Value error, ')}"


@dataclass
class ImportLine:
    """One data row of the file as the preview shows it."""

    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    row: ImportedRow | None = None
    email_normalized: str = ""
    status: str | None = None  # what the row will get
    # The cells of the registration questions' columns, by question id, and the answers read
    # from them.
    answer_cells: dict[int, str] = field(default_factory=dict)
    answers: dict[int, Answer] = field(default_factory=dict)


@dataclass
class ImportPreview:
    lines: list[ImportLine] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: int = 0
    # The registration questions the file has a column for, in the form's order.
    questions: list[RegistrationQuestion] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[ImportLine]:
        return [line for line in self.lines if line.problems]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.lines) and not self.bad_lines

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if not line.problems and line.status == status)


def decode_upload(raw: bytes, filename: str | None) -> str:
    """The text of an uploaded CSV file; DomainError (for the file field) when it is not one."""
    name = (filename or "").lower()
    if not name.endswith((".csv", ".txt")):
        raise DomainError(
            "Choose a CSV file (.csv). Spreadsheets: save as “CSV UTF-8” first.", field="file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            "This file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
            field="file",
        ) from exc
    if "\x00" in text:
        raise DomainError("This does not look like a CSV file.", field="file")
    if not text.strip():
        raise DomainError("The file is empty.", field="file")
    return text


def _unescape(value: str) -> str:
    """Undo the neutralising quote that our CSV export puts before formula-like cells."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@|%":
        return value[1:].replace("\\|", "|")
    return value


def _delimiter(text: str) -> str:
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_lines(
    text: str, preview: ImportPreview, questions: Sequence[RegistrationQuestion]
) -> list[ImportLine]:
    reader = std_csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(text)
    )
    try:
        header = next(reader, None)
        if header is None:
            preview.file_errors.append("The file is empty.")
            return []
        if len(header) > MAX_IMPORT_COLUMNS:
            preview.file_errors.append(
                f"The header has {len(header):,} columns; a participants file has at most "
                f"{MAX_IMPORT_COLUMNS}. Known columns: {', '.join(COLUMNS)}."
            )
            return []
        columns = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in header]
        columns = ["email" if column == "e_mail" else column for column in columns]
        # A column that is none of the known ones may be a registration question's, named by
        # its key or its label: its cells go to the line's `answer_cells`, by question.
        asked: dict[int, int] = {}  # column index -> question id
        for index, column in enumerate(columns):
            if not column or column in COLUMNS:
                continue
            question = match_question(header[index], questions) or match_question(column, questions)
            if question is None:
                continue
            if question.archived_at is not None:
                preview.file_errors.append(
                    f"The column {header[index].strip()[:60]!r} holds the answers to a removed "
                    "question: leave it out, or restore the question on the Registration "
                    "questions page first."
                )
            asked[index] = question.id
            columns[index] = ""
        unknown = [column for column in columns if column and column not in COLUMNS]
        if unknown:
            preview.file_errors.append(
                "Unknown column(s) in the header: "
                + ", ".join(repr(column[:40]) for column in unknown[:10])
                + ". Known columns: "
                + ", ".join(COLUMNS)
                + (
                    ", and the key or the wording of each registration question"
                    if questions
                    else ""
                )
                + "."
            )
        named = Counter(column for column in columns if column)
        duplicated = sorted(column for column, times in named.items() if times > 1)
        by_question = Counter(asked.values())
        duplicated += [
            question.label for question in questions if by_question.get(question.id, 0) > 1
        ]
        if duplicated:
            preview.file_errors.append("Repeated column(s) in the header: " + ", ".join(duplicated))
        preview.questions = [question for question in questions if question.id in by_question]
        missing = [column for column in ("name", "email") if column not in columns]
        if missing:
            preview.file_errors.append(
                "The first line must be a header naming the columns; "
                + " and ".join(missing)
                + " are required."
            )
        if preview.file_errors:
            return []
        lines: list[ImportLine] = []
        previous = reader.line_num
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                column: _unescape(cells[index]) if index < len(cells) else ""
                for index, column in enumerate(columns)
                if column
            }
            line = ImportLine(line=start, values=values)
            line.answer_cells = {
                question_id: _unescape(cells[index]) if index < len(cells) else ""
                for index, question_id in asked.items()
            }
            if len(cells) > len(columns):
                line.problems.append(
                    f"{len(cells)} cells but the header names {len(columns)} columns"
                )
            lines.append(line)
            if len(lines) > MAX_IMPORT_ROWS:
                preview.file_errors.append(
                    f"Too many rows: import at most {MAX_IMPORT_ROWS} participants at a time."
                )
                return []
        if not lines:
            preview.file_errors.append("The file has a header but no participants.")
        return lines
    except std_csv.Error as exc:
        preview.file_errors.append(
            f"The file could not be read as CSV (line {reader.line_num}): {exc}"
        )
        return []


def check_import(meeting: Meeting, text: str) -> ImportPreview:
    """Validate every row and work out the status each good row will get; writes nothing.

    Seats are handed out in file order: rows without a status are registered while seats
    remain, then waitlisted; a row that says `registered` needs a free seat. So are the places
    of limited options, to the rows that are not cancelled: the import, though an organiser's,
    takes no more than are left (the organiser raises an option's places to take more).
    Answers are read from the registration questions' columns (`answers.AnswerReader`).
    """
    preview = ImportPreview()
    if len(text) > MAX_IMPORT_CHARS:
        preview.file_errors.append("The file is too large.")
        return preview
    questions = form_questions(meeting.id, archived=True)
    preview.lines = _read_lines(text, preview, questions)
    if preview.file_errors:
        preview.lines = []
        return preview
    reader = AnswerReader(meeting, preview.questions) if preview.questions else None
    places = PlacesLeft(
        preview.questions, answer_counts(question.id for question in preview.questions)
    )
    group_names = {group.id: group.label for group in meeting.stakeholder_groups}

    groups: dict[str, int] = {}
    for group in meeting.stakeholder_groups:
        groups[group.label.lower()] = group.id
    for group in meeting.stakeholder_groups:
        groups[group.key.lower()] = group.id
    context = {"groups": groups, "timezone": meeting.timezone}
    existing = {
        email: status
        for email, status in db.session.execute(
            select(Participant.email_normalized, Participant.status).where(
                Participant.meeting_id == meeting.id
            )
        )
    }
    seen: dict[str, int] = {}
    seats = free_seats(meeting)
    for line in preview.lines:
        try:
            line.row = ImportedRow.model_validate(line.values, context=context)
        except ValidationError as exc:
            line.problems.extend(_describe(error) for error in exc.errors())
        line.problems.extend(
            f"{column}: contains invisible control characters; remove them"
            for column, value in line.values.items()
            if has_control_characters(value)
        )
        email = line.values.get("email", "").strip()
        if email and len(email) <= MAX_EMAIL_LENGTH:
            try:
                normalized = normalise_email(email)
            except DomainError as error:
                reason = error.__cause__ or error
                line.problems.append(f"email: not a valid e-mail address ({reason})")
            else:
                line.email_normalized = normalized
                if normalized in seen:
                    line.problems.append(f"email: the same address is on line {seen[normalized]}")
                else:
                    seen[normalized] = line.line
                if normalized in existing:
                    line.problems.append(f"email: already in this meeting ({existing[normalized]})")
        if reader is not None and line.row is not None:
            line.answers, problems = reader.read(
                line.answer_cells, line.row.stakeholder_group, group_names
            )
            line.problems.extend(problems)
        if line.row is None or line.problems:
            continue
        status = line.row.status
        if status is None:
            status = Status.REGISTERED if seats is None or seats > 0 else Status.WAITLISTED
        elif status == Status.REGISTERED and seats is not None and seats <= 0:
            line.problems.append(
                f"status: no seat left for another registered participant "
                f"(capacity {meeting.capacity})"
            )
            continue
        if line.row.attended and status != Status.REGISTERED:
            line.problems.append(f"attended: a {status} participant cannot have attended")
            continue
        # A choice's places are held by registered and waitlisted people, as on the form.
        if line.answers and status != Status.CANCELLED:
            full = places.take(line.answers)
            if full:
                line.problems.extend(full)
                continue
        if status == Status.REGISTERED and seats is not None:
            seats -= 1
        line.status = str(status)
    return preview


def import_participants(
    meeting: Meeting, text: str, *, now: datetime | None = None
) -> ImportPreview:
    """Check the file again under the meeting lock (under which the places of limited options
    are counted, as the seats are) and, only when every row is good, add them all, and then
    their answers, each in one bulk statement. The caller commits (or rolls back) the one
    transaction."""
    now = now or utcnow()
    meeting = lock_meeting(meeting.id)
    preview = check_import(meeting, text)
    if not preview.ok:
        return preview
    rows: list[dict[str, Any]] = []
    for offset, line in enumerate(preview.lines):
        row = line.row
        if row is None:  # check_import leaves no row unparsed when the preview is ok
            raise RuntimeError(f"line {line.line} was not checked")
        # A microsecond apart, so rows without a date keep their file order on the waiting list.
        registered_at = row.registered_at or now + timedelta(microseconds=offset)
        rows.append(
            {
                "meeting_id": meeting.id,
                "name": row.name,
                "honorific": row.honorific or None,
                "email": row.email,
                "email_normalized": line.email_normalized,
                "organisation": row.organisation or None,
                "position": row.position or None,
                "stakeholder_group_id": row.stakeholder_group,
                "country": row.country,
                "languages": row.languages,
                "needs": row.needs or None,
                "status": line.status,
                "attended": row.attended,
                "checked_in_at": None,
                # Marked attended from a file, not at the desk: nobody checked them in here.
                "checked_in_by_id": None,
                "registered_at": registered_at,
                "cancelled_at": now if line.status == Status.CANCELLED else None,
                "updated_at": now,
            }
        )
    # One executemany: thousands of rows are written in a moment, and all or none of them.
    # (The table's insert, not the ORM's: that one splits rows whose empty columns differ.)
    answered = [line for line in preview.lines if line.answers]
    if not answered:
        db.session.execute(insert(Participant.__table__), rows)
    else:
        # The new ids, by address (unique within the meeting), for the answers' rows.
        ids = {
            email: participant_id
            for email, participant_id in db.session.execute(
                insert(Participant.__table__).returning(
                    Participant.email_normalized, Participant.id
                ),
                rows,
            ).all()
        }
        db.session.execute(
            insert(RegistrationAnswer.__table__),
            [
                answer_row
                for line in answered
                for answer_row in answer_rows(
                    ids[line.email_normalized], preview.questions, line.answers
                )
            ],
        )
    add_to_seat_counts(db.session(), meeting.id, seat_change(rows))
    preview.written = len(rows)
    return preview
