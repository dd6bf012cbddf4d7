"""How the drafts word counts, lists, dates and quotations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from meetapp.reports.wording import (
    a_or_an,
    approximate_count,
    clause,
    date_span,
    headline_case,
    join_and,
    join_or,
    label_in_prose,
    quoted,
    sentence,
    smart_quotes,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "Zero"),
        (1, "One"),
        (12, "Twelve"),
        (19, "Nineteen"),
        (20, "20"),
        (50, "50"),
        (52, "Over 50"),
        (99, "Over 90"),
        (100, "100"),
        (152, "Over 150"),
        (1234, "Over 1,200"),
        (5000, "5,000"),
        (12_345, "Over 12,000"),
    ],
)
def test_counts_read_as_a_journalist_writes_them(n: int, text: str) -> None:
    assert approximate_count(n, start=True) == text


def test_lists_read_as_prose() -> None:
    assert join_and([]) == ""
    assert join_and(["A"]) == "A"
    assert join_and(["A", "B"]) == "A and B"
    assert join_and(["A", "B", "C"]) == "A, B and C"
    assert join_or(["English", "Japanese"]) == "English or Japanese"
    assert join_and(["A", "", "C"]) == "A and C"


def test_dates_are_written_in_full_in_the_meetings_time_zone() -> None:
    start = datetime(2019, 2, 17, 23, 0, tzinfo=UTC)  # 18 February in Phnom Penh
    assert date_span(start, None, "Asia/Phnom_Penh") == "On 18 February 2019"
    assert date_span(start, datetime(2019, 2, 20, 9, tzinfo=UTC), "Asia/Phnom_Penh") == (
        "From 18 to 20 February 2019"
    )
    assert date_span(start, datetime(2019, 3, 2, 9, tzinfo=UTC), "Asia/Phnom_Penh") == (
        "From 18 February to 2 March 2019"
    )


def test_quotation_marks_are_typographic() -> None:
    assert smart_quotes('He said "yes" and it\'s done') == "He said “yes” and it’s done"
    assert smart_quotes("'quoted'") == "‘quoted’"
    assert quoted('"Already quoted."') == "“Already quoted.”"
    assert quoted("  ") == ""


def test_a_quotation_keeps_its_apostrophes_and_nests_its_quotations() -> None:
    assert quoted("'90s were hard") == "“'90s were hard”"
    assert smart_quotes(quoted("'90s were hard")) == "“’90s were hard”"
    assert smart_quotes("in the '90s and '19") == "in the ’90s and ’19"
    assert smart_quotes("'1990 was a year'") == "‘1990 was a year’"
    assert quoted("the workers'") == "“the workers'”"
    assert quoted("'Single quotes around it.'") == "“Single quotes around it.”"
    assert quoted('"We want," she said') == "“‘We want,’ she said”"
    assert quoted('We want fair migration"') == "“We want fair migration”"
    assert quoted('"We want,"') == "“We want”"
    assert quoted('They call them "runaways" unfairly') == "“They call them ‘runaways’ unfairly”"
    assert quoted("They call them “runaways” unfairly") == "“They call them ‘runaways’ unfairly”"
    assert quoted('"Call them "workers""') == "“Call them ‘workers’”"
    assert quoted("„Sicher“") == "“Sicher”"


def test_a_quotation_the_sentence_goes_on_after_drops_its_full_stop() -> None:
    statement = "The meeting was useful for my work."
    assert quoted(statement) == "“The meeting was useful for my work.”"
    assert quoted(statement, continues=True) == "“The meeting was useful for my work”"
    assert quoted('"Was it useful?"', continues=True) == "“Was it useful?”"
    assert quoted("We will see...", continues=True) == "“We will see...”"
    assert quoted("“Done.”.", continues=True) == "“Done”"


def test_sentences_and_clauses() -> None:
    assert sentence("the end") == "The end."
    assert sentence("Is it?") == "Is it?"
    assert sentence("“Quoted.”") == "“Quoted.”"
    assert clause("Called for action.") == "called for action"
    assert clause("ILO staff said,") == "ILO staff said"
    assert headline_case("labour migration from Cambodia to Japan") == (
        "Labour Migration from Cambodia to Japan"
    )
    assert headline_case("multi-stakeholder meeting") == "Multi-stakeholder Meeting"
    assert a_or_an("expert consultation") == "an expert consultation"
    assert a_or_an("workshop") == "a workshop"
    assert a_or_an("university forum") == "a university forum"


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("Government", "government"),
        ("Civil society organisations", "civil society organisations"),
        ("Civil society organisations (CSOs)", "civil society organisations (CSOs)"),
        ("Academia", "academia"),
        ("ILO", "ILO"),
        ("UN agencies", "UN agencies"),
        ("NGOs", "NGOs"),
        ("Ministry of Labour", "Ministry of Labour"),
        ("Japanese government", "Japanese government"),
        ("Cambodian CSOs", "Cambodian CSOs"),
        ("Thai employers", "Thai employers"),
        ("Myanmar migrants", "Myanmar migrants"),
        ("Japan-based NGOs", "Japan-based NGOs"),
        ("trade unions", "trade unions"),
        ("The Cambodian government", "the Cambodian government"),
        ("The ILO", "the ILO"),
        ("All employers", "all employers"),
        ("Japan and Cambodia", "Japan and Cambodia"),
        ("", ""),
    ],
)
def test_group_labels_read_as_words_of_a_sentence(label: str, text: str) -> None:
    assert label_in_prose(label) == text
