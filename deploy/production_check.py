"""The production profile, checked end to end on 127.0.0.1.

1. Creates a fresh PostgreSQL database (dropped at the end) and migrates it.
2. Creates one meeting with capacity 20 and registration open.
3. Starts gunicorn with deploy/gunicorn.conf.py, 2 workers, the production configuration and
   Redis database 15 for the rate limits shared by the workers and the job queue.
4. 60 clients, each with its own cookies, open the registration page (CSRF token from the
   page), then all post their registration at the same moment over HTTP, while wrk loads
   GET /m/<slug>/register (2 threads, 16 connections, 10 s; wrk is installed from Debian with
   apt-get when missing and the check runs as root).
5. 20 clients open one participant's survey link, then all submit their answers at the same
   moment over HTTP.
6. E-mail: 2 job workers (`flask --app meetapp worker`) send through an SMTP sink on
   127.0.0.1; 2,000 messages are queued and handed to delivery jobs in batches of 100, while
   wrk loads the registration page again.
7. Checks: no 5xx, exactly 20 registered and 40 waitlisted in the database, exactly one survey
   response stored for the link, the registration page's 95th percentile latency under load
   (during the registrations, and during the e-mail) below 200 ms with no error, every e-mail
   (the registrations' and the 2,000) arrived exactly once (by Message-ID) and is marked sent,
   /healthz answers "ok" and has seen a job worker, the security headers are sent, and
   gunicorn's access log shows the survey link as /s/… (never its token).
8. Stops the workers and gunicorn, drops the database, empties Redis database 15, removes its
   temporary files.

    deploy/production-check.sh [--admin-url postgresql://postgres@127.0.0.1/postgres]

Exit status 0 when every check passes, 1 otherwise, 2 when the check could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.mail_load import (  # noqa: E402 (the checkout is on the path first)
    MailSink,
    outbox_statuses,
    queue_bulk,
    start_workers,
    stop_workers,
)

HOST = "127.0.0.1"
CAPACITY = 20
CLIENTS = 60
SURVEY_CLIENTS = 20
REDIS_URL = "redis://127.0.0.1:6379/15"
DEADLINE_SECONDS = 480
JOB_WORKERS = 2
MAIL_COUNT = 2000
MAIL_BATCH = 100
MAIL_DEADLINE_SECONDS = 180
P95_LIMIT_MS = 200
WRK_ARGUMENTS = ["-t2", "-c16", "-d10s", "--latency"]
# wrk --latency prints the 50/75/90/99th percentiles; the done hook adds the 95th and the
# errors, in microseconds, one "name value" per line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p50 %d\\n", latency:percentile(50)))
  io.write(string.format("p95 %d\\n", latency:percentile(95)))
  io.write(string.format("p99 %d\\n", latency:percentile(99)))
  io.write(string.format("max %d\\n", latency.max))
  io.write(string.format("requests %d\\n", summary.requests))
  local e = summary.errors
  io.write(string.format("errors %d\\n", e.connect + e.read + e.write + e.timeout + e.status))
end
"""
_WRK_FIGURE = re.compile(r"^(p50|p95|p99|max|requests|errors) (\d+)$", re.M)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_GROUP = re.compile(r'<select[^>]*name="stakeholder_group".*?</select>', re.S)
_OPTION = re.compile(r'<option[^>]*value="([^"]+)"')


class CheckError(Exception):
    pass


def setup_meeting(slug: str) -> None:
    """In a child process whose environment names the database: schema, then one meeting."""
    from datetime import UTC, datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, StakeholderGroup

    app = create_app()
    with app.app_context():
        upgrade()
        if "meetings" not in inspect(db.engine).get_table_names():
            print("note: the migrations built no schema; created it from the models")
            db.create_all()
        now = datetime.now(UTC)
        meeting = Meeting(
            organisation=Organisation(name="Production check", short_name="PC"),
            slug=slug,
            title="Production check",
            starts_at=now + timedelta(days=30),
            timezone="UTC",
            capacity=CAPACITY,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=20),
            languages=["en"],
        )
        meeting.stakeholder_groups.append(
            StakeholderGroup(key="cso", label="Civil society", position=0)
        )
        db.session.add(meeting)
        db.session.commit()
        print(f"survey-token {survey_link(meeting.organisation, slug)}")


def survey_link(organisation: Any, slug: str) -> str:
    """A past meeting of the same organisation with one participant invited to its survey;
    returns the participant's survey token."""
    from datetime import UTC, datetime, timedelta

    from meetapp.extensions import db
    from meetapp.models import Meeting, Participant, SurveyInvitation
    from meetapp.surveys.services import (
        QuestionData,
        SurveyData,
        add_question,
        create_survey,
        issue_token,
    )

    now = datetime.now(UTC)
    meeting = Meeting(
        organisation=organisation,
        slug=f"{slug}-survey",
        title="Production check, survey",
        starts_at=now - timedelta(days=2),
        timezone="UTC",
        languages=["en"],
    )
    participant = Participant(
        meeting=meeting,
        name="Survey Person",
        email="survey@example.org",
        email_normalized="survey@example.org",
        status="registered",
        registered_at=now - timedelta(days=3),
        attended=True,
    )
    db.session.add_all([meeting, participant])
    db.session.flush()
    survey = create_survey(
        meeting,
        SurveyData(title="How was it?", opens_at=now - timedelta(days=1), closes_at=None),
    )
    add_question(survey, QuestionData("Overall, how would you rate it?", "rating", True))
    add_question(survey, QuestionData("Any comments?", "text"))
    invitation = SurveyInvitation(survey_id=survey.id, participant_id=participant.id)
    db.session.add(invitation)
    db.session.flush()
    token = issue_token(invitation)
    db.session.commit()
    return token


# --- HTTP with one cookie jar per client --------------------------------------------------


class Client:
    """A visitor. Cookies are kept by name whatever their Secure flag: the check talks plain
    HTTP to 127.0.0.1, where a browser would talk HTTPS to the reverse proxy."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()


def post_at_once(
    port: int, path: str, clients: int, fill: Callable[[int, str], dict[str, str] | None]
) -> Counter[int]:
    """`clients` browsers, each with its own cookies, open the form at `path` (and its CSRF
    token), then all post it at the same moment. `fill(n, page)` gives client n's answers,
    or None when the page is not the expected form. Returns the count of each status (0: the
    form could not be filled in)."""
    barrier = threading.Barrier(clients, timeout=120)
    statuses: list[int] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        client = Client(port)
        status, _, page = client.request("GET", path)
        csrf = _CSRF.search(page)
        form = fill(n, page) if csrf else None
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        if status != 200 or csrf is None or form is None:
            result = status if status != 200 else 0
        else:
            result, _, _ = client.request("POST", path, {"csrf_token": csrf.group(1), **form})
        with lock:
            statuses.append(result)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return Counter(statuses)


def register_all(port: int, slug: str) -> Counter[int]:
    """CLIENTS people register for the meeting at the same moment."""

    def fill(n: int, page: str) -> dict[str, str]:
        select = _GROUP.search(page)
        group = _OPTION.search(select.group(0)) if select else None
        return {
            "name": f"Check Person {n}",
            "email": f"check{n}@example.org",
            "stakeholder_group": group.group(1) if group else "",
            "consent": "y",
        }

    return post_at_once(port, f"/m/{slug}/register", CLIENTS, fill)


_QUESTION = re.compile(r'name="(q-[^"]+)"')


def answer_all(port: int, token: str) -> Counter[int]:
    """SURVEY_CLIENTS browsers open the same survey link, then submit at the same moment."""

    def fill(n: int, page: str) -> dict[str, str] | None:
        names = sorted(set(_QUESTION.findall(page)))  # the rating, then the comment
        if len(names) != 2:
            return None
        return {names[0]: str(1 + n % 5), names[1]: f"Answer {n}"}

    return post_at_once(port, f"/s/{token}", SURVEY_CLIENTS, fill)


def survey_responses(url: str, slug: str) -> int:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        row = connection.execute(
            "SELECT count(*) FROM survey_responses r JOIN surveys s ON s.id = r.survey_id"
            " JOIN meetings m ON m.id = s.meeting_id WHERE m.slug = %s",
            (f"{slug}-survey",),
        ).fetchone()
    return int(row[0]) if row else 0


# --- load on the registration page --------------------------------------------------------


def wrk_executable() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise CheckError("wrk is missing: install the Debian package wrk")
    print("installing wrk from Debian")
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "wrk"],
        check=True,
        timeout=180,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("wrk")
    if not found:
        raise CheckError("apt-get did not install wrk")
    return found


def start_wrk(executable: str, port: int, slug: str, workdir: str) -> subprocess.Popen[str]:
    script = Path(workdir) / "p95.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    return subprocess.Popen(
        [
            executable,
            *WRK_ARGUMENTS,
            "-s",
            str(script),
            f"http://{HOST}:{port}/m/{slug}/register",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_figures(output: str) -> dict[str, int]:
    figures = {name: int(value) for name, value in _WRK_FIGURE.findall(output)}
    if "p95" not in figures or "requests" not in figures:
        raise CheckError(f"could not read wrk's output:\n{output}")
    return figures


# --- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CheckError("gunicorn exited while starting")
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CheckError("gunicorn did not answer /healthz in time")


def wait_for_job_workers(port: int, count: int, seconds: float = 60) -> None:
    """Until /healthz has seen `count` job workers (started, their app built)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _, body = Client(port).request("GET", "/healthz")
        if status == 200 and json.loads(body)["jobs"].get("workers_seen", 0) >= count:
            return
        time.sleep(0.5)
    raise CheckError(f"/healthz did not see {count} job workers in time")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def admin_execute(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(statement)


def database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    if parts.hostname not in (HOST, "localhost"):
        raise CheckError("the check only uses a PostgreSQL server on 127.0.0.1")
    return urlunsplit(parts._replace(path=f"/{name}"))


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def participant_counts(url: str, slug: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        rows = connection.execute(
            "SELECT p.status, count(*) FROM participants p JOIN meetings m"
            " ON m.id = p.meeting_id WHERE m.slug = %s GROUP BY p.status",
            (slug,),
        ).fetchall()
    return {status: count for status, count in rows}


def run(admin_url: str) -> list[str]:
    name = f"meetapp_check_{secrets.token_hex(4)}"
    slug = f"check-{secrets.token_hex(3)}"
    url = database_url(admin_url, name)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="meetapp-check-") as workdir:
        port = free_port()
        env = dict(
            os.environ,
            MEETAPP_CONFIG="production",
            MEETAPP_SECRET_KEY=secrets.token_urlsafe(48),
            MEETAPP_PUBLIC_BASE_URL=f"http://{HOST}:{port}",
            MEETAPP_DATABASE_URL=url,
            MEETAPP_REDIS_URL=REDIS_URL,
            MEETAPP_INSTANCE_PATH=workdir,
            MEETAPP_BIND=f"{HOST}:{port}",
            MEETAPP_WORKERS="2",
            MEETAPP_ACCESS_LOG=str(Path(workdir) / "access.log"),
            # Sixty registrations and forty survey requests come from one address: keep the
            # limits, above that load.
            MEETAPP_REGISTER_RATE_LIMIT="1000 per minute",
            MEETAPP_TOKEN_RATE_LIMIT="1000 per minute",  # noqa: S106 (not a password)
        )
        sink_port = free_port()
        env.update(MEETAPP_MAIL_SERVER=HOST, MEETAPP_MAIL_PORT=str(sink_port))
        for setting in ("USE_TLS", "USE_SSL", "USERNAME", "PASSWORD"):
            env.pop(f"MEETAPP_MAIL_{setting}", None)
        wrk = wrk_executable()
        flush_redis()
        admin_execute(admin_url, f'CREATE DATABASE "{name}"')
        server: subprocess.Popen[bytes] | None = None
        load: subprocess.Popen[str] | None = None
        workers: list[subprocess.Popen[bytes]] = []
        sink = MailSink(sink_port).__enter__()
        try:
            print(f"database {name}: migrating, meeting {slug!r} with capacity {CAPACITY}")
            setup = subprocess.run(
                [sys.executable, __file__, "--setup", slug],
                env=env,
                cwd=ROOT,
                check=True,
                timeout=120,
                stdout=subprocess.PIPE,
                text=True,
            )
            for line in setup.stdout.splitlines():
                if not line.startswith("survey-token "):
                    print(line)
            found = re.search(r"^survey-token (\S+)$", setup.stdout, re.M)
            if not found:
                raise CheckError(f"the set-up gave no survey link:\n{setup.stdout}")
            survey_token = found.group(1)
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                ],
                env=env,
                cwd=ROOT,
            )
            wait_healthy(port, server)
            workers = start_workers(env, JOB_WORKERS)
            wait_for_job_workers(port, JOB_WORKERS)
            print(
                f"gunicorn: 2 workers on {HOST}:{port}; {CLIENTS} registrations at once"
                f" during wrk {' '.join(WRK_ARGUMENTS)} on the registration page"
            )
            load = start_wrk(wrk, port, slug, workdir)
            time.sleep(1)  # the load is running when the registrations arrive
            started = time.monotonic()
            statuses = register_all(port, slug)
            print(f"responses {dict(statuses)} in {time.monotonic() - started:.1f} s")
            output, _ = load.communicate(timeout=60)
            print(output.rstrip())
            figures = wrk_figures(output)
            print(
                f"registration page under load: {figures['requests']} requests,"
                f" p50 {figures['p50'] / 1000:.1f} ms, p95 {figures['p95'] / 1000:.1f} ms,"
                f" p99 {figures['p99'] / 1000:.1f} ms, {figures['errors']} errors"
            )
            if figures["p95"] >= P95_LIMIT_MS * 1000:
                failures.append(
                    f"registration page p95 {figures['p95'] / 1000:.1f} ms"
                    f" (limit {P95_LIMIT_MS} ms)"
                )
            if figures["errors"]:
                failures.append(f"wrk counted {figures['errors']} errors or non-2xx/3xx")
            if any(status >= 500 or status == 0 for status in statuses.elements()):
                failures.append(f"server errors or failed requests: {dict(statuses)}")
            if statuses.get(302, 0) != CLIENTS:
                failures.append(f"expected {CLIENTS} redirects after registering: {statuses}")
            counts = participant_counts(url, slug)
            print(f"participants {counts}")
            expected = {"registered": CAPACITY, "waitlisted": CLIENTS - CAPACITY}
            if counts != expected:
                failures.append(f"expected {expected}, found {counts}")

            print(f"{SURVEY_CLIENTS} submissions of one survey link at once")
            answers = answer_all(port, survey_token)
            stored = survey_responses(url, slug)
            print(f"responses {dict(answers)}; survey responses stored: {stored}")
            if any(status >= 500 or status == 0 for status in answers.elements()):
                failures.append(f"survey: server errors or failed requests: {dict(answers)}")
            if stored != 1:
                failures.append(f"survey: expected exactly 1 response for the link, found {stored}")
            access_log = (Path(workdir) / "access.log").read_text(encoding="utf-8")
            if survey_token in access_log or "POST /s/… " not in access_log:
                failures.append("the access log records a survey link's token")
            failures += check_bulk_mail(env, url, port, slug, workdir, wrk, sink)
            status, headers, body = Client(port).request("GET", "/healthz")
            health = json.loads(body) if status == 200 else {}
            if health.get("status") != "ok" or not health["jobs"].get("worker_seen_last_minute"):
                failures.append(f"/healthz answered {status} {body!r}")
            for header in ("content-security-policy", "x-content-type-options", "x-frame-options"):
                if header not in headers:
                    failures.append(f"/healthz lacks the {header} header")
        finally:
            if load is not None and load.poll() is None:
                load.kill()
                load.wait(timeout=10)
            stop_workers(workers)
            sink.__exit__()
            if server is not None:
                stop(server)
            admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            flush_redis()
    return failures


def check_bulk_mail(
    env: dict[str, str],
    url: str,
    port: int,
    slug: str,
    workdir: str,
    wrk: str,
    sink: MailSink,
) -> list[str]:
    """MAIL_COUNT messages through the job workers while wrk loads the registration page:
    each arrives once, all are marked sent, and the page keeps its latency."""
    failures: list[str] = []
    expected = MAIL_COUNT + CLIENTS  # and the registrations' confirmations
    print(
        f"{MAIL_COUNT} e-mails, in jobs of {MAIL_BATCH}, through {JOB_WORKERS} job workers to"
        f" an SMTP sink, during wrk {' '.join(WRK_ARGUMENTS)} on the registration page"
    )
    load = start_wrk(wrk, port, slug, workdir)
    try:
        time.sleep(1)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, __file__, "--queue-mail", str(MAIL_COUNT)],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
            stdout=subprocess.DEVNULL,
        )
        arrived = sink.wait_for(expected, MAIL_DEADLINE_SECONDS)
        took = time.monotonic() - started
        output, _ = load.communicate(timeout=60)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait(timeout=10)
    figures = wrk_figures(output)
    print(
        f"{sink.count} e-mails arrived in {took:.1f} s ({sink.count / took * 60:,.0f} a minute);"
        f" registration page meanwhile: p95 {figures['p95'] / 1000:.1f} ms,"
        f" {figures['errors']} errors"
    )
    if not arrived:
        failures.append(f"{sink.count} of {expected} e-mails arrived in {took:.0f} s")
    if sink.duplicates():
        failures.append(f"e-mails delivered more than once: {sink.duplicates()}")
    if len(sink.by_id) != sink.count or "" in sink.by_id:
        failures.append("e-mails without a Message-ID of their own")
    statuses = outbox_statuses(url)
    if statuses != {"sent": expected}:
        failures.append(f"outbox: expected {expected} sent, found {statuses}")
    if figures["p95"] >= P95_LIMIT_MS * 1000:
        failures.append(
            f"registration page p95 {figures['p95'] / 1000:.1f} ms while e-mail is sent"
            f" (limit {P95_LIMIT_MS} ms)"
        )
    if figures["errors"]:
        failures.append(f"wrk counted {figures['errors']} errors while e-mail is sent")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "MEETAPP_CHECK_ADMIN_URL", "postgresql://postgres@127.0.0.1/postgres"
        ),
        help="a PostgreSQL role on 127.0.0.1 that may create and drop databases",
    )
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    parser.add_argument("--queue-mail", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_meeting(args.setup)
        return 0
    if args.queue_mail:
        queue_bulk(args.queue_mail, MAIL_BATCH)
        return 0

    def _too_long(*_: Any) -> None:
        raise CheckError(f"the check took more than {DEADLINE_SECONDS} s")

    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(DEADLINE_SECONDS)
    try:
        failures = run(args.admin_url)
    except (CheckError, OSError, subprocess.SubprocessError) as error:
        print(f"could not run: {error}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if not failures:
        print("production check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
