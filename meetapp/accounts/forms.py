"""Forms of the accounts screens."""

from __future__ import annotations

from typing import Any

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

from meetapp.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem
from meetapp.accounts.services import MAX_NAME_LENGTH, normalise_email
from meetapp.errors import DomainError
from meetapp.forms import AppForm
from meetapp.models import User
from meetapp.validation import SingleLine

ROLE_CHOICES = [
    SelectChoice("organiser", "Organiser"),
    SelectChoice("staff", "Staff"),
    SelectChoice("admin", "Admin"),
]
PASSWORD_HELP = (
    f"At least {MIN_PASSWORD_LENGTH} characters and hard to guess: a few uncommon words do well."
)
PASSWORD_LENGTH = Length(
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
    message=(
        f"The password must have between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH}"
        " characters."
    ),
)


class LoginForm(AppForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), SingleLine()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])
    remember = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


def check_new_password(field: PasswordField, email: str, name: str) -> None:
    """A new password that is too easy to guess for the account with this e-mail address and
    name is refused beside its field, with the reason, together with the other fields'
    errors (the service checks it again). A password already refused for its length is not
    judged too."""
    if field.data and not field.errors:
        problem = password_problem(field.data, email, name)
        if problem is not None:
            raise ValidationError(problem)


class _UserFields(AppForm):
    """Checks shared by the new-user and edit-user forms."""

    def validate_email(self, field: EmailField) -> None:
        # Reported together with the other fields' errors, not only once they are fixed.
        try:
            normalise_email(field.data or "")
        except DomainError as error:
            raise ValidationError(error.message) from error

    def validate_password(self, field: PasswordField) -> None:
        check_new_password(field, self.email.data or "", self.name.data or "")


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


class ChangePasswordForm(AppForm):
    """A user changes their own password (the account page)."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    password = PasswordField(
        "New password", validators=[DataRequired(), PASSWORD_LENGTH], description=PASSWORD_HELP
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Change my password")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field: PasswordField) -> None:
        check_new_password(field, self.user.email, self.user.name)


class LogOutOtherSessionsForm(AppForm):
    """A button: every other browser logged in as the user is logged out."""

    submit = SubmitField("Log out other sessions")
