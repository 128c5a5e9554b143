from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import retro as rules
from bot.domain import rhythm as rhythm_rules


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


ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Santiago", "Asia/Tokyo")


@settings(max_examples=300, deadline=None)
@given(
    weekday=st.integers(0, 6),
    rhythm=st.sampled_from(["weekly", "biweekly"]),
    weeks=st.integers(1, 30),
    every=st.integers(0, 8),
    started=st.dates(date(2026, 1, 1), date(2029, 1, 1)),
    zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    opened=st.integers(0, 12),
    offset=st.timedeltas(timedelta(days=-20), timedelta(days=450)),
    fractions=st.lists(st.floats(0, 1), max_size=6),
)
def test_next_moment_is_when_due_next_names_a_cycle(
    weekday: int,
    rhythm: str,
    weeks: int,
    every: int,
    started: date,
    zones: tuple[str, str],
    opened: int,
    offset: timedelta,
    fractions: list[float],
) -> None:
    sched = rhythm_rules.schedule(
        weekday=weekday, hour=9, rhythm=rhythm, duration_weeks=weeks, program_start=None, started_on=started
    )
    cycles = rules.cycles(sched.weeks, every)
    now = datetime.combine(sched.first_day, time(0), tzinfo=UTC) + offset
    moment = rules.next_moment(cycles, day_of=sched.day, zones=zones, opened=opened)

    def due(at: datetime) -> bool:
        return rules.due(cycles, day_of=sched.day, zones=zones, opened=opened, now=at) is not None

    if moment is None:
        assert not any(due(now + timedelta(days=d)) for d in range(0, 900, 13))
        return
    gap = moment - now
    before = [now, moment - timedelta(microseconds=1), moment - timedelta(hours=1), *(now + gap * f for f in fractions)]
    assert not any(due(at) for at in before if now <= at < moment)
    assert due(moment)


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
    assert rules.talk_balance(agg.talk_share) == {"balanced": 2, "mixed": 0, "one_sided": 1}
    assert rules.report_moment(date(2027, 3, 1), "Europe/Berlin") == datetime(2027, 3, 8, 8, tzinfo=UTC)


def test_program_report_shows_the_mood_trend_with_hidden_rounds_and_the_shown_rounds_response_rate() -> None:
    from bot.blocks import retro as blocks
    from bot.domain import polls

    def shown(number: int, moods: list[int], asked: int) -> polls.Result:
        return polls.result(
            number=number, threshold=5, asked=asked, responses=[(m, {}, None) for m in moods], questions=[]
        )

    mood = [shown(1, [4, 4, 3, 5, 4], 10), shown(2, [2, 3], 10), shown(3, [5, 4, 4, 4, 3, 4], 8)]
    totals = rules.aggregate(pairs=4, opened=4, done=3, shares=[5, 4, 2], changes=2, quotes_consented=0)
    for locale, trend, rate in (
        ("en", "1: 4.0 → 2: hidden → 3: 4.0", "62%"),
        ("de", "1: 4,0 → 2: ausgeblendet → 3: 4,0", "62\u00a0%"),
    ):
        report = blocks.program_report(locale, program="Pilot", active=4, totals=totals, mood=mood, quotes=[])
        text = json.dumps(report, ensure_ascii=False)
        assert trend in text
        # rounds 1 and 3 shown, answered by 50% and 75%: 62.5% on average, rounded half to even
        assert ("2 of 3 rounds" if locale == "en" else "2 von 3 Runden") in text and rate in text
    empty = str(blocks.program_report("en", program="Pilot", active=0, totals=totals, mood=[], quotes=[]))
    assert "no pulse yet" in empty
