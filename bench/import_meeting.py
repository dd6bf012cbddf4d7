"""`flask import-meeting` of 1,000, 10,000 and 100,000 participants against a bare Core insert
of the same rows: time and the rise of the process's peak memory.

For each size, a meetapp/1 document is written to a file: participants of five stakeholder
groups (mixed scripts, some optional fields empty), and a survey of four questions (likert,
rating, multiple choice, text) answered by half of them. Then, in turns within each round and
each in a fresh process (so that each peak is its own):

- `import`: the command `flask --app meetapp import-meeting FILE` (read, check every field and
  rule, write, commit), run in-process through Flask's CLI runner;
- `bare`: the same file read with `json`, each item turned into its row with no check at all,
  and the same rows (meeting, participants, responses, answers) inserted with Core in batches
  of 5,000, then committed.

    .venv/bin/python bench/import_meeting.py [--sizes 1000 10000 100000] [--rounds 2] [--goal 2]

The database is a fresh SQLite file per measurement in a temporary folder, or the PostgreSQL
database named by MEETAPP_DATABASE_URL (tables created if missing; each measurement's meeting is
deleted afterwards). Prints the median time and peak-memory rise of each, and their ratio, and
saves them as JSON in bench/results/. Goal: the import of 100,000 participants within `--goal`
times the bare insert (not judged when the largest size is smaller). Exit status: 0 met or not
judged, 1 missed, 2 the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from process_memory import peak_mb, reset_peak, rss_mb  # noqa: E402

# The size the goal is judged at.
GOAL_SIZE = 100_000
GROUPS = ["government", "employers", "workers", "cso", "academia"]
NAMES = ["Sokha Chan", "ស៊ុន សុខា", "山田 花子", "Nguyễn Thị Lan", "Maria Santos", "Kenji Mao"]
LIKERT = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
TOPICS = ["Fees", "Hiring", "Training", "Complaints"]


def document(size: int, slug: str) -> dict[str, Any]:
    rng = random.Random(size)  # noqa: S311 - benchmark data, not secrets
    participants = []
    for n in range(size):
        participants.append(
            {
                "name": f"{rng.choice(NAMES)} {n}",
                "honorific": rng.choice([None, "Mr", "Ms", "Dr", "H.E."]),
                "email": f"person.{n}@{rng.choice(['example.org', 'ministry.gov.kh'])}",
                "organisation": rng.choice([None, f"Organisation {n % 300}"]),
                "position": rng.choice([None, "Director", "Officer"]),
                "stakeholder_group": rng.choice(GROUPS),
                "country": rng.choice([None, "KH", "JP"]),
                "languages": rng.sample(["en", "km", "ja"], rng.randint(0, 2)),
                "status": "registered",
                "attended": rng.random() < 0.8,
                "registered_at": f"2019-01-{1 + n % 28:02d}T09:{n % 60:02d}:00+07:00",
            }
        )
    responses = [
        {
            "participant": participants[n]["email"],
            "submitted_at": "2019-02-20T12:00:00+07:00",
            "answers": {
                "useful": rng.choice(LIKERT),
                "rating": rng.randint(1, 5),
                "topics": rng.sample(TOPICS, rng.randint(1, 3)),
                **({"comments": f"Comment {n}"} if n % 3 == 0 else {}),
            },
        }
        for n in range(0, size, 2)
    ]
    return {
        "format": "meetapp/1",
        "organisation": {"name": "Bench Network"},
        "meeting": {
            "slug": slug,
            "title": "Import benchmark",
            "starts_at": "2019-02-18T09:00:00+07:00",
            "timezone": "Asia/Phnom_Penh",
            "stakeholder_groups": [{"key": key, "label": key.title()} for key in GROUPS],
        },
        "participants": participants,
        "surveys": [
            {
                "key": "feedback",
                "title": "Feedback",
                "questions": [
                    {"key": "useful", "text": "Useful?", "kind": "likert"},
                    {"key": "rating", "text": "Rate it", "kind": "rating"},
                    {"key": "topics", "text": "Topics", "kind": "multiple", "options": TOPICS},
                    {"key": "comments", "text": "Comments", "kind": "text"},
                ],
                "responses": responses,
            }
        ],
    }


# --- one measurement, in a process of its own --------------------------------------------


def _app() -> Any:
    from meetapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": os.environ["MEETAPP_DATABASE_URL"]})


def measure(kind: str, path: Path) -> dict[str, float]:
    """Run one import (`kind` import or bare) of the file at `path`; its time and the rise of
    this process's peak memory above what it held once ready."""
    app = _app()
    with app.app_context():
        from meetapp.extensions import db

        db.create_all()
        db.session.commit()
        runner = app.test_cli_runner()
        reset_peak()
        before = rss_mb()
        started = time.perf_counter()
        if kind == "import":
            result = runner.invoke(args=["import-meeting", str(path)])
            if result.exit_code != 0:
                raise SystemExit(f"import-meeting failed: {result.output[-2000:]}")
        else:
            bare_insert(path)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rise_mb": peak_mb() - before}


def bare_insert(path: Path) -> None:
    """The rows of the document, made without a check and inserted with Core."""
    from sqlalchemy import insert

    from meetapp.database import utcnow
    from meetapp.extensions import db
    from meetapp.interchange.checks import keyed_options
    from meetapp.models import (
        Meeting,
        Organisation,
        Participant,
        StakeholderGroup,
        Survey,
        SurveyAnswer,
        SurveyQuestion,
        SurveyResponse,
    )
    from meetapp.tokens import new_token

    doc = json.loads(path.read_bytes())
    now = utcnow()
    session = db.session
    organisation = Organisation(name=doc["organisation"]["name"])
    meeting = Meeting(
        organisation=organisation,
        slug=doc["meeting"]["slug"],
        title=doc["meeting"]["title"],
        starts_at=datetime.fromisoformat(doc["meeting"]["starts_at"]),
        timezone=doc["meeting"]["timezone"],
        languages=[],
    )
    for position, group in enumerate(doc["meeting"]["stakeholder_groups"]):
        meeting.stakeholder_groups.append(
            StakeholderGroup(key=group["key"], label=group["label"], position=position)
        )
    session.add(meeting)
    session.flush()
    groups = {group.key: group.id for group in meeting.stakeholder_groups}
    people = doc["participants"]
    for start in range(0, len(people), 5000):
        session.execute(
            insert(Participant.__table__),
            [
                {
                    "meeting_id": meeting.id,
                    "name": p["name"],
                    "honorific": p["honorific"],
                    "email": p["email"],
                    "email_normalized": p["email"].lower(),
                    "organisation": p["organisation"],
                    "position": p["position"],
                    "stakeholder_group_id": groups[p["stakeholder_group"]],
                    "country": p["country"],
                    "languages": p["languages"],
                    "status": p["status"],
                    "attended": p["attended"],
                    "registered_at": datetime.fromisoformat(p["registered_at"]),
                    "updated_at": now,
                    "token_hash": new_token()[1],
                }
                for p in people[start : start + 5000]
            ],
        )
    ids = {
        email: (participant_id, group_id)
        for email, participant_id, group_id in session.execute(
            Participant.__table__.select()
            .with_only_columns(
                Participant.email_normalized, Participant.id, Participant.stakeholder_group_id
            )
            .where(Participant.meeting_id == meeting.id)
        )
    }
    survey_doc = doc["surveys"][0]
    survey = Survey(meeting_id=meeting.id, key=survey_doc["key"], title=survey_doc["title"])
    survey.questions = [
        SurveyQuestion(
            key=q["key"],
            position=i,
            kind=q["kind"],
            text=q["text"],
            options=keyed_options(q.get("options") or [], None),
        )
        for i, q in enumerate(survey_doc["questions"])
    ]
    session.add(survey)
    session.flush()
    questions = {q.key: q.id for q in survey.questions}
    # Choices are stored by option key: the label of each, per question.
    option_keys = {q.key: {label: key for key, label in q.choices()} for q in survey.questions}
    responses = survey_doc["responses"]
    for start in range(0, len(responses), 5000):
        batch = responses[start : start + 5000]
        response_ids = session.scalars(
            insert(SurveyResponse.__table__).returning(
                SurveyResponse.__table__.c.id, sort_by_parameter_order=True
            ),
            [
                {
                    "survey_id": survey.id,
                    "participant_id": ids[r["participant"].lower()][0],
                    "stakeholder_group_id": ids[r["participant"].lower()][1],
                    "submitted_at": datetime.fromisoformat(r["submitted_at"]),
                }
                for r in batch
            ],
        ).all()
        answers = []
        for response_id, response in zip(response_ids, batch, strict=True):
            group_id = ids[response["participant"].lower()][1]
            for key, value in response["answers"].items():
                for item in value if isinstance(value, list) else [value]:
                    answers.append(
                        {
                            "response_id": response_id,
                            "question_id": questions[key],
                            "stakeholder_group_id": group_id,
                            "choice": (
                                option_keys[key].get(item, item)
                                if isinstance(item, str) and key != "comments"
                                else None
                            ),
                            "number": item if isinstance(item, int) else None,
                            "text": item if key == "comments" else None,
                        }
                    )
        session.execute(insert(SurveyAnswer.__table__), answers)
    session.commit()


def delete_meeting(slug: str) -> None:
    from sqlalchemy import delete, select

    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation

    with _app().app_context():
        organisation_id = db.session.scalar(
            select(Meeting.organisation_id).where(Meeting.slug == slug)
        )
        db.session.execute(delete(Meeting).where(Meeting.slug == slug))
        if organisation_id is not None:
            db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        db.session.commit()


# --- the run ------------------------------------------------------------------------------


def run_one(kind: str, path: Path, database: str, folder: Path) -> dict[str, float]:
    """`kind` in a child process, on `database` (a copy of the empty SQLite file, when SQLite)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MEETAPP_TEST_DATABASE_URL", None)
    if database.startswith("sqlite"):
        fresh = folder / f"{kind}.db"
        fresh.unlink(missing_ok=True)
        database = f"sqlite:///{fresh}"
    env["MEETAPP_DATABASE_URL"] = database
    env["MEETAPP_INSTANCE_PATH"] = str(folder)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{child.stdout[-2000:]}\n{child.stderr[-4000:]}")
    figures: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    if not database.startswith("sqlite"):
        slug = json.loads(path.read_bytes())["meeting"]["slug"]
        subprocess.run([sys.executable, __file__, "--delete", slug], env=env, check=True, cwd=ROOT)
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--goal", type=float, default=2.0, help="import / bare at most")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--delete", metavar="SLUG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    if args.delete:
        delete_meeting(args.delete)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="meetapp-bench-import-"))
    database = os.environ.get("MEETAPP_DATABASE_URL") or "sqlite:///"
    backend = "postgresql" if database.startswith("postgres") else "sqlite"
    sizes: dict[str, Any] = {}
    try:
        for size in args.sizes:
            path = folder / f"meeting-{size}.json"
            slug = f"bench-import-{size}-{os.getpid()}"
            path.write_text(json.dumps(document(size, slug), ensure_ascii=False, indent=2))
            runs: dict[str, list[dict[str, float]]] = {"import": [], "bare": []}
            for round_number in range(args.rounds):
                order = ["bare", "import"] if round_number % 2 == 0 else ["import", "bare"]
                for kind in order:
                    runs[kind].append(run_one(kind, path, database, folder))
            medians = {
                kind: {
                    "seconds": statistics.median(r["seconds"] for r in results),
                    "peak_rise_mb": statistics.median(r["peak_rise_mb"] for r in results),
                }
                for kind, results in runs.items()
            }
            sizes[str(size)] = {
                "file_mb": path.stat().st_size / 1024 / 1024,
                **medians,
                "ratio": medians["import"]["seconds"] / medians["bare"]["seconds"],
            }
            path.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\nimport-meeting against a bare Core insert, {args.rounds} rounds, {backend}\n")
    print(
        f"{'participants':>12} {'file MB':>8} {'import s':>9} {'bare s':>7} {'ratio':>6}"
        f" {'import +MB':>11} {'bare +MB':>9}"
    )
    for size, figures in sizes.items():
        print(
            f"{int(size):>12,} {figures['file_mb']:>8.1f} {figures['import']['seconds']:>9.2f}"
            f" {figures['bare']['seconds']:>7.2f} {figures['ratio']:>6.2f}"
            f" {figures['import']['peak_rise_mb']:>11.0f} {figures['bare']['peak_rise_mb']:>9.0f}"
        )
    largest = sizes[str(max(args.sizes))]
    # The goal is set at 100,000 participants; below, start-up and fixed costs weigh more.
    judged = max(args.sizes) >= GOAL_SIZE
    met = largest["ratio"] <= args.goal if judged else None
    verdict = {True: "met", False: "MISSED", None: f"not judged below {GOAL_SIZE:,}"}[met]
    print(
        f"\nimport / bare at {max(args.sizes):,} participants: {largest['ratio']:.2f}"
        f" (goal <= {args.goal:g} at {GOAL_SIZE:,}): {verdict}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"import_meeting-{stamp}.json").write_text(
        json.dumps(
            {
                "database": backend,
                "rounds": args.rounds,
                "goal": args.goal,
                "met": met,
                "sizes": sizes,
            },
            indent=2,
        )
        + "\n"
    )
    return 1 if met is False else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
