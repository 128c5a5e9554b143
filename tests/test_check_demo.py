"""The demo's CI check (tests/check_demo.py, run after ``tandem demo`` in ``make demo-check``) passes output that
holds what it checks and names each thing that does not."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.demo import chapter_line
from tests import check_demo

CALLS = [
    {"method": "auth.test", "args": {}},
    {"method": "users.info", "args": {"user": "U1"}},
    {"method": "views.publish", "args": {"user_id": "U1", "view": {"type": "home", "blocks": []}}},
    {
        "method": "views.open",
        "args": {
            "trigger_id": "1.2",
            "view": {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []},
        },
    },
    {"method": "chat.postMessage", "args": {"channel": "C1", "text": "hi"}},
]
REPORT = '<h2>Host dashboard</h2><img src="files/mood-trend-pilot-2027.t3-20270503.png">'


def _kpis() -> dict:
    mood = [[1, 3.8], [2, 3.667], [3, None], [4, 4.2345], [5, 4.05]]
    return {**check_demo.DEMO_KPIS, "mood": mood, "pulse_rate": 22 / 24, "released_on": "2027-05-03"}


def _chapters(counts: tuple[int, ...] = (9,) * 8) -> list[str]:
    return [chapter_line(n, f"Chapter {n}", Counter(en=count), 1.25) for n, count in enumerate(counts, 1)]


def _write(
    out: Path,
    *,
    kpis: dict,
    calls: list[dict],
    counted: int,
    last: str = "demo: OK",
    report: str = REPORT,
    printed: list[str] | None = None,
):
    (out / "report").mkdir(parents=True, exist_ok=True)
    (out / "report" / "index.html").write_text(report)
    (out / "calls.jsonl").write_text("".join(json.dumps(c) + "\n" for c in calls))
    note = f"    (KPIs at the end: {kpis!r})"
    (out / "transcript.txt").write_text(
        f"=== Monday 03 May 2027 ===\n{note}\n\nWeb API calls: {counted} (auth.test 1)\ndemo: OK\n"
    )
    lines = ["Tandem demo: ...", *(_chapters() if printed is None else printed), "", "Checks: ...", last]
    (out / "demo.log").write_text("\n".join(lines) + "\n")
    return out


def test_output_that_holds_every_check_passes(tmp_path: Path) -> None:
    out = _write(tmp_path, kpis=_kpis(), calls=CALLS, counted=len(CALLS))
    assert check_demo.problems(out) == []
    assert check_demo.main(["check_demo", str(out)]) == 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"last": "demo: FAILED"}, "did not end with 'demo: OK'"),
        ({"printed": _chapters() + ["more"] * 72}, "printed 84 lines, more than 80"),
        ({"printed": [*_chapters(), "x" * 101]}, "wider than 100 columns: [10]"),
        ({"printed": _chapters()[:7]}, "chapters [1, 2, 3, 4, 5, 6, 7], not 1 to 8"),
        ({"printed": _chapters((9, 9, 0, 9, 9, 9, 9, 9))}, "chapter 3: Tandem sent no message"),
        ({"kpis": {**_kpis(), "matched": 23}}, "KPI matched: 23, expected 24"),
        ({"kpis": {**_kpis(), "mood": [[1, 3.8], [2, 3.667], [3, 2.0], [4, 4.2345], [5, 4.05]]}}, "round 3 is not"),
        ({"kpis": {**_kpis(), "mood": [[1, 3.8], [2, 3.6], [3, None], [4, 4.2345], [5, 4.05]]}}, "pulse averages"),
        ({"kpis": {**_kpis(), "pulse_rate": 21 / 24}}, "pulse rate"),
        ({"report": REPORT.replace("Host dashboard", "Dashboard")}, "no host dashboard or no images"),
        ({"report": '<h2>Host dashboard</h2><img src="files/mood.png">'}, "no mood trend"),
        ({"counted": len(CALLS) + 1}, "recorded calls, the demo counted"),
        (
            {"calls": [*CALLS, {"method": "chat.postMessage", "args": {"text": "hi"}}], "counted": len(CALLS) + 1},
            "missing required argument",
        ),
        (
            {"calls": [*CALLS[:-1], {"method": "chat.postMessage", "args": {"channel": "C1", "text": "hi"}, "at": 1}]},
            "exactly",
        ),
        ({"calls": CALLS[:-1], "counted": len(CALLS) - 1}, "no call of ['chat.postMessage']"),
    ],
)
def test_each_check_that_fails_is_named(tmp_path: Path, change: dict, named: str) -> None:
    values = {"kpis": _kpis(), "calls": CALLS, "counted": len(CALLS), **change}
    out = _write(tmp_path, **values)
    found = check_demo.problems(out)
    assert len(found) == 1 and named in found[0], found
    assert check_demo.main(["check_demo", str(out)]) == 1
