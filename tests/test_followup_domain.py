"""Learning that lasts, pure: when the follow-up question comes (30 and 90 days after a pair ended, never a backlog),
what an answer must hold, what hosts read of the answers; retro themes; belonging and learning climate trended per
released pulse round with hidden rounds as gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import followup as rules
from bot.domain import impact, release
from bot.domain import retro as retro_rules
from bot.domain.release import Cell

END = datetime(2027, 2, 1, tzinfo=UTC)


def test_program_end_and_pair_end() -> None:
    ends = rules.program_end(date(2027, 1, 4), 4, "Europe/Berlin")
    assert ends is not None and ends.isoformat() == "2027-02-01T00:00:00+01:00"
    assert rules.program_end(None, 4, "UTC") is None
    early = END - timedelta(days=10)
    assert rules.pair_end(ended_at=None, program_ends=ends, now=ends - timedelta(seconds=1)) is None  # still running
    assert rules.pair_end(ended_at=None, program_ends=ends, now=ends) == ends
    assert rules.pair_end(ended_at=early, program_ends=ends, now=early) == early  # ended before the program did


def test_each_stage_once_the_newest_only_and_no_backlog() -> None:
    day = timedelta(days=1)
    assert rules.due_stage(END, asked=[], now=END + 29 * day) is None
    assert rules.due_stage(END, asked=[], now=END + 30 * day) == 30
    assert rules.due_stage(END, asked=[30], now=END + 31 * day) is None  # asked: never twice
    assert rules.due_stage(END, asked=[30], now=END + 90 * day) == 90
    assert rules.due_stage(END, asked=[], now=END + 95 * day) == 90  # the clock was off: the newest stage only
    assert rules.due_stage(END, asked=[], now=END + (90 + rules.LATE_DAYS) * day) is None  # too late: nothing
    assert rules.due_stage(END, asked=[30, 90], now=END + 91 * day) is None
    assert rules.due_stage(None, asked=[], now=END) is None


def test_next_moment_agrees_with_due_stage() -> None:
    day = timedelta(days=1)
    for offset in range(0, 140):
        now = END + offset * day
        for asked in ([], [30], [90], [30, 90]):
            stage = rules.due_stage(END, asked=asked, now=now)
            nxt = rules.next_moment(END, asked=asked, now=now)
            if stage is not None:
                assert nxt == now
            else:
                assert nxt is None or nxt > now
                if nxt is not None:  # nothing due before it, and due at it (unless asked meanwhile)
                    assert rules.due_stage(END, asked=asked, now=nxt) is not None


def test_the_release_goes_on_until_the_last_answers_settled() -> None:
    latest_answer = max(rules.DAYS) + rules.LATE_DAYS + rules.OPEN_DAYS  # days after the end
    assert latest_answer + 7 < release.TAIL_WEEKS * 7


def test_an_answer_needs_yes_partly_or_no_and_a_quote_needs_words() -> None:
    form, errors = rules.parse_form(
        {"answer": "partly", "text": "  Short videos \n for the team  ", "quote": ["quote_ok"]}
    )
    assert errors == {} and form == rules.Form("partly", "Short videos\n for the team", True)
    assert rules.parse_form({"answer": "", "text": "x"}) == (None, {"answer": "required"})
    assert rules.parse_form({"answer": "maybe"}) == (None, {"answer": "required"})
    assert rules.parse_form({"answer": "no", "quote": ["quote_ok"]}) == (None, {"quote": "quote_without_text"})
    assert rules.parse_form({"answer": "no", "text": "x" * (rules.TEXT_MAX + 1)}) == (None, {"text": "too_long"})
    assert rules.parse_form({"answer": "yes"}) == (rules.Form("yes", None, False), {})


def test_hosts_read_counts_from_released_cells_only() -> None:
    assert rules.counts(release.total([])) == rules.Counts()
    cells = [
        Cell("followup", date(2027, 3, 8), 3, 2.0, 3.0, {"yes": 2.0, "no": 1.0}),
        Cell("followup", date(2027, 3, 15), 4, 1.0, 4.0, {"yes": 1.0, "partly": 3.0}),
    ]
    counted = rules.counts(release.total(cells))
    assert (counted.yes, counted.partly, counted.no, counted.answers, counted.released) == (3, 3, 1, 7, True)
    kpis = impact.released(cells)
    assert (kpis.followups, kpis.followups_yes, kpis.followups_partly) == (7, 3, 3)
    assert kpis.still_in_use == 3 / 7


def _round(number: int, questions: dict[str, float] | None) -> Cell:
    if questions is None:  # hidden: the cell keeps only its number and threshold
        return Cell(
            f"pulse:{number}", date(2027, 1, 4) + timedelta(weeks=number), 0, 0, 0, {"number": number, "shown": False}
        )
    data = {
        "number": number,
        "shown": True,
        "mood": {"average": 4.0, "distribution": {}},
        "questions": {k: {"average": v, "distribution": {}} for k, v in questions.items()},
    }
    return Cell(f"pulse:{number}", date(2027, 1, 4) + timedelta(weeks=number), 5, 5, 6, data)


def test_belonging_and_learning_climate_are_trended_per_round_with_hidden_rounds_as_gaps() -> None:
    cells = [
        _round(1, {"belonging": 3.5, "learning_climate": 4.0}),
        _round(2, {"disagree_safely": 3.0, "talk_share": 4.0}),
        _round(3, None),  # asked belonging and learning climate (the rotation), too few answers
        _round(5, {"belonging": 4.25, "learning_climate": 3.75}),
    ]
    kpis = impact.released(cells)
    assert kpis.belonging == ((1, 3.5), (3, None), (5, 4.25))
    assert kpis.learning_climate == ((1, 4.0), (3, None), (5, 3.75))
    assert kpis.belonging_latest == 4.25 and kpis.learning_climate_latest == 3.75
    again = impact.Kpis.from_dict(kpis.as_dict())  # the weekly snapshot keeps them
    assert again.belonging == kpis.belonging and again.learning_climate == kpis.learning_climate
    rows = {r.key: r.value for r in impact.kpi_rows(kpis, day=date(2027, 3, 1))}
    assert rows["belonging_round_3"] is None and rows["belonging_round_5"] == 4.25
    assert "belonging_round_2" not in rows  # round 2 did not ask it: no gap, no value


def test_retro_themes_from_a_short_list_each_once_per_retro() -> None:
    form, errors = retro_rules.parse_form(
        {
            "went_well": "a",
            "learned": "b",
            "change": "c",
            "talk_share": "4",
            "themes": ["tools", "time", "tools", "salary"],
        }
    )
    assert errors == {} and form is not None and form.themes == ("time", "tools")  # the list's order; unknown: out
    assert retro_rules.retro_themes([["hierarchy", "time"], ["time"]]) == ["time", "hierarchy"]
    total = release.total([Cell("retros", date(2027, 2, 1), 3, 3, 3, {"theme_time": 2.0, "theme_other": 1.0})])
    agg = retro_rules.released(total, pairs=3, quotes_consented=0)
    assert agg.themes == {"time": 2, "tools": 0, "hierarchy": 0, "confidence": 0, "customers": 0, "other": 1}
