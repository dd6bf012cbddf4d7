"""Jobs on Redis, run by real `flask --app meetapp worker` processes.

The app under test queues its jobs on an RQ queue of its own on the tests' Redis; the workers
are separate processes on the same database, as on a server. E-mail waits in the queue until
a worker sends it; a worker killed in the middle of a batch of e-mails loses none and sends
none twice, once another worker takes over; a job that fails on every attempt is kept for the
administrators.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from meetapp.jobs import RedisQueue
from meetapp.models import FailedJob, OutboxMessage
from meetapp.outbox.services import queue_message, send_later
from tests.outbox.smtp import Inbox, free_port
from tests.redis_server import REDIS_URL, require_redis

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FORM = {"name": "Sokha Chan", "email": "sokha@example.org", "country": "KH", "consent": "y"}


@pytest.fixture
def redis_jobs(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisQueue]:
    """The app queues its jobs on a Redis queue of this test's own, emptied afterwards."""
    client = require_redis()
    queue = RedisQueue(REDIS_URL, f"test-{secrets.token_hex(6)}")
    monkeypatch.setitem(app.extensions, "meetapp.jobs", queue)
    yield queue
    for key in client.scan_iter(f"*{queue.rq.name}*"):
        client.delete(key)


@pytest.fixture
def start_worker(database_url: str, redis_jobs: RedisQueue, tmp_path: Path) -> Iterator[Any]:
    """`start_worker(burst=False, **settings)`: a worker process on the test's queue and
    database, with MEETAPP_* `settings`; stopped (killed) at the end of the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(burst: bool = False, **settings: str) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ,
            "MEETAPP_CONFIG": "development",
            "MEETAPP_DATABASE_URL": database_url,
            "MEETAPP_INSTANCE_PATH": str(tmp_path),
            "MEETAPP_REDIS_URL": REDIS_URL,
            "MEETAPP_JOBS_QUEUE": redis_jobs.rq.name,
            "MEETAPP_PUBLIC_BASE_URL": "http://localhost",
            **{f"MEETAPP_{key.upper()}": value for key, value in settings.items()},
        }
        environment.pop("MEETAPP_TEST_DATABASE_URL", None)
        command = [sys.executable, "-m", "flask", "--app", "meetapp", "worker"]
        process = subprocess.Popen(
            [*command, *(["--burst"] if burst else [])],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker and its work horse
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            kill_with_descendants(process.pid)
        process.communicate(timeout=30)


def kill_with_descendants(pid: int) -> None:
    """SIGKILL for `pid` and every process under it (RQ's work horse has a process group of
    its own), children first."""
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for child in children:
        kill_with_descendants(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def finished(process: subprocess.Popen[bytes]) -> str:
    output, _ = process.communicate(timeout=120)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-3000:]
    return text


def mail_settings(port: int) -> dict[str, str]:
    return {"mail_server": "127.0.0.1", "mail_port": str(port), "mail_timeout": "5"}


def outbox(db: Any) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_mail_waits_on_the_queue_until_a_worker_sends_it(
    app, db, client, make_meeting, redis_jobs, start_worker, smtp_server, mail_to
):
    mail_to(smtp_server.port)
    meeting = make_meeting()
    assert client.post(f"/m/{meeting.slug}/register", data=FORM).status_code == 302
    [row] = outbox(db)
    assert row.status == "queued"
    assert redis_jobs.rq.count == 1
    assert smtp_server.messages == []

    finished(start_worker(burst=True, **mail_settings(smtp_server.port)))
    assert smtp_server.recipients == [["sokha@example.org"]]
    [row] = outbox(db)
    assert row.status == "sent"
    assert smtp_server.messages[0]["Message-ID"] == f"<outbox-{row.id}@localhost>"


class StallingInbox(Inbox):
    """Accepts every message, but the `stall_at`-th one hangs at its recipient until
    `release` is set: a worker killed then has not handed that message over."""

    def __init__(self, port: int, stall_at: int) -> None:
        super().__init__(port=port)
        self.stall_at = stall_at
        self.rcpt_count = 0
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_count += 1
        if self.rcpt_count == self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_worker_killed_in_a_batch_loses_no_message_and_sends_none_twice(
    app, db, make_meeting, redis_jobs, start_worker
):
    port = free_port()
    inbox = StallingInbox(port, stall_at=3)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        meeting = make_meeting()
        with app.test_request_context():
            ids = [
                queue_message(f"person{n}@example.org", "Hello", "Body", "test", meeting.id).id
                for n in range(6)
            ]
            db.session.commit()
        with app.app_context():
            send_later(ids)  # one job for the six
        settings = {**mail_settings(port), "mail_send_lease": "2"}
        worker = start_worker(**settings)
        assert inbox.stalled.wait(timeout=60), worker
        kill_with_descendants(worker.pid)  # the worker and its work horse, mid-message
        worker.communicate(timeout=30)
        inbox.release.set()

        statuses = [row.status for row in outbox(db)]
        assert statuses == ["sent", "sent", "sending", "queued", "queued", "queued"]
        assert len(inbox.messages) == 2

        time.sleep(2.5)  # the dead worker's lease on the third message runs out
        redis_jobs.enqueue("outbox.retry", [])
        finished(start_worker(burst=True, **settings))
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=None)

    delivered = sorted(address for recipients in inbox.recipients for address in recipients)
    assert delivered == [f"person{n}@example.org" for n in range(6)]  # each exactly once
    assert [row.status for row in outbox(db)] == ["sent"] * 6


FAILING_WORKER = """
import sys
from meetapp import create_app, jobs
from meetapp.jobs.worker import make_worker

@jobs.task("tests.always-fails")
def always_fails(what):
    raise RuntimeError(f"cannot {what}")

app = create_app()
with app.app_context():
    if sys.argv[1] == "enqueue":
        jobs.RETRY_DELAYS = (0, 0, 0)  # retried at once, so that one burst sees them all
        jobs.enqueue("tests.always-fails", "do it")
    else:
        make_worker(app).work(burst=True)
"""


def test_a_job_failing_every_attempt_is_retried_then_kept(db, database_url, redis_jobs, tmp_path):
    environment = {
        **os.environ,
        "MEETAPP_CONFIG": "development",
        "MEETAPP_DATABASE_URL": database_url,
        "MEETAPP_INSTANCE_PATH": str(tmp_path),
        "MEETAPP_REDIS_URL": REDIS_URL,
        "MEETAPP_JOBS_QUEUE": redis_jobs.rq.name,
    }
    environment.pop("MEETAPP_TEST_DATABASE_URL", None)
    outputs = []
    for step in ("enqueue", "work"):
        result = subprocess.run(
            [sys.executable, "-c", FAILING_WORKER, step],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        outputs.append(result.stderr)
    assert outputs[1].count("RuntimeError: cannot do it") >= 4  # the first try and 3 retries
    db.session.rollback()
    [failed] = db.session.scalars(select(FailedJob)).all()
    assert (failed.name, failed.args) == ("tests.always-fails", ["do it"])
    assert "RuntimeError: cannot do it" in failed.error
