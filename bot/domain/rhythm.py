"""The pair's weekly rhythm, pure: when each week's focus prompt reaches whom, the method card of the week, the
mid-week nudge, the silence rule, pauses, and cancelling or moving a week. No database, no Slack, no clock.

**The schedule.** A pair's week 1 falls on the program's weekday, on or after the later of the program's start
date and the day after the pair started; then every 7 days (weekly) or 14 days (biweekly), while the day is
before the program's end (start date + ``duration_weeks`` weeks). A week is one calendar *day* shared by both
partners; each partner's *moment* is the program's hour on that day on their own wall clock, converted with
zoneinfo, so it follows daylight-saving changes. An hour a DST change skips (02:30 on a spring-forward night)
becomes the hour after; an hour it repeats is the first of the two. A partner given with their working time
(:class:`bot.domain.worktime.WorkingTime`) gets their moment at the next working moment when the week's day is a
weekend, a public holiday where they are or the hour is outside their working hours: the message moves, the week
stays (it keeps its number and day, and counts as any other).

**The earlier-partner rule.** The week's prompt goes into the pair's thread at the earlier of the two moments.
A partner whose own moment comes ``NUDGE_GAP`` or more after that gets a short DM at their own moment with a
link to the thread (unless they answered in the meantime); partners with the same moment get no DM.

**Mid-week nudge.** Halfway from a partner's own moment to their next one, moved to their next workday daytime
(:func:`bot.domain.localtime.send_at`; with their working time, its next working moment), and only to a partner
who has not answered that week. None when that would land within ``MIDWEEK_MARGIN`` of the next prompt. A nudge
more than ``NUDGE_STALE`` late (the clock was down) is dropped.

**Silence.** A pair whose last ``SILENCE_WEEKS`` prompted weeks ended without a word from either partner (no
answer, no "what we agreed", no cancellation) is flagged to the hosts once per silent stretch. Weeks skipped for
a pause or missed while the clock was down neither count nor break a stretch.

**Pauses.** A participant paused until a day (inclusive) skips every week whose day is on or before it, for
each of their pairs; the prompts resume by themselves afterwards.

**Cancel and move.** A cancellation or move less than ``LATE_NOTICE`` before the week's prompt (the thread
moment) is late. A week moves to a day strictly between its neighbours' days and within the program, and only
while its prompt has not been posted.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain import locale_input
from bot.domain.localtime import send_at, zone
from bot.domain.worktime import WorkingTime

WEEKLY_DAYS = 7
BIWEEKLY_DAYS = 14
NUDGE_GAP = timedelta(hours=1)  # a later partner this far (or more) behind the thread gets a DM at their hour
MIDWEEK_MARGIN = timedelta(hours=24)  # a mid-week nudge never lands closer than this to the next prompt
NUDGE_STALE = timedelta(hours=12)  # a nudge this late (the clock was down) is dropped, not sent
SILENCE_WEEKS = 2
LATE_NOTICE = timedelta(hours=24)
PAUSE_MAX_DAYS = 183
ANSWER_MAX = 3000  # characters of an answer typed in the modal
AGREED_MAX = 1000  # characters of the homework and of the next step
UPCOMING_CHOICES = 3  # weeks offered in the cancel / move modals

# The session rhythm each prompt walks through (wording: templates/<locale>/rhythm.j2 ``step_<key>``).
SESSION_STEPS = ("open", "deepen", "agree", "secure")
# The method card of week n is METHOD_CARDS[(n - 1) % len]: ``card_<key>_title`` and ``card_<key>_how``.
METHOD_CARDS = (
    "storytelling",
    "shadowing",
    "microlearning",
    "field_experiment",
    "reverse_demo",
    "stakeholder_map",
    "tool_swap",
)


class WeekStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # known before its prompt (moved or cancelled ahead of time)
    OPEN = "open"  # prompt posted
    CLOSED = "closed"  # a partner recorded "what we agreed"
    SKIPPED = "skipped"  # a partner was paused on the week's day
    CANCELLED = "cancelled"  # a partner cancelled it
    MISSED = "missed"  # its moment passed while a later week was already due (the clock was down)


PROMPTED = frozenset({WeekStatus.OPEN, WeekStatus.CLOSED})


# -- the schedule --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    """A pair's weeks: week ``n`` falls on ``first_day + (n - 1) * every_days`` while that is before ``end_day``."""

    weekday: int
    hour: int
    every_days: int
    first_day: date
    end_day: date  # exclusive

    @property
    def weeks(self) -> int:
        if self.first_day >= self.end_day:
            return 0
        return (self.end_day - self.first_day - timedelta(days=1)).days // self.every_days + 1

    def day(self, number: int) -> date:
        return self.first_day + timedelta(days=(number - 1) * self.every_days)


def on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def schedule(
    *,
    weekday: int,
    hour: int,
    rhythm: str,
    duration_weeks: int,
    program_start: date | None,
    started_on: date,
) -> Schedule:
    """The weeks of a pair that started on ``started_on`` (the program's local date) in a program starting on
    ``program_start`` (None: it runs ``duration_weeks`` from the pair's first week)."""
    earliest = started_on + timedelta(days=1)
    if program_start is not None and program_start > earliest:
        earliest = program_start
    first = on_or_after(earliest, weekday)
    base = program_start or first
    every = BIWEEKLY_DAYS if rhythm == "biweekly" else WEEKLY_DAYS
    return Schedule(weekday, hour, every, first, base + timedelta(weeks=duration_weeks))


def moment(day: date, hour: int, tz: str) -> datetime:
    """``hour``:00 on ``day`` on the wall clock of ``tz``, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=zone(tz)).astimezone(UTC)


Who = str | WorkingTime  # a partner as the schedule sees them: their zone, or their working time


def partner_moment(day: date, hour: int, who: Who) -> datetime:
    """A partner's moment of the week on ``day``: ``hour``:00 on their wall clock; with their working time, the
    next working moment from then on."""
    if isinstance(who, WorkingTime):
        return who.next_working(moment(day, hour, who.tz))
    return moment(day, hour, who)


@dataclass(frozen=True)
class WeekPlan:
    """When week ``number`` (on ``day``) reaches whom: the thread at ``thread_at``, each partner at their own
    moment (``at``: participant id -> UTC), and which partners get a DM nudge then (``nudged``)."""

    number: int
    day: date
    thread_at: datetime
    at: Mapping[int, datetime]
    nudged: frozenset[int]


def plan(number: int, day: date, hour: int, zones: Mapping[int, Who]) -> WeekPlan:
    """``zones``: participant id -> IANA zone or working time, for both partners."""
    at = {pid: partner_moment(day, hour, who) for pid, who in zones.items()}
    thread_at = min(at.values())
    nudged = frozenset(pid for pid, when in at.items() if when - thread_at >= NUDGE_GAP)
    return WeekPlan(number, day, thread_at, at, nudged)


def week_day(sched: Schedule, number: int, moved: Mapping[int, date]) -> date:
    return moved.get(number) or sched.day(number)


@dataclass(frozen=True)
class Due:
    """What the clock does for a pair now: ``missed`` weeks to mark, and the week to handle (or None)."""

    missed: tuple[int, ...]
    week: WeekPlan | None


def due(sched: Schedule, *, handled: int, moved: Mapping[int, date], zones: Mapping[int, Who], now: datetime) -> Due:
    """The weeks after ``handled`` whose thread moment has come. Only the latest of them is handled; any earlier
    ones were missed (the clock was down), so a pair never gets two prompts at once."""
    plans: list[WeekPlan] = []
    number = handled + 1
    while number <= sched.weeks:
        week = plan(number, week_day(sched, number, moved), sched.hour, zones)
        if week.thread_at > now:
            break
        plans.append(week)
        number += 1
    if not plans:
        return Due((), None)
    return Due(tuple(p.number for p in plans[:-1]), plans[-1])


def next_moment(
    sched: Schedule, *, handled: int, moved: Mapping[int, date], zones: Mapping[int, Who]
) -> datetime | None:
    """When :func:`due` next finds a week for a pair whose weeks up to ``handled`` were dealt with: the thread moment
    of week ``handled + 1`` (before it ``due`` finds none, from it on it does); None after the last week."""
    number = handled + 1
    if number > sched.weeks:
        return None
    return plan(number, week_day(sched, number, moved), sched.hour, zones).thread_at


def upcoming(
    sched: Schedule, *, after: int, moved: Mapping[int, date], zones: Mapping[int, Who], limit: int
) -> list[WeekPlan]:
    """Up to ``limit`` weeks after week ``after``, in order."""
    return [
        plan(n, week_day(sched, n, moved), sched.hour, zones)
        for n in range(after + 1, min(sched.weeks, after + limit) + 1)
    ]


def method_card(number: int) -> str:
    return METHOD_CARDS[(number - 1) % len(METHOD_CARDS)]


def next_card(number: int, *, previous: tuple[int, str] | None = None) -> str:
    """The method card of week ``number`` when the pair's latest earlier prompted week was ``previous`` (its number
    and card): the rotation goes on from that card, as many steps as weeks lie between (a card the pair chose moves
    the rotation with it). Without one, or with a card no longer known, the plain rotation (:func:`method_card`)."""
    if previous is None or previous[1] not in METHOD_CARDS or previous[0] >= number:
        return method_card(number)
    earlier, card = previous
    return METHOD_CARDS[(METHOD_CARDS.index(card) + number - earlier) % len(METHOD_CARDS)]


# -- the preparation before a week ---------------------------------------------------------------------------------
PREP_LEAD = timedelta(minutes=30)  # the preparation DM comes this long before the end of the working day before
PREP_MAX = 500  # characters of "what I bring" and of "what I need from you"
PREP_SEARCH_DAYS = 14


def prep_at(prompt_at: datetime, who: WorkingTime) -> datetime | None:
    """When a partner whose prompt comes at ``prompt_at`` gets the preparation DM: the evening before, in their own
    time: ``PREP_LEAD`` before the end of their working hours on their last working day before the prompt's day
    (their zone, their working days, their holidays); None when there is none within ``PREP_SEARCH_DAYS``."""
    local_zone = zone(who.tz)
    day = prompt_at.astimezone(local_zone).date()
    for _ in range(PREP_SEARCH_DAYS):
        day -= timedelta(days=1)
        if who.is_working_day(day):
            end = datetime.combine(day, time(who.end), tzinfo=local_zone)
            return (end - PREP_LEAD).astimezone(UTC)
    return None


# -- the reversed roles ------------------------------------------------------------------------------------------
DIGITAL, CONTEXT = "digital", "context"  # bot.models.TandemRole: what a partner brings (or "both")


@dataclass(frozen=True)
class Roles:
    """Who does what in week ``number`` of a pair, as indexes into the pair's partners (0: a, 1: b).

    Moderation rotates: the partner who brings digital skills moderates the first week (leading across the power gap
    is what reverse mentoring asks of them, so they start), then the two take turns; partners who bring the same
    (both "both") start with partner a. The partner who brings context owns the logistics: the first week asks them
    to propose a first slot or the async rhythm (None: neither brings context only; the prompt asks either). The
    practices for each side are named only where one brings digital skills and the other context."""

    moderator: int
    logistics: int | None
    digital: int | None
    context: int | None

    @property
    def next_moderator(self) -> int:
        return 1 - self.moderator


def roles(number: int, role_a: str | None, role_b: str | None) -> Roles:
    """The roles of week ``number`` (1-based) for partners bringing ``role_a`` and ``role_b``."""
    digital = context = None
    if {role_a, role_b} == {DIGITAL, CONTEXT}:
        digital, context = (0, 1) if role_a == DIGITAL else (1, 0)
    first = 1 if role_b == DIGITAL and role_a != DIGITAL else 0
    moderator = first if number % 2 == 1 else 1 - first
    logistics = [i for i, role in enumerate((role_a, role_b)) if role == CONTEXT]
    return Roles(
        moderator=moderator,
        logistics=logistics[0] if len(logistics) == 1 else None,
        digital=digital,
        context=context,
    )


def pair_locale(a: str, b: str) -> str:
    """The language of the pair's thread: theirs when they share one, else English (as the introduction)."""
    return a if a == b else "en"


# -- nudges --------------------------------------------------------------------------------------------------
def midweek_at(own_at: datetime, *, next_at: datetime | None, every_days: int, tz: Who) -> datetime | None:
    """The one mid-week nudge: halfway from the partner's prompt to their next one (``next_at``; None after the
    program's last week: as if the rhythm went on), in their workday daytime (with their working time: its next
    working moment); None when that comes within ``MIDWEEK_MARGIN`` of the next prompt."""
    until = next_at or own_at + timedelta(days=every_days)
    halfway = own_at + (until - own_at) / 2
    at = tz.next_working(halfway) if isinstance(tz, WorkingTime) else send_at(halfway, tz)
    return at if at <= until - MIDWEEK_MARGIN else None


def is_stale(planned: datetime, *, now: datetime) -> bool:
    """A nudge whose moment passed ``NUDGE_STALE`` ago (the clock was down) would only confuse: it is dropped."""
    return now - planned > NUDGE_STALE


def stale_from(planned: datetime) -> datetime:
    """The first moment at which a nudge planned for ``planned`` is stale (:func:`is_stale`)."""
    return planned + NUDGE_STALE + timedelta(microseconds=1)


@dataclass(frozen=True)
class WeekSignal:
    """An ended week of a pair, as the silence rule sees it."""

    number: int
    status: str
    heard: bool  # an answer from either partner, or "what we agreed"
    flagged: bool  # the hosts were told of a silent stretch ending with this week


def silence_to_flag(weeks: Sequence[WeekSignal]) -> tuple[int, ...]:
    """The numbers (oldest first) of the stretch of silent prompted weeks at the end of ``weeks`` (oldest first,
    all ended) when it is ``SILENCE_WEEKS`` or longer and was not flagged yet; else ``()``."""
    silent: list[int] = []
    flagged = False
    for week in reversed(weeks):
        if week.status not in PROMPTED and week.status != WeekStatus.CANCELLED:
            continue  # skipped for a pause, missed, or not handled: neither counts nor breaks the stretch
        if week.status == WeekStatus.CANCELLED or week.heard:
            break
        silent.append(week.number)
        flagged = flagged or week.flagged
    if len(silent) < SILENCE_WEEKS or flagged:
        return ()
    return tuple(reversed(silent))


# -- pauses --------------------------------------------------------------------------------------------------
def is_paused(paused_until: date | None, day: date) -> bool:
    """Whether a person paused until ``paused_until`` (inclusive) is away on ``day``."""
    return paused_until is not None and day <= paused_until


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(zone(tz)).date()


def paused_now(paused_until: date | None, *, now: datetime, tz: str) -> bool:
    return is_paused(paused_until, local_today(now, tz))


def pause_ends_at(paused_until: date, tz: str) -> datetime:
    """The first moment a person paused until ``paused_until`` is no longer :func:`paused_now`: the start of the day
    after it on their wall clock (in UTC)."""
    return datetime.combine(paused_until + timedelta(days=1), time(0), tzinfo=zone(tz)).astimezone(UTC)


def parse_pause_until(raw: object, *, now: datetime, tz: str, locale: str = "en") -> tuple[date | None, str | None]:
    """A "pause until" day (inclusive) from a datepicker or a command, as the person writes it in their language
    (``bot.domain.locale_input.day``: 2027-12-24, 24.12.2027 or 24.12. in German) -> the day, or an error key:
    ``pause.invalid``, ``pause.past`` (before today where the person is) or ``pause.too_far``."""
    today = local_today(now, tz)
    day = locale_input.day(raw, locale, today=today)
    if day is None:
        return None, "pause.invalid"
    if day < today:
        return None, "pause.past"
    if day > today + timedelta(days=PAUSE_MAX_DAYS):
        return None, "pause.too_far"
    return day, None


PAUSE_OFF = frozenset({"off", "aus", "end", "ende", "stop", "resume"})
_UNTIL = re.compile(r"^(?:(?:until|till|bis)\s+)?(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class PauseCommand:
    """``/tandem pause ...``: ``action`` is "status" (no arguments), "off" or "until" (with ``raw`` day)."""

    action: str
    raw: str = ""


def parse_pause_command(args: str) -> PauseCommand:
    text = " ".join(args.split())
    if not text:
        return PauseCommand("status")
    if text.casefold() in PAUSE_OFF:
        return PauseCommand("off")
    found = _UNTIL.match(text)
    return PauseCommand("until", found.group(1) if found else text)


# -- cancel and move -----------------------------------------------------------------------------------------
def is_late(*, thread_at: datetime, now: datetime) -> bool:
    """Less than ``LATE_NOTICE`` before the week's prompt (or after it)."""
    return thread_at - now < LATE_NOTICE


def move_error(
    new_day: date | None,
    *,
    number: int,
    sched: Schedule,
    moved: Mapping[int, date],
    zones: Mapping[int, Who],
    now: datetime,
) -> str | None:
    """Why week ``number`` cannot move to ``new_day`` (an error key), or None: ``move_to.required``,
    ``move_to.same``, ``move_to.past`` (its prompt moment would have passed), ``move_to.order`` (not strictly
    between the previous and the next week, or past the program's end)."""
    if new_day is None:
        return "move_to.required"
    if new_day == week_day(sched, number, moved):
        return "move_to.same"
    if plan(number, new_day, sched.hour, zones).thread_at <= now:
        return "move_to.past"
    after, before = move_bounds(number, sched=sched, moved=moved)
    if (after is not None and new_day <= after) or new_day >= before:
        return "move_to.order"
    return None


def move_bounds(number: int, *, sched: Schedule, moved: Mapping[int, date]) -> tuple[date | None, date]:
    """Week ``number`` may move to a day strictly after the first (the previous week's day; None for week 1)
    and strictly before the second (the next week's day, or the program's end)."""
    after = week_day(sched, number - 1, moved) if number > 1 else None
    before = week_day(sched, number + 1, moved) if number < sched.weeks else sched.end_day
    return after, before
