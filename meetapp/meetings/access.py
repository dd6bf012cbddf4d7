"""Who may see and change what: the one place where permissions are decided.

- admin: everything.
- organiser: creates meetings; reads and changes only meetings whose team they are on.
  Other meetings answer 404, so their existence is not revealed.
- staff: reads every meeting and downloads its documents; every change is refused (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from meetapp.extensions import db
from meetapp.models import Meeting, Role, User, meeting_organisers

P = ParamSpec("P")
R = TypeVar("R")


def is_on_team(user: User, meeting: Meeting) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    meeting_organisers.c.meeting_id == meeting.id,
                    meeting_organisers.c.user_id == user.id,
                )
            )
        )
    )


def can_read(user: User, meeting: Meeting) -> bool:
    if user.role in (Role.ADMIN, Role.STAFF):
        return True
    return user.role == Role.ORGANISER and is_on_team(user, meeting)


def can_edit(user: User, meeting: Meeting) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANISER and is_on_team(user, meeting)


def get_meeting_or_404(slug: str) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None:
        abort(404)
    return meeting


def require_meeting(slug: str, *, write: bool) -> Meeting:
    """The meeting at `slug` if the current user may read it (and change it, when `write`)."""
    meeting = get_meeting_or_404(slug)
    user: User = current_user
    if not can_read(user, meeting):
        abort(404)
    if write and not can_edit(user, meeting):
        abort(403)
    return meeting


def meeting_view(func: Callable[..., R] | None = None, *, write: bool | None = None) -> Any:
    """Decorate a view taking `slug`: it receives `meeting` instead, permission checked.

    `write=None` (the default) means: reads for GET/HEAD, writes for any other method,
    so a POST by staff is always refused.
    """

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        @login_required
        def wrapper(slug: str, *args: Any, **kwargs: Any) -> R:
            needs_write = write if write is not None else request.method not in ("GET", "HEAD")
            meeting = require_meeting(slug, write=needs_write)
            return view(meeting, *args, **kwargs)

        return wrapper

    if func is not None:
        return decorate(func)
    return decorate


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Only users with one of `roles`; others get 403."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def lock_meeting(meeting_id: int) -> Meeting:
    """Re-read the meeting with a row lock, serialising writes that check then insert.

    On PostgreSQL this is SELECT ... FOR UPDATE; on SQLite the write transaction is already
    exclusive (see `meetapp.database.begin_write`).
    """
    meeting = db.session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update(of=Meeting)
        .execution_options(populate_existing=True)
    )
    if meeting is None:
        abort(404)
    return meeting
