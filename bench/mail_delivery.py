"""E-mail throughput: messages delivered per minute by the job workers, through a local SMTP
sink, against bare smtplib sending the same messages in the same run.

For each number of workers (1 and 2 by default): a fresh database, `--messages` messages
queued in the outbox and handed to delivery jobs in batches of 100 on a Redis queue of its
own, then that many `flask --app meetapp worker` processes started; the clock runs from their
start to the last message's arrival at the sink. The baseline is one process sending the same
number of messages with smtplib over one connection (what delivery costs without the outbox,
claims, jobs and the database). Every message must arrive exactly once (by Message-ID).
The bare sender and each number of workers take turns in each round (2 rounds by default);
the medians are compared. Goal: at least 2,000 messages a minute with 2 workers.

    .venv/bin/python bench/mail_delivery.py [--messages 2000] [--workers 1 2] [--rounds 2]

Needs Redis on 127.0.0.1:6379 (database 13, emptied before and after). The database is
PostgreSQL when MEETAPP_BENCH_ADMIN_URL names a server where databases may be created
(postgresql://postgres@127.0.0.1/postgres), else a SQLite file. Results are printed and saved
as JSON in bench/results/. Exit status: 0 the goal is met, 1 it is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.mail_load import MailSink, outbox_statuses, start_workers, stop_workers  # noqa: E402

RESULTS = ROOT / "bench" / "results"
REDIS_URL = "redis://127.0.0.1:6379/13"
GOAL_PER_MINUTE = 2000
BATCH = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_smtplib(count: int) -> float:
    """Seconds for one process to send `count` messages over one SMTP connection."""
    port = free_port()
    with MailSink(port) as sink:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for n in range(count):
                message = EmailMessage()
                message["From"] = "meetapp@localhost"
                message["To"] = f"bulk{n}@example.org"
                message["Subject"] = f"Message {n}"
                message["Message-ID"] = f"<bare-{n}@localhost>"
                message.set_content(f"Body of message {n}.\n")
                smtp.send_message(message)
        assert sink.wait_for(count, 60), sink.count
        return time.perf_counter() - started


def _database(admin_url: str | None, folder: str) -> tuple[str, str | None]:
    """(the database URL, the PostgreSQL database to drop afterwards)."""
    if not admin_url:
        return f"sqlite:///{folder}/bench.db", None
    import psycopg

    name = f"meetapp_bench_mail_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def _drop(admin_url: str | None, name: str | None) -> None:
    if admin_url and name:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def workers_run(count: int, workers: int, admin_url: str | None) -> dict[str, Any]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="meetapp-bench-mail-") as folder:
        url, created = _database(admin_url, folder)
        env = {
            **os.environ,
            "MEETAPP_CONFIG": "development",
            "MEETAPP_DATABASE_URL": url,
            "MEETAPP_INSTANCE_PATH": folder,
            "MEETAPP_REDIS_URL": REDIS_URL,
            "MEETAPP_JOBS_QUEUE": f"bench-{secrets.token_hex(4)}",
            "MEETAPP_MAIL_SERVER": "127.0.0.1",
            "MEETAPP_MAIL_PORT": str(port),
            "PYTHONPATH": str(ROOT),
        }
        try:
            subprocess.run(
                [sys.executable, "-m", "flask", "--app", "meetapp", "db", "upgrade"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"from deploy.mail_load import queue_bulk; queue_bulk({count}, {BATCH})",
                ],  # fmt: skip
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            with MailSink(port) as sink:
                started = time.perf_counter()
                processes = start_workers(env, workers)
                try:
                    arrived = sink.wait_for(count, 600)
                    seconds = time.perf_counter() - started
                finally:
                    stop_workers(processes)
                statuses = outbox_statuses(url)
            return {
                "workers": workers,
                "seconds": seconds,
                "per_minute": sink.count / seconds * 60,
                "arrived": sink.count,
                "all_arrived": arrived,
                "duplicates": len(sink.duplicates()),
                "outbox": statuses,
            }
        finally:
            _drop(admin_url, created)
            redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    admin_url = os.environ.get("MEETAPP_BENCH_ADMIN_URL")
    # Each round: the bare sender and every number of workers, in turns whose order shifts.
    sides: list[int | None] = [None, *args.workers]
    bare_seconds: list[float] = []
    by_workers: dict[int, list[dict[str, Any]]] = {workers: [] for workers in args.workers}
    for round_number in range(args.rounds):
        shift = round_number % len(sides)
        for side in sides[shift:] + sides[:shift]:
            if side is None:
                bare_seconds.append(bare_smtplib(args.messages))
                print(f"round {round_number + 1}: bare smtplib {bare_seconds[-1]:.2f} s")
                continue
            run = workers_run(args.messages, side, admin_url)
            by_workers[side].append(run)
            print(
                f"round {round_number + 1}: {side} worker(s): {run['arrived']} messages in"
                f" {run['seconds']:.2f} s ({run['per_minute']:,.0f}/min),"
                f" duplicates {run['duplicates']}, outbox {run['outbox']}",
                flush=True,
            )
    bare = statistics.median(bare_seconds)
    bare_per_minute = args.messages / bare * 60
    print(f"bare smtplib: {args.messages} messages in {bare:.2f} s ({bare_per_minute:,.0f}/min)")
    runs = []
    for workers, measured in by_workers.items():
        seconds = statistics.median(run["seconds"] for run in measured)
        run = {
            "workers": workers,
            "seconds": seconds,
            "per_minute": args.messages / seconds * 60,
            "rounds": measured,
            "all_arrived": all(one["all_arrived"] for one in measured),
            "duplicates": sum(one["duplicates"] for one in measured),
        }
        runs.append(run)
        print(
            f"{workers} worker(s), median of {len(measured)}: {run['per_minute']:,.0f}/min"
            f" ({run['per_minute'] / bare_per_minute:.2f}x bare), every message once:"
            f" {run['all_arrived'] and not run['duplicates']}"
        )
    best = max(runs, key=lambda run: run["workers"])
    met = bool(
        best["per_minute"] >= GOAL_PER_MINUTE
        and all(run["all_arrived"] and not run["duplicates"] for run in runs)
    )
    record = {
        "benchmark": "mail_delivery",
        "when": datetime.now(UTC).isoformat(),
        "database": "postgresql" if admin_url else "sqlite",
        "messages": args.messages,
        "rounds": args.rounds,
        "bare": {"seconds": bare, "per_minute": bare_per_minute, "rounds": bare_seconds},
        "runs": runs,
        "goal_per_minute": GOAL_PER_MINUTE,
        "met": met,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"mail_delivery-{stamp}.json").write_text(json.dumps(record, indent=2))
    print("goal met" if met else f"goal MISSED: {GOAL_PER_MINUTE}/min with {best['workers']}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
