"""A sign-in sheet of 5,000 names prepared by 1, 2 and 4 job workers, against WeasyPrint alone.

In the same run, rounds taking turns (each round measures every configuration once, in an
order that rotates):

- `weasyprint`: WeasyPrint alone, in this process, rendering the sheet's HTML (its parts, as
  the app renders them, prepared beforehand with the same stylesheets), one part after the
  other: the time the work itself takes on one core. Warmed up first (fonts, imports).
- `N workers`: N `flask --app meetapp worker` processes on an RQ queue of the benchmark's own
  on Redis, started and idle beforehand; timed from the moment the document is asked for (the
  row written, the job queued) until it is ready: the plan, its parts drawn side by side,
  merged, stored. Every job forks a work horse, as in production.

Speed-up of N workers = time of 1 worker / time of N workers, in each round, then the median
of the rounds (steadier than the ratio of medians on a machine whose load changes). A part is
a job, so N workers draw up to N parts at once; but they share the machine's cores. Expected
on C cores: about min(N, C) (a little less: the plan and the merge are not split). Goal: at
least 75% of that, and 1 worker at most 1.25x WeasyPrint alone (what the jobs, the database,
the storage and the merge cost on top).

    .venv/bin/python bench/sign_in_sheet.py [--names 5000] [--workers 1 2 4] [--rounds 3]

Needs Redis (`--redis-url`, default redis://127.0.0.1:6379/15; the queue's keys are deleted
afterwards). The database is a SQLite file in a temporary folder, or the PostgreSQL database
named by MEETAPP_DATABASE_URL (the benchmark's meeting is deleted afterwards); the files go to
a temporary folder. Results are printed and saved as JSON in bench/results/. Exit status: 0
goals met, 1 a goal missed, 2 the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

SHARE_OF_EXPECTED = 0.75
ONE_WORKER_OVERHEAD_GOAL = 1.25


def _app(folder: str, database_url: str, redis_url: str, queue: str) -> Any:
    from meetapp import create_app
    from meetapp.extensions import db

    os.environ.setdefault("MEETAPP_INSTANCE_PATH", folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "JOBS": "redis",
            "JOBS_QUEUE": queue,
            "STORAGE_URL": Path(folder, "files").as_uri(),
            "PUBLIC_BASE_URL": "http://bench.invalid",
        }
    )
    with app.app_context():
        db.create_all()  # the models' schema (the benchmark does not test migrations)
    return app


def _insert_meeting(app: Any, names: int, slug: str) -> int:
    from sqlalchemy import insert

    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, Participant, User

    with app.app_context():
        user = User(email=f"{slug}@example.org", name="Bench", role="staff")
        user.set_password(secrets.token_urlsafe(16))
        meeting = Meeting(
            organisation=Organisation(name="Bench Network"),
            slug=slug,
            title="Sign-in sheet benchmark",
            starts_at=datetime(2024, 5, 2, 9, tzinfo=UTC),
            timezone="Asia/Phnom_Penh",
            languages=["en"],
        )
        db.session.add_all([user, meeting])
        db.session.flush()
        db.session.execute(
            insert(Participant),
            [
                {
                    "meeting_id": meeting.id,
                    "name": f"Participant {n:05d} Sok",
                    "email": f"p{n}@{slug}.example.org",
                    "email_normalized": f"p{n}@{slug}.example.org",
                    "organisation": f"Organisation number {n % 97}",
                    "status": "registered",
                }
                for n in range(names)
            ],
        )
        db.session.commit()
        return int(meeting.id)


def _delete_meeting(app: Any, meeting_id: int, slug: str) -> None:
    from sqlalchemy import delete

    from meetapp.extensions import db
    from meetapp.models import Meeting, Participant, User

    with app.app_context():
        db.session.execute(delete(Participant).where(Participant.meeting_id == meeting_id))
        db.session.execute(delete(Meeting).where(Meeting.id == meeting_id))
        db.session.execute(delete(User).where(User.email == f"{slug}@example.org"))
        db.session.commit()


# --- WeasyPrint alone -------------------------------------------------------------------------


def _sheet_html(app: Any, meeting_id: int) -> list[tuple[str, tuple[int, int]]]:
    """The HTML of each part of the sheet and its page numbers, as the app renders them."""
    from flask import render_template

    from meetapp.extensions import db
    from meetapp.models import Meeting
    from meetapp.reports.documents import (
        SIGN_IN_PAGES_PER_PART,
        sign_in_pages,
        sign_in_parts,
        sign_in_rows,
    )

    with app.test_request_context():
        meeting = db.session.get_one(Meeting, meeting_id)
        rows = sign_in_rows(meeting)
        parts = sign_in_parts(sign_in_pages(rows, meeting.title))
        count = sum(len(part) for part in parts)
        return [
            (
                render_template(
                    "pdf/sign_in_sheet.html",
                    meeting=meeting,
                    pages=part,
                    first_part=index == 0,
                    total=len(rows),
                    page_numbers=(1 + index * SIGN_IN_PAGES_PER_PART, count),
                ),
                (1 + index * SIGN_IN_PAGES_PER_PART, count),
            )
            for index, part in enumerate(parts)
        ]


def weasyprint_alone(app: Any, parts: list[tuple[str, tuple[int, int]]]) -> tuple[float, int]:
    """Seconds to render every part, one after the other, and the pages made."""
    from weasyprint import CSS, HTML

    static = Path(app.static_folder)
    stylesheet = CSS(filename=str(static / "css" / "print.css"))
    start = time.perf_counter()
    pages = 0
    for html, (first, total) in parts:
        numbers = CSS(
            string=f"@page :first {{ counter-reset: page {first} }}"
            f' @page {{ @bottom-center {{ content: "Page " counter(page) " of {total}" }} }}'
        )
        document = HTML(string=html, base_url=static.as_uri() + "/").render(
            stylesheets=[stylesheet, numbers]
        )
        document.write_pdf()
        pages += len(document.pages)
    return time.perf_counter() - start, pages


# --- workers ----------------------------------------------------------------------------------


class Workers:
    """N worker processes on the benchmark's queue, stopped (with their work horses) at the end."""

    def __init__(self, count: int, environment: dict[str, str], app: Any) -> None:
        from rq import Worker

        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "meetapp", "worker"],
                cwd=ROOT,
                env=environment,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the worker and its horses
            )
            for _ in range(count)
        ]
        jobs = app.extensions["meetapp.jobs"]
        deadline = time.monotonic() + 120
        while len(Worker.all(queue=jobs.rq)) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError(f"{count} worker(s) did not start:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        """Stop them at once, and wait until Redis no longer counts them (the next
        configuration counts its own workers)."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        self.log.close()


def prepared_by_jobs(app: Any, meeting_id: int) -> tuple[float, int]:
    """Seconds from asking for the sheet until it is ready (the workers are running), and its
    pages."""
    import io

    from pypdf import PdfReader
    from sqlalchemy import select

    from meetapp.documents.kinds import KINDS
    from meetapp.documents.services import request_document
    from meetapp.extensions import db
    from meetapp.jobs import enqueue
    from meetapp.models import Meeting, PreparedDocument, User
    from meetapp.storage import storage

    with app.app_context():
        meeting = db.session.get_one(Meeting, meeting_id)
        user = db.session.scalars(select(User).where(User.role == "staff").limit(1)).one()
        start = time.perf_counter()
        requested = request_document(meeting, KINDS["sign-in-sheet"], {}, user)
        document_id = requested.document.id
        db.session.commit()
        enqueue("documents.prepare", document_id)
        while True:
            db.session.rollback()
            status, error, key = db.session.execute(
                select(
                    PreparedDocument.status, PreparedDocument.error, PreparedDocument.file_key
                ).where(PreparedDocument.id == document_id)
            ).one()
            if status == "ready" and key:
                seconds = time.perf_counter() - start
                break
            if status == "failed":
                raise RuntimeError(f"the sheet failed: {error}")
            if time.perf_counter() - start > 1800:
                raise RuntimeError("the sheet took more than 30 minutes")
            time.sleep(0.05)
        with storage().open(key) as file:
            pages = len(PdfReader(io.BytesIO(file.read())).pages)
        return seconds, pages


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    if 1 not in args.workers:
        parser.error("--workers must include 1: the speed-ups are against one worker")

    import redis

    connection = redis.Redis.from_url(args.redis_url, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        print(f"Redis does not answer at {args.redis_url}: {error}", file=sys.stderr)
        return 2

    queue = f"bench-sign-in-{secrets.token_hex(4)}"
    slug = f"bench-sign-in-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="meetapp-bench-") as folder:
        database_url = os.environ.get("MEETAPP_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = _app(folder, database_url, args.redis_url, queue)
        environment = {
            **os.environ,
            "MEETAPP_CONFIG": "development",
            "MEETAPP_DATABASE_URL": database_url,
            "MEETAPP_INSTANCE_PATH": folder,
            "MEETAPP_REDIS_URL": args.redis_url,
            "MEETAPP_JOBS": "redis",
            "MEETAPP_JOBS_QUEUE": queue,
            "MEETAPP_STORAGE_URL": Path(folder, "files").as_uri(),
            "MEETAPP_PUBLIC_BASE_URL": "http://bench.invalid",
        }
        meeting_id = _insert_meeting(app, args.names, slug)
        try:
            result = run(app, meeting_id, environment, args)
        finally:
            _delete_meeting(app, meeting_id, slug)
            for key in connection.scan_iter(f"*{queue}*"):
                connection.delete(key)
    report(result)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"sign_in_sheet-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["met"] else 1


def run(app: Any, meeting_id: int, environment: dict[str, str], args: Any) -> dict[str, Any]:
    load_before = [round(value, 2) for value in os.getloadavg()]
    parts = _sheet_html(app, meeting_id)
    weasyprint_alone(app, parts[:1])  # warm-up: fonts, imports
    names = ["weasyprint", *(f"{n} workers" for n in args.workers)]
    times: dict[str, list[float]] = {name: [] for name in names}
    pages: dict[str, int] = {}
    for round_number in range(args.rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if name == "weasyprint":
                seconds, pages[name] = weasyprint_alone(app, parts)
            else:
                workers = Workers(int(name.split()[0]), environment, app)
                try:
                    seconds, pages[name] = prepared_by_jobs(app, meeting_id)
                finally:
                    workers.stop()
            times[name].append(seconds)
            print(f"round {round_number + 1}: {name:<12} {seconds:7.2f} s", flush=True)
    if len(set(pages.values())) != 1:
        raise RuntimeError(f"the configurations made different page counts: {pages}")

    cores = os.cpu_count() or 1
    median = {name: statistics.median(values) for name, values in times.items()}
    configurations = []
    for count in args.workers:
        seconds = median[f"{count} workers"]
        expected = float(min(count, cores))
        # Round by round (the two measured minutes apart, under the same load), then the median.
        speedup = statistics.median(
            a / b for a, b in zip(times["1 workers"], times[f"{count} workers"], strict=True)
        )
        goal = SHARE_OF_EXPECTED * expected if count > 1 else None
        configurations.append(
            {
                "workers": count,
                "median_s": round(seconds, 2),
                "rounds_s": [round(value, 2) for value in times[f"{count} workers"]],
                "vs_weasyprint": round(
                    statistics.median(
                        a / b
                        for a, b in zip(times[f"{count} workers"], times["weasyprint"], strict=True)
                    ),
                    3,
                ),
                "speedup": round(speedup, 2),
                "expected_speedup": expected,
                "goal_speedup": goal,
                "met": speedup >= goal if goal is not None else None,
            }
        )
    overhead = statistics.median(
        a / b for a, b in zip(times["1 workers"], times["weasyprint"], strict=True)
    )
    met = overhead <= ONE_WORKER_OVERHEAD_GOAL and all(
        c["met"] is not False for c in configurations
    )
    return {
        "names": args.names,
        "pages": next(iter(pages.values())),
        "parts": len(parts),
        "rounds": args.rounds,
        "cores": cores,
        "load_average_before": load_before,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "weasyprint": {
            "median_s": round(median["weasyprint"], 2),
            "rounds_s": [round(value, 2) for value in times["weasyprint"]],
        },
        "configurations": configurations,
        "one_worker_vs_weasyprint": round(overhead, 3),
        "one_worker_goal": ONE_WORKER_OVERHEAD_GOAL,
        "met": met,
    }


def report(result: dict[str, Any]) -> None:
    print()
    print(
        f"sign-in sheet of {result['names']:,} names: {result['pages']} pages in "
        f"{result['parts']} parts; {result['rounds']} round(s), medians; {result['cores']} "
        f"cores; load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after"
    )
    print(f"  WeasyPrint alone, one process   {result['weasyprint']['median_s']:7.2f} s")
    for c in result["configurations"]:
        goal = (
            f"speed-up {c['speedup']:.2f} (expected about {c['expected_speedup']:.0f}, "
            f"goal >= {c['goal_speedup']:.2f}): {'met' if c['met'] else 'MISSED'}"
            if c["goal_speedup"] is not None
            else ""
        )
        print(
            f"  {c['workers']} worker(s)                     {c['median_s']:7.2f} s  "
            f"{c['vs_weasyprint']:.2f}x WeasyPrint alone  {goal}"
        )
    verdict = "met" if result["one_worker_vs_weasyprint"] <= result["one_worker_goal"] else "MISSED"
    print(
        f"  1 worker / WeasyPrint alone {result['one_worker_vs_weasyprint']:.2f} "
        f"(goal <= {result['one_worker_goal']}): {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
