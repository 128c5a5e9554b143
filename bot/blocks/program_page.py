"""The participants' program page on App Home: per program, released figures and consented content only (what
``bot.services.program_page`` reads). Wording from templates/<locale>/home.j2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import i18n
from bot.blocks import kit


@dataclass(frozen=True)
class ProgramPage:
    """One program's page. None for a figure: not enough reports yet (as hosts see it)."""

    name: str
    released_on: date | None = None  # the latest weekly release; None: none yet, nothing is shown
    active_pairs: int | None = None  # held back unless at least ``threshold`` pairs stand behind it
    threshold: int = 0
    cards: int = 0
    quotes: tuple[str, ...] = ()


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "home", block, **context)


def _figure(locale: str, value: int | None, threshold: int) -> str:
    return str(value) if value is not None else i18n.plain(locale, "home", "page_held", threshold=threshold)


def section(locale: str, pages: Sequence[ProgramPage]) -> list[kit.Block]:
    if not pages:
        return []
    out: list[kit.Block] = [kit.divider(), kit.section(_t(locale, "page_title"))]
    for page in pages[:5]:
        if page.released_on is None:
            out.append(kit.section(_t(locale, "page_none", program=page.name)))
            continue
        out.append(
            kit.section(
                _t(
                    locale,
                    "page_program",
                    program=page.name,
                    released=i18n.date_short(page.released_on, locale),
                    active=_figure(locale, page.active_pairs, page.threshold),
                    cards=page.cards,
                )
            )
        )
        for quote in page.quotes:
            out.append(kit.context(_t(locale, "page_quote", quote=quote)))
    return out
