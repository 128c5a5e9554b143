"""Chart benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/charts.py [--repeat 20]

For each chart type (bot.charts) in a small and a large case: the median, fastest and slowest time to render (PNG
bytes included) over ``--repeat`` runs after one warm-up run (the first run loads fonts), the PNG size in bytes, the
alt text's length, and whether two renders gave the same bytes. The weekly digest renders a funnel, a mood trend and
one chart per metric for each program, so these numbers say how long a digest run spends drawing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib

from bench.common import repeated
from bot import charts

START = date(2027, 1, 4)


def _mood(rounds: int) -> list[tuple[int, float | None]]:
    return [(n, None if n % 5 == 0 else round(3.0 + (n % 4) * 0.4, 1)) for n in range(1, rounds + 1)]


def _values(count: int) -> list[tuple[date, float]]:
    return [(START + timedelta(weeks=i), 12.0 - 0.05 * i + (i % 3) * 0.4) for i in range(count)]


CASES: list[tuple[str, Callable[[], charts.Chart]]] = [
    ("mood_trend, 3 rounds", lambda: charts.mood_trend(_mood(3), locale="en", program="Pilot 2027", threshold=5)),
    ("mood_trend, 100 rounds", lambda: charts.mood_trend(_mood(100), locale="de", program="Pilot 2027", threshold=5)),
    (
        "funnel, 4 stages",
        lambda: charts.funnel(
            [("invited", 240), ("onboarded", 221), ("matched", 214), ("active", 168)], locale="en", program="Pilot 2027"
        ),
    ),
    (
        "metric, 3 values",
        lambda: charts.metric(
            name="Approval lead time",
            unit="days",
            values=_values(3),
            baseline=12,
            target_low=None,
            target_high=5,
            locale="en",
            program="Pilot 2027",
        ),
    ),
    (
        "metric, 150 values",
        lambda: charts.metric(
            name="Approval lead time",
            unit="days",
            values=_values(150),
            baseline=12,
            target_low=4,
            target_high=6,
            locale="de",
            program="Pilot 2027",
        ),
    ),
    ("empty (no data yet)", lambda: charts.mood_trend([], locale="en", program="Pilot 2027", threshold=5)),
]


def measure(render: Callable[[], charts.Chart], repeat: int) -> tuple[list[float], charts.Chart, bool]:
    first = render()  # warm-up: font cache and template loading
    seconds, last = repeated(render, repeat) if repeat else ([], first)
    return seconds, last, last.png == first.png


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="timed renders per case (the median is reported)")
    args = parser.parse_args(argv)
    print(
        f"chart benchmark: {args.repeat} renders per case, {charts.WIDTH:g}x{charts.HEIGHT:g} in at {charts.DPI} dpi,"
        f" matplotlib {matplotlib.__version__}, python {sys.version.split()[0]}"
    )
    head = ("median ms", "min ms", "max ms", "PNG bytes", "alt chars")
    print(f"    {'case':<24} {head[0]:>10} {head[1]:>8} {head[2]:>8} {head[3]:>10} {head[4]:>10}  same bytes")
    for name, render in CASES:
        seconds, chart, same = measure(render, args.repeat)
        print(
            f"    {name:<24} {statistics.median(seconds) * 1000:>10.1f} {min(seconds) * 1000:>8.1f}"
            f" {max(seconds) * 1000:>8.1f} {len(chart.png):>10} {len(chart.alt_text):>10}  {same}"
        )


if __name__ == "__main__":
    main()
