"""The open link for the room: one shared address (and its QR code, on the projector) through
which anyone present answers a survey, without an invitation.

Who answers through it is not known, so its answers name no participant and no group,
whatever the survey:

- In an anonymous survey they are anonymous answers like the others, and wait for their batch
  of results (`batches`) with them.
- In a tracked survey they are *attendance-only* answers: all they say of who gave them is that
  someone who had the link (someone in the room) did. The survey's invited answers keep their
  names; the open ones never have one, and they are in no stakeholder group.

One response per browser: the browser keeps a signed cookie per survey holding a random key of
its own (`OpenBrowser`), and the response keeps `edit_key`, an HMAC of that key under the
app's secret (`browser_answer_key`). `survey_responses.edit_key` is unique, so a second
response from the same browser is refused by the database itself, however the requests race.
A browser that drops its cookies can answer again: the rate limits bound that
(`meetapp.surveys.routes`), as does the code an organiser may set, which the room hears and a
passer-by of the address does not.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.models import Meeting, Survey, SurveyAnswer, SurveyResponse, SurveyState
from meetapp.models.surveys import OPEN_CODE_MAX, OPEN_CODE_MIN, OPEN_KEY_LENGTH
from meetapp.surveys import batches
from meetapp.surveys.services import SurveyNotOpen, anonymous_day, answer_rows, check_answers

# The open link's key: lower-case letters and digits that are hard to misread when typed from
# a screen (no 0/o, 1/l/i); 10 of them are 31^10, about 2^49.
OPEN_KEY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_OPEN_KEY_SHAPE = re.compile(f"[{OPEN_KEY_ALPHABET}]{{{OPEN_KEY_LENGTH}}}")
_CODE_SHAPE = re.compile(r"[A-Za-z0-9]+")
BROWSER_KEY_PREFIX = "survey-open:"
COOKIE_SALT = "open-survey-browser"
# How long a browser keeps its cookie for an open link: longer than a survey stays open.
COOKIE_DAYS = 180


@dataclass
class OpenLinkSettings:
    enabled: bool
    code: str | None = None
    counts_with_invited: bool = True


def new_open_key() -> str:
    return "".join(secrets.choice(OPEN_KEY_ALPHABET) for _ in range(OPEN_KEY_LENGTH))


def clean_code(code: str | None) -> str | None:
    """The code as stored: letters and digits, spaces around it dropped; None for none.

    >>> clean_code("  Room7 ")
    'Room7'
    >>> clean_code("")
    """
    code = (code or "").strip()
    if not code:
        return None
    if not OPEN_CODE_MIN <= len(code) <= OPEN_CODE_MAX or not _CODE_SHAPE.fullmatch(code):
        raise DomainError(
            f"A code is {OPEN_CODE_MIN} to {OPEN_CODE_MAX} letters (A-Z) or digits, without "
            "spaces: it is said aloud in the room and typed on a phone.",
            field="code",
        )
    return code


def code_matches(expected: str, given: str) -> bool:
    """Whether `given` is the code, whatever the case and the spaces around it, compared in
    constant time (full-width digits from some phone keyboards count as digits)."""
    typed = unicodedata.normalize("NFKC", given or "").strip().casefold()
    return hmac.compare_digest(typed.encode("utf-8"), expected.casefold().encode("utf-8"))


def update_open_link(survey: Survey, settings: OpenLinkSettings) -> Survey:
    """Turn the open link on or off, set its code and whether its answers count with the
    invited ones. The link's key is made the first time it is turned on, and kept."""
    code = clean_code(settings.code)
    survey.open_link = settings.enabled
    survey.open_code = code
    survey.open_counts_with_invited = settings.counts_with_invited
    if settings.enabled and survey.open_key is None:
        key = new_open_key()
        with db.session.no_autoflush:  # the key is checked before it is taken
            while db.session.scalar(select(exists().where(Survey.open_key == key))):
                key = new_open_key()
        survey.open_key = key
    db.session.flush()
    return survey


def open_response_count(survey: Survey) -> int:
    """Responses given through the open link, published or waiting for their batch."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.via_open_link)
        )
        or 0
    )


def find_open_survey(open_key: str) -> tuple[Survey, Meeting] | None:
    """The survey whose open link `open_key` is, with its questions and meeting; None when
    there is none or its open link is turned off (callers show one page for both)."""
    if not _OPEN_KEY_SHAPE.fullmatch(open_key):
        return None
    row = db.session.execute(
        select(Survey, Meeting)
        .join(Meeting, Meeting.id == Survey.meeting_id)
        .options(selectinload(Survey.questions))
        .where(Survey.open_key == open_key, Survey.open_link)
    ).first()
    if row is None:
        return None
    return row[0], row[1]


# --- the browser -----------------------------------------------------------------------------


@dataclass
class OpenBrowser:
    """What a browser's cookie for one survey's open link holds: its own random key, and a
    digest of the code it was let in with (None: not let in yet)."""

    key: str
    code_digest: str | None = None

    def let_in(self, survey: Survey) -> bool:
        """Whether the browser may answer: the survey has no code, or the browser gave the
        code the survey has now (a changed code asks again)."""
        if not survey.open_code:
            return True
        return self.code_digest is not None and hmac.compare_digest(
            self.code_digest, code_digest(survey)
        )


def cookie_name(open_key: str) -> str:
    return f"open_{open_key}"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=COOKIE_SALT)


def new_browser() -> OpenBrowser:
    return OpenBrowser(key=secrets.token_urlsafe(24))


def read_browser(value: str | None, open_key: str) -> OpenBrowser | None:
    """The browser a cookie's value names (signed, and for this open link), else None."""
    if not value:
        return None
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("o") != open_key:
        return None
    key, digest = data.get("b"), data.get("c")
    if not isinstance(key, str) or not key or not (digest is None or isinstance(digest, str)):
        return None
    return OpenBrowser(key=key, code_digest=digest)


def browser_cookie(browser: OpenBrowser, open_key: str) -> str:
    return str(_serializer().dumps({"o": open_key, "b": browser.key, "c": browser.code_digest}))


def code_digest(survey: Survey) -> str:
    """A digest of the survey's current code, kept in the cookie of a browser let in: the code
    itself is never in a cookie."""
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    message = f"survey-open-code:{survey.id}:{survey.open_code or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def browser_answer_key(survey: Survey, browser: OpenBrowser) -> str:
    """HMAC-SHA256(SECRET_KEY, "survey-open:<survey id>:<browser key>") in hex: the `edit_key`
    of the response the browser gives through the survey's open link."""
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    message = f"{BROWSER_KEY_PREFIX}{survey.id}:{browser.key}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def has_answered(survey: Survey, browser: OpenBrowser) -> bool:
    key = browser_answer_key(survey, browser)
    mine = exists().where(SurveyResponse.survey_id == survey.id, SurveyResponse.edit_key == key)
    return bool(db.session.scalar(select(mine)))


class AlreadyAnswered(DomainError):
    """The browser already answered the survey through its open link."""


def submit_open_response(
    survey: Survey,
    browser: OpenBrowser,
    raw: Mapping[str, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> None:
    """Store the answers given through the open link, as a response of its own.

    Raises AnswerProblems (nothing stored), SurveyNotOpen, or AlreadyAnswered (this browser
    has answered). An anonymous survey's answer waits for its batch, keeping neither time nor
    language (as through a personal link); a tracked survey's is stored at once, with the
    language of its page and no participant or group. A race between two submissions of one
    browser ends in an IntegrityError from the unique `edit_key`, which the caller reports as
    AlreadyAnswered.
    """
    now = now or utcnow()
    if survey.anonymous:
        # An anonymous survey's waiting answers are shared by all its links: one at a time.
        batches.lock_survey(survey)
    if survey.state(now) != SurveyState.OPEN or not survey.open_link:
        raise SurveyNotOpen("This survey is closed.")
    answers = check_answers(survey.questions, raw)
    if has_answered(survey, browser):
        raise AlreadyAnswered("This browser has answered this survey.")
    key = browser_answer_key(survey, browser)
    if survey.anonymous:
        batches.add_waiting(survey, key, answers, anonymous_day(now), now, via_open_link=True)
        return
    response = SurveyResponse(
        survey_id=survey.id,
        participant_id=None,
        stakeholder_group_id=None,
        submitted_at=now,
        language=language,
        edit_key=key,
        via_open_link=True,
    )
    db.session.add(response)
    db.session.flush()
    rows = answer_rows(survey.questions, response.id, answers)
    if rows:
        db.session.execute(SurveyAnswer.__table__.insert(), rows)
    db.session.flush()
