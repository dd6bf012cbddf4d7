"""Forms of the survey screens: the survey's settings, a question, invitations, buttons."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from meetapp.forms import AppForm, WallClockField, optional_id, strip_text
from meetapp.models import Meeting, QuestionKind
from meetapp.models.surveys import (
    BATCH_SIZE_DEFAULT,
    BATCH_SIZE_MAX,
    BATCH_SIZE_MIN,
    GRID_SCALES,
    OPEN_CODE_MAX,
    OPTION_MAX,
    OPTIONS_MAX_COUNT,
    QUESTION_TEXT_MAX,
    SURVEY_INTRO_MAX,
    SURVEY_TITLE_MAX,
)
from meetapp.surveys.conditions import OPS
from meetapp.surveys.invitations import AUDIENCES
from meetapp.surveys.kinds import GRID_SCALE_NAMES, kind_labels
from meetapp.validation import SingleLine

OPTIONS_TEXT_MAX = (OPTION_MAX + 2) * OPTIONS_MAX_COUNT


class SurveyForm(AppForm):
    title = StringField(
        "Title",
        filters=[strip_text],
        validators=[DataRequired("Enter a title."), Length(max=SURVEY_TITLE_MAX), SingleLine()],
        default="Post-meeting survey",
    )
    intro = TextAreaField(
        "Introduction",
        filters=[strip_text],
        validators=[Optional(), Length(max=SURVEY_INTRO_MAX)],
        description="Shown above the questions, e.g. how long the survey takes.",
        render_kw={"rows": 3},
    )
    anonymous = BooleanField(
        "Anonymous",
        description="Answers are stored without any link to the person who gave them; a "
        "participant can change them only through the link they answered with. Cannot be "
        "changed once answers exist.",
    )
    batch_size = IntegerField(
        "Anonymous results in batches of",
        default=BATCH_SIZE_DEFAULT,
        validators=[
            Optional(),
            NumberRange(
                BATCH_SIZE_MIN,
                BATCH_SIZE_MAX,
                f"Choose a batch of {BATCH_SIZE_MIN} to {BATCH_SIZE_MAX} answers.",
            ),
        ],
        description="Anonymous surveys only: the results show nothing until this many people "
        "have answered, then change only when this many more have (changed answers go with "
        "them), so that no one's answers can be picked out by who answered last. Answers that "
        f"never complete a batch are not shown. At least {BATCH_SIZE_MIN}.",
        render_kw={"min": BATCH_SIZE_MIN, "max": BATCH_SIZE_MAX},
    )
    opens_at = WallClockField("Opens", validators=[Optional()], description="Empty: open now.")
    closes_at = WallClockField(
        "Closes",
        validators=[Optional()],
        description="Empty: stays open. Participants can change their answers until then.",
    )
    submit = SubmitField("Save")

    def validate_closes_at(self, field: Any) -> None:
        if field.data and self.opens_at.data and field.data < self.opens_at.data:
            raise ValidationError("The survey must close after it opens.")


class QuestionForm(AppForm):
    text = TextAreaField(
        "Question",
        filters=[strip_text],
        validators=[DataRequired("Enter the question."), Length(max=QUESTION_TEXT_MAX)],
        render_kw={"rows": 2},
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(name, label) for name, label in kind_labels().items()],
        default=QuestionKind.LIKERT.value,
    )
    required = BooleanField("An answer is required")
    quotable_in_release = BooleanField(
        "May be quoted in the press release",
        description="Its figure then appears in the draft, naming the question.",
    )
    options = TextAreaField(
        "Options",
        filters=[strip_text],
        validators=[Optional(), Length(max=OPTIONS_TEXT_MAX)],
        description="For choice questions: one option per line; for a grid: one row per line.",
        render_kw={"rows": 4},
    )
    scale = SelectField(
        "Scale",
        choices=[SelectChoice(name, label) for name, label in GRID_SCALE_NAMES.items()],
        default=GRID_SCALES[0],
        description="For a grid: the scale each row is answered on.",
    )
    # The keys of the options the textarea showed, in its order (space-separated): a line
    # edited in place rewords the option it was (`services.match_option_lines`).
    option_keys = HiddenField(validators=[Optional(), Length(max=OPTIONS_TEXT_MAX)])
    # The condition: an earlier question (its key; the route lists those that can be one),
    # the operator and the answers compared with, posted as "show_if_value-<that key>" so
    # that only the chosen question's count (`services.clean_condition` checks them).
    show_if_question = SelectField(
        "Show this question only when the answer to",
        choices=[SelectChoice("", "(always show it)")],
        validate_choice=False,
        default="",
    )
    show_if_op = SelectField(
        "Comparison", choices=[SelectChoice(op, label) for op, label in OPS.items()], default="is"
    )
    # Errors of the answers chosen are shown on this field; its values are read per question.
    show_if_value = SelectMultipleField("Answers", choices=[], validate_choice=False)
    submit = SubmitField("Save question")

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired(), AnyOf(["up", "down"])])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class InviteForm(FlaskForm):
    audience = SelectField(
        "Who", choices=[SelectChoice(key, label) for key, label in AUDIENCES.items()]
    )
    group = SelectField("Stakeholder group", coerce=optional_id, validate_choice=False)
    submit = SubmitField("Invite")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group.choices = [
            SelectChoice("", "—"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
        ]

    def validate_group(self, field: Any) -> None:
        if self.audience.data == "group" and field.data is None:
            raise ValidationError("Choose the stakeholder group to invite.")


class AnswerForm(FlaskForm):
    """The answer page's form: its fields are the survey's questions, read and checked by
    `services.check_answers`; this class brings the CSRF token."""


class PublishForm(FlaskForm):
    """What the public results page shows (`publication`): the questions are the survey's
    publishable ones, set by the view."""

    published = BooleanField(
        "Publish the results",
        description="Anyone with the address can read the page: no login is needed.",
    )
    questions = SelectMultipleField("Questions whose figures are shown", coerce=str, choices=[])
    by_group = BooleanField("Show the figures by stakeholder group")
    submit = SubmitField("Save publication")


class NewFromForm(FlaskForm):
    """A new survey copied from another one or from a built-in template; the choices
    (`"template:<name>"`, `"survey:<id>"`) are set by the view, from what the user may read."""

    # Checked by the view (a survey's id against the user's rights: 404 otherwise).
    source = SelectField(
        "Make the new survey from",
        choices=[],
        validate_choice=False,
        validators=[DataRequired("Choose what to copy.")],
    )
    submit = SubmitField("Create the copy")


class OpenLinkForm(AppForm):
    """The open link's settings (organisers)."""

    enabled = BooleanField("Take answers through the open link")
    code = StringField(
        "Code (optional)",
        filters=[strip_text],
        validators=[Optional(), Length(max=OPEN_CODE_MAX), SingleLine()],
        description=(
            "Letters and digits, asked before the questions. Say it aloud in the room: it keeps "
            "out whoever finds the address elsewhere. Leave empty for none."
        ),
    )
    counts_with_invited = BooleanField(
        "Count open answers in the results with the invited ones",
        description=(
            "Off: the results show only the answers given through personal links, and say how "
            "many came through the open link."
        ),
    )


class OpenCodeForm(AppForm):
    """The code an open link may ask for before its questions."""

    code = StringField(
        _l("Code"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the code given in the room.")),
            Length(max=100),
            SingleLine(),
        ],
    )
