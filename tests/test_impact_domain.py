from __future__ import annotations

from datetime import date

from bot.domain import impact as rules
from bot.domain import release


def test_numbers_as_people_type_them() -> None:
    assert rules.parse_number("12") == 12 and rules.parse_number(" 7,5 ") == 7.5 and rules.parse_number("7.5") == 7.5
    assert rules.parse_number("1 200") == 1200 and rules.parse_number("-3") == -3
    for bad in ("", None, "twelve", "1,2,3", "nan", "inf", "1e12"):
        assert rules.parse_number(bad) is None, bad


def test_metric_form_names_every_problem_and_accepts_an_open_bound() -> None:
    spec, errors = rules.parse_metric({"name": " ", "baseline": "x", "reporter": "boss"})
    assert spec is None and errors == {
        "name": "required",
        "baseline": "number",
        "target_low": "target_missing",
        "reporter": "reporter",
    }
    _, errors = rules.parse_metric(
        {"name": "Lead time", "baseline": "12", "target_low": "9", "target_high": "5", "reporter": "host"}
    )
    assert errors == {"target_high": "target_order"}
    _, errors = rules.parse_metric(
        {"name": "lead TIME", "baseline": "1", "target_low": "2", "reporter": "host"}, taken=["Lead time"]
    )
    assert errors == {"name": "taken"}
    spec, errors = rules.parse_metric(
        {"name": "  Lead   time ", "unit": "days", "baseline": "12", "target_high": "5", "reporter": "pair"}
    )
    assert not errors and spec == rules.MetricSpec("Lead time", "days", 12.0, None, 5.0, "pair")


def test_logged_values_are_numbers_on_days_that_have_come() -> None:
    today = date(2027, 3, 1)
    assert rules.parse_value("3,5", "", today=today, earliest=None) == ((3.5, today), {})
    assert rules.parse_value("x", "2027-03-02", today=today, earliest=None)[1] == {"value": "number", "day": "future"}
    assert rules.parse_value("1", "2027-01-01", today=today, earliest=date(2027, 2, 1))[1] == {"day": "early"}
    assert rules.parse_value("1", "soon", today=today, earliest=None)[1] == {"day": "day"}


def test_status_follows_the_direction_from_baseline_to_target() -> None:
    day = date(2027, 3, 1)
    lower = {"baseline": 12.0, "low": None, "high": 5.0}  # lead time: down is better
    assert rules.better_direction(12, None, 5) == -1 and rules.better_direction(2, 10, None) == +1
    assert rules.status([], **lower).state == "no_data"
    assert rules.status([(day, 9.5)], **lower).state == "toward"
    assert rules.status([(day, 14.0)], **lower).state == "away"
    assert rules.status([(day, 12.0)], **lower).state == "flat"
    on = rules.status([(date(2027, 2, 1), 20.0), (day, 5.0)], **lower)
    assert (on.state, on.latest, on.latest_day, on.change) == ("on_target", 5.0, day, -7.0)
    assert rules.status([(day, 11.0)], baseline=2.0, low=10.0, high=12.0).state == "on_target"


def test_a_hosts_metric_shows_as_logged_the_latest_per_day() -> None:
    d1, d2 = date(2027, 3, 1), date(2027, 3, 8)
    assert rules.host_series([(d1, 9.0), (d1, 8.0), (d2, 7.0)]) == [(d1, 8.0), (d2, 7.0)]


def test_kpis_come_from_released_cells_only() -> None:
    day1, day2 = date(2027, 3, 1), date(2027, 3, 8)
    cells = [
        release.Cell(release.PROMPTS, day1, 5, num=3, den=6),
        release.Cell(release.PROMPTS, day2, 4, num=4, den=4),
        release.Cell(release.ACTIVE, day1, 4, num=2, den=4),
        release.Cell(release.ACTIVE, day2, 4, num=3, den=4),
        release.Cell(release.GOALS, day2, 4, num=2, den=4, data={"done": 1.0}),
        release.Cell(release.AGREEMENTS, day1, 4, num=3, den=4),
        release.Cell(f"{release.PULSE}1", day1, 0, 0, 0, {"number": 1, "threshold": 5, "shown": False}),
        release.Cell(
            f"{release.PULSE}2",
            day2,
            5,
            5,
            6,
            {"number": 2, "threshold": 5, "shown": True, "asked": 6, "answered": 5, "mood": {"average": 3.6}},
        ),
    ]
    kpis = rules.released(cells, invited=9, onboarded=8, matched=8, pairs=4, pairs_ever=4, released_on=day2)
    assert (kpis.invited, kpis.matched, kpis.released_on) == (9, 8, day2)  # counts as given
    assert (kpis.prompts, kpis.answered, kpis.response_rate) == (10, 7, 0.7)  # the cells summed
    assert kpis.active_pairs == 3  # the latest cell's
    assert (kpis.goals, kpis.goals_done, kpis.agreement_rate) == (2, 1, 0.75)
    assert kpis.mood == ((1, None), (2, 3.6)) and kpis.pulse_rate == 5 / 6
    # nothing released: no number, "not enough reports yet"
    empty = rules.released([], invited=3)
    assert empty.active_pairs is None and empty.goals is None and empty.response_rate is None
    assert empty.retro_completion is None and empty.mood_latest is None and empty.invited == 3
    assert rules.funnel(empty) == [("invited", 3), ("onboarded", 0), ("matched", 0)]


def test_kpis_rates_lines_and_notable_changes() -> None:
    before = rules.Kpis(
        invited=10,
        onboarded=8,
        matched=8,
        pairs=4,
        active_pairs=2,
        prompts=8,
        answered=4,
        trial_checks=4,
        switches=0,
        mood=((1, 3.5),),
        pulse_rate=0.6,
        retros=4,
        retros_done=1,
    )
    now = rules.Kpis(
        invited=10,
        onboarded=8,
        matched=8,
        pairs=4,
        active_pairs=4,
        prompts=16,
        answered=12,
        trial_checks=4,
        switches=1,
        mood=((1, 3.5), (2, None), (3, 3.9)),
        pulse_rate=0.7,
        retros=4,
        retros_done=3,
        released_on=date(2027, 3, 8),
    )
    assert now.response_rate == 0.75 and now.switch_rate == 0.25 and now.mood_latest == 3.9
    assert rules.Kpis().response_rate is None and rules.Kpis().mood_latest is None
    assert rules.Kpis.from_dict(now.as_dict()) == now
    lines = {line.key: line for line in rules.lines(now, before)}
    assert lines["active_pairs"].direction == "up" and lines["active_pairs"].better and lines["active_pairs"].notable
    assert lines["switch_rate"].direction == "up" and lines["switch_rate"].better is False  # lower is better
    assert lines["invited"].direction == "same" and not lines["invited"].notable
    assert lines["pulse_rate"].notable and lines["mood_latest"].notable  # 10 points; 0.4 of 5
    assert lines["retro_completion"].value == 0.75 and lines["retro_completion"].previous == 0.25
    assert all(line.direction == "new" for line in rules.lines(now))
    assert rules.funnel(now) == [("invited", 10), ("onboarded", 8), ("matched", 8), ("active", 8)]


def test_export_rows_have_no_value_for_a_hidden_round() -> None:
    kpis = rules.Kpis(mood=((1, 3.8), (2, None)))
    rows = {r.key: r for r in rules.kpi_rows(kpis, day=date(2027, 3, 1))}
    assert rows["mood_round_1"].value == 3.8 and rows["mood_round_2"].value is None


def test_a_streak_counts_answered_weeks_back_from_the_latest_prompted() -> None:
    # (week id, status), latest first; answered: the weeks a partner answered by now
    assert rules.streak([(5, "closed"), (4, "closed"), (3, "closed")], {5, 4, 3}) == 3
    assert rules.streak([(5, "closed"), (4, "closed"), (3, "closed")], {5, 3}) == 1  # week 4 unanswered: it ends
    assert rules.streak([(5, "open"), (4, "closed"), (3, "closed")], {4, 3}) == 2  # the open week has time left
    assert rules.streak([(5, "closed"), (4, "open"), (3, "closed")], {5, 3}) == 1  # only the latest week is open
    assert rules.streak([(5, "skipped"), (4, "cancelled"), (3, "closed"), (2, "missed")], {3}) == 1
    assert rules.streak([(5, "skipped"), (4, "open")], set()) == 0  # time left only for the latest week
    assert rules.streak([], set()) == 0


def test_the_digest_asks_the_hosts_a_new_question_each_week_then_starts_again() -> None:
    start = date(2027, 1, 11)
    weeks = [rules.reflection(start, date.fromordinal(start.toordinal() + 7 * n)) for n in range(8)]
    assert weeks == [1, 2, 3, 4, 5, 6, 1, 2] and rules.REFLECTIONS == 6
    assert rules.reflection(start, date(2027, 1, 17)) == 1  # the rest of the first week
    assert rules.reflection(start, date(2027, 1, 4)) == 1  # a digest before the start asks the first
