"""Forms of the meetings screens: organisations, meetings, stakeholder groups, teams."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from meetapp.formatting import country_choices, language_choices
from meetapp.meetings.services import is_timezone, timezone_names

MAX_CAPACITY = 100_000
LONG_TEXT = 5000
# Browsers send datetime-local values as "YYYY-MM-DDTHH:MM"; the first format is also the one
# used to fill the field.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def http_url(form: FlaskForm, field: Field) -> None:
    """An absolute http or https address (no javascript:, data: or relative links)."""
    value = field.data or ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise ValidationError("Enter a web address starting with http:// or https://.")


def plausible_year(form: FlaskForm, field: Field) -> None:
    """Keeps time-zone arithmetic away from the ends of the calendar (year 1 or 9999)."""
    if field.data is not None and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")


class TextForm(FlaskForm):
    """A form whose text fields refuse NUL and other control characters (tabs and newlines
    excepted), which some databases cannot store."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and _has_control_characters(field.data):
                field.errors = [*field.errors, "Remove the invisible control characters."]
                valid = False
        return valid


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\r\n" for c in text)


class OrganisationForm(TextForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired("Enter the organisation's name."), Length(max=200)],
    )
    short_name = StringField(
        "Short name",
        filters=[strip],
        validators=[Optional(), Length(max=50)],
        description="An acronym or short form, e.g. MMN.",
    )
    about = TextAreaField(
        "About us",
        filters=[strip],
        validators=[Optional(), Length(max=LONG_TEXT)],
        description="The boilerplate paragraph that closes every press release.",
        render_kw={"rows": 5},
    )
    website = URLField(
        "Website",
        filters=[strip],
        validators=[Optional(), Length(max=500), http_url],
        description="https://…",
    )
    submit = SubmitField("Save")


class MeetingForm(TextForm):
    """Every field of a meeting. Date-times are wall-clock times in the chosen time zone."""

    title = StringField(
        "Title", filters=[strip], validators=[DataRequired("Enter a title."), Length(max=300)]
    )
    slug = StringField(
        "Address",
        filters=[strip],
        validators=[
            DataRequired("Enter the meeting's address."),
            Length(max=80),
            Regexp(
                r"^[a-z0-9-]+\Z", message="Use only lower-case letters a-z, digits and hyphens."
            ),
        ],
        description="Lower-case letters, digits and hyphens, e.g. mmn-2019-phnom-penh. "
        "It appears in the public registration link.",
    )
    organisation = SelectField("Organisation", coerce=int, choices=[])
    kind = StringField(
        "Kind",
        filters=[strip],
        validators=[Optional(), Length(max=100)],
        description="e.g. multi-stakeholder meeting, consultation, workshop.",
    )
    topic = StringField(
        "Topic",
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description="Completes the phrase “a meeting on …”.",
    )
    timezone = SelectField(
        "Time zone",
        choices=[SelectChoice(name) for name in timezone_names()],
        default="UTC",
        validate_choice=False,
        description="The dates and times below are in this time zone.",
    )
    starts_at = DateTimeLocalField(
        "Starts",
        format=DATETIME_FORMATS,
        validators=[DataRequired("Enter when the meeting starts."), plausible_year],
    )
    ends_at = DateTimeLocalField(
        "Ends", format=DATETIME_FORMATS, validators=[Optional(), plausible_year]
    )
    venue = StringField("Venue", filters=[strip], validators=[Optional(), Length(max=300)])
    city = StringField("City", filters=[strip], validators=[Optional(), Length(max=100)])
    country = SelectField(
        "Country",
        choices=[SelectChoice("", "—"), *(SelectChoice(*pair) for pair in country_choices())],
        default="",
        validators=[Optional()],
    )
    languages = SelectMultipleField(
        "Languages",
        choices=[SelectChoice(*pair) for pair in language_choices()],
        validators=[Optional()],
        description="Hold Ctrl (⌘ on a Mac) to choose several.",
        render_kw={"size": 6},
    )
    background = TextAreaField(
        "Background",
        filters=[strip],
        validators=[Optional(), Length(max=LONG_TEXT)],
        description="Why the meeting was convened.",
        render_kw={"rows": 5},
    )
    capacity = IntegerField(
        "Capacity",
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_CAPACITY,
                message=f"Enter a number of seats between 0 and {MAX_CAPACITY:,}.",
            ),
        ],
        description="Seats; leave empty for no limit. When full, registrants join a waiting list.",
    )
    registration_opens_at = DateTimeLocalField(
        "Registration opens", format=DATETIME_FORMATS, validators=[Optional(), plausible_year]
    )
    registration_closes_at = DateTimeLocalField(
        "Registration closes", format=DATETIME_FORMATS, validators=[Optional(), plausible_year]
    )
    submit = SubmitField("Save")

    def validate_timezone(self, field: Field) -> None:
        if not is_timezone(field.data):
            raise ValidationError("Choose a time zone from the list, e.g. Asia/Phnom_Penh.")

    def validate_ends_at(self, field: Field) -> None:
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError("The meeting cannot end before it starts.")

    def validate_registration_closes_at(self, field: Field) -> None:
        opens = self.registration_opens_at.data
        if field.data and opens and field.data < opens:
            raise ValidationError("Registration cannot close before it opens.")


class NewMeetingForm(MeetingForm):
    groups = TextAreaField(
        "Stakeholder groups",
        validators=[Optional(), Length(max=LONG_TEXT)],
        description="One group per line, e.g. Government, Civil society, Private sector. "
        "You can add, rename and reorder groups later.",
        render_kw={"rows": 5},
    )
    submit = SubmitField("Create meeting")


class GroupForm(TextForm):
    label = StringField(
        "New group",
        filters=[strip],
        validators=[DataRequired("Enter the group's name."), Length(max=200)],
    )
    submit = SubmitField("Add group")


class RenameGroupForm(TextForm):
    label = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired("Enter the group's name."), Length(max=200)],
    )


class MoveGroupForm(TextForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])


class TeamMemberForm(TextForm):
    email = EmailField(
        "Organiser's e-mail",
        filters=[strip],
        validators=[DataRequired("Enter the organiser's e-mail address."), Length(max=254)],
    )
    submit = SubmitField("Add to team")
