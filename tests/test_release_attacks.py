"""The differencing attacker (issue 16, item 2): a host or participant who reads every figure a surface shows, as
often as they like, over a scripted program, and subtracts. Nothing they read may determine one pair's or one
person's contribution.

How the attacker is played. A scripted timeline (``_timeline``) runs at the service level on the real database:
pairs log a metric on different days (three on a Monday, a fourth on Tuesday), a pair that joins late, people
answer focus prompts on different days, goals, agreements and trial check-ins settle one by one, partners fill in
retros on different days, a pulse round with enough answers and one with too few, and a second cohort on the same
topic path. The weekly release job runs on its date (``impact.weekly_due``), and the attacker reads each surface
daily and after each release: the dashboard, App Home for hosts and for a participant, the weekly digest and its
charts, the export (CSV and Markdown), the pulse results, the retro counts and the program retro, cohorts side by
side. Every number they read is a figure.

The attacker is assumed to know who contributed to which figure. We find that out the way it could be found out:
the timeline runs once with base values and once more per contribution with only that contribution changed; a
figure *depends* on the contributions whose change changes it. Each figure is a mean (or a count, a rate) with equal
weights over what it depends on, so it is one linear equation ``sum of x_i over its contributions``; a contribution
is determined when its unit vector lies in the row space of those equations (numpy's matrix rank). A histogram
(how many gave each rating) is one figure over all who rated; a line that comes and goes with the figures (a
notable change) repeats figures shown anyway and is no equation of its own.

On the code before the release rule the attacker determines contributions on the dashboard, App Home for hosts, the
digest, its charts, both exports, the retro counts and cohorts side by side (the Tuesday pair's metric value, single
answers, goals, agreements, switches, one partner's talk share); with it, on none. Pulse results (each round was
already its own window) and a participant's App Home (no figure built from others) held before and hold now.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import charts
from bot.blocks import home as home_blocks
from bot.blocks import impact as impact_blocks
from bot.blocks import polls as poll_blocks
from bot.blocks import retro as retro_blocks
from bot.db import make_engine, make_session_factory
from bot.models import (
    Agreement,
    Cancellation,
    Enrollment,
    EnrollmentStatus,
    Goal,
    HostRoleRow,
    Metric,
    MetricValue,
    OutboxMessage,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    Retro,
    RetroAnswer,
    TrialCheck,
    WeekPartner,
    Workspace,
)
from bot.services import home, impact, polls, release, retros
from tests.conftest import backends

UTC0 = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # Monday 4 January 2027, 08:00 in Berlin: the programs start today
START = date(2027, 1, 4)
HOST = "UHOST0001"
BIG = 2520.0  # a metric value's change: divisible by every count of pairs up to 10, so means change visibly


def at(day: int, hour: int = 10) -> datetime:
    """``day`` days after the start (0: Monday 4 January), at ``hour`` UTC."""
    return UTC0.replace(hour=hour) + timedelta(days=day)


# -- the contributions the attacker is after: (name, base value, changed value) ------------------------------------
CONTRIBUTIONS: list[tuple[str, Any, Any]] = [
    # a pair-reported metric of program A: three pairs on Monday 11th, a fourth on Tuesday, then P0 again and P4,
    # and P6, a pair matched late
    ("m0", 30.0, 30.0 + BIG),
    ("m1", 24.0, 24.0 + BIG),
    ("m2", 27.0, 27.0 + BIG),
    ("m3", 21.0, 21.0 + BIG),
    ("m4", 18.0, 18.0 + BIG),
    ("m5", 25.0, 25.0 + BIG),
    ("m6", 29.0, 29.0 + BIG),
    # week 1's focus prompt, answered or not by one partner of each pair, each on a day of its own (program A: P0-P3,
    # the second cohort B: Q0-Q2; the other partners never answer)
    ("a0", True, False),
    ("a1", False, True),
    ("a2", True, False),
    ("a3", False, True),
    ("b0", True, False),
    ("b1", False, True),
    ("b2", True, False),
    # a goal done, an agreement accepted, a switch after the trial: one pair at a time
    ("g0", True, False),
    ("g1", False, True),
    ("ag0", True, False),
    ("ag1", False, True),
    ("s0", False, True),
    ("s1", True, False),
    # retro talk shares: P0's first partner on Monday 18th, P1's partners on the 19th and the 20th
    ("t0a", 4, 1),
    ("t1a", 3, 1),
    ("t1b", 5, 1),
    # the pulse: round 1 (three answers, the threshold), round 2 (one answer: hidden)
    ("r0", 4, 1),
    ("r1", 3, 5),
    ("r2", 5, 2),
    ("r3", 2, 5),
    # late cancellations (how many weeks a person cancelled at short notice), which hosts see only by side, each on a
    # day of its own in the same week: P0's and P2's context partners in program A (each side four people), and Q1's
    # context partner in the second cohort, whose context side is Q0b and Q1b only (Q2's partners both bring both):
    # with fewer than the threshold there, its cells are never split by side
    ("c0", 0, 1),
    ("c2", 1, 0),
    ("c3", 0, 1),
]
NAMES = [name for name, _, _ in CONTRIBUTIONS]
# what the participant who reads App Home (P0's first partner) knows anyway: their own and their pair's
OWN = {"m0", "m4", "a0", "g0", "ag0", "s0", "t0a"}


@dataclass
class World:
    s: Session
    ws: Workspace
    a: Program
    b: Program
    people: dict[str, Participant] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)
    metric: dict[str, Metric] = field(default_factory=dict)


# who brings what: each pair's "a" partner the digital side, "b" the context side, except these, who both bring both
# (two of them take no side: in program A the four of P4 and P5; in the second cohort Q2's two, which leaves each of
# its sides two people, fewer than the threshold)
ROLES = {"P4a": "both", "P4b": "both", "P5a": "both", "P5b": "both", "Q2a": "both", "Q2b": "both", "host": None}


def _person(w: World, key: str, now: datetime) -> Participant:
    p = Participant(
        workspace_id=w.ws.id,
        slack_user_id=f"U{key.upper():0>8}",
        display_name=key,
        role=ROLES.get(key, {"a": "digital", "b": "context"}.get(key[-1:])),
        tz="Europe/Berlin",
        locale="en",
        created_at=now,
        updated_at=now,
    )
    w.s.add(p)
    w.s.flush()
    w.people[key] = p
    return p


def _pair(w: World, program: Program, key: str, started: datetime) -> Pair:
    a, b = _person(w, f"{key}a", started), _person(w, f"{key}b", started)
    for person in (a, b):
        w.s.add(
            Enrollment(
                program_id=program.id,
                participant_id=person.id,
                status=EnrollmentStatus.ONBOARDED,
                invited_at=started,
                last_activity_at=started,
            )
        )
    pair = Pair(
        program_id=program.id,
        participant_a_id=a.id,
        participant_b_id=b.id,
        status=PairStatus.ACTIVE,
        started_at=started,
    )
    w.s.add(pair)
    w.s.flush()
    w.pairs[key] = pair
    return pair


def _program(s: Session, ws: Workspace, name: str, series: int | None) -> Program:
    program = Program(
        workspace_id=ws.id,
        name=name,
        status=ProgramStatus.ACTIVE,
        start_date=START,
        duration_weeks=4,
        prompt_weekday=0,
        timezone="Europe/Berlin",
        poll_every_weeks=0,
        poll_threshold=3,
        series_id=series,
        created_at=UTC0,
        updated_at=UTC0,
    )
    s.add(program)
    s.flush()
    return program


def _setup(s: Session) -> World:
    ws = Workspace(team_id="T0ATTACK", admin_channel_id="C0HOSTS", admin_members=[HOST], created_at=UTC0)
    s.add(ws)
    s.flush()
    s.add(HostRoleRow(workspace_id=ws.id, slack_user_id=HOST, role="admin", granted_at=UTC0))  # a Tandem admin
    a = _program(s, ws, "Pilot", None)
    b = _program(s, ws, "Pilot · Cohort 2", a.id)
    b.created_at = UTC0 + timedelta(seconds=1)
    w = World(s, ws, a, b)
    _person(w, "host", UTC0).slack_user_id = HOST
    for key in ("P0", "P1", "P2", "P3", "P4", "P5"):
        _pair(w, a, key, at(2))
    for key in ("Q0", "Q1", "Q2"):
        _pair(w, b, key, at(2))
    for pair in w.pairs.values():
        s.add(Agreement(pair_id=pair.id, created_at=at(2)))
    for program, key in ((a, "A"), (b, "B")):
        metric = Metric(
            program_id=program.id,
            name="Days to first test",
            unit="days",
            baseline=30.0,
            target_high=14.0,
            reporter="pair",
            created_by=HOST,
            created_at=UTC0,
        )
        s.add(metric)
        s.flush()
        w.metric[key] = metric
    return w


# -- the timeline: (moment, what happens) given the contributions' values --------------------------------------------
Event = tuple[datetime, Callable[[World], None]]


def _log(pair: str, metric: str, value: float, when: datetime) -> Event:
    """``pair`` logs ``value`` for the metric of program ``metric`` (A or B) at ``when``."""

    def run(w: World) -> None:
        w.s.add(
            MetricValue(
                metric_id=w.metric[metric].id,
                pair_id=w.pairs[pair].id,
                value=value,
                day=when.date(),
                logged_by=w.people[f"{pair}a"].slack_user_id,
                created_at=when,
            )
        )

    return when, run


def _week(pair: str) -> Event:
    """Week 1 of ``pair``: its prompt on Monday 11th at 09:00 Berlin."""

    def run(w: World) -> None:
        week = PairWeek(
            pair_id=w.pairs[pair].id,
            number=1,
            day=date(2027, 1, 11),
            status="open",
            thread_at=at(7, 8),
            handled_at=at(7, 8),
            created_at=at(7, 8),
        )
        w.s.add(week)
        w.s.flush()
        for side in ("a", "b"):
            w.s.add(WeekPartner(week_id=week.id, participant_id=w.people[f"{pair}{side}"].id, prompt_at=at(7, 8)))

    return at(7, 8), run


def _answer(pair: str, side: str, when: datetime, yes: bool = True) -> Event:
    """A partner answers week 1's prompt at ``when`` (or, ``yes`` False, lets the moment pass)."""

    def run(w: World) -> None:
        if not yes:
            return
        person = w.people[f"{pair}{side}"].id
        row = w.s.scalars(
            select(WeekPartner)
            .join(PairWeek, PairWeek.id == WeekPartner.week_id)
            .where(PairWeek.pair_id == w.pairs[pair].id, WeekPartner.participant_id == person)
        ).one()
        row.answered_at = when

    return when, run


def _timeline(x: dict[str, Any]) -> list[Event]:
    events: list[Event] = [
        _log("P0", "A", x["m0"], at(7, 9)),
        _log("P1", "A", x["m1"], at(7, 10)),
        _log("P2", "A", x["m2"], at(7, 11)),
        _log("P3", "A", x["m3"], at(8)),  # Tuesday: 4 x Tuesday - 3 x Monday
        _log("P0", "A", x["m4"], at(16)),
        _log("P4", "A", x["m5"], at(17)),
        _log("P6", "A", x["m6"], at(24)),  # the late pair
        _log("Q0", "B", 40.0, at(8)),
        _log("Q1", "B", 35.0, at(9)),
        _log("Q2", "B", 33.0, at(10)),
    ]

    def late_pair(w: World) -> None:
        _pair(w, w.a, "P6", at(15))

    events.append((at(15), late_pair))
    events += [_week(p) for p in ("P0", "P1", "P2", "P3", "Q0", "Q1", "Q2")]
    for name, pair, day in (
        ("a0", "P0", 7),
        ("a1", "P1", 8),
        ("a2", "P2", 9),
        ("a3", "P3", 10),
        ("b0", "Q0", 8),
        ("b1", "Q1", 9),
        ("b2", "Q2", 10),
    ):
        events.append(_answer(pair, "a", at(day, 15), x[name]))

    def goals(w: World) -> None:  # set on Tuesday 12th
        for pair in ("P0", "P1", "P2"):
            w.s.add(
                Goal(
                    pair_id=w.pairs[pair].id,
                    text="A goal",
                    progress=50,
                    accepted_at=at(8),
                    created_at=at(8),
                    updated_at=at(8),
                )
            )

    events.append((at(8), goals))
    events += [_done("P0", at(9), x["g0"]), _done("P1", at(10), x["g1"]), _done("P2", at(9, 12), True)]

    # agreements (posted when the pairs were matched): accepted on days of their own, the others on Monday 11th
    events += [_accept("P0", at(8, 12), x["ag0"]), _accept("P1", at(9, 12), x["ag1"])]
    events += [_accept(p, at(7, 12)) for p in ("P2", "P3", "P4", "P5", "Q0", "Q1", "Q2")]
    # the trial check-ins resolve one after the other: P0 on the 20th, P1 on the 21st, the others on the 20th
    events += [_trial("P0", x["s0"], at(16)), _trial("P1", x["s1"], at(17))]
    events += [_trial(p, False, at(16, 12)) for p in ("P2", "P3", "P4", "P5")]
    # retros after week 2 (opened Monday 18th): P0's partners on the 18th, P1's on the 19th and the 20th, P2's and
    # P3's on the 21st
    events.append((at(14, 9), _retros))
    for pair, side, day, share in (
        ("P0", "a", 14, x["t0a"]),
        ("P0", "b", 14, 3),
        ("P1", "a", 15, x["t1a"]),
        ("P1", "b", 16, x["t1b"]),
        ("P2", "a", 17, 4),
        ("P2", "b", 17, 2),
        ("P3", "a", 17, 5),
        ("P3", "b", 17, 5),
    ):
        events.append(_retro_answer(pair, side, share, at(day, 12)))
    # the pulse: round 1 opens Monday 18th, closes Saturday 23rd (three answers); round 2 the week after (one)
    events.append((at(14, 8), _round(1, at(14, 8), (x["r0"], x["r1"], x["r2"]))))
    events.append((at(21, 8), _round(2, at(21, 8), (x["r3"],))))
    # short-notice cancellations, each on a day of its own (and P1's digital partner's, the same both ways)
    events += [_late("P0b", x["c0"], at(9, 16)), _late("P2b", x["c2"], at(10, 17)), _late("Q1b", x["c3"], at(9, 17))]
    events.append(_late("P1a", 2, at(10, 16)))
    return sorted(events, key=lambda e: e[0])


def _late(person: str, times: int, when: datetime) -> Event:
    """``person`` cancels a week of their pair at short notice ``times`` times at ``when``."""

    def run(w: World) -> None:
        pair = w.pairs[person[:-1]]
        for n in range(int(times)):
            w.s.add(
                Cancellation(
                    pair_id=pair.id,
                    participant_id=w.people[person].id,
                    week_number=2 + n,
                    kind="cancel",
                    late=True,
                    created_at=when,
                )
            )

    return when, run


def _accept(pair: str, when: datetime, yes: bool = True) -> Event:
    def run(w: World) -> None:
        if yes:
            w.s.scalars(select(Agreement).where(Agreement.pair_id == w.pairs[pair].id)).one().agreed_at = when

    return when, run


def _done(pair: str, when: datetime, yes: bool) -> Event:
    """The pair marks its goal done at ``when`` (or, ``yes`` False, does not)."""

    def run(w: World) -> None:
        if yes:
            goal = w.s.scalars(select(Goal).where(Goal.pair_id == w.pairs[pair].id)).one()
            goal.done_at, goal.progress, goal.updated_at = when, 100, when

    return when, run


def _trial(pair: str, switch: bool, when: datetime) -> Event:
    def run(w: World) -> None:
        w.s.add(
            TrialCheck(
                pair_id=w.pairs[pair].id,
                program_id=w.a.id,
                asked_at=when - timedelta(days=3),
                closes_at=when,
                switch_requested=switch,
                resolved_at=when,
                outcome="switch" if switch else "continue",
                reported_at=when,
            )
        )

    return when, run


def _retros(w: World) -> None:
    for pair in ("P0", "P1", "P2", "P3"):
        w.s.add(Retro(pair_id=w.pairs[pair].id, program_id=w.a.id, cycle=1, last_week=2, opened_at=at(14, 9)))


def _retro_answer(pair: str, side: str, share: int, when: datetime) -> Event:
    def run(w: World) -> None:
        retro = w.s.scalars(select(Retro).where(Retro.pair_id == w.pairs[pair].id)).one()
        w.s.add(
            RetroAnswer(
                retro_id=retro.id,
                participant_id=w.people[f"{pair}{side}"].id,
                went_well="-",
                learned="-",
                change="Meet more often" if share > 2 else "",
                talk_share=share,
                created_at=when,
                updated_at=when,
            )
        )
        w.s.flush()
        if w.s.scalars(select(RetroAnswer).where(RetroAnswer.retro_id == retro.id)).all()[1:]:
            retro.summary_at = when

    return when, run


def _round(number: int, opens: datetime, moods: tuple[int, ...]) -> Callable[[World], None]:
    def run(w: World) -> None:
        poll = PollRound(
            program_id=w.a.id,
            number=number,
            opens_on=opens.date(),
            closes_on=opens.date() + timedelta(days=5),
            threshold=3,
            questions=["belonging", "learning_climate"],
        )
        w.s.add(poll)
        w.s.flush()
        asked = [p for k, p in w.people.items() if k[:1] == "P"]
        for i, person in enumerate(asked):
            w.s.add(PollReceipt(round_id=poll.id, participant_id=person.id, answered=i < len(moods)))
        for i, mood in enumerate(moods):
            w.s.add(
                PollResponse(
                    id=f"{number:02d}{i:030d}",
                    round_id=poll.id,
                    mood=mood,
                    answers={"belonging": 4, "learning_climate": 3},
                )
            )

    return run


# -- reading the surfaces ------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
Reading = dict[tuple[str, int], list[str]]  # (the words before a line's first number, occurrence) -> its numbers


def _texts(value: Any) -> Iterator[str]:
    """The words a person reads in a Slack payload: every ``text``, ``alt_txt``, ``initial_comment`` and ``title``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "alt_txt", "initial_comment", "title") and isinstance(item, str):
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


# A histogram (how many gave 1, 2, ... 5; talk share balanced / mixed / one-sided) is one figure: each of its bins
# could hold any contributor's answer, so every bin is a count over all of them.
_HISTOGRAM = re.compile(r"(?:[1-5]: \d+(?: · |, )){4}[1-5]: \d+|balanced \d+ · mixed \d+ · one-sided \d+")


def _numbers(*parts: Any) -> Reading:
    """The figures of what a surface shows, each by where it stands: per text (a message's section, a file) and per
    line (or list item of a chart's text), the words before the line's first number, counted when the same words
    come again in that text, then the line's numbers in order; words after the first number may change with the
    figures (better, worse, on target). A histogram is one figure, under a key starting with "histogram"."""
    texts = [t for p in parts for t in ([p] if isinstance(p, str) else _texts(p))]
    out: Reading = {}
    seen: dict[str, int] = {}

    def put(key: str, numbers: list[str]) -> None:
        out[(key, seen.get(key, 0))] = numbers
        seen[key] = seen.get(key, 0) + 1

    for text in texts:
        section = _NUMBER.sub("#", text.split("\n", 1)[0])[:60]
        for line in re.split(r"\n|; ", text):
            for found in _HISTOGRAM.finditer(line):
                bins = _NUMBER.findall(found.group(0))
                head = line.split(found.group(0))[0]
                put(f"{section} | histogram {head}", bins if found.group(0)[:1] == "b" else bins[1::2])
            rest = _HISTOGRAM.sub("", line)
            first = _NUMBER.search(rest)
            if first is not None:
                put(f"{section} | {rest[: first.start()].strip()}", _NUMBER.findall(rest))
    return out


SURFACES = (
    "dashboard",
    "app_home_host",
    "digest",
    "charts",
    "export_csv",
    "export_md",
    "pulse",
    "retro",
    "cohorts",
    "app_home_participant",
)


def _read(w: World, now: datetime, into: dict[str, list[Reading]], *, participant: bool) -> None:
    s = w.s
    s.flush()
    state = home.home_state(s, participant=w.people["host"], now=now)
    into["app_home_host"].append(_numbers(home_blocks.home_view(state)))
    boards = {board.program.id: board for board in state.impact_boards}
    a, b = boards[w.a.id], boards[w.b.id]
    day = now.date()
    into["dashboard"].append(_numbers(impact_blocks.dashboard("en", a), impact_blocks.dashboard("en", b)))
    into["export_csv"].append(_numbers(impact.export_csv(a, day=day), impact.export_csv(b, day=day)))
    into["export_md"].append(
        _numbers(impact_blocks.markdown("en", a, day=day), impact_blocks.markdown("en", b, day=day))
    )
    from bot.blocks.impact import cohort_lines

    into["cohorts"].append(_numbers(cohort_lines("en", a.cohorts), cohort_lines("en", b.cohorts)))
    results = polls.results(s, program=w.a)
    into["pulse"].append(_numbers(poll_blocks.results("en", program="Pilot", results=results)) if results else {})
    totals = retros.aggregate(s, w.a)
    quotes = retros.consented_quotes(s, w.a, by=release.released_at(s, w.a))  # as /tandem admin retro reads them
    into["retro"].append(_numbers(retro_blocks.host_overview("en", program=w.a, totals=totals, quotes=quotes)))
    if participant:
        mine = home.home_state(s, participant=w.people["P0a"], now=now)
        into["app_home_participant"].append(_numbers(home_blocks.home_view(mine)))


def _posted(w: World, into: dict[str, list[Reading]]) -> None:
    """What the clock posted to the hosts over the whole timeline: digests, charts, pulse results, the program
    retro, each a reading of its own."""

    def where(row: OutboxMessage) -> tuple[str, list[int], int]:
        """By what it is (kind and day), then program A before B, then as queued: the same order every run."""
        parts = (row.dedupe_key or "").split(":")
        programs = {w.a.id: 0, w.b.id: 1}
        ids = [programs.get(int(p), 2) for p in parts if p.isdigit()]
        return ":".join(p for p in parts if not p.isdigit()), ids, row.id

    rows = sorted(w.s.scalars(select(OutboxMessage)).all(), key=where)
    for row in rows:
        key = row.dedupe_key or ""
        if key.startswith("impact:digest:"):
            into["digest"].append(_numbers(row.payload))
        elif key.startswith("impact:charts:"):
            into["charts"].append(_numbers(row.payload))
        elif key.startswith("poll:") and key.endswith(":results"):
            into["pulse"].append(_numbers(row.payload))
        elif key.startswith("retro:report:"):
            into["retro"].append(_numbers(row.payload))


class _Cheap:
    """matplotlib stand-in: the charts' text equivalents (every number they show) are built, the drawing is not."""

    def __getattr__(self, name: str) -> _Cheap:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Cheap:
        return self


def run_timeline(factory: sessionmaker[Session], x: dict[str, Any]) -> dict[str, list[Reading]]:
    """Every figure the attacker reads on each surface: each day something happened (after it) and after each
    weekly release; a participant's App Home after the second and the last release."""
    seen: dict[str, list[Reading]] = {name: [] for name in SURFACES}
    events = _timeline(x)
    releases = [at(d, 8) + timedelta(minutes=5) for d in range(7, 36, 7)]  # Mondays 08:05 UTC, 09:05 in Berlin
    daily = sorted({at((t - UTC0).days, 20) for t, _ in events})
    closes = [at(d, 8) + timedelta(minutes=5) for d in (19, 26)]  # the pulse rounds close on Saturdays, 09:00
    moments = sorted({*releases, *daily, *closes, *(t for t, _ in events)})
    with (
        factory() as s,
        mock.patch.object(charts, "_figure", lambda title: (_Cheap(), _Cheap())),
        mock.patch.object(charts, "_png", lambda fig: b""),
    ):
        w = _setup(s)
        pending = list(events)
        for now in moments:
            while pending and pending[0][0] <= now:
                pending.pop(0)[1](w)
            s.flush()
            polls.close_due(s, now=now)
            impact.weekly_due(s, now)
            retros.report_due(s, now)
            if now in releases or now in daily:
                _read(w, now, seen, participant=now in releases[1::3])
        _posted(w, seen)
        s.rollback()
    return seen


# -- the attacker's algebra ------------------------------------------------------------------------------------------
def determined(rows: list[set[int]], unknowns: int, ignore: frozenset[int] | set[int] = frozenset()) -> list[int]:
    """The contributions whose value follows from the figures: ``rows`` says which contributions each figure is the
    (equal-weight) sum of; contribution i is determined when e_i lies in the rows' span."""
    matrix = [[1.0 if j in row else 0.0 for j in range(unknowns)] for row in rows if row]
    matrix += [[1.0 if j == i else 0.0 for j in range(unknowns)] for i in ignore]  # what the reader knows already
    if not matrix:
        return []
    a = np.array(matrix)
    rank = np.linalg.matrix_rank(a)
    out = []
    for i in range(unknowns):
        if i in ignore:
            continue
        unit = np.zeros((1, unknowns))
        unit[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(i)
    return out


def _ends(mine: list[str], theirs: list[str]) -> set[int]:
    """Positions of ``mine`` equal to ``theirs`` in a common prefix or suffix."""
    same = set()
    for k, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if a != b:
            break
        same.add(k)
    for k, (a, b) in enumerate(zip(reversed(mine), reversed(theirs), strict=False)):
        if a != b:
            break
        same.add(len(mine) - 1 - k)
    return same


def dependencies(base: dict[str, list[Reading]], changed: list[dict[str, list[Reading]]]) -> dict[str, list[set[int]]]:
    """Per surface, per figure (a number at its place in a reading): the contributions whose change changed it, or
    changed how many numbers its line has. A line that some change makes go (a notable change no longer notable)
    is no figure of its own: it repeats, under a condition on them, figures the surface shows anyway."""
    out: dict[str, list[set[int]]] = {}
    for surface in SURFACES:
        figures: list[set[int]] = []
        for r, reading in enumerate(base[surface]):
            deps = {(key, k): set() for key, numbers in reading.items() for k in range(len(numbers))}
            gone: set[tuple[str, int]] = set()
            for i, other in enumerate(changed):
                if r >= len(other[surface]):
                    figures.append({i})
                    continue
                theirs = other[surface][r]
                for key, numbers in reading.items():
                    if key not in theirs:  # it comes and goes with the figures (a notable change): not one
                        gone.add(key)
                        continue
                    if len(theirs[key]) != len(numbers):  # what the two share at either end stayed the same
                        same = _ends(numbers, theirs[key])
                        for k in range(len(numbers)):
                            if k not in same:
                                deps[(key, k)].add(i)
                        continue
                    for k, (before, after) in enumerate(zip(numbers, theirs[key], strict=True)):
                        if before != after:
                            deps[(key, k)].add(i)
            deps = {(key, k): found for (key, k), found in deps.items() if key not in gone}
            histograms: dict[tuple[str, int], set[int]] = {}
            for where, k in list(deps):
                if " | histogram " in where[0]:  # one figure: its bins together
                    histograms.setdefault(where, set()).update(deps.pop((where, k)))
            figures += [*deps.values(), *histograms.values()]
        figures += [{i} for i, other in enumerate(changed) if len(other[surface]) > len(base[surface])]
        out[surface] = figures
    return out


@pytest.fixture(scope="module")
def attack(request: pytest.FixtureRequest) -> Callable[[sessionmaker[Session]], dict[str, list[set[int]]]]:
    """The timeline with base values and with each contribution changed in turn (cached per database)."""
    cache: dict[str, dict[str, list[set[int]]]] = {}

    def get(factory: sessionmaker[Session]) -> dict[str, list[set[int]]]:
        key = str(factory.kw["bind"].url)
        if key not in cache:
            base_x = {name: base for name, base, _ in CONTRIBUTIONS}
            base = run_timeline(factory, base_x)
            changed = [run_timeline(factory, {**base_x, name: alt}) for name, _, alt in CONTRIBUTIONS]
            cache[key] = dependencies(base, changed)
        return cache[key]

    return get


# The attack runs its 34 timelines on SQLite; PostgreSQL shows, on the base values and on every contribution changed
# at once, the very same figures on every surface (the test below), so the algebra over them is the same there.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("surface", SURFACES)
def test_no_figure_can_be_subtracted_down_to_one_contribution(
    surface: str, attack: Callable[..., dict[str, list[set[int]]]], session_factory: sessionmaker[Session]
) -> None:
    figures = attack(session_factory)[surface]
    own = {NAMES.index(n) for n in OWN} if surface == "app_home_participant" else set()
    found = [NAMES[i] for i in determined(figures, len(NAMES), own)]
    assert found == [], f"{surface}: the attacker determines {found}"
    if surface not in ("app_home_participant",):
        assert any(figures), f"{surface}: the attacker read no figure built from others at all"


def test_postgresql_shows_the_same_figures_as_sqlite(scratch) -> None:
    """Every surface's figures, read over the whole timeline, are the same on both databases: with the base values
    and with every contribution changed (the release rule's windows and thresholds are SQL on both)."""
    if "postgresql" not in backends():
        pytest.skip("PostgreSQL is not configured (set TANDEM_TEST_DATABASE_URL)")
    base_x = {name: base for name, base, _ in CONTRIBUTIONS}
    alt_x = {name: alt for name, _, alt in CONTRIBUTIONS}
    readings = {}
    for backend in ("sqlite", "postgresql"):
        engine = make_engine(scratch.migrated(backend))
        try:
            factory = make_session_factory(engine)
            readings[backend] = [run_timeline(factory, base_x), run_timeline(factory, alt_x)]
        finally:
            engine.dispose()
    for surface in SURFACES:
        assert any(readings["sqlite"][0][surface]) or surface == "app_home_participant", surface
        for run in (0, 1):
            assert readings["postgresql"][run][surface] == readings["sqlite"][run][surface], (surface, run)
