"""The organiser's "E-mails" page, second part: the whole of an automatic e-mail, per language.

Beside the introduction (`meetapp.meetings.mail_intros`), organisers may rewrite an automatic
e-mail entirely for one meeting language: its subject and body, with placeholders
(`meetapp.models.MailTemplate`; sent by `meetapp.outbox.mail_templates`). Such a template
supersedes, for its readers, both the app's e-mail and the introduction of that language;
readers of a language without one get the app's e-mail, with its introduction, as before.

The editor starts from the app's own e-mail in that language written with placeholders
(`default`), so the organiser edits the real e-mail, not a blank box. What the e-mail exists
for cannot be written away: a kind that carries a personal link refuses a template without its
placeholder (`RULES`), and no link goes in a subject (the subject of a sent e-mail is kept and
shown). The same checks (`problems`) serve the page and the meetapp/1 import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.i18n import mail_locale
from meetapp.models import MailTemplate, Meeting, Participant, Status, Survey, User
from meetapp.outbox import placeholders
from meetapp.outbox.intros import INTRO_PLACEHOLDERS
from meetapp.outbox.mail_templates import Written
from meetapp.registration.notifications import (
    KIND_CONFIRMATION,
    KIND_NEW_LINK,
    KIND_PROMOTED,
    KIND_WAITLISTED,
    render_promoted_mail,
    render_registration_mail,
)
from meetapp.surveys.invitations import KIND_INVITATION, KIND_REMINDER, render_survey_mail
from meetapp.validation import FieldRuleError, has_control_characters, single_line

SUBJECT_MAX = 300
BODY_MAX = 20_000
_LINK = {"link": "their personal link, to see, change or cancel their registration"}
_SURVEY_LINK = {"survey_link": "their personal link to the survey"}
_SURVEY = {"survey": "the survey's title"}
_PLACE = {"place": "their place on the waiting list"}


@dataclass(frozen=True)
class Rule:
    """What a template of one kind may hold, and the placeholder it must hold (in its body):
    the link the e-mail exists to bring, or None."""

    placeholders: dict[str, str]
    required: str | None


RULES = {
    KIND_CONFIRMATION: Rule({**INTRO_PLACEHOLDERS, **_LINK}, "link"),
    KIND_WAITLISTED: Rule({**INTRO_PLACEHOLDERS, **_PLACE, **_LINK}, "link"),
    # Most who are promoted keep the link they had, which cannot be written again; one made
    # now is added after the template by the app (`render_promoted_mail`).
    KIND_PROMOTED: Rule(dict(INTRO_PLACEHOLDERS), None),
    KIND_NEW_LINK: Rule({**INTRO_PLACEHOLDERS, **_LINK}, "link"),
    KIND_INVITATION: Rule({**INTRO_PLACEHOLDERS, **_SURVEY, **_SURVEY_LINK}, "survey_link"),
    KIND_REMINDER: Rule({**INTRO_PLACEHOLDERS, **_SURVEY, **_SURVEY_LINK}, "survey_link"),
}
# What looks like a web address in a subject.
_ADDRESS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)")


def _line_break(text: str) -> str | None:
    """The single-line rule's message when `text` holds a line break or a tab, else None."""
    try:
        single_line(text)
    except FieldRuleError as error:
        return error.message
    return None


def problems(kind: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a template of `kind`, by field ("subject", "body"); empty when it
    may be saved. `subject` and `body` as they would be stored (stripped)."""
    rule = RULES[kind]
    found: dict[str, str] = {}
    allowed = ", ".join(f"{{{name}}}" for name in rule.placeholders)
    for field, text, longest in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        unknown = placeholders.problems(text, rule.placeholders)
        if not text:
            found[field] = f"Write the {field}, or use “Reset to default” to send the app's."
        elif len(text) > longest:
            found[field] = f"Keep this to {longest:,} characters at most (it has {len(text):,})."
        elif field == "subject" and (broken := _line_break(text)):
            found[field] = broken
        elif has_control_characters(text):
            found[field] = "Remove the invisible control characters."
        elif unknown:
            found[field] = (
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                f"This e-mail may use {allowed}."
            )
    if "subject" not in found:
        links = [name for name in placeholders.names(subject) if name in ("link", "survey_link")]
        if links or _ADDRESS.search(subject):
            found["subject"] = (
                "No link in the subject: the subject of a sent e-mail is kept and shown on "
                "the participant's page, and a personal link must not be. Put it in the body."
            )
    if rule.required and "body" not in found and rule.required not in placeholders.names(body):
        found["body"] = (
            f"This e-mail exists to bring the participant {rule.placeholders[rule.required]}: "
            f"put {{{rule.required}}} in the body, where the link should be."
        )
    return found


def clean(subject: str, body: str) -> tuple[str, str]:
    """A template as it is stored: trimmed, line breaks as a browser sends them (CR LF) kept
    as plain line feeds."""
    return subject.strip(), body.replace("\r\n", "\n").strip()


def stored(meeting: Meeting) -> dict[str, dict[str, Written]]:
    """The meeting's templates: ``{kind: {language: Written}}``."""
    found: dict[str, dict[str, Written]] = {}
    for row in db.session.scalars(
        select(MailTemplate).where(MailTemplate.meeting_id == meeting.id).order_by(MailTemplate.id)
    ):
        found.setdefault(row.kind, {})[row.language] = Written(row.subject, row.body)
    return found


def save(
    meeting: Meeting, kind: str, language: str, subject: str, body: str, user: User | None
) -> dict[str, str]:
    """Write the template of `kind` in `language` (a meeting language). Returns the problems
    by field, and writes nothing when there are any. Flushes, never commits."""
    subject, body = clean(subject, body)
    found = problems(kind, subject, body)
    if found:
        return found
    row = db.session.scalar(
        select(MailTemplate).where(
            MailTemplate.meeting_id == meeting.id,
            MailTemplate.kind == kind,
            MailTemplate.language == language,
        )
    )
    now, user_id = utcnow(), user.id if user else None
    if row is None:
        db.session.add(
            MailTemplate(
                meeting_id=meeting.id,
                kind=kind,
                language=language,
                subject=subject,
                body=body,
                updated_at=now,
                updated_by_id=user_id,
            )
        )
    elif (row.subject, row.body) != (subject, body):
        row.subject, row.body, row.updated_at, row.updated_by_id = subject, body, now, user_id
    db.session.flush()
    return {}


def reset(meeting: Meeting, kind: str, language: str) -> bool:
    """Remove the template of `kind` in `language`: its readers get the app's e-mail (with
    the introduction) again. True when there was one."""
    result = db.session.execute(
        delete(MailTemplate).where(
            MailTemplate.meeting_id == meeting.id,
            MailTemplate.kind == kind,
            MailTemplate.language == language,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def default(meeting: Meeting, kind: str, language: str) -> Written:
    """The app's own e-mail of `kind` in `language`, with placeholders where a template has
    them, and the introduction that language's readers get as it is written: the starting
    text of the editor. Written for a registered participant (the waiting list's for its own
    e-mail); the survey e-mails as for a survey without closing date, not anonymous."""
    status = Status.WAITLISTED if kind == KIND_WAITLISTED else Status.REGISTERED
    someone = Participant(meeting_id=meeting.id, name="{name}", status=status)
    locale = mail_locale([language], meeting.languages)
    if kind in (KIND_INVITATION, KIND_REMINDER):
        # Written out as a template, the survey's title is a placeholder; its closing date and
        # anonymity vary from survey to survey, so the text is that of the plainest survey.
        survey = Survey(meeting_id=meeting.id, title="", anonymous=False, translations={})
        subject, body = render_survey_mail(
            meeting,
            survey,
            someone,
            link="{survey_link}",
            reminder=kind == KIND_REMINDER,
            locale=locale,
            as_template=True,
        )
    elif kind == KIND_PROMOTED:
        subject, body = render_promoted_mail(
            meeting, someone, link=None, locale=locale, as_template=True
        )
    else:
        subject, body = render_registration_mail(
            meeting, someone, kind, place=None, link="{link}", locale=locale, as_template=True
        )
    return Written(subject, body.strip())
