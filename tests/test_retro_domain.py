from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import retro as rules


def test_cycles_end_every_n_weeks_and_at_the_program_end() -> None:
    assert [(c.number, c.last_week, c.final) for c in rules.cycles(10, 4)] == [
        (1, 4, False),
        (2, 8, False),
        (3, 10, True),
    ]
    assert [(c.last_week, c.final) for c in rules.cycles(8, 4)] == [(4, False), (8, True)]
    assert rules.cycles(0, 4) == []
    assert [c.last_week for c in rules.cycles(3, 0)] == [1, 2, 3]  # a nonsense length counts as 1


def test_retro_is_due_three_days_after_the_cycles_last_week_at_the_later_partners_morning() -> None:
    monday = date(2027, 2, 1)
    # Thursday 10:00 Berlin (09:00 UTC) and 10:00 Lisbon (10:00 UTC): the later one
    assert rules.due_moment(monday, ["Europe/Berlin", "Europe/Lisbon"]) == datetime(2027, 2, 4, 10, tzinfo=UTC)
    cycles = rules.cycles(8, 4)
    day_of = lambda n: monday + timedelta(weeks=n - 4)  # noqa: E731
    zones = ["Europe/Berlin"]
    assert rules.due(cycles, day_of=day_of, zones=zones, opened=0, now=datetime(2027, 2, 4, 8, 59, tzinfo=UTC)) is None
    due = rules.due(cycles, day_of=day_of, zones=zones, opened=0, now=datetime(2027, 2, 4, 9, tzinfo=UTC))
    assert due is not None and due.number == 1
    assert rules.due(cycles, day_of=day_of, zones=zones, opened=1, now=datetime(2027, 2, 4, 9, tzinfo=UTC)) is None
    # the clock was down over two due moments: only the newest opens
    late = rules.due(cycles, day_of=day_of, zones=zones, opened=0, now=datetime(2027, 4, 1, tzinfo=UTC))
    assert late is not None and (late.number, late.final) == (2, True)


def test_form_rejects_empty_long_and_bad_talk_share_and_keeps_a_clean_form() -> None:
    form, errors = rules.parse_form({"went_well": " ", "learned": "x" * 1001, "change": "c", "talk_share": "9"})
    assert form is None and errors == {"went_well": "required", "learned": "too_long", "talk_share": "talk_share"}
    form, errors = rules.parse_form(
        {"went_well": " a ", "learned": "b", "change": "c", "talk_share": "4", "quote": "q" * 281}
    )
    assert form is None and errors == {"quote": "too_long"}
    form, errors = rules.parse_form({"went_well": "a", "learned": "b", "change": "c", "talk_share": "5", "quote": ""})
    assert errors == {} and form == rules.Form("a", "b", "c", 5, None)
    assert rules.parse_every("4") == 4 and rules.parse_every("0") is None and rules.parse_every("x") is None


def test_a_quote_needs_both_consents_and_one_no_is_final() -> None:
    t = datetime(2027, 2, 4, tzinfo=UTC)
    assert rules.consent_state(author_at=None, partner_at=None, declined_at=None) == "waiting_both"
    assert rules.consent_state(author_at=t, partner_at=None, declined_at=None) == "waiting_partner"
    assert rules.consent_state(author_at=None, partner_at=t, declined_at=None) == "waiting_author"
    assert rules.consented(author_at=t, partner_at=t, declined_at=None)
    assert not rules.consented(author_at=t, partner_at=None, declined_at=None)
    assert not rules.consented(author_at=t, partner_at=t, declined_at=t)
    assert rules.consent_state(author_at=t, partner_at=t, declined_at=t) == "declined"


def test_aggregates_are_counts_only() -> None:
    agg = rules.aggregate(pairs=2, opened=3, done=1, shares=[5, 4, 1, 9], changes=3, quotes_consented=1)
    assert agg.talk_share == {1: 1, 2: 0, 3: 0, 4: 1, 5: 1} and agg.answers == 3
    assert rules.balance_themes(agg.talk_share) == {"balanced": 2, "mixed": 0, "one_sided": 1}
    assert rules.report_moment(date(2027, 3, 1), "Europe/Berlin") == datetime(2027, 3, 8, 8, tzinfo=UTC)
