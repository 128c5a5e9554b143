"""Matching: the hosts' preview in the admin channel, the swap modal, and each new pair's introduction."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ConfirmObject

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain.matching import EXCLUDED_KINDS, HOST_WEIGHTS, WEIGHT_MAX, WEIGHT_MIN, WEIGHT_NAMES, Weights
from bot.ids import ID

PREVIEW_PAIRS_MAX = 30  # pairs listed one by one; a message holds at most 50 blocks
REASONS_SHOWN = 4


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    """A one-section message from templates/<locale>/matching.j2."""
    text = i18n.text(locale, "matching", block, **context)
    return kit.message(text, [kit.section(text)])


def reason_text(locale: str, reason: dict[str, Any]) -> str | None:
    """One stored reason in words (None for a reason this version cannot word)."""
    key = str(reason.get("key", ""))
    params = {k: v for k, v in reason.items() if k not in ("key", "points")}
    if key == "shared_value" and "value" in params:
        params["value"] = i18n.plain(locale, "interview", f"value_{params['value']}")
    if key == "common_language" and "language" in params:
        params["language"] = i18n.plain(locale, "common", f"lang_{params['language']}")
    try:
        return i18n.text(locale, "matching", f"reason_{key}", **params)
    except KeyError:
        return None


def reasons_text(locale: str, reasons: list[dict[str, Any]], limit: int = REASONS_SHOWN) -> str:
    ordered = sorted(reasons, key=lambda r: -float(r.get("points", 0)))
    words = [w for w in (reason_text(locale, r) for r in ordered) if w]
    return " · ".join(words[:limit])


def _bars(histogram: list[int]) -> str:
    if not histogram:
        return ""
    top = max(histogram) or 1
    return "".join("▁▂▃▄▅▆▇█"[min(7, round(7 * n / top))] if n else "·" for n in histogram)


def preview(
    locale: str,
    *,
    program_name: str,
    round_id: int,
    pairs: list[dict[str, Any]],
    unmatched: list[dict[str, Any]],
    stats: dict[str, Any],
    headline: str | None = None,
) -> dict[str, Any]:
    """``pairs``: {id, a, b, score, reasons, locked}; ``unmatched``: {name, reason}. ``headline``: mrkdwn saying
    why this preview was posted (a swap, the schedule), shown under the header."""
    t = lambda block, **kw: i18n.text(locale, "matching", block, **kw)  # noqa: E731
    p = lambda block, **kw: i18n.plain(locale, "matching", block, **kw)  # noqa: E731
    blocks: list[kit.Block] = [kit.header(p("preview_header", name=program_name))]
    if headline:
        blocks.append(kit.section(headline))
    if not pairs and not unmatched:
        blocks.append(kit.section(t("preview_empty")))
        return kit.message(p("preview_fallback", name=program_name), blocks)
    blocks.append(
        kit.section(
            t(
                "preview_summary",
                pairs=len(pairs),
                pool=stats.get("pool", 0),
                total=i18n.number(stats.get("total", 0), locale),
                median=i18n.number(stats.get("median", 0), locale),
                low=i18n.number(stats.get("min", 0), locale),
                high=i18n.number(stats.get("max", 0), locale),
            )
        )
    )
    facts = []
    if stats.get("histogram"):
        facts.append(t("distribution", bars=_bars(stats["histogram"])))
    excluded = stats.get("excluded") or {}
    if excluded.get("possible"):
        counts = {kind: int(excluded.get(kind, 0)) for kind in EXCLUDED_KINDS}
        facts.append(t("excluded", ruled_out=sum(counts.values()), possible=int(excluded["possible"]), **counts))
    if stats.get("refused_swaps"):
        facts.append(t("refused_swaps", n=int(stats["refused_swaps"])))
    floor = stats.get("floor") or {}
    if stats.get("swaps"):  # the pairs are no longer the ones matching chose: nothing to say about its floor
        pass
    elif floor.get("applied"):
        margin = i18n.number(floor.get("margin", 0), locale)
        facts.append(t("floor_raised" if floor.get("raised") else "floor_kept", margin=margin))
    elif floor.get("too_large"):
        facts.append(t("floor_too_large", n=int(floor["too_large"])))
    if stats.get("own_weights"):
        names = ", ".join(p(f"weight_{name}") for name in stats["own_weights"] if name in WEIGHT_NAMES)
        facts.append(t("own_weights", names=names))
    if facts:
        blocks.append(kit.context(*facts))
    blocks.append(kit.divider())
    for pair in pairs[:PREVIEW_PAIRS_MAX]:
        line = t("pair_line", a=pair["a"], b=pair["b"], score=i18n.number(pair["score"], locale))
        if pair["locked"]:
            line += " " + i18n.plain(locale, "matching", "locked")
        why = reasons_text(locale, pair["reasons"])
        section = kit.section(line + ("\n" + why if why else ""))
        label = p("unlock" if pair["locked"] else "lock")
        section["accessory"] = kit.button(label, ID.MATCH_LOCK, value=json.dumps([round_id, pair["id"]])).to_dict()
        blocks.append(section)
    if len(pairs) > PREVIEW_PAIRS_MAX:
        blocks.append(kit.context(t("more_pairs", n=len(pairs) - PREVIEW_PAIRS_MAX)))
    if unmatched:
        lines = [
            t("unmatched_line", name=u["name"], reason=i18n.plain(locale, "matching", f"unmatched_{u['reason']}"))
            for u in unmatched[:40]
        ]
        blocks.append(kit.section(t("unmatched_title") + "\n" + "\n".join(lines)))
    approve = kit.button(p("approve"), ID.MATCH_APPROVE, value=str(round_id), style="primary")
    approve.confirm = ConfirmObject(
        title=p("approve_confirm_title"),
        text=p("approve_confirm_text"),
        confirm=p("approve_confirm_yes"),
        deny=p("approve_confirm_no"),
    )
    buttons = [approve, kit.button(p("rerun"), ID.MATCH_RERUN, value=str(round_id))]
    if pairs:
        buttons.append(kit.button(p("swap"), ID.MATCH_SWAP, value=str(round_id)))
    buttons.append(kit.button(p("discard"), ID.MATCH_DISCARD, value=str(round_id)))
    blocks.append(kit.actions(*buttons))
    return kit.message(p("preview_fallback", name=program_name), blocks)


WEIGHT_FIELDS = {name: ID[f"MATCH_W_{name.upper()}"] for name in HOST_WEIGHTS}  # what hosts may tune


def _figure(value: float) -> str:
    """A weight as the number input shows it: ``3`` or ``1.5``."""
    return f"{value:g}"


def weights_modal(
    locale: str, *, program_id: int, program_name: str, current: dict[str, float], defaults: dict[str, float]
) -> dict[str, Any]:
    """The program's matching weights hosts may tune, each with its meaning and its default, between WEIGHT_MIN and
    WEIGHT_MAX; and what speed dating adds, which is fixed (``PRIVATE_WEIGHTS``)."""
    p = lambda block, **kw: i18n.plain(locale, "matching", block, **kw)  # noqa: E731
    fixed = Weights()
    blocks: list[kit.Block] = [
        kit.section(i18n.text(locale, "matching", "weights_intro", name=program_name, low=WEIGHT_MIN, high=WEIGHT_MAX)),
        kit.context(
            i18n.text(
                locale,
                "matching",
                "weights_private",
                yes=i18n.number(fixed.interest_yes, locale),
                maybe=i18n.number(fixed.interest_maybe, locale),
                both=i18n.number(fixed.ranked_both, locale),
                one=i18n.number(fixed.ranked_one, locale),
            )
        ),
    ]
    for name, block_id in WEIGHT_FIELDS.items():
        element = inputs.number_input(initial=current[name], minimum=WEIGHT_MIN, maximum=WEIGHT_MAX, decimal=True)
        hint = p(f"weight_hint_{name}") + " " + p("weight_default", value=i18n.number(defaults[name], locale))
        blocks.append(inputs.input_block(block_id, p(f"weight_{name}"), element, hint=hint))
    return kit.modal(
        title=p("weights_title"),
        close=p("weights_close"),
        submit=p("weights_submit"),
        blocks=blocks,
        callback_id=ID.MATCH_WEIGHTS_MODAL,
        private_metadata=json.dumps({"program_id": program_id}),
    )


def weights_errors(locale: str, errors: dict[str, str]) -> dict[str, str]:
    """``response_action: errors`` for the weights modal: ``{weight name: "number" | "range"}``."""
    return {
        WEIGHT_FIELDS[name].value: i18n.plain(
            locale, "matching", f"weights_err_{kind}", low=_figure(WEIGHT_MIN), high=_figure(WEIGHT_MAX)
        )
        for name, kind in errors.items()
    }


def swap_modal(locale: str, *, round_id: int, program_name: str) -> dict[str, Any]:
    """Two people of a preview trade places: "Person" / "trades places with"."""
    p = lambda block: i18n.plain(locale, "matching", block)  # noqa: E731
    return kit.modal(
        title=p("swap_title"),
        close=p("swap_close"),
        submit=p("swap_submit"),
        blocks=[
            kit.context(i18n.text(locale, "matching", "swap_intro", name=program_name)),
            inputs.input_block(ID.MATCH_SWAP_PERSON, p("swap_person"), {"type": "users_select"}),
            inputs.input_block(ID.MATCH_SWAP_WITH, p("swap_other"), {"type": "users_select"}),
        ],
        callback_id=ID.MATCH_SWAP_MODAL,
        private_metadata=json.dumps({"round_id": round_id}),
    )


SWAP_FIELDS = {"person": ID.MATCH_SWAP_PERSON, "other": ID.MATCH_SWAP_WITH}


def swap_error(locale: str, *, key: str, field: str, a: str = "", b: str = "") -> dict[str, str]:
    """``response_action: errors`` for the swap modal: the wording for ``key`` on ``field`` ("person"/"other").
    Every private reason comes as ``private`` (``bot.domain.matching.shown_violation``): one wording for all."""
    return {SWAP_FIELDS[field].value: i18n.plain(locale, "matching", f"swap_err_{key}", a=a, b=b)}


def introduction(
    locale: str, *, program: str, a: dict[str, Any], b: dict[str, Any], reasons: list[dict[str, Any]]
) -> dict[str, Any]:
    """The first message in a new pair's group DM. ``a``/``b``: {id (Slack), name, about}."""
    t = lambda block, **kw: i18n.text(locale, "matching", block, **kw)  # noqa: E731
    blocks = [
        kit.header(i18n.plain(locale, "matching", "intro_header", a=a["name"], b=b["name"])),
        kit.section(t("intro_hello", a_id=a["id"], b_id=b["id"], program=program)),
    ]
    why = reasons_text(locale, reasons, limit=6)
    if why:
        blocks.append(kit.section(t("intro_why", reasons=why)))
    about = [t("intro_about", name=person["name"], text=person["about"]) for person in (a, b) if person.get("about")]
    if about:
        blocks.append(kit.section("\n".join(about)))
    blocks.append(kit.section(t("intro_kickoff")))
    return kit.message(i18n.plain(locale, "matching", "intro_fallback"), blocks)
