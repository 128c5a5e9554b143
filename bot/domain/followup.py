"""Learning that lasts, pure: the follow-up question 30 and 90 days after a pair ends ("Is what we learned still in
use? What exactly?"), what an answer must hold, and what hosts may see of the answers. No database, no Slack, no
clock.

**When.** A pair ends when it ended (a switch after the trial, a partner who left) or, for a pair still active then,
when its program ends (midnight at the start of the day after its last week, in the program's zone). Each partner
is asked ``DAYS`` after that: once per stage, in their working time (the caller moves the moment there). A stage is
asked only until the next one comes due (the 30-day question no more once the 90-day one is due; the 90-day one not
later than ``LATE_DAYS`` after its day), so a clock that was off, or a program that ended long before Tandem
learned to ask, sends no backlog.

**Answer.** yes / partly / no (required), what exactly (optional, at most ``TEXT_MAX`` characters) and "you may quote
me" (optional, only meaningful with a text). An answer is written once, while the question is open (``OPEN_DAYS``
after it reached the person); a second or a late one changes nothing.

**Hosts** see the answers counted, as released once a week (``bot.domain.release``, series ``followup``: each answer
is a contribution of the person who gave it, settled when given), never who answered what; a text only as a quote,
only with its author's consent, without a name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.localtime import zone

DAYS = (30, 90)
OPEN_DAYS = 14  # an answer counts while the question is open: two weeks after it reached the person
LATE_DAYS = 7  # the last stage is asked at most this long after its day
ANSWERS = ("yes", "partly", "no")
TEXT_MAX = 1000
QUOTE_OK = "quote_ok"  # the consent checkbox's value
ASKED_WITHIN = timedelta(days=max(DAYS) + LATE_DAYS)  # no stage is asked later than this after a pair's end
# how many weeks after a program's end its weekly release goes on, so that the last answers settle and show (a week
# more for a question that waited over holidays for the person's working time)
RELEASE_WEEKS = -(-(max(DAYS) + LATE_DAYS + OPEN_DAYS) // 7) + 2


def program_end(start: date | None, duration_weeks: int, tz: str) -> datetime | None:
    """The moment a program ends: midnight at the start of the day after its last week, in its zone (aware)."""
    if start is None:
        return None
    return datetime.combine(start + timedelta(weeks=duration_weeks), time(0), tzinfo=zone(tz))


def pair_end(*, ended_at: datetime | None, program_ends: datetime | None, now: datetime) -> datetime | None:
    """When the pair ended, as of ``now``: when it ended, else when its program ended (None while it runs)."""
    moments = [at for at in (ended_at, program_ends) if at is not None and at <= now]
    return min(moments) if moments else None


def due_stage(end: datetime | None, *, asked: Sequence[int], now: datetime) -> int | None:
    """The stage (days) to ask now for a pair that ended at ``end``, given the stages already ``asked``: the newest
    stage whose day has come, unless asked already or past its window (see the module's text)."""
    if end is None:
        return None
    come = [days for days in DAYS if end + timedelta(days=days) <= now]
    if not come:
        return None
    newest = come[-1]
    if newest in asked:
        return None
    if newest == DAYS[-1] and end + timedelta(days=newest + LATE_DAYS) <= now:
        return None
    return newest


def next_moment(end: datetime | None, *, asked: Sequence[int], now: datetime) -> datetime | None:
    """When :func:`due_stage` next names a stage for a pair that ended at ``end`` (None: never again; a moment at or
    before ``now``: it names one now). A stage asked already is passed over, and so are the earlier stages once a
    later one was asked."""
    if end is None:
        return None
    if due_stage(end, asked=asked, now=now) is not None:
        return now
    done = max(asked, default=0)
    for days in DAYS:
        moment = end + timedelta(days=days)
        if days > done and moment > now:
            return moment
    return None


def closes_at(reaches: datetime) -> datetime:
    return reaches + timedelta(days=OPEN_DAYS)


@dataclass(frozen=True)
class Form:
    answer: str
    text: str | None
    quote_ok: bool


def parse_form(raw: Mapping[str, Any]) -> tuple[Form | None, dict[str, str]]:
    """``raw``: answer, text, quote (the checkbox's values) as the modal sent them. Returns the form, or None and an
    error key per field (``required``, ``too_long``, ``quote_without_text``). Nothing typed is lost: the modal stays
    open with what was typed."""
    errors: dict[str, str] = {}
    answer = str(raw.get("answer") or "").strip()
    if answer not in ANSWERS:
        errors["answer"] = "required"
    text = "\n".join(line.rstrip() for line in str(raw.get("text") or "").strip().splitlines())
    if len(text) > TEXT_MAX:
        errors["text"] = "too_long"
    quote = raw.get("quote")
    quote_ok = QUOTE_OK in (quote if isinstance(quote, list | tuple) else [quote])
    if quote_ok and not text and "text" not in errors:
        errors["quote"] = "quote_without_text"
    if errors:
        return None, errors
    return Form(answer, text or None, quote_ok), {}


def is_open(*, closes: datetime, answered: datetime | None, now: datetime) -> bool:
    return answered is None and now < closes


# -- what hosts see ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    """Released answers: how many said yes, partly, no (None for each until a release holds at least one cell)."""

    yes: int = 0
    partly: int = 0
    no: int = 0
    released: bool = False

    @property
    def answers(self) -> int:
        return self.yes + self.partly + self.no


def contribution_extra(answer: str) -> dict[str, float]:
    """What one answer adds to a released cell's sums, beside its value (1 for yes)."""
    return {answer: 1.0} if answer in ANSWERS else {}


def counts(total: Any) -> Counts:
    """The hosts' counts from the followup series' released cells summed (``bot.domain.release.Total``)."""
    data = total.data
    return Counts(
        yes=int(data.get("yes", 0)),
        partly=int(data.get("partly", 0)),
        no=int(data.get("no", 0)),
        released=total.cells > 0,
    )
