"""Time of the survey results view with 10,000 responses, against its bare aggregate queries.

Builds a meeting with a 10-question survey (two likert, a grid of five sessions on the agreement
scale, two rating, one of them asked only of those who agreed the meeting was useful, one NPS,
single and multiple choice, yes/no and free text) answered by 10,000 participants, then times,
in the same run and on the same database:

- `bare`: the two GROUP BY statements over the answers that every results page needs (counts
  per question, stakeholder group and value; respondents of multiple-choice and text
  questions), executed directly after loading the survey;
- `service`: `survey_results()`, every figure the page shows (counts, means, NPS, breakdown by
  stakeholder group, free-text excerpts, who has not answered);
- `view`: GET /meetings/<slug>/surveys/<key>/results through the app, logged in as an
  organiser (permission checks, the queries, the SVG charts and the template).

The three take turns within each round (bench/rounds.py), so that each is timed in the same
minutes as the others.

    .venv/bin/python bench/survey_results.py [--responses 10000] [--rounds 15] [--goal 200]
        [--ratio-goal 2]

Two goals: the view's median under --goal ms (set for 10,000 responses), and the view within
--ratio-goal times the bare queries of the same run (set for 100,000, where the bare queries
themselves take most of a second). The exit status follows the first, as run-all reads it;
both are printed and saved.

The database is a SQLite file in a temporary folder, or the PostgreSQL database named by
MEETAPP_DATABASE_URL (the benchmark's tables are created if missing and its meeting is deleted
afterwards). Prints the median and p90 of each in milliseconds and saves them as JSON in
bench/results/. Exit status: 0 the view's median is under the goal, 1 it is not, 2 the
benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from rounds import interleaved, summary_ms  # noqa: E402  (bench/ is this script's folder)

PASSWORD = secrets.token_urlsafe(16)
LIKERT = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
TOPICS = ["Recruitment fees", "Direct hiring", "Pre-departure training", "Complaints", "Return"]
GROUPS = [("government", "Government"), ("cso", "Civil society"), ("academia", "Academia")]
SESSIONS = ["Opening", "Recruitment fees", "Direct hiring", "Complaints", "Closing"]


def build(app: Any, responses: int, slug: str) -> tuple[str, str]:
    """The meeting, its organiser and survey, and `responses` answers; (user e-mail, key)."""
    from sqlalchemy import insert, select

    from meetapp.extensions import db
    from meetapp.models import (
        Meeting,
        Organisation,
        Participant,
        StakeholderGroup,
        SurveyAnswer,
        SurveyResponse,
        User,
        meeting_organisers,
    )
    from meetapp.models.registration import add_to_seat_counts, seat_change
    from meetapp.surveys.services import (
        QuestionData,
        SurveyData,
        add_question,
        answer_rows,
        answers_from_labels,
        create_survey,
    )

    rng = random.Random(20190218)  # noqa: S311 - benchmark data, not secrets
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        meeting = Meeting(
            organisation=Organisation(name="Bench Network"),
            slug=slug,
            title="Benchmark meeting",
            starts_at=now - timedelta(days=3),
            timezone="Asia/Phnom_Penh",
        )
        for position, (key, label) in enumerate(GROUPS):
            meeting.stakeholder_groups.append(
                StakeholderGroup(key=key, label=label, position=position)
            )
        db.session.add(meeting)
        email = f"bench-{slug}@example.org"
        user = User(email=email, name="Bench Organiser", role="organiser")
        user.password_hash = ""
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        db.session.execute(
            insert(meeting_organisers).values(meeting_id=meeting.id, user_id=user.id)
        )
        group_ids = [group.id for group in meeting.stakeholder_groups]

        survey = create_survey(meeting, SurveyData(title="Post-meeting survey"))
        specs = [
            QuestionData("The meeting was useful for my work.", "likert", required=True),
            QuestionData("The speakers were well prepared.", "likert"),
            QuestionData("How useful was each session?", "grid", options=SESSIONS, scale="likert"),
            QuestionData("Overall, how would you rate the meeting?", "rating", required=True),
            # Asked only of those who found the meeting useful: a condition.
            QuestionData(
                "How would you rate the venue?",
                "rating",
                show_if={"question": "q1", "op": "at_least", "value": "agree"},
            ),
            QuestionData("How likely are you to recommend it?", "nps"),
            QuestionData("Will your organisation take part?", "single", options=["Yes", "No"]),
            QuestionData("Which topics next?", "multiple", options=TOPICS),
            QuestionData("Would you come again?", "yes_no"),
            QuestionData("Any other comments?", "text"),
        ]
        for spec in specs:
            if spec.show_if:
                spec.show_if["question"] = survey.questions[0].key
            add_question(survey, spec)
        questions = list(survey.questions)
        sessions = questions[2].option_keys()

        # A few more participants than responses: some have not answered.
        people = responses + responses // 20
        participant_rows = [
            {
                "meeting_id": meeting.id,
                "name": f"Person {n}",
                "email": f"person{n}@example.org",
                "email_normalized": f"person{n}@example.org",
                "stakeholder_group_id": group_ids[n % len(group_ids)],
                "languages": [],
                "status": "registered",
                "attended": True,
                "registered_at": now,
                "updated_at": now,
            }
            for n in range(people)
        ]
        db.session.execute(insert(Participant), participant_rows)
        add_to_seat_counts(db.session(), meeting.id, seat_change(participant_rows))
        respondents = db.session.execute(
            select(Participant.id, Participant.stakeholder_group_id)
            .where(Participant.meeting_id == meeting.id)
            .order_by(Participant.id)
            .limit(responses)
        ).all()
        db.session.execute(
            insert(SurveyResponse),
            [
                {
                    "survey_id": survey.id,
                    "participant_id": pid,
                    "stakeholder_group_id": gid,
                    "submitted_at": now,
                }
                for pid, gid in respondents
            ],
        )
        response_groups = db.session.execute(
            select(SurveyResponse.id, SurveyResponse.stakeholder_group_id)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyResponse.id)
        ).all()
        rows: list[dict[str, Any]] = []
        for response_id, group_id in response_groups:
            useful = rng.choice(LIKERT)
            answers: dict[str, Any] = {
                questions[0].key: useful,
                questions[1].key: rng.choice(LIKERT),
                questions[3].key: rng.randint(1, 5),
                questions[5].key: rng.randint(0, 10),
                questions[6].key: rng.choice(["Yes", "No"]),
                questions[7].key: rng.sample(TOPICS, rng.randint(1, 3)),
                questions[8].key: rng.choice(["yes", "no"]),
            }
            if rng.random() < 0.3:
                answers[questions[9].key] = f"Comment number {response_id}: more time, please."
            if LIKERT.index(useful) >= LIKERT.index("agree"):
                answers[questions[4].key] = rng.randint(1, 5)
            # Choices are stored by option key; the answers above name the labels.
            answers = answers_from_labels(questions, answers)
            answers[questions[2].key] = {row: rng.randint(1, 5) for row in sessions}
            rows.extend(answer_rows(questions, response_id, answers, group_id))
            if len(rows) > 20_000:
                db.session.execute(insert(SurveyAnswer), rows)
                rows = []
        if rows:
            db.session.execute(insert(SurveyAnswer), rows)
        db.session.commit()
        return email, survey.key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--goal", type=float, default=200.0, help="ms, median of the view")
    parser.add_argument(
        "--ratio-goal", type=float, default=2.0, help="view / bare queries, medians"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="meetapp-bench-"))
    url = os.environ.get("MEETAPP_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    os.environ["MEETAPP_INSTANCE_PATH"] = str(folder)
    slug = f"bench-{secrets.token_hex(4)}"
    try:
        from sqlalchemy import distinct, func, select

        from meetapp import create_app
        from meetapp.extensions import db
        from meetapp.meetings.access import get_meeting_or_404
        from meetapp.models import SurveyAnswer
        from meetapp.surveys.results import survey_results
        from meetapp.surveys.services import get_survey

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": secrets.token_hex(32),
                "WTF_CSRF_ENABLED": False,
                "LOGIN_RATE_LIMIT": "1000000 per minute",
            }
        )
        started = time.perf_counter()
        email, key = build(app, args.responses, slug)
        print(f"built {args.responses} responses in {time.perf_counter() - started:.1f}s")

        def bare() -> None:
            # The same two GROUP BY statements as the page, and nothing else.
            with app.app_context():
                meeting = get_meeting_or_404(slug)
                survey = get_survey(meeting, key)
                if survey is None:
                    raise RuntimeError("the benchmark survey is missing")
                value_ids = [q.id for q in survey.questions if q.kind != "text"]
                apart = [q.id for q in survey.questions if q.kind in ("multiple", "text", "grid")]
                db.session.execute(
                    select(
                        SurveyAnswer.question_id,
                        SurveyAnswer.stakeholder_group_id,
                        SurveyAnswer.choice,
                        SurveyAnswer.number,
                        func.count(),
                    )
                    .where(SurveyAnswer.question_id.in_(value_ids))
                    .group_by(
                        SurveyAnswer.question_id,
                        SurveyAnswer.stakeholder_group_id,
                        SurveyAnswer.choice,
                        SurveyAnswer.number,
                    )
                ).all()
                db.session.execute(
                    select(SurveyAnswer.question_id, func.count(distinct(SurveyAnswer.response_id)))
                    .where(SurveyAnswer.question_id.in_(apart))
                    .group_by(SurveyAnswer.question_id)
                ).all()
                db.session.rollback()

        def service() -> None:
            with app.app_context():
                meeting = get_meeting_or_404(slug)
                survey = get_survey(meeting, key)
                if survey is None:
                    raise RuntimeError("the benchmark survey is missing")
                survey_results(survey)
                db.session.rollback()

        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        if response.status_code != 302:
            print("could not log in to the benchmark app", file=sys.stderr)
            return 2
        page = f"/meetings/{slug}/surveys/{key}/results"
        first = client.get(page)
        if first.status_code != 200 or f"{args.responses} of {args.responses}" not in first.text:
            print(f"the results page answered {first.status_code}", file=sys.stderr)
            return 2

        def view() -> None:
            client.get(page)

        times = interleaved({"bare": bare, "service": service, "view": view}, args.rounds)
        results = {name: summary_ms(seconds) for name, seconds in times.items()}
        backend = url.split(":", 1)[0]
        print(f"\n{args.responses} responses x 10 questions, {args.rounds} rounds, {backend}\n")
        print(f"{'':10}{'median ms':>12}{'p90 ms':>10}{'min ms':>10}")
        for name, figures in results.items():
            print(
                f"{name:10}{figures['median_ms']:>12}{figures['p90_ms']:>10}{figures['min_ms']:>10}"
            )
        bare_ms = results["bare"]["median_ms"]
        view_ms = results["view"]["median_ms"]
        met = view_ms < args.goal
        ratio = view_ms / bare_ms
        ratio_met = ratio <= args.ratio_goal
        print(
            f"\nview / bare queries: {ratio:.2f}x (goal <= {args.ratio_goal:g}x):"
            f" {'met' if ratio_met else 'missed'}; service / bare queries:"
            f" {results['service']['median_ms'] / bare_ms:.2f}x\n"
            f"view median {view_ms} ms (goal < {args.goal:.0f} ms): {'met' if met else 'missed'}"
        )
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"survey_results-{stamp}.json").write_text(
            json.dumps(
                {
                    "responses": args.responses,
                    "rounds": args.rounds,
                    "database": backend,
                    "goal_ms": args.goal,
                    "met": met,
                    "ratio": round(ratio, 3),
                    "ratio_goal": args.ratio_goal,
                    "ratio_met": ratio_met,
                    **results,
                },
                indent=2,
            )
            + "\n"
        )
        return 0 if met else 1
    finally:
        if os.environ.get("MEETAPP_DATABASE_URL"):
            _delete_meeting(slug)
        shutil.rmtree(folder, ignore_errors=True)


def _delete_meeting(slug: str) -> None:
    """Remove the benchmark's meeting (and, by cascade, its survey) from a shared database."""
    from sqlalchemy import delete, select

    from meetapp import create_app
    from meetapp.extensions import db
    from meetapp.models import Meeting, Organisation, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["MEETAPP_DATABASE_URL"]})
    with app.app_context():
        organisation_id = db.session.scalar(
            select(Meeting.organisation_id).where(Meeting.slug == slug)
        )
        db.session.execute(delete(Meeting).where(Meeting.slug == slug))
        db.session.execute(delete(User).where(User.email == f"bench-{slug}@example.org"))
        if organisation_id is not None:
            db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        db.session.commit()


if __name__ == "__main__":
    sys.exit(main())
