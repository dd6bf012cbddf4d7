"""The form for importing a meeting file."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from meetapp.forms import AppForm


class ImportMeetingForm(AppForm):
    file = FileField(
        "Meeting file",
        validators=[FileRequired("Choose a meetapp/1 JSON file.")],
        description="A meetapp/1 JSON document, as exported by meetapp. "
        "Nothing is written unless the whole file is valid.",
        render_kw={"accept": ".json,application/json"},
    )
    submit = SubmitField("Import")
