"""Import of whole meetings in the `meetapp/1` JSON format (the export is in `export`).

An import is all or nothing: the document is checked completely (shape by the pydantic models
in `schema`, then the rules that span fields or need the database) and every problem is
reported by its JSON path before a single row is added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from meetapp.agenda.services import KEY_LENGTH
from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.interchange.schema import (
    EMAILS,
    FORMAT,
    SECTIONS,
    EmailCache,
    Loc,
    MeetingDoc,
    MeetingDocument,
    OrganisationDoc,
    control_character_problems,
    json_path,
    parse_time,
    validation_problems,
)
from meetapp.keys import key_from_text, unique_key
from meetapp.meetings.access import usable_organisations_filter
from meetapp.meetings.services import RESERVED_SLUGS, save_partners
from meetapp.meetings.services import SLUG_PATTERN as MEETING_SLUG
from meetapp.meetings.translations import OPTION_PREFIX, option_keys
from meetapp.models import (
    AgendaSession,
    Contact,
    MailIntro,
    Meeting,
    Organisation,
    Outcome,
    Participant,
    PressRelease,
    PressReleaseOverride,
    QuestionKind,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    StakeholderGroup,
    Statement,
    StatementKind,
    Status,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from meetapp.models.registration import SeatChange, add_to_seat_counts, seat_change
from meetapp.models.surveys import CHOICE_KINDS, KEY_MAX, derive_option_keys
from meetapp.surveys.services import (
    AnswerProblems,
    anonymous_day,
    answer_rows,
    answers_from_labels,
    check_answers,
)
from meetapp.tokens import new_token

_Row = TypeVar("_Row")


class InterchangeError(Exception):
    """A document that cannot be imported; `problems` are "json.path: message" lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    meeting: Meeting
    participants: int = 0
    stakeholder_groups: int = 0
    contacts: int = 0
    speakers: int = 0
    sessions: int = 0
    statements: int = 0
    surveys: int = 0
    survey_responses: int = 0
    # Whether the import created the organisation that convenes the meeting.
    new_organisation: bool = False

    def summary(self) -> str:
        """'52 participants, 5 stakeholder groups, 2 contacts, 4 speakers, 7 sessions,
        9 statements, 1 survey with 38 responses' (the agenda's and the surveys' counts only
        when there are some)."""
        counts = [
            (self.participants, "participant"),
            (self.stakeholder_groups, "stakeholder group"),
            (self.contacts, "contact"),
        ]
        counts += [
            (number, noun)
            for number, noun in (
                (self.speakers, "speaker"),
                (self.sessions, "session"),
                (self.statements, "statement"),
            )
            if number
        ]
        text = ", ".join(_count(number, noun) for number, noun in counts)
        if self.surveys:
            text += (
                f", {_count(self.surveys, 'survey')} with "
                f"{_count(self.survey_responses, 'response')}"
            )
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def parse_document(data: bytes) -> Any:
    """The JSON value in `data` (UTF-8, a byte-order mark allowed)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InterchangeError([f"$: not valid JSON: not UTF-8 text ({exc.reason})"]) from exc
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            [f"$: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from exc
    except RecursionError as exc:
        raise InterchangeError(["$: not valid JSON: nested too deeply"]) from exc


# --- import -------------------------------------------------------------------------------


def import_meeting(document: Any, *, importer: User | None = None) -> ImportReport:
    """Create the meeting described by `document`; InterchangeError lists every problem.

    `importer`: the user importing through the web. The document's organisation is then one
    they may already use (`usable_organisations_filter`) with exactly its details, or a new
    one they created: matching the public details of another team's organisation gives no
    rights over it. Without an importer (the command line, run by the operator) any
    organisation with exactly these details is used.

    All or nothing: every check runs before anything is added. Flushes, never commits.
    """
    if not isinstance(document, dict):
        raise InterchangeError(["$: expected a JSON object (a meetapp/1 document)"])

    problems: list[tuple[Loc, str]] = []
    if isinstance(document.get("format"), str) and document["format"] != FORMAT:
        problems.append((("format",), f'must be "{FORMAT}"'))

    problems.extend(control_character_problems(document))
    emails = EmailCache()
    parsed: MeetingDocument | None = None
    try:
        parsed = MeetingDocument.model_validate(document, context={EMAILS: emails})
    except ValidationError as exc:
        problems.extend(validation_problems(exc))
    cross = _CrossChecks(document, emails)
    problems.extend(cross.problems)
    if problems or parsed is None:
        raise InterchangeError(_ordered(problems))
    # The checked models hold all that is written: the parsed JSON can go before the writes
    # (when the caller keeps no reference to it, as `import_meeting(parse_document(...))`).
    del document
    return _write(parsed, cross.normalised_emails, importer, emails)


def _ordered(problems: list[tuple[Loc, str]]) -> list[str]:
    """Problems in the order of the document: by section, then by list item; no repeats."""

    def key(problem: tuple[Loc, str]) -> tuple[int, int]:
        loc = problem[0]
        section = SECTIONS.index(loc[0]) if loc and loc[0] in SECTIONS else len(SECTIONS)
        item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return (section, item)

    lines: list[str] = []
    for loc, message in sorted(problems, key=key):
        line = f"{json_path(loc)}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


class _CrossChecks:
    """Rules that span fields or need the database, read from the raw document.

    They run even when the shape is wrong, so that one pass over a bad file lists everything;
    values of the wrong type are simply skipped here (the schema reports them).
    """

    def __init__(self, document: dict[str, Any], emails: EmailCache) -> None:
        self.emails = emails
        self.problems: list[tuple[Loc, str]] = []
        self.normalised_emails: list[str | None] = []
        meeting = document.get("meeting")
        meeting = meeting if isinstance(meeting, dict) else {}
        group_keys = self._check_meeting(meeting)
        speaker_keys = self._check_speakers(document.get("speakers"), group_keys)
        session_keys = self._check_sessions(document.get("sessions"), speaker_keys)
        self._check_statements(document.get("statements"), speaker_keys, session_keys)
        self._check_news(document)
        self._check_participants(document.get("participants"), group_keys)
        self._check_surveys(document.get("surveys"))

    def _check_meeting(self, meeting: dict[str, Any]) -> set[str] | None:
        slug = meeting.get("slug")
        if isinstance(slug, str) and slug.strip() in RESERVED_SLUGS:
            self.problems.append(
                (("meeting", "slug"), f"{json.dumps(slug)} is reserved for a page of meetapp")
            )
        elif isinstance(slug, str) and MEETING_SLUG.fullmatch(slug.strip()):
            # Only a well-formed slug is looked up (the database refuses to compare a NUL).
            taken = db.session.scalar(select(Meeting.id).where(Meeting.slug == slug.strip()))
            if taken is not None:
                self.problems.append(
                    (("meeting", "slug"), f"{json.dumps(slug)} is already used by another meeting")
                )
        self._check_order(meeting, "starts_at", "ends_at")
        self._check_order(meeting, "registration_opens_at", "registration_closes_at")

        groups = meeting.get("stakeholder_groups")
        if groups is None:
            return set()
        if not isinstance(groups, list):
            return None
        keys: dict[str, int] = {}
        labels: dict[str, int] = {}
        for index, group in enumerate(groups):
            if not isinstance(group, dict):
                continue
            for name, seen in (("key", keys), ("label", labels)):
                value = group.get(name)
                if not isinstance(value, str):
                    continue
                value = value.strip()
                if value in seen:
                    self.problems.append(
                        (
                            ("meeting", "stakeholder_groups", index, name),
                            f"{json.dumps(value)} is also the {name} of "
                            f"meeting.stakeholder_groups[{seen[value]}]",
                        )
                    )
                else:
                    seen[value] = index
        return set(keys)

    def _check_news(self, document: dict[str, Any]) -> None:
        """One statement or outcome at most is the news of the meeting."""
        first: str | None = None
        for section in ("statements", "outcomes"):
            items = document.get(section)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if not (isinstance(item, dict) and item.get("news") is True):
                    continue
                if first is None:
                    first = f"{section}[{index}]"
                else:
                    self.problems.append(
                        ((section, index, "news"), f"{first} is already the news of the meeting")
                    )

    def _check_order(
        self, item: dict[str, Any], first: str, then: str, loc: Loc = ("meeting",)
    ) -> None:
        start, end = _time_or_none(item.get(first)), _time_or_none(item.get(then))
        if start is not None and end is not None and end < start:
            self.problems.append(((*loc, then), f"is before {first}"))

    def _unique_keys(self, items: list[Any], section: str, name: str = "key") -> set[str]:
        """The keys of a list's items; a key used twice is a problem."""
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            value = item.get(name) if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            value = value.strip()
            if value in seen:
                self.problems.append(
                    (
                        (section, index, name),
                        f"{json.dumps(value)} is also the {name} of {section}[{seen[value]}]",
                    )
                )
            else:
                seen[value] = index
        return set(seen)

    def _check_reference(
        self, value: Any, known: set[str] | None, loc: Loc, what: str, section: str
    ) -> None:
        if not isinstance(value, str) or known is None:
            return
        value = value.strip()
        if value and value not in known:
            self.problems.append((loc, f"no {what} with the key {json.dumps(value)} in {section}"))

    def _check_speakers(self, speakers: Any, group_keys: set[str] | None) -> set[str] | None:
        if speakers is None:
            return set()
        if not isinstance(speakers, list):
            return None
        for index, speaker in enumerate(speakers):
            if isinstance(speaker, dict):
                self._check_reference(
                    speaker.get("stakeholder_group"),
                    group_keys,
                    ("speakers", index, "stakeholder_group"),
                    "stakeholder group",
                    "meeting.stakeholder_groups",
                )
        return self._unique_keys(speakers, "speakers")

    def _check_sessions(self, sessions: Any, speaker_keys: set[str] | None) -> set[str] | None:
        if sessions is None:
            return set()
        if not isinstance(sessions, list):
            return None
        for index, session in enumerate(sessions):
            if not isinstance(session, dict):
                continue
            self._check_order(session, "starts_at", "ends_at", ("sessions", index))
            if session.get("ends_at") is not None and session.get("starts_at") is None:
                self.problems.append((("sessions", index, "starts_at"), "required with ends_at"))
            parts = session.get("speakers")
            if not isinstance(parts, list):
                continue
            listed: dict[str, int] = {}
            for position, part in enumerate(parts):
                if not isinstance(part, dict):
                    continue
                loc: Loc = ("sessions", index, "speakers", position, "speaker")
                key = part.get("speaker")
                self._check_reference(key, speaker_keys, loc, "speaker", "speakers")
                if isinstance(key, str):
                    key = key.strip()
                    if key in listed:
                        self.problems.append(
                            (loc, f"{json.dumps(key)} is listed twice in this session")
                        )
                    listed.setdefault(key, position)
        return self._unique_keys(sessions, "sessions")

    def _check_statements(
        self, statements: Any, speaker_keys: set[str] | None, session_keys: set[str] | None
    ) -> None:
        if not isinstance(statements, list):
            return
        for index, statement in enumerate(statements):
            if not isinstance(statement, dict):
                continue
            self._check_reference(
                statement.get("speaker"),
                speaker_keys,
                ("statements", index, "speaker"),
                "speaker",
                "speakers",
            )
            self._check_reference(
                statement.get("session"),
                session_keys,
                ("statements", index, "session"),
                "session",
                "sessions",
            )

    def _check_participants(self, participants: Any, group_keys: set[str] | None) -> None:
        if not isinstance(participants, list):
            return
        seen: dict[str, int] = {}
        for index, participant in enumerate(participants):
            normalised = None
            if isinstance(participant, dict):
                group = participant.get("stakeholder_group")
                if isinstance(group, str) and group_keys is not None:
                    group = group.strip()
                    if group and group not in group_keys:
                        self.problems.append(
                            (
                                ("participants", index, "stakeholder_group"),
                                f"no stakeholder group with the key {json.dumps(group)} "
                                "in meeting.stakeholder_groups",
                            )
                        )
                status = participant.get("status")
                if participant.get("attended") is True and status in (
                    Status.WAITLISTED.value,
                    Status.CANCELLED.value,
                ):
                    self.problems.append(
                        (
                            ("participants", index, "attended"),
                            f"a {status} participant cannot have attended "
                            "(only registered participants hold a seat)",
                        )
                    )
                normalised = self.emails.normalised(participant.get("email"))
                if normalised is not None:
                    if normalised in seen:
                        self.problems.append(
                            (
                                ("participants", index, "email"),
                                f"the same address as participants[{seen[normalised]}].email "
                                "(addresses are compared without regard to case)",
                            )
                        )
                    else:
                        seen[normalised] = index
            self.normalised_emails.append(normalised)

    def _check_surveys(self, surveys: Any) -> None:
        if not isinstance(surveys, list):
            return
        emails = {email for email in self.normalised_emails if email is not None}
        keys: dict[str, int] = {}
        for index, survey in enumerate(surveys):
            if not isinstance(survey, dict):
                continue
            at: Loc = ("surveys", index)
            key = survey.get("key")
            if isinstance(key, str) and key.strip():
                if key.strip() in keys:
                    self.problems.append(
                        ((*at, "key"), f"the same key as surveys[{keys[key.strip()]}].key")
                    )
                keys.setdefault(key.strip(), index)
            start = _time_or_none(survey.get("opens_at"))
            end = _time_or_none(survey.get("closes_at"))
            if start is not None and end is not None and end < start:
                self.problems.append(((*at, "closes_at"), "is before opens_at"))
            questions = self._check_questions(at, survey.get("questions"))
            self._check_responses(at, survey, questions, emails)

    def _check_questions(self, at: Loc, questions: Any) -> list[SurveyQuestion] | None:
        """The questions as (unsaved) models to check answers against; None if unusable."""
        if questions is None:
            return []
        if not isinstance(questions, list):
            return None
        usable: list[SurveyQuestion] = []
        keys: dict[str, int] = {}
        complete = True
        for index, question in enumerate(questions):
            if not isinstance(question, dict):
                complete = False
                continue
            where: Loc = (*at, "questions", index)
            key = question_key(question.get("key"), index)
            if key in keys:
                self.problems.append(
                    ((*where, "key"), f"the same key as questions[{keys[key]}].key")
                )
            keys.setdefault(key, index)
            kind, options = question.get("kind"), question.get("options")
            if not isinstance(kind, str):  # the schema reports it; here it is no kind at all
                kind = None
            texts: list[str] = []
            if isinstance(options, list) and all(isinstance(o, str) for o in options):
                texts = [o.strip() for o in options]
            if kind in CHOICE_KINDS:
                if len(set(texts)) < 2:
                    self.problems.append(
                        ((*where, "options"), "a choice question needs at least two options")
                    )
                elif len(set(texts)) != len(texts):
                    self.problems.append(((*where, "options"), "an option is listed twice"))
            elif options:
                self.problems.append(
                    ((*where, "options"), "only single and multiple questions have options")
                )
            option_keys = question.get("option_keys")
            if option_keys is not None and kind in CHOICE_KINDS:
                if not isinstance(option_keys, list) or len(option_keys) != len(texts):
                    self.problems.append(
                        ((*where, "option_keys"), "must give one key per option, in order")
                    )
                    option_keys = None
                elif len(set(map(str, option_keys))) != len(option_keys):
                    self.problems.append(((*where, "option_keys"), "a key is listed twice"))
            elif option_keys is not None:
                self.problems.append(
                    ((*where, "option_keys"), "only single and multiple questions have options")
                )
            if kind not in {k.value for k in QuestionKind}:
                complete = False
                continue
            model = SurveyQuestion(
                key=key,
                kind=kind,
                options=keyed_options(texts, option_keys),
                required=bool(question.get("required")),
            )
            self._check_option_translations(where, model, question.get("translations"))
            usable.append(model)
        return usable if complete else None

    def _check_option_translations(
        self, where: Loc, question: SurveyQuestion, translations: Any
    ) -> None:
        """Each translated option label (``option:<key>``) names an option of the question."""
        if not isinstance(translations, dict):
            return  # absent, or refused by the schema
        offered = set(option_keys(question))
        for language, texts in translations.items():
            if not isinstance(texts, dict):
                continue
            for name in texts:
                if not isinstance(name, str) or not name.startswith(OPTION_PREFIX):
                    continue
                if name[len(OPTION_PREFIX) :] not in offered:
                    self.problems.append(
                        (
                            (*where, "translations", language, name),
                            "the question has no option with this key"
                            + (f" (its options: {', '.join(sorted(offered))})" if offered else ""),
                        )
                    )

    def _check_responses(
        self,
        at: Loc,
        survey: dict[str, Any],
        questions: list[SurveyQuestion] | None,
        emails: set[str],
    ) -> None:
        responses = survey.get("responses")
        if not isinstance(responses, list):
            return
        anonymous = survey.get("anonymous") is True
        seen: dict[str, int] = {}
        for index, response in enumerate(responses):
            if not isinstance(response, dict):
                continue
            where: Loc = (*at, "responses", index)
            participant = response.get("participant")
            if participant is not None and anonymous:
                self.problems.append(
                    ((*where, "participant"), "an anonymous survey's responses name no one: null")
                )
            elif isinstance(participant, str):
                email = self.emails.normalised(participant)
                if email is not None and email not in emails:
                    self.problems.append(
                        ((*where, "participant"), "no participant with this e-mail address")
                    )
                elif email is not None and email in seen:
                    self.problems.append(
                        (
                            (*where, "participant"),
                            f"this participant already answered in responses[{seen[email]}]",
                        )
                    )
                elif email is not None:
                    seen[email] = index
            answers = response.get("answers")
            if questions is None or not isinstance(answers, dict):
                continue
            try:
                check_answers(
                    questions, answers_from_labels(questions, answers), enforce_required=False
                )
            except AnswerProblems as exc:
                for key, message in exc.problems.items():
                    self.problems.append(((*where, "answers", key), message))


def keyed_options(labels: list[str], keys: Any) -> list[dict[str, str]]:
    """A document's options as stored: each label with its key from `option_keys` when the
    document gives them, else the key its label gives (`derive_option_keys`), as when the
    question was made with those options."""
    if not isinstance(keys, list) or len(keys) != len(labels):
        keys = derive_option_keys(labels)
    return [{"key": str(key), "label": label} for key, label in zip(keys, labels, strict=True)]


def question_key(key: Any, index: int) -> str:
    """A question's key in a document, or the one given to a question without a key."""
    if isinstance(key, str) and key.strip():
        return key.strip()
    return f"q{index + 1}"


def _time_or_none(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:  # PydanticCustomError is a ValueError
        return None


def _write(
    document: MeetingDocument,
    normalised_emails: list[str | None],
    importer: User | None,
    emails: EmailCache,
) -> ImportReport:
    organisation = _find_or_create_organisation(document.organisation, importer)
    new_organisation = organisation.id is None
    meeting = _new_meeting(document.meeting, organisation)
    db.session.add(meeting)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Another import took the slug between the check and now.
        raise InterchangeError(
            [f"meeting.slug: {json.dumps(meeting.slug)} is already used by another meeting"]
        ) from exc

    contacts = document.contacts or []
    for position, contact in enumerate(contacts):
        db.session.add(
            Contact(
                meeting_id=meeting.id,
                position=position,
                honorific=contact.honorific,
                name=contact.name,
                role=contact.role,
                organisation=contact.organisation,
                email=contact.email,
                phone=contact.phone,
                languages=list(contact.languages or []),
            )
        )

    for position, outcome in enumerate(document.outcomes or []):
        db.session.add(
            Outcome(
                meeting_id=meeting.id,
                position=position,
                kind=outcome.kind,
                text=outcome.text,
                addressed_to=outcome.addressed_to,
                is_news=bool(outcome.news),
            )
        )
    save_partners(meeting, document.meeting.partners or [])
    for kind, texts in (document.meeting.mail_intros or {}).items():
        for language, text in texts.items():
            db.session.add(
                MailIntro(meeting_id=meeting.id, kind=kind, language=language, text=text)
            )
    now = utcnow()
    press_release = document.press_release
    if press_release is not None:
        if press_release.release_date is not None:
            db.session.add(
                PressRelease(
                    meeting_id=meeting.id, release_date=press_release.release_date, updated_at=now
                )
            )
        for section, text in press_release.overrides().items():
            db.session.add(
                PressReleaseOverride(
                    meeting_id=meeting.id, section=section, text=text, updated_at=now
                )
            )

    group_ids = {group.key: group.id for group in meeting.stakeholder_groups}
    participants = document.participants or []
    rows = (
        {
            "meeting_id": meeting.id,
            "name": participant.name,
            "honorific": participant.honorific,
            "email": participant.email,
            "email_normalized": email_normalized,
            "organisation": participant.organisation,
            "position": participant.position,
            "stakeholder_group_id": (
                group_ids[participant.stakeholder_group] if participant.stakeholder_group else None
            ),
            "country": participant.country,
            "languages": list(participant.languages or []),
            "status": participant.status or Status.REGISTERED.value,
            "attended": bool(participant.attended),
            "registered_at": participant.registered_at or now,
            "updated_at": now,
            "token_hash": new_token()[1],
        }
        for participant, email_normalized in zip(participants, normalised_emails, strict=True)
    )
    # The table's insert, not the ORM's: that one splits rows whose empty columns differ into
    # a statement each.
    counts = SeatChange()
    for batch in _batches(rows):
        db.session.execute(insert(Participant.__table__), batch)
        counts.add(seat_change(batch))
    add_to_seat_counts(db.session(), meeting.id, counts)
    db.session.flush()
    report = ImportReport(
        meeting=meeting,
        new_organisation=new_organisation,
        participants=len(participants),
        stakeholder_groups=len(group_ids),
        contacts=len(contacts),
    )
    _write_agenda(document, meeting, group_ids, report)
    _write_surveys(document, meeting, report, emails)
    return report


def _write_agenda(
    document: MeetingDocument, meeting: Meeting, group_ids: dict[str, int], report: ImportReport
) -> None:
    """Speakers, sessions with their speakers, and statements (keys checked beforehand)."""
    speakers = {
        doc.key: Speaker(
            meeting_id=meeting.id,
            key=doc.key,
            honorific=doc.honorific,
            name=doc.name,
            family_name=doc.family_name,
            name_order=doc.name_order,
            position=doc.position,
            organisation=doc.organisation,
            stakeholder_group_id=(
                group_ids[doc.stakeholder_group] if doc.stakeholder_group else None
            ),
            bio=doc.bio,
        )
        for doc in document.speakers or []
    }
    db.session.add_all(speakers.values())

    session_docs = document.sessions or []
    taken = [doc.key for doc in session_docs if doc.key]
    sessions: dict[str, AgendaSession] = {}
    for doc in session_docs:
        key = doc.key
        if not key:  # the format lets a session go without a key: one is made from its title
            key = unique_key(key_from_text(doc.title, KEY_LENGTH, "session"), taken)
            taken.append(key)
        sessions[key] = AgendaSession(
            meeting_id=meeting.id,
            key=key,
            title=doc.title,
            kind=doc.kind or SessionKind.OTHER.value,
            starts_at=doc.starts_at,
            ends_at=doc.ends_at,
            location=doc.location,
            description=doc.description,
            translations=doc.translations or {},
        )
    db.session.add_all(sessions.values())
    db.session.flush()

    parts = [
        {
            "session_id": session.id,
            "speaker_id": speakers[part.speaker].id,
            "role": part.role or SpeakerRole.SPEAKER.value,
            "sort_order": order,
        }
        for doc, session in zip(session_docs, sessions.values(), strict=True)
        for order, part in enumerate(doc.speakers or [])
    ]
    if parts:
        db.session.execute(insert(SessionSpeaker), parts)

    next_order: dict[str | None, int] = {}
    statements = []
    for said in document.statements or []:
        order = next_order.get(said.session, 0)
        next_order[said.session] = order + 1
        statements.append(
            {
                "meeting_id": meeting.id,
                "session_id": sessions[said.session].id if said.session else None,
                "speaker_id": speakers[said.speaker].id if said.speaker else None,
                "kind": said.kind or StatementKind.POINT.value,
                "text": said.text,
                "highlight": bool(said.highlight),
                "is_news": bool(said.news),
                "sort_order": order,
            }
        )
    if statements:
        db.session.execute(insert(Statement), statements)
    db.session.flush()
    report.speakers = len(speakers)
    report.sessions = len(sessions)
    report.statements = len(statements)


def _write_surveys(
    document: MeetingDocument, meeting: Meeting, report: ImportReport, emails: EmailCache
) -> None:
    """Each survey with its questions, then its responses and their answers in bulk, a batch
    at a time (the ids of a batch's responses come back from its insert, in order)."""
    if not document.surveys:
        return
    participant_ids = {
        email: (participant_id, group_id)
        for email, participant_id, group_id in db.session.execute(
            select(
                Participant.email_normalized, Participant.id, Participant.stakeholder_group_id
            ).where(Participant.meeting_id == meeting.id)
        )
    }
    now = utcnow()
    taken = {survey_doc.key for survey_doc in document.surveys if survey_doc.key}
    for survey_doc in document.surveys:
        key = survey_doc.key
        if key is None:  # as for sessions, a key is made from the title
            key = unique_key(key_from_text(survey_doc.title, KEY_MAX, "survey"), taken)
            taken.add(key)
        survey = Survey(
            meeting_id=meeting.id,
            key=key,
            title=survey_doc.title,
            intro=survey_doc.intro,
            anonymous=bool(survey_doc.anonymous),
            opens_at=survey_doc.opens_at,
            closes_at=survey_doc.closes_at,
            translations=survey_doc.translations or {},
            questions=[
                SurveyQuestion(
                    key=question_key(question.key, position),
                    position=position,
                    kind=question.kind,
                    text=question.text,
                    required=bool(question.required),
                    quotable_in_release=bool(question.quotable_in_release),
                    options=(
                        keyed_options(list(question.options or []), question.option_keys)
                        if question.kind in CHOICE_KINDS
                        else []
                    ),
                    translations=question.translations or {},
                )
                for position, question in enumerate(survey_doc.questions or [])
            ],
        )
        db.session.add(survey)
        db.session.flush()
        response_docs = survey_doc.responses or []
        for batch in _batches(iter(response_docs)):
            rows: list[dict[str, Any]] = []
            groups: list[int | None] = []
            for response_doc in batch:
                participant_id = group_id = None
                if response_doc.participant and not survey.anonymous:
                    # Checked to be a participant's address, in its normal form.
                    email = emails.normalised(response_doc.participant) or ""
                    participant_id, group_id = participant_ids[email]
                groups.append(group_id)
                submitted_at = response_doc.submitted_at or now
                rows.append(
                    {
                        "survey_id": survey.id,
                        "participant_id": participant_id,
                        "stakeholder_group_id": group_id,
                        # An anonymous response keeps only its day, as on the answer page.
                        "submitted_at": (
                            anonymous_day(submitted_at) if survey.anonymous else submitted_at
                        ),
                        "language": response_doc.language,
                    }
                )
            ids = db.session.scalars(
                insert(SurveyResponse.__table__).returning(
                    SurveyResponse.__table__.c.id, sort_by_parameter_order=True
                ),
                rows,
            ).all()
            answers: list[dict[str, Any]] = []
            for response_id, group_id, response_doc in zip(ids, groups, batch, strict=True):
                clean = check_answers(
                    survey.questions,
                    answers_from_labels(survey.questions, response_doc.answers),
                    enforce_required=False,
                )
                answers.extend(answer_rows(survey.questions, response_id, clean, group_id))
            if answers:
                db.session.execute(insert(SurveyAnswer.__table__), answers)
        report.surveys += 1
        report.survey_responses += len(response_docs)
    db.session.flush()


# Rows inserted by one statement: enough to be quick, few enough to hold little memory.
BATCH_ROWS = 5000


def _batches(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    """`rows` in lists of `BATCH_ROWS`."""
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch


def _find_or_create_organisation(doc: OrganisationDoc, importer: User | None) -> Organisation:
    """The organisation with exactly these details that `importer` may use (any, without an
    importer), or a new one created by the importer."""
    query = (
        select(Organisation)
        .where(
            Organisation.name == doc.name,
            Organisation.short_name.is_not_distinct_from(doc.short_name),
            Organisation.about.is_not_distinct_from(doc.about),
            Organisation.website.is_not_distinct_from(doc.website),
            Organisation.release_end.is_not_distinct_from(doc.release_end),
            Organisation.privacy_url.is_not_distinct_from(doc.privacy_url),
        )
        .order_by(Organisation.id)
        .limit(1)
    )
    condition = usable_organisations_filter(importer) if importer is not None else None
    if condition is not None:
        query = query.where(condition)
    existing = db.session.scalars(query).first()
    if existing is not None:
        return existing
    organisation = Organisation(
        name=doc.name,
        short_name=doc.short_name,
        about=doc.about,
        website=doc.website,
        release_end=doc.release_end,
        privacy_url=doc.privacy_url,
        created_by_id=importer.id if importer is not None else None,
    )
    db.session.add(organisation)
    return organisation


def _new_meeting(doc: MeetingDoc, organisation: Organisation) -> Meeting:
    meeting = Meeting(
        organisation=organisation,
        slug=doc.slug,
        title=doc.title,
        kind=doc.kind,
        topic=doc.topic,
        starts_at=doc.starts_at,
        ends_at=doc.ends_at,
        timezone=doc.timezone or "UTC",
        venue=doc.venue,
        online=bool(doc.online),
        city=doc.city,
        country=doc.country,
        languages=list(doc.languages or []),
        background=doc.background,
        capacity=doc.capacity,
        registration_opens_at=doc.registration_opens_at,
        registration_closes_at=doc.registration_closes_at,
        translations=doc.translations or {},
    )
    for position, group in enumerate(doc.stakeholder_groups or []):
        meeting.stakeholder_groups.append(
            StakeholderGroup(
                key=group.key,
                label=group.label,
                position=position,
                translations=group.translations or {},
            )
        )
    return meeting
