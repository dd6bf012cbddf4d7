"""Log in and out; the admin's user management."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from meetapp.accounts.forms import EditUserForm, LoginForm, NewUserForm
from meetapp.accounts.services import (
    authenticate,
    create_user,
    delete_user,
    list_users,
    update_user,
)
from meetapp.errors import DomainError
from meetapp.extensions import db, limiter
from meetapp.forms import show_domain_error
from meetapp.meetings.access import roles_required
from meetapp.models import Role, User

bp = Blueprint("accounts", __name__)


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _only_failed_logins(response: object) -> bool:
    # A successful login redirects and costs nothing; a failed one re-renders the form (200)
    # or is refused (400) and counts. A refusal for going over the limit does not add to it.
    return getattr(response, "status_code", 200) not in (302, 303, 429)


@bp.before_app_request
def _log_out_deactivated_users() -> None:
    """End the session of a user whom an admin deactivated since they logged in."""
    if (
        session.get("_user_id") is not None
        and not current_user.is_anonymous
        and not current_user.is_active
    ):
        logout_user()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_only_failed_logins)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("meetings.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            return redirect(
                safe_next_url(request.args.get("next")) or url_for("meetings.dashboard")
            )
        form.password.errors = ["Wrong e-mail or password."]
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("accounts/users.html", users=list_users())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new() -> ResponseReturnValue:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data or "",
                form.password.data or "",
                form.role.data or "",
                name=form.name.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Created the user {user.email}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                acting_user=current_user,
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                active=bool(form.active.data),
                password=form.password.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved the user {user.email}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def user_delete(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    email = user.email
    try:
        delete_user(user, acting_user=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.user_edit", user_id=user_id))
    db.session.commit()
    flash(f"Deleted the user {email}.", "success")
    return redirect(url_for("accounts.users"))
