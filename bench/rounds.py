"""Baselines and the measured code, timed in turns within each round.

A benchmark that timed all rounds of one side and then all rounds of the other would compare
two different minutes of a machine whose load changes. Here every round times each side once,
and the order turns by one place each round, so that no side always runs first (on colder
caches) or last.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(
    sides: dict[str, Callable[[], object]], rounds: int, *, warm_up: bool = True
) -> dict[str, list[float]]:
    """Seconds of each side, one per round, the sides taking turns; one untimed call each
    first when `warm_up` (imports, compiled statements, templates, fonts)."""
    if rounds < 1:
        raise ValueError("at least one round")
    names = list(sides)
    if warm_up:
        for name in names:
            sides[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - started)
    return times


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """Median, p90 and minimum of `seconds`, in milliseconds."""
    ordered = sorted(value * 1000 for value in seconds)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[max(int(len(ordered) * 0.9) - 1, 0)], 1),
        "min_ms": round(ordered[0], 1),
    }
