"""Both agree before a note leaves the pair: the question to the author's partner, the answer that replaces it,
and the author's news. Also the words for a note's audience and its links, which every note renderer shares.

Note text is user text: escaped for mrkdwn by ``i18n.text``; links are rendered by Tandem itself."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from bot import i18n
from bot.blocks import kit
from bot.domain import notes as rules
from bot.domain.notes import Visibility
from bot.ids import ID

TEXT_SHOWN_MAX = 2500  # of a note's 3,000 characters in the question (a section holds 3,000 with the wording)


def _t(locale: str, block: str, **kw: Any) -> str:
    return i18n.text(locale, "notes", block, **kw)


def _p(locale: str, block: str, **kw: Any) -> str:
    return i18n.plain(locale, "notes", block, **kw)


def audience(locale: str, visibility: Visibility | str) -> str:
    return _p(locale, f"audience_{Visibility(visibility).value}")


def beyond(locale: str, visibility: Visibility | str) -> str:
    """Who outside the pair a hosts or program note would reach: "the hosts", "everyone in the program"."""
    return _p(locale, f"beyond_{Visibility(visibility).value}")


def audience_of(locale: str, visibility: Visibility | str, share_state: str | None) -> str:
    """Who reads a note now: its audience once both agreed; the pair while the partner was asked or said no."""
    visibility = Visibility(visibility)
    if visibility not in rules.BEYOND_PAIR or share_state in (None, rules.ShareState.AGREED):
        return audience(locale, visibility)
    if share_state == rules.ShareState.DECLINED:
        return _p(locale, "audience_declined")
    return _p(locale, "audience_asked", beyond=beyond(locale, visibility))


def links_markup(links: tuple[str, ...] | list[str]) -> Markup:
    """Links as Slack links Tandem builds itself: ``<url>`` shows the real target, never a label."""
    safe = [url for url in links if rules.is_safe_link(url)]
    return Markup(" ".join("<" + url.replace("&", "&amp;") + ">" for url in safe))


def _shown(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN_MAX else text[: TEXT_SHOWN_MAX - 1] + "…"


def share_ask(
    locale: str,
    *,
    note_id: int,
    author: str,
    program: str,
    visibility: Visibility,
    topic: str | None,
    text: str,
    links: tuple[str, ...],
) -> dict[str, Any]:
    """The DM to the author's partner: the note, who would read it, and two buttons (value: the note id)."""
    value = str(note_id)
    blocks: list[kit.Block] = [
        kit.section(_t(locale, "share_ask", author=author, program=program, audience=audience(locale, visibility))),
        kit.section(_t(locale, "share_quote", topic=topic, text=_shown(text))),
    ]
    if links:
        blocks.append(kit.context(_t(locale, "note_links", links=links_markup(links))))
    blocks += [
        kit.context(_t(locale, "share_ask_rule", author=author)),
        kit.actions(
            kit.button(_p(locale, "btn_share_yes"), ID.NOTE_SHARE_YES, value=value, style="primary"),
            kit.button(_p(locale, "btn_share_no"), ID.NOTE_SHARE_NO, value=value),
        ),
    ]
    return kit.message(_t(locale, "share_ask_fallback", author=author), blocks)


def share_reply(locale: str, outcome: str, *, visibility: Visibility | None = None) -> dict[str, Any]:
    """What replaces the question after a click (``agreed``, ``agreed_red``, ``declined``), or the answer shown to
    the clicker alone (``already``, ``not_yours``)."""
    text = _t(locale, f"share_{outcome}", audience=audience(locale, visibility) if visibility else "")
    return kit.message(text, [kit.section(text)])


def share_answered_author(
    locale: str, *, partner: str, agreed: bool, red: bool, visibility: Visibility, text: str
) -> dict[str, Any]:
    """The author's news: the partner agreed (the note now reaches its audience, or will once red is lifted) or said
    no (it stays in the pair)."""
    block = ("share_author_agreed_red" if red else "share_author_agreed") if agreed else "share_author_declined"
    words = _t(locale, block, partner=partner, audience=audience(locale, visibility))
    return kit.message(
        words, [kit.section(words), kit.context(_t(locale, "share_quote", topic=None, text=_shown(text)))]
    )
