"""`flask --app meetapp worker`: runs the jobs queued on Redis (see `meetapp.jobs`).

RQ forks a work horse for each job; the horse runs it inside the application's context, with
database connections of its own (the pools inherited from the worker belong to the worker).
Each worker also runs RQ's scheduler, which moves retries and periodic jobs onto the queue when
they are due (one worker at a time holds its lock). Start as many workers, on as many hosts, as
the work needs: they share the queue.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Queue, Worker

from meetapp.database import forget_connections
from meetapp.jobs import RedisQueue, queue

# A worker's heartbeat reaches Redis at least this often (seconds), so that /healthz can tell
# a worker seen within the last minute.
HEARTBEAT = 45


class AppWorker(Worker):
    """An RQ worker whose jobs run in the Flask application's context."""

    app: Flask

    def main_work_horse(self, job: Any, queue: Any) -> None:
        forget_connections(self.app)
        super().main_work_horse(job, queue)

    def perform_job(self, job: Any, queue: Any, execution: Any) -> bool:
        with self.app.app_context():
            return bool(super().perform_job(job, queue, execution))


def make_worker(app: Flask, name: str | None = None) -> AppWorker:
    jobs = app.extensions["meetapp.jobs"]
    if not isinstance(jobs, RedisQueue):
        raise click.ClickException(
            "Jobs run in the web process (MEETAPP_JOBS is 'in-process'): set "
            "MEETAPP_REDIS_URL for a worker to have a queue to work on."
        )
    # A connection of its own, without the socket timeout of the web processes' one: the
    # worker blocks on Redis for up to HEARTBEAT seconds while it waits for a job.
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    worker = AppWorker(
        [Queue(jobs.rq.name, connection=connection)],
        connection=connection,
        name=name,
        worker_ttl=HEARTBEAT + 15,
    )
    worker.app = app
    return worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--name", help="The worker's name (default: host and process id).")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    """Run the jobs queued on Redis until stopped (Ctrl+C or SIGTERM end it after the job
    under way)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = make_worker(app, name)
    queue().schedule_periodic()
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
