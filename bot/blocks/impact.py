"""Impact: the hosts' dashboard (``/tandem admin impact``, App Home) and weekly digest, the metric and log-a-value
modals, and the export's Markdown. Wording from templates/<locale>/impact.j2; metric names (host-written) and
quotes are escaped by ``i18n.text``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.programs import local_day_text
from bot.domain import impact as rules
from bot.ids import ID
from bot.models import Metric

METRIC_IDS: dict[str, ID] = {
    "name": ID.METRIC_NAME,
    "unit": ID.METRIC_UNIT,
    "baseline": ID.METRIC_BASELINE,
    "target_low": ID.METRIC_TARGET_LOW,
    "target_high": ID.METRIC_TARGET_HIGH,
    "reporter": ID.METRIC_REPORTER,
}
LOG_IDS: dict[str, ID] = {"which": ID.METRIC_WHICH, "value": ID.METRIC_VALUE, "day": ID.METRIC_DAY}
QUOTES_SHOWN = 3


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "impact", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "impact", block, **context)


def _cohorts_text(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "cohorts", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def number(value: float | None, *, locale: str = "en") -> str:
    """A plain number for people in the reader's locale: 12, 7.5 / 7,5, 1,200 / 1.200 (no trailing zeros)."""
    if value is None:
        return _p(locale, "value_none")
    return i18n.number(value, locale)


def kpi_value(locale: str, kind: str, value: float | None) -> str:
    """A released KPI as hosts read it; None: nothing released yet (never a number below the threshold)."""
    if value is None:
        return _p(locale, "value_held")
    if kind == rules.RATE:
        return i18n.percent(value, locale)
    if kind == rules.SCORE:
        return i18n.decimal(value, locale, 1)
    return i18n.number(round(value), locale)


def cohort_lines(locale: str, lines: Sequence[Any]) -> str:
    """The cohort comparison lines on the dashboard, worded from templates/<locale>/cohorts.j2; ``lines``:
    ``bot.services.cohorts.CohortLine``."""
    rows = [
        _cohorts_text(
            locale,
            "cohort_line",
            name=line.name,
            current=line.current,
            matched=line.kpis.matched,
            rate=kpi_value(locale, "rate", line.kpis.response_rate),
            mood=kpi_value(locale, "score", line.kpis.mood_latest),
            retros=kpi_value(locale, "rate", line.kpis.retro_completion),
        )
        for line in lines
    ]
    return _cohorts_text(locale, "cohorts_title") + "\n" + "\n".join(rows)


def kpi_line(locale: str, line: rules.KpiLine) -> str:
    direction = line.direction
    if direction in ("up", "down"):
        word = _p(locale, f"dir_{direction}_{'good' if line.better else 'bad'}")
    elif direction == "same":
        word = _p(locale, "dir_same")
    else:
        word = ""
    return _t(
        locale,
        "kpi_line",
        label=_p(locale, f"kpi_{line.key}"),
        value=kpi_value(locale, line.kind, line.value),
        direction=word,
        previous=kpi_value(locale, line.kind, line.previous),
    )


def target_text(locale: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _p(locale, "target_range", low=number(low, locale=locale), high=number(high, locale=locale))
    if low is not None:
        return _p(locale, "target_min", low=number(low, locale=locale))
    return _p(locale, "target_max", high=number(high, locale=locale))


def metric_line(locale: str, view: Any, *, threshold: int) -> str:
    """``view``: a ``bot.services.impact.MetricView``; a pair-reported metric's value is its latest release."""
    m = view.metric
    return _t(
        locale,
        "metric_line",
        name=m.name,
        unit=m.unit,
        baseline=number(m.baseline, locale=locale),
        target=target_text(locale, m.target_low, m.target_high),
        latest=number(view.status.latest, locale=locale),
        day=i18n.date_short(view.status.latest_day, locale) if view.status.latest_day else "",
        state=_p(locale, f"state_{view.status.state}"),
        pair=m.reporter == "pair",
        pairs=view.pairs_reporting,
        waiting=view.waiting,
        threshold=threshold,
    )


def _attention(locale: str, board: Any) -> str:
    a = board.attention
    if not a.any:
        return _t(locale, "attention_title") + "\n" + _t(locale, "attention_none")
    as_of = ""
    if a.silent_as_of is not None:  # named silence flags off: counted at the last release, as the hosts were told
        as_of = local_day_text(locale, a.silent_as_of, board.program.timezone)
    lines = _t(locale, "attention_lines", silent=a.silent, escalations=a.escalations, as_of=as_of)
    return _t(locale, "attention_title") + "\n" + lines


def trend_points(locale: str, points: Sequence[tuple[int, float | None]]) -> str:
    """Per pulse round: "1: 4.2 · 3: hidden · 5: 4.4" (a hidden round is a gap, never a number)."""
    hidden = _p(locale, "trend_hidden")
    return " · ".join(f"{n}: {hidden if a is None else i18n.decimal(a, locale, 1)}" for n, a in points)


def climate_lines(locale: str, kpis: Any) -> list[str]:
    """The pulse's rotating questions trended per released round, and the follow-up answers counted."""
    out = [
        _t(locale, "trend_line", label=_p(locale, f"trend_{key}"), points=trend_points(locale, getattr(kpis, key)))
        for key in rules.CLIMATE
        if getattr(kpis, key)
    ]
    if kpis.followups:
        no = kpis.followups - kpis.followups_yes - kpis.followups_partly
        out.append(_t(locale, "followups_line", yes=kpis.followups_yes, partly=kpis.followups_partly, no=no))
    return out


def followup_quotes(locale: str, quotes: Sequence[str]) -> list[kit.Block]:
    """Follow-up answers whose authors said "you may quote me", without names (the newest few)."""
    if not quotes:
        return []
    out = [kit.section(_t(locale, "followup_quotes_title"))]
    out.extend(kit.section(_t(locale, "quote", quote=q)) for q in quotes[-QUOTES_SHOWN:])
    return out


def sides_text(locale: str, sides: rules.SideCounts, *, threshold: int) -> str:
    """The counts by side (silent weeks, late cancellations and moves) and the retros' talk-share distribution, as
    released (``bot.domain.impact.side_counts``); "not enough reports yet" for what has no released cell."""
    lines = [_t(locale, "sides_title", threshold=threshold)]
    if sides.silent is not None:
        (d_silent, d_prompts), (c_silent, c_prompts) = sides.silent["digital"], sides.silent["context"]
        lines.append(_t(locale, "sides_silent", d=d_silent, d_of=d_prompts, c=c_silent, c_of=c_prompts))
    else:
        lines.append(_t(locale, "sides_silent_none"))
    if sides.late is not None:
        lines.append(_t(locale, "sides_late", d=sides.late["digital"][0], c=sides.late["context"][0]))
    else:
        lines.append(_t(locale, "sides_late_none"))
    if sides.talk is not None and any(sides.talk):
        counts = " · ".join(f"{rating}: {n}" for rating, n in zip(rules.TALK_RATINGS, sides.talk, strict=True))
        lines.append(_t(locale, "sides_talk", counts=counts))
    else:
        lines.append(_t(locale, "sides_talk_none"))
    return "\n".join(lines)


def _kpi_section(locale: str, board: Any) -> list[kit.Block]:
    lines = [kpi_line(locale, line) for line in board.lines] + climate_lines(locale, board.kpis)
    text = _t(locale, "kpis_title") + "\n" + "\n".join(lines)
    return [kit.section(text[:3000])]


def _metric_section(locale: str, board: Any) -> list[kit.Block]:
    if not board.metrics:
        return [kit.section(_t(locale, "metrics_title") + "\n" + _t(locale, "metrics_none"))]
    lines = (metric_line(locale, v, threshold=board.threshold) for v in board.metrics)
    text = _t(locale, "metrics_title") + "\n" + "\n".join(lines)
    return [kit.section(text[:3000])]


def dashboard_blocks(locale: str, board: Any, *, buttons: bool = True, sides: bool = True) -> list[kit.Block]:
    """``board``: a ``bot.services.impact.Dashboard``; ``sides``: with the counts by role (not in App Home, which
    keeps to the KPIs)."""
    program = board.program
    out: list[kit.Block] = [
        kit.section(_head(locale, board)),
        *_kpi_section(locale, board),
        *_metric_section(locale, board),
        kit.section(_attention(locale, board)),
        *followup_quotes(locale, board.followup_quotes),
    ]
    if sides:
        out.append(kit.section(sides_text(locale, board.sides, threshold=board.threshold)[:3000]))
    if board.cohorts:
        out.append(kit.section(cohort_lines(locale, board.cohorts)[:3000]))
    if board.previous is not None:
        out.append(kit.context(_t(locale, "compared", day=_snapshot_day(locale, board))))
    if buttons:
        value = str(program.id)
        out.append(
            kit.actions(
                kit.button(_p(locale, "btn_add"), ID.METRIC_ADD, value=value),
                kit.button(_p(locale, "btn_log"), ID.METRIC_LOG, value=f"host:{value}"),
                kit.button(_p(locale, "btn_export"), ID.IMPACT_EXPORT, value=value),
            )
        )
    return out


def _head(locale: str, board: Any) -> str:
    released = board.kpis.released_on
    return _t(
        locale,
        "dashboard_head",
        program=board.program.name,
        threshold=board.threshold,
        released=i18n.date_short(released, locale) if released else "",
    )


def _snapshot_day(locale: str, board: Any) -> str:
    """The day of the release the dashboard compares with (``previous_day`` is an ISO date), in the reader's locale."""
    return i18n.date_short(date.fromisoformat(board.previous_day), locale) if board.previous_day else ""


def dashboard(locale: str, board: Any) -> dict[str, Any]:
    title = _p(locale, "dashboard_title", program=board.program.name)
    return kit.message(title, [kit.header(title), *dashboard_blocks(locale, board)])


def digest(locale: str, board: Any, *, day: date) -> dict[str, Any]:
    """The weekly digest: KPIs with direction, notable changes, attention counts, metrics, a few consented quotes, and
    one question for the hosts to reflect on, a different one each week (``bot.domain.impact.reflection``)."""
    program = board.program
    title = _p(locale, "digest_title", program=program.name)
    notable = [line for line in board.lines if line.notable]
    out: list[kit.Block] = [
        kit.header(title),
        kit.section(_t(locale, "digest_head", program=program.name, day=i18n.date_short(day, locale))),
        kit.section(
            _t(locale, "notable_title")
            + "\n"
            + ("\n".join(kpi_line(locale, line) for line in notable) if notable else _t(locale, "notable_none"))
        ),
        *_kpi_section(locale, board),
        *_metric_section(locale, board),
        kit.section(_attention(locale, board)),
        kit.section(sides_text(locale, board.sides, threshold=board.threshold)[:3000]),
    ]
    if board.quotes:
        out.append(kit.section(_t(locale, "quotes_title")))
        out.extend(kit.section(_t(locale, "quote", quote=q)) for q in board.quotes[-QUOTES_SHOWN:])
    out.extend(followup_quotes(locale, board.followup_quotes))
    asked = rules.reflection(program.start_date, day) if program.start_date else 1
    out.append(kit.section(_t(locale, "reflect_title") + "\n" + _t(locale, f"reflect_{asked}")))
    out.append(
        kit.actions(
            kit.button(_p(locale, "btn_log"), ID.METRIC_LOG, value=f"host:{program.id}"),
            kit.button(_p(locale, "btn_export"), ID.IMPACT_EXPORT, value=str(program.id)),
        )
    )
    return kit.message(title, out)


# -- modals ------------------------------------------------------------------------------------------------
def metric_modal(locale: str, *, program_id: int, program: str) -> dict[str, Any]:
    reporter = inputs.static_select(
        [inputs.option(_p(locale, "reporter_host"), "host"), inputs.option(_p(locale, "reporter_pair"), "pair")],
        initial="host",
    )
    return kit.modal(
        title=_p(locale, "metric_modal_title"),
        submit=_p(locale, "modal_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.METRIC_MODAL,
        private_metadata=json.dumps({"program_id": program_id}),
        blocks=[
            kit.section(_t(locale, "metric_modal_intro", program=program)),
            inputs.input_block(
                ID.METRIC_NAME,
                _p(locale, "f_name"),
                inputs.text_input(max_length=rules.NAME_MAX),
                hint=_p(locale, "f_name_hint"),
            ),
            inputs.input_block(
                ID.METRIC_UNIT,
                _p(locale, "f_unit"),
                inputs.text_input(max_length=rules.UNIT_MAX),
                optional=True,
                hint=_p(locale, "f_unit_hint"),
            ),
            inputs.input_block(ID.METRIC_BASELINE, _p(locale, "f_baseline"), inputs.text_input(max_length=20)),
            inputs.input_block(
                ID.METRIC_TARGET_LOW, _p(locale, "f_target_low"), inputs.text_input(max_length=20), optional=True
            ),
            inputs.input_block(
                ID.METRIC_TARGET_HIGH, _p(locale, "f_target_high"), inputs.text_input(max_length=20), optional=True
            ),
            inputs.input_block(ID.METRIC_REPORTER, _p(locale, "f_reporter"), reporter),
        ],
    )


def log_modal(
    locale: str, *, scope: str, program: str, metrics: Sequence[Metric], today: date, pair: bool, threshold: int = 0
) -> dict[str, Any]:
    """``threshold``: for a pair, the fewest pairs behind the weekly average hosts see."""
    options = [inputs.option(m.name + (f" ({m.unit})" if m.unit else ""), str(m.id)) for m in metrics]
    return kit.modal(
        title=_p(locale, "log_modal_title"),
        submit=_p(locale, "modal_submit"),
        close=_p(locale, "modal_close"),
        callback_id=ID.METRIC_LOG_MODAL,
        private_metadata=json.dumps({"scope": scope}),
        blocks=[
            kit.section(
                _t(
                    locale,
                    "log_modal_intro_pair" if pair else "log_modal_intro_host",
                    program=program,
                    threshold=threshold,
                )
            ),
            inputs.input_block(
                ID.METRIC_WHICH,
                _p(locale, "f_which"),
                inputs.static_select(options, initial=options[0]["value"] if len(options) == 1 else None),
            ),
            inputs.input_block(ID.METRIC_VALUE, _p(locale, "f_value"), inputs.text_input(max_length=20)),
            inputs.input_block(ID.METRIC_DAY, _p(locale, "f_day"), inputs.date_input(initial=today.isoformat())),
        ],
    )


def done_view(locale: str, message: dict[str, Any]) -> dict[str, Any]:
    """What the log modal turns into once saved: the confirmation."""
    return kit.modal(
        title=_p(locale, "log_modal_title"),
        close=_p(locale, "modal_close"),
        callback_id=ID.METRIC_LOG_DONE,
        blocks=message["blocks"],
    )


def errors(locale: str, errors: dict[str, str], ids: dict[str, ID]) -> dict[str, str]:
    return {ids[key].value: _p(locale, f"error_{kind}") for key, kind in errors.items() if key in ids}


# -- the export's Markdown -----------------------------------------------------------------------------------
def markdown(locale: str, board: Any, *, day: date) -> str:
    """The export's summary, as of the latest release: plain Markdown (no Slack mrkdwn), counts, rates,
    program-level metric values, the mood trend with hidden rounds as words, consented quotes."""
    p = lambda block, **kw: _p(locale, block, **kw)  # noqa: E731
    released = i18n.date_short(board.kpis.released_on, locale) if board.kpis.released_on else ""
    generated = p("md_generated", day=i18n.date_short(day, locale), released=released, threshold=board.threshold)
    lines = [p("md_title", program=board.program.name), "", generated, ""]
    lines += [p("md_kpis"), ""]
    lines += [f"- {p(f'kpi_{line.key}')}: {kpi_value(locale, line.kind, line.value)}" for line in board.lines]
    lines += ["", p("md_mood"), ""]
    if board.kpis.mood:
        for n, average in board.kpis.mood:
            hidden = average is None
            shown = p("md_mood_hidden", threshold=board.threshold) if hidden else i18n.decimal(average, locale, 1)
            lines.append(f"- {n}: {shown}")
    else:
        lines.append(p("md_none"))
    climate = [
        f"- {p(f'trend_{key}')}: {trend_points(locale, getattr(board.kpis, key))}"
        for key in rules.CLIMATE
        if getattr(board.kpis, key)
    ]
    lines += ["", p("md_climate"), "", *(climate or [p("md_none")])]
    lines += ["", p("md_metrics"), ""]
    if board.metrics:
        for view in board.metrics:
            m = view.metric
            latest = view.status.latest
            shown = p("value_held") if latest is None and m.reporter == "pair" else number(latest, locale=locale)
            lines.append(
                f"- {m.name}{f' ({m.unit})' if m.unit else ''}: {number(m.baseline, locale=locale)} → "
                f"{shown} · {target_text(locale, m.target_low, m.target_high)}"
                f" · {p(f'state_{view.status.state}').split(': ')[-1]}"
            )
    else:
        lines.append(p("md_none"))
    lines += ["", p("md_quotes"), ""]
    lines += [f"> {q}" for q in board.quotes] or [p("md_none")]
    if board.followup_quotes:
        lines += ["", p("md_followup_quotes"), ""]
        lines += [f"> {q}" for q in board.followup_quotes]
    return "\n".join(lines) + "\n"


# -- App Home ------------------------------------------------------------------------------------------------
def home_section(locale: str, pairs: Sequence[Any], boards: Sequence[Any]) -> list[kit.Block]:
    """Per active pair: our streak of weeks (none when the program has streaks off) and *Log a value* when the
    program has pair metrics; for hosts, their active programs' dashboards (without buttons: those act in the admin
    channel)."""
    out: list[kit.Block] = []
    for item in pairs:
        if item.streak is None and not item.metrics:
            continue
        if item.streak is None:
            text = _t(locale, "log_pair", program=item.program)
        else:
            text = _t(locale, "streak", weeks=item.streak) if item.streak else _t(locale, "streak_none")
        section = kit.section(text)
        if item.metrics:
            section["accessory"] = kit.button(
                _p(locale, "btn_log"), ID.METRIC_LOG, value=f"pair:{item.pair_id}"
            ).to_dict()
        out.append(section)
    if boards:
        out.append(kit.divider())
        out.append(kit.section(_t(locale, "home_title")))
        for board in boards:
            out.append(kit.header(_p(locale, "dashboard_title", program=board.program.name)))
            out.extend(dashboard_blocks(locale, board, buttons=False, sides=False))
    return out
