"""Retro rituals, pure: when a pair's retro is due, what a filled-in form must hold, the consent rule for a quote
and the hosts' aggregates. No database, no Slack, no clock.

**Cycles.** A pair's weeks (``bot.domain.rhythm.Schedule``) fall into cycles of ``every`` weeks: a cycle ends
after week ``every``, ``2 * every``, ... and the last cycle ends with the pair's last week (the program's end),
however short it is. A cycle's retro is due ``RETRO_AFTER_DAYS`` after the day of its last week, at
``RETRO_HOUR`` on the later partner's wall clock, moved to that partner's next workday daytime (given the partners'
working time, :class:`bot.domain.worktime.WorkingTime`: the later of their next working moments, so it never
reaches either on a day off or a public holiday where they are). When the clock
was down over several due moments, only the newest retro opens.

**Consent.** A quote is shared only when the partner who proposed it confirmed it and the other partner agreed,
and nobody declined. One "no" is final.

**Themes.** Each partner may tag what the retro was about from a short list (:data:`THEMES`: time, tools, hierarchy,
confidence, customers, other). A retro's themes are those either partner tagged, each counted once per retro.

**Aggregates.** Hosts see counts only, as released once a week (``bot.domain.release``): of the retros two weeks
old, how many both partners filled in within those two weeks, their talk-share distribution, how many "what we
change" answers they hold and how many retros named each theme; never free text, except consented quotes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.localtime import send_at, zone
from bot.domain.worktime import WorkingTime

RETRO_AFTER_DAYS = 3  # e.g. Monday's last prompt of a cycle: the retro comes on Thursday
RETRO_HOUR = time(10)
EVERY_MIN, EVERY_MAX = 1, 52
DEFAULT_EVERY = 4
TEXT_MAX = 1000  # characters of each answer
QUOTE_MAX = 280
TALK_SHARES = (1, 2, 3, 4, 5)  # 1: one of us did nearly all the talking; 5: balanced
REPORT_AFTER_DAYS = 7  # the hosts' program retro: this long after the program's end, 09:00 program time
REPORT_HOUR = time(9)
THEMES = ("time", "tools", "hierarchy", "confidence", "customers", "other")  # "what was it about?", in this order
THEME_KEY = "theme_"  # + theme: a released retros cell's count of the retros that named it


@dataclass(frozen=True)
class Cycle:
    number: int
    last_week: int
    final: bool


def cycles(total_weeks: int, every: int) -> list[Cycle]:
    """The cycles of a pair with ``total_weeks`` weeks, a retro every ``every`` weeks and one at the end."""
    if total_weeks <= 0:
        return []
    every = max(EVERY_MIN, every)
    ends = [*range(every, total_weeks, every), total_weeks]
    return [Cycle(i, end, end == total_weeks) for i, end in enumerate(ends, start=1)]


def _partner_moment(day: date, who: str | WorkingTime) -> datetime:
    if isinstance(who, WorkingTime):
        return who.next_working(datetime.combine(day, RETRO_HOUR, tzinfo=zone(who.tz)))
    return send_at(datetime.combine(day, RETRO_HOUR, tzinfo=zone(who)), who)


def due_moment(day_of_last_week: date, zones: Iterable[str | WorkingTime]) -> datetime:
    """When the retro of a cycle whose last week fell on ``day_of_last_week`` opens (UTC). ``zones``: each
    partner's zone or working time."""
    day = day_of_last_week + timedelta(days=RETRO_AFTER_DAYS)
    return max(_partner_moment(day, who) for who in zones)


def due(
    all_cycles: list[Cycle],
    *,
    day_of: Callable[[int], date],
    zones: Iterable[str | WorkingTime],
    opened: int,
    now: datetime,
) -> Cycle | None:
    """The newest cycle whose retro is due at ``now`` and newer than the newest one ``opened`` (0: none)."""
    zones = list(zones)
    come = [c for c in all_cycles if c.number > opened and due_moment(day_of(c.last_week), zones) <= now]
    return come[-1] if come else None


def next_moment(
    all_cycles: list[Cycle], *, day_of: Callable[[int], date], zones: Iterable[str | WorkingTime], opened: int
) -> datetime | None:
    """When :func:`due` next names a cycle after the newest one ``opened``: the due moment of the first cycle after
    it (a later cycle's moment is never earlier), or None when none is left."""
    for cycle in all_cycles:
        if cycle.number > opened:
            return due_moment(day_of(cycle.last_week), zones)
    return None


def report_moment(end_day: date, tz: str) -> datetime:
    """The hosts' program retro: ``REPORT_AFTER_DAYS`` after the program's end (exclusive day), 09:00 in ``tz``."""
    return datetime.combine(end_day + timedelta(days=REPORT_AFTER_DAYS), REPORT_HOUR, tzinfo=zone(tz))


# -- the form -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Form:
    went_well: str
    learned: str
    change: str
    talk_share: int
    quote: str | None
    themes: tuple[str, ...] = ()


def retro_themes(tagged: Iterable[Iterable[Any]]) -> list[str]:
    """A retro's themes from each partner's tags: those on the list, each once, in the list's order."""
    seen = {str(t) for tags in tagged for t in tags}
    return [t for t in THEMES if t in seen]


def _clean(value: Any) -> str:
    return "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())


def parse_form(raw: Mapping[str, Any]) -> tuple[Form | None, dict[str, str]]:
    """``raw``: went_well, learned, change, talk_share, quote as the modal sent them. Returns the form, or None and
    an error key per field (``required``, ``too_long``, ``talk_share``)."""
    errors: dict[str, str] = {}
    texts = {}
    for key in ("went_well", "learned", "change"):
        texts[key] = _clean(raw.get(key))
        if not texts[key]:
            errors[key] = "required"
        elif len(texts[key]) > TEXT_MAX:
            errors[key] = "too_long"
    share_text = str(raw.get("talk_share") or "").strip()
    share = int(share_text) if share_text.isdigit() else 0
    if share not in TALK_SHARES:
        errors["talk_share"] = "talk_share"
    quote = _clean(raw.get("quote"))
    if len(quote) > QUOTE_MAX:
        errors["quote"] = "too_long"
    raw_themes = raw.get("themes")
    themes = retro_themes([raw_themes if isinstance(raw_themes, list | tuple) else []])
    if errors:
        return None, errors
    return Form(texts["went_well"], texts["learned"], texts["change"], share, quote or None, tuple(themes)), {}


def parse_every(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    number = int(text) if text.isdigit() else 0
    return number if EVERY_MIN <= number <= EVERY_MAX else None


# -- consent ------------------------------------------------------------------------------------------------
def consented(*, author_at: datetime | None, partner_at: datetime | None, declined_at: datetime | None) -> bool:
    return author_at is not None and partner_at is not None and declined_at is None


def consent_state(*, author_at: datetime | None, partner_at: datetime | None, declined_at: datetime | None) -> str:
    """``declined``, ``consented``, or who is still to agree: ``waiting_author``, ``waiting_partner``,
    ``waiting_both``."""
    if declined_at is not None:
        return "declined"
    if author_at is not None and partner_at is not None:
        return "consented"
    if author_at is None and partner_at is None:
        return "waiting_both"
    return "waiting_author" if author_at is None else "waiting_partner"


# -- aggregates ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Aggregate:
    pairs: int  # pairs with at least one retro opened (a count: retros open for every pair on its schedule)
    opened: int  # released: retros two weeks old
    done: int  # released: of those, filled in by both within the two weeks
    answers: int
    talk_share: dict[int, int]  # rating -> how many answers (of the retros done)
    changes: int  # "what we change" answers
    quotes_consented: int
    released_on: date | None = None  # the latest release the figures come from
    themes: dict[str, int] = field(default_factory=dict)  # theme -> how many released retros named it


def aggregate(
    *, pairs: int, opened: int, done: int, shares: Iterable[int], changes: int, quotes_consented: int
) -> Aggregate:
    counted = Counter(s for s in shares if s in TALK_SHARES)
    return Aggregate(
        pairs=pairs,
        opened=opened,
        done=done,
        answers=sum(counted.values()),
        talk_share={s: counted.get(s, 0) for s in TALK_SHARES},
        changes=changes,
        quotes_consented=quotes_consented,
    )


def released(total: Any, *, pairs: int, quotes_consented: int, released_on: date | None = None) -> Aggregate:
    """The hosts' aggregate from the retros series' released cells summed (``bot.domain.release.Total``)."""
    data = total.data
    return Aggregate(
        pairs=pairs,
        opened=int(total.den),
        done=int(total.num),
        answers=int(data.get("answers", 0)),
        talk_share={s: int(data.get(f"talk_{s}", 0)) for s in TALK_SHARES},
        changes=int(data.get("changes", 0)),
        quotes_consented=quotes_consented,
        released_on=released_on,
        themes={t: int(data.get(f"{THEME_KEY}{t}", 0)) for t in THEMES},
    )


def talk_balance(talk_share: Mapping[int, int]) -> dict[str, int]:
    """Talk-share answers grouped for the program retro: ``balanced`` (4–5), ``mixed`` (3), ``one_sided`` (1–2)."""
    return {
        "balanced": talk_share.get(4, 0) + talk_share.get(5, 0),
        "mixed": talk_share.get(3, 0),
        "one_sided": talk_share.get(1, 0) + talk_share.get(2, 0),
    }
