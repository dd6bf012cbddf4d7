"""Logins: each logged-in browser has a row, so that the server can end it.

Flask's session is a signed cookie the server keeps no trace of: replaying a copy of it would
keep working after logging out. So the session cookie and the "Keep me logged in" cookie carry
the key of a login row, "<id>:<secret>" (Flask-Login's alternative id, `User.get_id`), with a
new random secret for every login; the row keeps its SHA-256, the user's session version at
the time, and when it expires (REMEMBER_COOKIE_DURATION after the login, remembered or not).

A login is refused, whichever cookie it comes with, once its row is gone (logging out deletes
it), once the user's session version has moved past the one it recorded (a password change,
deactivation, "Log out other sessions": see `end_all_logins`), once it has expired, and while
the account is inactive.
"""

from __future__ import annotations

import hmac

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.models import User, UserLogin
from meetapp.tokens import hash_token, is_token_shaped, new_token
from meetapp.validation import is_id_text


def start_login(user: User, *, remember: bool) -> None:
    """Record a new login of `user` and mark the object as logged in through it, so that
    Flask-Login's `login_user(user)` puts its key in the cookies."""
    now = utcnow()
    _forget_ended_logins(user)
    secret, secret_hash = new_token()
    login = UserLogin(
        user_id=user.id,
        secret_hash=secret_hash,
        session_version=user.session_version,
        remember=remember,
        created_at=now,
        expires_at=now + current_app.config["REMEMBER_COOKIE_DURATION"],
    )
    db.session.add(login)
    db.session.flush()
    user.use_login(login, f"{login.id}:{secret}")


def load_login(key: str) -> User | None:
    """The user whose login has this key, if the login still holds; else None (Flask-Login's
    user loader: the visitor is then anonymous). One query."""
    login_id, _, secret = key.partition(":")
    if not is_id_text(login_id) or not is_token_shaped(secret):
        return None  # a key of another shape, such as the bare user id of older cookies
    row = db.session.execute(
        select(UserLogin, User)
        .join(User, User.id == UserLogin.user_id)
        .where(UserLogin.id == int(login_id))
    ).first()
    if row is None:
        return None
    login, user = row
    if (
        not hmac.compare_digest(login.secret_hash, hash_token(secret))
        or login.session_version != user.session_version
        or login.expires_at <= utcnow()
        or not user.active
    ):
        return None
    user.use_login(login, key)
    return user


def end_login(user: User) -> None:
    """Log out the browser `user` came in through: its cookies open nothing any more, the
    user's other logins stay."""
    db.session.execute(delete(UserLogin).where(UserLogin.id == user.current_login.id))


def end_all_logins(user: User) -> None:
    """End every login of `user`. Raising the session version (in the database, so that two
    raises do not meet at the same number) also refuses a login that read the user before
    this and records its row after."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(UserLogin).where(UserLogin.user_id == user.id))
    db.session.expire(user, ["session_version"])


def other_login_count(user: User) -> int:
    """How many other browsers are logged in as `user` (logins still holding)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(UserLogin)
            .where(
                UserLogin.user_id == user.id,
                UserLogin.id != user.current_login.id,
                UserLogin.session_version == user.session_version,
                UserLogin.expires_at > utcnow(),
            )
        )
        or 0
    )


def _forget_ended_logins(user: User) -> None:
    """Delete the rows of `user`'s logins that can no longer hold (expired, or of an older
    session version), so that the table does not grow with browsers that never logged out."""
    db.session.execute(
        delete(UserLogin).where(
            UserLogin.user_id == user.id,
            or_(
                UserLogin.expires_at <= utcnow(),
                UserLogin.session_version != user.session_version,
            ),
        )
    )
