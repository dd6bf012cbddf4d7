"""Real concurrent requests for the tests: threads released together by a barrier, each with
its own test client (so its own app context, database session and connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def run_together(clients: Sequence[Any], work: Callable[[Any, int], Any]) -> list[Any]:
    """Run `work(clients[i], i)` for every client in its own thread, all released at once;
    return their results in the same order. A request that raises or hangs fails the test."""
    count = len(clients)
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(clients[i], i)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors
    return results
