"""Absolute links that leave the site (personal links in e-mails, the agenda's address in a
calendar file), built from configuration alone.

A request's Host, X-Forwarded-Host or X-Forwarded-Prefix header is chosen by whoever sends the
request: a link built from it and mailed to someone else would hand that person's token to the
sender's host. So the scheme, host and path prefix come from `PUBLIC_BASE_URL`, else from
`SERVER_NAME` (with `PREFERRED_URL_SCHEME` and `APPLICATION_ROOT`), never from the request.
The production configuration refuses to start without `PUBLIC_BASE_URL`; development falls
back to `http://127.0.0.1:5000`, where `flask run` serves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url(app: Flask | None = None) -> str:
    """The scheme, host and path prefix of the site as configured, without a trailing slash.

    >>> public_base_url(Flask("x", static_folder=None))  # nothing configured
    'http://127.0.0.1:5000'
    """
    config = (app or current_app).config
    base = config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/")
    server = config.get("SERVER_NAME")
    if server:
        root = str(config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{server}{root}"
    return DEVELOPMENT_BASE_URL


def check_public_base_url(value: str) -> str | None:
    """Why `value` cannot be the site's public address, or None when it can.

    >>> check_public_base_url("https://meet.example.org")
    >>> check_public_base_url("meet.example.org")
    'it must start with http:// or https:// and name a host'
    """
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must start with http:// or https:// and name a host"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "it may hold a scheme, a host, a port and a path, nothing else"
    return None


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` under the configured base (see the module)."""
    parts = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
