"""What CI checks of ``tandem demo`` beyond its own ``demo: OK``: its terminal output is short (one line per
chapter, with the messages Tandem sent in it); Pilot 2027's KPIs at the end, counted by hand; the pulse; the HTML
report; and the recorded calls, one valid Web API call a line.

The demo runs as its own CI step (``make demo-check``, see the Makefile), not inside pytest:

    tandem demo --record DIR/calls.jsonl --report DIR/report --transcript DIR/transcript.txt > DIR/demo.log
    python -m tests.check_demo DIR

It reads what the demo printed (at most 80 lines of at most 100 columns, a line per chapter, ending ``demo: OK``),
its transcript (whose narration notes the KPIs at the end, and whose summary counts the calls), the recording and
the report, and exits non-zero, naming each failed check, when one does not hold.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

from bot.sandbox.blockkit import validate_call

# Pilot 2027's KPIs at the end of the demo, counted by hand from the script in bot/demo.py. They are the figures of
# the last weekly release the demo sees, Monday 3 May (a week after the program's last week, the morning of the
# program retro): counts as they are, everything else from released cells of at least 5 people or pairs
# (bot.domain.release).
DEMO_KPIS = {
    "invited": 24,  # the 24 people of COHORT: 21 through #pilot-cohort, Kenji and Emma by name, Sofia signed up
    "onboarded": 24,  # 22 in chapter 2, Klaus and Noah (late joiners) in chapter 4
    "matched": 24,  # 11 pairs of 22 in chapter 3; Klaus and Noah with the two who switched
    "pairs": 12,  # 13 pairs ever, minus Ben and Grace's, which ended with the switch
    "pairs_ever": 13,
    # The week before 3 May follows the program's last week: nobody answered a prompt in it (on 26 April it was 11:
    # everyone answered week 12, except Joana and Olivia, quiet all along).
    "active_pairs": 0,
    # Partner prompts: 7 other first pairs x 12 weeks x 2 = 168; Ben and Grace's 3 weeks x 2 = 6; Joana and
    # Olivia's 24; the 2 late pairs 9 weeks (their weeks 1-9 are program weeks 4-12) x 2 = 36; Mia and Rui 10
    # weeks (2 skipped for Rui's holiday) x 2 = 20; Ana and Priya 10 weeks (2 cancelled) x 2 = 20. 274 in all, each
    # counted a week after it went out (week 12's on 26 April).
    "prompts": 274,
    # Answered within the week: the 7 other first pairs one partner a week in weeks 1, 2 and 4-12 (week 3 falls
    # between chapters 4 and 5) = 7 x 11; Ben and Grace weeks 1-3 = 3, but Ben answered week 3 on 22 February at
    # 16:00 UTC, a week and two hours after its prompt (15 February, 14:00 UTC): it counts as not answered in time;
    # Joana and Olivia 0; the late pairs 2 x 9; Mia and Rui and Ana and Priya each one partner in weeks 1, 2 and 12
    # and both in their 6 weeks followed in chapter 5 = 2 x 15.
    "answered": 77 + 2 + 18 + 30,
    # Agreements count two weeks after matching: the 11 pairs of 14 January, all accepted the same day (released 8
    # February). The 2 late pairs' (matched 18 February) count on 4 March: two pairs, fewer than 5, and no later pair
    # joins them, so they are never released.
    "agreements": 11,
    "agreements_accepted": 11,
    "goals": 2,  # Mia and Rui's, Ana and Priya's (released 22 February with the 12 active pairs)
    "goals_done": 1,  # Mia marks hers done in the last week of chapter 5
    # The 11 first pairs' trial check-ins closed on 16-17 February (released 22 February); the 2 late pairs' on 23
    # March: two, fewer than 5, never released.
    "trial_checks": 11,
    "switches": 1,  # Ben asked to switch
    # Retros count two weeks after they opened. Released by 3 May: the first cycle's 10 (opened 25 February, 11
    # March, released 15 March) and the second cycle's 10 with the late pairs' first 2 (opened 18-25 March,
    # released 12 April) = 22. The finals of 22 April count on 6 May, after the last release the demo sees.
    "retros": 10 + 12,
    # Filled in by both within the two weeks (the demo fills them at 11:00 UTC, before 10:00 in New York): the first
    # cycle, Ana and Priya and the 5 other first pairs without a New York partner = 6 (the 2 New York pairs filled
    # theirs four weeks later, too late); the second cycle, Mia and Rui, Ana and Priya, those 5, and the 2 late pairs'
    # first = 9 (again the New York pairs four weeks later).
    "retros_done": 6 + 9,
}

MOOD = {1: 3.8, 2: 3.67, 4: 4.23, 5: 4.05}  # the scripted answers' averages; round 3 (three answers) stays hidden
PULSE_RATE = 22 / 24  # 22 of 24 answered round 5
METHODS = {"auth.test", "users.info", "views.publish", "views.open", "chat.postMessage"}
CHAPTER_LINE = re.compile(r"^✓ (\d+)/8 .+ · (\d+) messages(?: \((.+)\))? · \d+\.\d s$", re.M)
MAX_LINES, MAX_COLUMNS = 80, 100  # two screens
KPI_NOTE = re.compile(r"^\s*\(KPIs at the end: (\{.*\})\)\s*$", re.M)
CALLS = re.compile(r"^Web API calls: (\d+) \(", re.M)


def problems(out: Path) -> list[str]:
    """Every check that does not hold for the demo's output in ``out`` (demo.log, transcript.txt, calls.jsonl,
    report/)."""
    found: list[str] = []
    printed = (out / "demo.log").read_text(encoding="utf-8").rstrip().splitlines()
    if printed[-1:] != ["demo: OK"]:
        found.append("the demo did not end with 'demo: OK'")
    if len(printed) > MAX_LINES:
        found.append(f"the demo printed {len(printed)} lines, more than {MAX_LINES}")
    wide = [i for i, line in enumerate(printed, 1) if len(line) > MAX_COLUMNS]
    if wide:
        found.append(f"the demo printed lines wider than {MAX_COLUMNS} columns: {wide}")
    chapters = CHAPTER_LINE.findall("\n".join(printed))
    if [int(n) for n, _count, _by in chapters] != list(range(1, 9)):
        found.append(f"the demo printed a line for chapters {[int(n) for n, _c, _b in chapters]}, not 1 to 8 in order")
    found += [f"chapter {n}: Tandem sent no message" for n, count, _by in chapters if int(count) == 0]

    log = (out / "transcript.txt").read_text(encoding="utf-8")
    notes = KPI_NOTE.findall(log)
    if len(notes) != 1:
        return [*found, f"the demo noted its KPIs at the end {len(notes)} times, not once"]
    kpis: dict[str, Any] = ast.literal_eval(notes[0])
    got = {k: kpis.get(k) for k in DEMO_KPIS}
    found += [f"KPI {k}: {got[k]!r}, expected {v!r}" for k, v in DEMO_KPIS.items() if got[k] != v]
    mood = {int(n): average for n, average in kpis.get("mood") or []}
    if mood.get(3, "missing") is not None:
        found.append(f"pulse round 3 is not hidden: {mood.get(3, 'missing')!r}")
    shown = {n: round(mood[n], 2) if mood.get(n) is not None else None for n in MOOD}
    if shown != MOOD:
        found.append(f"pulse averages {shown}, expected {MOOD}")
    if kpis.get("pulse_rate") != PULSE_RATE:
        found.append(f"pulse rate {kpis.get('pulse_rate')!r}, expected {PULSE_RATE!r}")

    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    if "Host dashboard" not in html or 'src="files/' not in html:
        found.append("the report has no host dashboard or no images")
    if not re.search(r"mood-trend-pilot-2027\.t\d+-\d+\.png", html):  # the name carries the idempotency key
        found.append("the report has no mood trend named by its idempotency key")

    lines = [json.loads(line) for line in (out / "calls.jsonl").read_text(encoding="utf-8").splitlines()]
    calls = CALLS.findall(log)
    if not lines or calls != [str(len(lines))]:
        found.append(f"{len(lines)} recorded calls, the demo counted {calls}")
    if not all(set(line) == {"method", "args"} for line in lines):
        found.append("a recorded line is not exactly {method, args}")
    for i, line in enumerate(lines, 1):
        found += [f"call {i} {line.get('method')}: {p}" for p in validate_call(line.get("method"), line.get("args"))]
    missing = METHODS - {line.get("method") for line in lines}
    if missing:
        found.append(f"no call of {sorted(missing)}")
    return found


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "demo-out")
    found = problems(out)
    for problem in found:
        print(f"check_demo: {problem}")
    print("check_demo: FAILED" if found else f"check_demo: OK ({out})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
