"""Security headers on every response.

The Content-Security-Policy allows scripts, styles and images from the site itself only:
no inline <script>, no style="..." attributes, no <style> blocks. Pages that set a stricter
header themselves (the personal pages' Referrer-Policy: no-referrer) keep theirs.

Strict-Transport-Security is sent where the configuration names it (production: browsers then
reach the site over HTTPS only). Every response to a logged-in user but the static files is
kept out of caches (Cache-Control: no-store): it shows what only that user may see, and a
shared computer's browser must not keep it; so are the personal pages (`/r/`, `/s/`) and the
downloads that carry personal data, which say so themselves. Public pages and static files stay
cacheable.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# Files served as they are, the same for everyone.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    if _for_a_logged_in_user() and "no-store" not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def _for_a_logged_in_user() -> bool:
    """Whether the response goes to a logged-in user (told by the session, without the
    database) and is not a static file."""
    return request.endpoint not in STATIC_ENDPOINTS and session.get("_user_id") is not None


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
