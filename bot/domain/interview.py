"""The onboarding interview's rules: its steps and their order, the answers it accepts, and when to remind.

Pure: no database, no Slack, no clock. Validation returns ``{field: error_key}``; the wording of each key
lives in ``templates/<locale>/interview.j2`` as ``error_<key>``. Answers are stored as stable keys
(``"curiosity"``, ``"async"``, weekday numbers), never as translated words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class Step(enum.StrEnum):
    SETTINGS = "settings"  # confirm or correct time zone and language (buttons; a modal to correct)
    ROLE = "role"  # what the person brings to the tandem (buttons)
    ABOUT = "about"  # self-description, field or department, curiosity (modal)
    TOPICS = "topics"  # can teach / want to learn (modal)
    STYLE = "style"  # learning style and how they like to work together (modal)
    VALUES = "values"  # up to three values (modal)
    AVAILABILITY = "availability"  # hours a week, preferred days, own working days, region (modal)
    MANAGER = "manager"  # optional, private: who is your manager? (modal with a users_select; skippable)
    AVOID = "avoid"  # optional, private: anyone you'd rather not be paired with? (multi_users_select; skippable)
    AGREEMENT = "agreement"  # consent to the basics of the working agreement (button)
    DONE = "done"  # every step answered


STEPS: tuple[Step, ...] = tuple(s for s in Step if s is not Step.DONE)
# Steps answered in a modal (opened from the step's one button). SETTINGS has a modal only to correct.
MODAL_STEPS = frozenset({Step.ABOUT, Step.TOPICS, Step.STYLE, Step.VALUES, Step.AVAILABILITY, Step.MANAGER, Step.AVOID})
# Optional steps: their DM has a "skip" button next to the one that opens the modal, and the modal may be empty.
SKIPPABLE = frozenset({Step.MANAGER, Step.AVOID})


def first_step() -> Step:
    return STEPS[0]


def next_step(step: Step) -> Step:
    """The step after ``step``; DONE after the last one (and after DONE)."""
    if step is Step.DONE:
        return Step.DONE
    i = STEPS.index(step)
    return STEPS[i + 1] if i + 1 < len(STEPS) else Step.DONE


def step_number(step: Step) -> int:
    """1-based position of ``step`` (len(STEPS) + 1 for DONE)."""
    return len(STEPS) + 1 if step is Step.DONE else STEPS.index(step) + 1


def answered_before(step: Step, current: Step) -> bool:
    """Whether ``step`` was already answered by someone who is now on ``current``."""
    return step_number(step) < step_number(current)


def parse_step(value: str | None) -> Step | None:
    try:
        return Step(value or "")
    except ValueError:
        return None


# -- what the answers may be -------------------------------------------------------------------------------
LOCALES = ("en", "de")
ROLES = ("digital", "context", "both")  # bot.models.TandemRole, as keys
LEARNING_STYLES = ("doing", "examples", "reading", "talking")
MODES = ("async", "mixed", "live")  # how the pair works together
PACES = ("relaxed", "steady", "ambitious")
DIRECTNESS = ("direct", "balanced", "gentle")
PREFERENCE_KEYS = ("mode", "pace", "directness")
PREFERENCE_OPTIONS: dict[str, tuple[str, ...]] = {"mode": MODES, "pace": PACES, "directness": DIRECTNESS}
VALUES = (
    "curiosity",
    "trust",
    "openness",
    "courage",
    "respect",
    "reliability",
    "humour",
    "sustainability",
    "fairness",
    "growth",
    "creativity",
    "clarity",
)
HOURS = (1, 2, 3, 4, 5)  # hours a week; 5 means "5 or more"
WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday = 0, as datetime.weekday()

SELF_DESCRIPTION_MIN, SELF_DESCRIPTION_MAX = 20, 600
DEPARTMENT_MIN, DEPARTMENT_MAX = 2, 120
TOPIC_MAX = 60  # characters per free-text topic
TOPICS_MAX = 10  # free-text topics per field
TOPICS_TEXT_MAX = TOPICS_MAX * (TOPIC_MAX + 2)  # the free-text field they are typed in, comma-separated
VALUES_MIN, VALUES_MAX = 1, 3
TZ_TEXT_MAX = 64
AVOID_MAX = 10  # people on a "please not" list


class Field(enum.StrEnum):
    """Every answer a form can hold. ``ID(f"profile.{field}")`` is its input's block_id and action_id."""

    TZ = "tz"
    LOCALE = "locale"
    SELF_DESCRIPTION = "self_description"
    DEPARTMENT = "department"
    CURIOSITY = "curiosity"
    CAN_TEACH = "can_teach"
    CAN_TEACH_OTHER = "can_teach_other"
    WANT_TO_LEARN = "want_to_learn"
    WANT_TO_LEARN_OTHER = "want_to_learn_other"
    LEARNING_STYLE = "learning_style"
    MODE = "mode"
    PACE = "pace"
    DIRECTNESS = "directness"
    VALUES = "values"
    HOURS = "hours_per_week"
    DAYS = "preferred_days"
    REGION = "region"  # where public holidays differ by region: which one (bot.domain.worktime), optional
    WORKING_DAYS = "working_days"  # the person's own working days (bot.domain.worktime), optional
    MANAGER = "manager"  # a Slack user id (users_select)
    AVOID = "avoid"  # Slack user ids (multi_users_select)


# The fields each modal step asks for (SETTINGS: its correction modal). The profile editor asks for all.
STEP_FIELDS: dict[Step, tuple[Field, ...]] = {
    Step.SETTINGS: (Field.TZ, Field.LOCALE),
    Step.ABOUT: (Field.SELF_DESCRIPTION, Field.DEPARTMENT, Field.CURIOSITY),
    Step.TOPICS: (Field.CAN_TEACH, Field.CAN_TEACH_OTHER, Field.WANT_TO_LEARN, Field.WANT_TO_LEARN_OTHER),
    Step.STYLE: (Field.LEARNING_STYLE, Field.MODE, Field.PACE, Field.DIRECTNESS),
    Step.VALUES: (Field.VALUES,),
    Step.AVAILABILITY: (Field.HOURS, Field.DAYS, Field.WORKING_DAYS, Field.REGION),
    Step.MANAGER: (Field.MANAGER,),
    Step.AVOID: (Field.AVOID,),
}
PROFILE_FIELDS: tuple[Field, ...] = (
    *STEP_FIELDS[Step.ABOUT],
    *STEP_FIELDS[Step.TOPICS],
    *STEP_FIELDS[Step.STYLE],
    *STEP_FIELDS[Step.VALUES],
    *STEP_FIELDS[Step.AVAILABILITY],
    *STEP_FIELDS[Step.SETTINGS],
    *STEP_FIELDS[Step.MANAGER],
    *STEP_FIELDS[Step.AVOID],
)
# The private fields: never shown to anyone but the person (the profile editor explains them above their inputs).
PRIVATE_FIELDS = frozenset({Field.MANAGER, Field.AVOID})

# Limits each error message may mention: field -> (min, max).
LIMITS: dict[Field, tuple[int, int]] = {
    Field.SELF_DESCRIPTION: (SELF_DESCRIPTION_MIN, SELF_DESCRIPTION_MAX),
    Field.DEPARTMENT: (DEPARTMENT_MIN, DEPARTMENT_MAX),
    Field.CURIOSITY: (0, TOPICS_MAX),
    Field.CAN_TEACH_OTHER: (0, TOPICS_MAX),
    Field.WANT_TO_LEARN_OTHER: (0, TOPICS_MAX),
    Field.VALUES: (VALUES_MIN, VALUES_MAX),
    Field.TZ: (1, TZ_TEXT_MAX),
    Field.AVOID: (0, AVOID_MAX),
}


@dataclass(frozen=True)
class Profile:
    """What the interview has collected about a person (a snapshot of their Participant row)."""

    name: str = ""
    tz: str = "UTC"
    locale: str = "en"
    role: str | None = None
    self_description: str | None = None
    department: str | None = None
    curiosity: tuple[str, ...] = ()
    can_teach: tuple[str, ...] = ()
    want_to_learn: tuple[str, ...] = ()
    learning_style: str | None = None
    preferences: dict[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = ()
    hours_per_week: int | None = None
    preferred_days: tuple[int, ...] = ()
    country: str | None = None  # as stored (None: the one of the time zone, bot.domain.worktime.country_of)
    region: str | None = None
    working_days: tuple[int, ...] = ()  # their own working days (none: the program's, bot.domain.worktime)
    manager: str | None = None  # the manager the person named themselves (not an org chart's)
    avoid: tuple[str, ...] = ()  # their "please not" list


# -- cleaning what people type ----------------------------------------------------------------------------
_SPLIT = re.compile(r"[,;\n]+")


def clean_text(value: Any) -> str:
    """Text as typed, without surrounding blanks; None becomes ''."""
    return str(value or "").strip()


def clean_line(value: Any) -> str:
    """One line: inner runs of blanks collapsed."""
    return " ".join(str(value or "").split())


def split_topics(text: Any) -> list[str]:
    """``"TikTok, Canva\\n no-code "`` -> ``["TikTok", "Canva", "no-code"]``: split at commas, semicolons and
    new lines, trimmed, bullets dropped, duplicates (case-insensitive) removed, order kept."""
    topics: list[str] = []
    seen: set[str] = set()
    for raw in _SPLIT.split(str(text or "")):
        topic = " ".join(raw.split()).strip(" -•*·")
        if topic and topic.casefold() not in seen:
            seen.add(topic.casefold())
            topics.append(topic)
    return topics


def merge_topics(chosen: Iterable[str], other: Any) -> list[str]:
    """Chosen learning fields first, then free-text topics that are not already among them."""
    merged: list[str] = []
    seen: set[str] = set()
    for topic in [*chosen, *split_topics(other)]:
        if topic.casefold() not in seen:
            seen.add(topic.casefold())
            merged.append(topic)
    return merged


def split_chosen(topics: Iterable[str], offered: Iterable[str]) -> tuple[list[str], list[str]]:
    """Stored topics split into (offered learning fields, the rest) to prefill a form."""
    offered_keys = {o.casefold(): o for o in offered}
    chosen, other = [], []
    for topic in topics:
        if topic.casefold() in offered_keys:
            chosen.append(offered_keys[topic.casefold()])
        else:
            other.append(topic)
    return chosen, other


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    zones = {z for z in available_timezones() if "/" in z or z == "UTC"}
    return {z.casefold(): z for z in zones}


@lru_cache(maxsize=1)
def _cities() -> dict[str, str | None]:
    """Last part of each zone name (``berlin``) -> zone, or None where it is ambiguous."""
    cities: dict[str, str | None] = {}
    for key, zone in _zones().items():
        if key.startswith(("etc/", "posix/", "right/")):
            continue
        city = key.rsplit("/", 1)[-1]
        cities[city] = None if city in cities and cities[city] != zone else zone
    return cities


# Cities people name for their time zone that have no zone of their own (the zone is named after another city)
OTHER_CITIES = {
    "Europe/Berlin": (
        "München",
        "Munich",
        "Hamburg",
        "Köln",
        "Cologne",
        "Frankfurt",
        "Stuttgart",
        "Düsseldorf",
        "Leipzig",
        "Dresden",
        "Hannover",
        "Hanover",
        "Nürnberg",
        "Nuremberg",
        "Bremen",
        "Essen",
    ),
    "Europe/Vienna": ("Graz", "Linz", "Salzburg", "Innsbruck"),
    "Europe/Zurich": ("Bern", "Basel", "Genf", "Geneva", "Lausanne"),
    "Europe/London": ("Manchester", "Edinburgh", "Birmingham"),
    "America/New_York": ("Boston", "Washington"),
    "America/Los_Angeles": ("San Francisco", "Seattle"),
}


@lru_cache(maxsize=1)
def _named_cities() -> dict[str, str | None]:
    """City names in the people's languages (Babel's CLDR data: Lissabon, Wien, Singapur, Zürich; Lisbon, Vienna)
    and the cities of ``OTHER_CITIES`` -> zone, or None where a name is ambiguous."""
    from babel.dates import get_timezone_location

    named: dict[str, str | None] = {}

    def add(name: str, zone: str) -> None:
        key = name.replace(" ", "_").casefold()
        if key in named and named[key] != zone:
            known = named[key]  # two names of one zone (Asia/Kolkata, Asia/Calcutta) keep the first; else ambiguous
            zone = known if known is not None and _same_clock(known, zone) else None  # type: ignore[assignment]
        named[key] = zone

    for zone in sorted(set(_zones().values())):
        if "/" not in zone or zone.startswith(("Etc/", "posix/", "right/")):
            continue
        for babel_locale in ("de_DE", "en_GB"):
            add(get_timezone_location(zone, locale=babel_locale, return_city=True), zone)
    for zone, cities in OTHER_CITIES.items():
        for city in cities:
            add(city, zone)
    return named


_SAMPLES = tuple(datetime(year, month, 15, 12, tzinfo=UTC) for year in (2000, 2027) for month in (1, 7))


def _same_clock(a: str, b: str) -> bool:
    """Whether two zone names keep the same clock (aliases), judged on a few days."""
    return all(
        when.astimezone(ZoneInfo(a)).utcoffset() == when.astimezone(ZoneInfo(b)).utcoffset() for when in _SAMPLES
    )


def normalize_tz(text: Any) -> str | None:
    """An IANA time zone from what a person typed: the zone's name (``europe/berlin``), or a city in English or
    German (``Berlin``, ``New York``, ``Lissabon``, ``Wien``, ``Singapur``, ``München``); None for anything else or a
    city name two zones share."""
    typed = clean_line(text)
    if not typed or len(typed) > TZ_TEXT_MAX:
        return None
    key = typed.replace(" ", "_").casefold()
    zone = _zones().get(key) or _cities().get(key) or _named_cities().get(key)
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return zone


def step_ref(enrollment_id: int, step: Step) -> str:
    """What a step's buttons carry as their value: ``"12:role"``."""
    return f"{enrollment_id}:{step}"


def parse_step_ref(value: Any) -> tuple[int, Step] | None:
    """``"12:role"`` -> (12, Step.ROLE); None for anything else."""
    enrollment, _, step = str(value or "").partition(":")
    number, parsed = parse_int(enrollment), parse_step(step)
    if number is None or parsed is None:
        return None
    return number, parsed


def parse_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_days(values: Iterable[Any] | None) -> list[int]:
    days = {d for d in (parse_int(v) for v in values or ()) if d in WEEKDAYS}
    return sorted(days)


# -- validation --------------------------------------------------------------------------------------------
def _length(errors: dict[str, str], name: Field, value: str, low: int, high: int) -> None:
    if not value:
        errors[name] = "required"
    elif len(value) < low:
        errors[name] = "too_short"
    elif len(value) > high:
        errors[name] = "too_long"


def _topics(errors: dict[str, str], name: Field, text: Any) -> None:
    topics = split_topics(text)
    if len(topics) > TOPICS_MAX:
        errors[name] = "too_many_topics"
    elif any(len(t) > TOPIC_MAX for t in topics):
        errors[name] = "topic_too_long"


def validate_settings(*, tz: Any, locale: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not clean_line(tz):
        errors[Field.TZ] = "required"
    elif normalize_tz(tz) is None:
        errors[Field.TZ] = "unknown_tz"
    if locale not in LOCALES:
        errors[Field.LOCALE] = "choose"
    return errors


def validate_about(*, self_description: Any, department: Any, curiosity: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    _length(errors, Field.SELF_DESCRIPTION, clean_text(self_description), SELF_DESCRIPTION_MIN, SELF_DESCRIPTION_MAX)
    _length(errors, Field.DEPARTMENT, clean_line(department), DEPARTMENT_MIN, DEPARTMENT_MAX)
    _topics(errors, Field.CURIOSITY, curiosity)
    return errors


def validate_topics(
    *,
    can_teach: Iterable[str],
    can_teach_other: Any,
    want_to_learn: Iterable[str],
    want_to_learn_other: Any,
    offered: bool,
) -> dict[str, str]:
    """At least one topic on each side, from the program's learning fields or typed. ``offered``: whether the
    form showed learning fields to pick (if not, a missing topic is reported on the free-text input)."""
    errors: dict[str, str] = {}
    for picked_field, other_field, picked, other in (
        (Field.CAN_TEACH, Field.CAN_TEACH_OTHER, list(can_teach), can_teach_other),
        (Field.WANT_TO_LEARN, Field.WANT_TO_LEARN_OTHER, list(want_to_learn), want_to_learn_other),
    ):
        _topics(errors, other_field, other)
        if other_field not in errors and not merge_topics(picked, other):
            errors[picked_field if offered else other_field] = "need_a_topic"
    return errors


def validate_style(*, learning_style: Any, mode: Any, pace: Any, directness: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value, options in (
        (Field.LEARNING_STYLE, learning_style, LEARNING_STYLES),
        (Field.MODE, mode, MODES),
        (Field.PACE, pace, PACES),
        (Field.DIRECTNESS, directness, DIRECTNESS),
    ):
        if value not in options:
            errors[name] = "choose"
    return errors


def validate_values(*, values: Iterable[Any] | None) -> dict[str, str]:
    chosen = list(values or ())
    if not VALUES_MIN <= len(set(chosen)) <= VALUES_MAX or any(v not in VALUES for v in chosen):
        return {Field.VALUES: "values_count"}
    return {}


def validate_availability(
    *, hours: Any, days: Iterable[Any] | None, working_days: Iterable[Any] | None = None
) -> dict[str, str]:
    """Hours and preferred days are required; the own working days are optional (none: the program's), but each one
    ticked must be a weekday the form offered."""
    errors: dict[str, str] = {}
    if parse_int(hours) not in HOURS:
        errors[Field.HOURS] = "choose"
    if not parse_days(days):
        errors[Field.DAYS] = "choose"
    if not valid_working_days(working_days):
        errors[Field.WORKING_DAYS] = "working_days"
    return errors


def valid_working_days(values: Any) -> bool:
    """Whether the own working days as submitted are weekdays the form offered (nothing ticked is valid)."""
    if values is None:
        return True
    if not isinstance(values, list | tuple):
        return False
    return all(str(v) in _WEEKDAY_VALUES for v in values)


_WEEKDAY_VALUES = frozenset(str(d) for d in WEEKDAYS)


def clean_users(value: Any) -> list[str]:
    """Slack user ids from a users_select / multi_users_select value, each once, in order."""
    raw = [value] if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(str(v) for v in raw if isinstance(v, str) and v.strip()))


def validate_manager(*, manager: Any, me: str | None) -> dict[str, str]:
    chosen = clean_users(manager)
    if me is not None and me in chosen:
        return {Field.MANAGER: "not_yourself"}
    return {}


def validate_avoid(*, avoid: Any, me: str | None) -> dict[str, str]:
    chosen = clean_users(avoid)
    if me is not None and me in chosen:
        return {Field.AVOID: "not_yourself"}
    if len(chosen) > AVOID_MAX:
        return {Field.AVOID: "too_many_people"}
    return {}


def validate_step(
    step: Step, form: dict[str, Any], *, offered: Iterable[str] = (), me: str | None = None
) -> dict[str, str]:
    """Validate the answers of ``step``'s form (``{Field: raw value}``); ``offered``: the program's learning
    fields shown to pick from; ``me``: the person's own Slack id (nobody is their own manager, nor on their own
    "please not" list)."""
    offered = list(offered)
    if step is Step.SETTINGS:
        return validate_settings(tz=form.get(Field.TZ), locale=form.get(Field.LOCALE))
    if step is Step.ABOUT:
        return validate_about(
            self_description=form.get(Field.SELF_DESCRIPTION),
            department=form.get(Field.DEPARTMENT),
            curiosity=form.get(Field.CURIOSITY),
        )
    if step is Step.TOPICS:
        return validate_topics(
            can_teach=chosen_fields(form.get(Field.CAN_TEACH), offered),
            can_teach_other=form.get(Field.CAN_TEACH_OTHER),
            want_to_learn=chosen_fields(form.get(Field.WANT_TO_LEARN), offered),
            want_to_learn_other=form.get(Field.WANT_TO_LEARN_OTHER),
            offered=bool(offered),
        )
    if step is Step.STYLE:
        return validate_style(
            learning_style=form.get(Field.LEARNING_STYLE),
            mode=form.get(Field.MODE),
            pace=form.get(Field.PACE),
            directness=form.get(Field.DIRECTNESS),
        )
    if step is Step.VALUES:
        return validate_values(values=form.get(Field.VALUES))
    if step is Step.AVAILABILITY:
        return validate_availability(
            hours=form.get(Field.HOURS), days=form.get(Field.DAYS), working_days=form.get(Field.WORKING_DAYS)
        )
    if step is Step.MANAGER:
        return validate_manager(manager=form.get(Field.MANAGER), me=me)
    if step is Step.AVOID:
        return validate_avoid(avoid=form.get(Field.AVOID), me=me)
    return {}


def validate_profile(form: dict[str, Any], *, offered: Iterable[str] = (), me: str | None = None) -> dict[str, str]:
    """Every step's rules at once, for the profile editor."""
    offered = list(offered)
    errors: dict[str, str] = {}
    for step in (
        Step.ABOUT,
        Step.TOPICS,
        Step.STYLE,
        Step.VALUES,
        Step.AVAILABILITY,
        Step.SETTINGS,
        Step.MANAGER,
        Step.AVOID,
    ):
        errors.update(validate_step(step, form, offered=offered, me=me))
    return errors


def chosen_fields(picked: Iterable[Any] | None, offered: Iterable[str]) -> list[str]:
    """The picked learning fields that the program offers (anything else is ignored)."""
    allowed = set(offered)
    return [p for p in (picked or ()) if isinstance(p, str) and p in allowed]


def answers_of(step: Step, form: dict[str, Any], *, offered: Iterable[str] = ()) -> dict[str, Any]:
    """The cleaned answers of a valid form, as Participant attributes (``preferences`` as a partial dict)."""
    offered = list(offered)
    if step is Step.SETTINGS:
        return {"tz": normalize_tz(form.get(Field.TZ)), "locale": form.get(Field.LOCALE)}
    if step is Step.ABOUT:
        return {
            "self_description": clean_text(form.get(Field.SELF_DESCRIPTION)),
            "department": clean_line(form.get(Field.DEPARTMENT)),
            "curiosity": split_topics(form.get(Field.CURIOSITY)),
        }
    if step is Step.TOPICS:
        return {
            "can_teach": merge_topics(
                chosen_fields(form.get(Field.CAN_TEACH), offered), form.get(Field.CAN_TEACH_OTHER)
            ),
            "want_to_learn": merge_topics(
                chosen_fields(form.get(Field.WANT_TO_LEARN), offered), form.get(Field.WANT_TO_LEARN_OTHER)
            ),
        }
    if step is Step.STYLE:
        return {
            "learning_style": form.get(Field.LEARNING_STYLE),
            "preferences": {key: form.get(Field(key)) for key in PREFERENCE_KEYS},
        }
    if step is Step.VALUES:
        return {"values": [v for v in VALUES if v in set(form.get(Field.VALUES) or ())]}
    if step is Step.AVAILABILITY:
        answers: dict[str, Any] = {
            "hours_per_week": parse_int(form.get(Field.HOURS)),
            "preferred_days": parse_days(form.get(Field.DAYS)),
        }
        if Field.WORKING_DAYS in form:  # a form from before the question leaves the days as they are
            answers["working_days"] = parse_days(form.get(Field.WORKING_DAYS)) or None  # none: the program's
        return answers
    if step is Step.MANAGER:
        return {"manager": next(iter(clean_users(form.get(Field.MANAGER))), None)}
    if step is Step.AVOID:
        return {"avoid": clean_users(form.get(Field.AVOID))}
    return {}


# -- reminders ---------------------------------------------------------------------------------------------
# After this long without activity, reminder n (1-based) is due; then silence.
REMINDER_AFTER: tuple[timedelta, ...] = (timedelta(days=2), timedelta(days=5))
# Never two reminders closer together than this (when the first one was late, e.g. the clock was down).
REMINDER_MIN_GAP = timedelta(days=1)
# Reminders only reach people between these local times.
DAYTIME_START, DAYTIME_END = time(9, 0), time(18, 0)


def daytime_zone(tz: str) -> ZoneInfo:
    """The zone :func:`is_local_daytime` reads ``tz`` as: the zone of that exact name, else UTC."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_local_daytime(now: datetime, tz: str) -> bool:
    """Whether ``now`` falls between 09:00 and 18:00 in ``tz`` (an unknown zone counts as UTC)."""
    local = now.astimezone(daytime_zone(tz)).time()
    return DAYTIME_START <= local < DAYTIME_END


def next_local_daytime(earliest: datetime, tz: str) -> datetime:
    """The first moment at or after ``earliest`` that :func:`is_local_daytime` accepts: ``earliest`` itself, else the
    next 09:00 on the wall clock of ``tz`` (no zone switches to or from summer time in daytime)."""
    if is_local_daytime(earliest, tz):
        return earliest
    zone = daytime_zone(tz)
    local = earliest.astimezone(zone)
    day = local.date() + timedelta(days=1 if local.time() >= DAYTIME_START else 0)
    return datetime.combine(day, DAYTIME_START, tzinfo=zone).astimezone(UTC)


class WorkingClock(Protocol):
    """A person's working time (``bot.domain.worktime.WorkingTime``), as the reminders need it."""

    def is_working(self, when: datetime) -> bool: ...

    def next_working(self, earliest: datetime) -> datetime: ...


def reminder_due(
    *,
    last_activity_at: datetime,
    reminders_sent: int,
    last_reminder_at: datetime | None,
    now: datetime,
    tz: str | WorkingClock,
) -> int | None:
    """The number (1 or 2) of the reminder to send now, or None.

    Reminder n is due once the person has been quiet for ``REMINDER_AFTER[n-1]``, at least
    ``REMINDER_MIN_GAP`` after the previous reminder, and only in their local daytime (``tz``: their zone), or
    in their working time (which leaves out days off and public holidays where they are).
    """
    if reminders_sent >= len(REMINDER_AFTER) or reminders_sent < 0:
        return None
    if now < last_activity_at + REMINDER_AFTER[reminders_sent]:
        return None
    if (
        last_reminder_at is not None
        and last_reminder_at >= last_activity_at
        and now < last_reminder_at + REMINDER_MIN_GAP
    ):
        return None
    if not (is_local_daytime(now, tz) if isinstance(tz, str) else tz.is_working(now)):
        return None
    return reminders_sent + 1


def reminder_next(
    *,
    last_activity_at: datetime,
    reminders_sent: int,
    last_reminder_at: datetime | None,
    now: datetime,
    tz: str | WorkingClock,
) -> datetime | None:
    """The first moment at or after ``now`` at which :func:`reminder_due` gives a reminder (``now`` when it does
    now), or None when it never will (both were sent)."""
    if reminders_sent >= len(REMINDER_AFTER) or reminders_sent < 0:
        return None
    earliest = max(now, last_activity_at + REMINDER_AFTER[reminders_sent])
    if last_reminder_at is not None and last_reminder_at >= last_activity_at:
        earliest = max(earliest, last_reminder_at + REMINDER_MIN_GAP)
    return next_local_daytime(earliest, tz) if isinstance(tz, str) else tz.next_working(earliest)
