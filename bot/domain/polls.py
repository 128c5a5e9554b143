"""Anonymous mood polls, pure: when a program's pulse rounds open and close, which questions a round asks, what a
submitted pulse form says, and what hosts may see of a round's answers.

**Rhythm.** Round *n* of a program opens ``n * every_weeks`` weeks after its start (the first after one rhythm
period), at ``OPEN_HOUR`` in the program's zone, while the program runs; it closes ``OPEN_DAYS`` days later at the
same hour. A clock that was off opens only the latest round that is due (never a backlog).

**Questions.** Besides the mood (1-5) each round asks two of ``QUESTIONS`` on a 1-5 scale, rotating so that
consecutive rounds ask different ones; an optional comment.

**Threshold.** Hosts see nothing of a round (no average, distribution, trend point, response rate, silence or
comment) unless at least ``threshold`` people answered; the threshold is never below ``THRESHOLD_MIN``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain.localtime import zone

EVERY_DEFAULT, EVERY_MIN, EVERY_MAX = 2, 0, 12  # weeks; 0: no pulses
THRESHOLD_DEFAULT, THRESHOLD_MIN, THRESHOLD_MAX = 5, 3, 50
OPEN_DAYS = 5
OPEN_HOUR = 9
SCALE = (1, 2, 3, 4, 5)
QUESTIONS = ("belonging", "learning_climate", "disagree_safely", "talk_share")
PER_ROUND = 2
COMMENT_MAX = 1000


# -- rhythm ------------------------------------------------------------------------------------------------
def opens_on(*, start: date, every_weeks: int, number: int) -> date:
    return start + timedelta(weeks=every_weeks * number)


def at_hour(day: date, tz: str) -> datetime:
    """``OPEN_HOUR`` on ``day`` in the zone ``tz`` (aware)."""
    return datetime.combine(day, time(OPEN_HOUR), tzinfo=zone(tz))


def due_round(
    *, start: date | None, every_weeks: int, duration_weeks: int, last_number: int, tz: str, now: datetime
) -> int | None:
    """The number of the round to open at ``now``, or None: the latest round whose opening moment has come, if it
    is later than ``last_number`` and opens before the program ends."""
    if start is None or every_weeks <= 0:
        return None
    end = start + timedelta(weeks=duration_weeks)
    today = now.astimezone(zone(tz)).date()
    latest = (today - start).days // (7 * every_weeks)
    if latest >= 1 and now < at_hour(opens_on(start=start, every_weeks=every_weeks, number=latest), tz):
        latest -= 1
    if latest < 1 or latest <= last_number:
        return None
    if opens_on(start=start, every_weeks=every_weeks, number=latest) >= end:
        return None
    return latest


def next_opening(
    *, start: date | None, every_weeks: int, duration_weeks: int, last_number: int, tz: str, now: datetime
) -> datetime | None:
    """When :func:`due_round` next names a round, from ``now`` on: ``now`` when it names one now; else the opening
    moment of round ``last_number + 1`` (UTC), or None when that one opens at or after the program's end or has
    passed (then the latest round that has come is past the end, and stays so)."""
    if (
        due_round(
            start=start, every_weeks=every_weeks, duration_weeks=duration_weeks, last_number=last_number, tz=tz, now=now
        )
        is not None
    ):
        return now
    if start is None or every_weeks <= 0:
        return None
    day = opens_on(start=start, every_weeks=every_weeks, number=max(last_number, 0) + 1)
    moment = at_hour(day, tz).astimezone(UTC)
    if moment <= now or day >= start + timedelta(weeks=duration_weeks):
        return None
    return moment


def closes_on(opened: date) -> date:
    return opened + timedelta(days=OPEN_DAYS)


def is_open(*, closes: date, closed: bool, tz: str, now: datetime) -> bool:
    return not closed and now < at_hour(closes, tz)


def questions_for(number: int) -> list[str]:
    """Round ``number``'s rotating questions: two at a time, all four every two rounds."""
    first = (PER_ROUND * (number - 1)) % len(QUESTIONS)
    return [QUESTIONS[(first + i) % len(QUESTIONS)] for i in range(PER_ROUND)]


# -- settings ----------------------------------------------------------------------------------------------
def _as_int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def parse_settings(every: Any, threshold: Any) -> tuple[tuple[int, int] | None, dict[str, str]]:
    """The settings modal: ((every_weeks, threshold), {}) or (None, {field: error kind})."""
    errors: dict[str, str] = {}
    weeks, least = _as_int(every), _as_int(threshold)
    if weeks is None or not EVERY_MIN <= weeks <= EVERY_MAX:
        errors["every"] = "every"
    if least is None or not THRESHOLD_MIN <= least <= THRESHOLD_MAX:
        errors["threshold"] = "threshold"
    if errors or weeks is None or least is None:
        return None, errors
    return (weeks, least), {}


# -- the pulse form ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pulse:
    mood: int
    answers: dict[str, int]
    comment: str | None


def _scale(value: Any) -> int | None:
    number = _as_int(value)
    return number if number in SCALE else None


def parse_pulse(
    *, mood: Any, answers: Mapping[str, Any], comment: Any, questions: Sequence[str]
) -> tuple[Pulse | None, dict[str, str]]:
    """A submitted pulse: (Pulse, {}) or (None, {field: error kind}); fields are "mood", the question keys and
    "comment". Every question of the round needs a 1-5 answer; the comment is optional."""
    errors: dict[str, str] = {}
    picked = _scale(mood)
    if picked is None:
        errors["mood"] = "scale"
    scored: dict[str, int] = {}
    for key in questions:
        value = _scale(answers.get(key))
        if value is None:
            errors[key] = "scale"
        else:
            scored[key] = value
    text = " ".join(str(comment or "").split()) if comment is not None else ""
    if len(text) > COMMENT_MAX:
        errors["comment"] = "too_long"
    if errors or picked is None:
        return None, errors
    return Pulse(mood=picked, answers=scored, comment=text or None), {}


# -- results -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    average: float
    distribution: dict[int, int]  # 1..5 -> how many


@dataclass(frozen=True)
class Result:
    """What hosts may see of one round. ``shown`` False: only that it is hidden, and the threshold."""

    number: int
    threshold: int
    shown: bool
    asked: int = 0
    answered: int = 0
    mood: Scale | None = None
    questions: dict[str, Scale] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0

    @property
    def silent_share(self) -> float:
        return 1.0 - self.response_rate if self.asked else 0.0


def scale(values: Iterable[int]) -> Scale | None:
    counted = [v for v in values if v in SCALE]
    if not counted:
        return None
    return Scale(
        average=sum(counted) / len(counted), distribution={n: sum(1 for v in counted if v == n) for n in SCALE}
    )


def result(
    *,
    number: int,
    threshold: int,
    asked: int,
    responses: Sequence[tuple[int, Mapping[str, Any], str | None]],
    questions: Sequence[str],
    shuffle: Callable[[list[str]], None] | None = None,
) -> Result:
    """A round's result from its responses (mood, answers, comment) and how many were asked. Below the threshold
    (never below ``THRESHOLD_MIN``) nothing but the threshold is shown. Comments come sorted, then ``shuffle``d."""
    least = max(threshold, THRESHOLD_MIN)
    if len(responses) < least:
        return Result(number=number, threshold=least, shown=False)
    per_question: dict[str, Scale] = {}
    for key in questions:
        found = scale(int(a[key]) for _, a, _ in responses if isinstance(a.get(key), int))
        if found is not None:
            per_question[key] = found
    comments = sorted(c for _, _, c in responses if c)
    if shuffle is not None:
        shuffle(comments)
    mood = scale(m for m, _, _ in responses)
    return Result(
        number=number,
        threshold=least,
        shown=True,
        asked=max(asked, len(responses)),
        answered=len(responses),
        mood=mood,
        questions=per_question,
        comments=comments,
    )


def _scale_data(found: Scale) -> dict[str, Any]:
    return {"average": found.average, "distribution": {str(n): c for n, c in found.distribution.items()}}


def _scale_of(data: Mapping[str, Any] | None) -> Scale | None:
    if not data:
        return None
    return Scale(average=float(data["average"]), distribution={int(n): int(c) for n, c in data["distribution"].items()})


def result_data(found: Result) -> dict[str, Any]:
    """A round's result as a released cell keeps it (``bot.domain.release``): the figures, never the comments; a
    hidden round keeps only its number and threshold."""
    if not found.shown:
        return {"number": found.number, "threshold": found.threshold, "shown": False}
    return {
        "number": found.number,
        "threshold": found.threshold,
        "shown": True,
        "asked": found.asked,
        "answered": found.answered,
        "mood": _scale_data(found.mood) if found.mood else None,
        "questions": {key: _scale_data(value) for key, value in found.questions.items()},
    }


def result_from(data: Mapping[str, Any], comments: Sequence[str] = ()) -> Result:
    """The result :func:`result_data` kept, with the round's comments (shown rounds only)."""
    if not data.get("shown"):
        return Result(number=int(data["number"]), threshold=int(data["threshold"]), shown=False)
    questions = {key: _scale_of(value) for key, value in (data.get("questions") or {}).items()}
    return Result(
        number=int(data["number"]),
        threshold=int(data["threshold"]),
        shown=True,
        asked=int(data.get("asked") or 0),
        answered=int(data.get("answered") or 0),
        mood=_scale_of(data.get("mood")),
        questions={key: value for key, value in questions.items() if value is not None},
        comments=list(comments),
    )


def trend(results: Sequence[Result]) -> list[tuple[int, float | None]]:
    """(round number, average mood or None when hidden), oldest first."""
    ordered = sorted(results, key=lambda r: r.number)
    return [(r.number, r.mood.average if r.shown and r.mood else None) for r in ordered]


def change(results: Sequence[Result], number: int) -> float | None:
    """The mood's change from the last shown round before ``number`` to round ``number`` (both shown), or None."""
    shown = {r.number: r.mood.average for r in results if r.shown and r.mood}
    if number not in shown:
        return None
    earlier = [n for n in shown if n < number]
    return shown[number] - shown[max(earlier)] if earlier else None
