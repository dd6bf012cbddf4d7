"""The organisers' own version of an automatic e-mail, for one recipient.

Organisers may write, per meeting, kind of e-mail and meeting language, the whole e-mail:
a subject and a body with placeholders (`meetapp.models.MailTemplate`; the page is
`meetapp.meetings.mail_templates`, which also checks what may be written). An e-mail is
rendered in its reader's language (`flask_babel.force_locale(mail_locale(...))`); inside that
block `template_for` gives the template written in exactly that language, or None, and then
the app's own e-mail (with its introduction) is sent as it always was: a template in another
language is never sent instead, since it would reach the reader in a language they did not
choose while the app's e-mail exists in theirs.

The text is filled with `meetapp.outbox.placeholders.fill`, never given to Jinja: what an
organiser types is plain text, neither a template nor HTML (the e-mails have no HTML part).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from meetapp.extensions import db
from meetapp.i18n import locale_code, shipped
from meetapp.messages.services import placeholder_values
from meetapp.models import MailTemplate, Meeting, Participant
from meetapp.outbox import placeholders
from meetapp.outbox.intros import intro_languages

# What the app's own e-mail shows where a template has a placeholder, when it is written out
# as the starting text of a template (the renderers' `as_template`).
AS_PLACEHOLDERS = {
    name: f"{{{name}}}" for name in ("name", "meeting", "dates", "venue", "place", "survey")
}


@dataclass(frozen=True)
class Written:
    """A subject and body as the organisers wrote them (placeholders unfilled)."""

    subject: str
    body: str


def _base(code: str) -> str:
    """'km-KH', 'km_KH', 'KM' -> 'km'."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def templates(meeting_id: int, kind: str) -> dict[str, Written]:
    """The saved templates of one kind of e-mail of a meeting, by language (one query: an
    e-mail sent to many people reads them once)."""
    rows = db.session.execute(
        select(MailTemplate.language, MailTemplate.subject, MailTemplate.body).where(
            MailTemplate.meeting_id == meeting_id, MailTemplate.kind == kind
        )
    ).all()
    return {row.language: Written(row.subject, row.body) for row in rows}


def template_languages(meeting: Meeting) -> list[str]:
    """The languages a whole e-mail is written in: those of `intro_languages` that the app's
    e-mails are written in (a first language they are not written in, say French, is no
    e-mail's language, so a template in it would never be sent)."""
    return [code for code in intro_languages(meeting) if shipped(code) == code]


def template_for(
    meeting: Meeting, kind: str, saved: Mapping[str, Written] | None = None
) -> tuple[str, Written] | None:
    """The template of `kind` in the language of the e-mail being rendered (the current
    locale), with that meeting language's code; None when none is saved for it. Only the
    meeting's languages count: one left in a language the meeting dropped is not sent."""
    if saved is None:
        saved = templates(meeting.id, kind)
    if not saved:
        return None
    reader = _base(locale_code())
    for code in template_languages(meeting):
        if _base(code) == reader:
            written = next(
                (text for language, text in saved.items() if _base(language) == reader), None
            )
            return (code, written) if written is not None else None
    return None


def fill_template(
    meeting: Meeting,
    participant: Participant,
    language: str,
    written: Written,
    extra: Mapping[str, str],
    *,
    link: str = "",
    survey_link: str = "",
) -> tuple[str, str]:
    """The subject and body `participant` gets from `written`. `extra` gives the values of
    the placeholders that only some kinds have (`{place}`, `{survey}`). The subject stays one
    line whatever the values hold."""
    values = {
        **placeholder_values(meeting, participant, language, link=link, survey_link=survey_link),
        **extra,
    }
    subject = " ".join(placeholders.fill(written.subject, values).split())
    body = placeholders.fill(written.body, values).strip() + "\n"
    return subject, body
