"""Forms of the organiser's participant screens: filters, add/edit, check-in and CSV import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional

from meetapp.forms import AppForm, optional_id, strip_text
from meetapp.models import Meeting, Status
from meetapp.models.questions import RegistrationQuestion
from meetapp.participants.answers import (
    answer_filter_choices,
    meeting_questions,
    parse_answer_filter,
)
from meetapp.participants.services import (
    MAX_IMPORT_CHARS,
    MAX_SEARCH_LENGTH,
    NO_GROUP,
    ParticipantFilter,
)
from meetapp.registration.forms import RegistrationDetailsForm
from meetapp.registration.services import RegistrationData
from meetapp.validation import SingleLine

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


class ParticipantFilterForm(AppForm):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[strip_text],
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
    )
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    group = SelectField("Stakeholder group", default="")
    attended = SelectField("Attended", choices=ATTENDED_CHOICES, default="")
    answer = SelectField("Answer", default="")
    sort = SelectField("Order", choices=SORT_CHOICES, default="registered")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group.choices = [
            SelectChoice("", "Any group"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
            SelectChoice(NO_GROUP, "No group"),
        ]
        # The meeting's registration questions, archived ones too: their answers are kept.
        # Choosing among them is what checks that a question belongs to the meeting.
        self.questions = meeting_questions(meeting.id)
        self.answer.choices = answer_filter_choices(self.questions)

    def answer_question(self) -> RegistrationQuestion | None:
        """The question the list is narrowed to by its answer, if any."""
        chosen = parse_answer_filter(self.answer.data or "") if not self.answer.errors else None
        if chosen is None:
            return None
        return next((question for question in self.questions if question.id == chosen[0]), None)


# The names of the list's filters, as the query string and a prepared export carry them.
FILTER_FIELDS = ("q", "status", "group", "attended", "answer", "sort")


def read_filters(
    meeting: Meeting, values: Mapping[str, str]
) -> tuple[ParticipantFilterForm, ParticipantFilter]:
    """The filter form filled from `values` (the query string, or a prepared export's
    parameters), and the filters it says; invalid values are ignored (and shown)."""
    form = ParticipantFilterForm(meeting, formdata=MultiDict(values))
    form.validate()
    filters = ParticipantFilter()
    if not form.status.errors and form.status.data:
        filters.status = form.status.data
    if not form.group.errors and form.group.data:
        if form.group.data == NO_GROUP:
            filters.no_group = True
        else:
            filters.group_id = int(form.group.data)
    if not form.attended.errors and form.attended.data:
        filters.attended = form.attended.data == "yes"
    if not form.answer.errors and form.answer.data:
        filters.answer = parse_answer_filter(form.answer.data)
    if not form.q.errors and form.q.data:
        filters.search = form.q.data
    if not form.sort.errors and form.sort.data:
        filters.sort = form.sort.data
    return form, filters


def filter_params(values: Mapping[str, str]) -> dict[str, str]:
    """The filters given in `values` (the query string), by name, without the empty ones."""
    return {name: str(values[name]) for name in FILTER_FIELDS if values.get(name)}


class ParticipantForm(RegistrationDetailsForm):
    """An organiser adds or corrects a participant: the registrant's own fields, with plainer
    messages; the e-mail address is checked by the registration services."""

    name = StringField(
        "Name", filters=[strip_text], validators=[DataRequired(), Length(max=200), SingleLine()]
    )
    email = EmailField(
        "E-mail", filters=[strip_text], validators=[DataRequired(), Length(max=254), SingleLine()]
    )
    stakeholder_group = SelectField("Stakeholder group", coerce=optional_id)
    submit = SubmitField("Save")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(meeting, *args, **kwargs)
        self.languages.description = "The languages the participant can follow the meeting in."


class ActionForm(AppForm):
    """A button that changes something (cancel, promote): only the CSRF token, and where to go
    back to."""

    next = HiddenField(validators=[Length(max=2000)])


class CheckinForm(AppForm):
    attended = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])
    q = HiddenField(validators=[Length(max=MAX_SEARCH_LENGTH)])


class SeatForm(AppForm):
    """A seat at the desk for someone on the waiting list; `over_capacity` is the confirmation
    that seats them although the meeting is full."""

    q = HiddenField(validators=[Length(max=MAX_SEARCH_LENGTH)])
    over_capacity = HiddenField(validators=[Optional(), AnyOf(["", "1"])])


class WalkInForm(AppForm):
    """Someone who comes to the desk without a registration: added and checked in at once."""

    name = StringField(
        "Name", filters=[strip_text], validators=[DataRequired(), Length(max=200), SingleLine()]
    )
    email = EmailField(
        "E-mail",
        filters=[strip_text],
        validators=[DataRequired(), Length(max=254), SingleLine(), Email()],
        description="Every registration has one; the survey invitation goes to it.",
    )
    organisation = StringField(
        "Organisation", filters=[strip_text], validators=[Optional(), Length(max=300), SingleLine()]
    )
    stakeholder_group = SelectField("Stakeholder group", coerce=optional_id, choices=[])
    q = HiddenField(validators=[Length(max=MAX_SEARCH_LENGTH)])
    over_capacity = HiddenField(validators=[Optional(), AnyOf(["", "1"])])
    submit = SubmitField("Add and check in")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = [
            SelectChoice("", "No group"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
        ]

    def registration_data(self) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            email=self.email.data or "",
            organisation=self.organisation.data or None,
            stakeholder_group_id=self.stakeholder_group.data,
        )


class ImportUploadForm(AppForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file.")],
        description="UTF-8 CSV with a header row: name and email are required; "
        "the other columns of the export are optional.",
    )
    submit = SubmitField("Check the file")


class ImportConfirmForm(AppForm):
    csv_text = HiddenField(validators=[DataRequired(), Length(max=MAX_IMPORT_CHARS)])
    submit = SubmitField("Import these participants")
