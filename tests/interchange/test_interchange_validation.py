"""A bad document is refused whole: every problem listed by JSON path, nothing written."""

from __future__ import annotations

import copy

import pytest

from meetapp.interchange.schema import json_path
from meetapp.interchange.services import InterchangeError, import_meeting, parse_document


def problems_of(document) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        import_meeting(document)
    return caught.value.problems


def test_every_problem_is_listed_by_path_and_nothing_is_written(
    db, owned_demo, small_document, row_counts
):
    import_meeting(small_document("taken"))
    db.session.commit()
    before = row_counts()

    document = owned_demo
    document["meeting"]["slug"] = "taken"
    document["meeting"]["ends_at"] = "2019-02-18T16:30:00"
    document["meeting"]["colour"] = "blue"
    document["participants"][12]["email"] = "not-an-address"
    document["participants"][20]["stakeholder_group"] = "aliens"
    document["participants"][30]["email"] = document["participants"][3]["email"].upper()
    document["participants"][40]["status"] = "maybe"

    problems = problems_of(document)

    assert problems == [
        "meeting.ends_at: the time has no offset; write it like 2019-02-18T09:00:00+07:00",
        "meeting.colour: unknown key",
        'meeting.slug: "taken" is already used by another meeting',
        "participants[12].email: not an email address",
        'participants[20].stakeholder_group: no stakeholder group with the key "aliens" '
        "in meeting.stakeholder_groups",
        "participants[30].email: the same address as participants[3].email "
        "(addresses are compared without regard to case)",
        "participants[40].status: must be one of 'registered', 'waitlisted' or 'cancelled'",
        # The survey's responses name participants by e-mail: those two addresses are gone.
        "surveys[0].responses[11].participant: no participant with this e-mail address",
        "surveys[0].responses[14].participant: no participant with this e-mail address",
    ]
    db.session.rollback()
    assert row_counts() == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["meeting"].update(slug="Cambodia_2019"), "meeting.slug: only lower-case"),
        (lambda d: d["meeting"].update(slug="import"), 'meeting.slug: "import" is reserved'),
        (lambda d: d["meeting"].pop("title"), "meeting.title: required"),
        (lambda d: d["meeting"].update(title="   "), "meeting.title: must not be empty"),
        (lambda d: d["meeting"].update(title="x" * 10_000), "meeting.title: longer than 300"),
        (lambda d: d["meeting"].update(timezone="Mars/Base"), "meeting.timezone: not an IANA"),
        (lambda d: d["meeting"].update(country="kh"), "meeting.country: not an ISO 3166-1"),
        (lambda d: d["meeting"].update(languages=["xx"]), "meeting.languages[0]: not an ISO 639"),
        (lambda d: d["meeting"].update(capacity=-1), "meeting.capacity: must be at least 0"),
        (lambda d: d["meeting"].update(capacity="60"), "meeting.capacity: expected a whole num"),
        (
            lambda d: d["meeting"].update(ends_at="2019-02-17T09:00:00+07:00"),
            "meeting.ends_at: is before starts_at",
        ),
        (
            lambda d: d["meeting"].update(registration_closes_at="2019-01-01T00:00:00+07:00"),
            "meeting.registration_closes_at: is before registration_opens_at",
        ),
        (lambda d: d["meeting"].update(starts_at="18/02/2019"), "meeting.starts_at: not an ISO"),
        (lambda d: d["meeting"].update(starts_at=1550455200), "meeting.starts_at: expected an"),
        (
            lambda d: d["meeting"]["stakeholder_groups"].append({"key": "cso", "label": "CSO"}),
            'meeting.stakeholder_groups[5].key: "cso" is also the key of '
            "meeting.stakeholder_groups[1]",
        ),
        (lambda d: d.update(format="meetapp/2"), 'format: must be "meetapp/1"'),
        (lambda d: d.pop("format"), "format: required"),
        (lambda d: d.pop("organisation"), "organisation: required"),
        (lambda d: d.update(participants={}), "participants: expected a list"),
        (lambda d: d["participants"][0].pop("email"), "participants[0].email: required"),
        (lambda d: d["participants"][1].update(attended="yes"), "participants[1].attended: exp"),
        (lambda d: d["participants"][2].update(country="XX"), "participants[2].country: not an"),
        (lambda d: d["contacts"][1].update(email="nope"), "contacts[1].email: not an email"),
        (lambda d: d.update(press_release={"title": "H"}), "press_release.title: unknown key"),
        (
            lambda d: d.update(press_release={"release_date": "21/02/2019"}),
            "press_release.release_date: not a date written YYYY-MM-DD",
        ),
        (
            lambda d: d.update(outcomes=[{"kind": "wish", "text": "x"}]),
            "outcomes[0].kind: must be one of",
        ),
        (lambda d: d.update(outcomes=[{"kind": "finding"}]), "outcomes[0].text: required"),
        (lambda d: d.update(**{"odd key": 1}), '["odd key"]: unknown key'),
        (
            lambda d: d["surveys"][0]["questions"][0].update(kind=["likert"]),
            "surveys[0].questions[0].kind:",
        ),
        (
            lambda d: d["surveys"][0]["questions"][1].update(kind={"k": "rating"}),
            "surveys[0].questions[1].kind:",
        ),
        # A response's time may be a day (anonymous surveys are exported so), but a real one.
        (
            lambda d: d["surveys"][0]["responses"][0].update(submitted_at="2019-02-30"),
            "surveys[0].responses[0].submitted_at: not a date written YYYY-MM-DD",
        ),
        (
            lambda d: d["surveys"][0]["responses"][1].update(submitted_at="0001-01-01"),
            "surveys[0].responses[1].submitted_at: the year must lie between",
        ),
    ],
)
def test_each_rule_is_reported_by_path(db, owned_demo, row_counts, change, problem):
    change(owned_demo)
    problems = problems_of(owned_demo)
    assert any(line.startswith(problem) for line in problems), problems
    assert row_counts()["Meeting"] == 0


def test_a_document_that_is_not_an_object_is_refused(db):
    assert problems_of([1, 2]) == ["$: expected a JSON object (a meetapp/1 document)"]


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b'{"format": "meetapp/1",', "$: not valid JSON: "),
        (b"", "$: not valid JSON: "),
        (b"\xff\xfe{}", "$: not valid JSON: not UTF-8"),
    ],
)
def test_malformed_json_is_refused(data, start):
    with pytest.raises(InterchangeError) as caught:
        parse_document(data)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(start)


def test_utf8_with_a_byte_order_mark_is_read():
    assert parse_document('\ufeff{"a": "é"}'.encode()) == {"a": "é"}


def test_json_paths():
    assert json_path(("participants", 12, "email")) == "participants[12].email"
    assert json_path(()) == "$"
    assert json_path(("meeting", "stakeholder_groups", 0, "key")) == (
        "meeting.stakeholder_groups[0].key"
    )


def _text_paths(value, path=()):
    """The path of every string in a JSON document."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_paths(item, (*path, index))


def test_a_nul_in_any_text_of_any_section_is_a_problem_by_path(db, owned_demo, row_counts):
    """PostgreSQL cannot store NUL: wherever one hides, the import names it and writes
    nothing, instead of failing in the database."""
    before = row_counts()
    sections_seen = set()
    shapes_seen = set()
    for path in _text_paths(owned_demo):
        # One path of each shape (participants[0].name stands for every participant's name).
        shape = tuple("#" if isinstance(step, int) else step for step in path)
        if path[0] == "format" or shape in shapes_seen:
            continue
        shapes_seen.add(shape)
        document = copy.deepcopy(owned_demo)
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = "a\x00b"
        with pytest.raises(InterchangeError) as caught:
            import_meeting(document)
        location = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
        assert any(
            problem.startswith(f"{location[1:]}: contains control characters")
            for problem in caught.value.problems
        ), (location, caught.value.problems[:3])
        db.session.rollback()
        sections_seen.add(path[0])
    assert sections_seen >= {"speakers", "sessions", "statements", "outcomes", "surveys"}
    assert row_counts() == before


def test_only_registered_participants_can_have_attended(db, small_document, row_counts):
    before = row_counts()
    document = small_document()
    document["participants"][1].update(status="waitlisted", attended=True)
    document["participants"][2].update(status="cancelled", attended=True)
    document["participants"][0].update(status="registered", attended=True)

    problems = problems_of(document)

    assert problems == [
        "participants[1].attended: a waitlisted participant cannot have attended "
        "(only registered participants hold a seat)",
        "participants[2].attended: a cancelled participant cannot have attended "
        "(only registered participants hold a seat)",
    ]
    db.session.rollback()
    assert row_counts() == before


def test_each_address_is_checked_once_and_the_participants_written_in_bulk(
    db, demo_document, monkeypatch, count_queries
):
    """E-mail validation is the costliest check of an import: each address of the document is
    validated once (the answers that name a participant reuse it), and the participants are
    written in a few statements, not one per row."""
    import json
    from collections import Counter

    import meetapp.accounts.services as accounts

    checked: Counter[str] = Counter()
    validate = accounts.validate_email

    def counting(email: str, *args, **kwargs):
        checked[email] += 1
        return validate(email, *args, **kwargs)

    monkeypatch.setattr(accounts, "validate_email", counting)
    with count_queries() as counter:
        import_meeting(parse_document(json.dumps(demo_document).encode()))
    assert len(demo_document["participants"]) == 52
    assert checked
    assert max(checked.values()) == 1, checked.most_common(3)
    inserts = [
        s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO PARTICIPANTS")
    ]
    assert len(inserts) == 1, len(inserts)
