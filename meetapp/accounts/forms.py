"""Forms of the accounts screens."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from meetapp.accounts.services import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH, normalise_email
from meetapp.errors import DomainError
from meetapp.forms import AppForm
from meetapp.validation import SingleLine

ROLE_CHOICES = [
    SelectChoice("organiser", "Organiser"),
    SelectChoice("staff", "Staff"),
    SelectChoice("admin", "Admin"),
]
PASSWORD_HELP = f"At least {MIN_PASSWORD_LENGTH} characters."
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD_LENGTH,
    max=500,
    message=f"The password must have between {MIN_PASSWORD_LENGTH} and 500 characters.",
)


class LoginForm(AppForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), SingleLine()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    remember = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class _UserFields(AppForm):
    """Checks shared by the new-user and edit-user forms."""

    def validate_email(self, field: EmailField) -> None:
        # Reported together with the other fields' errors, not only once they are fixed.
        try:
            normalise_email(field.data or "")
        except DomainError as error:
            raise ValidationError(error.message) from error


class NewUserForm(_UserFields):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), SingleLine()])
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=MAX_NAME_LENGTH), SingleLine()]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default="organiser")
    password = PasswordField(
        "Password",
        validators=[DataRequired(), PASSWORD_LENGTH],
        description=PASSWORD_HELP,
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Create user")


class EditUserForm(_UserFields):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), SingleLine()])
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=MAX_NAME_LENGTH), SingleLine()]
    )
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may log in)")
    password = PasswordField(
        "New password",
        validators=[Optional(), PASSWORD_LENGTH],
        description="Leave empty to keep the current password. " + PASSWORD_HELP,
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Save")
