"""All user-facing wording lives in ``templates/<locale>/``; this module renders it.

A template file holds named ``{% block %}``s. ``text()`` renders one block for mrkdwn: every value
interpolated with ``{{ }}`` is escaped unless it was built by Tandem and marked safe (mentions, links).
``plain()`` renders for plain_text fields (button labels, modal titles), where Slack shows text as is.

Numbers, percentages, dates and day names are written in the reader's locale through Babel (CLDR data), never by
hand: ``number``, ``decimal``, ``percent``, ``date_short``, ``day_month`` and ``weekday`` below, and the Jinja
filters of the same names (``{{ rate|percent }}``, ``{{ mood|decimal(1) }}``, ``{{ day|date_short }}``), which
use the template's locale. German: ``4,0``, ``47 %`` (with a narrow no-break space), ``24.12.2027``, ``5. Januar``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from bot.domain.text import channel_link, escape_mrkdwn, mention
from bot.resources import resource_dir

SUPPORTED_LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"

# Babel locale per Tandem locale: Tandem's English is British English ("organisation", "5 Jan 2027")
_BABEL = {"en": "en_GB", "de": "de_DE"}
# CLDR skeletons for a calendar day: English spells the month (5 Jan 2027, unambiguous for US and UK readers),
# German writes digits (24.12.2027)
_DATE_SKELETON = {"en": "yMMMd", "de": "yMd"}


def _babel(locale: str) -> str:
    return _BABEL.get(locale, _BABEL[DEFAULT_LOCALE])


def number(value: float | int, locale: str, *, digits: int = 2) -> str:
    """A number for people, with the locale's grouping and decimal mark and at most ``digits`` decimals, no
    trailing zeros: 1,234.5 / 1.234,5; 12; 7.25 / 7,25."""
    rounded = round(value, digits)
    if rounded == 0:
        rounded = 0  # no "-0"
    return babel_numbers.format_decimal(rounded, format="#,##0." + "#" * digits, locale=_babel(locale))


def decimal(value: float | int, locale: str, digits: int = 1) -> str:
    """A number with exactly ``digits`` decimals: 4.0 / 4,0."""
    rounded = round(value, digits)
    if rounded == 0:
        rounded = 0
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return babel_numbers.format_decimal(rounded, format=pattern, locale=_babel(locale))


def percent(share: float, locale: str) -> str:
    """A share (0.47) as a whole percentage: 47% / 47 %."""
    return babel_numbers.format_percent(share, locale=_babel(locale))


def date_short(day: date | datetime, locale: str) -> str:
    """A calendar day: 5 Jan 2027 / 5.1.2027."""
    return babel_dates.format_skeleton(_DATE_SKELETON.get(locale, "yMMMd"), day, locale=_babel(locale))


def day_month(day: date | datetime, locale: str) -> str:
    """A day and its month's name, without the year: 5 January / 5. Januar."""
    return babel_dates.format_skeleton("MMMMd", day, locale=_babel(locale))


def weekday_day(day: date | datetime, locale: str) -> str:
    """A short weekday, day and month: Mon 11 Jan / Mo., 11. Jan."""
    return babel_dates.format_skeleton("MMMEd", day, locale=_babel(locale))


@lru_cache(maxsize=2048)
def tz_city(zone: str, locale: str) -> str:
    """A time zone as its city in the reader's language (Europe/Lisbon: Lisbon / Lissabon), as people also type it
    (``bot.domain.interview.normalize_tz`` reads these names); UTC and zones without a city stay as they are."""
    if "/" not in zone or zone.startswith("Etc/"):
        return zone
    try:
        return babel_dates.get_timezone_location(zone, locale=_babel(locale), return_city=True)
    except LookupError:
        return zone


def weekday(day: date | datetime | int, locale: str) -> str:
    """The day's full name: Monday / Montag; an int is a weekday number (0 = Monday, as ``date.weekday()``)."""
    if isinstance(day, int):
        return babel_dates.get_day_names("wide", locale=_babel(locale))[day]
    return babel_dates.format_date(day, "EEEE", locale=_babel(locale))


def locale_from_slack(slack_locale: str | None) -> str:
    """Map Slack's ``de-DE`` / ``en-GB`` style locale to a locale Tandem speaks."""
    if slack_locale:
        lang = slack_locale.replace("_", "-").split("-")[0].lower()
        if lang in SUPPORTED_LOCALES:
            return lang
    return DEFAULT_LOCALE


def _finalize_mrkdwn(value: Any) -> Any:
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return escape_mrkdwn(str(value))


def _safe_mention(user_id: str) -> Markup:
    return Markup(mention(user_id))


def _safe_channel(channel_id: str) -> Markup:
    return Markup(channel_link(channel_id))


@lru_cache(maxsize=8)
def _environment(locale: str, mrkdwn: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resource_dir("templates") / locale)),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize_mrkdwn if mrkdwn else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mention"] = _safe_mention
    env.filters["channel"] = _safe_channel
    env.filters["number"] = lambda value, digits=2: number(value, locale, digits=digits)
    env.filters["decimal"] = lambda value, digits=1: decimal(value, locale, digits)
    for name, format_ in (
        ("percent", percent),
        ("date_short", date_short),
        ("day_month", day_month),
        ("weekday", weekday),
        ("tz_city", tz_city),
    ):
        env.filters[name] = partial(format_, locale=locale)
    return env


# values a rendering may be remembered by: immutable, and compared with their type (Markup("x") == "x", but the
# two render differently)
_CACHEABLE = frozenset({str, Markup, int, float, bool, type(None), date, datetime})


def _render(locale: str, name: str, block: str, mrkdwn: bool, context: dict[str, Any]) -> str:
    """Renders a block; the same block with the same values is rendered once (a weekly round for 5,000 pairs
    asks for the same labels and method cards thousands of times). Contexts holding lists or dicts are not
    remembered."""
    if all(type(v) in _CACHEABLE for v in context.values()):
        key = tuple(sorted((k, type(v).__name__, v) for k, v in context.items()))
        return _render_cached(locale, name, block, mrkdwn, key)
    return _render_now(locale, name, block, mrkdwn, context)


@lru_cache(maxsize=4096)
def _render_cached(locale: str, name: str, block: str, mrkdwn: bool, key: tuple[tuple[str, str, Any], ...]) -> str:
    return _render_now(locale, name, block, mrkdwn, {k: v for k, _type, v in key})


def _render_now(locale: str, name: str, block: str, mrkdwn: bool, context: dict[str, Any]) -> str:
    if locale not in SUPPORTED_LOCALES:
        locale = DEFAULT_LOCALE
    template: Template = _environment(locale, mrkdwn).get_template(f"{name}.j2")
    try:
        render = template.blocks[block]
    except KeyError:
        raise KeyError(f"templates/{locale}/{name}.j2 has no block {block!r}") from None
    return "".join(render(template.new_context(context))).strip()


def text(locale: str, name: str, block: str, /, **context: Any) -> str:
    """Wording for mrkdwn text; interpolated values are escaped."""
    return _render(locale, name, block, True, context)


def plain(locale: str, name: str, block: str, /, **context: Any) -> str:
    """Wording for plain_text fields; nothing is escaped because Slack shows plain_text literally."""
    return _render(locale, name, block, False, context)


def template_blocks(locale: str) -> dict[str, set[str]]:
    """Every template of a locale with the names of its blocks (for the parity test)."""
    env = _environment(locale, True)
    return {
        name.removesuffix(".j2"): set(env.get_template(name).blocks) for name in env.list_templates(extensions=["j2"])
    }
