"""E-mail in bulk through real job workers to a local SMTP sink: shared by the production check
(deploy/production_check.py) and the mail benchmark (bench/mail_delivery.py).

- `MailSink`: an SMTP server on 127.0.0.1 (aiosmtpd) that counts what arrives by Message-ID,
  so that a message delivered twice shows.
- `queue_bulk`: run in a process whose environment names the database, queues `count`
  messages in the outbox in one transaction, then hands them to delivery jobs in batches, as
  a bulk send from the app does.
- `start_workers` / `stop_workers`: `flask --app meetapp worker` processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class MailSink:
    """An SMTP server that accepts every message and counts them by Message-ID."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self.by_id: Counter[str] = Counter()
        self.arrived = threading.Condition()
        self.controller = Controller(self, hostname=HOST, port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message_id = ""
        for line in envelope.content.split(b"\r\n"):
            if not line:
                break  # the end of the headers
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode("ascii", "replace")
        with self.arrived:
            self.by_id[message_id] += 1
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    @property
    def count(self) -> int:
        return sum(self.by_id.values())

    def duplicates(self) -> dict[str, int]:
        return {key: n for key, n in self.by_id.items() if n > 1}

    def wait_for(self, count: int, seconds: float) -> bool:
        """Whether `count` messages have arrived within `seconds`."""
        with self.arrived:
            return self.arrived.wait_for(lambda: self.count >= count, timeout=seconds)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


def queue_bulk(count: int, batch: int) -> None:
    """Queue `count` messages to distinct addresses, then enqueue their delivery in jobs of
    `batch` messages (the app's configuration comes from the environment)."""
    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.outbox.services import queue_message, send_later

    app = create_app()
    with app.test_request_context():
        ids = [
            message.id
            for n in range(count)
            if (
                message := queue_message(
                    f"bulk{n}@example.org", f"Message {n}", f"Body of message {n}.\n", "bulk"
                )
            )
            is not None
        ]
        db.session.commit()
    with app.app_context():  # outside a request: on Redis, or at once in-process
        for start in range(0, len(ids), batch):
            send_later(ids[start : start + batch])
    print(f"queued {len(ids)}")


def start_workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "meetapp", "worker", "--name", f"w{n}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)  # a warm shut-down: the job under way finishes
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def outbox_statuses(url: str) -> dict[str, int]:
    """The outbox's messages by status, read with psycopg from the PostgreSQL database `url`
    (or with sqlite3 from a sqlite:/// URL)."""
    query = "SELECT status, count(*) FROM outbox_messages GROUP BY status"
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("///", 1)[1]) as connection:
            return dict(connection.execute(query).fetchall())
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), connect_timeout=10) as c:
        return {status: n for status, n in c.execute(query).fetchall()}
