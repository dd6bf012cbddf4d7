"""How much a request may send: the bytes of its body and the number of its form fields, fitted
to the forms of the address it is sent to, and checked before anything reads the body.

Werkzeug counts the parts of a multipart body (`max_form_parts`) but not the fields of an
urlencoded one, whose parsing takes time in proportion to their number: those are counted in the
raw body first. Every body is refused with the 413 page before the CSRF check, the check for
malformed bodies or the view reads it; `limit_request_body` must be the first before-request
function.

- A request that no view takes (an unknown address, a method the address does not take): a
  small form, so that a small body gets its 404 or 405 and a large one is not read.
- The forms of visitors without an account (log in, register, the personal pages, a survey):
  what the largest of them can hold.
- Any other address from a visitor who is not logged in: a small form. Those addresses send
  such a visitor to log in whatever the body, and so does the limit, without reading a larger
  one.
- The forms of logged-in users: MAX_CONTENT_LENGTH and MAX_FORM_PARTS (the uploads and the
  largest forms fit), more fields where a form holds more, and more bytes for the import of a
  whole meeting.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, session
from flask.typing import ResponseReturnValue
from flask_login import decode_cookie
from werkzeug.exceptions import RequestEntityTooLarge

from meetapp.interchange.background import MAX_IMPORT_BYTES
from meetapp.outcomes.forms import BLANK_ROWS
from meetapp.outcomes.services import MAX_OUTCOMES

URLENCODED = "application/x-www-form-urlencoded"
# Nothing reads the body of these (Flask-WTF and Werkzeug's `request.values` leave it alone).
READING_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class BodyLimit:
    """The most a request body may hold: bytes, and form fields (urlencoded pairs or multipart
    parts). None: the application's MAX_CONTENT_LENGTH, MAX_FORM_PARTS."""

    max_bytes: int | None = None
    max_fields: int | None = None


# A few short fields: an e-mail address and a password of at most 500 characters (under 5 KB
# once percent-encoded), a button; with room to spare, so that input too long for the fields
# gets the form's own message.
SMALL_FORM = BodyLimit(32 * 1024, 20)
# The registration form, its longest texts written in a script that takes 9 bytes a character
# once percent-encoded, every language chosen.
REGISTRATION_FORM = BodyLimit(64 * 1024, 300)
# All of a meeting's outcomes on one form, five fields a row (id, kind, text, addressed to,
# remove), and a few more fields.
OUTCOMES_FORM = BodyLimit(None, (MAX_OUTCOMES + BLANK_ROWS) * 5 + 10)

# The forms a visitor without an account may send.
PUBLIC_FORMS = {
    "accounts.login": SMALL_FORM,
    "registration.submit_registration": REGISTRATION_FORM,
    "registration.manage": REGISTRATION_FORM,
    "registration.cancel": SMALL_FORM,
    "registration.resend_link": SMALL_FORM,
    # A survey's answers: a thousand choices, long texts in any script.
    "surveys.answer": BodyLimit(1024 * 1024),
    # The same through a survey's open link, and the code it may ask for first.
    "surveys.open_answer": BodyLimit(1024 * 1024),
    "surveys.open_code": SMALL_FORM,
}
# Forms of logged-in users other than the defaults.
USER_FORMS = {
    "accounts.logout": SMALL_FORM,
    "outcomes.outcomes": OUTCOMES_FORM,
    # A whole meeting's file (big ones are streamed to a temporary file and imported by a
    # job), with the form's few other fields.
    "interchange.import_meeting": BodyLimit(MAX_IMPORT_BYTES + 64 * 1024, 20),
}


def body_limit() -> BodyLimit:
    """The limit for the current request (see the module's docstring)."""
    if request.routing_exception is not None or request.endpoint is None:
        return SMALL_FORM
    public = PUBLIC_FORMS.get(request.endpoint)
    if public is not None:
        return public
    if not _carries_login():
        return SMALL_FORM
    return USER_FORMS.get(request.endpoint, BodyLimit())


def _carries_login() -> bool:
    """Whether the request comes with a login: the session's, or a remember-me cookie that
    bears the app's signature. Told without the database: a deactivated or deleted account is
    found out later, by the view."""
    if session.get("_user_id") is not None:
        return True
    cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return bool(cookie) and decode_cookie(cookie) is not None


def _sent_to_log_in() -> bool:
    """Whether the view would send the visitor to log in: the address takes the request and is
    not a public form (every other needs a login), and the request comes without one."""
    return (
        request.routing_exception is None
        and request.endpoint not in PUBLIC_FORMS
        and not _carries_login()
    )


def limit_request_body() -> ResponseReturnValue | None:
    """Before anything else: refuse a body over its limit with a 413, having read at most
    that limit of it, and parsed none of it. A visitor without a login who sends more than a
    small form to an address that needs one is sent to log in, as the view would send them.
    The body of a request that only reads (GET) is left unread, as everything else leaves it."""
    limit = body_limit()
    config = current_app.config
    max_bytes = limit.max_bytes if limit.max_bytes is not None else config["MAX_CONTENT_LENGTH"]
    max_fields = limit.max_fields if limit.max_fields is not None else config["MAX_FORM_PARTS"]
    request.max_content_length = max_bytes
    request.max_form_parts = max_fields
    if request.method in READING_METHODS:
        return None
    try:
        _check_body(max_bytes, max_fields)
    except RequestEntityTooLarge:
        if _sent_to_log_in():
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        raise
    return None


def _check_body(max_bytes: int, max_fields: int) -> None:
    length = request.content_length
    if length is not None and length > max_bytes:
        raise RequestEntityTooLarge()
    if request.mimetype == URLENCODED:
        # Reading stops with a 413 past max_content_length; the form is parsed later from
        # these same bytes.
        body = request.get_data(cache=True)
        if body and body.count(b"&") + 1 > max_fields:
            raise RequestEntityTooLarge()


def register_request_limits(app: Flask) -> None:
    """Run `limit_request_body` before every other before-request function, those of the
    extensions included."""
    app.before_request_funcs.setdefault(None, []).insert(0, limit_request_body)
