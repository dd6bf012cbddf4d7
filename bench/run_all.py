"""Every benchmark of the project in one command, and one table of their figures.

    bench/run-all [--quick] [--only NAME ...]

Runs, one after the other, each script of BENCHMARKS that exists in bench/ (a missing one is
noted and skipped), each with a time limit. Every script saves its figures as JSON in
bench/results/<name>-<time>.json; this one reads the file each run wrote and prints one table:
the figure, the baseline it is compared with, their ratio, the goal and whether it was met.
Every figure printed is judged; in every script the baseline and the measured code take turns
within each round, over several rounds by default (bench/rounds.py).
With --quick each script gets shorter settings (a smoke run, not a measurement).
Exit status: 0 every goal met, 1 a goal missed, 2 a benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TIME_LIMIT_SECONDS = 1800
# The public page's p99 under the benchmark's load, as deploy/production-check.sh asks of p95.
P99_GOAL_MS = 200.0
# bench/press_release.py's goals, shown beside its figures (it judges them itself).
PRESS_RATIO_GOAL = 1.3
PRESS_SECONDS_GOAL = 0.5
PRESS_SHEET_MEMORY_MB = 256


@dataclass
class Row:
    benchmark: str
    figure: str
    value: float | None
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool | None


def _registration_page(record: dict[str, Any]) -> list[Row]:
    """The goal is judged against the minimal bare Flask page; the bare page of the same size
    as the registration page is shown beside it, without a goal, to tell how much of the
    difference is the page's size."""
    results = record["results"]
    meetapp, minimal, sized = results["meetapp"], results["bare_minimal"], results["bare_sized"]
    goal = float(record["goal"])
    ratio = float(record["ratio"])
    return [
        Row(
            "registration_page",
            "requests/s (vs bare Flask, minimal page)",
            meetapp["requests_per_second"],
            minimal["requests_per_second"],
            ratio,
            f"ratio >= {goal:.2f}",
            ratio >= goal,
        ),
        Row(
            "registration_page",
            "requests/s (vs bare Flask, page of the same size)",
            meetapp["requests_per_second"],
            sized["requests_per_second"],
            float(record["ratio_sized"]),
            f"ratio >= {goal:.2f}",
            float(record["ratio_sized"]) >= goal,
        ),
        Row(
            "registration_page",
            "p99 latency ms (vs bare Flask, minimal page)",
            meetapp["p99_ms"],
            minimal["p99_ms"],
            meetapp["p99_ms"] / minimal["p99_ms"] if minimal["p99_ms"] else None,
            f"p99 < {P99_GOAL_MS:g} ms",
            meetapp["p99_ms"] < P99_GOAL_MS,
        ),
    ]


def _survey_results(record: dict[str, Any]) -> list[Row]:
    view, bare = record["view"]["median_ms"], record["bare"]["median_ms"]
    goal = float(record["goal_ms"])
    ratio_goal = float(record["ratio_goal"])
    return [
        Row(
            "survey_results",
            f"results view median ms ({record.get('responses')} responses, vs bare queries)",
            view,
            bare,
            view / bare if bare else None,
            f"view < {goal:.0f} ms",
            view < goal,
        ),
        Row(
            "survey_results",
            "results view median ms (vs bare queries): the ratio",
            view,
            bare,
            view / bare if bare else None,
            f"ratio <= {ratio_goal:g}",
            bool(record["ratio_met"]),
        ),
    ]


def _press_release(record: dict[str, Any]) -> list[Row]:
    """The release of the demo meeting and of a meeting with a large survey, each against
    WeasyPrint alone on the same HTML; the sign-in sheet's peak memory."""
    rows = []
    for key, what in (
        ("press_release", "demo meeting"),
        ("press_release_large", "a survey of {responses:,} responses"),
    ):
        if key not in record:
            continue
        figures = record[key]
        rows.append(
            Row(
                "press_release",
                f"release PDF s, {what.format(**figures)} (vs WeasyPrint alone)",
                figures["app_median_s"],
                figures["weasyprint_median_s"],
                figures["ratio"],
                f"ratio <= {PRESS_RATIO_GOAL:g}, < {PRESS_SECONDS_GOAL:g} s",
                bool(figures["goal_met"]),
            )
        )
    sheet = record["sign_in_sheet"]
    rows.append(
        Row(
            "press_release",
            f"sign-in sheet of {sheet['participants']:,}: peak RSS MB ({sheet['pages']} pages)",
            sheet["max_rss_mb"],
            None,
            None,
            f"< {PRESS_SHEET_MEMORY_MB:g} MB",
            bool(sheet["goal_met"]),
        )
    )
    return rows


def _exports(record: dict[str, Any]) -> list[Row]:
    """One row per export and size: the time against the bare fetch of the same rows, and the
    goal judged on the rise of the worker's peak memory."""
    goal = float(record["goal_mb"])
    rows = []
    for size, exports in record["sizes"].items():
        for name, sides in exports.items():
            route, bare = sides["route"], sides["bare"]
            rise = route["peak_rise_mb"]
            rows.append(
                Row(
                    "exports",
                    f"{name} s at {int(size):,} (vs bare fetch); worker +{rise:.0f} MB",
                    route["seconds"],
                    bare["seconds"],
                    route["seconds"] / bare["seconds"] if bare["seconds"] else None,
                    f"worker +MB < {goal:g}",
                    rise < goal,
                )
            )
    return rows


def _import_meeting(record: dict[str, Any]) -> list[Row]:
    """One row per size: the import's time against the bare Core insert, each judged on the
    same goal."""
    goal = float(record["goal"])
    rows = []
    for size, figures in record["sizes"].items():
        ratio = float(figures["ratio"])
        rows.append(
            Row(
                "import_meeting",
                f"import-meeting s at {int(size):,} (vs bare Core insert);"
                f" +{figures['import']['peak_rise_mb']:.0f} MB",
                figures["import"]["seconds"],
                figures["bare"]["seconds"],
                ratio,
                f"ratio <= {goal:g}",
                ratio <= goal,
            )
        )
    return rows


def _sign_in_sheet(record: dict[str, Any]) -> list[Row]:
    """One row per number of workers: its time against WeasyPrint alone, with the speed-up's
    goal (a share of what the machine's cores allow); the one worker's row judges what the
    jobs cost on top of WeasyPrint."""
    weasyprint = record["weasyprint"]["median_s"]
    rows = []
    for configuration in record["configurations"]:
        workers = configuration["workers"]
        if configuration["goal_speedup"] is None:
            goal = f"ratio <= {record['one_worker_goal']:.2f}"
            met = record["one_worker_vs_weasyprint"] <= record["one_worker_goal"]
        else:
            goal = (
                f"speed-up {configuration['speedup']:.2f} >= {configuration['goal_speedup']:.2f}"
                f" ({record['cores']} cores)"
            )
            met = configuration["met"]
        rows.append(
            Row(
                "sign_in_sheet",
                f"{record['names']:,} names, {workers} worker(s), s (vs WeasyPrint alone)",
                configuration["median_s"],
                weasyprint,
                configuration["vs_weasyprint"],
                goal,
                bool(met),
            )
        )
    return rows


def _mail_delivery(record: dict[str, Any]) -> list[Row]:
    """One row per number of workers; the goal is judged on the most workers."""
    bare = record["bare"]["per_minute"]
    goal = float(record["goal_per_minute"])
    most = max(run["workers"] for run in record["runs"])
    return [
        Row(
            "mail_delivery",
            f"messages/min, {run['workers']} worker(s) (vs bare smtplib)",
            run["per_minute"],
            bare,
            run["per_minute"] / bare if bare else None,
            f">= {goal:,.0f}/min, each once" if run["workers"] == most else "each once",
            (run["per_minute"] >= goal or run["workers"] != most)
            and run["all_arrived"]
            and not run["duplicates"],
        )
        for run in record["runs"]
    ]


def _route_walk(record: dict[str, Any]) -> list[Row]:
    """The slowest route and the one that raised the worker's peak memory most, each against
    /healthz in the same rounds."""
    routes, healthz = record["routes"], record["healthz"]
    slowest, hungriest = routes[record["slowest"]], routes[record["hungriest"]]
    participants = f"{record['participants']:,} participants"
    return [
        Row(
            "route_walk",
            f"slowest GET of {len(routes)}, s: {record['slowest']} ({participants})",
            slowest["max_seconds"],
            healthz["max_seconds"],
            slowest["max_seconds"] / healthz["max_seconds"] if healthz["max_seconds"] else None,
            f"< {record['goal_seconds']:g} s, no 5xx",
            slowest["max_seconds"] < record["goal_seconds"] and not record["server_errors"],
        ),
        Row(
            "route_walk",
            f"largest worker peak rise, MB: {record['hungriest']}",
            hungriest["max_peak_rise_mb"],
            None,
            None,
            f"< {record['goal_mb']:g} MB",
            hungriest["max_peak_rise_mb"] < record["goal_mb"],
        ),
    ]


@dataclass
class Benchmark:
    script: str
    summarise: Callable[[dict[str, Any]], list[Row]]
    quick: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return Path(self.script).stem


BENCHMARKS = [
    Benchmark(
        "registration_page.py",
        _registration_page,
        ("--duration", "3", "--rounds", "1", "--warmup", "1"),
    ),
    Benchmark("survey_results.py", _survey_results, ("--responses", "1000", "--rounds", "3")),
    Benchmark(
        "press_release.py",
        _press_release,
        ("--rounds", "5", "--participants", "1000", "--responses", "2000"),
    ),
    Benchmark("exports.py", _exports, ("--sizes", "1000", "10000", "--rounds", "1")),
    Benchmark("import_meeting.py", _import_meeting, ("--sizes", "1000", "10000", "--rounds", "1")),
    Benchmark("mail_delivery.py", _mail_delivery, ("--messages", "300")),
    Benchmark("route_walk.py", _route_walk, ("--participants", "2000", "--rounds", "1")),
    Benchmark("sign_in_sheet.py", _sign_in_sheet, ("--names", "1000", "--rounds", "1")),
]


def newest_result(name: str, since: float) -> dict[str, Any] | None:
    files = [path for path in RESULTS.glob(f"{name}-*.json") if path.stat().st_mtime >= since - 1]
    if not files:
        return None
    newest = max(files, key=lambda path: path.stat().st_mtime)
    record: dict[str, Any] = json.loads(newest.read_text(encoding="utf-8"))
    return record


def _cell(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(rows: list[Row]) -> None:
    header = ("benchmark", "figure", "value", "baseline", "ratio", "goal", "verdict")
    lines = [
        (
            row.benchmark,
            row.figure,
            _cell(row.value, 1),
            _cell(row.baseline, 1),
            _cell(row.ratio),
            row.goal,
            {True: "met", False: "MISSED", None: ""}[row.met],
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    print()
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short settings: a smoke run")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these benchmarks only")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    problems: list[str] = []
    for benchmark in BENCHMARKS:
        if args.only and benchmark.name not in args.only:
            continue
        script = BENCH / benchmark.script
        if not script.exists():
            print(f"note: bench/{benchmark.script} does not exist here; skipped")
            continue
        command = [sys.executable, str(script), *(benchmark.quick if args.quick else ())]
        print(f"\n=== {benchmark.name}: {' '.join(command[1:])}", flush=True)
        started = time.time()
        try:
            completed = subprocess.run(command, cwd=BENCH.parent, timeout=TIME_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            problems.append(f"{benchmark.name}: stopped after {TIME_LIMIT_SECONDS} s")
            continue
        if completed.returncode not in (0, 1):
            problems.append(f"{benchmark.name}: could not run (exit {completed.returncode})")
            continue
        record = newest_result(benchmark.name, started)
        if record is None:
            problems.append(f"{benchmark.name}: wrote no result in bench/results/")
            continue
        try:
            new_rows = benchmark.summarise(record)
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"{benchmark.name}: unexpected result file ({error!r})")
            continue
        rows.extend(new_rows)
        # Every figure printed is judged: a figure without a goal is a bug of this table.
        problems.extend(
            f"{row.benchmark}: no goal judges {row.figure!r}" for row in new_rows if row.met is None
        )

    print_table(rows)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems:
        return 2
    return 1 if any(row.met is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
