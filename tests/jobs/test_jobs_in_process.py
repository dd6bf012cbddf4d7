"""Jobs without Redis: they run after the response, a failure on the last attempt is kept for
the administrators, who run it again or dismiss it from the Jobs page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from config import TestingConfig
from meetapp import create_app, jobs
from meetapp.models import FailedJob

CALLS: list[Any] = []


@jobs.task("tests.record")
def _record(value: Any) -> None:
    CALLS.append(value)


@jobs.task("tests.fail")
def _fail(value: Any) -> None:
    raise RuntimeError(f"cannot do {value}")


@pytest.fixture(autouse=True)
def _no_calls() -> None:
    CALLS.clear()


def failed_jobs(db: Any) -> list[FailedJob]:
    db.session.rollback()
    return list(db.session.scalars(select(FailedJob).order_by(FailedJob.id)))


def test_a_job_enqueued_by_a_request_runs_after_its_response(database_url: str) -> None:
    # An app of its own: routes cannot be added to the suite's once it has served.
    app = create_app(
        type("JobsConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    )
    seen_during_request: list[list[Any]] = []

    @app.get("/_enqueue")
    def _enqueue() -> str:
        jobs.enqueue("tests.record", "after")
        seen_during_request.append(list(CALLS))
        return "ok"

    response = app.test_client().get("/_enqueue", buffered=False)
    assert response.get_data() == b"ok"
    assert seen_during_request == [[]]
    assert CALLS == []  # the response is out, not closed yet: the job has not run
    response.close()
    assert CALLS == ["after"]


def test_parts_then_their_follow_up_run_after_the_response_even_when_a_part_fails(
    database_url: str, db: Any
) -> None:
    # An app of its own, for a route of the test's own, on the suite's database.
    app = create_app(
        type("JobsConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    )

    @app.get("/_parts")
    def _parts() -> str:
        jobs.enqueue_parts(
            [
                ("tests.record", ("part 1",)),
                ("tests.fail", ("part 2",)),
                ("tests.record", ("part 3",)),
            ],
            then=("tests.record", ("then",)),
        )
        return "ok"

    response = app.test_client().get("/_parts", buffered=False)
    assert response.get_data() == b"ok"
    assert CALLS == []
    response.close()
    with app.app_context():
        db.engine.dispose()  # the failure was recorded through this app's own connections
    assert CALLS == ["part 1", "part 3", "then"]
    [failed] = failed_jobs(db)  # the failed part is kept; the others and `then` still ran
    assert (failed.name, failed.args) == ("tests.fail", ["part 2"])


def test_parts_of_an_unknown_job_are_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(KeyError):
        jobs.enqueue_parts([("tests.record", (1,))], then=("tests.no-such-job", ()))
    assert CALLS == []


def test_outside_a_request_a_job_runs_at_once(app: Flask) -> None:
    with app.app_context():
        jobs.enqueue("tests.record", 1)
    assert CALLS == [1]


def test_an_unknown_job_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(KeyError):
        jobs.enqueue("tests.no-such-job")


def test_a_failed_job_is_kept_then_run_again_or_dismissed(
    app: Flask, db: Any, client: Any, make_user: Any, login_as: Any
) -> None:
    with app.app_context():
        jobs.enqueue("tests.fail", "the thing")
    [failed] = failed_jobs(db)
    assert (failed.name, failed.args) == ("tests.fail", ["the thing"])
    assert "RuntimeError: cannot do the thing" in failed.error
    first_failure = failed.failed_at

    login_as(make_user("admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "tests.fail" in page
    assert "RuntimeError: cannot do the thing" in page
    assert "Jobs run in the web process" in page

    # Run again: it fails again, and is back with a new record.
    response = client.post(f"/admin/jobs/{failed.id}/retry", follow_redirects=True)
    assert "runs again" in response.get_data(as_text=True)
    [again] = failed_jobs(db)
    assert (again.name, again.args) == ("tests.fail", ["the thing"])
    assert again.failed_at >= first_failure

    again_id = again.id
    client.post(f"/admin/jobs/{again_id}/dismiss")
    assert failed_jobs(db) == []
    assert client.post(f"/admin/jobs/{again_id}/dismiss").status_code == 404


def test_only_administrators_see_the_jobs(
    app: Flask, db: Any, new_client: Any, make_user: Any
) -> None:
    with app.app_context():
        jobs.enqueue("tests.fail", "x")
    [failed] = failed_jobs(db)
    for role in ("organiser", "staff"):
        client = new_client(make_user(role))
        assert client.get("/admin/jobs").status_code == 403
        assert client.post(f"/admin/jobs/{failed.id}/retry").status_code == 403
        assert client.post(f"/admin/jobs/{failed.id}/dismiss").status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FailedJob)) == 1
