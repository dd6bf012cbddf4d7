"""The pieces exports are built from: JSON written piece by piece reads back as the value it
was given, laid out as json.dumps(indent=2) lays it out except for the streamed arrays; a sort
spilled to disk gives what sorted() gives; a file is the same written or streamed."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetapp import exports
from meetapp.exports import Export, JsonArray, csv_pieces, json_pieces, sorted_externally

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_without_streamed_arrays_the_text_is_that_of_json_dumps_indent_2(value):
    assert "".join(json_pieces(value)) == json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=5), VALUES), st.lists(VALUES, max_size=6), st.integers(0, 3)
)
def test_a_streamed_array_reads_back_as_its_items_each_on_one_line(outer, items, depth):
    value: object = {**outer, "streamed": JsonArray(iter(items))}
    for _ in range(depth):
        value = [{"inner": value}]
    expected: object = {**outer, "streamed": items}
    for _ in range(depth):
        expected = [{"inner": expected}]

    text = "".join(json_pieces(value))

    assert json.loads(text) == expected
    lines = text.split("\n")
    for item in items:
        assert any(
            line.strip().rstrip(",") == json.dumps(item, ensure_ascii=False) for line in lines
        )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=3), max_size=3), max_size=60), st.integers(1, 7))
def test_a_sort_spilled_to_disk_gives_what_sorted_gives(items, run):
    key = lambda row: (row[1:], row[:1])  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "SORT_RUN", run)
        assert list(sorted_externally(iter(items), key=key)) == sorted(items, key=key)


def test_small_pieces_are_joined_and_a_file_is_the_same_written_or_streamed():
    rows = [["=1+2", "text"], *([f"row {n}", "é" * 50] for n in range(5000))]
    export = Export.text("rows.csv", exports.CSV, lambda: csv_pieces(rows))

    chunks = list(export.chunks())
    file = io.BytesIO()
    export.write(file)

    assert b"".join(chunks) == file.getvalue()
    assert all(len(chunk) >= exports.PIECE_SIZE for chunk in chunks[:-1])
    assert len(chunks) > 2
    text = file.getvalue().decode("utf-8")
    assert text.startswith("\ufeff'=1+2,text\r\n")


def test_a_binary_file_is_streamed_from_a_temporary_file():
    def write(out):
        out.write(b"x" * (exports.PIECE_SIZE + 10))

    export = Export.binary("x.bin", "application/octet-stream", write)

    assert [len(chunk) for chunk in export.chunks()] == [exports.PIECE_SIZE, 10]
