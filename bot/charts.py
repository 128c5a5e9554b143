"""PNG charts for hosts (the weekly digest, the demo report): the funnel, the mood trend with hidden rounds as gaps,
and a metric against its baseline and target range. Each comes with a text equivalent for screen readers that
states every number the chart shows (Slack's ``alt_txt``, at most 1,000 characters), because a chart posted
without one is invisible to hosts who use a screen reader.

Rendering uses matplotlib's object API (``Figure`` + the Agg canvas), never pyplot's global state, so charts can be
drawn from any thread (the outbox worker, the scheduler); output is byte-identical for equal input (fixed size and
dpi, no timestamp or software chunk in the PNG), so a retried digest uploads the same file.

All wording comes from templates/<locale>/charts.j2 through ``i18n.plain``: chart text is not mrkdwn."""

from __future__ import annotations

import base64
import functools
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot import i18n

ALT_MAX = 1000  # Slack's limit for a file's alt_txt
POINTS_MAX = 12  # the alt text lists the latest this many rounds or values; older ones are summarised
LABELLED_MAX = 16  # up to this many points carry their value on the chart; more would overlap
TICKS_MAX = 8  # date labels on a metric's x axis
WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 x 450 pixels
# Okabe-Ito: distinguishable with the common kinds of colour blindness
BLUE, ORANGE, GREEN, VERMILION, GREY, DARK = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999", "#222222"
STAGES = ("invited", "onboarded", "matched", "active")
STAGE_COLOURS = (BLUE, ORANGE, GREEN, VERMILION)
TITLE_MAX = 80  # characters of a title drawn on the chart (the alt text and the file title keep it whole)
HIDDEN_Y = 1.2  # where a hidden round's mark sits on the 1-5 mood axis


@dataclass(frozen=True)
class Chart:
    filename: str  # ascii, e.g. "mood-trend-pilot-2027.png"
    title: str  # shown as the file's title in Slack
    alt_text: str  # the text equivalent: every number the chart shows, in words
    png: bytes


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "charts", block, **context)


def _num(value: float, locale: str, digits: int = 1, *, trim: bool = True) -> str:
    """``value`` rounded to ``digits`` places (without trailing zeros when ``trim``), grouped by thousands, through
    Babel: 3.8 / 1,234.5 in English, 3,8 / 1.234,5 in German."""
    return i18n.number(value, locale, digits=digits) if trim else i18n.decimal(value, locale, digits)


def _day(locale: str, value: date) -> str:
    """A date as the rest of Tandem writes it (``i18n.date_short``): 5 Jan 2027 / 5.1.2027."""
    return i18n.date_short(value, locale)


def _slug(text: str) -> str:
    """An ascii file name part: umlauts spelled out, other accents dropped."""
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "chart"


def _alt(text: str) -> str:
    """At most ``ALT_MAX`` characters (long program or metric names could push it over), cut at a word."""
    if len(text) <= ALT_MAX:
        return text
    cut = text[: ALT_MAX - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut) + "…"


def _mpl(text: str) -> str:
    """Text for matplotlib, which would read a pair of ``$`` in a host's program name as TeX math."""
    return text.replace("$", r"\$")


def _figure(title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    # on the figure, not the axes: long funnel labels would push an axes title off the right edge
    shown = title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"
    fig.suptitle(_mpl(shown), x=0.012, ha="left", fontsize=15, color=DARK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=11, colors=DARK)
    return fig, ax


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _empty(ax: Axes, locale: str) -> None:
    ax.text(0.5, 0.5, _p(locale, "no_data"), ha="center", va="center", fontsize=16, color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def _label(ax: Axes, text: str, xy: tuple[float, float], *, colour: str = DARK, size: int = 11) -> None:
    ax.annotate(_mpl(text), xy, textcoords="offset points", xytext=(0, 9), ha="center", fontsize=size, color=colour)


def _scope(locale: str, shown: int, total: int) -> str:
    """The alt text's note when it lists only the latest ``shown`` of ``total`` points (empty when it lists all)."""
    return _p(locale, "latest_of", shown=shown, total=total) if total > shown else ""


def _remembered(draw: Callable[..., Chart]) -> Callable[..., Chart]:
    """The same chart drawn once per process: a program's digest charts stay the same from week to week until a
    number in them changes, and drawing one takes about a third of a second. A chart is a function of its arguments
    alone (the same bytes for the same arguments), so a remembered one is the one that would be drawn."""
    cached = functools.lru_cache(maxsize=64)(draw)

    @functools.wraps(draw)
    def remembered(*args: Any, **kwargs: Any) -> Chart:
        return cached(*map(_frozen, args), **{key: _frozen(value) for key, value in kwargs.items()})

    return remembered


def _frozen(value: Any) -> Any:
    """``value`` with its lists as tuples (hashable; the charts only read them)."""
    return tuple(map(_frozen, value)) if isinstance(value, list | tuple) else value


# -- the mood trend --------------------------------------------------------------------------------------------
@_remembered
def mood_trend(points: Sequence[tuple[int, float | None]], *, locale: str, program: str, threshold: int) -> Chart:
    """Average mood per pulse round on a fixed 1-5 axis. ``None`` means the round was hidden (fewer answers than
    ``threshold``): the line has a gap there and a grey mark says "hidden", so nobody reads a missing round as
    a drop."""
    title = _p(locale, "mood_title", program=program)
    fig, ax = _figure(title)
    points = sorted(points, key=lambda point: point[0])
    if not points:
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
        return Chart(f"mood-trend-{_slug(program)}.png", title, alt, _png(fig))
    numbers = [n for n, _ in points]
    ys = [a if a is not None else math.nan for _, a in points]  # NaN: matplotlib breaks the line there
    ax.plot(numbers, ys, color=BLUE, marker="o", markersize=7, lw=2.5, label=_mpl(_p(locale, "mood_legend")))
    hidden = [n for n, a in points if a is None]
    if hidden:
        ax.plot(
            hidden,
            [HIDDEN_Y] * len(hidden),
            ls="none",
            marker="x",
            markersize=9,
            markeredgewidth=2,
            color=GREY,
            label=_mpl(_p(locale, "hidden_legend", threshold=threshold)),
        )
        ax.legend(loc="upper left", fontsize=10, frameon=False, ncols=2)
    few = len(points) <= LABELLED_MAX
    for n, a in points:
        if a is not None and (few or n == numbers[-1]):
            _label(ax, _num(a, locale, trim=False), (n, a))
        elif a is None and few:
            _label(ax, _p(locale, "hidden"), (n, HIDDEN_Y), colour=GREY, size=10)
    ax.set_ylim(1, 5.6 if hidden else 5.4)  # the scale is 1-5; the headroom holds the labels and the legend
    ax.set_yticks([1, 2, 3, 4, 5])
    if few:
        ax.set_xticks(numbers)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    ax.set_xlim(numbers[0] - 0.5, numbers[-1] + 0.5)
    ax.set_xlabel(_mpl(_p(locale, "mood_x")), fontsize=12)
    ax.set_ylabel(_mpl(_p(locale, "mood_y")), fontsize=12)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    shown = points[-POINTS_MAX:]
    words = "; ".join(
        _p(locale, "mood_hidden_point", number=n, threshold=threshold)
        if a is None
        else _p(locale, "mood_point", number=n, value=_num(a, locale, trim=False))
        for n, a in shown
    )
    alt = _p(
        locale,
        "mood_alt",
        program=program,
        points=words,
        scope=_scope(locale, len(shown), len(points)),
        any_hidden=bool(hidden),
        threshold=threshold,
    )
    return Chart(f"mood-trend-{_slug(program)}.png", title, _alt(alt), _png(fig))


# -- the funnel ---------------------------------------------------------------------------------------------------
@_remembered
def funnel(stages: Sequence[tuple[str, int]], *, locale: str, program: str) -> Chart:
    """Horizontal bars, top to bottom: invited, onboarded, matched, in active pairs (people in pairs that answered
    in the last two weeks); each labelled with its count and its share of those invited. Unknown stage keys
    follow in their given order, labelled as given."""
    title = _p(locale, "funnel_title", program=program)
    fig, ax = _figure(title)
    counts = dict(stages)
    if not any(counts.values()):
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
        return Chart(f"funnel-{_slug(program)}.png", title, alt, _png(fig))
    keys = [k for k in STAGES if k in counts] + [k for k in counts if k not in STAGES]
    labels = [_p(locale, f"stage_{k}") if k in STAGES else k for k in keys]
    values = [counts[k] for k in keys]
    invited = counts.get("invited", 0)
    shares: list[float | None] = [v / invited if invited else None for v in values]
    colours = [STAGE_COLOURS[STAGES.index(k)] if k in STAGES else GREY for k in keys]
    ys = list(range(len(keys)))[::-1]  # the first stage on top
    ax.barh(ys, values, color=colours, height=0.6)
    ax.set_yticks(ys)
    ax.set_yticklabels([_mpl(label) for label in labels], fontsize=12)
    top = max(max(values), 1)
    ax.set_xlim(0, top * 1.3)  # room for the labels right of the longest bar
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _num(v, locale, 0)))
    for y, v, share in zip(ys, values, shares, strict=True):
        text = _p(locale, "bar_label", count=_num(v, locale, 0), share=share)
        ax.text(v + top * 0.02, y, _mpl(text), va="center", fontsize=12, color=DARK)
    ax.set_xlabel(_mpl(_p(locale, "funnel_x")), fontsize=12)
    words = "; ".join(
        _p(locale, "funnel_stage", stage=label, count=_num(v, locale, 0), share=share)
        for label, v, share in zip(labels, values, shares, strict=True)
    )
    alt = _p(locale, "funnel_alt", program=program, stages=words, with_active="active" in counts)
    return Chart(f"funnel-{_slug(program)}.png", title, _alt(alt), _png(fig))


# -- a metric ------------------------------------------------------------------------------------------------------
def _target_words(locale: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _p(locale, "target_between", low=_num(low, locale, 2), high=_num(high, locale, 2))
    if low is not None:
        return _p(locale, "target_at_least", low=_num(low, locale, 2))
    if high is not None:
        return _p(locale, "target_at_most", high=_num(high, locale, 2))
    return ""


def _date_ticks(count: int) -> list[int]:
    """Indices of at most ``TICKS_MAX`` values to label on the x axis, evenly spread, first and last included."""
    if count <= TICKS_MAX:
        return list(range(count))
    return sorted({round(i * (count - 1) / (TICKS_MAX - 1)) for i in range(TICKS_MAX)})


@_remembered
def metric(
    *,
    name: str,
    unit: str,
    values: Sequence[tuple[date, float]],
    baseline: float | None,
    target_low: float | None,
    target_high: float | None,
    locale: str,
    program: str,
) -> Chart:
    """A metric over time (on a true time axis, so uneven gaps between values look uneven) against its baseline
    (dashed) and its target range (shaded; with one bound only, the band runs from it to the edge of the plot)."""
    title = _p(locale, "metric_title", name=name, program=program)
    filename = f"metric-{_slug(name)}-{_slug(program)}.png"
    fig, ax = _figure(title)
    if not values:
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
        return Chart(filename, title, alt, _png(fig))
    ordered = sorted(values)
    xs = [d.toordinal() for d, _ in ordered]
    ys = [float(v) for _, v in ordered]
    every = [*ys, *(x for x in (baseline, target_low, target_high) if x is not None)]
    lo, hi = min(every), max(every)
    pad = (hi - lo) * 0.18 or max(abs(hi) * 0.2, 1.0)
    bottom, top = lo - pad, hi + pad
    has_target = target_low is not None or target_high is not None
    if has_target:
        ax.axhspan(
            target_low if target_low is not None else bottom,
            target_high if target_high is not None else top,
            color=GREEN,
            alpha=0.18,
            lw=0,
            label=_mpl(_p(locale, "target", range=_target_words(locale, target_low, target_high))),
        )
    if baseline is not None:
        ax.axhline(
            baseline, color=ORANGE, ls="--", lw=2, label=_mpl(_p(locale, "baseline", value=_num(baseline, locale, 2)))
        )
    ax.plot(xs, ys, color=BLUE, marker="o", markersize=7, lw=2.5, label=_mpl(name))
    few = len(ordered) <= LABELLED_MAX
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if few or i in (0, len(xs) - 1):
            _label(ax, _num(y, locale, 2), (x, y))
    ax.set_ylim(bottom, top)
    span = max(xs[-1] - xs[0], 1)
    ax.set_xlim(xs[0] - span * 0.06 - 1, xs[-1] + span * 0.06 + 1)
    ticks = _date_ticks(len(ordered))
    ax.set_xticks([xs[i] for i in ticks])
    ax.set_xticklabels([_mpl(_day(locale, ordered[i][0])) for i in ticks], rotation=30, ha="right", fontsize=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _num(v, locale, 2)))
    ax.set_ylabel(_mpl(_p(locale, "metric_y", name=name, unit=unit)), fontsize=12)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(loc="best", fontsize=10, frameon=False)
    first_day, first = ordered[0]
    latest_day, latest = ordered[-1]
    inside = (target_low is None or latest >= target_low) and (target_high is None or latest <= target_high)
    shown = ordered[-POINTS_MAX:]
    alt = _p(
        locale,
        "metric_alt",
        name=name,
        unit=unit,
        program=program,
        baseline=_num(baseline, locale, 2) if baseline is not None else "",
        target=_target_words(locale, target_low, target_high),
        first=_num(first, locale, 2),
        first_day=_day(locale, first_day),
        latest=_num(latest, locale, 2),
        latest_day=_day(locale, latest_day),
        count=len(ordered),
        values="; ".join(_p(locale, "metric_point", day=_day(locale, d), value=_num(v, locale, 2)) for d, v in shown),
        scope=_scope(locale, len(shown), len(ordered)),
        verdict=(_p(locale, "in_range" if inside else "out_of_range") if has_target else ""),
    )
    return Chart(filename, title, _alt(alt), _png(fig))


# -- uploads ----------------------------------------------------------------------------------------------------
def upload_payload(
    charts: Sequence[Chart],
    *,
    channel: str | None = None,
    open_users: Sequence[str] | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """An outbox payload for ``files.upload_v2`` (slack_sdk): the PNGs as base64, since payloads are stored as JSON
    (the worker decodes them on a copy, see ``bot.slack.sender.call_slack``), each with its title and its text
    equivalent. ``open_users`` posts into the (group) DM of those people instead of ``channel``."""
    if not open_users and not channel:
        raise ValueError("an upload needs a channel or people to open a conversation with")
    payload: dict[str, Any] = {
        "file_uploads": [
            {
                "content_b64": base64.b64encode(c.png).decode("ascii"),
                "filename": c.filename,
                "title": c.title,
                "alt_txt": c.alt_text,
            }
            for c in charts
        ],
    }
    if open_users:
        payload["__open"] = list(open_users)
    else:
        payload["channel"] = channel
    if comment:
        payload["initial_comment"] = comment
    return payload
