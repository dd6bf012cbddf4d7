"""The organiser's page of a meeting's registration questions: write, order, remove, restore.

Organisers and admins change the questions; the rest of the meeting's team reads them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.forms import AppForm, show_domain_error, strip_text
from meetapp.locking import lock_meeting
from meetapp.meetings.access import can_edit, meeting_view
from meetapp.models import Meeting
from meetapp.models.questions import (
    CHOICE_KINDS,
    QUESTION_HELP_MAX,
    QUESTION_LABEL_MAX,
    RegistrationQuestion,
)
from meetapp.registration import questions as services
from meetapp.validation import SingleLine

bp = Blueprint("questions", __name__)


class GroupsField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(AppForm):
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(kind.value, label) for kind, label in services.KIND_LABELS.items()],
    )
    label = StringField(
        "Question",
        filters=[strip_text],
        validators=[
            DataRequired("Write the question."),
            Length(max=QUESTION_LABEL_MAX),
            SingleLine(),
        ],
    )
    help = TextAreaField(
        "Help text",
        filters=[strip_text],
        validators=[Length(max=QUESTION_HELP_MAX)],
        description="Shown under the question, for example why it is asked.",
        render_kw={"rows": 2},
    )
    options = TextAreaField(
        "Options",
        filters=[strip_text],
        description=(
            "Single and multiple choice: one option per line. To limit the places of an "
            "option, end its line with | and the number: “Field visit | 20”."
        ),
        render_kw={"rows": 5},
    )
    groups = GroupsField(
        "Ask only these stakeholder groups",
        coerce=int,
        choices=[],
        description="None ticked: everyone is asked.",
    )
    required = BooleanField("An answer is required")
    show_at_desk = BooleanField("Show the answers at the check-in desk")
    submit = SubmitField("Save the question")

    def __init__(self, meeting: Meeting, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.groups.choices = [
            SelectChoice(group.id, group.label) for group in meeting.stakeholder_groups
        ]

    def question_data(self) -> services.QuestionData:
        kind = self.kind.data or ""
        return services.QuestionData(
            kind=kind,
            label=self.label.data or "",
            help=self.help.data or None,
            required=bool(self.required.data),
            show_at_desk=bool(self.show_at_desk.data),
            options=services.parse_option_lines(self.options.data or "")
            if kind in CHOICE_KINDS
            else [],
            group_ids=list(self.groups.data or []),
        )


class MoveForm(AppForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])


def _question_or_404(meeting: Meeting, question_id: int) -> RegistrationQuestion:
    question = db.session.scalar(
        select(RegistrationQuestion)
        .options(selectinload(RegistrationQuestion.groups))
        .where(
            RegistrationQuestion.id == question_id,
            RegistrationQuestion.meeting_id == meeting.id,
        )
    )
    if question is None:
        abort(404)
    return question


@bp.get("/meetings/<slug>/questions")
@meeting_view
def index(meeting: Meeting) -> ResponseReturnValue:
    questions = services.form_questions(meeting.id, archived=True)
    counts = services.answer_counts(question.id for question in questions)
    return render_template(
        "questions/index.html",
        meeting=meeting,
        current=[question for question in questions if question.archived_at is None],
        archived=[question for question in questions if question.archived_at is not None],
        counts=counts,
        answered=services.answered_counts(question.id for question in questions),
        kinds=services.KIND_LABELS,
        may_edit=can_edit(current_user, meeting),
    )


def _save(
    meeting: Meeting, form: QuestionForm, question: RegistrationQuestion | None
) -> ResponseReturnValue | None:
    """Save the posted question; a redirect when saved, None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        data = form.question_data()
        # Under the meeting lock, as registrations count the places they take.
        lock_meeting(meeting.id)
        saved = services.save_question(meeting, data, question)
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return None
    label = saved.label
    db.session.commit()
    flash(f"The question “{label}” is saved.", "success")
    return redirect(url_for(".index", slug=meeting.slug))


@bp.route("/meetings/<slug>/questions/new", methods=["GET", "POST"])
@meeting_view
def new(meeting: Meeting) -> ResponseReturnValue:
    form = QuestionForm(meeting)
    return _save(meeting, form, None) or render_template(
        "questions/form.html", meeting=meeting, form=form, question=None
    )


@bp.route("/meetings/<slug>/questions/<int:reg_question_id>/edit", methods=["GET", "POST"])
@meeting_view
def edit(meeting: Meeting, reg_question_id: int) -> ResponseReturnValue:
    question = _question_or_404(meeting, reg_question_id)
    form = QuestionForm(
        meeting,
        data={
            "kind": question.kind,
            "label": question.label,
            "help": question.help,
            "options": services.option_lines_text(question),
            "groups": [group.id for group in question.groups],
            "required": question.required,
            "show_at_desk": question.show_at_desk,
        },
    )
    return _save(meeting, form, question) or render_template(
        "questions/form.html", meeting=meeting, form=form, question=question
    )


@bp.post("/meetings/<slug>/questions/<int:reg_question_id>/move")
@meeting_view
def move(meeting: Meeting, reg_question_id: int) -> ResponseReturnValue:
    question = _question_or_404(meeting, reg_question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_question(question, up=form.direction.data == "up")
    db.session.commit()
    return redirect(url_for(".index", slug=meeting.slug))


@bp.post("/meetings/<slug>/questions/<int:reg_question_id>/remove")
@meeting_view
def remove(meeting: Meeting, reg_question_id: int) -> ResponseReturnValue:
    question = _question_or_404(meeting, reg_question_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    label = question.label
    lock_meeting(meeting.id)
    archived = services.remove_question(question)
    db.session.commit()
    if archived:
        flash(
            f"The question “{label}” is off the form. People answered it, so it is archived: "
            "their answers stay on their pages and in the exports.",
            "success",
        )
    else:
        flash(f"The question “{label}” was removed.", "success")
    return redirect(url_for(".index", slug=meeting.slug))


@bp.post("/meetings/<slug>/questions/<int:reg_question_id>/restore")
@meeting_view
def restore(meeting: Meeting, reg_question_id: int) -> ResponseReturnValue:
    question = _question_or_404(meeting, reg_question_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.restore_question(question)
    label = question.label
    db.session.commit()
    flash(f"The question “{label}” is back on the form, at its end.", "success")
    return redirect(url_for(".index", slug=meeting.slug))
