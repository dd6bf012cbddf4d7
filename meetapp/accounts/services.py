"""Accounts: creating, changing and removing users, and checking their credentials."""

from __future__ import annotations

import secrets
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from meetapp.accounts.logins import end_all_logins
from meetapp.accounts.passwords import check_password_strength
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.models import Role, User
from meetapp.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    FieldRuleError,
    has_control_characters,
    single_line,
)

MAX_NAME_LENGTH = 200


def normalise_email(email: str) -> str:
    """A syntactically valid address, lower-cased; DomainError otherwise.

    The one form in which addresses are stored and compared (users' `email`, participants'
    `email_normalized`): without surrounding spaces, Unicode in NFC and the domain in its
    Unicode form (email-validator), then lower-cased. A plain `.lower()` would let the same
    address typed with decomposed accents, or with its domain in punycode, be someone else.
    """
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError(f"Not a valid e-mail address: {exc}", field="email") from exc
    return result.normalized.lower()


def email_for_lookup(email: str) -> str | None:
    """`normalise_email` of an address typed to find someone; None when it is not a valid
    address, which then matches no one (every stored address is normalised)."""
    try:
        return normalise_email(email)
    except DomainError:
        return None


def check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        raise DomainError(f"Unknown role {role!r}: use admin, organiser or staff.", field="role")
    return role


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("Enter a name.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(f"The name may have at most {MAX_NAME_LENGTH} characters.", field="name")
    if has_control_characters(name):
        raise DomainError(CONTROL_CHARACTERS_MESSAGE, field="name")
    try:
        return single_line(name)
    except FieldRuleError as error:
        raise DomainError(error.message, field="name") from None


def find_user_by_email(email: str) -> User | None:
    key = email_for_lookup(email)
    if key is None:
        return None
    return db.session.scalar(select(User).where(User.email == key))


def list_users() -> list[User]:
    """Every user, by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def _check_email_free(email: str, user: User | None = None) -> None:
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise DomainError(f"A user with the e-mail {email} already exists.", field="email")


def _flush_unique(email: str) -> None:
    """Flush; a concurrent insert of the same address becomes a DomainError, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DomainError(f"A user with the e-mail {email} already exists.", field="email") from exc


def create_user(email: str, password: str, role: str, name: str | None = None) -> User:
    email = normalise_email(email)
    check_role(role)
    name = _clean_name(name) if name is not None else email.split("@")[0][:MAX_NAME_LENGTH]
    check_password_strength(password, email, name)
    _check_email_free(email)
    user = User(email=email, name=name, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    _flush_unique(email)
    return user


def update_user(
    user: User,
    *,
    acting_user: User,
    email: str,
    name: str,
    role: str,
    active: bool,
    password: str | None = None,
) -> User:
    """Change a user's details; an admin cannot demote or deactivate their own account.
    A new password or deactivation ends every login of the user."""
    email = normalise_email(email)
    name = _clean_name(name)
    check_role(role)
    if user.id == acting_user.id:
        if role != user.role:
            raise DomainError("You cannot change your own role.", field="role")
        if not active:
            raise DomainError("You cannot deactivate your own account.", field="active")
    if password:
        check_password_strength(password, email, name)
    _check_email_free(email, user)
    deactivated = user.active and not active
    user.email = email
    user.name = name
    user.role = role
    user.active = active
    if password:
        user.set_password(password)
    _flush_unique(email)
    if password or deactivated:
        end_all_logins(user)
    return user


def change_password(user: User, password: str) -> None:
    """Give `user` a new password (refused unless it will do) and end every login of theirs."""
    check_password_strength(password, user.email, user.name)
    user.set_password(password)
    db.session.flush()
    end_all_logins(user)


def change_own_password(user: User, current_password: str, password: str) -> None:
    """`change_password` for the user themselves, who must give the password they have."""
    if not user.check_password(current_password):
        raise DomainError("This is not your current password.", field="current_password")
    change_password(user, password)


def delete_user(user: User, *, acting_user: User) -> None:
    """Remove a user; the database drops them from every meeting team (ON DELETE CASCADE)."""
    if user.id == acting_user.id:
        raise DomainError("You cannot delete your own account.")
    db.session.execute(delete(User).where(User.id == user.id))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time either way."""
    # Stored addresses are normalised (and lower-case, a check constraint says so): compare the
    # normalised form on the indexed column.
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway so that unknown addresses cannot be told apart by timing.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)
