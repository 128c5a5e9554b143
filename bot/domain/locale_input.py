"""What people type, read in their language, pure (Babel): numbers (``1.200`` is 1200 in German, ``1,200`` in
English), and days (``24.12.2027`` or ``24.12.`` in German, ``24/12/2027`` in British English, ``2027-12-24`` in
both). Anything else is None: the caller says what it expected, with an example, and changes nothing."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers

# Babel locale per Tandem locale: Tandem's English is British English ("organisation", "5 Jan 2027")
BABEL = {"en": "en_GB", "de": "de_DE"}
SPACES = re.compile(r"[\s\u00a0\u202f']")  # thousands written with (no-break) spaces or apostrophes
_DAY_MONTH = re.compile(r"^(\d{1,2})[./](\d{1,2})[./]?$")  # 24.12. / 24/12: the next such day


def babel_locale(locale: str) -> str:
    return BABEL.get(locale, BABEL["en"])


def number(raw: Any, locale: str = "en", *, limit: float | None = None) -> float | None:
    """A number as the person writes it in their language, or the way the other language writes it where that is
    unambiguous ("7,5" in English, "7.5" in German are still 7.5); None for anything else, or beyond ``limit``."""
    text = SPACES.sub("", str(raw if raw is not None else "").strip())
    if not text:
        return None
    value: Decimal | float | None
    try:
        value = babel_numbers.parse_decimal(text, locale=babel_locale(locale), strict=True)
    except (babel_numbers.NumberFormatError, InvalidOperation, ValueError):
        value = None
    if value is None:
        if re.fullmatch(r"[+-]?\d+,\d+", text):  # a decimal comma where the locale has a point
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    result = float(value)
    if not math.isfinite(result) or (limit is not None and abs(result) > limit):
        return None
    return result


def day(raw: Any, locale: str = "en", *, today: date) -> date | None:
    """A calendar day as the person writes it: ISO (2027-12-24) in any language; 24.12.2027 or 24.12.27 in German,
    24/12/2027 in English; a day and month without a year (24.12., 24/12) is the next such day from ``today``."""
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    short = _DAY_MONTH.match(text)
    if short:
        d, m = int(short.group(1)), int(short.group(2))
        for year in (today.year, today.year + 1):
            try:
                candidate = date(year, m, d)
            except ValueError:
                return None
            if candidate >= today:
                return candidate
        return None
    if not re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", text):
        return None
    try:
        parsed = babel_dates.parse_date(text, locale=babel_locale(locale), format="short")
    except (ValueError, IndexError):
        return None
    return parsed
