"""Forms of the public registration pages: register, and update through the personal link.
The organiser's add/edit form (participants) shares their fields."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from meetapp.forms import (
    AppForm,
    LanguagesField,
    country_select_choices,
    language_select_choices,
    optional_id,
    strip_text,
)
from meetapp.i18n import in_language
from meetapp.models import Meeting
from meetapp.registration.services import NEEDS_MAX_LENGTH, RegistrationData
from meetapp.validation import SingleLine, is_web_url


def group_choices(meeting: Meeting) -> list[SelectChoice]:
    """The meeting's stakeholder groups in their order, after a "—" for none."""
    return [
        SelectChoice("", "—"),
        *(
            SelectChoice(str(group.id), in_language(group, "label"))
            for group in meeting.stakeholder_groups
        ),
    ]


def email_field() -> EmailField:
    """The participant's e-mail address, as the registration and "send me my link again"
    forms ask for it."""
    return EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            SingleLine(),
            Email(_l("Enter a valid e-mail address.")),
        ],
        filters=[strip_text],
    )


class RegistrationDetailsForm(AppForm):
    """Everything a person tells about themselves; the choices depend on the meeting."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200), SingleLine()],
        filters=[strip_text],
    )
    honorific = StringField(
        _l("Honorific"),
        validators=[Optional(), Length(max=50), SingleLine()],
        filters=[strip_text],
        description=_l("For example Ms, Mr, Dr, H.E."),
    )
    email = email_field()
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=300), SingleLine()],
        filters=[strip_text],
    )
    position = StringField(
        _l("Position"), validators=[Optional(), Length(max=200), SingleLine()], filters=[strip_text]
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"), coerce=optional_id, validate_choice=True, choices=[]
    )
    country = SelectField(_l("Country"), validators=[Optional()], choices=[])
    languages = LanguagesField(
        _l("Languages"),
        choices=[],
        description=_l("The languages you can follow the meeting in."),
    )
    needs = TextAreaField(
        _l("Accessibility or dietary needs"),
        validators=[Optional(), Length(max=NEEDS_MAX_LENGTH)],
        filters=[strip_text],
        render_kw={"rows": 3},
    )

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = group_choices(meeting)
        self.country.choices = country_select_choices()
        # The meeting's own languages come first: most registrants pick among them.
        self.languages.choices = language_select_choices(tuple(meeting.languages or ()))
        self.languages.first = tuple(meeting.languages or ())

    def registration_data(self, consent: bool = False) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            email=self.email.data or "",
            honorific=self.honorific.data or None,
            organisation=self.organisation.data or None,
            position=self.position.data or None,
            stakeholder_group_id=self.stakeholder_group.data,
            country=self.country.data or None,
            languages=list(self.languages.data or []),
            needs=self.needs.data or None,
            consent=consent,
        )


class RegisterForm(RegistrationDetailsForm):
    consent = BooleanField(
        _l("I agree that the organisers store and use these details to run this meeting."),
        validators=[DataRequired(_l("Please agree to the processing of your data."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(meeting, *args, **kwargs)
        privacy_url = meeting.organisation.privacy_url
        if privacy_url and is_web_url(privacy_url):
            self.consent.description = Markup(
                '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>'
            ).format(privacy_url, gettext("Read the organisers' privacy notice"))


class ResendLinkForm(AppForm):
    """ "Send me my link again": the address the person registered with."""

    email = email_field()
    submit = SubmitField(_l("Send me my link"))


class UpdateRegistrationForm(RegistrationDetailsForm):
    submit = SubmitField(_l("Save changes"))
