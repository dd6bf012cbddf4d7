"""The shared field macro writes the common controls itself (templates/_macros/forms.html),
from `meetapp.forms.control_attributes`: what it writes must be what the field's WTForms
widget writes, attribute for attribute, so that a form looks and posts the same whichever
renders it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from meetapp.forms import (
    AppForm,
    LanguagesField,
    ReferenceChoices,
    control_tag,
    country_select_choices,
    language_select_choices,
)

CONTROL = re.compile(r"<input\b[^>]*>|<(textarea|select)\b.*?</\1>", re.S)


class SampleForm(AppForm):
    class Meta:
        csrf = False

    name = StringField(
        "Name", validators=[DataRequired(), Length(max=20)], render_kw={"data_role": "n"}
    )
    email = EmailField("E-mail", validators=[Optional(), Length(min=3, max=254)])
    notes = TextAreaField("Notes", validators=[Length(max=500)], render_kw={"rows": 3})
    group = SelectField(
        "Group",
        choices=[SelectChoice("", "—"), SelectChoice("1", "Youth"), SelectChoice("2", "<b>")],
    )
    grouped = SelectField(
        "Grouped",
        choices=[
            SelectChoice("a1", "One", optgroup="A"),
            SelectChoice("a2", "Two", optgroup="A"),
            SelectChoice("b1", "Three", optgroup="B & C"),
        ],
    )
    several = SelectMultipleField(
        "Several", choices=[SelectChoice("x", "X"), SelectChoice("y", "Y"), SelectChoice("z", "Z")]
    )
    country = SelectField("Country", choices=[], validators=[Optional()])
    agree = BooleanField("I agree", validators=[DataRequired()])
    submit = SubmitField("Send <now>")


def _control(page: str) -> str:
    found = CONTROL.search(page)
    assert found, page
    return found.group(0)


def _render_field(field: Any, **kwargs: Any) -> str:
    return render_template_string(
        '{% from "_macros/forms.html" import render_field %}{{ render_field(field, **kwargs) }}',
        field=field,
        kwargs=kwargs,
    )


@pytest.mark.parametrize(
    "formdata",
    [
        None,
        MultiDict(
            [
                ("name", 'Ann "A" <x>'),
                ("email", "a@b"),
                ("notes", "line\n<two>"),
                ("group", "2"),
                ("grouped", "b1"),
                ("several", "x"),
                ("several", "z"),
                ("country", "KH"),
                ("agree", "y"),
            ]
        ),
    ],
)
def test_the_macro_writes_each_control_as_its_widget_does(app: Flask, formdata: Any) -> None:
    with app.test_request_context("/"):
        form = SampleForm(formdata=formdata)
        form.country.choices = country_select_choices("en")
        if formdata is not None:
            form.validate()
        assert all(control_tag(field) for field in form)
        for field in form:
            kind = field.type
            css = "form-control"
            if kind in ("SelectField", "SelectMultipleField"):
                css = "form-select"
            elif kind == "BooleanField":
                css = "form-check-input"
            elif kind == "SubmitField":
                css = f"btn btn-primary btn-{app.config['BOOTSTRAP_BTN_SIZE']}"
            if field.errors and kind != "SubmitField":
                css += " is-invalid"
            extra = {"autocomplete": "off"} if kind == "StringField" else {}
            widget = str(field(class_=css, **extra))
            page = _render_field(field, **extra)
            assert _control(page) == widget, field.name


def test_a_selected_country_and_the_escaped_labels(app: Flask) -> None:
    with app.test_request_context("/"):
        form = SampleForm(formdata=MultiDict([("country", "KH"), ("group", "2")]))
        form.country.choices = country_select_choices("en")
        page = _render_field(form.country)
        assert '<option selected value="KH">Cambodia</option>' in page
        assert page.count(" selected") == 1
        assert '<option selected value="2">&lt;b&gt;</option>' in _render_field(form.group)


def test_reference_choices_with_option_groups_keep_their_groups(app: Flask) -> None:
    """The macro writes a reference list from its (code, name) pairs only when it has no
    option groups; one with groups goes through the field's choices, groups and all."""
    with app.test_request_context("/"):
        form = SampleForm()
        form.country.choices = language_select_choices(("km",), "en")
        assert isinstance(form.country.choices, ReferenceChoices)
        page = _render_field(form.country)
        assert '<optgroup label="Languages of this meeting"><option value="km">Khmer' in page
        assert _control(page) == str(form.country(class_="form-select"))


def test_the_language_picker_is_the_same_as_a_widget_and_in_the_macro(app: Flask) -> None:
    class PickForm(AppForm):
        class Meta:
            csrf = False

        languages = LanguagesField("Languages", choices=[])

    with app.test_request_context("/"):
        form = PickForm(formdata=MultiDict([("languages", "km"), ("languages", "fr")]))
        form.languages.choices = language_select_choices(("km", "en"), "en")
        form.languages.first = ("km", "en")
        widget = form.languages()
        assert isinstance(widget, Markup)
        assert widget in _render_field(form.languages)
        assert 'id="languages-0" name="languages" value="km" checked>' in widget
        assert '<span lang="km">' in widget
        # The language chosen beyond the checkboxes keeps its select, then one to add another.
        assert '<option selected value="fr">French</option>' in widget
        assert 'id="languages-other-1"' in widget
        # ("—" is selected in the last select.)
        assert widget.count(" selected") == 2
