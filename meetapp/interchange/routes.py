"""Views of the interchange capability."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interchange", __name__)
