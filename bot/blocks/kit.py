"""Block Kit building blocks. slack_sdk's models check Slack's length limits when rendered."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.text import truncate
from bot.ids import ID

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
VIEW_TITLE_MAX = 24
MESSAGE_TEXT_MAX = 40000


def header(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=truncate(text, HEADER_TEXT_MAX))).to_dict()


def section(mrkdwn: str, *, block_id: ID | None = None) -> Block:
    return SectionBlock(text=MarkdownTextObject(text=truncate(mrkdwn, SECTION_TEXT_MAX)), block_id=block_id).to_dict()


def context(*mrkdwn: str) -> Block:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(t, SECTION_TEXT_MAX)) for t in mrkdwn]).to_dict()


def divider() -> Block:
    return DividerBlock().to_dict()


def button(label: str, action_id: ID, *, value: str | None = None, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=truncate(label, BUTTON_TEXT_MAX)),
        action_id=action_id,
        value=value,
        style=style,
    )


def actions(*buttons: ButtonElement, block_id: ID | None = None) -> Block:
    return ActionsBlock(elements=list(buttons), block_id=block_id).to_dict()


def message(fallback: str, blocks: list[Block]) -> dict[str, Any]:
    """Arguments for chat.postMessage / response_url: notification text plus blocks."""
    return {"text": truncate(fallback, MESSAGE_TEXT_MAX), "blocks": blocks}


def modal(
    *,
    title: str,
    close: str,
    blocks: list[Block],
    callback_id: ID,
    submit: str | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=truncate(title, VIEW_TITLE_MAX),
        close=truncate(close, VIEW_TITLE_MAX),
        submit=truncate(submit, VIEW_TITLE_MAX) if submit else None,
        blocks=blocks,
        private_metadata=private_metadata or None,
    )
    return view.to_dict()


def home(*, blocks: list[Block], callback_id: ID = ID.HOME_VIEW) -> dict[str, Any]:
    return View(type="home", callback_id=callback_id, blocks=blocks).to_dict()


# -- choice elements for modal inputs (the rest are in bot/blocks/inputs.py) ----------------------------------
OPTIONS_MAX = 100
RADIO_OPTIONS_MAX = 10


def multi_select(
    options: list[dict[str, Any]],
    *,
    initial: list[str] | tuple[str, ...] = (),
    max_selected: int | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    """A multi_static_select element; ``options`` as ``bot.blocks.inputs.option`` builds them."""
    options = options[:OPTIONS_MAX]
    element: dict[str, Any] = {"type": "multi_static_select", "options": options}
    chosen = [o for o in options if o["value"] in set(initial)]
    if chosen:
        element["initial_options"] = chosen
    if max_selected:
        element["max_selected_items"] = max_selected
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": truncate(placeholder, 150)}
    return element


def radio_buttons(options: list[dict[str, Any]], *, initial: str | None = None) -> dict[str, Any]:
    """A radio_buttons element (at most 10 options)."""
    options = options[:RADIO_OPTIONS_MAX]
    element: dict[str, Any] = {"type": "radio_buttons", "options": options}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element
