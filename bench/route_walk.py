"""Every GET route of the URL map, for a meeting of 20,000 participants, on gunicorn: how long
each holds the worker, and how far each raises the worker's peak memory.

The meeting is the demo meeting (its agenda, statements, outcomes, contacts and surveys) with
`--participants` participants and a survey answered by half of them, loaded through the app's
own import. An administrator logs in to gunicorn (deploy/gunicorn.conf.py, one worker, the
production configuration) and requests every GET rule of the app's URL map once per round,
its arguments filled with that meeting's records (a survey's key for the survey pages, a
session's for the agenda's, a personal link made for the walk...). Before each request the
worker's peak resident memory (VmHWM) is reset; after it, its rise is read. The baseline is
`/healthz` in the same rounds: what any request costs.

    .venv/bin/python bench/route_walk.py [--participants 20000] [--rounds 2]

Goals: no route holds the worker for 2 s or more, and none raises its peak memory by 50 MB or
more. The database is a SQLite file in a temporary folder, or the PostgreSQL database named by
MEETAPP_DATABASE_URL (the meeting is deleted afterwards). Prints the slowest and the hungriest
routes and saves every figure as JSON in bench/results/. Exit status: 0 goals met, 1 missed,
2 the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from exports import Session, worker_of  # noqa: E402
from exports import child as child_of  # noqa: E402
from import_meeting import document  # noqa: E402
from process_memory import peak_mb, reset_peak, rss_mb  # noqa: E402
from registration_page import (  # noqa: E402
    BenchError,
    free_port,
    gunicorn,
    meetapp_environment,
    wait_until_serving,
)

SECONDS_GOAL = 2.0
MEMORY_GOAL_MB = 50.0
ADMIN = "bench-walk@example.org"
# The same in the child processes that make the account (see `run`).
PASSWORD = os.environ.get("BENCH_WALK_PASSWORD") or secrets.token_urlsafe(16)
# Rules the walk leaves out: files of the site, and logging out (it would end the session).
SKIPPED = ("static", "bootstrap.static", "accounts.logout")


# --- in child processes ---------------------------------------------------------------------


def _app() -> Any:
    from meetapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": os.environ["MEETAPP_DATABASE_URL"]})


def setup(participants: int, slug: str) -> None:
    """The demo meeting with `participants` participants and a big survey, an administrator,
    and the values of the URL arguments (printed as JSON on the last line)."""
    from sqlalchemy import select

    from meetapp.accounts.services import create_user
    from meetapp.cli import DEMO_FILE
    from meetapp.extensions import db
    from meetapp.interchange.services import import_meeting, parse_document
    from meetapp.models import (
        AgendaSession,
        Contact,
        FailedJob,
        Outcome,
        Participant,
        Speaker,
        StakeholderGroup,
        Statement,
        Survey,
        SurveyInvitation,
        SurveyQuestion,
    )
    from meetapp.surveys.services import issue_token
    from meetapp.tokens import new_token

    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    big = document(participants, slug)
    rng = random.Random(participants)  # noqa: S311 - benchmark data, not secrets
    groups = [group["key"] for group in demo["meeting"]["stakeholder_groups"]]
    for person in big["participants"]:
        person["stakeholder_group"] = rng.choice(groups)
    demo["meeting"]["slug"] = slug
    demo["participants"] = [*demo["participants"], *big["participants"]]
    demo["surveys"] = [*demo["surveys"], *big["surveys"]]
    demo["organisation"]["name"] = f"Walk {slug}"
    with _app().app_context():
        db.create_all()
        meeting = import_meeting(parse_document(json.dumps(demo).encode())).meeting
        admin = create_user(ADMIN, PASSWORD, "admin")
        db.session.flush()

        def first(model: Any, *where: Any) -> Any:
            return db.session.scalar(select(model).where(*where).limit(1))

        person = first(Participant, Participant.meeting_id == meeting.id)
        token, person.token_hash = new_token()
        survey = first(Survey, Survey.meeting_id == meeting.id, Survey.key == "feedback")
        invitation = SurveyInvitation(survey_id=survey.id, participant_id=person.id)
        db.session.add(invitation)
        db.session.flush()
        survey_token = issue_token(invitation)
        failed = FailedJob(name="outbox.deliver", args=[[]], error="SMTPException: refused")
        db.session.add(failed)
        db.session.commit()
        session = first(AgendaSession, AgendaSession.meeting_id == meeting.id)
        values = {
            "slug": slug,
            "participant_id": person.id,
            "group_id": first(StakeholderGroup, StakeholderGroup.meeting_id == meeting.id).id,
            "user_id": admin.id,
            "org_id": meeting.organisation_id,
            "token": token,
            "survey_token": survey_token,
            "speaker_id": first(Speaker, Speaker.meeting_id == meeting.id).id,
            "session_id": session.id,
            "session_key": session.key,
            "statement_id": first(Statement, Statement.meeting_id == meeting.id).id,
            "key": survey.key,
            "question_id": first(SurveyQuestion, SurveyQuestion.survey_id == survey.id).id,
            "contact_id": first(Contact, Contact.meeting_id == meeting.id).id,
            "outcome_id": first(Outcome, Outcome.meeting_id == meeting.id).id,
            "section": "headline",
            "job_id": failed.id,
            "kind": "sign-in-sheet",
        }
    print(json.dumps(values))


def teardown(slug: str) -> None:
    from sqlalchemy import delete, select

    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, User

    with _app().app_context():
        organisation_id = db.session.scalar(
            select(Meeting.organisation_id).where(Meeting.slug == slug)
        )
        db.session.execute(delete(Meeting).where(Meeting.slug == slug))
        if organisation_id is not None:
            db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        db.session.execute(delete(User).where(User.email == ADMIN))
        db.session.commit()


def urls(values: dict[str, Any]) -> dict[str, str]:
    """Each GET rule of the URL map (but SKIPPED) with its arguments filled in; a rule whose
    argument the walk has no value for is filled with 1 (it then answers not found, which is
    walked too)."""
    app = _app()
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(SKIPPED):
            continue
        filled = dict(values)
        if rule.endpoint.startswith("agenda."):
            filled["key"] = values["session_key"]
        if rule.endpoint == "surveys.answer":
            filled["token"] = values["survey_token"]
        arguments = {name: filled.get(name, 1) for name in rule.arguments}
        found[rule.endpoint] = app.url_map.bind("localhost").build(
            rule.endpoint, arguments, append_unknown=False
        )
    return found


def child(env: dict[str, str], *args: str) -> str:
    return child_of(env, *args, script=__file__)


# --- the walk -------------------------------------------------------------------------------


def request(session: Session, worker: int, path: str) -> dict[str, float]:
    reset_peak(worker)
    before = rss_mb(worker)
    started = time.perf_counter()
    status, size = session.request("GET", path)
    seconds = time.perf_counter() - started
    return {
        "status": status,
        "seconds": seconds,
        "peak_rise_mb": peak_mb(worker) - before,
        "bytes": size,
    }


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="meetapp-bench-walk-"))
    env, backend = meetapp_environment(folder)
    env.update(
        MEETAPP_WORKERS="1",
        MEETAPP_ACCESS_LOG=str(folder / "access.log"),
        BENCH_WALK_PASSWORD=PASSWORD,
    )
    slug = f"bench-walk-{secrets.token_hex(3)}"
    figures: dict[str, list[dict[str, float]]] = {}
    try:
        print(f"building a meeting of {args.participants:,} participants ...", flush=True)
        values = json.loads(child(env, "--setup", str(args.participants), slug))
        paths = json.loads(child(env, "--urls", json.dumps(values)))
        port = free_port()
        log = folder / "gunicorn.log"
        extra = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        with gunicorn("meetapp:create_app()", port, 1, env, log, extra) as server:
            wait_until_serving(port, "/login", server, log)
            session = Session(port)
            session.log_in(ADMIN, PASSWORD)
            worker = worker_of(server.pid)
            order = ["health.healthz", *sorted(paths)]
            for round_number in range(args.rounds):
                print(f"round {round_number + 1}: {len(order)} routes", flush=True)
                for endpoint in order if round_number % 2 == 0 else reversed(order):
                    path = "/healthz" if endpoint == "health.healthz" else paths[endpoint]
                    figures.setdefault(endpoint, []).append(request(session, worker, path))
    finally:
        try:
            child(env, "--teardown", slug)
        except BenchError as error:
            print(f"note: {error}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
    return report(args, figures, paths, backend)


def report(
    args: argparse.Namespace,
    figures: dict[str, list[dict[str, float]]],
    paths: dict[str, str],
    backend: str,
) -> int:
    routes: dict[str, dict[str, Any]] = {
        endpoint: {
            "path": paths.get(endpoint, "/healthz"),
            "status": runs[-1]["status"],
            "seconds": statistics.median(run["seconds"] for run in runs),
            "peak_rise_mb": statistics.median(run["peak_rise_mb"] for run in runs),
            "max_seconds": max(run["seconds"] for run in runs),
            "max_peak_rise_mb": max(run["peak_rise_mb"] for run in runs),
        }
        for endpoint, runs in figures.items()
    }
    baseline = routes.pop("health.healthz")
    slowest = max(routes, key=lambda endpoint: routes[endpoint]["max_seconds"])
    hungriest = max(routes, key=lambda endpoint: routes[endpoint]["max_peak_rise_mb"])
    errors = {endpoint: r["status"] for endpoint, r in routes.items() if r["status"] >= 500}
    print(f"\n{len(routes)} routes, {args.participants:,} participants, {backend}")
    print(f"{'route':45} {'status':>6} {'s':>7} {'+MB':>7}")
    for endpoint in sorted(routes, key=lambda e: -routes[e]["max_seconds"])[:12]:
        route = routes[endpoint]
        print(
            f"{endpoint:45} {route['status']:>6} {route['max_seconds']:>7.3f}"
            f" {route['max_peak_rise_mb']:>7.1f}"
        )
    print(f"{'(/healthz)':45} {'':>6} {baseline['max_seconds']:>7.3f}")
    met = (
        routes[slowest]["max_seconds"] < SECONDS_GOAL
        and routes[hungriest]["max_peak_rise_mb"] < MEMORY_GOAL_MB
        and not errors
    )
    record = {
        "benchmark": "route_walk",
        "when": datetime.now(UTC).isoformat(),
        "database": backend,
        "participants": args.participants,
        "rounds": args.rounds,
        "routes": routes,
        "healthz": baseline,
        "slowest": slowest,
        "hungriest": hungriest,
        "server_errors": errors,
        "goal_seconds": SECONDS_GOAL,
        "goal_mb": MEMORY_GOAL_MB,
        "met": met,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"route_walk-{stamp}.json").write_text(json.dumps(record, indent=2))
    print(
        f"slowest: {slowest} {routes[slowest]['max_seconds']:.2f} s (goal < {SECONDS_GOAL:g});"
        f" hungriest: {hungriest} +{routes[hungriest]['max_peak_rise_mb']:.1f} MB"
        f" (goal < {MEMORY_GOAL_MB:g}); server errors: {errors or 'none'}"
    )
    return 0 if met else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--teardown", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        setup(int(args.setup[0]), args.setup[1])
        return 0
    if args.urls:
        print(json.dumps(urls(json.loads(args.urls))))
        return 0
    if args.teardown:
        teardown(args.teardown)
        return 0
    try:
        return run(args)
    except BenchError as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
