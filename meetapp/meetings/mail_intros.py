"""The organiser's "E-mails" page: the introduction of each automatic e-mail, per language.

The app writes six e-mails to participants by itself (`KINDS`). Organisers may add, per
meeting and meeting language, a plain text that each of them shows after its greeting
(`meetapp.models.MailIntro`; read for a recipient by `meetapp.outbox.intros.intro_for`). The
rest of the e-mail stays the app's, so no introduction can take away a personal link, the
dates or the instructions. The same checks serve the page and the meetapp/1 import
(`problem`), so a text typed here and one imported obey the same rules.

Organisers who want to change more rewrite the whole e-mail of a language
(`meetapp.meetings.mail_templates`, on the same page); it supersedes the introduction for
its readers, and the preview here shows whichever they get.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.i18n import mail_locale
from meetapp.models import MailIntro, Meeting, Participant, Status, Survey, User
from meetapp.outbox import placeholders
from meetapp.outbox.intros import INTRO_PLACEHOLDERS, intro_languages
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
from meetapp.validation import has_control_characters

INTRO_MAX = 2_000


@dataclass(frozen=True)
class Kind:
    """An automatic e-mail, as the page names it."""

    code: str
    label: str
    purpose: str


KINDS = {
    kind.code: kind
    for kind in (
        Kind(
            KIND_CONFIRMATION,
            "Registration confirmed",
            "Sent when someone registers and gets a seat, with their personal link.",
        ),
        Kind(
            KIND_WAITLISTED,
            "Waiting list",
            "Sent when someone registers while the meeting is full: their place on the "
            "waiting list, with their personal link.",
        ),
        Kind(
            KIND_PROMOTED,
            "A seat is now yours",
            "Sent when a seat is freed and goes to someone on the waiting list.",
        ),
        Kind(
            KIND_NEW_LINK,
            "New personal link",
            "Sent when an organiser, or the participant, asks for a new personal link "
            "(the old one stops working).",
        ),
        Kind(
            KIND_INVITATION,
            "Survey invitation",
            "Sent when you invite participants to a survey, with their link to it.",
        ),
        Kind(
            KIND_REMINDER,
            "Survey reminder",
            "Sent when you remind those who have not answered a survey yet.",
        ),
    )
}
# What the preview writes where the e-mail has a link made only when it is sent.
PREVIEW_LINK = "[their personal link, made when the e-mail is sent]"
SAMPLE_NAME = "Sample Participant"


def problem(text: str) -> str | None:
    """What is wrong with an introduction, or None (an empty one is no introduction)."""
    if len(text) > INTRO_MAX:
        return f"Keep this to {INTRO_MAX:,} characters at most (it has {len(text):,})."
    if has_control_characters(text):
        return "Remove the invisible control characters."
    unknown = placeholders.problems(text, INTRO_PLACEHOLDERS)
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in INTRO_PLACEHOLDERS)
        return (
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Use {allowed}."
        )
    return None


def stored(meeting: Meeting) -> dict[str, dict[str, str]]:
    """The meeting's introductions: ``{kind: {language: text}}``."""
    found: dict[str, dict[str, str]] = {}
    for row in db.session.scalars(
        select(MailIntro).where(MailIntro.meeting_id == meeting.id).order_by(MailIntro.id)
    ):
        found.setdefault(row.kind, {})[row.language] = row.text
    return found


def save(
    meeting: Meeting, kind: str, texts: Mapping[str, str], user: User | None
) -> dict[str, str]:
    """Write the introductions of `kind` in the meeting's languages (`texts` by language; an
    empty text removes that language's). All or nothing: returns the problems by language,
    and writes nothing when there are any. Flushes, never commits."""
    languages = intro_languages(meeting)
    # Line breaks as a browser sends them (CR LF) are kept as plain line feeds.
    cleaned = {code: (texts.get(code) or "").replace("\r\n", "\n").strip() for code in languages}
    problems = {code: error for code, text in cleaned.items() if (error := problem(text))}
    if problems:
        return problems
    rows = {
        row.language: row
        for row in db.session.scalars(
            select(MailIntro).where(MailIntro.meeting_id == meeting.id, MailIntro.kind == kind)
        )
    }
    now = utcnow()
    for code, text in cleaned.items():
        row = rows.get(code)
        if not text:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                MailIntro(
                    meeting_id=meeting.id,
                    kind=kind,
                    language=code,
                    text=text,
                    updated_at=now,
                    updated_by_id=user.id if user else None,
                )
            )
        elif row.text != text:
            row.text, row.updated_at = text, now
            row.updated_by_id = user.id if user else None
    db.session.flush()
    return {}


def reset(meeting: Meeting, kind: str) -> int:
    """Remove the introductions of `kind` in every language: the e-mail is the app's alone
    again. Returns how many were removed."""
    result = db.session.execute(
        delete(MailIntro).where(MailIntro.meeting_id == meeting.id, MailIntro.kind == kind)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Preview:
    kind: str
    language: str
    subject: str
    body: str
    # Whose e-mail it is: a registered participant's name, or None for the sample person.
    participant: str | None
    # Chosen on the page (else the first registered participant, or the sample person).
    chosen: bool = False
    # The text being written, not saved yet (else what is saved, or the app's own e-mail).
    draft: bool = False
    # The id of the participant chosen, for the page to show the choice again.
    participant_id: int | None = None


def participants_to_preview(meeting: Meeting, limit: int = 100) -> list[tuple[int, str]]:
    """The participants the page offers to preview an e-mail as: id and name, by name."""
    rows = db.session.execute(
        select(Participant.id, Participant.name)
        .where(Participant.meeting_id == meeting.id, Participant.status != Status.CANCELLED)
        .order_by(Participant.name, Participant.id)
        .limit(limit)
    ).all()
    return [(row.id, row.name) for row in rows]


def chosen_participant(meeting: Meeting, participant_id: int) -> Participant | None:
    """The meeting's participant `participant_id` (not cancelled), or None: an id of another
    meeting's participant names nobody here."""
    return db.session.scalar(
        select(Participant).where(
            Participant.id == participant_id,
            Participant.meeting_id == meeting.id,
            Participant.status != Status.CANCELLED,
        )
    )


def _sample(meeting: Meeting, kind: str, language: str) -> tuple[Participant, str | None]:
    """The first registered participant (waiting list for its e-mail), else a sample person
    who reads `language`, never added to the database."""
    status = Status.WAITLISTED if kind == KIND_WAITLISTED else Status.REGISTERED
    participant = db.session.scalar(
        select(Participant)
        .where(Participant.meeting_id == meeting.id, Participant.status == status)
        .order_by(Participant.id)
        .limit(1)
    )
    if participant is not None:
        return participant, participant.name
    return Participant(meeting_id=meeting.id, name=SAMPLE_NAME, status=status), None


def preview(
    meeting: Meeting,
    kind: str,
    language: str,
    participant: Participant | None = None,
    draft: Written | None = None,
) -> Preview:
    """The whole e-mail of `kind` as a participant reading `language` gets it: `participant`
    (one of the meeting's, `chosen_participant`), else the first registered one, else a
    sample person. As saved (the organisers' template of that language, else the app's
    e-mail with the introduction), or with `draft`, a template not saved yet."""
    chosen = participant is not None
    if participant is None:
        participant, name = _sample(meeting, kind, language)
    else:
        name = participant.name
    locale = mail_locale([language], meeting.languages)
    written = (language, draft) if draft is not None else None
    if kind in (KIND_INVITATION, KIND_REMINDER):
        survey = db.session.scalar(
            select(Survey).where(Survey.meeting_id == meeting.id).order_by(Survey.id).limit(1)
        ) or Survey(meeting_id=meeting.id, title="Survey title", anonymous=False, translations={})
        subject, body = render_survey_mail(
            meeting,
            survey,
            participant,
            link=PREVIEW_LINK,
            reminder=kind == KIND_REMINDER,
            locale=locale,
            draft=written,
        )
    elif kind == KIND_PROMOTED:
        subject, body = render_promoted_mail(
            meeting, participant, link=PREVIEW_LINK, locale=locale, draft=written
        )
    else:
        place = 1 if kind == KIND_WAITLISTED else None
        subject, body = render_registration_mail(
            meeting, participant, kind, place=place, link=PREVIEW_LINK, locale=locale, draft=written
        )
    return Preview(
        kind,
        language,
        subject,
        body,
        name,
        chosen=chosen,
        participant_id=participant.id if chosen else None,
        draft=draft is not None,
    )
