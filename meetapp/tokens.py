"""Personal links: the tokens behind `/r/<token>` (a registration) and `/s/<token>` (a survey
invitation).

A token is 256 random bits (`secrets.token_urlsafe`). Only its SHA-256 is stored, so a link
can be handed out only when it is made: on the page that made it, or in the e-mail that
carries it. The outbox keeps that e-mail until it is sent and then keeps it without the link
(`without_personal_links`), so that the database never holds a working link.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

TOKEN_BYTES = 32  # 256 random bits
# What secrets.token_urlsafe produces; anything else cannot be a personal-link token.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
# A personal link in a text: the path of either kind, then the token.
_PERSONAL_LINK = re.compile(r"(/[rs]/)[A-Za-z0-9_-]{20,100}")
REMOVED = "(link removed from the stored copy once sent)"
# A personal link's path in a log line, whatever follows its first segment `s` or `r` (also
# percent-encoded), wherever a path appears: the request line, the path, the raw URI, a
# Referer's URL, an error message.
_LOGGED_PERSONAL_LINK = re.compile(
    r"(^|[\s\"'=]|//[^/\s\"']*)/(s|r|%73|%72)/[^/?#\s\"']+", re.IGNORECASE
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh personal-link token and the hash that is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def is_token_shaped(token: str) -> bool:
    return bool(token) and TOKEN_SHAPE.fullmatch(token) is not None


def without_personal_links(text: str) -> str:
    """`text` with the token of every personal link replaced by a note that it was removed."""
    return _PERSONAL_LINK.sub(lambda match: f"{match.group(1)}{REMOVED}", text)


def redact_personal_links(text: str) -> str:
    """`text` (a log line) with the token of every personal link replaced by "…": a token is a
    credential, and the time at which a survey link was used must not be kept where it could
    be set beside an anonymous survey's answers."""
    return _LOGGED_PERSONAL_LINK.sub(r"\1/\2/…", text)


class PersonalLinkRedactingFilter(logging.Filter):
    """A logging filter that takes personal-link tokens out of a record: its message (such as
    Flask's "Exception on /r/<token> [GET]") and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_personal_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_personal_links(record.exc_text)
        return True
