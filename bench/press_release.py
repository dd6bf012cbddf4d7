"""The cost of the app's documents: the press-release PDF and a 5,000-name sign-in sheet.

1. Press release: the app's end-to-end time for the demo meeting (load the data, compose the
   draft, render the template, WeasyPrint) against WeasyPrint alone on the same final HTML and
   the same stylesheet, the two taking turns in each round (bench/rounds.py). Goal: the app's
   median is at most 1.3x WeasyPrint's and under 0.5 s. The same for a meeting whose survey
   has 100,000 responses (`--responses`): what the release takes from the survey must not
   grow with it.
2. Sign-in sheet: 5,000 registered participants, rendered in a fresh child process: its peak
   resident memory (the whole process: Python, WeasyPrint, Pango, fonts), seconds and pages per
   second. Goal: peak under 256 MB. `--tracemalloc` adds the peak of Python's own allocations
   (tracemalloc slows the rendering down several times, so the timing is then not comparable).

    .venv/bin/python bench/press_release.py [--rounds 15] [--participants 5000] [--responses 100000]
        [--tracemalloc]

The database is a SQLite file in a temporary folder, deleted afterwards. Results are printed
and saved as JSON in bench/results/. Exit status: 0 goals met, 1 a goal missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rounds import interleaved  # noqa: E402  (bench/ is this script's folder)

RESULTS = ROOT / "bench" / "results"
RATIO_GOAL = 1.3
SECONDS_GOAL = 0.5
MEMORY_GOAL_MB = 256


def _app(folder: str) -> Any:
    os.environ.setdefault("MEETAPP_INSTANCE_PATH", folder)
    from meetapp import create_app
    from meetapp.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "TESTING": True,
            "SERVER_NAME": "bench.invalid",
        }
    )
    with app.app_context():
        db.create_all()  # the schema of the models (the benchmark does not test migrations)
    return app


def _load_demo(app: Any) -> str:
    """The demo meeting with its agenda; returns its slug."""
    from meetapp.cli import DEMO_FILE
    from meetapp.extensions import db
    from meetapp.interchange.services import import_meeting, parse_document

    document = parse_document(DEMO_FILE.read_bytes())
    with app.app_context():
        report = import_meeting(document)
        db.session.commit()
        return report.meeting.slug


def _meeting(slug: str) -> Any:
    from sqlalchemy import select

    from meetapp.extensions import db
    from meetapp.models import Meeting

    return db.session.scalar(select(Meeting).where(Meeting.slug == slug))


def bench_press_release(app: Any, slug: str, rounds: int) -> dict[str, Any]:
    from flask import render_template
    from weasyprint import CSS, HTML

    from meetapp.extensions import db
    from meetapp.reports.documents import press_release_pdf
    from meetapp.reports.press_release import compose_press_release

    static = Path(app.static_folder)
    with app.test_request_context():
        draft = compose_press_release(_meeting(slug))
        html = render_template("pdf/press_release.html", meeting=_meeting(slug), draft=draft)
        db.session.remove()

    def app_run() -> int:
        with app.test_request_context():
            pdf = press_release_pdf(_meeting(slug))
            db.session.remove()
        return len(pdf)

    def weasyprint_run() -> int:
        document = HTML(string=html, base_url=static.as_uri() + "/")
        stylesheet = CSS(filename=str(static / "css" / "print.css"))
        return len(document.write_pdf(stylesheets=[stylesheet]))

    times = interleaved({"app": app_run, "weasyprint": weasyprint_run}, rounds)
    app_median = statistics.median(times["app"])
    weasy_median = statistics.median(times["weasyprint"])
    return {
        "rounds": rounds,
        "app_median_s": round(app_median, 4),
        "app_p90_s": round(sorted(times["app"])[int(0.9 * (rounds - 1))], 4),
        "weasyprint_median_s": round(weasy_median, 4),
        "ratio": round(app_median / weasy_median, 3),
        "goal_met": app_median / weasy_median <= RATIO_GOAL and app_median < SECONDS_GOAL,
    }


def bench_press_release_at_scale(app: Any, responses: int, rounds: int) -> dict[str, Any]:
    """The press release of a meeting whose survey has `responses` answers: what the release
    takes from the survey must not grow with it."""
    from survey_results import build

    slug = "bench-big-release"
    started = time.perf_counter()
    build(app, responses, slug)
    seconds = time.perf_counter() - started
    print(f"built a meeting with {responses:,} survey responses in {seconds:.1f} s")
    figures = bench_press_release(app, slug, rounds)
    return {"responses": responses, **figures}


def _insert_participants(app: Any, participants: int) -> None:
    from sqlalchemy import insert

    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, Participant

    with app.app_context():
        meeting = Meeting(
            organisation=Organisation(name="Bench Network"),
            slug="bench-sign-in",
            title="Sign-in sheet benchmark",
            starts_at=datetime(2024, 5, 2, 9, tzinfo=UTC),
            timezone="Asia/Phnom_Penh",
            languages=["en"],
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.execute(
            insert(Participant),
            [
                {
                    "meeting_id": meeting.id,
                    "name": f"Participant {n:05d} Sok",
                    "email": f"p{n}@example.org",
                    "email_normalized": f"p{n}@example.org",
                    "organisation": f"Organisation number {n % 97}",
                    "status": "registered",
                }
                for n in range(participants)
            ],
        )
        db.session.commit()


def _sign_in_child(folder: str, trace: bool, queue: Any) -> None:
    """Runs in a fresh process: only the sign-in sheet counts towards its peak memory."""
    from pypdf import PdfReader

    from meetapp.extensions import db
    from meetapp.reports.documents import sign_in_sheet_pdf

    app = _app(folder)
    with app.test_request_context():
        meeting = _meeting("bench-sign-in")
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        pdf = sign_in_sheet_pdf(meeting)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        db.session.remove()
    queue.put(
        {
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "seconds": seconds,
            "peak_python_mb": round(peak / 2**20, 1) if peak is not None else None,
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )


def bench_sign_in_sheet(app: Any, folder: str, participants: int, trace: bool) -> dict[str, Any]:
    import multiprocessing

    _insert_participants(app, participants)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_sign_in_child, args=(folder, trace, queue))
    child.start()
    result = queue.get()
    child.join()
    return {
        "participants": participants,
        "pages": result["pages"],
        "seconds": round(result["seconds"], 2),
        "pages_per_second": round(result["pages"] / result["seconds"], 1),
        "tracemalloc": trace,
        "peak_python_mb": result["peak_python_mb"],
        "max_rss_mb": result["max_rss_mb"],
        "goal_met": result["max_rss_mb"] < MEMORY_GOAL_MB,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--responses",
        type=int,
        default=100_000,
        help="survey responses of the large meeting whose release is timed too",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meetapp-bench-") as folder:
        app = _app(folder)
        slug = _load_demo(app)
        press = bench_press_release(app, slug, args.rounds)
        large = bench_press_release_at_scale(app, args.responses, max(3, args.rounds // 3))
        sheet = bench_sign_in_sheet(app, folder, args.participants, args.tracemalloc)
    print(f"press-release PDF of the demo meeting, {press['rounds']} rounds (median):")
    print(f"  meetapp end to end   {press['app_median_s'] * 1000:8.1f} ms")
    print(f"  WeasyPrint alone     {press['weasyprint_median_s'] * 1000:8.1f} ms")
    print(
        f"  ratio {press['ratio']:.2f} (goal <= {RATIO_GOAL}, and < {SECONDS_GOAL} s): "
        + ("met" if press["goal_met"] else "MISSED")
    )
    print(
        f"press-release PDF of a meeting with {large['responses']:,} survey responses,"
        f" {large['rounds']} rounds (median):"
    )
    print(f"  meetapp end to end   {large['app_median_s'] * 1000:8.1f} ms")
    print(f"  WeasyPrint alone     {large['weasyprint_median_s'] * 1000:8.1f} ms")
    print(
        f"  ratio {large['ratio']:.2f} (goal <= {RATIO_GOAL}, and < {SECONDS_GOAL} s): "
        + ("met" if large["goal_met"] else "MISSED")
    )
    print(f"sign-in sheet of {sheet['participants']:,} participants:")
    print(f"  {sheet['pages']} pages in {sheet['seconds']} s = {sheet['pages_per_second']} pages/s")
    print(
        f"  peak memory of the process {sheet['max_rss_mb']} MB (goal < {MEMORY_GOAL_MB} MB): "
        + ("met" if sheet["goal_met"] else "MISSED")
        + (
            f"; Python allocations {sheet['peak_python_mb']} MB (tracemalloc)"
            if sheet["tracemalloc"]
            else ""
        )
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"press_release-{stamp}.json").write_text(
        json.dumps(
            {"press_release": press, "press_release_large": large, "sign_in_sheet": sheet},
            indent=2,
        )
        + "\n"
    )
    return 0 if press["goal_met"] and large["goal_met"] and sheet["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
