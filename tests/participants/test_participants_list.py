"""The organiser's participant list: filters, search, paging, counts, a fixed query count."""

from __future__ import annotations

import re

import pytest


def rows(html: str) -> list[str]:
    """The names in the list table, in order."""
    body = html.split('id="participants"', 1)[1] if 'id="participants"' in html else ""
    return re.findall(r'class="participant-name">([^<]*)<', body)


def test_list_shows_participants_with_group_and_status(setup, make_participant):
    make_participant(setup.meeting, name="Sokha Chan", group_key="government", organisation="MoE")
    make_participant(setup.meeting, name="Aiko Tanaka", status="waitlisted", group_key="cso")
    html = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert "Sokha Chan" in html
    assert "Aiko Tanaka" in html
    assert "MoE" in html
    assert "Government" in html
    assert "Waiting list" in html
    assert "2 participants" in html


def test_filters_by_status_group_and_attended(setup, make_participant):
    make_participant(setup.meeting, name="Alpha One", group_key="government", attended=True)
    make_participant(setup.meeting, name="Beta Two", group_key="cso")
    make_participant(setup.meeting, name="Gamma Three", status="waitlisted", group_key="cso")
    make_participant(setup.meeting, name="Delta Four", status="cancelled")
    get = setup.client.get

    html = get(f"{setup.base}/participants?status=waitlisted").get_data(as_text=True)
    assert rows(html) == ["Gamma Three"]
    cso = setup.group_id("cso")
    html = get(f"{setup.base}/participants?group={cso}").get_data(as_text=True)
    assert rows(html) == ["Beta Two", "Gamma Three"]
    html = get(f"{setup.base}/participants?group=none").get_data(as_text=True)
    assert rows(html) == ["Delta Four"]
    html = get(f"{setup.base}/participants?attended=yes").get_data(as_text=True)
    assert rows(html) == ["Alpha One"]
    html = get(f"{setup.base}/participants?attended=no&status=registered").get_data(as_text=True)
    assert rows(html) == ["Beta Two"]
    html = get(f"{setup.base}/participants?group={cso}&status=registered").get_data(as_text=True)
    assert rows(html) == ["Beta Two"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sokha", ["Sokha Chan"]),
        ("TANAKA", ["Aiko Tanaka"]),
        ("ministry of", ["Sokha Chan"]),
        ("AIKO@EXAMPLE", ["Aiko Tanaka"]),
        ("ソカ", ["ソカ 山田"]),
        ("ស៊ុន", ["ស៊ុន សុខា"]),
        ("100%", ["Percent Person"]),
        ("_", []),
        ("nobody-like-this", []),
    ],
)
def test_search_by_name_email_or_organisation(setup, make_participant, query, expected):
    make_participant(
        setup.meeting, name="Sokha Chan", organisation="Ministry of Environment", email="s@ex.org"
    )
    make_participant(setup.meeting, name="Aiko Tanaka", email="Aiko@Example.jp")
    make_participant(setup.meeting, name="ソカ 山田", email="yamada@example.jp")
    make_participant(setup.meeting, name="ស៊ុន សុខា", email="sun@example.kh")
    make_participant(setup.meeting, name="Percent Person", organisation="100% Club")
    html = setup.client.get(f"{setup.base}/participants", query_string={"q": query}).get_data(
        as_text=True
    )
    assert sorted(rows(html)) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    ["elise", "ÉLISE", "E\u0301lise", "élise nguyen", "NGUYỄN", "ministere", "Ministère"],
)
def test_search_ignores_case_and_accents_on_every_database(setup, make_participant, query):
    """SQLite's lower() knows only ASCII, and PostgreSQL's follows the server's locale: the
    search compares a folded copy of name and organisation instead, the same everywhere."""
    make_participant(setup.meeting, name="Élise Nguyễn", organisation="Ministère du Travail")
    make_participant(setup.meeting, name="Eli Sen", organisation="Labour Office")
    html = setup.client.get(f"{setup.base}/participants", query_string={"q": query}).get_data(
        as_text=True
    )
    assert rows(html) == ["Élise Nguyễn"]
    checkin = setup.client.get(f"{setup.base}/checkin/search", query_string={"q": query})
    assert "Élise Nguyễn" in checkin.get_data(as_text=True)
    assert "Eli Sen" not in checkin.get_data(as_text=True)


def test_sorting_by_name_ignores_case_and_accents(setup, make_participant):
    for name in ("Zoë Zed", "élise Nguyen", "Adam Abel", "Ádám Bartók", "bob Brown"):
        make_participant(setup.meeting, name=name)
    html = setup.client.get(f"{setup.base}/participants?sort=name").get_data(as_text=True)
    assert rows(html) == ["Adam Abel", "Ádám Bartók", "bob Brown", "élise Nguyen", "Zoë Zed"]


def test_overlong_or_hostile_search_is_harmless(setup, make_participant):
    make_participant(setup.meeting, name="Sokha Chan")
    response = setup.client.get(f"{setup.base}/participants", query_string={"q": "x" * 10_000})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Field cannot be longer than 200 characters." in html
    assert rows(html) == ["Sokha Chan"]
    script = "<script>alert(1)</script>"
    html = setup.client.get(f"{setup.base}/participants", query_string={"q": script}).get_data(
        as_text=True
    )
    assert script not in html
    assert "&lt;script&gt;" in html
    assert rows(html) == []


def test_paging_keeps_the_filters(setup, app, monkeypatch):
    monkeypatch.setitem(app.config, "PARTICIPANTS_PER_PAGE", 10)
    setup.bulk(45)  # 15 registered, 15 waitlisted, 15 cancelled
    first = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert len(rows(first)) == 10
    assert "45 participants" in first
    assert f"{setup.base}/participants?page=2" in first
    page5 = setup.client.get(f"{setup.base}/participants?page=5").get_data(as_text=True)
    assert len(rows(page5)) == 5
    filtered = setup.client.get(f"{setup.base}/participants?status=waitlisted&page=2")
    html = filtered.get_data(as_text=True)
    assert len(rows(html)) == 5
    assert "status=waitlisted" in html
    assert "page=1" in html
    past_end = setup.client.get(f"{setup.base}/participants?page=99")
    assert past_end.status_code == 200
    huge = setup.client.get(f"{setup.base}/participants?page=99999999999999999999999")
    assert huge.status_code == 200
    negative = setup.client.get(f"{setup.base}/participants?page=-3")
    assert len(rows(negative.get_data(as_text=True))) == 10
    garbage = setup.client.get(f"{setup.base}/participants?page=abc&status=nonsense&group=xyz")
    assert garbage.status_code == 200
    assert len(rows(garbage.get_data(as_text=True))) == 10


def test_waitlisted_show_their_place_in_order(setup, make_participant):
    from datetime import UTC, datetime

    for n, name in enumerate(["Third", "First", "Second"]):
        make_participant(
            setup.meeting,
            name=name,
            status="waitlisted",
            registered_at=datetime(
                2019, 1, {"First": 1, "Second": 2, "Third": 3}[name], tzinfo=UTC
            ),
        )
        assert n >= 0
    html = setup.client.get(f"{setup.base}/participants?status=waitlisted").get_data(as_text=True)
    assert rows(html) == ["First", "Second", "Third"]
    assert re.findall(r'waitlist-place">#(\d+)', html) == ["1", "2", "3"]


def test_counts_by_group_and_status(setup, make_participant):
    make_participant(setup.meeting, group_key="government", attended=True)
    make_participant(setup.meeting, group_key="government")
    make_participant(setup.meeting, group_key="cso", status="waitlisted")
    make_participant(setup.meeting, status="cancelled")
    html = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    by_status = dict(re.findall(r'data-status="(\w+)">(\d+)<', html))
    assert by_status == {"registered": "2", "waitlisted": "1", "cancelled": "1", "attended": "1"}
    table = html.split('id="counts-by-group"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(
        r'<th scope="row" class="fw-normal">([^<]+)</th>\s*((?:<td[^>]*>\d+</td>)+)', table
    )
    counts = {label: re.findall(r">(\d+)<", tds) for label, tds in cells}
    assert counts == {
        "Government": ["2", "0", "0"],
        "Civil society": ["0", "1", "0"],
        "No group": ["0", "0", "1"],
    }
    assert "2 of 3 seats taken" in html


def _list_queries(setup, count_queries, query=""):
    url = f"{setup.base}/participants{query}"
    with count_queries() as counter:
        response = setup.client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_list_runs_a_fixed_number_of_queries(setup, count_queries, make_meeting):
    small = make_meeting(organisers=[setup.organiser], slug="small-meeting")
    setup.bulk(5, small)
    small_setup = type(setup)(setup.db, small, setup.organiser, setup.client)
    few, few_html = _list_queries(small_setup, count_queries)
    assert "5 participants" in few_html

    setup.bulk(5000)
    many, many_html = _list_queries(setup, count_queries)
    assert "5000 participants" in many_html
    assert len(rows(many_html)) == 50
    assert (
        f'title="Checked in 1 January 2019, 07:00 (Phnom Penh, UTC+7) by {setup.organiser.name}"'
        in (many_html)
    )
    assert many == few
    assert many <= 10

    filtered, _html = _list_queries(setup, count_queries, "?status=waitlisted&q=bulk&page=3")
    assert filtered == few
