"""Impact, pure: a program's built-in KPIs, the hosts' own metrics against a baseline and a target range, what
changed since the week before, and what hosts may export.

Every figure here that is built from other people's contributions comes from released cells (``bot.domain.release``,
the rule in DATA.md): published once a week, each over at least the threshold of contributors, never computed from
live rows when someone looks. Only counts of what hosts see one by one anyway (people invited, onboarded, matched,
pairs) are taken as they are.

**KPIs** (no vanity metrics such as message counts):

- funnel: invited → onboarded → matched (people who have been in a pair of the program): counts;
- active pairs: of the active pairs at the last release, those where a partner answered a focus prompt in the week
  before it;
- focus-prompt response rate: partner prompts answered within a week / partner prompts whose week is over;
- agreements accepted within two weeks of matching / pairs matched at least two weeks before;
- goals set and done; the switch rate after the trial (switches / trial check-ins closed);
- the anonymous pulse: the mood trend and the latest shown round's response rate (held to the threshold: a hidden
  round is a gap, never a number); retro completion (retros both partners filled in within two weeks / retros two
  weeks old).

A rate, count or mean with nothing released yet is None: "not enough reports yet", never a number.

**Metrics** have a baseline and a target range with one bound possibly open; the direction that counts as better
follows from where the target lies relative to the baseline. A pair-reported metric's program value is the mean of
the values pairs logged since its last released value, released weekly once at least the threshold of pairs
reported; hosts' own values are shown as they log them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.domain import locale_input, polls, release
from bot.domain.release import Cell
from bot.domain.rhythm import PROMPTED, WeekStatus

ACTIVE_DAYS = 14
NAME_MAX, UNIT_MAX = 120, 32
VALUE_ABS_MAX = 1e9
METRICS_MAX = 12  # per program
REFLECTIONS = 6  # the digest's closing questions for the hosts (templates: reflect_1 ...), one a week in turn
NOTABLE_RATE = 0.10  # a rate that moved by 10 points or more is worth a line in the digest
NOTABLE_COUNT = 0.20  # a count that moved by 20 % or more (and by at least 2)


# -- KPIs --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kpis:
    invited: int = 0
    onboarded: int = 0
    matched: int = 0
    pairs: int = 0  # active pairs now (a count hosts see pair by pair)
    active_pairs: int | None = None  # released: active pairs that answered a focus prompt in the week before
    prompts: int = 0  # released: partner prompts whose week is over
    answered: int = 0  # of those, answered within the week
    pairs_ever: int = 0
    agreements: int = 0  # released: pairs matched at least two weeks before
    agreements_accepted: int = 0  # of those, accepted their agreement within two weeks
    goals: int | None = None  # released: goals set
    goals_done: int | None = None
    trial_checks: int = 0  # released: trial check-ins that closed
    switches: int = 0
    mood: tuple[tuple[int, float | None], ...] = ()  # (round, average or None when hidden), oldest first
    pulse_rate: float | None = None  # the latest shown round's response rate
    retros: int = 0  # released: retros two weeks old
    retros_done: int = 0  # of those, filled in by both within two weeks
    released_on: date | None = None  # the latest release these figures come from
    # the pulse's rotating questions as KPIs: (round, average or None when hidden) for each round that asked it
    belonging: tuple[tuple[int, float | None], ...] = ()
    learning_climate: tuple[tuple[int, float | None], ...] = ()
    followups: int = 0  # released: answers to the follow-up 30 and 90 days after a pair ended
    followups_yes: int = 0  # of those: still in use
    followups_partly: int = 0

    @property
    def response_rate(self) -> float | None:
        return _share(self.answered, self.prompts)

    @property
    def agreement_rate(self) -> float | None:
        return _share(self.agreements_accepted, self.agreements)

    @property
    def switch_rate(self) -> float | None:
        return _share(self.switches, self.trial_checks)

    @property
    def retro_completion(self) -> float | None:
        return _share(self.retros_done, self.retros)

    @property
    def mood_latest(self) -> float | None:
        return _latest(self.mood)

    @property
    def belonging_latest(self) -> float | None:
        return _latest(self.belonging)

    @property
    def learning_climate_latest(self) -> float | None:
        return _latest(self.learning_climate)

    @property
    def still_in_use(self) -> float | None:
        """Of the released follow-up answers, the share that said yes."""
        return _share(self.followups_yes, self.followups)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in TRENDS:
            data[key] = [list(point) for point in getattr(self, key)]
        data["released_on"] = self.released_on.isoformat() if self.released_on else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Kpis:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for key in TRENDS:
            values[key] = tuple((int(n), a) for n, a in data.get(key) or [])
        released = data.get("released_on")
        values["released_on"] = date.fromisoformat(released) if released else None
        return cls(**values)


def released(
    cells: Sequence[Cell],
    *,
    invited: int = 0,
    onboarded: int = 0,
    matched: int = 0,
    pairs: int = 0,
    pairs_ever: int = 0,
    released_on: date | None = None,
) -> Kpis:
    """The KPIs from a program's released cells and its counts: each rate and count of behaviour is the sum of its
    series' cells (so it reveals nothing its cells did not), the active pairs are the latest cell's, the mood one
    point per released round."""

    def of(name: str) -> list[Cell]:
        return [c for c in cells if c.series == name]

    prompts, agreements, trial, retros, followups = (
        release.total(of(name))
        for name in (release.PROMPTS, release.AGREEMENTS, release.TRIAL, release.RETROS, release.FOLLOWUP)
    )
    goals = of(release.GOALS)
    goal_total = release.total(goals)
    active = release.latest(of(release.ACTIVE))
    rounds = sorted(
        (c for c in cells if c.series.startswith(release.PULSE)), key=lambda c: int(c.data.get("number", 0))
    )
    mood: list[tuple[int, float | None]] = []
    rate = None
    for c in rounds:
        average = (c.data.get("mood") or {}).get("average") if c.data.get("shown") else None
        mood.append((int(c.data["number"]), float(average) if average is not None else None))
        if c.data.get("shown") and c.den:
            rate = c.num / c.den
    return Kpis(
        invited=invited,
        onboarded=onboarded,
        matched=matched,
        pairs=pairs,
        active_pairs=int(active.num) if active is not None else None,
        prompts=int(prompts.den),
        answered=int(prompts.num),
        pairs_ever=pairs_ever,
        agreements=int(agreements.den),
        agreements_accepted=int(agreements.num),
        goals=int(goal_total.num) if goals else None,
        goals_done=int(goal_total.data.get("done", 0)) if goals else None,
        trial_checks=int(trial.den),
        switches=int(trial.num),
        mood=tuple(mood),
        pulse_rate=rate,
        retros=int(retros.den),
        retros_done=int(retros.num),
        released_on=released_on,
        belonging=question_trend(rounds, "belonging"),
        learning_climate=question_trend(rounds, "learning_climate"),
        followups=int(followups.den),
        followups_yes=int(followups.data.get("yes", 0)),
        followups_partly=int(followups.data.get("partly", 0)),
    )


TRENDS = ("mood", "belonging", "learning_climate")  # per pulse round, hidden rounds as gaps
CLIMATE = ("belonging", "learning_climate")  # the pulse's rotating questions trended as KPIs


def _latest(points: Sequence[tuple[int, float | None]]) -> float | None:
    shown = [a for _, a in points if a is not None]
    return shown[-1] if shown else None


def question_trend(rounds: Sequence[Cell], key: str) -> tuple[tuple[int, float | None], ...]:
    """One rotating question's trend over the released pulse rounds that asked it: (round, its average, or None for
    a round hidden below the threshold: a gap, never a number). A shown round's cell names the questions it asked;
    a hidden one keeps only its number, and the rotation (``bot.domain.polls.questions_for``) says what it asked."""
    out: list[tuple[int, float | None]] = []
    for c in rounds:
        number = int(c.data["number"])
        if c.data.get("shown"):
            found = (c.data.get("questions") or {}).get(key)
            if found is not None:
                out.append((number, float(found["average"])))
        elif key in polls.questions_for(number):
            out.append((number, None))
    return tuple(out)


@dataclass(frozen=True)
class SideCounts:
    """Per side (digital, context), from released cells only (``release.by_side``): prompts not answered within a
    week (the silent weeks) of how many, and late cancellations and moves of how many people. None: no released cell
    split by side yet (a side, or everyone else, had fewer than the threshold of people in every cell)."""

    silent: Mapping[str, tuple[int, int]] | None = None  # side -> (prompts unanswered, prompts)
    late: Mapping[str, tuple[int, int]] | None = None  # side -> (late cancellations and moves, people)
    talk: tuple[int, ...] | None = None  # retro talk-share ratings 1..5: how many gave each; None: no retro released

    @property
    def any(self) -> bool:
        return self.silent is not None or self.late is not None or self.talk is not None


TALK_RATINGS = (1, 2, 3, 4, 5)


def side_counts(cells: Sequence[Cell]) -> SideCounts:
    """The counts by side and the talk-share distribution, each the sum of released cells (so they reveal nothing
    their cells did not): a cell that was not split by side counts in no side."""

    def split(name: str) -> dict[str, tuple[float, float]] | None:
        found = [c for c in cells if c.series == name and f"{release.SIDES[0]}_n" in c.data]
        if not found:
            return None
        data = release.total(found).data
        return {side: (data.get(f"{side}_sum", 0.0), data.get(f"{side}_n", 0.0)) for side in release.SIDES}

    prompts, late = split(release.PROMPTS), split(release.LATE)
    retros = [c for c in cells if c.series == release.RETROS]
    talk = release.total(retros).data if retros else None
    return SideCounts(
        silent={side: (int(n - answered), int(n)) for side, (answered, n) in prompts.items()} if prompts else None,
        late={side: (int(count), int(people)) for side, (count, people) in late.items()} if late else None,
        talk=tuple(int(talk.get(f"talk_{r}", 0)) for r in TALK_RATINGS) if talk is not None else None,
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# The KPI lines hosts see, in order: (key, how to read it from Kpis, kind, which direction is good).
RATE, COUNT, SCORE = "rate", "count", "score"
KPI_LINES: tuple[tuple[str, str, int], ...] = (
    ("invited", COUNT, +1),
    ("onboarded", COUNT, +1),
    ("matched", COUNT, +1),
    ("active_pairs", COUNT, +1),
    ("response_rate", RATE, +1),
    ("agreement_rate", RATE, +1),
    ("goals", COUNT, +1),
    ("goals_done", COUNT, +1),
    ("switch_rate", RATE, -1),
    ("mood_latest", SCORE, +1),
    ("belonging_latest", SCORE, +1),
    ("learning_climate_latest", SCORE, +1),
    ("pulse_rate", RATE, +1),
    ("retro_completion", RATE, +1),
    ("still_in_use", RATE, +1),
)


@dataclass(frozen=True)
class KpiLine:
    key: str
    kind: str
    value: float | None
    previous: float | None
    good_direction: int  # +1: higher is better, -1: lower is better

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same`` or ``new`` (nothing to compare with)."""
        delta = self.delta
        if delta is None:
            return "new"
        if abs(delta) < 1e-9:
            return "same"
        return "up" if delta > 0 else "down"

    @property
    def better(self) -> bool | None:
        delta = self.delta
        if delta is None or abs(delta) < 1e-9:
            return None
        return (delta > 0) == (self.good_direction > 0)

    @property
    def notable(self) -> bool:
        delta = self.delta
        if delta is None or self.previous is None:
            return False
        if self.kind == RATE:
            return abs(delta) >= NOTABLE_RATE - 1e-9
        if self.kind == SCORE:
            return abs(delta) >= 0.3 - 1e-9
        return abs(delta) >= 2 and (self.previous == 0 or abs(delta) / self.previous >= NOTABLE_COUNT)


def kpi_value(kpis: Kpis, key: str) -> float | None:
    value = getattr(kpis, key)
    return None if value is None else float(value)


def lines(now: Kpis, before: Kpis | None = None) -> list[KpiLine]:
    return [
        KpiLine(
            key=key,
            kind=kind,
            value=kpi_value(now, key),
            previous=kpi_value(before, key) if before is not None else None,
            good_direction=good,
        )
        for key, kind, good in KPI_LINES
    ]


def funnel(kpis: Kpis) -> list[tuple[str, int]]:
    """The stages for the funnel chart; ``active`` counts people (two per active pair), once released."""
    stages = [("invited", kpis.invited), ("onboarded", kpis.onboarded), ("matched", kpis.matched)]
    if kpis.active_pairs is not None:
        stages.append(("active", 2 * kpis.active_pairs))
    return stages


# -- metrics -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: str
    baseline: float
    target_low: float | None
    target_high: float | None
    reporter: str  # "host" or "pair"


def parse_number(raw: Any, locale: str = "en") -> float | None:
    """A number as people type it in their language (``bot.domain.locale_input.number``): "12", "7.5", "7,5",
    "1 200", "-3"; "1.200" is 1200 in German and 1.2 in English. None for anything else."""
    return locale_input.number(raw, locale, limit=VALUE_ABS_MAX)


def parse_metric(
    raw: Mapping[str, Any], *, taken: Iterable[str] = (), locale: str = "en"
) -> tuple[MetricSpec | None, dict[str, str]]:
    """The metric form -> a spec, or errors by field (``name``, ``unit``, ``baseline``, ``target_low``,
    ``target_high``, ``reporter``) with an error key each: ``required``, ``too_long``, ``taken``, ``number``,
    ``target_missing``, ``target_order``, ``reporter``."""
    errors: dict[str, str] = {}
    name = " ".join(str(raw.get("name") or "").split())
    unit = " ".join(str(raw.get("unit") or "").split())
    if not name:
        errors["name"] = "required"
    elif len(name) > NAME_MAX:
        errors["name"] = "too_long"
    elif name.casefold() in {t.casefold() for t in taken}:
        errors["name"] = "taken"
    if len(unit) > UNIT_MAX:
        errors["unit"] = "too_long"
    baseline = parse_number(raw.get("baseline"), locale)
    if baseline is None:
        errors["baseline"] = "number"
    bounds: dict[str, float | None] = {}
    for key in ("target_low", "target_high"):
        text = str(raw.get(key) or "").strip()
        bounds[key] = parse_number(text, locale) if text else None
        if text and bounds[key] is None:
            errors[key] = "number"
    low, high = bounds["target_low"], bounds["target_high"]
    if "target_low" not in errors and "target_high" not in errors:
        if low is None and high is None:
            errors["target_low"] = "target_missing"
        elif low is not None and high is not None and low > high:
            errors["target_high"] = "target_order"
    reporter = str(raw.get("reporter") or "")
    if reporter not in ("host", "pair"):
        errors["reporter"] = "reporter"
    if errors or baseline is None:
        return None, errors
    return MetricSpec(name, unit, baseline, low, high, reporter), {}


def parse_value(
    raw_value: Any, raw_day: Any, *, today: date, earliest: date | None, locale: str = "en"
) -> tuple[tuple[float, date] | None, dict[str, str]]:
    """A logged value and its day (default today; not in the future, not before ``earliest``), as the person writes
    them in their language."""
    errors: dict[str, str] = {}
    value = parse_number(raw_value, locale)
    if value is None:
        errors["value"] = "number"
    day = today
    if raw_day:
        found = locale_input.day(raw_day, locale, today=today)
        if found is None:
            errors["day"] = "day"
        else:
            day = found
    if "day" not in errors:
        if day > today:
            errors["day"] = "future"
        elif earliest is not None and day < earliest:
            errors["day"] = "early"
    if errors or value is None:
        return None, errors
    return (value, day), {}


def better_direction(baseline: float | None, low: float | None, high: float | None) -> int:
    """+1 when reaching the target means going up from the baseline, -1 when down, 0 when the baseline is already
    in the range (or unknown)."""
    if baseline is None:
        return 0
    if low is not None and baseline < low:
        return +1
    if high is not None and baseline > high:
        return -1
    return 0


def in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class MetricStatus:
    """Where a metric stands: ``no_data``, ``on_target``, ``toward`` (better than the baseline, not there yet),
    ``away`` (worse than the baseline) or ``flat`` (at the baseline)."""

    state: str
    latest: float | None = None
    latest_day: date | None = None
    change: float | None = None  # latest - baseline


def status(
    values: Sequence[tuple[date, float]], *, baseline: float | None, low: float | None, high: float | None
) -> MetricStatus:
    if not values:
        return MetricStatus("no_data")
    day, latest = max(values, key=lambda v: v[0])
    change = latest - baseline if baseline is not None else None
    if in_range(latest, low, high):
        return MetricStatus("on_target", latest, day, change)
    direction = better_direction(baseline, low, high)
    if change is None or abs(change) < 1e-9 or direction == 0:
        return MetricStatus("flat", latest, day, change)
    return MetricStatus("toward" if (change > 0) == (direction > 0) else "away", latest, day, change)


def host_series(values: Iterable[tuple[date, float]]) -> list[tuple[date, float]]:
    """A host-reported metric's series: the values as hosts logged them (the latest per day). Hosts' own numbers,
    nobody else's, so they show at once. A pair-reported metric's series is its released cells
    (``bot.domain.release.points``)."""
    return sorted(dict(values).items())


# -- exports -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportRow:
    section: str  # "kpi" or "metric"
    key: str
    value: float | None
    unit: str = ""
    day: date | None = None
    baseline: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def kpi_rows(kpis: Kpis, *, day: date) -> list[ExportRow]:
    """The KPIs as export rows: counts and rates only. The mood appears per shown round; a hidden round's row has
    no value (never a number below the threshold)."""
    rows = [ExportRow("kpi", key, kpi_value(kpis, key), day=day) for key, _kind, _good in KPI_LINES]
    for key in TRENDS:  # per round, hidden rounds without a value
        rows += [ExportRow("kpi", f"{key}_round_{n}", a, day=day) for n, a in getattr(kpis, key)]
    rows += [
        ExportRow("kpi", f"followups_{answer}", float(count), day=day)
        for answer, count in (
            ("yes", kpis.followups_yes),
            ("partly", kpis.followups_partly),
            ("no", kpis.followups - kpis.followups_yes - kpis.followups_partly),
        )
        if kpis.followups
    ]
    return rows


# -- a pair's streak ------------------------------------------------------------------------------------------
def streak(weeks: Sequence[tuple[int, str]], answered: set[int]) -> int:
    """How many of the pair's prompted weeks in a row, counting back from the latest whose prompt has come, got an
    answer from at least one partner. ``weeks``: the pair's weeks whose prompt has come, latest first, as (id,
    status); ``answered``: the ids of those a partner answered by now. A skipped or cancelled week neither counts
    nor breaks it; the current week still open without an answer doesn't break it either (there is time left)."""
    count = 0
    for index, (week_id, status) in enumerate(weeks):
        if status not in PROMPTED:
            continue
        if week_id in answered:
            count += 1
        elif index == 0 and status == WeekStatus.OPEN:
            continue
        else:
            break
    return count


def reflection(start: date, day: date) -> int:
    """The digest's closing question for the hosts on ``day`` (1 to ``REFLECTIONS``): the first in the program's
    first week, then the next each week, round again after the last."""
    return max(0, (day - start).days // 7) % REFLECTIONS + 1
