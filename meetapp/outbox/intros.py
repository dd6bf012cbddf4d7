"""The organiser's introduction of an automatic e-mail, for one recipient.

Organisers write, per meeting, kind of e-mail and meeting language, a text that the e-mail
shows after its greeting (`meetapp.models.MailIntro`; the page is
`meetapp.meetings.mail_intros`). An e-mail is rendered in its reader's language
(`flask_babel.force_locale(mail_locale(...))`); inside that block `intro_for` gives the
introduction written in that language, else the one in the meeting's first language, else
nothing, with its placeholders filled for the recipient. The placeholders are those of the
organisers' messages that do not make a link (`INTRO_PLACEHOLDERS`): the e-mail already carries
its own link, and an introduction is never the place for it.
"""

from __future__ import annotations

from sqlalchemy import select

from meetapp.extensions import db
from meetapp.i18n import locale_code, shipped
from meetapp.messages.services import message_languages, placeholder_values
from meetapp.models import MailIntro, Meeting, Participant
from meetapp.outbox import placeholders

# What an introduction may hold, and what each gives.
INTRO_PLACEHOLDERS = {
    "name": "the participant's name",
    "meeting": "the meeting's title",
    "dates": "the meeting's dates",
    "venue": "the venue, city and country",
}


def _base(code: str) -> str:
    """'km-KH', 'km_KH', 'KM' -> 'km'."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def intros(meeting_id: int, kind: str) -> dict[str, str]:
    """The introductions of one kind of e-mail of a meeting, by language (one query: an
    e-mail sent to many people reads them once)."""
    rows = db.session.execute(
        select(MailIntro.language, MailIntro.text).where(
            MailIntro.meeting_id == meeting_id, MailIntro.kind == kind
        )
    ).all()
    return {row.language: row.text for row in rows if row.text.strip()}


def intro_languages(meeting: Meeting) -> list[str]:
    """The languages introductions are written in: the meeting's first, and its others that
    the e-mails are written in (`meetapp.i18n.LOCALES`): an e-mail never goes in another, so
    an introduction in it would never be read."""
    first, *others = message_languages(meeting)
    return [first, *(code for code in others if shipped(code) == code)]


def chosen_intro(
    meeting: Meeting, kind: str, code: str, texts: dict[str, str] | None = None
) -> tuple[str, str] | None:
    """The introduction a reader of `code` gets, as written (placeholders unfilled), with its
    language: the one in `code`, else the one in the meeting's first language, else None.
    `texts` are `intros(meeting.id, kind)`, when the caller has read them already."""
    if texts is None:
        texts = intros(meeting.id, kind)
    if not texts:
        return None
    # Only the meeting's languages count: an introduction left in a language the meeting
    # no longer has is not on the page any more, so it is not sent either.
    languages = intro_languages(meeting)
    current = {_base(code) for code in languages}
    by_language = {
        _base(language): (language, text)
        for language, text in texts.items()
        if _base(language) in current
    }
    return by_language.get(_base(code)) or by_language.get(_base(languages[0]))


def intro_for(
    meeting: Meeting,
    kind: str,
    participant: Participant,
    texts: dict[str, str] | None = None,
) -> str:
    """The introduction `participant` reads in the e-mail being rendered (in the language of
    the current locale), filled for them; "" when the organisers wrote none. `texts` are
    `intros(meeting.id, kind)`, when the caller has read them already."""
    found = chosen_intro(meeting, kind, locale_code(), texts)
    if found is None:
        return ""
    language, text = found
    values = placeholder_values(meeting, participant, language, link="", survey_link="")
    return placeholders.fill(text, {name: values[name] for name in INTRO_PLACEHOLDERS}).strip()
