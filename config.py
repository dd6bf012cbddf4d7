"""Configuration classes, read from MEETAPP_* environment variables.

`create_app(config)` accepts one of these classes (or a name: "development", "testing",
"production"); without one it uses MEETAPP_CONFIG, else DevelopmentConfig.
"""

from __future__ import annotations

import os
from datetime import timedelta


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = _env("MEETAPP_SECRET_KEY", DEV_SECRET_KEY)
    # None means "SQLite under the instance folder"; create_app fills in the path.
    SQLALCHEMY_DATABASE_URI = _env("MEETAPP_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    REDIS_URL = _env("MEETAPP_REDIS_URL")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = _env("MEETAPP_LOGIN_RATE_LIMIT", "10 per minute")
    TOKEN_RATE_LIMIT = _env("MEETAPP_TOKEN_RATE_LIMIT", "60 per minute")
    REGISTER_RATE_LIMIT = _env("MEETAPP_REGISTER_RATE_LIMIT", "30 per minute")
    # A survey's open link (`/o/...`), shown to a room that may share one Wi-Fi address:
    # requests per address, generous enough for a few hundred people answering at once; per
    # browser (its cookie for that survey), what a person answering needs; wrong codes per
    # address.
    OPEN_SURVEY_RATE_LIMIT = _env("MEETAPP_OPEN_SURVEY_RATE_LIMIT", "1000 per 5 minutes")
    OPEN_SURVEY_BROWSER_RATE_LIMIT = _env("MEETAPP_OPEN_SURVEY_BROWSER_RATE_LIMIT", "20 per minute")
    OPEN_SURVEY_CODE_RATE_LIMIT = _env("MEETAPP_OPEN_SURVEY_CODE_RATE_LIMIT", "30 per 10 minutes")
    # "Send me my link again": asks per visitor's address (IP), and links sent per e-mail
    # address and meeting (a duplicate registration re-sends the link too, within this limit).
    LINK_RESEND_RATE_LIMIT = _env("MEETAPP_LINK_RESEND_RATE_LIMIT", "20 per hour")
    LINK_RESEND_ADDRESS_RATE_LIMIT = _env("MEETAPP_LINK_RESEND_ADDRESS_RATE_LIMIT", "3 per hour")

    # Where background jobs run: "redis" (an RQ queue, run by `flask --app meetapp worker`) or
    # "in-process" (after each response); "redis" when MEETAPP_REDIS_URL is set.
    JOBS = _env("MEETAPP_JOBS")
    JOBS_QUEUE = _env("MEETAPP_JOBS_QUEUE", "meetapp")

    # Files the app makes (prepared documents): the instance folder's files/ by default,
    # file:///a/folder, or s3://bucket/prefix with the S3_* settings (see meetapp.storage).
    STORAGE_URL = _env("MEETAPP_STORAGE_URL")
    S3_ENDPOINT_URL = _env("MEETAPP_S3_ENDPOINT_URL")
    S3_REGION = _env("MEETAPP_S3_REGION")
    S3_ACCESS_KEY_ID = _env("MEETAPP_S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = _env("MEETAPP_S3_SECRET_ACCESS_KEY")
    # A document of more rows than this (names, answers) is prepared by a background job and
    # downloaded from the Documents page once ready; a smaller one is made at once.
    DOCUMENTS_JOB_ROWS = _env_int("MEETAPP_DOCUMENTS_JOB_ROWS", 300)
    # Exports stream in constant memory: only their time sends the big ones to a job.
    EXPORTS_JOB_ROWS = _env_int("MEETAPP_EXPORTS_JOB_ROWS", 5000)
    # Hours a prepared document is kept before its file is removed.
    DOCUMENTS_KEEP_HOURS = _env_int("MEETAPP_DOCUMENTS_KEEP_HOURS", 24)

    MAIL_SERVER = _env("MEETAPP_MAIL_SERVER")
    MAIL_PORT = _env_int("MEETAPP_MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MEETAPP_MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MEETAPP_MAIL_USE_SSL")
    MAIL_USERNAME = _env("MEETAPP_MAIL_USERNAME")
    MAIL_PASSWORD = _env("MEETAPP_MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = _env("MEETAPP_MAIL_DEFAULT_SENDER", "meetapp@localhost")
    MAIL_TIMEOUT = _env_int("MEETAPP_MAIL_TIMEOUT", 10)
    # Seconds a deliverer keeps a message it is sending to itself. A claim older than this is
    # taken to be left by a deliverer that died, and the message is sent again: keep it well
    # above one SMTP exchange (several MAIL_TIMEOUTs).
    MAIL_SEND_LEASE = _env_int("MEETAPP_MAIL_SEND_LEASE", 300)

    # Seconds a change waits for a lock another change holds (PostgreSQL: lock_timeout, for a
    # row lock such as the meeting's; SQLite: the database's write lock) before the visitor is
    # told the site is busy (503).
    LOCK_TIMEOUT = _env_int("MEETAPP_LOCK_TIMEOUT", 10)

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    # (rate limits then count per visitor, not per proxy). 0: none trusted.
    PROXY_FIX = _env_int("MEETAPP_PROXY_FIX", 0)

    # Scheme, host (and path prefix) of the site for links in e-mails and calendar files; never
    # taken from a request. Required in production; development falls back to SERVER_NAME,
    # then http://127.0.0.1:5000 (see meetapp.public_urls).
    PUBLIC_BASE_URL = _env("MEETAPP_PUBLIC_BASE_URL")

    # Werkzeug's scrypt; the test suite uses cheaper parameters of the same algorithm.
    PASSWORD_HASH_METHOD = "scrypt"

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "sm"
    WTF_CSRF_TIME_LIMIT = None
    # The Strict-Transport-Security header; None: not sent (see ProductionConfig).
    STRICT_TRANSPORT_SECURITY: str | None = None
    # The largest request body, and the most form fields, a logged-in user's request may send
    # (meetapp/request_limits.py fits smaller limits to the public forms).
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    MAX_FORM_PARTS = 1000
    # A form field may be as large as the whole request: the CSV import's confirm form carries
    # the uploaded file's text in one field.
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    PARTICIPANTS_PER_PAGE = 50
    # How long a survey's personal link works after it was made (a reminder makes a new one).
    SURVEY_LINK_DAYS = _env_int("MEETAPP_SURVEY_LINK_DAYS", 120)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # How long a login lasts at most, with "Keep me logged in" or without: the remember cookie
    # expires then, and the server refuses the login's cookies after it.
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("MEETAPP_LOGIN_DAYS", 30))


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = _env("MEETAPP_TEST_DATABASE_URL")
    RATELIMIT_STORAGE_URI = "memory://"
    JOBS = "in-process"
    # Generous limits so that concurrency tests from one address are not throttled;
    # the rate-limit tests lower them.
    LOGIN_RATE_LIMIT = "1000 per minute"
    TOKEN_RATE_LIMIT = "1000 per minute"
    REGISTER_RATE_LIMIT = "1000 per minute"
    LINK_RESEND_RATE_LIMIT = "1000 per minute"
    LINK_RESEND_ADDRESS_RATE_LIMIT = "1000 per minute"
    # Long enough for the concurrency tests' requests to queue; the lock tests shorten it.
    LOCK_TIMEOUT = 30
    WTF_CSRF_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"
    PASSWORD_HASH_METHOD = "scrypt:2048:8:1"
    MAIL_SERVER = None
    MAIL_SUPPRESS_SEND = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # Browsers that have seen the site reach it over HTTPS only, for a year ("max-age=0" makes
    # them forget it).
    STRICT_TRANSPORT_SECURITY = _env("MEETAPP_HSTS", "max-age=31536000; includeSubDomains")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
