"""The exports of a meeting of 1,000, 10,000 and 100,000 participants through their real routes
on gunicorn (deploy/gunicorn.conf.py, one worker): time, and how far each download raises the
worker's peak memory, against a bare fetch of the same rows written with the csv module.

For each size a meeting is built with bulk inserts (participants of five stakeholder groups, a
survey of four questions answered by half of them: the rows of `import_meeting.document`), and
an organiser logs in. Then, within each round, in turns:

- the routes: participants CSV and XLSX, the meetapp/1 export, the survey's responses CSV, each
  on a fresh worker (the one before is stopped and gunicorn forks another, warmed up by one
  page), whose peak resident memory (VmHWM) is reset just before the download and read just
  after: the rise is what the download took;
- the baselines, each in a process of its own: the participants (for the participant exports
  and meetapp/1) or the responses with their answers (for the responses CSV) read through a
  server-side cursor and written with `csv.writer` to /dev/null.

    .venv/bin/python bench/exports.py [--sizes 1000 10000 100000] [--rounds 2] [--goal-mb 50]

The database is a SQLite file in a temporary folder, or the PostgreSQL database named by
MEETAPP_DATABASE_URL (its meetings and organiser are deleted afterwards). Prints the median of
each figure and saves them as JSON in bench/results/. Goal: no download raises the worker's
peak memory by `--goal-mb` or more, at any size. Exit status: 0 met, 1 missed, 2 the benchmark
could not run.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from import_meeting import bare_insert, document  # noqa: E402
from process_memory import peak_mb, reset_peak, rss_mb  # noqa: E402
from registration_page import (  # noqa: E402
    HOST,
    BenchError,
    free_port,
    gunicorn,
    meetapp_environment,
    wait_until_serving,
)

PASSWORD = secrets.token_urlsafe(16)
ORGANISER = "bench-exports@example.org"
# What each route exports, and the baseline it is compared with.
EXPORTS = {
    "participants.csv": ("/meetings/{slug}/participants.csv", "participants"),
    "participants.xlsx": ("/meetings/{slug}/participants.xlsx", "participants"),
    "meetapp/1 JSON": ("/meetings/{slug}/export.json", "participants"),
    "responses.csv": ("/meetings/{slug}/surveys/feedback/responses.csv", "responses"),
}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- in child processes ---------------------------------------------------------------------


def _app() -> Any:
    from meetapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": os.environ["MEETAPP_DATABASE_URL"]})


def setup(size: int, slug: str, folder: Path) -> None:
    """The meeting of `size` participants, its organiser on its team."""
    from sqlalchemy import insert, select

    from meetapp.accounts.services import create_user, find_user_by_email
    from meetapp.extensions import db
    from meetapp.models import Meeting, meeting_organisers

    path = folder / f"{slug}.json"
    path.write_text(json.dumps(document(size, slug), ensure_ascii=False))
    with _app().app_context():
        db.create_all()
        bare_insert(path)
        user = find_user_by_email(ORGANISER) or create_user(ORGANISER, PASSWORD, "organiser")
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.slug == slug))
        db.session.execute(
            insert(meeting_organisers).values(meeting_id=meeting_id, user_id=user.id)
        )
        db.session.commit()
    path.unlink()


def teardown(slugs: list[str]) -> None:
    from sqlalchemy import delete, select

    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, User

    with _app().app_context():
        for slug in slugs:
            organisation_id = db.session.scalar(
                select(Meeting.organisation_id).where(Meeting.slug == slug)
            )
            db.session.execute(delete(Meeting).where(Meeting.slug == slug))
            if organisation_id is not None:
                db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        db.session.execute(delete(User).where(User.email == ORGANISER))
        db.session.commit()


def bare(kind: str, slug: str) -> dict[str, float]:
    """The rows of `kind` read through a server-side cursor and written with csv.writer."""
    from sqlalchemy import select

    from meetapp.extensions import db
    from meetapp.models import Meeting, Participant, Survey, SurveyAnswer, SurveyResponse

    with _app().app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.slug == slug))
        query: Any
        if kind == "participants":
            query = select(
                Participant.name,
                Participant.honorific,
                Participant.email,
                Participant.organisation,
                Participant.position,
                Participant.stakeholder_group_id,
                Participant.country,
                Participant.languages,
                Participant.status,
                Participant.attended,
                Participant.registered_at,
                Participant.needs,
            ).where(Participant.meeting_id == meeting_id)
        else:
            query = (
                select(
                    SurveyResponse.id,
                    SurveyResponse.submitted_at,
                    Participant.name,
                    Participant.email,
                    SurveyAnswer.question_id,
                    SurveyAnswer.choice,
                    SurveyAnswer.number,
                    SurveyAnswer.text,
                )
                .join(Survey, Survey.id == SurveyResponse.survey_id)
                .outerjoin(Participant, Participant.id == SurveyResponse.participant_id)
                .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
                .where(Survey.meeting_id == meeting_id)
                .order_by(SurveyResponse.id, SurveyAnswer.id)
            )
        db.session.execute(select(1))
        reset_peak()
        before = rss_mb()
        started = time.perf_counter()
        with open(os.devnull, "w", newline="") as out:
            writer = csv.writer(out)
            for row in db.session.execute(query.execution_options(yield_per=1000)):
                writer.writerow(row)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rise_mb": peak_mb() - before}


# --- the server -----------------------------------------------------------------------------


class Session:
    """An organiser logged in to the server (cookies kept by hand: the production
    configuration marks them Secure, which a client of plain HTTP would not send back)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, int]:
        """The status and the number of bytes of the body, read and thrown away."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=600)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            size = 0
            self.last = b""
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size <= 64 * 1024:
                    self.last += chunk
            return response.status, size
        finally:
            connection.close()

    def log_in(self, email: str = ORGANISER, password: str = PASSWORD) -> None:
        self.request("GET", "/login")
        match = _CSRF.search(self.last.decode("utf-8", "replace"))
        if match is None:
            raise BenchError("no CSRF token on the login page")
        body = urlencode({"email": email, "password": password, "csrf_token": match[1]})
        status, _ = self.request("POST", "/login", body.encode())
        if status != 302:
            raise BenchError(f"logging in answered {status}")


def worker_of(master: int, other_than: int | None = None) -> int:
    """The pid of the master's one worker (a new one, when `other_than` is given)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        workers = [int(pid) for pid in children if int(pid) != other_than]
        if workers:
            return workers[0]
        time.sleep(0.1)
    raise BenchError("gunicorn started no worker within 60 s")


def fresh_worker(master: int, worker: int, session: Session) -> int:
    """Stop `worker`; wait for gunicorn's next one and warm it up with a page."""
    os.kill(worker, signal.SIGTERM)
    new = worker_of(master, other_than=worker)
    deadline = time.monotonic() + 60
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = session.request("GET", "/")[0]
            if last == 200:
                return new
        except OSError as error:
            last = error
        time.sleep(0.1)
    raise BenchError(f"the new worker did not answer within 60 s (last: {last})")


def download(master: int, worker: int, session: Session, path: str) -> tuple[int, dict[str, float]]:
    worker = fresh_worker(master, worker, session)
    reset_peak(worker)
    before = rss_mb(worker)
    started = time.perf_counter()
    status, size = session.request("GET", path)
    seconds = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"GET {path} answered {status}")
    return worker, {"seconds": seconds, "peak_rise_mb": peak_mb(worker) - before, "bytes": size}


# --- the run --------------------------------------------------------------------------------


def child(env: dict[str, str], *args: str, script: str = __file__) -> str:
    """Run `script` (this one by default) with `args`; the last line it printed."""
    completed = subprocess.run(
        [sys.executable, script, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed:\n{completed.stderr[-4000:]}")
    return completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="meetapp-bench-exports-"))
    env, backend = meetapp_environment(folder)
    env.update(
        MEETAPP_WORKERS="1",
        MEETAPP_ACCESS_LOG=str(folder / "access.log"),
        BENCH_PASSWORD=PASSWORD,
        # The routes themselves are measured: above this many rows they would hand the export
        # to a background job and answer with a redirect.
        MEETAPP_EXPORTS_JOB_ROWS=str(10 * max(args.sizes)),
    )
    slugs = {size: f"bench-exports-{size}-{secrets.token_hex(3)}" for size in args.sizes}
    results: dict[str, Any] = {}
    try:
        for size, slug in slugs.items():
            print(f"building a meeting of {size:,} participants ...", flush=True)
            child(env, "--setup", str(size), slug, str(folder))
        port = free_port()
        log = folder / "gunicorn.log"
        extra = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        with gunicorn("meetapp:create_app()", port, 1, env, log, extra) as server:
            wait_until_serving(port, "/login", server, log)
            session = Session(port)
            session.log_in()
            worker = worker_of(server.pid)
            for size, slug in slugs.items():
                runs: dict[str, list[dict[str, float]]] = {}
                for round_number in range(args.rounds):
                    for name, (route, baseline) in EXPORTS.items():
                        for side in (
                            ("bare", "route") if round_number % 2 == 0 else ("route", "bare")
                        ):
                            if side == "route":
                                worker, figures = download(
                                    server.pid, worker, session, route.format(slug=slug)
                                )
                            else:
                                figures = json.loads(child(env, "--bare", baseline, slug))
                            runs.setdefault(f"{name}|{side}", []).append(figures)
                results[str(size)] = {
                    name: {
                        side: {
                            key: statistics.median(
                                figures[key] for figures in runs[f"{name}|{side}"]
                            )
                            for key in ("seconds", "peak_rise_mb")
                        }
                        for side in ("route", "bare")
                    }
                    for name in EXPORTS
                }
                print(f"measured {size:,} participants", flush=True)
    finally:
        try:
            child(env, "--teardown", *slugs.values())
        except BenchError as error:
            print(f"note: {error}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
    return report(args, results, backend)


def report(args: argparse.Namespace, results: dict[str, Any], backend: str) -> int:
    print(f"\nexports through gunicorn (one sync worker), {args.rounds} rounds, {backend}\n")
    print(
        f"{'participants':>12}  {'export':<18} {'route s':>8} {'bare s':>7} {'ratio':>6}"
        f" {'worker +MB':>11} {'bare +MB':>9}"
    )
    worst = 0.0
    for size, exports in results.items():
        for name, sides in exports.items():
            route, bare_side = sides["route"], sides["bare"]
            sides["ratio"] = (
                route["seconds"] / bare_side["seconds"] if bare_side["seconds"] else None
            )
            worst = max(worst, route["peak_rise_mb"])
            print(
                f"{int(size):>12,}  {name:<18} {route['seconds']:>8.2f}"
                f" {bare_side['seconds']:>7.2f} {sides['ratio']:>6.1f}"
                f" {route['peak_rise_mb']:>11.1f}"
                f" {bare_side['peak_rise_mb']:>9.1f}"
            )
    met = worst < args.goal_mb
    print(
        f"\nlargest rise of a worker's peak memory: {worst:.1f} MB"
        f" (goal < {args.goal_mb:g} MB): {'met' if met else 'MISSED'}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"exports-{stamp}.json").write_text(
        json.dumps(
            {
                "database": backend,
                "rounds": args.rounds,
                "goal_mb": args.goal_mb,
                "worst_rise_mb": worst,
                "met": met,
                "sizes": results,
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if met else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--goal-mb", type=float, default=50.0)
    parser.add_argument("--setup", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--teardown", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        global PASSWORD
        PASSWORD = os.environ["BENCH_PASSWORD"]
        setup(int(args.setup[0]), args.setup[1], Path(args.setup[2]))
        return 0
    if args.bare:
        print(json.dumps(bare(*args.bare)))
        return 0
    if args.teardown:
        teardown(args.teardown)
        return 0
    try:
        return run(args)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
