"""The rules of a `meetapp/1` document that span fields or need the database, checked on the
raw document after (and whatever) the shape the pydantic models in `schema` check: every
problem is reported by its JSON path before a single row is added (`services.import_meeting`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from meetapp.extensions import db
from meetapp.interchange import registration_questions
from meetapp.interchange.schema import (
    EmailCache,
    Loc,
    parse_time,
)
from meetapp.meetings.services import RESERVED_SLUGS
from meetapp.meetings.services import SLUG_PATTERN as MEETING_SLUG
from meetapp.meetings.translations import OPTION_PREFIX, option_keys
from meetapp.models import (
    Meeting,
    Status,
    SurveyQuestion,
)
from meetapp.models.surveys import GRID_SCALES, derive_option_keys
from meetapp.surveys.conditions import check_condition
from meetapp.surveys.kinds import Kind, Tally, find_kind, kind_of
from meetapp.surveys.publication import is_publishable
from meetapp.surveys.services import (
    AnswerProblems,
    answers_from_labels,
    check_answers,
)


class InterchangeError(Exception):
    """A document that cannot be imported; `problems` are "json.path: message" lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class CrossChecks:
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
        questions = registration_questions.check_questions(meeting, group_keys, self.problems)
        speaker_keys = self._check_speakers(document.get("speakers"), group_keys)
        session_keys = self._check_sessions(document.get("sessions"), speaker_keys)
        self._check_statements(document.get("statements"), speaker_keys, session_keys)
        self._check_news(document)
        self._check_participants(document.get("participants"), group_keys)
        participants = document.get("participants")
        if isinstance(participants, list):
            registration_questions.check_answers(participants, questions, self.problems)
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
        start, end = time_or_none(item.get(first)), time_or_none(item.get(then))
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
            start = time_or_none(survey.get("opens_at"))
            end = time_or_none(survey.get("closes_at"))
            if start is not None and end is not None and end < start:
                self.problems.append(((*at, "closes_at"), "is before opens_at"))
            questions = self._check_questions(at, survey.get("questions"))
            self._check_responses(at, survey, questions, emails)
            self._check_published_results(at, survey, questions)

    def _check_published_texts(
        self, where: Loc, keys: Any, questions: list[SurveyQuestion], answers: dict[str, Any]
    ) -> None:
        if not isinstance(keys, list):
            return
        for index, key in enumerate(keys):
            problem = _published_text_problem(key, questions, answers)
            if problem is not None:
                self.problems.append(((*where, "published_texts", index), problem))

    def _check_published_results(
        self, at: Loc, survey: dict[str, Any], questions: list[SurveyQuestion] | None
    ) -> None:
        """The published questions name the survey's questions whose answers are counted
        (free-text answers are published one by one, never a whole question)."""
        published = survey.get("published_results")
        if questions is None or not isinstance(published, dict):
            return
        keys = published.get("questions")
        if not isinstance(keys, list):
            return
        kinds = {question.key: question.kind for question in questions}
        for index, key in enumerate(keys):
            if not isinstance(key, str):
                continue
            where: Loc = (*at, "published_results", "questions", index)
            if key not in kinds:
                self.problems.append((where, "no question of this survey has this key"))
            elif Tally.TEXTS in kind_of(kinds[key]).tallies:
                self.problems.append(
                    (where, "a free-text question is not published whole: see published_texts")
                )
            elif not is_publishable(kinds[key]):
                self.problems.append((where, "the figures of this kind are not published"))

    def _check_questions(self, at: Loc, questions: Any) -> list[SurveyQuestion] | None:
        """The questions as (unsaved) models to check answers against; None if unusable."""
        if questions is None:
            return []
        if not isinstance(questions, list):
            return None
        usable: list[SurveyQuestion] = []
        keys: dict[str, int] = {}
        complete = True
        every_key = [
            question_key(question.get("key") if isinstance(question, dict) else None, index)
            for index, question in enumerate(questions)
        ]
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
            # The options' problems are the kind's to say (an unknown kind takes none).
            known = find_kind(kind)
            found, option_keys = (known or Kind()).document_option_problems(
                texts, options, question.get("option_keys")
            )
            self.problems.extend(((*where, name), message) for name, message in found)
            if known is None:
                complete = False
                continue
            scale = question.get("scale")
            if known.has_scale and scale not in GRID_SCALES:
                # A scale of the wrong shape the schema reports; here, one left out.
                if scale is None:
                    self.problems.append(
                        (
                            (*where, "scale"),
                            f"a grid question needs its scale: {' or '.join(GRID_SCALES)}",
                        )
                    )
                complete = False
                continue
            if not known.has_scale and scale is not None:
                self.problems.append(((*where, "scale"), "only grid questions have a scale"))
            model = SurveyQuestion(
                key=key,
                kind=known.name,
                options=keyed_options(texts, option_keys),
                required=bool(question.get("required")),
                scale=scale if known.has_scale else None,
            )
            self._check_option_translations(where, model, question.get("translations"))
            model.show_if = self._check_show_if(
                where, question.get("show_if"), usable, every_key[index:]
            )
            usable.append(model)
        return usable if complete else None

    def _check_show_if(
        self, where: Loc, show_if: Any, earlier: list[SurveyQuestion], later: list[str]
    ) -> dict[str, Any] | None:
        """A question's condition: on an earlier question of the same survey, with an
        operator and value(s) that fit that question's kind (`conditions.check_condition`).
        Kept on the question, so that its responses are checked against it."""
        if not isinstance(show_if, dict):
            return None  # absent, or refused by the schema
        value = show_if.get("value")
        values = value if isinstance(value, list) else [value]
        condition, problems = check_condition(
            show_if.get("question"), show_if.get("op"), values, earlier, later
        )
        self.problems.extend(((*where, "show_if", part), message) for part, message in problems)
        if condition is None:
            return None
        referred = next(q for q in earlier if q.key == condition.question)
        return condition.as_json(referred)

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
            if participant is not None and response.get("via_open_link") is True:
                self.problems.append(
                    (
                        (*where, "participant"),
                        "a response given through the open link names no one: null",
                    )
                )
            elif participant is not None and anonymous:
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
            self._check_published_texts(where, response.get("published_texts"), questions, answers)
            try:
                check_answers(
                    questions,
                    answers_from_labels(questions, answers),
                    enforce_required=False,
                    refuse_hidden=True,
                )
            except AnswerProblems as exc:
                for key, message in exc.problems.items():
                    self.problems.append(((*where, "answers", key), message))


def _published_text_problem(
    key: Any, questions: list[SurveyQuestion], answers: dict[str, Any]
) -> str | None:
    kinds = {question.key: question.kind for question in questions}
    if key not in kinds:
        return "no question of this survey has this key"
    if Tally.TEXTS not in kind_of(kinds[key]).tallies:
        return "only free-text answers are published one by one"
    if not isinstance(answers.get(key), str) or not answers[key].strip():
        return "this response has no answer to this question"
    return None


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


def time_or_none(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:  # PydanticCustomError is a ValueError
        return None
