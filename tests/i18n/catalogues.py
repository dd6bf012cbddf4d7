"""The shipped catalogues and which of their messages participants read."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from meetapp.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "meetapp" / "translations"
TRANSLATED = tuple(code for code in LOCALES if code != "en")

# The sources whose texts participants read: their pages, e-mails, error pages, and the code
# that speaks to them. A message is participant-facing when one of its places is here.
PARTICIPANT_SOURCES = (
    "templates/public_base.html",
    "templates/_macros/forms.html",
    "templates/errors/",
    "templates/email/",
    "templates/registration/",
    "templates/agenda/public_agenda.html",
    "templates/pdf/agenda.html",
    "templates/surveys/answer.html",
    "templates/surveys/_answer_question.html",
    "templates/surveys/kinds/",
    "templates/surveys/answered_elsewhere.html",
    "templates/surveys/bad_link.html",
    "templates/surveys/closed.html",
    "meetapp/i18n.py",
    "meetapp/errors.py",
    "meetapp/forms.py",
    "meetapp/validation.py",
    "meetapp/agenda/display.py",
    "meetapp/registration/",
    "meetapp/surveys/services.py",
    "meetapp/surveys/routes.py",
    "meetapp/surveys/invitations.py",
    "meetapp/models/surveys.py",
)


def read_catalogue(code: str) -> Catalog:
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def read_template() -> Catalog:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return read_po(handle)


def participant_facing(message: Message) -> bool:
    return any(
        str(filename).startswith(PARTICIPANT_SOURCES) for filename, _line in message.locations
    )
