"""Log in and out; a user's own account page; the admin's user management."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
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

from meetapp.accounts.forms import (
    ChangePasswordForm,
    EditUserForm,
    LoginForm,
    LogOutOtherSessionsForm,
    NewUserForm,
)
from meetapp.accounts.logins import end_all_logins, end_login, other_login_count, start_login
from meetapp.accounts.services import (
    authenticate,
    change_own_password,
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
def _clear_ended_login() -> None:
    """A browser whose login has ended (logged out elsewhere, a new password, deactivated)
    is anonymous; its cookies are cleared too, the remember cookie with the session's."""
    if session.get("_user_id") is not None and current_user.is_anonymous:
        logout_user()


def _log_in(user: User, remember: bool) -> None:
    """Log this browser in as `user` through a new login (meetapp.accounts.logins)."""
    start_login(user, remember=remember)
    login_user(user, remember=remember)


def _me() -> User:
    """The logged-in user itself, not the `current_user` proxy (which `login_user` must not
    be given: the proxy would then stand for itself)."""
    user: User = current_user._get_current_object()
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_only_failed_logins)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("meetings.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            _log_in(user, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(
                safe_next_url(request.args.get("next")) or url_for("meetings.dashboard")
            )
        form.password.errors = ["Wrong e-mail or password."]
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    end_login(_me())
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


def _account_page(password_form: ChangePasswordForm) -> ResponseReturnValue:
    return render_template(
        "accounts/account.html",
        password_form=password_form,
        sessions_form=LogOutOtherSessionsForm(),
        other_logins=other_login_count(_me()),
    )


@bp.route("/account")
@login_required
def account() -> ResponseReturnValue:
    return _account_page(ChangePasswordForm(_me()))


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_only_failed_logins)
def change_password() -> ResponseReturnValue:
    me = _me()
    form = ChangePasswordForm(me)
    if form.validate_on_submit():
        remember = me.current_login.remember
        try:
            change_own_password(me, form.current_password.data or "", form.password.data or "")
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            _log_in(me, remember)  # the new password ended this login with the others
            db.session.commit()
            flash("Your password is changed. Your other sessions are logged out.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form)


@bp.route("/account/sessions", methods=["POST"])
@login_required
def log_out_other_sessions() -> ResponseReturnValue:
    me = _me()
    if not LogOutOtherSessionsForm().validate_on_submit():
        abort(400)  # its CSRF token is all it has
    # Every login ends, this one too, and this browser gets a new one: a copy of its old
    # cookies is refused with the other browsers.
    remember = me.current_login.remember
    end_all_logins(me)
    _log_in(me, remember)
    db.session.commit()
    flash("Your other sessions are logged out.", "success")
    return redirect(url_for("accounts.account"))


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
        me = _me()
        remember = me.current_login.remember
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
            if form.password.data and user is me:
                _log_in(me, remember)  # the new password ended this login too
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
