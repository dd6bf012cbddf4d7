"""Requests per second of the public registration page, against a bare Flask app.

Starts two gunicorn servers on 127.0.0.1, both on deploy/gunicorn.conf.py (the production
settings) with 2 sync workers each: meetapp, with one meeting whose registration is open, and
bench/bare_app.py, which serves two pages: a minimal one (about 340 bytes) and one made about as
large as the registration page. Each page gets a warm-up, then the same wrk load, in turn,
round after round; the script prints requests/s, latency p50/p99 and two ratios: meetapp /
minimal bare page, which the goal is judged against (at least 0.25), and meetapp / bare page of
the same size, which shows how much of the difference is the page's size (bench/run-all judges
it on the same goal, and the p99 under 200 ms).

    .venv/bin/python bench/registration_page.py [--duration 10] [--rounds 3] ...

`--participants N` gives the meeting N participants in all (the demo's 52 and more written
directly, some waitlisted and cancelled), to show that neither the page nor registering grows
with the meeting. Registering is measured too (unless --no-registrations): wrk posts the form,
each request with a new e-mail address and the CSRF token of one visitor, against a bare Flask
view that reads a posted form and redirects; the registrations of a round are deleted after it,
so that every round finds the meeting at N.

meetapp uses a SQLite file in a temporary folder, or the PostgreSQL database named by
MEETAPP_DATABASE_URL (its schema is migrated; the benchmark's meeting is deleted afterwards).
Exit status: 0 goal met, 1 goal missed, 2 the benchmark could not run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
HOST = "127.0.0.1"
GENEROUS_LIMIT = "1000000 per minute"


class BenchError(Exception):
    pass


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: int


# --- the meeting ---------------------------------------------------------------------------


BENCH_DOMAIN = "register.bench.example"


def setup_meeting(slug: str, participants: int = 0) -> None:
    """In a child process whose environment names the database: schema, then one meeting
    (with `participants` in all, when more than the demo's)."""
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from meetapp import create_app
    from meetapp.cli import DEMO_FILE
    from meetapp.extensions import db
    from meetapp.interchange.services import import_meeting, parse_document

    app = create_app()
    with app.app_context():
        upgrade()
        if "meetings" not in inspect(db.engine).get_table_names():
            # No Alembic revision builds the schema yet: take it from the models.
            print("note: the migrations built no schema; created it from the models")
            db.create_all()

        document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        meeting = document["meeting"]
        now = datetime.now(UTC).replace(microsecond=0)
        starts = datetime.fromisoformat(meeting["starts_at"])
        shift = (now + timedelta(days=30)) - starts
        meeting["slug"] = slug
        meeting["starts_at"] = (starts + shift).isoformat()
        if meeting.get("ends_at"):
            meeting["ends_at"] = (datetime.fromisoformat(meeting["ends_at"]) + shift).isoformat()
        meeting["registration_opens_at"] = (now - timedelta(days=1)).isoformat()
        meeting["registration_closes_at"] = (now + timedelta(days=20)).isoformat()
        for participant in document.get("participants") or []:
            if participant.get("registered_at"):
                participant["registered_at"] = (now - timedelta(hours=1)).isoformat()
        report = import_meeting(parse_document(json.dumps(document).encode()))
        db.session.commit()
        print(f"meeting {slug!r}: {report.summary()}")
        more = participants - report.participants
        if more > 0:
            add_participants(report.meeting.id, more, now - timedelta(hours=2))
        statement_times(slug, report.meeting.id)


def statement_times(slug: str, meeting_id: int, calls: int = 500) -> None:
    """In the process, without HTTP: the page's one statement, then the COUNT of the seats
    taken that it used to include, medians of `calls` each. Steadier on a busy machine than
    requests per second. (Not in turns: each COUNT of 100,000 rows pushes the page's rows out
    of SQLite's cache, which a server that never counts does not do.)"""
    from sqlalchemy import func, select

    from meetapp.extensions import db
    from meetapp.models import Participant
    from meetapp.registration.services import registration_page

    count = (
        select(func.count())
        .select_from(Participant)
        .where(Participant.meeting_id == meeting_id, Participant.status == "registered")
    )
    page_times: list[float] = []
    count_times: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        registration_page(slug)
        page_times.append(time.perf_counter() - started)
    for _ in range(max(calls // 10, 5)):
        started = time.perf_counter()
        db.session.execute(count).scalar()
        count_times.append(time.perf_counter() - started)
    db.session.rollback()
    print(
        f"in process: the page's statement {statistics.median(page_times) * 1000:.3f} ms;"
        f" the COUNT of the seats it no longer runs {statistics.median(count_times) * 1000:.3f} ms"
        f" (medians of {calls} and {len(count_times)})"
    )


def add_participants(meeting_id: int, count: int, when: datetime) -> None:
    """`count` more participants, written in bulk as an import does (8 in 10 registered, 1 on
    the waiting list, 1 cancelled), and seats enough for every registration of the run."""
    from sqlalchemy import insert, update

    from meetapp.extensions import db
    from meetapp.models import Meeting, Participant
    from meetapp.models.registration import add_to_seat_counts, seat_change

    statuses = ("registered",) * 8 + ("waitlisted", "cancelled")
    started = time.perf_counter()
    for first in range(0, count, 5000):
        rows = [
            {
                "meeting_id": meeting_id,
                "name": f"Bench Person {n}",
                "email": f"person{n}@bench.example",
                "email_normalized": f"person{n}@bench.example",
                "status": statuses[n % len(statuses)],
                "languages": [],
                "attended": False,
                "registered_at": when + timedelta(microseconds=n),
                "updated_at": when,
            }
            for n in range(first, min(first + 5000, count))
        ]
        db.session.execute(insert(Participant.__table__), rows)
        add_to_seat_counts(db.session(), meeting_id, seat_change(rows))
    db.session.execute(
        update(Meeting).where(Meeting.id == meeting_id).values(capacity=count + 1_000_000)
    )
    db.session.commit()
    print(f"added {count} participants in {time.perf_counter() - started:.1f}s")


def forget_registrations(slug: str) -> None:
    """Delete the registrations that the benchmark's POSTs made, with their seats."""
    from sqlalchemy import delete, func, select

    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.models import Meeting, Participant
    from meetapp.models.registration import SeatChange, add_to_seat_counts

    app = create_app()
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.slug == slug))
        if meeting_id is None:
            return
        made = (
            Participant.meeting_id == meeting_id,
            Participant.email_normalized.like(f"%@{BENCH_DOMAIN}"),
        )
        change = SeatChange()
        for status, count in db.session.execute(
            select(Participant.status, func.count()).where(*made).group_by(Participant.status)
        ):
            change.count(status, -count)
        db.session.execute(delete(Participant).where(*made))
        add_to_seat_counts(db.session(), meeting_id, change)
        db.session.commit()
        made_count = -(change.registered + change.waitlisted)
        if made_count:
            print(f"deleted the {made_count} registrations the benchmark made")


def teardown_meeting(slug: str) -> None:
    from sqlalchemy import delete, exists, select

    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.meetings.services import delete_meeting
    from meetapp.models import Meeting, Organisation

    app = create_app()
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
        if meeting is None:
            return
        organisation_id = meeting.organisation_id
        delete_meeting(meeting)
        db.session.execute(
            delete(Organisation).where(
                Organisation.id == organisation_id,
                ~exists().where(Meeting.organisation_id == organisation_id),
            )
        )
        db.session.commit()


# --- processes -----------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=300)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
            check=True,
            env=env,
            timeout=300,
            stdout=subprocess.DEVNULL,
        )
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is not installed: sudo apt-get install wrk")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_serving(port: int, path: str, process: subprocess.Popen[bytes], log: Path) -> bytes:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            status, body = get(port, path)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            raise BenchError(
                f"GET {path} answered {status}, not 200: nothing to measure "
                "(--path /login measures the login page instead)"
            )
        return body
    raise BenchError(f"gunicorn did not answer on port {port} within 30 s:\n{log.read_text()}")


@contextmanager
def gunicorn(
    app: str, port: int, workers: int, env: dict[str, str], log: Path, extra: list[str]
) -> Iterator[subprocess.Popen[bytes]]:
    executable = Path(sys.executable).with_name("gunicorn")
    if not executable.exists():
        raise BenchError("gunicorn not found beside this Python: run .venv/bin/python")
    command = [
        str(executable),
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--error-logfile",
        str(log),
        "--graceful-timeout",
        "5",
        *extra,
        app,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


# --- wrk -----------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise BenchError(f"cannot read wrk's latency {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    p50 = re.search(r"^\s+50(?:\.000)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+(\S+)", output, re.M)
    if not (rps and total and p50 and p99):
        raise BenchError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        p50_ms=_duration_ms(p50.group(1)),
        p99_ms=_duration_ms(p99.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        # Sync workers close every connection; only failures to connect or time-outs count.
        socket_errors=int(sockets.group(1)) + int(sockets.group(4)) if sockets else 0,
    )


def run_wrk(
    wrk: str, url: str, args: argparse.Namespace, seconds: float, script: Path | None = None
) -> WrkResult:
    command = [
        wrk,
        *(["-s", str(script)] if script else []),
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return parse_wrk(done.stdout)


def median_result(results: list[WrkResult]) -> WrkResult:
    return WrkResult(
        requests_per_second=statistics.median(r.requests_per_second for r in results),
        requests=sum(r.requests for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        non_2xx_3xx=sum(r.non_2xx_3xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
    )


# --- registering ---------------------------------------------------------------------------

REGISTER_LUA = """
-- `thread_id` is a global of each thread, set by setup(): a local would hide it.
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function request()
  counter = counter + 1
  local body = "csrf_token=" .. TOKEN .. "&name=Bench+Registrant&consent=y"
    .. "&email=r" .. RUN .. "-" .. thread_id .. "-" .. counter .. "%40" .. DOMAIN
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


def register_script(workdir: Path, port: int, path: str, name: str) -> Path:
    """A wrk script posting the registration form at `path`, as one visitor (their session
    cookie and CSRF token, read from the page), with a new e-mail address each time."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        cookies = [
            value.split(";", 1)[0]
            for key, value in response.getheaders()
            if key.lower() == "set-cookie"
        ]
    finally:
        connection.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if token is None:
        raise BenchError(f"no CSRF token on {path}")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    script = workdir / f"{name}.lua"
    script.write_text(
        f'TOKEN = "{token.group(1)}"\nRUN = "{secrets.token_hex(3)}"\n'
        f'DOMAIN = "{BENCH_DOMAIN}"\nPATH = "{path}"\nHEADERS = {lua_headers}\n' + REGISTER_LUA,
        encoding="utf-8",
    )
    return script


def bare_post_script(workdir: Path) -> Path:
    script = workdir / "bare_post.lua"
    script.write_text(
        f'TOKEN = "x"\nRUN = "x"\nDOMAIN = "{BENCH_DOMAIN}"\nPATH = "/"\n'
        'HEADERS = {["Content-Type"] = "application/x-www-form-urlencoded"}\n' + REGISTER_LUA,
        encoding="utf-8",
    )
    return script


# --- the run -------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per server (median)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--path",
        default="/m/{slug}/register",
        help="meetapp page to measure; {slug} is the benchmark meeting (default: %(default)s)",
    )
    parser.add_argument(
        "--goal",
        type=float,
        default=0.25,
        help="minimum ratio meetapp / minimal bare Flask page (default: %(default)s)",
    )
    parser.add_argument(
        "--participants",
        type=int,
        default=0,
        help="participants of the meeting in all (default: the demo's 52)",
    )
    parser.add_argument(
        "--no-registrations",
        dest="registrations",
        action="store_false",
        help="measure the page only, not registering",
    )
    parser.add_argument("--setup-meeting", metavar="SLUG", help=argparse.SUPPRESS)
    parser.add_argument("--forget-registrations", metavar="SLUG", help=argparse.SUPPRESS)
    parser.add_argument("--teardown-meeting", metavar="SLUG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 300 or args.rounds < 1 or args.rounds > 10:
        parser.error("--duration must be in (0, 300] and --rounds in [1, 10]")
    return args


def meetapp_environment(workdir: Path) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    env.pop("MEETAPP_TEST_DATABASE_URL", None)
    database = env.get("MEETAPP_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    env.update(
        MEETAPP_CONFIG="production",
        MEETAPP_SECRET_KEY=secrets.token_urlsafe(32),
        MEETAPP_PUBLIC_BASE_URL="http://127.0.0.1",
        MEETAPP_INSTANCE_PATH=str(workdir),
        MEETAPP_DATABASE_URL=database,
        # Limits stay in force (their cost is measured) but are never reached.
        MEETAPP_LOGIN_RATE_LIMIT=GENEROUS_LIMIT,
        MEETAPP_REGISTER_RATE_LIMIT=GENEROUS_LIMIT,
        MEETAPP_TOKEN_RATE_LIMIT=GENEROUS_LIMIT,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    kind = database.split(":", 1)[0].split("+", 1)[0]
    return env, "postgresql" if kind.startswith("postgres") else kind


def forget_made(command: list[str], env: dict[str, str]) -> int:
    """Delete the registrations the benchmark made; how many there were."""
    done = subprocess.run(
        command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True, text=True
    )
    found = re.search(r"deleted the (\d+) registrations", done.stdout)
    return int(found.group(1)) if found else 0


def run(args: argparse.Namespace) -> int:
    wrk = ensure_wrk()
    slug = f"bench-{secrets.token_hex(4)}"
    path = args.path.format(slug=slug)
    workdir = Path(tempfile.mkdtemp(prefix="meetapp-bench-"))
    env, database_kind = meetapp_environment(workdir)
    own_database = "MEETAPP_DATABASE_URL" in os.environ and bool(os.environ["MEETAPP_DATABASE_URL"])
    me = [sys.executable, str(Path(__file__).resolve())]
    try:
        subprocess.run(
            [*me, "--setup-meeting", slug, "--participants", str(args.participants)],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=1800,
        )
        app_port, bare_port = free_port(), free_port()
        # Both servers run on the production settings, each with an access log of its own.
        conf = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        env["MEETAPP_ACCESS_LOG"] = str(workdir / "meetapp-access.log")
        bare_env = {**os.environ, "MEETAPP_ACCESS_LOG": str(workdir / "bare-access.log")}
        with gunicorn(
            "meetapp:create_app()", app_port, args.workers, env, workdir / "meetapp.log", conf
        ) as app_server:
            page = wait_until_serving(app_port, path, app_server, workdir / "meetapp.log")
            bare_env["BARE_PAGE_BYTES"] = str(len(page))
            with gunicorn(
                "bare_app:app",
                bare_port,
                args.workers,
                bare_env,
                workdir / "bare.log",
                [*conf, "--pythonpath", str(BENCH)],
            ) as bare_server:
                bare_pages = {
                    "bare_minimal": wait_until_serving(
                        bare_port, "/", bare_server, workdir / "bare.log"
                    ),
                    "bare_sized": wait_until_serving(
                        bare_port, "/sized", bare_server, workdir / "bare.log"
                    ),
                }
                targets = {
                    "bare_minimal": f"http://{HOST}:{bare_port}/",
                    "bare_sized": f"http://{HOST}:{bare_port}/sized",
                    "meetapp": f"http://{HOST}:{app_port}{path}",
                }
                print(
                    f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s"
                    f" x {args.rounds}, after {args.warmup:g}s of warm-up;"
                    f" gunicorn --workers {args.workers}; meetapp on {database_kind}"
                )
                scripts: dict[str, Path | None] = dict.fromkeys(targets)
                if args.registrations:
                    targets["bare_post"] = f"http://{HOST}:{bare_port}/"
                    scripts["bare_post"] = bare_post_script(workdir)
                    targets["meetapp_register"] = targets["meetapp"]
                    scripts["meetapp_register"] = register_script(
                        workdir, app_port, path, "register"
                    )
                forget = [*me, "--forget-registrations", slug]
                for name, url in targets.items():
                    run_wrk(wrk, url, args, args.warmup, scripts[name])
                rounds: dict[str, list[WrkResult]] = {name: [] for name in targets}
                for _ in range(args.rounds):
                    forget_made(forget, env)
                    for name, url in targets.items():
                        rounds[name].append(run_wrk(wrk, url, args, args.duration, scripts[name]))
                    made = forget_made(forget, env)
                    if args.registrations and made < rounds["meetapp_register"][-1].requests:
                        raise BenchError(
                            f"{rounds['meetapp_register'][-1].requests} registrations posted, "
                            f"only {made} registered: the form was refused"
                        )
    finally:
        if own_database:
            subprocess.run(
                [*me, "--teardown-meeting", slug], cwd=ROOT, env=env, check=False, timeout=120
            )
        shutil.rmtree(workdir, ignore_errors=True)

    sizes = {name: len(body) for name, body in bare_pages.items()}
    sizes["meetapp"] = len(page)
    sizes["bare_post"] = sizes["meetapp_register"] = 0
    return report(args, path, rounds, sizes, database_kind)


def report(
    args: argparse.Namespace,
    path: str,
    rounds: dict[str, list[WrkResult]],
    sizes: dict[str, int],
    database_kind: str,
) -> int:
    results = {name: median_result(found) for name, found in rounds.items()}
    labels = {
        "bare_minimal": "bare Flask  GET /        (minimal page)",
        "bare_sized": "bare Flask  GET /sized   (same size)",
        "meetapp": f"meetapp     GET {path}",
        "bare_post": "bare Flask  POST /       (form, redirect)",
        "meetapp_register": f"meetapp     POST {path}",
    }
    width = max(len(label) for label in labels.values())
    print(f"\n{'':{width}}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}  {'bytes':>7}  errors")
    for name, result in results.items():
        errors = result.non_2xx_3xx + result.socket_errors
        print(
            f"{labels[name]:{width}}  {result.requests_per_second:9.1f}"
            f"  {result.p50_ms:8.2f}  {result.p99_ms:8.2f}  {sizes[name]:7d}  {errors}"
        )
    meetapp = results["meetapp"].requests_per_second
    ratio = meetapp / results["bare_minimal"].requests_per_second
    ratio_sized = meetapp / results["bare_sized"].requests_per_second
    met = ratio >= args.goal
    verdict = "met" if met else "MISSED"
    print(
        f"\nratio meetapp / bare Flask, minimal page: {ratio:.2f}"
        f" (goal >= {args.goal:.2f}): {verdict}"
    )
    print(
        f"ratio meetapp / bare Flask, page of the same size: {ratio_sized:.2f}"
        " (how much of the difference is the page's size)"
    )
    # Each round measures the three pages one after the other: on a shared machine the ratio
    # within a round is steadier than the requests/s from one round to the next.
    round_ratios = [
        app.requests_per_second / bare.requests_per_second
        for app, bare in zip(rounds["meetapp"], rounds["bare_minimal"], strict=True)
    ]
    if len(round_ratios) > 1:
        print(
            "ratio to the minimal page, round by round: "
            + " ".join(f"{r:.2f}" for r in round_ratios)
        )
    register_ratio = None
    if "meetapp_register" in results:
        registering = results["meetapp_register"].requests_per_second
        register_ratio = registering / results["bare_post"].requests_per_second
        print(
            f"registrations/s: {registering:.1f}, ratio to bare Flask's POST: {register_ratio:.3f}"
            " (no goal here: compare with the same run at 52 participants)"
        )
    print(f"participants of the meeting: {args.participants or 52}")
    bad = {name: r for name, r in results.items() if r.non_2xx_3xx or r.socket_errors}
    if bad:
        print("some requests failed; the numbers above do not measure the page:", file=sys.stderr)
        for name, r in bad.items():
            print(f"  {name}: {r.non_2xx_3xx} non-2xx/3xx, {r.socket_errors} socket errors")

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record: dict[str, Any] = {
        "when": stamp,
        "path": path,
        "database": database_kind,
        "settings": {
            key: getattr(args, key)
            for key in ("duration", "warmup", "rounds", "threads", "connections", "workers")
        },
        "participants": args.participants or 52,
        "page_bytes": sizes,
        "results": {name: asdict(r) for name, r in results.items()},
        # The goal is judged against the minimal bare page; the same-size one explains.
        "ratio": round(ratio, 3),
        "ratio_sized": round(ratio_sized, 3),
        "round_ratios": [round(r, 3) for r in round_ratios],
        "register_ratio": None if register_ratio is None else round(register_ratio, 3),
        "goal": args.goal,
        "met": met,
    }
    out = RESULTS / f"registration_page-{stamp}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out.relative_to(ROOT)}")
    if bad:
        return 2
    return 0 if met else 1


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.setup_meeting:
        setup_meeting(args.setup_meeting, args.participants)
        return 0
    if args.forget_registrations:
        forget_registrations(args.forget_registrations)
        return 0
    if args.teardown_meeting:
        teardown_meeting(args.teardown_meeting)
        return 0

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run(args)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
