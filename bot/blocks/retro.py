"""Retro rituals: the opening message in the pair's group DM, the retro modal, the summary and the quote consent
cards in the retro's thread; the hosts' retro overview, the settings modal, the program retro and a quote in the
community channel. Wording from templates/<locale>/retro.j2; everything a person wrote is escaped by
``i18n.text``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot import i18n
from bot.blocks import followup as followup_blocks
from bot.blocks import inputs, kit
from bot.blocks import polls as poll_blocks
from bot.domain import polls as poll_rules
from bot.domain import release as release_rules
from bot.domain import retro as rules
from bot.ids import ID
from bot.models import Program, RetroAnswer

FIELD_IDS: dict[str, ID] = {
    "went_well": ID.RETRO_WENT_WELL,
    "learned": ID.RETRO_LEARNED,
    "change": ID.RETRO_CHANGE,
    "talk_share": ID.RETRO_TALK_SHARE,
    "quote": ID.RETRO_QUOTE,
    "themes": ID.RETRO_THEMES,
}
SETTINGS_IDS: dict[str, ID] = {"every": ID.RETRO_EVERY, "channel": ID.RETRO_CHANNEL}


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "retro", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "retro", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def opening(locale: str, *, retro_id: int, program: str, final: bool, weeks: int) -> dict[str, Any]:
    text = _t(locale, "open_final" if final else "open", program=program, weeks=weeks)
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(kit.button(_p(locale, "btn_fill"), ID.RETRO_OPEN, value=str(retro_id), style="primary")),
        ],
    )


def modal(locale: str, *, retro_id: int, partner: str, mine: RetroAnswer | None) -> dict[str, Any]:
    shares = [inputs.option(_p(locale, f"share_{n}"), str(n)) for n in rules.TALK_SHARES]
    initial = str(mine.talk_share) if mine else None

    def text(key: str, *, max_length: int) -> dict[str, Any]:
        return inputs.text_input(
            initial=getattr(mine, key) if mine else None, multiline=key != "quote", max_length=max_length
        )

    return kit.modal(
        title=_p(locale, "modal_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "modal_submit"),
        callback_id=ID.RETRO_MODAL,
        private_metadata=json.dumps({"retro_id": retro_id}),
        blocks=[
            kit.section(_t(locale, "modal_intro", partner=partner)),
            inputs.input_block(
                ID.RETRO_WENT_WELL, _p(locale, "f_went_well"), text("went_well", max_length=rules.TEXT_MAX)
            ),
            inputs.input_block(ID.RETRO_LEARNED, _p(locale, "f_learned"), text("learned", max_length=rules.TEXT_MAX)),
            inputs.input_block(ID.RETRO_CHANGE, _p(locale, "f_change"), text("change", max_length=rules.TEXT_MAX)),
            inputs.input_block(
                ID.RETRO_TALK_SHARE, _p(locale, "f_talk_share"), kit.radio_buttons(shares, initial=initial)
            ),
            inputs.input_block(
                ID.RETRO_THEMES,
                _p(locale, "f_themes"),
                inputs.checkboxes(
                    [inputs.option(_p(locale, f"theme_{t}"), t) for t in rules.THEMES],
                    checked=[t for t in (mine.themes if mine else []) if t in rules.THEMES],
                ),
                optional=True,
                hint=_p(locale, "f_themes_hint"),
            ),
            inputs.input_block(
                ID.RETRO_QUOTE,
                _p(locale, "f_quote"),
                text("quote", max_length=rules.QUOTE_MAX),
                optional=True,
                hint=_p(locale, "f_quote_hint"),
            ),
        ],
    )


def form_errors(locale: str, errors: dict[str, str]) -> dict[str, str]:
    return {FIELD_IDS[key].value: _p(locale, f"error_{kind}") for key, kind in errors.items()}


def summary(locale: str, sides: Sequence[tuple[str, RetroAnswer]], *, final: bool) -> dict[str, Any]:
    head = _t(locale, "summary_final" if final else "summary")
    out = [kit.section(head)]
    for name, answer in sides:
        out.append(kit.divider())
        out.append(
            kit.section(
                _t(
                    locale,
                    "summary_side",
                    name=name,
                    went_well=answer.went_well,
                    learned=answer.learned,
                    change=answer.change,
                    share=_p(locale, f"share_{answer.talk_share}"),
                )
            )
        )
    return kit.message(head, out)


def consent_card(locale: str, answer: RetroAnswer, *, author: str, partner: str) -> dict[str, Any]:
    state = rules.consent_state(
        author_at=answer.author_consent_at, partner_at=answer.partner_consent_at, declined_at=answer.declined_at
    )
    text = _t(locale, "consent", author=author, quote=answer.quote or "")
    status = _t(locale, f"consent_{state}", author=author, partner=partner)
    out = [kit.section(text), kit.context(status)]
    if state.startswith("waiting"):
        out.append(
            kit.actions(
                kit.button(_p(locale, "btn_consent_yes"), ID.RETRO_CONSENT_YES, value=str(answer.id), style="primary"),
                kit.button(_p(locale, "btn_consent_no"), ID.RETRO_CONSENT_NO, value=str(answer.id)),
            )
        )
    return kit.message(text, out)


# -- hosts -------------------------------------------------------------------------------------------------
def themes_text(locale: str, themes: dict[str, int]) -> str:
    """Released theme counts, in the list's order: "Time 3 · Tools 5 · ..." (plain words; counts only)."""
    return " · ".join(f"{_p(locale, f'theme_{t}')} {themes.get(t, 0)}" for t in rules.THEMES)


def _totals(locale: str, totals: rules.Aggregate) -> str:
    return _t(
        locale,
        "totals",
        pairs=totals.pairs,
        opened=totals.opened,
        done=totals.done,
        changes=totals.changes,
        shares=", ".join(f"{n}: {totals.talk_share[n]}" for n in rules.TALK_SHARES),
        themes=themes_text(locale, totals.themes),
    )


QUOTES_SHOWN = 20  # in /tandem admin retro, each with its button or where it was posted (two blocks)


def host_overview(
    locale: str, *, program: Program, totals: rules.Aggregate, quotes: Sequence[RetroAnswer]
) -> dict[str, Any]:
    released = i18n.date_short(totals.released_on, locale) if totals.released_on else ""
    threshold = release_rules.threshold(program.poll_threshold)
    head = _t(locale, "host_head", program=program.name, released=released, threshold=threshold)
    out = [
        kit.header(_p(locale, "host_title", program=program.name)),
        kit.section(head),
        kit.section(_totals(locale, totals)),
    ]
    if program.community_channel_id:
        out.append(kit.context(_t(locale, "host_channel", channel=program.community_channel_id)))
    else:
        out.append(kit.context(_t(locale, "host_no_channel")))
    if not quotes:
        out.append(kit.section(_t(locale, "host_no_quotes")))
    # two blocks a quote, within Slack's 50 a message: the newest QUOTES_SHOWN, and how many more there are
    shown = list(quotes)[-QUOTES_SHOWN:]
    if len(quotes) > len(shown):
        out.append(kit.context(_t(locale, "host_more_quotes", n=len(quotes) - len(shown))))
    for answer in shown:
        out.append(kit.section(_t(locale, "host_quote", quote=answer.quote or "")))
        if answer.posted_at is not None:
            out.append(kit.context(_t(locale, "host_posted", channel=answer.posted_channel or "")))
        else:
            out.append(kit.actions(kit.button(_p(locale, "btn_post"), ID.RETRO_POST_QUOTE, value=str(answer.id))))
    return kit.message(head, out)


def settings_modal(locale: str, *, program: Program) -> dict[str, Any]:
    channel = inputs.conversation_select(placeholder=_p(locale, "f_channel_placeholder"))
    if program.community_channel_id:
        channel["initial_conversation"] = program.community_channel_id
    return kit.modal(
        title=_p(locale, "settings_title"),
        close=_p(locale, "modal_close"),
        submit=_p(locale, "settings_submit"),
        callback_id=ID.RETRO_SETTINGS_MODAL,
        private_metadata=json.dumps({"program_id": program.id}),
        blocks=[
            kit.section(_t(locale, "settings_intro", program=program.name)),
            inputs.input_block(
                ID.RETRO_EVERY,
                _p(locale, "f_every"),
                inputs.number_input(
                    initial=program.retro_every_weeks, minimum=rules.EVERY_MIN, maximum=rules.EVERY_MAX
                ),
            ),
            inputs.input_block(
                ID.RETRO_CHANNEL, _p(locale, "f_channel"), channel, optional=True, hint=_p(locale, "f_channel_hint")
            ),
        ],
    )


def program_report(
    locale: str,
    *,
    program: str,
    active: int,
    totals: rules.Aggregate,
    mood: Sequence[poll_rules.Result],
    quotes: Sequence[RetroAnswer],
    followup_quotes: Sequence[str] = (),
) -> dict[str, Any]:
    """``mood``: the program's closed pulse rounds, each held to its threshold (hidden ones say only that);
    ``followup_quotes``: follow-up answers whose authors said they may be quoted (without names)."""
    head = _t(locale, "report_head", program=program)
    balance = rules.talk_balance(totals.talk_share)
    shown = [r for r in mood if r.shown]
    mood_text = (
        _t(
            locale,
            "report_mood",
            trend=poll_blocks.trend_points(locale, mood),
            rounds=len(mood),
            shown=len(shown),
            rate=sum(r.response_rate for r in shown) / len(shown) if shown else None,
        )
        if mood
        else _t(locale, "report_no_mood")
    )
    out = [
        kit.header(_p(locale, "report_title", program=program)),
        kit.section(head),
        kit.section(
            _t(
                locale,
                "report_participation",
                active=active,
                pairs=totals.pairs,
                done=totals.done,
                released=i18n.date_short(totals.released_on, locale) if totals.released_on else "",
            )
        ),
        kit.section(mood_text),
        kit.section(_t(locale, "report_themes", themes=themes_text(locale, totals.themes))),
        kit.section(_t(locale, "report_balance", changes=totals.changes, **balance)),
    ]
    if quotes:
        out.append(kit.section(_t(locale, "report_quotes")))
        out.extend(kit.section(_t(locale, "host_quote", quote=a.quote or "")) for a in quotes[:20])
    else:
        out.append(kit.section(_t(locale, "host_no_quotes")))
    out.extend(followup_blocks.quotes_blocks(locale, followup_quotes))
    return kit.message(head, out)


def community_quote(locale: str, *, quote: str, program: str) -> dict[str, Any]:
    text = _t(locale, "community", quote=quote, program=program)
    return kit.message(text, [kit.section(text)])
