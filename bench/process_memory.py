"""The memory of a process as Linux counts it (/proc/<pid>/status), for the benchmarks that
judge a peak: the resident set now (VmRSS) and its high-water mark (VmHWM), which can be reset
to the present (writing 5 to /proc/<pid>/clear_refs), so that one long-lived process (a gunicorn
worker) can be measured request by request."""

from __future__ import annotations

import os
from pathlib import Path

MB = 1024 * 1024


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in /proc/{pid}/status")


def rss_mb(pid: int | None = None) -> float:
    return status_kb(pid or os.getpid(), "VmRSS") / 1024


def peak_mb(pid: int | None = None) -> float:
    return status_kb(pid or os.getpid(), "VmHWM") / 1024


def reset_peak(pid: int | None = None) -> None:
    """Make the process's high-water mark its present resident set."""
    Path(f"/proc/{pid or os.getpid()}/clear_refs").write_text("5")
