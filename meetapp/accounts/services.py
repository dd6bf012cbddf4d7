"""Accounts: creating users and checking their credentials."""

from __future__ import annotations

import secrets
from functools import cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.models import Role, User

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """A syntactically valid address, lower-cased; DomainError otherwise."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError(f"Not a valid e-mail address: {exc}", field="email") from exc
    return result.normalized.lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str, role: str, name: str | None = None) -> User:
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise DomainError(f"Unknown role {role!r}: use admin, organiser or staff.", field="role")
    check_password_strength(password)
    if find_user_by_email(email) is not None:
        raise DomainError(f"A user with the e-mail {email} already exists.", field="email")
    user = User(email=email, name=(name or email.split("@")[0]).strip()[:200], role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time either way."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        # Hash anyway so that unknown addresses cannot be told apart by timing.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method="scrypt")
