"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from meetapp.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
bootstrap = Bootstrap5()


def _token_limit() -> str:
    return str(current_app.config["TOKEN_RATE_LIMIT"])


def _failed_lookup(response: Any) -> bool:
    return getattr(response, "status_code", 200) == 404


def personal_link_limit() -> Any:
    """The rate limit of the personal links (`/r/<token>`, `/s/<token>`), one budget per
    address for all of them (MEETAPP_TOKEN_RATE_LIMIT).

    It is checked on every request, so an address over the limit is refused (429) even with
    a working link, but only failed lookups (404: unknown, expired or withdrawn links) count
    against it: guessing is what it stops, and a room full of people answering through one
    Wi-Fi address never reaches it.
    """
    return limiter.shared_limit(_token_limit, scope="personal-link", deduct_when=_failed_lookup)
