"""Surveys: building them, checking and storing answers, and the headline for a press release.

The builder refuses, with an explanation, every change that would break answers already given:
changing a question's kind, removing a question or an option that was chosen, or switching a
survey between anonymous and tracked. Answers are checked by one function (`check_answers`)
for the answer page and for imported documents alike, so that what is stored is always valid.

Submitting is serialised per invitation: the invitation row is locked (SELECT ... FOR UPDATE
on PostgreSQL; SQLite's write transactions begin IMMEDIATE), and the database has the last
word: `survey_invitation_uses` has the invitation as its primary key, a tracked survey's
responses are unique per participant and an anonymous survey's per `edit_key`.

An anonymous response is found again only through the link it was given with: its `edit_key`
is an HMAC of that link's token (`answer_key`), so a participant can change their answers
until the survey closes, and the database holds nothing that ties the response to the
invitation without the token. Its times keep only the day (`anonymous_day`), so that they
cannot be matched against the time a participant was seen using their link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.keys import key_from_text, unique_key
from meetapp.models import (
    Meeting,
    Participant,
    QuestionKind,
    Status,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyQuestion,
    SurveyResponse,
    SurveyState,
    SurveyToken,
)
from meetapp.models.surveys import (
    BATCH_SIZE_DEFAULT,
    BATCH_SIZE_MAX,
    BATCH_SIZE_MIN,
    KEY_MAX,
    OPTION_FIELD,
    option_key_for,
)
from meetapp.surveys import batches
from meetapp.surveys.conditions import clean_condition, condition_of, dependents, is_met
from meetapp.surveys.kinds import Answer, NotOffered, find_kind, kind_of
from meetapp.tokens import hash_token, is_token_shaped, new_token

_KEY_SHAPE = re.compile(r"[a-z0-9-]+")


# --- the builder -----------------------------------------------------------------------------


@dataclass
class SurveyData:
    title: str
    intro: str | None = None
    anonymous: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    batch_size: int = BATCH_SIZE_DEFAULT


@dataclass
class QuestionData:
    text: str
    kind: str
    required: bool = False
    # The options' labels in the meeting's first language, in order.
    options: list[str] = field(default_factory=list)
    quotable_in_release: bool = False
    # Parallel to `options`: the key of the existing option each label is for (None: a new
    # option). None for the whole list: an option keeps its key where its label is unchanged.
    option_keys: list[str | None] | None = None
    # A grid question's scale (`GRID_SCALES`); the other kinds take none.
    scale: str | None = None
    # Shown only when an earlier answer matches: {"question": key, "op": ..., "value": ...}
    # (`meetapp.surveys.conditions`); None: always shown.
    show_if: dict[str, Any] | None = None


def valid_key(key: str) -> bool:
    return 0 < len(key) <= KEY_MAX and _KEY_SHAPE.fullmatch(key) is not None


def list_surveys(meeting: Meeting) -> list[Survey]:
    return list(
        db.session.scalars(
            select(Survey).where(Survey.meeting_id == meeting.id).order_by(Survey.id)
        )
    )


def get_survey(meeting: Meeting, key: str) -> Survey | None:
    """The meeting's survey with `key`, its questions loaded; None for any other key."""
    if not valid_key(key):
        return None
    return db.session.scalar(
        select(Survey)
        .options(selectinload(Survey.questions))
        .where(Survey.meeting_id == meeting.id, Survey.key == key)
    )


def get_question(survey: Survey, question_id: int) -> SurveyQuestion | None:
    return next((q for q in survey.questions if q.id == question_id), None)


def _check_settings(data: SurveyData) -> None:
    if data.opens_at and data.closes_at and data.closes_at < data.opens_at:
        raise DomainError("The survey must close after it opens.", field="closes_at")
    if not BATCH_SIZE_MIN <= data.batch_size <= BATCH_SIZE_MAX:
        raise DomainError(
            f"Choose a batch of {BATCH_SIZE_MIN} to {BATCH_SIZE_MAX} answers.", field="batch_size"
        )


def create_survey(meeting: Meeting, data: SurveyData, key: str | None = None) -> Survey:
    _check_settings(data)
    taken = set(db.session.scalars(select(Survey.key).where(Survey.meeting_id == meeting.id)))
    if key is None:
        key = unique_key(key_from_text(data.title, KEY_MAX, "survey"), taken)
    elif key in taken:
        raise DomainError(f"The meeting already has a survey with the key {key!r}.", field="key")
    survey = Survey(
        meeting_id=meeting.id,
        key=key,
        title=data.title,
        intro=data.intro or None,
        anonymous=data.anonymous,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        batch_size=data.batch_size,
        questions=[],
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    """Every response, published or waiting for its batch (like the invitations page's count
    of who has answered)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def response_counts(meeting: Meeting) -> dict[int, int]:
    """Responses per survey of the meeting, published or not (one GROUP BY)."""
    return {
        survey_id: count
        for survey_id, count in db.session.execute(
            select(SurveyResponse.survey_id, func.count())
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.meeting_id == meeting.id)
            .group_by(SurveyResponse.survey_id)
        )
    }


def update_survey(survey: Survey, data: SurveyData) -> Survey:
    """Change a survey's settings; in an anonymous survey, publish the batch that a smaller
    batch size completes, or the changes waiting when it now has closed."""
    _check_settings(data)
    if data.anonymous != survey.anonymous and response_count(survey) > 0:
        raise DomainError(
            "This survey already has answers, so it cannot be switched between anonymous and "
            "tracked: the answers given were collected under the other promise.",
            field="anonymous",
        )
    if data.anonymous != survey.anonymous and _used_invitations(survey) > 0:
        raise DomainError(
            "Invitations of this survey were already used, so it cannot be switched between "
            "anonymous and tracked.",
            field="anonymous",
        )
    survey.title = data.title
    survey.intro = data.intro or None
    survey.anonymous = data.anonymous
    survey.opens_at = data.opens_at
    survey.closes_at = data.closes_at
    survey.batch_size = data.batch_size
    db.session.flush()
    if survey.anonymous:
        batches.publish_due(survey)
    return survey


def _used_invitations(survey: Survey) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyInvitationUse)
            .join(SurveyInvitation, SurveyInvitation.id == SurveyInvitationUse.invitation_id)
            .where(SurveyInvitation.survey_id == survey.id)
        )
        or 0
    )


def delete_survey(survey: Survey) -> None:
    count = response_count(survey)
    if count:
        raise DomainError(
            f"This survey has {count} response{'s' if count != 1 else ''}; a survey with "
            "answers cannot be deleted. Export the responses first if you no longer need it, "
            "then ask an administrator."
        )
    db.session.delete(survey)
    db.session.flush()


def _clean_question(data: QuestionData) -> QuestionData:
    """The question as it is kept; its kind judges the settings that depend on it (`kinds`)."""
    kind = find_kind(data.kind)
    if kind is None:
        raise DomainError("Choose one of the question kinds.", field="kind")
    text = data.text.strip()
    if not text:
        raise DomainError("Enter the question.", field="text")
    given_keys = data.option_keys or [None] * len(data.options)
    if len(given_keys) != len(data.options):
        raise DomainError("Give each option its label.", field="options")
    options, keys = kind.clean_options(data.options, given_keys)
    return QuestionData(
        text=text,
        kind=kind.name,
        required=data.required,
        options=options,
        quotable_in_release=data.quotable_in_release,
        option_keys=keys if data.option_keys is not None else None,
        scale=kind.clean_scale(data.scale),
        show_if=data.show_if,
    )


def _keyed_options(
    existing: Sequence[Mapping[str, str]], labels: Sequence[str], keys: Sequence[str | None] | None
) -> list[dict[str, str]]:
    """The options {key, label} that `labels` make of a question's `existing` options.

    A label given with a key rewords that option (the key must be one of the question's); a
    label without one keeps the key of the existing option that has that very label, and is
    otherwise a new option, with a new key (`option_key_for`) that no option of the question
    has."""
    known = {option["key"]: option["label"] for option in existing}
    by_label = {option["label"]: option["key"] for option in existing}
    chosen: list[str | None] = list(keys) if keys is not None else [None] * len(labels)
    for key in chosen:
        if key is not None and key not in known:
            raise DomainError(
                "The question changed meanwhile: one of its options is no longer there. "
                "Open the question again.",
                field="options",
            )
    if len({key for key in chosen if key}) != len([key for key in chosen if key]):
        raise DomainError("An option is listed twice.", field="options")
    claimed = {key for key in chosen if key}
    for index, label in enumerate(labels):
        if chosen[index] is None and by_label.get(label) and by_label[label] not in claimed:
            chosen[index] = by_label[label]
            claimed.add(by_label[label])
    taken = set(known)
    result: list[dict[str, str]] = []
    for label, key in zip(labels, chosen, strict=True):
        if key is None:
            key = option_key_for(label, taken)
            taken.add(key)
        result.append({"key": key, "label": label})
    return result


def match_option_lines(
    existing: Sequence[Mapping[str, str]], labels: Sequence[str], shown_keys: Sequence[str]
) -> list[str | None]:
    """The key each line of the editor's options is for (None: a new option).

    The editor shows one option per line, with the keys of those lines (`shown_keys`). A line
    whose label is an option's keeps that option (so options can be reordered); when the
    number of lines did not change, a line edited in place rewords the option that was on it.
    Any other line is a new option, and an option no line keeps is removed."""
    known = {option["key"] for option in existing}
    by_label = {option["label"]: option["key"] for option in existing}
    keys: list[str | None] = [by_label.get(label) for label in labels]
    if len(shown_keys) == len(labels):
        claimed = {key for key in keys if key}
        for index, key in enumerate(keys):
            shown = shown_keys[index]
            if key is None and shown in known and shown not in claimed:
                keys[index] = shown
                claimed.add(shown)
    return keys


def _next_question_key(survey: Survey) -> str:
    taken = {question.key for question in survey.questions}
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def add_question(survey: Survey, data: QuestionData, key: str | None = None) -> SurveyQuestion:
    data = _clean_question(data)
    position = max((q.position for q in survey.questions), default=-1) + 1
    show_if = clean_condition(data.show_if, survey.questions, len(survey.questions))
    question = SurveyQuestion(
        survey_id=survey.id,
        key=key or _next_question_key(survey),
        position=position,
        kind=data.kind,
        text=data.text,
        required=data.required,
        options=_keyed_options([], data.options, data.option_keys),
        quotable_in_release=data.quotable_in_release,
        scale=data.scale,
        show_if=show_if,
    )
    db.session.add(question)
    db.session.flush()
    survey.questions.append(question)
    return question


def answer_counts(question_ids: Sequence[int]) -> dict[int, dict[str | None, int]]:
    """Per question, how often each choice was given (None: numbers and texts)."""
    counts: dict[int, dict[str | None, int]] = {qid: {} for qid in question_ids}
    if not question_ids:
        return counts
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.choice, func.count())
        .where(SurveyAnswer.question_id.in_(question_ids))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.choice)
    )
    for question_id, choice, count in rows:
        counts[question_id][choice] = count
    return counts


def _refuse_while_answers_wait(survey_id: int) -> None:
    """Answers waiting for an anonymous survey's next batch are not shown; a refusal that
    depended on what they hold would show something of it. So while any wait, every change
    that answers could forbid is refused, whether they use the question or option or not."""
    if batches.answers_wait(survey_id):
        raise DomainError(
            "Answers to this anonymous survey are waiting for the next batch of results. Until "
            "they are published, questions and options cannot be removed and a question's kind "
            "cannot change: whether those answers use them cannot be checked without telling "
            "something of what they hold. Wording, the required flag, new options and the "
            "order can still change."
        )


def _survey_questions(survey_id: int) -> list[SurveyQuestion]:
    return list(
        db.session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey_id)
            .order_by(SurveyQuestion.position, SurveyQuestion.id)
        )
    )


def _refuse_breaking_dependents(
    questions: Sequence[SurveyQuestion], question: SurveyQuestion, kind: str, options: Any
) -> None:
    """Questions shown depending on `question`'s answer must still have a valid condition
    once its kind or options change (a removed option they name, say): else refused, naming
    them."""
    changed = SurveyQuestion(key=question.key, kind=kind, options=options, text=question.text)
    broken: list[str] = []
    for dependent in dependents(questions, question.key):
        position = questions.index(dependent)
        earlier = [changed if q.key == question.key else q for q in questions[:position]]
        try:
            clean_condition(dependent.show_if, earlier, len(earlier), dependent.key)
        except DomainError:
            broken.append(f"“{dependent.text}”")
    if broken:
        raise DomainError(
            f"Shown depending on this question's answer: {', '.join(broken)}; their "
            "conditions would no longer fit it. Change or remove their conditions first.",
            field="options" if kind == question.kind else "kind",
        )


def update_question(question: SurveyQuestion, data: QuestionData) -> SurveyQuestion:
    """Change a question; refused when answers already given would no longer fit it.

    Options are told apart by their keys: a reworded option keeps its key, and its answers.
    An option that was chosen cannot be removed (its answers would be lost or left without a
    label); the refusal names it. Nor can an option, or the kind, that a later question's
    condition depends on change under it. A question's condition can be removed at any
    time, but set or changed only while it has no answers, which were given under the
    condition it had."""
    data = _clean_question(data)
    options = (
        _keyed_options(question.options or [], data.options, data.option_keys)
        if kind_of(data.kind).has_options
        else []
    )
    questions = _survey_questions(question.survey_id)
    show_if = clean_condition(data.show_if, questions, questions.index(question), question.key)
    _refuse_breaking_dependents(questions, question, data.kind, options)
    kept = {option["key"] for option in options}
    removed = [option for option in question.options or [] if option["key"] not in kept]
    condition_set = show_if is not None and show_if != question.show_if
    if data.kind != question.kind or removed or condition_set:
        _refuse_while_answers_wait(question.survey_id)
    given = answer_counts([question.id])[question.id]
    if given and condition_set:
        raise DomainError(
            f"This question already has {sum(given.values())} answers, given when it was "
            f"{'shown under another condition' if question.show_if else 'always shown'}: its "
            "condition cannot be set or changed now (it can be removed). Add a new question "
            "instead.",
            field="show_if_question",
        )
    if given:
        if data.kind != question.kind:
            raise DomainError(
                f"This question already has {sum(given.values())} answers as "
                f"“{kind_of(question.kind).label}”; changing its kind would make "
                "them meaningless. Add a new question instead.",
                field="kind",
            )
        if data.scale != question.scale:
            raise DomainError(
                "This question already has answers on its scale; changing the scale would "
                "change what they mean. Add a new question instead.",
                field="scale",
            )
        if question.has_options:
            lost = [option for option in removed if given.get(option["key"])]
            if lost:
                names = ", ".join(
                    f"“{option['label']}” ({given[option['key']]})" for option in lost
                )
                raise DomainError(
                    f"These options were already chosen and cannot be removed: {names}. "
                    "You can reword them, and add options.",
                    field="options",
                )
    question.text = data.text
    question.kind = data.kind
    question.required = data.required
    question.options = options
    question.quotable_in_release = data.quotable_in_release
    question.scale = data.scale
    question.show_if = show_if
    if removed:
        # A removed option's translations go with it: a later option given the same key
        # must not inherit them.
        gone = {OPTION_FIELD + option["key"] for option in removed}
        question.translations = {
            locale: {field: text for field, text in texts.items() if field not in gone}
            for locale, texts in (question.translations or {}).items()
        }
    db.session.flush()
    return question


def delete_question(survey: Survey, question: SurveyQuestion) -> None:
    """Delete a question without answers; refused while later questions are shown depending
    on its answer (their conditions name it)."""
    depending = dependents(survey.questions, question.key)
    if depending:
        names = ", ".join(f"“{q.text}”" for q in depending)
        raise DomainError(
            f"These questions are shown depending on this one's answer: {names}. Change or "
            "remove their conditions first."
        )
    _refuse_while_answers_wait(survey.id)
    given = answer_counts([question.id])[question.id]
    if given:
        raise DomainError(
            "This question already has answers; deleting it would delete them too. "
            "You can change its wording or make it optional instead."
        )
    survey.questions.remove(question)
    db.session.delete(question)
    db.session.flush()


def move_question(survey: Survey, question: SurveyQuestion, offset: int) -> None:
    """Move a question one place up (-1) or down (+1); positions become 0..n-1.

    Refused when a question would come before the one its condition depends on."""
    ordered = sorted(survey.questions, key=lambda q: (q.position, q.id))
    index = ordered.index(question)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    places = {item.key: place for place, item in enumerate(ordered)}
    for place, item in enumerate(ordered):
        condition = condition_of(item)
        if condition is not None and places.get(condition.question, place) >= place:
            referred = next(q for q in ordered if q.key == condition.question)
            raise DomainError(
                f"“{item.text}” is shown depending on the answer to “{referred.text}”, so it "
                "must stay after it. Change or remove its condition first."
            )
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


# --- checking answers -----------------------------------------------------------------------


class AnswerProblems(DomainError):
    """Answers that cannot be stored; `problems` maps question keys to messages.

    `not_offered`: some value is none of those the page offers (an unknown option key, say),
    which no one answering on the page can send: the answer page says so with a 422."""

    def __init__(self, problems: dict[str, str], not_offered: bool = False) -> None:
        super().__init__("Some answers need your attention (see below). Nothing was saved.")
        self.problems = problems
        self.not_offered = not_offered


def check_answers(
    questions: Sequence[SurveyQuestion],
    raw: Mapping[str, Any],
    *,
    enforce_required: bool = True,
    refuse_hidden: bool = False,
) -> dict[str, Answer]:
    """The answers in `raw` (question key -> value), checked against the questions (in the
    survey's order).

    Values may be strings (as from a form) or JSON values (as in an imported document, whose
    past answers are not held to a question made required later: `enforce_required`).
    A question whose condition the answers before it do not meet was hidden: whatever was
    sent for it is discarded (`refuse_hidden`, for a document: refused), and it needs no
    answer. Returns the clean answers (unanswered and hidden questions left out); raises
    AnswerProblems with a message per question otherwise. Keys that name no question are
    refused.
    """
    problems: dict[str, str] = {}
    not_offered = False
    clean: dict[str, Answer] = {}
    known = {question.key: question for question in questions}
    for key in raw:
        if key not in known:
            problems[str(key)] = "no such question in this survey"
    for question in questions:
        value = raw.get(question.key)
        condition = condition_of(question)
        if condition is not None and not is_met(condition, known.get(condition.question), clean):
            if refuse_hidden and value not in (None, "", []):
                problems[question.key] = (
                    "the question is not shown for these answers (its show_if is not met), "
                    "so it has no answer"
                )
            continue
        try:
            answer = kind_of(question.kind).check(question, value)
        except ValueError as exc:
            problems[question.key] = str(exc)
            not_offered = not_offered or isinstance(exc, NotOffered)
            continue
        if answer is None:
            if question.required and enforce_required:
                problems[question.key] = gettext("This question needs an answer.")
            continue
        if (
            question.required
            and enforce_required
            and kind_of(question.kind).incomplete(question, answer)
        ):
            # A required grid needs every row answered.
            problems[question.key] = gettext("Please answer every row.")
            continue
        clean[question.key] = answer
    if problems:
        raise AnswerProblems(problems, not_offered)
    return clean


def answers_from_labels(
    questions: Sequence[SurveyQuestion], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """`raw` (question key -> value, as in a meetapp/1 document) with each choice question's
    option labels (in the meeting's first language) replaced by the keys the answers are
    stored by; anything else as it was, for `check_answers` to judge."""
    labels = {
        question.key: {label: key for key, label in question.choices()}
        for question in questions
        if question.has_options
    }
    converted = dict(raw)
    for question_key, value in raw.items():
        by_label = labels.get(question_key)
        if by_label is None:
            continue
        if isinstance(value, list):
            converted[question_key] = [
                by_label.get(item, item) if isinstance(item, str) else item for item in value
            ]
        elif isinstance(value, str):
            converted[question_key] = by_label.get(value, value)
    return converted


def answer_rows(
    questions: Sequence[SurveyQuestion],
    response_id: int,
    answers: Mapping[str, Answer],
    group_id: int | None = None,
) -> list[dict[str, Any]]:
    """Rows of survey_answers for checked answers (`group_id`: the response's group)."""
    rows: list[dict[str, Any]] = []
    for question in questions:
        if question.key not in answers:
            continue
        value = answers[question.key]
        base = {
            "response_id": response_id,
            "question_id": question.id,
            "stakeholder_group_id": group_id,
        }
        rows.extend({**base, **stored} for stored in kind_of(question.kind).rows(value))
    return rows


# --- personal links and answering ----------------------------------------------------------


@dataclass
class SurveyVisit:
    """What a valid personal link opens.

    `edit_key` (anonymous surveys) is the key of the response this link gives or changes;
    `answered_elsewhere` says that the invitation was used through another of its links, whose
    answers this one cannot open.
    """

    survey: Survey
    invitation: SurveyInvitation
    participant: Participant
    meeting: Meeting
    edit_key: str | None = None
    answered_elsewhere: bool = False


ANSWER_KEY_PREFIX = "survey-answer:"


def anonymous_day(moment: datetime) -> datetime:
    """Midnight UTC of the day of `moment`: all that an anonymous response keeps of the times
    it was given and changed."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def answer_key(token: str) -> str:
    """HMAC-SHA256(SECRET_KEY, "survey-answer:" + token), in hex: the `edit_key` of the
    anonymous response given through the link with `token`.

    The invitation keeps SHA-256(token) and the response this HMAC: without the token (which
    only its holder has) neither can be computed from the other, even with the secret key.
    """
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    message = (ANSWER_KEY_PREFIX + token).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def link_lifetime() -> timedelta:
    return timedelta(days=int(current_app.config.get("SURVEY_LINK_DAYS", 120)))


def issue_token(invitation: SurveyInvitation, now: datetime | None = None) -> str:
    """A new personal link for the invitation (256 random bits; only the hash is kept)."""
    now = now or utcnow()
    token, token_hash = new_token()
    db.session.add(
        SurveyToken(
            invitation_id=invitation.id,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + link_lifetime(),
        )
    )
    return token


def find_visit(token: str, now: datetime | None = None) -> SurveyVisit | None:
    """The survey a personal link opens; None when the link is unknown or expired, or its
    participant cancelled (callers show one page for all). In an anonymous survey whose
    invitation was used through another link, the visit says so (`answered_elsewhere`)."""
    if not is_token_shaped(token):
        return None
    now = now or utcnow()
    row = db.session.execute(
        select(SurveyToken.expires_at, SurveyInvitation, Survey, Participant)
        .join(SurveyInvitation, SurveyInvitation.id == SurveyToken.invitation_id)
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .join(Participant, Participant.id == SurveyInvitation.participant_id)
        .options(selectinload(Survey.questions))
        .where(SurveyToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    expires_at, invitation, survey, participant = row
    if expires_at < now or participant.status == Status.CANCELLED:
        return None
    meeting = db.session.get_one(Meeting, survey.meeting_id)
    visit = SurveyVisit(
        survey=survey, invitation=invitation, participant=participant, meeting=meeting
    )
    if survey.anonymous:
        visit.edit_key = answer_key(token)
        visit.answered_elsewhere = (
            _invitation_used(invitation.id) and _own_response_id(visit) is None
        )
    return visit


def _invitation_used(invitation_id: int) -> bool:
    return db.session.get(SurveyInvitationUse, invitation_id) is not None


def _own_response_query(visit: SurveyVisit) -> Any:
    """The response a visit gives or changes: the participant's in a tracked survey; in an
    anonymous one, the response given through this very link (by its `edit_key`)."""
    mine = (
        SurveyResponse.edit_key == visit.edit_key
        if visit.survey.anonymous
        else SurveyResponse.participant_id == visit.participant.id
    )
    return select(SurveyResponse).where(SurveyResponse.survey_id == visit.survey.id, mine)


def _own_response_id(visit: SurveyVisit) -> int | None:
    if visit.survey.anonymous and visit.edit_key is None:
        return None
    return db.session.scalar(_own_response_query(visit).with_only_columns(SurveyResponse.id))


def current_answers(visit: SurveyVisit) -> dict[str, Answer]:
    """What was answered before through this visit, to fill the form in: an anonymous
    response's waiting answers if it has any, else its published ones."""
    if visit.survey.anonymous and visit.edit_key is None:
        return {}
    own = db.session.execute(
        _own_response_query(visit).with_only_columns(
            SurveyResponse.id, SurveyResponse.pending_answers
        )
    ).first()
    if own is None:
        return {}
    response_id, pending = own
    if pending is not None:
        return dict(pending)
    keys = {question.id: question for question in visit.survey.questions}
    answers: dict[str, Answer] = {}
    for row in db.session.scalars(
        select(SurveyAnswer)
        .where(SurveyAnswer.response_id == response_id)
        .order_by(SurveyAnswer.id)
    ):
        question = keys.get(row.question_id)
        if question is None:
            continue
        answers[question.key] = kind_of(question.kind).read(
            answers.get(question.key), row.choice, row.number, row.text
        )
    return answers


class LinkUsedUp(DomainError):
    """The anonymous survey was already answered through another link of this invitation."""


class SurveyNotOpen(DomainError):
    """The survey is not (or no longer) open."""


def submit_response(
    visit: SurveyVisit,
    raw: Mapping[str, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> bool:
    """Store the answers; returns whether they are the first (False: answers changed).

    `language` is that of the page they were given on (`meetapp.i18n.locale_code`): a tracked
    response keeps the language of its latest answers. An anonymous one keeps none: like the
    stakeholder group, a language few participants read could tell whose answers they are.

    Changing answers replaces them all in the same transaction. An anonymous survey's answers
    wait for the next batch of results (`batches`). Raises AnswerProblems (nothing stored),
    SurveyNotOpen, or LinkUsedUp (anonymous survey already answered through another link of
    this invitation).
    """
    now = now or utcnow()
    survey = visit.survey
    if survey.anonymous:
        # An anonymous survey's waiting answers are shared by all its links: one at a time.
        batches.lock_survey(survey)
    # Serialise submissions of one invitation (PostgreSQL; SQLite's transaction is exclusive).
    db.session.execute(
        select(SurveyInvitation.id)
        .where(SurveyInvitation.id == visit.invitation.id)
        .with_for_update()
    )
    if survey.state(now) != SurveyState.OPEN:
        raise SurveyNotOpen("This survey is closed.")
    answers = check_answers(survey.questions, raw)
    used = _invitation_used(visit.invitation.id)
    if survey.anonymous:
        return _submit_anonymous(visit, answers, used, now)
    if not used:
        db.session.add(SurveyInvitationUse(invitation_id=visit.invitation.id))
    # A participant's response may also have come from an import, without a use.
    response = db.session.scalar(_own_response_query(visit))
    created = response is None
    group_id = visit.participant.stakeholder_group_id
    if response is None:
        response = SurveyResponse(
            survey_id=survey.id,
            participant_id=visit.participant.id,
            stakeholder_group_id=group_id,
            submitted_at=now,
            language=language,
        )
        db.session.add(response)
        db.session.flush()
    else:
        response.updated_at = now
        response.stakeholder_group_id = group_id
        response.language = language
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    rows = answer_rows(survey.questions, response.id, answers, group_id)
    if rows:
        db.session.execute(SurveyAnswer.__table__.insert(), rows)
    db.session.flush()
    return created


def _submit_anonymous(
    visit: SurveyVisit,
    answers: dict[str, Answer],
    used: bool,
    now: datetime,
) -> bool:
    """An anonymous survey's answers: a new response waits unpublished; a change to one waits
    too, until its batch (a published response keeps its published answers meanwhile)."""
    if visit.edit_key is None:
        raise LinkUsedUp("This visit has no link to answer through.")
    if used:
        response = db.session.scalar(_own_response_query(visit))
        if response is None:
            raise LinkUsedUp("The invitation was used through another link.")
        response.pending_answers = dict(answers)
        db.session.flush()
        return False
    db.session.add(SurveyInvitationUse(invitation_id=visit.invitation.id))
    db.session.flush()
    batches.add_waiting(visit.survey, visit.edit_key, answers, anonymous_day(now), now)
    return True


def has_answered(visit: SurveyVisit) -> bool:
    return _invitation_used(visit.invitation.id)


# --- the press-release headline --------------------------------------------------------------


@dataclass
class QuotableFigure:
    """The figure of a question the organiser marked as quotable in the press release: its
    id and text, its kind, and the one number the release may give (the share who agreed or
    answered yes, 0-100; the mean rating, 1-5; the NPS, -100..100)."""

    question_id: int
    question: str
    kind: str
    value: float
    answered: int


@dataclass
class SurveyHighlights:
    """The survey in a sentence or two of a press release.

    `audience` is the number invited (when invitations were sent), else the number of
    participants who attended (else registered): "Of the 51 participants, 38 answered"; 0 when
    there is no such number to set the responses against (see `audience_and_responses`).
    Each headline result is data; the press release words it.
    """

    title: str
    audience: int
    audience_is_invited: bool
    responses: int
    # The first likert question: its text and the share (0-100) who agreed or strongly agreed.
    agreement_question: str | None = None
    agreement_percent: float | None = None
    agreement_answered: int = 0
    # The first NPS question's score (-100..100), else the first rating question's mean (1-5).
    nps_question: str | None = None
    nps: float | None = None
    rating_question: str | None = None
    rating_mean: float | None = None
    # The figures of the questions marked as quotable in the press release, in survey order;
    # none unless the organiser marked some.
    quotable: list[QuotableFigure] = field(default_factory=list)


def survey_highlights(meeting: Meeting) -> SurveyHighlights | None:
    """Headline results of the meeting's survey with the most published responses; None
    without any."""
    from meetapp.surveys.results import audience_and_responses, headline_figures

    counts = db.session.execute(
        select(Survey.id, func.count(SurveyResponse.id))
        .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(
            Survey.meeting_id == meeting.id,
            SurveyResponse.published,
            or_(Survey.open_counts_with_invited, SurveyResponse.via_open_link.is_(False)),
        )
        .group_by(Survey.id)
        .order_by(func.count(SurveyResponse.id).desc(), Survey.id)
        .limit(1)
    ).first()
    if counts is None or counts[1] == 0:
        return None
    survey = db.session.scalar(
        select(Survey).options(selectinload(Survey.questions)).where(Survey.id == counts[0])
    )
    if survey is None:  # deleted since the count
        return None
    # The first likert, NPS and rating questions that have answers: their figures only.
    headline_kinds = (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.RATING)
    candidates = [question for question in survey.questions if question.kind in headline_kinds]
    # The questions the organiser marked as quotable in the release, of kinds that give one
    # figure.
    quotable = [
        question
        for question in survey.questions
        if question.quotable_in_release and kind_of(question.kind).quotable
    ]
    figures = headline_figures(sorted({q.id for q in [*candidates, *quotable]}), survey)
    audience, is_invited, responses = audience_and_responses(survey)
    highlights = SurveyHighlights(
        title=survey.title,
        audience=audience,
        audience_is_invited=is_invited,
        responses=responses,
    )
    for question in candidates:
        found = figures.get(question.id)
        if found is None:
            continue
        kind = question.kind
        if kind == QuestionKind.LIKERT and highlights.agreement_question is None:
            highlights.agreement_question = question.text
            highlights.agreement_percent = found.agree_percent
            highlights.agreement_answered = found.answered
        elif kind == QuestionKind.NPS and highlights.nps_question is None:
            highlights.nps_question = question.text
            highlights.nps = found.nps
        elif kind == QuestionKind.RATING and highlights.rating_question is None:
            highlights.rating_question = question.text
            highlights.rating_mean = found.mean
    for question in quotable:
        found = figures.get(question.id)
        if found is not None:
            highlights.quotable.append(
                QuotableFigure(
                    question.id,
                    question.text,
                    question.kind,
                    kind_of(question.kind).release_figure(found),
                    found.answered,
                )
            )
    return highlights
