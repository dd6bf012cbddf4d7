"""What the forms of every capability share: the base form, the text filter, the reference
lists (countries, languages) and their fast select widget, wall-clock date-time fields, and
showing a domain refusal beside its field.
"""

from __future__ import annotations

from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple

from flask import Flask, abort, get_template_attribute, request
from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.i18n import translations as wtforms_translations
from markupsafe import Markup
from wtforms import DateTimeLocalField, Field, PasswordField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import (
    CheckboxInput,
    EmailInput,
    Input,
    Select,
    SubmitInput,
    TextArea,
    TextInput,
)
from wtforms.widgets.core import clean_key

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


# --- controls written by the shared field macro ----------------------------------------

# The controls that templates/_macros/forms.html writes itself, by the widget that would
# otherwise render them; any other widget renders itself. WTForms builds every attribute with
# Markup.format, which made the public registration page slow.
TEMPLATE_CONTROLS: dict[type, str] = {
    TextInput: "input",
    EmailInput: "input",
    CheckboxInput: "input",
    SubmitInput: "input",
    TextArea: "textarea",
    Select: "select",
}


def control_tag(field: Field) -> str | None:
    """The control's tag, "input", "textarea" or "select", when the field macro writes it."""
    return TEMPLATE_CONTROLS.get(type(field.widget))


def control_attributes(field: Field, extra: dict[str, Any]) -> list[tuple[str, Any]]:
    """The attributes of a field's control as its WTForms widget gives them, as (name, value)
    in name order: `True` is an attribute without a value, `False` none. `extra` are the
    template's keyword arguments, over the field's `render_kw`."""
    widget = field.widget
    attributes = {clean_key(key): value for key, value in (field.render_kw or {}).items()}
    attributes.update((clean_key(key), value) for key, value in extra.items())
    attributes.setdefault("id", field.id)
    if isinstance(widget, Input):
        attributes.setdefault("type", widget.input_type)
        if isinstance(widget, CheckboxInput) and getattr(field, "checked", field.data):
            attributes.setdefault("checked", True)
        if isinstance(widget, SubmitInput):
            attributes.setdefault("value", field.label.text)
        attributes.setdefault("value", field._value())
    elif isinstance(widget, Select) and widget.multiple:
        attributes["multiple"] = True
    for flag in widget.validation_attrs:
        if flag not in attributes and flag in field.flags:
            value = getattr(field.flags, flag)
            attributes[flag] = value() if callable(value) else value
    attributes["name"] = field.name
    return sorted((name, value) for name, value in attributes.items() if value is not False)


# --- reference lists ----------------------------------------------------------------------


class ReferenceChoices(tuple[SelectChoice, ...]):
    """A long, fixed list of choices (countries, languages), built once per language and kept:
    data only, rendered by the template on every page. `pairs` are its (value, label): the
    field macro loops over them rather than over the field's `iter_choices()`, which makes an
    object per option on every page, for a select whose values are text (`coerce=str`)."""

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((str(choice.value), str(choice.label)) for choice in self)

    @cached_property
    def grouped(self) -> bool:
        return any(choice.optgroup is not None for choice in self)


def is_reference_choices(value: Any) -> bool:
    """Jinja test `is reference_choices`: choices whose options the field macro writes from
    their `pairs` (without option groups)."""
    return isinstance(value, ReferenceChoices) and not value.grouped


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


@lru_cache(maxsize=256)
def _other_language_choices(first: tuple[str, ...], locale: str) -> tuple[tuple[str, str], ...]:
    """ "—", then every language not in `first`, by name in `locale`: (code, name)."""
    return (
        ("", "—"),
        *((code, name) for code, name in language_choices(locale) if code not in first),
    )


class LanguageBox(NamedTuple):
    """A checkbox of the language picker: one of the meeting's languages."""

    id: str
    code: str
    name: str
    own_name: str | None
    checked: bool


class LanguageSelect(NamedTuple):
    """A select of the language picker: a language chosen beyond the checkboxes, or "" for the
    last one, to add another."""

    id: str
    value: str


class LanguagePicker:
    """Languages picked without a multiple select (which needs Ctrl-click, and is hard on a
    phone): a checkbox for each of the usual languages (`field.first`: the meeting's), then a
    plain select for each other language chosen and one more to add another. A select can be
    searched by typing the first letters of a name.

    The macro `language_picker` of templates/_macros/forms.html writes it from
    `language_picker_data`; called as a WTForms widget, it renders that macro."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        picker = get_template_attribute("_macros/forms.html", "language_picker")
        return Markup(picker(field))  # noqa: S704 - rendered by Jinja, which escapes


def language_picker_data(
    field: Any,
) -> tuple[list[LanguageBox], list[LanguageSelect], tuple[tuple[str, str], ...]]:
    """What the language picker of `field` (a LanguagesField) shows: its checkboxes, its
    selects, and the choices of every select."""
    locale = locale_code()
    names = dict(language_choices(locale))
    first = tuple(code for code in dict.fromkeys(field.first) if code in names)
    chosen = [str(item) for item in field.data or ()]
    boxes = []
    for index, code in enumerate(first):
        # Named in the page's language, and in its own when that differs: "Khmer (ខ្មែរ)".
        own = native_name(code) if shipped(code) == code else names[code]
        boxes.append(
            LanguageBox(
                f"{field.id}-{index}",
                code,
                names[code],
                own if own != names[code] else None,
                code in chosen,
            )
        )
    selects = [
        LanguageSelect(f"{field.id}-other-{index}", value)
        for index, value in enumerate([*(c for c in chosen if c not in first), ""])
    ]
    return boxes, selects, _other_language_choices(first, locale)


def register_template_helpers(app: Flask) -> None:
    """What the shared field macro needs to write controls itself."""
    app.add_template_global(control_tag, "control_tag")
    app.add_template_global(control_attributes, "control_attributes")
    app.add_template_global(language_picker_data, "language_picker_data")
    app.add_template_test(is_reference_choices, "reference_choices")


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
