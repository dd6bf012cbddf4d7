"""Forms of the public registration pages: register, and update through the personal link."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import Select, html_params

from meetapp.formatting import country_choices, language_choices
from meetapp.models import Meeting
from meetapp.registration.services import RegistrationData

NEEDS_MAX = 2000
COUNTRY_CHOICES = (("", "—"), *country_choices())
LANGUAGE_CHOICES = tuple(language_choices())


@lru_cache(maxsize=8)
def _rendered_options(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """(value, option, option when selected) for each choice, escaped once per process."""
    rendered = []
    for value, label in choices:
        text, attr = escape(label), escape(value)
        rendered.append(
            (
                str(value),
                f'<option value="{attr}">{text}</option>',
                f'<option selected value="{attr}">{text}</option>',
            )
        )
    return tuple(rendered)


class ReferenceListSelect(Select):
    """A select over a long, fixed reference list (countries, languages).

    Rendering hundreds of options one by one made the registration page slow; the options
    are escaped once and only the selected ones differ between requests.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        if "required" not in kwargs and "required" in getattr(field, "flags", {}):
            kwargs["required"] = True
        data = field.data
        if isinstance(data, list | tuple):
            chosen = {str(item) for item in data}
        else:
            chosen = set() if data in (None, "") else {str(data)}
        parts = [f"<select {html_params(name=field.name, **kwargs)}>"]
        parts.extend(
            selected if value in chosen else plain
            for value, plain, selected in _rendered_options(tuple(field.choices))
        )
        parts.append("</select>")
        return Markup("".join(parts))  # noqa: S704 - every part is escaped above


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _optional_int(value: Any) -> int | None:
    """'' means no choice; something that is no whole number matches no choice (id -1)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class RegistrationDetailsForm(FlaskForm):
    """Everything a person tells about themselves; the choices depend on the meeting."""

    name = StringField(
        "Name", validators=[DataRequired("Enter your name."), Length(max=200)], filters=[_strip]
    )
    honorific = StringField(
        "Honorific",
        validators=[Optional(), Length(max=50)],
        filters=[_strip],
        description="For example Ms, Mr, Dr, H.E.",
    )
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(max=254),
            Email("Enter a valid e-mail address."),
        ],
        filters=[_strip],
    )
    organisation = StringField(
        "Organisation", validators=[Optional(), Length(max=300)], filters=[_strip]
    )
    position = StringField("Position", validators=[Optional(), Length(max=200)], filters=[_strip])
    stakeholder_group = SelectField(
        "Stakeholder group", coerce=_optional_int, validate_choice=True, choices=[]
    )
    country = SelectField(
        "Country", validators=[Optional()], choices=[], widget=ReferenceListSelect()
    )
    languages = SelectMultipleField(
        "Languages",
        choices=[],
        widget=ReferenceListSelect(multiple=True),
        description="The languages you can follow the meeting in (hold Ctrl or ⌘ to pick more).",
    )
    needs = TextAreaField(
        "Accessibility or dietary needs",
        validators=[Optional(), Length(max=NEEDS_MAX)],
        filters=[_strip],
        render_kw={"rows": 3},
    )

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = [("", "—")] + [
            (group.id, group.label) for group in meeting.stakeholder_groups
        ]
        self.country.choices = list(COUNTRY_CHOICES)
        self.languages.choices = list(LANGUAGE_CHOICES)

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
        "I agree that the organisers store and use these details to run this meeting.",
        validators=[DataRequired("Please agree to the processing of your data.")],
    )
    submit = SubmitField("Register")


class UpdateRegistrationForm(RegistrationDetailsForm):
    submit = SubmitField("Save changes")
