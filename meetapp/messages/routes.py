"""Views of messages to participants: compose with a preview, send as a job, the history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.forms import show_domain_error
from meetapp.jobs import QueueUnavailable, enqueue
from meetapp.meetings.access import can_edit, meeting_view
from meetapp.messages import services
from meetapp.messages.forms import ComposeForm, compose_form
from meetapp.messages.sending import QUEUE_JOB
from meetapp.models import Meeting, MessageState, StakeholderGroup
from meetapp.outbox.services import mail_configured
from meetapp.surveys.services import list_surveys

bp = Blueprint("messages", __name__)

# How many of the chosen recipients the preview's list offers.
PREVIEW_CHOICES = 200


def _groups(meeting: Meeting) -> list[StakeholderGroup]:
    return list(
        db.session.scalars(
            select(StakeholderGroup)
            .where(StakeholderGroup.meeting_id == meeting.id)
            .order_by(StakeholderGroup.position, StakeholderGroup.id)
        )
    )


def _check_versions(form: ComposeForm) -> bool:
    """Show the versions' problems beside their fields; True when there is none."""
    problems = services.check_versions(
        form.versions(), form.chosen_survey(), form.filters().statuses
    )
    for index, fields in problems.items():
        for name, messages in fields.items():
            field = form[f"{name}_{index}"]
            field.errors = [*field.errors, *messages]
    return not problems


def _render(meeting: Meeting, form: ComposeForm, status: int = 200, **context: Any) -> Any:
    # Send goes only to as many people as the page showed (see `compose`).
    count = context.get("count")
    form.expected.data = "" if count is None else str(count)
    return (
        render_template(
            "messages/compose.html",
            meeting=meeting,
            form=form,
            placeholders=services.PLACEHOLDERS,
            mail_on=mail_configured(),
            **context,
        ),
        status,
    )


@bp.route("/meetings/<slug>/messages/new", methods=["GET", "POST"])
@meeting_view(write=True)
def compose(meeting: Meeting) -> ResponseReturnValue:
    """The compose page. "Preview" shows how many people the filters choose and what one of
    them will read; "Send" records the message and has a job queue its e-mails, once the
    number of people the page showed is still the number the filters choose (filters changed
    since, or people who registered meanwhile, show the new number first)."""
    form = compose_form(meeting, _groups(meeting), list_surveys(meeting))
    if request.method == "GET":
        filters = form.filters()
        return _render(meeting, form, count=services.count_recipients(meeting, filters))
    valid = form.validate_on_submit()
    valid = _check_versions(form) and valid
    if not valid:
        return _render(meeting, form, 422)
    filters = form.filters()
    count = services.count_recipients(meeting, filters)
    if form.send.data:
        if not mail_configured():
            form.send.errors = ["E-mail is not configured on this server: nothing can be sent."]
            return _render(meeting, form, 422, count=count)
        if form.expected.data != str(count):
            form.send.errors = [
                f"These filters now choose {count:,} "
                f"{'person' if count == 1 else 'people'}: check the preview, then send."
            ]
            return _preview(meeting, form, filters, count, 422)
        try:
            message = services.record_message(
                meeting, current_user, filters, form.versions(), bool(form.attach_ics.data)
            )
        except services.SentAlready as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("messages.history", slug=meeting.slug))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error, "statuses")
            return _render(meeting, form, 422, count=0)
        message_id, total = message.id, message.total
        db.session.commit()
        try:
            enqueue(QUEUE_JOB, message_id, job_id=f"organiser-message-{message_id}")
        except QueueUnavailable:
            flash(
                "The message is recorded, but the job queue cannot be reached: an "
                "administrator can run it from the Jobs page once the queue is back.",
                "danger",
            )
            return redirect(url_for("messages.history", slug=meeting.slug))
        people = "person" if total == 1 else "people"
        flash(f"The message to {total:,} {people} is being queued: follow it below.", "success")
        return redirect(url_for("messages.history", slug=meeting.slug))
    return _preview(meeting, form, filters, count)


def _preview(
    meeting: Meeting,
    form: ComposeForm,
    filters: services.RecipientFilter,
    count: int,
    status: int = 200,
) -> Any:
    """The page with the count and the message as one recipient will read it."""
    choices = services.recipients(meeting, filters, PREVIEW_CHOICES)
    chosen = None
    if form.preview_for.data:
        chosen = services.recipient(meeting, filters, form.preview_for.data)
    if chosen is None and choices:
        chosen = choices[0]
    form.preview_for.choices = [(str(p.id), f"{p.name} <{p.email}>") for p in choices]
    if chosen is not None and chosen not in choices:
        form.preview_for.choices.insert(0, (str(chosen.id), f"{chosen.name} <{chosen.email}>"))
    if chosen is not None:
        form.preview_for.data = chosen.id
    filled = services.preview(meeting, form.versions(), chosen) if chosen else None
    return _render(meeting, form, status, count=count, filled=filled, chosen=chosen)


@bp.route("/meetings/<slug>/messages")
@meeting_view
def history(meeting: Meeting) -> ResponseReturnValue:
    """Every message of the meeting with its delivery figures; the page reloads itself while
    a message is still being queued."""
    rows = services.history(meeting)
    queuing = any(row.message.state == MessageState.QUEUING for row in rows)
    return render_template(
        "messages/history.html",
        meeting=meeting,
        rows=rows,
        queuing=queuing,
        may_compose=can_edit(current_user, meeting),
    )
