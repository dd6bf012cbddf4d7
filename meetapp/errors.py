"""Error pages: every error a person can meet gets a page of the site, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from meetapp.extensions import db
from meetapp.i18n import N_
from meetapp.tokens import PersonalLinkRedactingFilter

MESSAGES = {
    400: (N_("Bad request"), N_("The request could not be understood.")),
    403: (N_("Forbidden"), N_("You do not have permission to do this.")),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Method not allowed"), N_("This address does not accept that kind of request.")),
    413: (N_("Too large"), N_("The file or form you sent is too large.")),
    429: (
        N_("Too many requests"),
        N_("Too many attempts from your address. Please wait a minute and try again."),
    ),
    500: (
        N_("Something went wrong"),
        N_("An unexpected error occurred. Nothing was saved; please try again."),
    ),
    503: (
        N_("Busy, try again"),
        N_(
            "Many changes are being made at this moment. Nothing was saved: please try again "
            "in a few seconds."
        ),
    ),
}
CSRF_MESSAGE = N_(
    "The form has expired or was not sent from this site. Go back, reload and try again."
)
# Seconds after which a request refused as busy (503) may be sent again.
RETRY_AFTER = 5


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, (N_("Error"), N_("An error occurred.")))
    return render_template(
        "errors/error.html",
        code=code,
        title=gettext(title),
        message=gettext(detail or message),
        # No language switch: an error page has no page to come back to.
        language_back=None,
        public=_is_public_page(),
    ), code


def _is_public_page() -> bool:
    """Participants' pages (registration, personal links) show errors in their own frame,
    without the staff navigation or a link to the staff's start page."""
    return request.blueprint == "registration" or request.path.startswith(("/m/", "/r/", "/s/"))


def register_errorhandlers(app: Flask) -> None:
    # Flask logs an unexpected error as "Exception on <path> [<method>]": not a personal
    # link's token.
    app.logger.addFilter(PersonalLinkRedactingFilter())

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        db.session.rollback()
        code = error.code or 500
        if code < 400:
            return error
        if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
            return {"error": MESSAGES.get(code, ("Error",))[0], "status": code}, code
        detail = error.description if code in (400, 403, 404) and _custom(error) else None
        response = render_error(code, detail)
        if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> tuple[str, int]:
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(MeetingGone)
    def _meeting_gone(error: MeetingGone) -> tuple[str, int]:
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(LockTimeout)
    def _lock_timeout(error: LockTimeout) -> ResponseReturnValue:
        db.session.rollback()
        page, code = render_error(503)
        return page, code, {"Retry-After": str(RETRY_AFTER)}


def _custom(error: HTTPException) -> bool:
    """True when the view gave its own description (abort(404, "...")), not Werkzeug's text."""
    return bool(error.description) and error.description != type(error).description


class DomainError(Exception):
    """A rule of the domain refused an operation; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class MeetingGone(Exception):
    """The meeting was deleted while a request worked on it: the request's page is not found."""


class LockTimeout(Exception):
    """A lock held by another request was not granted within LOCK_TIMEOUT: nothing was saved,
    and the request may be sent again (see meetapp.locking)."""
