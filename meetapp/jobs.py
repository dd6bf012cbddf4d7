"""Background jobs: work that must not hold a web request, such as talking to a mail server.

A job is a function registered with `@task("name")`, called later with JSON-like arguments
through `enqueue("name", ...)`. A view enqueues after its commit, so the job sees what the
request wrote. Jobs must be idempotent: they may run again after a failure or a crash.

Where jobs run is the queue's business, not the caller's:

- in-process (the default, and the tests): a job enqueued during a request runs in the same
  process once the response has been sent (`Response.call_on_close`), in an application
  context of its own, so the person who made the request never waits for it. Outside a
  request (a command) it runs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Task:
    name: str
    func: Callable[..., Any]


TASKS: dict[str, Task] = {}


def task(name: str) -> Callable[[F], F]:
    """Register the decorated function as the job `name`."""

    def register(func: F) -> F:
        if name in TASKS and TASKS[name].func is not func:
            raise RuntimeError(f"two jobs are called {name!r}")
        TASKS[name] = Task(name, func)
        return func

    return register


def enqueue(name: str, *args: Any) -> None:
    """Have the job `name` run with `args`, after the current request's response is sent (or
    at once outside a request)."""
    if name not in TASKS:
        raise KeyError(f"no job is called {name!r}")
    if has_request_context():
        g.setdefault("_jobs_after_response", []).append((name, args))
        return
    run(name, args)


def run(name: str, args: tuple[Any, ...]) -> Any:
    """Run one job in the current application context."""
    return TASKS[name].func(*args)


def _run_after_response(app: Flask, jobs: list[tuple[str, tuple[Any, ...]]]) -> None:
    for name, args in jobs:
        with app.app_context():
            try:
                run(name, args)
            except Exception:  # one job's failure must not stop the others
                app.logger.exception("job %s failed", name)


def init_app(app: Flask) -> None:
    @app.after_request
    def _start_jobs_after_response(response: Response) -> Response:
        jobs = g.pop("_jobs_after_response", None)
        if jobs:
            target = current_app._get_current_object()  # type: ignore[attr-defined]
            response.call_on_close(lambda: _run_after_response(target, jobs))
        return response
