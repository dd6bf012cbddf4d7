"""Background jobs: work that must not hold a web request (e-mail, big documents, exports).

A job is a function registered with `@task("name")`, run later with JSON-like arguments
through `enqueue("name", ...)`; `enqueue_parts(parts, then=...)` runs several jobs side by side
and one more once they have all finished (a long PDF's parts, then their merge). A view
enqueues after its commit, so that the job sees what the request wrote. Jobs must be
idempotent: a job may run again after a failure or a crash, and the e-mail it sends or the
file it writes must come out once.

Where jobs run is the queue's business, not the caller's (`MEETAPP_JOBS`):

- `redis` (the default when `MEETAPP_REDIS_URL` is set): jobs go to an RQ queue on Redis and
  are run by `flask --app meetapp worker` processes, on any number of hosts. A failed job is
  retried with growing delays (`Task.retries`); periodic jobs (`every=`) reschedule
  themselves.
- `in-process` (the default without Redis: `make run` on SQLite, the tests): a job enqueued
  during a request runs in the same process once the response has been sent
  (`Response.call_on_close`), in an application context of its own, so the person who made the
  request never waits for it; outside a request (a command) it runs at once. There are no
  retries and no periodic jobs: `flask --app meetapp send-mail` retries e-mail.

Either way, a job that fails for the last time is recorded in `failed_jobs`, shown to
administrators on the Jobs page with a button to run it again.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, g, has_request_context

F = TypeVar("F", bound=Callable[..., Any])

IN_PROCESS = "in-process"
REDIS = "redis"
# Waits between the attempts of a job that fails (RQ retries it this many times).
RETRY_DELAYS = (10, 60, 300)


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable[..., Any]
    # Attempts after the first; periodic jobs are not retried, their next run is the retry.
    retries: int = len(RETRY_DELAYS)
    # Seconds a run may take before the worker stops it.
    timeout: int = 600
    # Seconds between the runs of a periodic job (None: runs when enqueued).
    every: int | None = None


TASKS: dict[str, Task] = {}
# A job to run: its name and arguments.
Call = tuple[str, Sequence[Any]]


def task(
    name: str, *, retries: int = len(RETRY_DELAYS), timeout: int = 600, every: int | None = None
) -> Callable[[F], F]:
    """Register the decorated function as the job `name` (see `Task`)."""

    def register(func: F) -> F:
        if name in TASKS and TASKS[name].func is not func:
            raise RuntimeError(f"two jobs are called {name!r}")
        TASKS[name] = Task(name, func, 0 if every else retries, timeout, every)
        return func

    return register


class JobQueue(Protocol):
    kind: str

    def enqueue(self, name: str, args: Sequence[Any], *, job_id: str | None = None) -> None: ...

    def enqueue_parts(self, parts: Sequence[Call], then: Call) -> None: ...

    def schedule_periodic(self) -> None: ...

    def status(self) -> dict[str, Any]: ...


def queue() -> JobQueue:
    jobs: JobQueue = current_app.extensions["meetapp.jobs"]
    return jobs


def enqueue(name: str, *args: Any, job_id: str | None = None) -> None:
    """Have the job `name` run with `args` (see the module for where and when).

    `job_id` names the run, so that enqueueing the same work twice while the first is still
    waiting makes one run on Redis.
    """
    if name not in TASKS:
        raise KeyError(f"no job is called {name!r}")
    queue().enqueue(name, args, job_id=job_id)


def enqueue_parts(parts: Sequence[Call], then: Call) -> None:
    """Have the jobs `parts` run, side by side on as many workers as are free, then the job
    `then` once every part has finished, whether it succeeded or failed for good: `then`
    checks what the parts left (a part that left nothing failed).

    On Redis `then` waits in RQ's deferred registry for the parts (`depends_on`); in-process
    the parts run one after the other, then `then`.
    """
    for name, _ in (*parts, then):
        if name not in TASKS:
            raise KeyError(f"no job is called {name!r}")
    queue().enqueue_parts(parts, then)


def perform(name: str, args: Sequence[Any], last_attempt: bool = True) -> Any:
    """Run the job `name` in the current application context. When it raises on its last
    attempt, the failure is recorded (`failed_jobs`) before the exception goes on."""
    try:
        return TASKS[name].func(*args)
    except Exception as error:
        if last_attempt:
            record_failure(name, args, error)
        raise


def record_failure(name: str, args: Sequence[Any], error: BaseException) -> None:
    """Keep a job that failed for good, for an administrator to see and run again."""
    from meetapp.extensions import db
    from meetapp.models import FailedJob

    db.session.rollback()
    try:
        db.session.add(
            FailedJob(
                name=name,
                args=list(args),
                error="".join(traceback.format_exception(error))[-8000:],
            )
        )
        db.session.commit()
    except Exception:  # the database may be what failed; the log still has it
        db.session.rollback()
        current_app.logger.exception("job %s: its failure could not be recorded", name)


class QueueUnavailable(Exception):
    """The queue could not take the job (Redis does not answer)."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__(f"job {name} could not be queued: {error}")
        self.name = name


# --- in-process ---------------------------------------------------------------------------


class InProcessQueue:
    """Runs jobs in this process, after the response (see the module)."""

    kind = IN_PROCESS

    def enqueue(self, name: str, args: Sequence[Any], *, job_id: str | None = None) -> None:
        self._run([(name, args)])

    def enqueue_parts(self, parts: Sequence[Call], then: Call) -> None:
        self._run([*parts, then])

    def _run(self, calls: Sequence[Call]) -> None:
        """Each call in turn, after the response during a request, else at once; a call that
        fails does not stop the next ones."""
        runs = [(name, tuple(args)) for name, args in calls]
        if has_request_context():
            g.setdefault("_jobs_after_response", []).extend(runs)
        else:
            for name, args in runs:
                _run_logged(name, args)

    def schedule_periodic(self) -> None:
        """Periodic jobs need a worker: in-process they are commands run from cron."""

    def status(self) -> dict[str, Any]:
        return {"kind": self.kind}


def _run_logged(name: str, args: tuple[Any, ...]) -> None:
    try:
        perform(name, args)
    except Exception:  # recorded by `perform`; one job's failure must not stop the others
        current_app.logger.exception("job %s failed", name)


def _run_after_response(app: Flask, jobs: list[tuple[str, tuple[Any, ...]]]) -> None:
    for name, args in jobs:
        with app.app_context():
            _run_logged(name, args)


# --- Redis --------------------------------------------------------------------------------


class RedisQueue:
    """Sends jobs to the RQ queue `name` on Redis, for `flask --app meetapp worker`."""

    kind = REDIS
    # A worker whose last heartbeat is older than this is not counted as seen.
    SEEN_WITHIN = timedelta(minutes=1)

    def __init__(self, url: str, name: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        self.rq = Queue(name, connection=self.connection)

    def enqueue(
        self,
        name: str,
        args: Sequence[Any],
        *,
        job_id: str | None = None,
        delay: int | None = None,
    ) -> None:
        self._enqueue(name, args, job_id=job_id, delay=delay)

    def enqueue_parts(self, parts: Sequence[Call], then: Call) -> None:
        from rq.job import Dependency

        jobs = [self._enqueue(name, args) for name, args in parts]
        # allow_failure: `then` runs once each part has finished, whatever became of it.
        self._enqueue(*then, depends_on=Dependency(jobs=jobs, allow_failure=True))

    def _enqueue(
        self,
        name: str,
        args: Sequence[Any],
        *,
        job_id: str | None = None,
        delay: int | None = None,
        depends_on: Any = None,
    ) -> Any:
        from redis import RedisError
        from rq import Retry

        spec = TASKS[name]
        options: dict[str, Any] = {
            "job_id": job_id,
            "job_timeout": spec.timeout,
            "failure_ttl": 7 * 24 * 3600,
            "result_ttl": 0,
            "description": name,
        }
        if depends_on is not None:
            options["depends_on"] = depends_on
        if spec.retries:
            delays = list(RETRY_DELAYS[: spec.retries])
            options["retry"] = Retry(max=spec.retries, interval=delays)
        call = (perform_queued, name, list(args))
        try:
            if delay:
                return self.rq.enqueue_in(timedelta(seconds=delay), *call, **options)
            return self.rq.enqueue(*call, **options)
        except RedisError as error:
            raise QueueUnavailable(name, error) from error

    def schedule_periodic(self) -> None:
        """Make sure each periodic job has its next run scheduled (a worker calls this as it
        starts; the fixed job id keeps several workers from scheduling it twice)."""
        for spec in TASKS.values():
            if spec.every:
                self.enqueue(spec.name, (), job_id=periodic_id(spec.name), delay=1)

    def status(self) -> dict[str, Any]:
        from redis import RedisError
        from rq import Worker

        from meetapp.database import utcnow

        try:
            workers = Worker.all(queue=self.rq)
            cutoff = utcnow() - self.SEEN_WITHIN
            seen = [
                worker
                for worker in workers
                if worker.last_heartbeat is not None and worker.last_heartbeat >= cutoff
            ]
            return {
                "kind": self.kind,
                "queued": self.rq.count,
                "scheduled": self.rq.scheduled_job_registry.count,
                "running": self.rq.started_job_registry.count,
                "workers_seen": len(seen),
                "worker_seen_last_minute": bool(seen),
            }
        except RedisError as error:
            return {"kind": self.kind, "error": f"Redis does not answer: {error}"}


def periodic_id(name: str) -> str:
    return f"periodic-{name.replace('.', '-')}"


def perform_queued(name: str, args: Sequence[Any]) -> Any:
    """The function RQ runs (in a worker, inside the app's context: see `jobs.worker`)."""
    from rq import get_current_job

    spec = TASKS[name]
    job = get_current_job()
    last_attempt = job is None or not job.retries_left
    try:
        return perform(name, args, last_attempt=last_attempt)
    finally:
        if spec.every:  # the next run, whatever became of this one
            redis_queue = queue()
            if isinstance(redis_queue, RedisQueue):
                redis_queue.enqueue(name, (), job_id=periodic_id(name), delay=spec.every)


# --- set-up -------------------------------------------------------------------------------


def make_queue(app: Flask) -> JobQueue:
    kind = app.config.get("JOBS") or (REDIS if app.config.get("REDIS_URL") else IN_PROCESS)
    if kind == IN_PROCESS:
        return InProcessQueue()
    if kind == REDIS:
        if not app.config.get("REDIS_URL"):
            raise RuntimeError("MEETAPP_JOBS=redis needs MEETAPP_REDIS_URL")
        return RedisQueue(app.config["REDIS_URL"], app.config.get("JOBS_QUEUE", "meetapp"))
    raise RuntimeError(f"MEETAPP_JOBS must be {REDIS!r} or {IN_PROCESS!r}, not {kind!r}")


def init_app(app: Flask) -> None:
    app.extensions["meetapp.jobs"] = make_queue(app)

    @app.after_request
    def _start_jobs_after_response(response: Response) -> Response:
        jobs = g.pop("_jobs_after_response", None)
        if jobs:
            target = current_app._get_current_object()  # type: ignore[attr-defined]
            response.call_on_close(lambda: _run_after_response(target, jobs))
        return response
