from __future__ import annotations

from datetime import date

from bot.domain import impact as rules


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


def test_a_pair_metric_is_the_mean_of_each_pairs_latest_value() -> None:
    d1, d2, d3, d4 = date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22)
    series = rules.program_series([(1, d1, 30.0), (2, d2, 20.0), (1, d3, 10.0)], pairs_min=1)
    assert series == [(d1, 30.0), (d2, 25.0), (d3, 15.0)]
    # by default nothing shows until three pairs reported: never one pair's value, nor two (one could subtract)
    rows = [(1, d1, 30.0), (2, d2, 20.0), (1, d3, 10.0), (3, d4, 30.0)]
    assert rules.program_series(rows[:3]) == [] and rules.program_series(rows) == [(d4, 20.0)]
    assert rules.program_series([(None, d1, 9.0), (None, d1, 8.0), (None, d2, 7.0)]) == [(d1, 8.0), (d2, 7.0)]


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
