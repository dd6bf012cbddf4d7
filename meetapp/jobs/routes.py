"""The administrators' Jobs page: the queue's state and the jobs that failed for good, each of
which can be run again or dismissed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select

from meetapp.extensions import db
from meetapp.forms import AppForm
from meetapp.jobs import TASKS, QueueUnavailable, enqueue, queue
from meetapp.meetings.access import roles_required
from meetapp.models import FailedJob, Role

bp = Blueprint("jobs", __name__)

SHOWN = 100


class JobActionForm(AppForm):
    """A button on a failed job: only the CSRF token."""


@bp.get("/admin/jobs")
@roles_required(Role.ADMIN)
def jobs() -> ResponseReturnValue:
    failed = list(db.session.scalars(select(FailedJob).order_by(FailedJob.id.desc()).limit(SHOWN)))
    return render_template("jobs/jobs.html", status=queue().status(), failed=failed)


def _failed_or_404(job_id: int) -> FailedJob:
    failed = db.session.get(FailedJob, job_id)
    if failed is None:
        abort(404)
    return failed


def _checked(form: FlaskForm) -> None:
    if not form.validate_on_submit():
        abort(400)


@bp.post("/admin/jobs/<int:job_id>/retry")
@roles_required(Role.ADMIN)
def retry(job_id: int) -> ResponseReturnValue:
    _checked(JobActionForm())
    failed = _failed_or_404(job_id)
    name, args = failed.name, list(failed.args)
    if name not in TASKS:
        flash(f"There is no job called {name} any more: dismiss it.", "warning")
        return redirect(url_for(".jobs"))
    db.session.delete(failed)
    db.session.commit()
    try:
        enqueue(name, *args)
    except QueueUnavailable:
        flash("The queue does not answer: try again in a moment.", "error")
    else:
        flash(f"The job {name} runs again; should it fail again, it comes back here.", "success")
    return redirect(url_for(".jobs"))


@bp.post("/admin/jobs/<int:job_id>/dismiss")
@roles_required(Role.ADMIN)
def dismiss(job_id: int) -> ResponseReturnValue:
    _checked(JobActionForm())
    db.session.delete(_failed_or_404(job_id))
    db.session.commit()
    flash("The failed job is dismissed.", "info")
    return redirect(url_for(".jobs"))
