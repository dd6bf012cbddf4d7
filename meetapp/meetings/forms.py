"""Forms of the meetings screens: organisations, meetings, stakeholder groups, teams."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
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

from meetapp.formatting import is_timezone, timezone_choices
from meetapp.forms import (
    AppForm,
    LanguagesField,
    WallClockField,
    country_select_choices,
    language_select_choices,
    strip_text,
)
from meetapp.i18n import LOCALES
from meetapp.validation import SingleLine, WebUrl

MAX_CAPACITY = 100_000
LONG_TEXT = 5000


class OrganisationForm(AppForm):
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[DataRequired("Enter the organisation's name."), Length(max=200), SingleLine()],
    )
    short_name = StringField(
        "Short name",
        filters=[strip_text],
        validators=[Optional(), Length(max=50), SingleLine()],
        description="An acronym or short form, e.g. MMN.",
    )
    about = TextAreaField(
        "About us",
        filters=[strip_text],
        validators=[Optional(), Length(max=LONG_TEXT)],
        description="The boilerplate paragraph that closes every press release.",
        render_kw={"rows": 5},
    )
    website = URLField(
        "Website",
        filters=[strip_text],
        validators=[Optional(), Length(max=500), WebUrl()],
        description="https://…",
    )
    release_end = SelectField(
        "Press releases end with",
        choices=[SelectChoice("", "ENDS"), SelectChoice("###", "###")],
        default="",
        validators=[Optional(), AnyOf(["", "ENDS", "###"])],
    )
    privacy_url = URLField(
        "Privacy notice",
        filters=[strip_text],
        validators=[Optional(), Length(max=500), WebUrl()],
        description="The address of the page that says how participants' data is used: the "
        "registration form's consent box links to it.",
    )
    submit = SubmitField("Save")


def timezone_select_choices() -> list[SelectChoice]:
    """UTC, then every zone by its city, grouped by region ("Asia: Phnom Penh")."""
    return [
        SelectChoice("UTC", "UTC"),
        *(
            SelectChoice(zone, city, optgroup=region)
            for region, zones in timezone_choices()
            for zone, city in zones
        ),
    ]


class MeetingForm(AppForm):
    """Every field of a meeting. Date-times are wall-clock times in the chosen time zone."""

    title = StringField(
        "Title",
        filters=[strip_text],
        validators=[DataRequired("Enter a title."), Length(max=300), SingleLine()],
    )
    slug = StringField(
        "Address",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the meeting's address."),
            Length(max=80),
            SingleLine(),
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
        filters=[strip_text],
        validators=[Optional(), Length(max=100), SingleLine()],
        description="e.g. multi-stakeholder meeting, consultation, workshop.",
    )
    topic = StringField(
        "Topic",
        filters=[strip_text],
        validators=[Optional(), Length(max=300), SingleLine()],
        description="Completes the phrase “a meeting on …”.",
    )
    timezone = SelectField(
        "Time zone",
        choices=timezone_select_choices(),
        default="UTC",
        validate_choice=False,
        description="The dates and times below are in this time zone.",
    )
    starts_at = WallClockField(
        "Starts", validators=[DataRequired("Enter when the meeting starts.")]
    )
    ends_at = WallClockField("Ends", validators=[Optional()])
    venue = StringField(
        "Venue", filters=[strip_text], validators=[Optional(), Length(max=300), SingleLine()]
    )
    online = BooleanField("Held online", description="With a venue too: both in person and online.")
    partners = TextAreaField(
        "Partners",
        filters=[strip_text],
        validators=[Optional(), Length(max=5000)],
        description="One a line: “Co-organiser: Legal Support for Children and Women (LSCW)”, "
        "“Host: …” or “Funder: …”. The press release names them in its lead.",
        render_kw={"rows": 3},
    )
    city = StringField(
        "City", filters=[strip_text], validators=[Optional(), Length(max=100), SingleLine()]
    )
    country = SelectField(
        "Country",
        choices=country_select_choices(),
        default="",
        validators=[Optional()],
    )
    languages = LanguagesField(
        "Languages",
        choices=language_select_choices(),
        validators=[Optional()],
        first=LOCALES,
        description="The first is the language participants see when their browser asks for "
        "none of the site's.",
    )
    background = TextAreaField(
        "Background",
        filters=[strip_text],
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
    registration_opens_at = WallClockField("Registration opens", validators=[Optional()])
    registration_closes_at = WallClockField("Registration closes", validators=[Optional()])
    submit = SubmitField("Save")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.timezone.data
        choices = list(self.timezone.choices or [])
        if current and is_timezone(current) and all(c.value != current for c in choices):
            # A zone by an older or technical name (from an import): kept as it is.
            self.timezone.choices = [*choices, SelectChoice(current, current)]

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


class GroupForm(AppForm):
    label = StringField(
        "New group",
        filters=[strip_text],
        validators=[DataRequired("Enter the group's name."), Length(max=200), SingleLine()],
    )
    submit = SubmitField("Add group")


class RenameGroupForm(AppForm):
    label = StringField(
        "Name",
        filters=[strip_text],
        validators=[DataRequired("Enter the group's name."), Length(max=200), SingleLine()],
    )


class MoveGroupForm(AppForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])


class TeamMemberForm(AppForm):
    email = EmailField(
        "Organiser's e-mail",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the organiser's e-mail address."),
            Length(max=254),
            SingleLine(),
        ],
    )
    submit = SubmitField("Add to team")


class NotifyForm(AppForm):
    notify = RadioField(
        "E-mail me",
        choices=[
            SelectChoice("off", "Never"),
            SelectChoice("each", "At each registration or cancellation"),
            SelectChoice("daily", "A daily digest, when something changed"),
        ],
        default="off",
        validators=[AnyOf(["off", "each", "daily"], message="Choose one of the options.")],
    )
    save = SubmitField("Save")
