"""CSV import: a preview listing every bad row; all or nothing after confirmation."""

from __future__ import annotations

import html as html_module
import io
import re
from datetime import UTC, datetime

from meetapp.models import Participant
from meetapp.participants.services import COLUMNS
from tests.conftest import UNICODE_EMAIL, UNICODE_EMAIL_TYPED

HEADER = (
    "name,honorific,email,organisation,position,stakeholder_group,country,languages,status,needs"
)


BOUNDARY = "----participants-import-test"


def multipart(fields):
    """A multipart/form-data body built in memory (the test client would spool a large one to
    a temporary file that it never closes)."""
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            content, filename = value
            head = (
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: text/csv\r\n"
            )
        else:
            content = value.encode("utf-8")
            head = f'Content-Disposition: form-data; name="{name}"\r\n'
        parts.append(f"--{BOUNDARY}\r\n{head}\r\n".encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def upload(setup, text, filename="people.csv", encoding="utf-8", slug=None):
    data = text.encode(encoding) if isinstance(text, str) else text
    url = f"/meetings/{slug}/participants/import" if slug else f"{setup.base}/participants/import"
    return setup.client.post(url, **multipart({"file": (data, filename)}))


def confirm(setup, text, slug=None):
    url = f"/meetings/{slug}/participants/import" if slug else f"{setup.base}/participants/import"
    return setup.client.post(url, **multipart({"csv_text": text}))


def problems(html):
    """{line number: problems text} of the preview's problem table."""
    table = html.split('id="import-problems"', 1)[1].split("</table>", 1)[0]
    return {
        int(line): html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell))).strip()
        for line, cell in re.findall(r'data-line="(\d+)">(.*?)</tr>', table, flags=re.S)
    }


GOOD = "\n".join(
    [
        HEADER,
        "Sokha Chan,H.E. Ms,sokha@example.kh,Ministry,Director,government,kh,km en,,",
        "山田 花子,,hanako@example.jp,JICA,,Civil society,JP,ja,,Vegetarian",
        "ស៊ុន សុខា,,sun@example.kh,,,,,,,",
        "Fourth Person,,fourth@example.org,,,,,,,",
        "Fifth Person,,fifth@example.org,,,,,,cancelled,",
    ]
)


def test_import_page_renders(setup):
    response = setup.client.get(f"{setup.base}/participants/import")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


def test_clean_file_previews_then_imports_every_row(setup):
    response = upload(setup, GOOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "All 5 lines are correct" in html
    assert "3 will be registered" in html
    assert "1 will go on the waiting list" in html
    assert "1 will be recorded as cancelled" in html
    assert setup.participants() == []  # the preview writes nothing

    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', html)
    assert text is not None
    response = confirm(setup, html_module.unescape(text.group(1)))
    assert response.status_code == 302
    people = setup.participants()
    assert [p.name for p in people] == [
        "Sokha Chan",
        "山田 花子",
        "ស៊ុន សុខា",
        "Fourth Person",
        "Fifth Person",
    ]
    assert [p.status for p in people] == [
        "registered",
        "registered",
        "registered",
        "waitlisted",
        "cancelled",
    ]
    sokha, hanako = people[0], people[1]
    assert sokha.stakeholder_group_id == setup.group_id("government")
    assert hanako.stakeholder_group_id == setup.group_id("cso")
    assert (sokha.country, sokha.languages, sokha.honorific) == ("KH", ["km", "en"], "H.E. Ms")
    assert hanako.needs == "Vegetarian"
    assert people[3].registered_at > people[2].registered_at
    # Imported in one statement, and searchable like everyone else.
    assert [p.search_text.split("\n")[0] for p in people[:2]] == ["sokha chan", "山田 花子"]


def test_every_bad_row_is_listed_and_nothing_written(setup, make_participant):
    make_participant(setup.meeting, email="already@example.org")
    text = "\n".join(
        [
            HEADER,
            "Good Person,,good@example.org,,,,,,,",
            ",,noname@example.org,,,,,,,",
            "Bad Email,,not-an-email,,,,,,,",
            "Unknown Group,,group@example.org,,,martians,,,,",
            "Dup One,,dup@example.org,,,,,,,",
            "Dup Two,,DUP@example.org,,,,,,,",
            "Existing,,already@example.org,,,,,,,",
            "Long," + "h" * 60 + ",long@example.org,,,,,,," + "n" * 10_000,
            "Codes,,codes@example.org,,,,XX,zz en,,",
            "Status,,status@example.org,,,,,,maybe,",
            "<script>alert(1)</script>,,script@example.org,,,,,,,",
        ]
    )
    response = upload(setup, text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = problems(html)
    assert sorted(found) == [3, 4, 5, 7, 8, 9, 10, 11]
    assert "name: required" in found[3]
    assert "email: not a valid e-mail address" in found[4]
    assert "unknown stakeholder group 'martians'" in found[5]
    assert "same address is on line 6" in found[7]
    assert "already in this meeting" in found[8]
    assert "honorific: too long (at most 50 characters)" in found[9]
    assert "needs: too long (at most 2000 characters)" in found[9]
    assert "unknown country code 'XX'" in found[10]
    assert "unknown language code 'zz'" in found[10]
    assert "unknown status 'maybe'" in found[11]
    assert "8 of 11 lines have problems" in html
    assert "Import these participants" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(setup.participants()) == 1


def test_a_unicode_address_typed_otherwise_is_the_same_person(setup, make_participant):
    make_participant(setup.meeting, email=UNICODE_EMAIL)
    text = "\n".join(
        [
            HEADER,
            f"Élodie Again,,{UNICODE_EMAIL_TYPED},,,,,,,",
            "Émile Martin,,émile@bücher.example,,,,,,,",
            "Émile Twice,,E\u0301MILE@BU\u0308CHER.EXAMPLE,,,,,,,",
        ]
    )
    found = problems(upload(setup, text).get_data(as_text=True))
    assert sorted(found) == [2, 4]
    assert "already in this meeting (registered)" in found[2]
    assert "same address is on line 3" in found[4]


def test_confirm_checks_again_and_writes_nothing_when_bad(setup, make_participant):
    text = "name,email\nOne,one@example.org\nTwo,two@example.org\n"
    assert "All 2 lines are correct" in upload(setup, text).get_data(as_text=True)
    # Someone registered with the second address in between: the whole import is refused.
    make_participant(setup.meeting, email="two@example.org")
    response = confirm(setup, text)
    assert response.status_code == 200
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert [p.email for p in setup.participants()] == ["two@example.org"]


def test_forged_confirm_is_validated(setup):
    response = confirm(setup, "name,email\nX,not-an-email\n")
    assert response.status_code == 200
    assert setup.participants() == []
    response = confirm(setup, "")
    assert response.status_code == 422
    assert "Upload the file again" in response.get_data(as_text=True)
    assert setup.participants() == []


def test_explicit_status_needs_a_seat(setup, make_participant):
    for _ in range(3):
        make_participant(setup.meeting)
    text = "name,email,status,attended\nA,a@example.org,registered,\nB,b@example.org,,yes\n"
    found = problems(upload(setup, text).get_data(as_text=True))
    assert "no seat left" in found[2]
    assert "a waitlisted participant cannot have attended" in found[3]


def test_export_can_be_imported_into_another_meeting(setup, make_participant, make_meeting):
    make_participant(
        setup.meeting,
        name='=HYPERLINK("http://evil.example")',
        email="evil@example.org",
        group_key="cso",
        languages=["km"],
        attended=True,
        checked_in_at=datetime(2019, 2, 18, 2, 12, tzinfo=UTC),
        checked_in_by_id=setup.organiser.id,
    )
    make_participant(
        setup.meeting, name="山田 花子", email="hanako@example.jp", status="waitlisted"
    )
    exported = setup.client.get(f"{setup.base}/participants.csv").get_data()
    make_meeting(organisers=[setup.organiser], slug="next-year", capacity=10)
    html = upload(setup, exported, filename="export.csv", slug="next-year").get_data(as_text=True)
    assert "All 2 lines are correct" in html
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', html)
    response = confirm(setup, html_module.unescape(text.group(1)), slug="next-year")
    assert response.status_code == 302
    setup.db.session.rollback()
    imported = {
        p.email: p
        for p in setup.db.session.query(Participant).filter(
            Participant.meeting_id != setup.meeting.id
        )
    }
    evil = imported["evil@example.org"]
    assert evil.name == '=HYPERLINK("http://evil.example")'
    assert (evil.attended, evil.status, evil.languages) == (True, "registered", ["km"])
    # Attended according to the file: nobody checked them in at this meeting's desk.
    assert (evil.checked_in_at, evil.checked_in_by_id) == (None, None)
    assert imported["hanako@example.jp"].status == "waitlisted"


def test_not_utf8_or_not_csv_is_refused_beside_the_field(setup):
    html = upload(setup, "name,email\nJosé,jose@example.org\n", encoding="latin-1").get_data(
        as_text=True
    )
    assert "not UTF-8" in html
    assert "is-invalid" in html
    html = upload(setup, b"PK\x03\x04\x00\x00binary", filename="people.xlsx").get_data(as_text=True)
    assert "Choose a CSV file" in html
    html = upload(setup, b"name,email\x00\x01", filename="people.csv").get_data(as_text=True)
    assert "does not look like a CSV file" in html
    html = upload(setup, "", filename="people.csv").get_data(as_text=True)
    assert "empty" in html
    response = setup.client.post(f"{setup.base}/participants/import", data={})
    assert "Choose a CSV file." in response.get_data(as_text=True)
    assert setup.participants() == []


def test_header_is_required(setup):
    html = upload(setup, "Sokha Chan,sokha@example.org\n").get_data(as_text=True)
    assert "The first line must be a header" in html
    html = upload(setup, "name,email,shoe_size\nA,a@example.org,42\n").get_data(as_text=True)
    assert "Unknown column(s) in the header: &#39;shoe_size&#39;" in html
    html = upload(setup, "name,email\n").get_data(as_text=True)
    assert "no participants" in html
    assert setup.participants() == []


def test_repeated_columns_are_named(setup):
    html = upload(setup, "name,email,Name,e-mail,email\nA,a@example.org,B,b@x.org,c@x.org\n")
    assert "Repeated column(s) in the header: email, name" in html.get_data(as_text=True)
    assert setup.participants() == []


def test_a_header_wider_than_any_real_file_is_refused_beside_the_file_field(setup):
    header = ",".join(["name", "email", *(f"c{n}" for n in range(100_000))])
    text = f"{header}\nSokha Chan,sokha@example.org\n"
    response = upload(setup, text)
    assert response.status_code == 422
    form = response.get_data(as_text=True).split('enctype="multipart/form-data"', 1)[1]
    form = form.split("</form>", 1)[0]
    feedback = re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', form)
    assert feedback == [
        "The header has 100,002 columns; a participants file has at most 100. Known columns: "
        + ", ".join(COLUMNS)
        + "."
    ]
    # Sent straight to the confirmation (the page never offers it), it writes nothing either.
    response = confirm(setup, text)
    assert response.status_code == 422
    assert "The header has 100,002 columns" in response.get_data(as_text=True)
    assert setup.participants() == []


def test_semicolons_and_bom_are_understood(setup):
    text = "\ufeffname;email;stakeholder_group\nA;a@example.org;Government\n"
    html = upload(setup, text).get_data(as_text=True)
    assert "All 1 lines are correct" in html


def test_too_large_upload_gets_the_error_page(setup):
    big = b"name,email\n" + b"x" * (6 * 1024 * 1024)
    response = upload(setup, big)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_large_file_can_be_confirmed(setup):
    """The confirm form carries the whole file (over a megabyte here) in one field."""
    lines = ["name,email,organisation,needs"]
    lines += [
        f"Person {n:05d},person{n}@example.org,Organisation {n % 50},{'n' * 80}"
        for n in range(8000)
    ]
    text = "\n".join(lines)
    assert len(text.encode()) > 1_000_000
    html = upload(setup, text).get_data(as_text=True)
    assert "All 8000 lines are correct" in html
    response = confirm(setup, text)
    assert response.status_code == 302
    people = setup.participants()
    assert len(people) == 8000
    assert sum(p.status == "registered" for p in people) == 3


SINGLE_LINE_COLUMNS = ("name", "honorific", "email", "organisation", "position")
HEADER_SINGLE_FIRST = ",".join(
    (*SINGLE_LINE_COLUMNS, "needs", "stakeholder_group", "country", "languages", "status")
)
BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "tab": "\t", "line separator": "\u2028"}


def test_line_breaks_and_tabs_are_refused_in_single_line_columns(setup):
    """Each single-line column of the registration form refuses them in a file as the form
    does (the cell quoted, as spreadsheets write a cell with a line break); `needs` is
    several lines in the form too and keeps them."""
    lines = [HEADER]
    expected = {}
    for column in SINGLE_LINE_COLUMNS:
        for mark in BREAKS.values():
            row = {
                "name": "Good Person",
                "honorific": "Dr",
                "email": f"row{len(lines)}@example.org",
                "organisation": "Ministry",
                "position": "Director",
            }
            row[column] = row[column].replace("@", f"{mark}@", 1)
            if column != "email":
                row[column] = f"Two{mark}lines"
            # The line of the file the row starts on, as the CSV reader counts them.
            expected[len(io.StringIO("\n".join(lines), newline="").readlines()) + 1] = column
            lines.append(",".join(f'"{row[name]}"' for name in SINGLE_LINE_COLUMNS) + ",,,,,")
    text = "\n".join(lines)
    response = upload(setup, text.replace(HEADER, HEADER_SINGLE_FIRST))
    html = response.get_data(as_text=True)
    found = problems(html)
    assert sorted(found) == sorted(expected)
    for line, column in expected.items():
        assert f"{column}: keep this on one line" in found[line] or (
            column == "email" and "email: not a valid e-mail address" in found[line]
        ), (line, column, found[line])
    assert "Import these participants" not in html
    # Confirming the same text (as a forged form would) writes nothing either.
    assert confirm(setup, text.replace(HEADER, HEADER_SINGLE_FIRST)).status_code == 200
    assert setup.participants() == []

    needs = '"Needs Person",,needs@example.org,,,"Wheelchair\naccess\tplease",,,,'
    html = upload(setup, "\n".join([HEADER_SINGLE_FIRST, needs])).get_data(as_text=True)
    assert 'id="import-problems"' not in html
    assert "Import these participants" in html


def test_a_file_of_mixed_rows_goes_in_as_one_statement(setup, count_queries):
    """Rows with and without the optional columns are written by one bulk insert, not one
    statement per run of alike rows."""
    lines = ["name,email,honorific,organisation,position,country"]
    lines += [
        f"Person {n},person{n}@example.org,{'Dr' if n % 2 else ''},"
        f"{'Org' if n % 3 else ''},{'Chair' if n % 5 else ''},{'KH' if n % 7 else ''}"
        for n in range(300)
    ]
    text = "\n".join(lines)
    with count_queries() as counter:
        response = confirm(setup, text)
    assert response.status_code == 302
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1, len(inserts)
    people = setup.participants()
    assert len(people) == 300
    assert (people[1].honorific, people[2].honorific) == ("Dr", None)
    assert people[0].search_text == "person 0\n"
