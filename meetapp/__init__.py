"""meetapp: multi-stakeholder meetings from registration to press release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, DEV_SECRET_KEY, Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | str | dict[str, Any] | None = None) -> Flask:
    """Build the application.

    `config` is a Config class, the name of one ("development", "testing", "production"),
    or a mapping of settings applied over the MEETAPP_CONFIG class (development by default).
    """
    import os

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("MEETAPP_INSTANCE_PATH") or str(ROOT / "instance"),
    )
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = config
        config = None
    if config is None:
        config = os.environ.get("MEETAPP_CONFIG", "development")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise RuntimeError(f"unknown MEETAPP_CONFIG {config!r}: use one of {sorted(CONFIGS)}")
        config = CONFIGS[config]
    app.config.from_object(config)
    app.config.update(overrides)
    _check_config(app)
    if app.config.get("PROXY_FIX"):
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )

    _register_extensions(app)
    _register_blueprints(app)
    _register_errorhandlers(app)
    _register_security_headers(app)
    _register_template_helpers(app)
    _register_commands(app)
    _register_request_limits(app)
    return app


def _check_config(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'meetapp.db'}"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault(
            "connect_args",
            {"timeout": float(app.config["LOCK_TIMEOUT"]), "check_same_thread": False},
        )
        # A database file has no server that could drop a pooled connection: testing each one
        # as it leaves the pool would only cost a statement per request.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["REMEMBER_COOKIE_DURATION"].total_seconds() <= 0:
        raise RuntimeError("MEETAPP_LOGIN_DAYS must be 1 or more")
    production = bool(app.config.get("SESSION_COOKIE_SECURE"))
    secret = app.config.get("SECRET_KEY") or ""
    if production and (secret == DEV_SECRET_KEY or len(secret) < 16):
        raise RuntimeError("ProductionConfig needs MEETAPP_SECRET_KEY set to a long random value")
    _check_public_base_url(app, production)


def _check_public_base_url(app: Flask, production: bool) -> None:
    """Links in e-mails come from configuration alone (see `meetapp.public_urls`): production
    needs the site's public address, and a set address must be one."""
    from meetapp.public_urls import check_public_base_url

    base = app.config.get("PUBLIC_BASE_URL")
    if not base:
        if production:
            raise RuntimeError(
                "ProductionConfig needs MEETAPP_PUBLIC_BASE_URL, the address participants "
                "reach the site at (e.g. https://meet.example.org): links in e-mails use it"
            )
        return
    problem = check_public_base_url(str(base))
    if problem:
        raise RuntimeError(f"MEETAPP_PUBLIC_BASE_URL {base!r} is not usable: {problem}")


def _register_extensions(app: Flask) -> None:
    from meetapp import i18n, jobs
    from meetapp.database import (
        begin_write,
        configure_postgresql,
        configure_sqlite,
        render_migration_item,
    )
    from meetapp.extensions import bootstrap, csrf, db, limiter, login_manager, mail, migrate
    from meetapp.locking import raise_lock_timeouts

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app)
    jobs.init_app(app)

    with app.app_context():
        lock_timeout = float(app.config["LOCK_TIMEOUT"])
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, busy_timeout=lock_timeout)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine, lock_timeout=lock_timeout)
        raise_lock_timeouts(db.engine)

    @login_manager.user_loader
    def _load_user(login_key: str) -> Any:
        from meetapp.accounts.logins import load_login

        return load_login(login_key)

    from meetapp.forms import refuse_malformed_posts

    app.before_request(refuse_malformed_posts)

    @app.before_request
    def _writes_begin_as_writes() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write(db.session())


def _register_blueprints(app: Flask) -> None:
    from meetapp.database import URL_CONVERTERS

    # Before any rule is added: <int:...> stops at the range of the id columns, and no
    # argument holds a control character.
    app.url_map.converters.update(URL_CONVERTERS)
    from meetapp.accounts.routes import bp as accounts_bp
    from meetapp.agenda.routes import bp as agenda_bp
    from meetapp.documents.routes import bp as documents_bp
    from meetapp.health import bp as health_bp
    from meetapp.interchange.routes import bp as interchange_bp
    from meetapp.jobs.routes import bp as jobs_bp
    from meetapp.meetings.routes import bp as meetings_bp
    from meetapp.messages.routes import bp as messages_bp
    from meetapp.outcomes.routes import bp as outcomes_bp
    from meetapp.participants.routes import bp as participants_bp
    from meetapp.registration.builder import bp as questions_bp
    from meetapp.registration.routes import bp as registration_bp
    from meetapp.reports.routes import bp as reports_bp
    from meetapp.surveys.routes import bp as surveys_bp

    for bp in (
        accounts_bp,
        meetings_bp,
        registration_bp,
        participants_bp,
        questions_bp,
        interchange_bp,
        agenda_bp,
        surveys_bp,
        messages_bp,
        outcomes_bp,
        reports_bp,
        documents_bp,
        health_bp,
        jobs_bp,
    ):
        app.register_blueprint(bp)


def _register_errorhandlers(app: Flask) -> None:
    from meetapp.errors import register_errorhandlers

    register_errorhandlers(app)


def _register_security_headers(app: Flask) -> None:
    from meetapp.security_headers import register_security_headers

    register_security_headers(app)


def _register_template_helpers(app: Flask) -> None:
    from meetapp.formatting import register_template_filters
    from meetapp.forms import register_template_helpers

    register_template_filters(app)
    register_template_helpers(app)


def _register_request_limits(app: Flask) -> None:
    """Last, so that the body limit runs before the before-request functions of the others."""
    from meetapp.request_limits import register_request_limits

    register_request_limits(app)


def _register_commands(app: Flask) -> None:
    from meetapp.cli import register_commands

    register_commands(app)
