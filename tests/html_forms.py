"""The forms of a rendered page, read with html.parser, and what a browser sends for them
unchanged: for tests that post into the fields a page really has."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs whose value is typed text (as the server sees it: a string like any other).
TEXT_INPUTS = {
    "text",
    "email",
    "url",
    "search",
    "tel",
    "number",
    "date",
    "datetime-local",
    "time",
    "password",
}


@dataclass
class Field:
    """One named control: `kind` is the input's type, or "select" or "textarea"; the options
    of a select or a radio group are (value, selected) pairs."""

    kind: str
    name: str
    value: str = ""
    checked: bool = False
    required: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_INPUTS or self.kind in ("textarea", "hidden")

    @property
    def is_choice(self) -> bool:
        return self.kind in ("select", "radio", "hidden")


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[Field] = field(default_factory=list)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def submitted(self) -> list[tuple[str, str]]:
        """What a browser sends when the form is submitted as the page shows it (with its
        first submit button): checked boxes and radios, selected options (a single select
        without a selected option sends its first), typed values."""
        pairs: list[tuple[str, str]] = []
        submit_sent = False
        for f in self.fields:
            if f.kind in ("submit", "image"):
                if not submit_sent:
                    pairs.append((f.name, f.value))
                    submit_sent = True
            elif f.kind == "checkbox":
                if f.checked:
                    pairs.append((f.name, f.value or "on"))
            elif f.kind in ("select", "radio"):
                chosen = [value for value, selected in f.options if selected]
                if not chosen and f.kind == "select" and not f.multiple and f.options:
                    chosen = [f.options[0][0]]
                pairs.extend((f.name, value) for value in chosen)
            elif f.kind not in ("file", "button", "reset"):
                pairs.append((f.name, f.value))
        return pairs


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._in_option = False
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or None)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            group = form.field(name) if kind == "radio" else None
            if kind == "radio":
                if group is None:
                    group = Field("radio", name, required="required" in a)
                    form.fields.append(group)
                group.options.append((a.get("value", "on"), "checked" in a))
            else:
                form.fields.append(
                    Field(
                        kind,
                        name,
                        value=a.get("value", ""),
                        checked="checked" in a,
                        required="required" in a,
                    )
                )
        elif tag == "button" and name:
            form.fields.append(Field("submit", name, value=a.get("value", "")))
        elif tag == "select" and name:
            self._select = Field("select", name, required="required" in a, multiple="multiple" in a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._end_option()
            self._in_option = True
            self._option_value = a.get("value") if "value" in a else None
            self._option_text = ""
            self._option_selected = "selected" in a
        elif tag == "textarea" and name:
            self._textarea = Field("textarea", name, required="required" in a)
            form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._in_option:
            self._option_text += data

    def _end_option(self) -> None:
        if self._in_option and self._select is not None:
            value = self._option_value
            self._select.options.append(
                (value if value is not None else self._option_text.strip(), self._option_selected)
            )
        self._in_option = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            value = self._textarea.value
            self._textarea.value = (
                value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            )
            self._textarea = None


def page_forms(html: str) -> list[Form]:
    """Every form of the page, in the page's order."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms
