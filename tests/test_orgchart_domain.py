"""Reporting lines, pure: sources and their precedence, skip-level chains (through people who are not in the pool),
the org-chart CSV's checks line by line, and what matching keeps apart and counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import matching as m
from bot.domain import orgchart as rules
from bot.domain.matching import Candidate

REF = datetime(2027, 2, 17, 12, 0, tzinfo=UTC)


# -- sources and chains ---------------------------------------------------------------------------------------------
def test_the_org_chart_counts_before_the_profile_field_before_the_interview() -> None:
    rows = [
        ("UA", "UM1", rules.INTERVIEW),
        ("UA", "UM2", rules.ORGCHART),
        ("UA", "UM3", rules.SLACK_PROFILE),
        ("UB", "UM4", rules.INTERVIEW),
        ("UB", "UM5", rules.SLACK_PROFILE),
        ("UC", "UM6", rules.INTERVIEW),
        ("UD", "UD", rules.ORGCHART),  # nobody is their own manager
    ]
    assert rules.effective_lines(rows) == {"UA": "UM2", "UB": "UM5", "UC": "UM6"}


def test_chains_go_up_through_anyone_and_stop_at_the_level_and_at_loops() -> None:
    lines = {"UT": "UM", "UM": "UD", "UD": "UV", "UV": "UCEO", "UX": "UY", "UY": "UX"}
    assert rules.chain(lines, "UT", 1) == ("UM",)
    assert rules.chain(lines, "UT", 2) == ("UM", "UD")  # the skip-level manager, who need not be a participant
    assert rules.chain(lines, "UT", 9) == ("UM", "UD", "UV", "UCEO")
    assert rules.chain(lines, "UX", 5) == ("UY",)  # a loop ends the chain
    assert rules.chain(lines, "UCEO", 3) == ()
    assert rules.chains(lines, ["UT", "UCEO"], 2) == {"UT": ("UM", "UD")}
    assert rules.clamp_levels("9") == rules.LEVELS_MAX and rules.clamp_levels(None) == rules.LEVELS_DEFAULT


def person(id: int, role: str = "digital", **kw: object) -> Candidate:
    kw.setdefault("slack_user_id", f"U{id}")
    kw.setdefault("name", f"P{id}")
    return Candidate(id=id, role=role, **kw)  # type: ignore[arg-type]


def test_a_manager_is_never_paired_with_their_trainee_nor_with_their_skip_level_report() -> None:
    """Org chart: trainee T -> team lead L (not in the pool) -> division head D (in the pool). With 2 levels, T and
    D are kept apart; T and L's other report S too (same manager); a cousin C under another lead may meet D's
    trainee. The solver would love T x D (they fit best) and still never pairs them."""
    lines = {"U1": "ULEAD", "ULEAD": "U2", "U3": "ULEAD", "U4": "UOTHER", "UOTHER": "U2"}
    chains = rules.chains(lines, ["U1", "U2", "U3", "U4"], 2)
    topics = {"can_teach": ("short video",), "want_to_learn": ("governance",)}
    trainee = person(1, "digital", managers=chains["U1"], **topics)
    head = person(2, "context", can_teach=("governance",), want_to_learn=("short video",))
    sibling = person(3, "context", managers=chains["U3"])
    cousin = person(4, "both", managers=chains["U4"])
    assert m.hard_constraint(trainee, head, reference=REF) == "reporting_line"  # skip-level
    assert m.hard_constraint(trainee, sibling, reference=REF) == "reporting_line"  # the same team lead
    assert m.hard_constraint(cousin, head, reference=REF) == "reporting_line"
    assert m.hard_constraint(trainee, cousin, reference=REF) is None  # cousins may learn together
    result = m.match([trainee, head, sibling, cousin], reference=REF)
    paired = {frozenset((p.a.id, p.b.id)) for p in result.pairs}
    assert frozenset((1, 2)) not in paired and frozenset((1, 3)) not in paired
    assert len(paired) == 1 and paired <= {frozenset((1, 4)), frozenset((3, 4))}
    # with one level only, the division head is no longer kept apart from the trainee
    one = rules.chains(lines, ["U1"], 1)
    assert m.hard_constraint(person(1, managers=one["U1"]), head, reference=REF) is None


@given(st.integers(1, 5), st.lists(st.integers(0, 7), min_size=8, max_size=8))
def test_nobody_is_ever_paired_within_the_levels_kept_apart(levels: int, bosses: list[int]) -> None:
    """Any org chart over 8 people (each has a manager among them or none), any levels: no pair of the result has
    one within ``levels`` above the other, or the same direct manager."""
    lines = {f"U{i}": f"U{b}" for i, b in enumerate(bosses) if b != i}
    chains = rules.chains(lines, [f"U{i}" for i in range(8)], levels)
    people = [person(i, ("digital", "context", "both")[i % 3], managers=chains.get(f"U{i}", ())) for i in range(8)]
    result = m.match(people, reference=REF)
    for pair in result.pairs:
        a, b = pair.a.slack_user_id, pair.b.slack_user_id
        assert not rules.same_line(a, chains.get(a, ()), b, chains.get(b, ()))


# -- what hosts may learn -------------------------------------------------------------------------------------------
def test_private_reasons_are_shown_as_one() -> None:
    assert {m.shown_violation(v) for v in ("avoid", "reporting_line", "not_interested")} == {m.PRIVATE}
    assert [m.shown_violation(v) for v in ("roles", "past_pair", "no_overlap")] == ["roles", "past_pair", "no_overlap"]


def test_the_preview_counts_excluded_pairs_by_kind_each_once() -> None:
    d1 = person(1, avoid=frozenset({"U4"}))
    d2 = person(2, managers=("U5",))
    d3 = person(3)
    c4, c5, c6 = person(4, "context"), person(5, "context"), person(6, "context")
    result = m.match(
        [d1, d2, d3, c4, c5, c6],
        reference=REF,
        past_pairs={frozenset({3, 6}), frozenset({1, 2})},  # 1-2 are digital anyway: counted under roles
        interest={frozenset({3, 4}): "no", frozenset({3, 5}): "yes"},
    )
    excluded = result.stats["excluded"]
    # roles: 3 digital pairs + 3 context pairs; past: 3-6; private: 1-4 (please not), 2-5 (manager), 3-4 (a no)
    assert excluded == {"possible": 15, "roles_or_hours": 6, "past_pair": 1, "private": 3}


# -- the CSV --------------------------------------------------------------------------------------------------------
def test_a_good_file_with_a_header_semicolons_mentions_and_emails() -> None:
    data = (
        b"Person;Manager\n"
        b"U0TRAINEE;<@U0LEAD|lead>\n"
        b"Lead@Example.com;head@example.com\n"
        b"\n"
        b"U0TRAINEE;U0LEAD\n"  # the same line again is fine
    )
    lines, errors = rules.parse_csv(data)
    assert errors == []
    assert [(line.line, line.person.value, line.manager.value) for line in lines] == [
        (2, "U0TRAINEE", "U0LEAD"),
        (3, "lead@example.com", "head@example.com"),
        (5, "U0TRAINEE", "U0LEAD"),
    ]
    assert rules.emails(lines) == ["lead@example.com", "head@example.com"]
    chart, problems = rules.resolve(lines, {"lead@example.com": "U0LEAD", "head@example.com": "U0HEAD"})
    assert problems == [] and chart == {"U0TRAINEE": "U0LEAD", "U0LEAD": "U0HEAD"}


def test_every_bad_line_is_reported_with_its_number_and_reason() -> None:
    data = (
        "person,manager\n"
        "U0A,U0B\n"
        "U0C\n"  # 3: one column
        "U0D,not an address\n"  # 4: unreadable
        "ghost@example.com,U0B\n"  # 5: nobody has that address
        "U0E,U0E\n"  # 6: own manager
        "U0A,U0F\n"  # 7: a second manager for U0A (line 2)
        "U0X,U0Y\n"  # 8 and 9: a loop
        "U0Y,U0X\n"
        "U0G,U0H,U0I\n"  # 10: three columns
    ).encode("cp1252")
    lines, errors = rules.parse_csv(data)
    _chart, more = rules.resolve(lines, {"ghost@example.com": None})
    found = sorted((e.line, e.key, tuple(sorted(e.params.items()))) for e in [*errors, *more])
    assert found == [
        (3, "columns", (("found", 1),)),
        (4, "unreadable", (("value", "not an address"),)),
        (5, "unknown_email", (("email", "ghost@example.com"),)),
        (6, "own_manager", ()),
        (7, "two_managers", (("other", 2),)),
        (8, "loop", (("lines", "9"),)),
        (9, "loop", (("lines", "8"),)),
        (10, "columns", (("found", 3),)),
    ]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"person,manager\n", "empty"),
        (b"\x00\x01binary", "not_text"),
        (b"U0A,U0B\n" * (rules.MAX_BYTES // 8 + 1), "too_big"),
    ],
)
def test_a_file_that_is_no_org_chart_is_refused_as_a_whole(data: bytes, key: str) -> None:
    lines, errors = rules.parse_csv(data)
    assert lines == [] and [e.key for e in errors] == [key] and errors[0].line == 0


@given(st.binary(max_size=400))
def test_any_bytes_give_lines_or_reasons_never_an_exception(data: bytes) -> None:
    lines, errors = rules.parse_csv(data)
    chart, more = rules.resolve(lines, dict.fromkeys(rules.emails(lines)))
    assert all(e.line >= 0 and e.key for e in [*errors, *more])
    assert all(person != manager for person, manager in chart.items())
