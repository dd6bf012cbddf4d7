"""Forms of the press-release editor."""

from __future__ import annotations

from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from meetapp.forms import AppForm, plausible_year
from meetapp.models.outcomes import OVERRIDE_MAX_LENGTH


class SectionForm(AppForm):
    """One section's wording; each section's form has the section's name as prefix."""

    text = TextAreaField(
        "Text",
        validators=[
            DataRequired("Enter the text of the section, or reset it to the generated text."),
            Length(max=OVERRIDE_MAX_LENGTH),
        ],
        description="Paragraphs are separated by line breaks.",
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save this section")


class ReleaseDateForm(AppForm):
    release_date = DateField(
        "Release date",
        validators=[Optional(), plausible_year],
        description="Leave empty to print the date of the day the release is downloaded.",
    )
    submit = SubmitField("Save the date")
