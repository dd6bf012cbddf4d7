"""Views of the meetings capability."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("meetings", __name__)


@bp.route("/")
def dashboard() -> str:
    return "dashboard"


@bp.route("/organisations")
def organisations() -> str:
    return "organisations"
