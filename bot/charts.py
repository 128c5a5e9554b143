"""PNG charts for hosts (the weekly digest, the demo report): the funnel, the mood trend with hidden rounds as gaps,
and a metric against its baseline and target range. Each comes with a text equivalent for screen readers that
states every number the chart shows (Slack's ``alt_txt``, at most 1,000 characters).

Rendering uses matplotlib's object API (``Figure`` + the Agg canvas), never pyplot's global state, so charts can be
drawn from any thread; output is byte-identical for equal input (no timestamps in the PNG)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot import i18n

ALT_MAX = 1000
POINTS_MAX = 12  # in the alt text: the latest this many rounds or values
WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # 800 x 450 pixels
# Okabe-Ito: safe for colour-blind readers
BLUE, ORANGE, GREEN, GREY, DARK = "#0072B2", "#E69F00", "#009E73", "#999999", "#222222"
STAGES = ("invited", "onboarded", "matched", "active")


@dataclass(frozen=True)
class Chart:
    filename: str
    title: str
    alt_text: str
    png: bytes


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "charts", block, **context)


def _num(value: float, locale: str) -> str:
    text = f"{value:.1f}" if abs(value - round(value)) > 1e-9 else str(round(value))
    return text.replace(".", ",") if locale == "de" else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _alt(text: str) -> str:
    return text if len(text) <= ALT_MAX else text[: ALT_MAX - 1] + "…"


def _figure(title: str) -> tuple[Figure, Any]:
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=14, color=DARK, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=11)
    return fig, ax


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _empty(ax: Any, locale: str) -> None:
    ax.text(0.5, 0.5, _p(locale, "no_data"), ha="center", va="center", fontsize=14, color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def mood_trend(points: Sequence[tuple[int, float | None]], *, locale: str, program: str, threshold: int) -> Chart:
    """Average mood per pulse round (1-5); ``None`` = the round was hidden (a gap and a grey "hidden" mark)."""
    title = _p(locale, "mood_title", program=program)
    fig, ax = _figure(title)
    if not points:
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
    else:
        numbers = [n for n, _ in points]
        ax.plot(numbers, [a if a is not None else float("nan") for _, a in points], color=BLUE, marker="o", lw=2.5)
        for n, a in points:
            if a is None:
                ax.plot([n], [1.15], marker="x", color=GREY, markersize=9)
                ax.annotate(
                    _p(locale, "hidden"),
                    (n, 1.15),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    fontsize=10,
                    color=GREY,
                )
            else:
                ax.annotate(
                    _num(a, locale),
                    (n, a),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    fontsize=11,
                    color=DARK,
                )
        ax.set_ylim(1, 5.4)
        ax.set_yticks([1, 2, 3, 4, 5])
        ax.set_xticks(numbers)
        ax.set_xlabel(_p(locale, "mood_x"), fontsize=12)
        ax.set_ylabel(_p(locale, "mood_y"), fontsize=12)
        ax.grid(axis="y", color="#dddddd")
        shown = list(points)[-POINTS_MAX:]
        words = "; ".join(
            _p(locale, "mood_hidden_point", number=n, threshold=threshold)
            if a is None
            else _p(locale, "mood_point", number=n, value=_num(a, locale))
            for n, a in shown
        )
        if len(points) > POINTS_MAX:
            words += _p(locale, "more", count=POINTS_MAX)
        alt = _p(locale, "mood_alt", program=program, points=words, threshold=threshold)
    return Chart(f"mood-trend-{_slug(program)}.png", title, _alt(alt), _png(fig))


def funnel(stages: Sequence[tuple[str, int]], *, locale: str, program: str) -> Chart:
    """Horizontal bars, top to bottom: invited, onboarded, matched, in active pairs; each with its count and its
    share of those invited."""
    title = _p(locale, "funnel_title", program=program)
    fig, ax = _figure(title)
    counts = dict(stages)
    invited = counts.get("invited", 0)
    if not stages or not any(counts.values()):
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
    else:
        keys = [k for k in STAGES if k in counts] + [k for k in counts if k not in STAGES]
        labels = [_p(locale, f"stage_{k}") if k in STAGES else k for k in keys]
        values = [counts[k] for k in keys]
        ys = list(range(len(keys)))[::-1]
        ax.barh(ys, values, color=[BLUE, ORANGE, GREEN, DARK][: len(keys)] + [GREY] * max(0, len(keys) - 4))
        ax.set_yticks(ys)
        ax.set_yticklabels(labels, fontsize=12)
        top = max(values) or 1
        ax.set_xlim(0, top * 1.25)
        shares = [round(100 * v / invited) if invited else 0 for v in values]
        for y, v, share in zip(ys, values, shares, strict=True):
            ax.text(v + top * 0.02, y, f"{v} ({share}%)", va="center", fontsize=12, color=DARK)
        ax.set_xlabel(_p(locale, "funnel_x"), fontsize=12)
        words = "; ".join(
            _p(locale, "funnel_stage", stage=label, count=v, share=share)
            for label, v, share in zip(labels, values, shares, strict=True)
        )
        alt = _p(locale, "funnel_alt", program=program, stages=words)
    return Chart(f"funnel-{_slug(program)}.png", title, _alt(alt), _png(fig))


def _target_words(locale: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _p(locale, "target_between", low=_num(low, locale), high=_num(high, locale))
    if low is not None:
        return _p(locale, "target_at_least", low=_num(low, locale))
    if high is not None:
        return _p(locale, "target_at_most", high=_num(high, locale))
    return "–"


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
    """A metric over time against its baseline (dashed) and target range (shaded; an open bound runs to the edge)."""
    title = _p(locale, "metric_title", name=name, program=program)
    fig, ax = _figure(title)
    if not values:
        _empty(ax, locale)
        alt = _p(locale, "no_data_alt", title=title)
    else:
        ordered = sorted(values)
        xs = list(range(len(ordered)))
        ys = [v for _, v in ordered]
        every = [*ys, *(x for x in (baseline, target_low, target_high) if x is not None)]
        lo, hi = min(every), max(every)
        pad = (hi - lo) * 0.15 or 1.0
        bottom, top = lo - pad, hi + pad
        ax.set_ylim(bottom, top)
        if target_low is not None or target_high is not None:
            ax.axhspan(
                target_low if target_low is not None else bottom,
                target_high if target_high is not None else top,
                color=GREEN,
                alpha=0.15,
                label=_p(locale, "target"),
            )
        if baseline is not None:
            ax.axhline(
                baseline, color=ORANGE, ls="--", lw=2, label=_p(locale, "baseline", value=_num(baseline, locale))
            )
        ax.plot(xs, ys, color=BLUE, marker="o", lw=2.5)
        for x, y in zip(xs, ys, strict=True):
            ax.annotate(_num(y, locale), (x, y), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=11)
        ax.set_xticks(xs)
        ax.set_xticklabels([d.isoformat() for d, _ in ordered], rotation=30, ha="right", fontsize=10)
        ax.set_ylabel(_p(locale, "metric_y", name=name, unit=unit), fontsize=12)
        ax.legend(loc="best", fontsize=10, frameon=False)
        first_day, first = ordered[0]
        latest_day, latest = ordered[-1]
        inside = (target_low is None or latest >= target_low) and (target_high is None or latest <= target_high)
        alt = _p(
            locale,
            "metric_alt",
            name=name,
            unit=unit,
            program=program,
            baseline=_num(baseline, locale) if baseline is not None else "–",
            target=_target_words(locale, target_low, target_high),
            values=_p(
                locale,
                "metric_values",
                first=_num(first, locale),
                first_day=first_day.isoformat(),
                latest=_num(latest, locale),
                latest_day=latest_day.isoformat(),
                count=len(ordered),
            ),
            verdict=_p(locale, "in_range" if inside else "out_of_range"),
        )
    return Chart(f"metric-{_slug(name)}-{_slug(program)}.png", title, _alt(alt), _png(fig))


def upload_payload(
    charts: Sequence[Chart],
    *,
    channel: str | None = None,
    open_users: Sequence[str] | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """An outbox payload for ``files.upload_v2`` (slack_sdk): the PNGs as base64 (payloads are JSON; the worker
    decodes them, see ``bot.slack.sender.call_slack``), each with its title and text equivalent."""
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
        "initial_comment": comment,
    }
    if open_users:
        payload["__open"] = list(open_users)
    elif channel:
        payload["channel"] = channel
    return payload
