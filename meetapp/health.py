"""/healthz: whether this process can serve, that is whether the database answers; with the
state of the job queue (waiting jobs, whether a worker was seen within the last minute), which
monitoring reads but which does not make the process unhealthy."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from meetapp.extensions import db, limiter
from meetapp.jobs import queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable"}, 503, {"Cache-Control": "no-store"}
    return {"status": "ok", "jobs": queue().status()}, 200, {"Cache-Control": "no-store"}
