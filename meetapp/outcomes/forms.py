"""Forms of the outcomes screen and the media contacts screens."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from meetapp.accounts.services import normalise_email
from meetapp.errors import DomainError
from meetapp.formatting import language_choices
from meetapp.forms import AppForm, strip_text
from meetapp.models import OutcomeKind
from meetapp.models.outcomes import ADDRESSED_TO_MAX_LENGTH, OUTCOME_MAX_LENGTH
from meetapp.outcomes.services import MAX_OUTCOMES
from meetapp.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    SingleLine,
    has_control_characters,
    is_id_text,
)

KIND_CHOICES = [
    SelectChoice(OutcomeKind.FINDING.value, "Finding"),
    SelectChoice(OutcomeKind.CONCERN.value, "Concern"),
    SelectChoice(OutcomeKind.RECOMMENDATION.value, "Recommendation"),
    SelectChoice(OutcomeKind.NEXT_STEP.value, "Next step"),
]
BLANK_ROWS = 3


def _refuse_control_characters(form: Form) -> bool:
    """Mark every text field (nested ones included) holding NUL or other control characters."""
    valid = True
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                if isinstance(entry, FormField) and not _refuse_control_characters(entry.form):
                    valid = False
        elif isinstance(field.data, str) and has_control_characters(field.data):
            field.errors = [*field.errors, CONTROL_CHARACTERS_MESSAGE]
            valid = False
    return valid


def _row_id(form: Form, field: Field) -> None:
    value = field.data or ""
    if value and not is_id_text(value):
        raise ValidationError("This row is not an outcome of this meeting.")


class OutcomeRowForm(Form):
    id = HiddenField(validators=[_row_id])
    kind = SelectField("Kind", choices=KIND_CHOICES, default=OutcomeKind.FINDING.value)
    text = TextAreaField(
        "Text",
        filters=[strip_text],
        validators=[Optional(), Length(max=OUTCOME_MAX_LENGTH)],
        render_kw={"rows": 2},
        description="A recommendation completes “Participants called for <addressed to> to …”: "
        "e.g. “play a more active role in monitoring labour conditions”. Other kinds: whole "
        "sentences.",
    )
    addressed_to = StringField(
        "Addressed to",
        filters=[strip_text],
        validators=[Optional(), Length(max=ADDRESSED_TO_MAX_LENGTH), SingleLine()],
    )
    is_news = BooleanField(
        "The news",
        description="The press release's headline and first sentence carry it (one per meeting).",
    )
    remove = BooleanField("Remove")


class OutcomesForm(FlaskForm):
    """All outcomes of a meeting on one screen, plus a few blank rows for new ones."""

    rows = FieldList(FormField(OutcomeRowForm), max_entries=MAX_OUTCOMES + BLANK_ROWS)
    move = StringField(validators=[Optional(), Regexp(r"^\d{1,4}:(up|down)\Z")])
    submit = SubmitField("Save outcomes")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return _refuse_control_characters(self) and valid

    def move_request(self) -> tuple[int, str] | None:
        if not self.move.data:
            return None
        index, direction = self.move.data.split(":")
        return int(index), direction


def _email(form: Form, field: Field) -> None:
    if field.data:
        try:
            normalise_email(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None


class ContactForm(AppForm):
    honorific = StringField(
        "Honorific",
        filters=[strip_text],
        validators=[Optional(), Length(max=50), SingleLine()],
        description="e.g. Ms, Mr, Dr.",
    )
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[DataRequired("Enter the name."), Length(max=200), SingleLine()],
    )
    role = StringField(
        "Role",
        filters=[strip_text],
        validators=[Optional(), Length(max=200), SingleLine()],
        description="e.g. Regional Coordinator.",
    )
    organisation = StringField(
        "Organisation", filters=[strip_text], validators=[Optional(), Length(max=300), SingleLine()]
    )
    email = EmailField(
        "E-mail",
        filters=[strip_text],
        validators=[Optional(), Length(max=254), SingleLine(), _email],
    )
    phone = StringField(
        "Phone",
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=50),
            SingleLine(),
            Regexp(
                r"^[0-9+()./ -]+\Z",
                message="Use digits, spaces and + ( ) - . / only.",
            ),
        ],
    )
    languages = SelectMultipleField(
        "Languages",
        choices=[SelectChoice(*pair) for pair in language_choices()],
        validators=[Optional()],
        description="The languages journalists may use with this contact. "
        "Hold Ctrl (⌘ on a Mac) to choose several.",
        render_kw={"size": 6},
    )
    submit = SubmitField("Save")


class MoveForm(AppForm):
    direction = StringField(validators=[DataRequired(), Regexp(r"^(up|down)\Z")])
