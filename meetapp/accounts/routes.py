"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from meetapp.accounts.forms import LoginForm
from meetapp.accounts.services import authenticate
from meetapp.extensions import limiter

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
    # A successful login redirects; failed ones re-render the form (200) and count.
    return getattr(response, "status_code", 200) != 302


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
def users() -> str:
    return "users"
