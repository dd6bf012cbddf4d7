"""Forms of the organiser's participant screens: filters, add/edit, check-in and CSV import."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from meetapp.formatting import country_choices, language_choices
from meetapp.models import Meeting, Status
from meetapp.participants.services import (
    MAX_IMPORT_CHARS,
    MAX_SEARCH_LENGTH,
    NEEDS_MAX_LENGTH,
    NO_GROUP,
)

STATUS_CHOICES = [
    SelectChoice("", "Any status"),
    SelectChoice(Status.REGISTERED.value, "Registered"),
    SelectChoice(Status.WAITLISTED.value, "Waiting list"),
    SelectChoice(Status.CANCELLED.value, "Cancelled"),
]
ATTENDED_CHOICES = [
    SelectChoice("", "Attended or not"),
    SelectChoice("yes", "Attended"),
    SelectChoice("no", "Not attended"),
]
SORT_CHOICES = [SelectChoice("registered", "Registration order"), SelectChoice("name", "Name")]


def _optional_int(value: Any) -> int | None:
    """'' and None mean "no group"; anything else must be a whole number."""
    if value in ("", None):
        return None
    return int(value)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ParticipantFilterForm(FlaskForm):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[_strip],
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
    )
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    group = SelectField("Stakeholder group", default="")
    attended = SelectField("Attended", choices=ATTENDED_CHOICES, default="")
    sort = SelectField("Order", choices=SORT_CHOICES, default="registered")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group.choices = [
            SelectChoice("", "Any group"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
            SelectChoice(NO_GROUP, "No group"),
        ]


class ParticipantForm(FlaskForm):
    """Every detail of a participant that an organiser may enter or change."""

    honorific = StringField("Honorific", filters=[_strip], validators=[Length(max=50)])
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", filters=[_strip], validators=[DataRequired(), Length(max=254)])
    organisation = StringField("Organisation", filters=[_strip], validators=[Length(max=300)])
    position = StringField("Position", filters=[_strip], validators=[Length(max=200)])
    stakeholder_group = SelectField("Stakeholder group", coerce=_optional_int)
    country = SelectField("Country", validators=[Length(max=2)])
    languages = SelectMultipleField(
        "Languages", description="Hold Ctrl (or Cmd) to choose more than one."
    )
    needs = TextAreaField(
        "Accessibility or dietary needs",
        filters=[_strip],
        validators=[Length(max=NEEDS_MAX_LENGTH)],
    )
    submit = SubmitField("Save")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = [
            SelectChoice("", "—"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
        ]
        self.country.choices = [
            SelectChoice("", "—"),
            *[SelectChoice(code, name) for code, name in country_choices()],
        ]
        self.languages.choices = [SelectChoice(code, name) for code, name in language_choices()]


class ActionForm(FlaskForm):
    """A button that changes something (cancel, promote): only the CSRF token, and where to go
    back to."""

    next = HiddenField(validators=[Length(max=2000)])


class CheckinForm(FlaskForm):
    attended = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])
    q = HiddenField(validators=[Length(max=MAX_SEARCH_LENGTH)])


class ImportUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        description="UTF-8 CSV with a header row: name and email are required; "
        "the other columns of the export are optional.",
    )
    submit = SubmitField("Check the file")


class ImportConfirmForm(FlaskForm):
    csv_text = HiddenField(validators=[DataRequired(), Length(max=MAX_IMPORT_CHARS)])
    submit = SubmitField("Import these participants")
