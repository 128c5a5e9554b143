"""The Block Kit builders (``bot.blocks.kit``) build plain dicts; slack_sdk's models are the oracle: for every builder
and a range of inputs (empty, at and over the limits, with and without the optional parts) the dict is exactly
what the model renders, and what the model would refuse is refused."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import kit
from bot.domain.text import truncate
from bot.ids import ID

TEXTS = ["", "x", "Grüß dich, *du* :wave: <@U1>", "ä" * 150, "y" * 151, "z" * 3000, "w" * 3001, "q" * 50_000]


@pytest.mark.parametrize("text", TEXTS)
def test_text_blocks_are_what_slack_sdk_renders(text: str) -> None:
    header = HeaderBlock(text=PlainTextObject(text=truncate(text, kit.HEADER_TEXT_MAX))).to_dict()
    assert kit.header(text) == header
    section = SectionBlock(text=MarkdownTextObject(text=truncate(text, kit.SECTION_TEXT_MAX))).to_dict()
    assert kit.section(text) == section
    with_id = SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)), block_id=ID.NOTE_TEXT).to_dict()
    assert kit.section(text, block_id=ID.NOTE_TEXT) == with_id
    items = [MarkdownTextObject(text=truncate(t, 3000)) for t in (text, "b")]
    assert kit.context(text, "b") == ContextBlock(elements=items).to_dict()
    assert kit.divider() == DividerBlock().to_dict()


@pytest.mark.parametrize("value", [None, "", "7", "pair:12", "v" * 2000])
@pytest.mark.parametrize("style", [None, "primary", "danger"])
@pytest.mark.parametrize("label", ["", "Answer", "L" * 80])
def test_buttons_and_actions_are_what_slack_sdk_renders(value: str | None, style: str | None, label: str) -> None:
    sdk = ButtonElement(
        text=PlainTextObject(text=truncate(label, kit.BUTTON_TEXT_MAX)),
        action_id=ID.GOAL_DONE,
        value=value,
        style=style,
    )
    mine = kit.button(label, ID.GOAL_DONE, value=value, style=style)
    assert mine == sdk.to_dict() == mine.to_dict()
    other = kit.button("Other", ID.GOAL_OPEN, value="3")
    assert kit.actions(mine, other) == ActionsBlock(elements=[sdk, other.to_dict()]).to_dict()
    assert kit.actions(mine, block_id=ID.NOTE_TEXT) == ActionsBlock(elements=[sdk], block_id=ID.NOTE_TEXT).to_dict()


def test_a_confirm_set_on_a_button_is_rendered_as_slack_sdk_does() -> None:
    """Builders add a confirm dialog after the button is made (``button.confirm = ConfirmObject(...)``)."""
    confirm = ConfirmObject(title="Sure?", text="It ends the pair.", confirm="Yes", deny="No", style="danger")
    sdk = ButtonElement(text=PlainTextObject(text="Switch"), action_id=ID.TRIAL_SWITCH, value="42", style="danger")
    sdk.confirm = confirm
    mine = kit.button("Switch", ID.TRIAL_SWITCH, value="42", style="danger")
    mine.confirm = confirm
    assert mine == sdk.to_dict()
    assert list(mine) == sorted(mine)
    assert kit.actions(mine) == ActionsBlock(elements=[sdk]).to_dict()


def test_what_slack_would_refuse_is_refused() -> None:
    with pytest.raises(ValueError):
        kit.button("x", ID.GOAL_DONE, value="v" * 2001)
    with pytest.raises(ValueError):
        kit.section("x", block_id="b" * 256)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        kit.modal(title="t", close="c", blocks=[], callback_id=ID.NOTE_MODAL, private_metadata="m" * 3001)
    with pytest.raises(ValueError):
        kit.home(blocks=[kit.divider()] * 101)


@pytest.mark.parametrize("submit", [None, "", "Save", "S" * 30])
@pytest.mark.parametrize("meta", ["", '{"pair_id": 3}'])
@pytest.mark.parametrize("title", ["Tandem", "T" * 30, "Grüße"])
def test_views_are_what_slack_sdk_renders(submit: str | None, meta: str, title: str) -> None:
    blocks = [
        kit.header("h"),
        kit.section("s", block_id=ID.NOTE_TEXT),
        kit.divider(),
        kit.actions(kit.button("b", ID.GOAL_DONE)),
    ]
    sdk = View(
        type="modal",
        callback_id=ID.NOTE_MODAL,
        title=truncate(title, kit.VIEW_TITLE_MAX),
        close=truncate("Close", kit.VIEW_TITLE_MAX),
        submit=truncate(submit, kit.VIEW_TITLE_MAX) if submit else None,
        blocks=blocks,
        private_metadata=meta or None,
    ).to_dict()
    mine = kit.modal(
        title=title, close="Close", blocks=blocks, callback_id=ID.NOTE_MODAL, submit=submit, private_metadata=meta
    )
    assert mine == sdk
    assert kit.home(blocks=blocks) == View(type="home", callback_id=ID.HOME_VIEW, blocks=blocks).to_dict()
