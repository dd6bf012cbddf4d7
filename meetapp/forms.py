"""What the forms of every capability share: the base form, the text filter, the reference
lists (countries, languages) and their fast select widget, wall-clock date-time fields, and
showing a domain refusal beside its field.
"""

from __future__ import annotations

from functools import cache, cached_property, lru_cache
from typing import Any

from flask import abort, request
from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup, escape
from wtforms import DateTimeLocalField, Field, PasswordField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import Select, html_params

from meetapp.errors import DomainError
from meetapp.formatting import country_choices, language_choices
from meetapp.i18n import N_, locale_code, native_name, shipped
from meetapp.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    YEAR_MESSAGE,
    has_control_characters,
    is_id_text,
    plausible_date,
)

# Browsers send datetime-local values as "YYYY-MM-DDTHH:MM"; the first format is also the one
# used to fill the field.
DATETIME_LOCAL_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
ANOTHER_LANGUAGE = N_("Another language")
MEETING_LANGUAGES = N_("Languages of this meeting")
OTHER_LANGUAGES = N_("Other languages")
# WTForms' own message for a choice that is not in the list. A participant meets it when the
# organisers changed the stakeholder groups while the registration form was open; WTForms has
# no Khmer, Thai, Vietnamese, Burmese or Lao catalogue, so ours translate it.
NOT_A_VALID_CHOICE = N_("Not a valid choice.")


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to a record id; '' and None mean no choice. Anything that can
    name no record ("abc", "²", "-1", "99999999999999999999") becomes 0, which is no choice
    and no row: refused as "Not a valid choice", and never too large for the database."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    if isinstance(value, str) and is_id_text(value):
        return int(value)
    return 0


def strip_text(value: Any) -> Any:
    """Filter: white space around typed text is never meant."""
    return value.strip() if isinstance(value, str) else value


class _FormMessages:
    """WTForms' messages in the page's language: the ones our catalogues translate from there,
    the others from WTForms' own catalogue (as Flask-WTF does)."""

    def gettext(self, string: str) -> str:
        if string == NOT_A_VALID_CHOICE:
            return gettext(string)
        return str(wtforms_translations.gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(wtforms_translations.ngettext(singular, plural, n))


class AppForm(FlaskForm):
    """The base of every form: besides its own checks, no text field (hidden and select fields
    included) may carry control characters, which the database may refuse (NUL) and nobody
    means to type. Passwords are exempt: they are only hashed, never stored or searched."""

    class Meta:
        def get_translations(self, form: Any) -> _FormMessages:
            return _FormMessages()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, PasswordField | FileField):
                continue
            if _carries_control_characters(field.data) or any(
                _carries_control_characters(value) for value in field.raw_data or ()
            ):
                message = gettext(CONTROL_CHARACTERS_MESSAGE)
                if message not in field.errors:
                    field.errors = [*field.errors, message]
                valid = False
        return valid


def _carries_control_characters(data: Any) -> bool:
    if isinstance(data, str):
        return has_control_characters(data)
    if isinstance(data, list | tuple):
        return any(isinstance(item, str) and has_control_characters(item) for item in data)
    return False


def show_domain_error(
    form: FlaskForm, error: DomainError, default_field: str | None = None
) -> None:
    """Show a refusal of the domain beside the field it concerns (`error.field`, else
    `default_field`), or above the form when the form has no such field."""
    name = error.field or default_field
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, gettext(error.message)]
    else:
        form.form_errors.append(gettext(error.message))


# --- date-times ---------------------------------------------------------------------------


def plausible_year(form: FlaskForm, field: Field) -> None:
    """Validator: keeps time-zone arithmetic away from the ends of the calendar."""
    if field.data is not None and not plausible_date(field.data):
        raise ValidationError(YEAR_MESSAGE)


class WallClockField(DateTimeLocalField):
    """A date and time as read on a clock in the meeting's time zone (naive); convert it with
    `meetapp.formatting.from_local` and fill it with `to_local`. Years are kept plausible."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATETIME_LOCAL_FORMATS)
        super().__init__(label, [*(validators or []), plausible_year], **kwargs)


# --- reference lists ----------------------------------------------------------------------


class ReferenceChoices(tuple[SelectChoice, ...]):
    """A long, fixed list of choices that keeps its options rendered as HTML, escaped once."""

    @cached_property
    def rendered(self) -> tuple[tuple[str | None, str, str, str], ...]:
        """(optgroup, value, option, option when selected) for each choice."""
        rendered = []
        for choice in self:
            text, attr = escape(choice.label), escape(choice.value)
            rendered.append(
                (
                    choice.optgroup,
                    str(choice.value),
                    f'<option value="{attr}">{text}</option>',
                    f'<option selected value="{attr}">{text}</option>',
                )
            )
        return tuple(rendered)


def country_select_choices(locale: str | None = None) -> ReferenceChoices:
    """Every country named and sorted in `locale` (the page's language by default), after a
    "—" for none."""
    return _country_select_choices(locale or locale_code())


@cache
def _country_select_choices(locale: str) -> ReferenceChoices:
    return ReferenceChoices(
        (
            SelectChoice("", "—"),
            *(SelectChoice(code, name) for code, name in country_choices(locale)),
        )
    )


def language_select_choices(
    first: tuple[str, ...] = (), locale: str | None = None
) -> ReferenceChoices:
    """Every language by name in `locale` (the page's language by default); the languages in
    `first` (a meeting's) in a group of their own at the top, in their order, when there are
    any."""
    return _language_select_choices(first, locale or locale_code())


@lru_cache(maxsize=256)
def _language_select_choices(first: tuple[str, ...], locale: str) -> ReferenceChoices:
    names = dict(language_choices(locale))
    wanted = [code for code in dict.fromkeys(first) if code in names]
    if not wanted:
        return ReferenceChoices(SelectChoice(code, name) for code, name in language_choices(locale))
    with force_locale(locale):
        ours, others = gettext(MEETING_LANGUAGES), gettext(OTHER_LANGUAGES)
    return ReferenceChoices(
        (
            *(SelectChoice(code, names[code], optgroup=ours) for code in wanted),
            *(
                SelectChoice(code, name, optgroup=others)
                for code, name in language_choices(locale)
                if code not in wanted
            ),
        )
    )


class ReferenceListSelect(Select):
    """A select over a long reference list (countries, languages) given as ReferenceChoices.

    Rendering hundreds of options through WTForms one by one made the public registration page
    slow; here the options are rendered once per process, and only the selected ones differ
    between requests.
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
        choices = field.choices
        if not isinstance(choices, ReferenceChoices):
            choices = ReferenceChoices(SelectChoice.from_input(choice) for choice in choices or ())
        parts = [f"<select {html_params(name=field.name, **kwargs)}>"]
        group: str | None = None
        for optgroup, value, plain, selected in choices.rendered:
            if optgroup != group:
                if group is not None:
                    parts.append("</optgroup>")
                if optgroup is not None:
                    parts.append(f'<optgroup label="{escape(optgroup)}">')
                group = optgroup
            parts.append(selected if value in chosen else plain)
        if group is not None:
            parts.append("</optgroup>")
        parts.append("</select>")
        return Markup("".join(parts))  # noqa: S704 - every part is escaped


@lru_cache(maxsize=256)
def _other_language_choices(first: tuple[str, ...], locale: str) -> ReferenceChoices:
    """ "—", then every language not in `first`, by name in `locale`."""
    return ReferenceChoices(
        (
            SelectChoice("", "—"),
            *(
                SelectChoice(code, name)
                for code, name in language_choices(locale)
                if code not in first
            ),
        )
    )


class LanguagePicker:
    """Languages picked without a multiple select (which needs Ctrl-click, and is hard on a
    phone): a checkbox for each of the usual languages (`field.first`: the meeting's), then a
    plain select for each other language chosen and one more to add another. A select can be
    searched by typing the first letters of a name."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        locale = locale_code()
        names = dict(language_choices(locale))
        first = tuple(code for code in dict.fromkeys(field.first) if code in names)
        chosen = [str(item) for item in field.data or ()]
        parts = [f"<div {html_params(id=field.id, class_='language-picker')}>"]
        for index, code in enumerate(first):
            box_id = f"{field.id}-{index}"
            checked = " checked" if code in chosen else ""
            # Named in the page's language, and in its own when that differs: "Khmer (ខ្មែរ)".
            own = native_name(code) if shipped(code) == code else names[code]
            text = escape(names[code])
            if own != names[code]:
                text += Markup(' (<span lang="{}">{}</span>)').format(code, own)
            parts.append(
                '<div class="form-check form-check-inline">'
                f'<input class="form-check-input" type="checkbox" '
                f"{html_params(id=box_id, name=field.name, value=code)}{checked}>"
                f'<label class="form-check-label" for="{escape(box_id)}">{text}</label></div>'
            )
        others = _other_language_choices(first, locale)
        label = gettext(ANOTHER_LANGUAGE)
        for index, value in enumerate([*(c for c in chosen if c not in first), ""]):
            select_id = f"{field.id}-other-{index}"
            options = "".join(
                selected if option == value else plain
                for _group, option, plain, selected in others.rendered
            )
            parts.append(
                f'<div class="mt-2"><label class="visually-hidden" for="{escape(select_id)}">'
                f"{escape(label)}</label>"
                f"<select {html_params(id=select_id, name=field.name, class_='form-select')}>"
                f"{options}</select></div>"
            )
        parts.append("</div>")
        return Markup("".join(parts))  # noqa: S704 - every part is escaped


class LanguagesField(SelectMultipleField):
    """The languages a person or a meeting uses, picked with `LanguagePicker`; `first` are the
    languages offered as checkboxes. Empty selects send "", which means nothing; a language
    sent twice counts once."""

    widget = LanguagePicker()

    def __init__(self, *args: Any, first: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first = first

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(list(dict.fromkeys(v for v in valuelist if v != "")))


def refuse_malformed_posts() -> None:
    """Before every POST: a body no browser sends gets a 400, not a form built from it.

    A multipart part without a name gives a field named None, on which the forms would fail
    with a server error. A JSON body, which Flask-WTF would take for form data, is refused
    unread: no form of the site sends one, and decoding it could take unbounded work (an array
    nested a hundred thousand deep exhausts the stack).
    Runs after `meetapp.request_limits.limit_request_body`, which refuses an oversized body
    before this parses it.
    """
    if request.method != "POST":
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded") and any(
        not isinstance(key, str) for key in (*request.form.keys(), *request.files.keys())
    ):
        abort(400)
    if request.is_json:
        abort(400)
