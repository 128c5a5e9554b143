"""Program settings as hosts enter them: parsing and validation, no I/O; and when the hosts' daily digest is due.

Errors are keys (``"name.required"``); the wording for each lives in templates/<locale>/program.j2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.monitoring import parse as parse_monitoring
from bot.domain.orgchart import LEVELS_DEFAULT, LEVELS_MAX, LEVELS_MIN
from bot.domain.retention import parse_months as parse_retention_months

NAME_MAX = 80
FIELD_MAX = 60
FIELDS_MAX = 10
GOAL_MAX = 150
GOALS_MAX = 5
FOCUS_MAX = 150
WEEKS_MAX = 104
TRIAL_MAX = 52


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    learning_fields: list[str]
    start_date: date
    duration_weeks: int
    rhythm: str
    prompt_weekday: int
    prompt_hour: int
    trial_weeks: int
    focus_question: str | None
    bold_goals: list[str] = field(default_factory=list)
    default_locale: str = "en"
    signup_open: bool = False
    match_on: date | None = None  # scheduled matching: a preview for hosts on this day
    retention_months: int = 12  # data kept this many months after the program's end (bot.domain.retention)
    reporting_levels: int = LEVELS_DEFAULT  # matching keeps people apart this many levels up a reporting line
    # prompts and reminders reach people only on these weekdays; None: a form without the field (left as it is)
    working_days: tuple[int, ...] | None = None
    # the monitoring-like features switched on (bot.domain.monitoring.SWITCHES); None: a form without the field, or a
    # value no form sends (left as they are)
    monitoring: frozenset[str] | None = None


def _lines(text: str | None) -> list[str]:
    seen: list[str] = []
    for raw in (text or "").replace(",", "\n").splitlines():
        item = " ".join(raw.split()).strip(" -•*")
        if item and item.casefold() not in {s.casefold() for s in seen}:
            seen.append(item)
    return seen


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def parse_working_days(raw: object) -> tuple[int, ...]:
    """The weekdays (Monday = 0) ticked in the program form, in order; anything that is no weekday is left out."""
    picked = raw if isinstance(raw, list | tuple) else []
    return tuple(sorted({d for d in (_int(str(x)) for x in picked) if d is not None and 0 <= d <= 6}))


def parse_program_form(
    raw: dict[str, object],
    *,
    existing_names: set[str],
    default_focus: str,
    today: date | None = None,
    current_match_on: date | None = None,
) -> tuple[ProgramSpec | None, dict[str, str]]:
    """Check a host's program form. Returns the spec, or None and ``{field: error_key}``.

    ``existing_names``: names of the workspace's other programs (case-insensitive uniqueness).
    ``default_focus``: the localized default focus question; entering it unchanged stores None, so each
    participant later sees the question in their own language.
    ``today``: the date in the program's zone; a matching date before it is an error, unless it is
    ``current_match_on``, the date the program already has (an edit that leaves it as it was).
    """
    errors: dict[str, str] = {}
    name = " ".join(str(raw.get("name") or "").split())
    if not name:
        errors["name"] = "name.required"
    elif len(name) > NAME_MAX:
        errors["name"] = "name.too_long"
    elif name.casefold() in {n.casefold() for n in existing_names}:
        errors["name"] = "name.taken"

    fields = _lines(raw.get("fields"))  # type: ignore[arg-type]
    if not fields:
        errors["fields"] = "fields.required"
    elif len(fields) > FIELDS_MAX:
        errors["fields"] = "fields.too_many"
    elif any(len(f) > FIELD_MAX for f in fields):
        errors["fields"] = "fields.too_long"

    start: date | None = None
    try:
        start = date.fromisoformat(str(raw.get("start_date") or ""))
    except ValueError:
        errors["start_date"] = "start_date.required"

    match_on: date | None = None
    if raw.get("match_on"):
        try:
            match_on = date.fromisoformat(str(raw.get("match_on")))
        except ValueError:
            errors["match_on"] = "match_on.invalid"
        else:
            if today is not None and match_on < today and match_on != current_match_on:
                errors["match_on"] = "match_on.past"

    weeks = _int(raw.get("duration_weeks"))  # type: ignore[arg-type]
    if weeks is None or not 1 <= weeks <= WEEKS_MAX:
        errors["duration_weeks"] = "duration_weeks.range"

    trial = _int(raw.get("trial_weeks"))  # type: ignore[arg-type]
    if trial is None or not 0 <= trial <= TRIAL_MAX:
        errors["trial_weeks"] = "trial_weeks.range"
    elif weeks is not None and trial >= weeks:
        errors["trial_weeks"] = "trial_weeks.longer_than_program"

    rhythm = str(raw.get("rhythm") or "weekly")
    if rhythm not in ("weekly", "biweekly"):
        errors["rhythm"] = "rhythm.invalid"
    weekday = _int(raw.get("weekday"))  # type: ignore[arg-type]
    if weekday is None or not 0 <= weekday <= 6:
        errors["weekday"] = "weekday.invalid"
    working_days = None if raw.get("working_days") is None else parse_working_days(raw.get("working_days"))
    if working_days == ():
        errors["working_days"] = "working_days.required"
    elif working_days and weekday is not None and 0 <= weekday <= 6 and weekday not in working_days:
        errors["weekday"] = "weekday.not_working"
    hour = _int(raw.get("hour"))  # type: ignore[arg-type]
    if hour is None or not 0 <= hour <= 23:
        errors["hour"] = "hour.invalid"

    focus = " ".join(str(raw.get("focus_question") or "").split()) or None
    if focus and len(focus) > FOCUS_MAX:
        errors["focus_question"] = "focus_question.too_long"
    if focus == default_focus:
        focus = None

    goals = [g for g in (" ".join(line.split()) for line in str(raw.get("goals") or "").splitlines()) if g]
    if len(goals) > GOALS_MAX:
        errors["goals"] = "goals.too_many"
    elif any(len(g) > GOAL_MAX for g in goals):
        errors["goals"] = "goals.too_long"

    retention, retention_error = parse_retention_months(raw.get("retention_months"))
    if retention_error:
        errors["retention_months"] = retention_error

    levels = LEVELS_DEFAULT
    if raw.get("reporting_levels") not in (None, ""):
        parsed = _int(raw.get("reporting_levels"))  # type: ignore[arg-type]
        if parsed is None or not LEVELS_MIN <= parsed <= LEVELS_MAX:
            errors["reporting_levels"] = "reporting_levels.range"
        else:
            levels = parsed

    locale = str(raw.get("locale") or "en")
    if locale not in ("en", "de"):
        errors["locale"] = "locale.invalid"

    if errors:
        return None, errors
    assert start is not None and weeks is not None and trial is not None and weekday is not None and hour is not None
    return ProgramSpec(
        name=name,
        learning_fields=fields,
        start_date=start,
        duration_weeks=weeks,
        rhythm=rhythm,
        prompt_weekday=weekday,
        prompt_hour=hour,
        trial_weeks=trial,
        focus_question=focus,
        bold_goals=goals,
        default_locale=locale,
        signup_open=bool(raw.get("signup_open")),
        match_on=match_on,
        retention_months=retention or 12,
        reporting_levels=levels,
        working_days=working_days,
        monitoring=parse_monitoring(raw.get("monitoring")),
    ), {}


@dataclass(frozen=True)
class OnboardingCounts:
    """How a program's invitations stand. ``invited`` counts everyone ever invited or signed up."""

    invited: int = 0
    pending: int = 0  # invited, no answer yet
    interviewing: int = 0
    onboarded: int = 0
    declined: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "invited": self.invited,
            "pending": self.pending,
            "interviewing": self.interviewing,
            "onboarded": self.onboarded,
            "declined": self.declined,
        }


# -- the hosts' daily onboarding digest (bot.services.digest) -------------------------------------------------------
DIGEST_HOUR = 9  # from this hour on the program's wall clock, once a day


def digest_day(now: datetime, *, tz: str, last_digest_on: date | None) -> date | None:
    """The day (in the program's zone ``tz``) whose digest is due at ``now``: from ``DIGEST_HOUR`` on, once a day
    (``last_digest_on``: the day of the last one); None when none is."""
    local = now.astimezone(ZoneInfo(tz))
    if local.hour < DIGEST_HOUR or last_digest_on == local.date():
        return None
    return local.date()


def digest_next(now: datetime, *, tz: str, last_digest_on: date | None) -> datetime:
    """The first moment at or after ``now`` at which :func:`digest_day` gives a day: ``now``, or ``DIGEST_HOUR`` of
    the first day to come that is not ``last_digest_on``."""
    if digest_day(now, tz=tz, last_digest_on=last_digest_on) is not None:
        return now
    zone = ZoneInfo(tz)
    day = now.astimezone(zone).date()
    while day == last_digest_on or datetime.combine(day, time(DIGEST_HOUR), tzinfo=zone) <= now:
        day += timedelta(days=1)
    return datetime.combine(day, time(DIGEST_HOUR), tzinfo=zone).astimezone(UTC)
