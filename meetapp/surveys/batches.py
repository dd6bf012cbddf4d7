"""An anonymous survey's results in batches, so that who answered cannot be set against what.

The invitations page shows who has answered, one person at a time. If the results changed with
each answer, comparing them before and after would tell whose answers were the new ones. So
what an organiser can read of an anonymous survey's answers changes only in batches:

- A new response is stored unpublished, its answers waiting in `pending_answers`; a change to a
  published response waits there too, while the results keep its published answers.
- Once `batch_size` new responses wait, everything waiting is published at once: the answers
  go to `survey_answers` (which holds published answers only), the new responses count, and the
  days they keep become the day of publication, so that a batch's responses cannot be told
  apart by the day each came in.
- When the survey is closed, the changes to published responses are published. New responses
  fewer than a batch never are: they would be the answers of the last few to answer, whom the
  invitations page names. (An organiser can make the batches smaller, down to
  `BATCH_SIZE_MIN`, to publish a remainder that large.)

Nor does the order of the rows tie a response to an invitation's use mark (which is written in
the order people answer): the waiting responses are written again, with new ids and in a random
order, each time one joins them, and a batch's answers are written in a random order. The ids,
the physical order and the transaction that last wrote them follow no participant's turn.

Everything lives in the database and is changed under a row lock on the survey, so any process
may add an answer or publish a batch; nothing is kept in memory between requests.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, null, select, update
from sqlalchemy.orm import selectinload

from meetapp.database import begin_write, utcnow
from meetapp.extensions import db
from meetapp.models import Meeting, Survey, SurveyAnswer, SurveyResponse, SurveyState

_shuffle = secrets.SystemRandom().shuffle

_WAITING = SurveyResponse.pending_answers.is_not(None)


def lock_survey(survey: Survey) -> None:
    """Serialise the changes to a survey's batches (PostgreSQL; SQLite's write transaction is
    exclusive already)."""
    db.session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


def waiting_counts(survey: Survey) -> tuple[int, int]:
    """(new responses waiting, changes to published responses waiting), in one query."""
    new, changed = db.session.execute(
        select(
            func.coalesce(func.sum(case((SurveyResponse.published, 0), else_=1)), 0),
            func.coalesce(
                func.sum(case((and_(SurveyResponse.published, _WAITING), 1), else_=0)), 0
            ),
        ).where(SurveyResponse.survey_id == survey.id)
    ).one()
    return int(new), int(changed)


def answers_wait(survey_id: int) -> bool:
    """Whether any answers of the survey wait for publication (never in a tracked survey)."""
    return bool(
        db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id, _WAITING)))
    )


def add_waiting(
    survey: Survey,
    edit_key: str,
    answers: Mapping[str, Any],
    day: datetime,
    now: datetime,
    via_open_link: bool = False,
) -> None:
    """Store a new anonymous response, unpublished, and publish a batch if it completes one
    (`via_open_link`: given through the survey's open link).

    The waiting responses, this one among them, are deleted and written again in a random
    order. The caller holds the survey's lock (`lock_survey`).
    """
    table = SurveyResponse.__table__
    unpublished = and_(SurveyResponse.survey_id == survey.id, SurveyResponse.published.is_(False))
    rows = [
        {
            "survey_id": survey.id,
            "submitted_at": submitted_at,
            "updated_at": None,
            "edit_key": key,
            "published": False,
            "pending_answers": pending,
            "via_open_link": open_link,
        }
        for submitted_at, key, pending, open_link in db.session.execute(
            select(
                SurveyResponse.submitted_at,
                SurveyResponse.edit_key,
                SurveyResponse.pending_answers,
                SurveyResponse.via_open_link,
            ).where(unpublished)
        )
    ]
    rows.append(
        {
            "survey_id": survey.id,
            "submitted_at": day,
            "updated_at": None,
            "edit_key": edit_key,
            "published": False,
            "pending_answers": dict(answers),
            "via_open_link": via_open_link,
        }
    )
    _shuffle(rows)
    db.session.execute(delete(table).where(unpublished))
    db.session.execute(insert(table), rows)
    publish_due(survey, now)


def publish_due(survey: Survey, now: datetime | None = None) -> bool:
    """Publish what is due: everything waiting once a batch of new responses is complete;
    when the survey is closed, the changes to published responses. True if anything was.

    `survey.questions` must be loaded. Takes the survey's lock.
    """
    now = now or utcnow()
    lock_survey(survey)
    new, changed = waiting_counts(survey)
    if new >= survey.batch_size:
        _publish(survey, now, with_new=True)
        return True
    if changed and survey.state(now) == SurveyState.CLOSED:
        _publish(survey, now, with_new=False)
        return True
    return False


def _publish(survey: Survey, now: datetime, with_new: bool) -> None:
    from meetapp.surveys.services import anonymous_day, answer_rows

    query = select(
        SurveyResponse.id, SurveyResponse.published, SurveyResponse.pending_answers
    ).where(SurveyResponse.survey_id == survey.id, _WAITING)
    if not with_new:
        query = query.where(SurveyResponse.published)
    waiting = list(db.session.execute(query))
    _shuffle(waiting)
    changed = [response_id for response_id, published, _answers in waiting if published]
    new = [response_id for response_id, published, _answers in waiting if not published]
    if changed:
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(changed)))
    rows: list[dict[str, Any]] = []
    for response_id, _published, answers in waiting:
        rows.extend(answer_rows(survey.questions, response_id, answers or {}))
    if rows:
        db.session.execute(insert(SurveyAnswer), rows)
    day = anonymous_day(now)
    if new:
        db.session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.id.in_(new))
            .values(published=True, pending_answers=null(), submitted_at=day)
            .execution_options(synchronize_session=False)
        )
    if changed:
        db.session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.id.in_(changed))
            .values(pending_answers=null(), updated_at=day)
            .execution_options(synchronize_session=False)
        )


def publish_on_close(meeting: Meeting) -> None:
    """For a view about to show a meeting's survey results: publish the changes waiting in its
    anonymous surveys that have closed since (nothing else publishes them, as no one can answer
    any more), in a write transaction of its own, which this commits.

    One query when nothing is due, which is nearly always.
    """
    now = utcnow()
    changed = exists().where(
        SurveyResponse.survey_id == Survey.id, SurveyResponse.published, _WAITING
    )
    due = list(
        db.session.scalars(
            select(Survey.id).where(
                Survey.meeting_id == meeting.id,
                Survey.anonymous,
                Survey.closes_at < now,
                changed,
            )
        )
    )
    if not due:
        return
    # The request has only read so far; its writes begin as writes (IMMEDIATE on SQLite).
    db.session.rollback()
    begin_write(db.session())
    for survey in db.session.scalars(
        select(Survey).options(selectinload(Survey.questions)).where(Survey.id.in_(due))
    ):
        publish_due(survey, now)
    db.session.commit()
