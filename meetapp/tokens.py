"""Personal links: the tokens behind `/r/<token>` (a registration) and `/s/<token>` (a survey
invitation).

A token is 256 random bits (`secrets.token_urlsafe`). Only its SHA-256 is stored, so a link
can be handed out only when it is made: on the page that made it, or in the e-mail that
carries it. The outbox keeps that e-mail until it is sent and then keeps it without the link
(`without_personal_links`), so that the database never holds a working link.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 random bits
# What secrets.token_urlsafe produces; anything else cannot be a personal-link token.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
# A personal link in a text: the path of either kind, then the token.
_PERSONAL_LINK = re.compile(r"(/[rs]/)[A-Za-z0-9_-]{20,100}")
REMOVED = "(link removed from the stored copy once sent)"


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
