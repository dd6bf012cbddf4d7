"""User accounts, their roles, and their logins (one row per logged-in browser)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db

if TYPE_CHECKING:
    from meetapp.models.meetings import Meeting


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    STAFF = "staff"


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'organiser', 'staff')", name="role"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised to end every login made before: a password change, deactivation, "Log out other
    # sessions". A login records the version it was made under and is refused once it differs,
    # even one being made at that very moment (see meetapp.accounts.logins).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    meetings: Mapped[list[Meeting]] = relationship(
        secondary="meeting_organisers", back_populates="organisers", lazy="raise"
    )

    def set_password(self, password: str) -> None:
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # What Flask-Login asks of a user. Unlike its UserMixin, `get_id` is never the bare id, and
    # two objects are the same user only if they are the same object (as for every model).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The key of the login this object came in through (what the session and remember
        cookies carry), so that ending the login refuses the cookies: never the bare id,
        which would open the account for as long as it exists."""
        key: str | None = getattr(self, "login_key", None)
        if key is None:
            raise RuntimeError("no login to give: start one with accounts.logins.start_login")
        return key

    def use_login(self, login: UserLogin, key: str) -> None:
        """Mark this object as logged in through `login`, whose key is `key` (the row keeps
        only a hash of its secret). Not stored: it lasts as long as the object, one request."""
        self.current_login = login
        self.login_key = key

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER


class UserLogin(db.Model):  # type: ignore[name-defined]
    """One browser logged in as a user, from the login form until it logs out or is logged out.

    The browser's cookies carry the key "<id>:<secret>"; the row keeps the SHA-256 of the
    secret, so the table alone opens nothing. Logging out deletes the row; the user's
    `session_version` moving past the one recorded here ends it too.
    """

    __tablename__ = "user_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    session_version: Mapped[int]
    # "Keep me logged in" was ticked: the browser also has a remember cookie.
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
