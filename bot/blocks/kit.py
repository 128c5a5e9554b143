"""Block Kit building blocks, as the plain dicts Slack reads (built directly: slack_sdk's models cost a weekly round of
10,000 people seconds). Texts are cut to Slack's limits; what cannot be cut (a button's value, a block id, a view's
metadata or block count) raises. ``tests/test_kit.py`` checks every builder against slack_sdk's models."""

from __future__ import annotations

from typing import Any

from bot.domain.text import truncate
from bot.ids import ID

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
VIEW_TITLE_MAX = 24
MESSAGE_TEXT_MAX = 40000
MESSAGE_BLOCKS_MAX = 50  # blocks in one message
BUTTON_VALUE_MAX = 2000
BLOCK_ID_MAX = 255
PRIVATE_METADATA_MAX = 3000
VIEW_BLOCKS_MAX = 100


def _plain(text: str) -> dict[str, Any]:
    return {"text": text, "type": "plain_text"} if text else {"type": "plain_text"}


def _view_text(text: str) -> dict[str, Any]:
    """A view's title, close or submit label (slack_sdk renders these with ``emoji``)."""
    return {"emoji": True, **_plain(text)}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"text": text, "type": "mrkdwn"} if text else {"type": "mrkdwn"}


def _with_id(block: Block, block_id: ID | str | None) -> Block:
    if block_id:
        if len(block_id) > BLOCK_ID_MAX:
            raise ValueError(f"block_id longer than {BLOCK_ID_MAX}: {block_id[:40]}...")
        return {"block_id": str(block_id), **block}
    return block


def header(text: str) -> Block:
    return {"text": _plain(truncate(text, HEADER_TEXT_MAX)), "type": "header"}


def section(mrkdwn: str, *, block_id: ID | None = None) -> Block:
    return _with_id({"text": _mrkdwn(truncate(mrkdwn, SECTION_TEXT_MAX)), "type": "section"}, block_id)


def context(*mrkdwn: str) -> Block:
    return {"elements": [_mrkdwn(truncate(t, SECTION_TEXT_MAX)) for t in mrkdwn], "type": "context"}


def divider() -> Block:
    return {"type": "divider"}


class Button(dict[str, Any]):
    """A button element (a dict, as Slack reads it); ``to_dict()`` for where an element object was expected, and an
    attribute set (``button.confirm = ConfirmObject(...)``) becomes its key, as on slack_sdk's ``ButtonElement``."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)

    def __setattr__(self, name: str, value: Any) -> None:
        if value is None:
            self.pop(name, None)
        else:
            self[name] = value.to_dict() if hasattr(value, "to_dict") else value
        ordered = sorted(self.items())
        self.clear()
        self.update(ordered)


def button(label: str, action_id: ID, *, value: str | None = None, style: str | None = None) -> Button:
    if value is not None and len(value) > BUTTON_VALUE_MAX:
        raise ValueError(f"a button's value is longer than {BUTTON_VALUE_MAX} characters")
    element = Button(action_id=str(action_id))
    if style:
        element["style"] = style
    element["text"] = _plain(truncate(label, BUTTON_TEXT_MAX))
    element["type"] = "button"
    if value:
        element["value"] = value
    return element


def actions(*buttons: Any, block_id: ID | None = None) -> Block:
    elements = [b.to_dict() if hasattr(b, "to_dict") else dict(b) for b in buttons]
    return _with_id({"elements": elements, "type": "actions"}, block_id)


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
    view: dict[str, Any] = {"blocks": list(blocks), "callback_id": str(callback_id)}
    view["close"] = _view_text(truncate(close, VIEW_TITLE_MAX))
    if private_metadata:
        if len(private_metadata) > PRIVATE_METADATA_MAX:
            raise ValueError(f"private_metadata longer than {PRIVATE_METADATA_MAX} characters")
        view["private_metadata"] = private_metadata
    if submit:
        view["submit"] = _view_text(truncate(submit, VIEW_TITLE_MAX))
    view["title"] = _view_text(truncate(title, VIEW_TITLE_MAX))
    view["type"] = "modal"
    return _view_checked(view)


def home(*, blocks: list[Block], callback_id: ID = ID.HOME_VIEW) -> dict[str, Any]:
    return _view_checked({"blocks": list(blocks), "callback_id": str(callback_id), "type": "home"})


def _view_checked(view: dict[str, Any]) -> dict[str, Any]:
    if len(view["blocks"]) > VIEW_BLOCKS_MAX:
        raise ValueError(f"a view holds at most {VIEW_BLOCKS_MAX} blocks")
    return view


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
