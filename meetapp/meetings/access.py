"""Who may see and change what: the one place where permissions are decided.

- admin: everything.
- organiser: creates meetings; reads and changes only meetings whose team they are on.
  Other meetings answer 404, so their existence is not revealed. Uses and edits only the
  organisations of those meetings and the ones they created (`usable_organisations_filter`).
- staff: reads every meeting and downloads its documents, and makes two kinds of change on
  every meeting, the ones the product gives them: checking people in on the day
  (`can_check_in`) and writing the press release (`can_edit_press_release`); and, as readers
  of every meeting, they have its big documents prepared (`can_prepare_documents`). Every other
  change is the organisers' and is refused to staff (403).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy import exists, false, or_, select

from meetapp.extensions import db
from meetapp.models import Meeting, Organisation, Role, User, meeting_organisers

_SLUG = re.compile(r"[a-z0-9-]+")
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


def can_check_in(user: User, meeting: Meeting) -> bool:
    """Mark a participant attended and undo it, add a walk-in, give someone on the waiting
    list a seat at the desk: the meeting's team, admins, and staff (who run the registration
    desk on the day)."""
    return user.role == Role.STAFF or can_edit(user, meeting)


def can_edit_press_release(user: User, meeting: Meeting) -> bool:
    """Rewrite a section of the press-release draft, reset it, set the release date: the
    meeting's team, admins, and staff (who write the press release afterwards)."""
    return user.role == Role.STAFF or can_edit(user, meeting)


def can_prepare_documents(user: User, meeting: Meeting) -> bool:
    """Have a big document of the meeting prepared by a job, and remove it: whoever may
    download the meeting's documents (staff too, whose work they are)."""
    return can_read(user, meeting)


Permission = Callable[[User, Meeting], bool]


def is_slug(slug: str) -> bool:
    """Slugs are [a-z0-9-]+; anything else (a NUL byte, which PostgreSQL refuses) names no
    meeting and is not looked up."""
    return bool(slug) and len(slug) <= 80 and _SLUG.fullmatch(slug) is not None


def get_meeting_or_404(slug: str) -> Meeting:
    if not is_slug(slug):
        abort(404)
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None:
        abort(404)
    return meeting


def require_meeting(slug: str, *, write: bool, may_change: Permission = can_edit) -> Meeting:
    """The meeting at `slug` if the current user may read it (and, when `write`, make the
    change that `may_change` allows: by default any change, `can_edit`)."""
    meeting = get_meeting_or_404(slug)
    user: User = current_user
    if not can_read(user, meeting):
        abort(404)
    if write and not may_change(user, meeting):
        abort(403)
    return meeting


def meeting_view(
    func: Callable[..., R] | None = None,
    *,
    write: bool | None = None,
    may_change: Permission = can_edit,
) -> Any:
    """Decorate a view taking `slug`: it receives `meeting` instead, permission checked.

    `write=None` (the default) means: reads for GET/HEAD, writes for any other method.
    A write needs `may_change`: `can_edit` unless the view names the permission of one of the
    changes staff make too (`can_check_in`, `can_edit_press_release`), so any other POST by
    staff is refused.
    """

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        @login_required
        def wrapper(slug: str, *args: Any, **kwargs: Any) -> R:
            needs_write = write if write is not None else request.method not in ("GET", "HEAD")
            meeting = require_meeting(slug, write=needs_write, may_change=may_change)
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


def readable_meetings_filter(user: User) -> Any:
    """A WHERE clause for the meetings `user` may read (None: every meeting)."""
    if user.role in (Role.ADMIN, Role.STAFF):
        return None
    return Meeting.id.in_(
        select(meeting_organisers.c.meeting_id).where(meeting_organisers.c.user_id == user.id)
    )


def usable_organisations_filter(user: User) -> Any:
    """A WHERE clause for the organisations `user` may convene meetings for and edit.

    Admin: all (None). Organiser: those of a meeting on whose team they are, and those they
    created themselves (so that an organiser can create one, then convene a meeting for it).
    Nobody else's: a name, an "About" text or a website that match one's own give no rights,
    whether typed in a form or found in an imported file. Staff: none.
    """
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.ORGANISER:
        return false()
    on_team = (
        select(Meeting.organisation_id)
        .join(meeting_organisers, meeting_organisers.c.meeting_id == Meeting.id)
        .where(meeting_organisers.c.user_id == user.id)
    )
    return or_(Organisation.id.in_(on_team), Organisation.created_by_id == user.id)


def can_edit_organisation(user: User, organisation_id: int) -> bool:
    query = select(Organisation.id).where(Organisation.id == organisation_id)
    condition = usable_organisations_filter(user)
    if condition is not None:
        query = query.where(condition)
    return db.session.scalar(query) is not None


def require_organisation(organisation_id: int) -> Organisation:
    """The organisation if the current user may edit it; 404 otherwise (403 for staff)."""
    user: User = current_user
    if user.role not in (Role.ADMIN, Role.ORGANISER):
        abort(403)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_edit_organisation(user, organisation.id):
        abort(404)
    return organisation
