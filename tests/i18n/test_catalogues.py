"""The shipped catalogues: complete for every text participants read, placeholders kept, and
in step with the texts of the code and templates (`make messages`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.i18n.catalogues import (
    ROOT,
    TRANSLATED,
    participant_facing,
    read_catalogue,
    read_template,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def test_the_template_lists_participant_texts() -> None:
    facing = [m for m in read_template() if m.id and participant_facing(m)]
    assert len(facing) > 150
    ids = {_ids(m.id)[0] for m in facing}
    assert "Register" in ids
    assert "Dear %(name)s," in ids


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_participant_text_is_translated(code: str) -> None:
    catalogue = read_catalogue(code)
    missing, fuzzy, placeholders = [], [], []
    for wanted in read_template():
        if not wanted.id or not participant_facing(wanted):
            continue
        message = catalogue.get(wanted.id)
        strings = () if message is None else _ids(message.string)
        if message is None or not all(text.strip() for text in strings) or not strings:
            missing.append(wanted.id)
            continue
        if message.fuzzy:
            fuzzy.append(wanted.id)
        expected = set(PLACEHOLDER.findall(" ".join(_ids(wanted.id))))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the count it is chosen by.
            if found != expected and found != expected - {"num"}:
                placeholders.append((wanted.id, text))
    assert not missing, f"{code}: untranslated {missing}"
    assert not fuzzy, f"{code}: fuzzy {fuzzy}"
    assert not placeholders, f"{code}: placeholders differ {placeholders}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_no_stray_percent_sign(code: str) -> None:
    """A translation is formatted with %: a lone % would fail on the page."""
    for message in read_catalogue(code):
        for text in _ids(message.string) if message.id else ():
            # Templates format every text they translate, placeholders or not.
            bare = PLACEHOLDER.sub("", text).replace("%%", "")
            assert "%" not in bare, (code, message.id, text)


@pytest.mark.slow
def test_the_template_is_up_to_date(tmp_path: Path) -> None:
    """Every marked text of the code and templates is in messages.pot: after changing texts,
    run `make messages` and translate what it adds."""
    out = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-wrap",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            # As `make messages`: Babel skips folders whose name starts with "_" unless told.
            "--ignore-dirs",
            ".* node_modules test-artifacts",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    from babel.messages.pofile import read_po

    with out.open("rb") as handle:
        fresh_catalog = read_po(handle)
    fresh = {m.id for m in fresh_catalog if m.id}
    shipped = {m.id for m in read_template() if m.id}
    assert fresh - shipped == set(), "run `make messages`: new texts are not in the catalogues"
    # Every template that marks a text was read (a folder left out loses its texts silently).
    read = {str(name) for m in fresh_catalog for name, _line in m.locations}
    marking = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.*")
        if re.search(r"\b_\(", path.read_text(encoding="utf-8"))
    }
    assert marking - read == set()
