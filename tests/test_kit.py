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


@pytest.mark.parametrize("locale", ["en", "de"])
def test_views_and_messages_stay_within_slacks_limits_at_their_extremes(locale: str) -> None:
    """Cases an audit found Slack would refuse: a select whose chosen option came after the first 100 sent, the card
    library's Prev and Next (one action) in one block, and the retro overview with its quotes past 50 blocks."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from bot.blocks import cards as card_blocks
    from bot.blocks import inputs
    from bot.blocks import retro as retro_blocks
    from bot.domain.retro import Aggregate
    from bot.models import LearningCard
    from bot.sandbox.blockkit import validate_call

    options = [inputs.option(f"Program {n}", str(n)) for n in range(150)]
    select = inputs.static_select(options, initial="120")
    assert len(select["options"]) == 100 and select["initial_option"] in select["options"]
    assert select["initial_option"]["value"] == "120"
    boxes = inputs.checkboxes(options[:12], checked=["11"])
    assert len(boxes["options"]) == 10 and boxes["initial_options"][0] in boxes["options"]

    now = datetime(2027, 3, 1, tzinfo=UTC)
    card = LearningCard(id=1, program_id=1, participant_id=1, title="A card", text="What I learned", show_name=True)
    card.created_at = card.updated_at = card.published_at = now
    library = card_blocks.library_modal(
        locale,
        choices=[(f"p:{n}", f"Program {n}", 12) for n in range(150)],
        chosen="p:140",
        page=1,
        pages=3,
        items=[(card, "Ana", "Program 140")] * 5,
    )
    assert validate_call("views.open", {"trigger_id": "t", "view": library}) == []

    program = SimpleNamespace(name="P" * 80, poll_threshold=5, community_channel_id=None)
    quotes = [SimpleNamespace(id=n, quote=f"Quote {n}", posted_at=None, posted_channel=None) for n in range(40)]
    totals = Aggregate(
        pairs=40,
        opened=40,
        done=40,
        answers=80,
        talk_share=dict.fromkeys(range(1, 6), 0),
        changes=0,
        quotes_consented=40,
    )
    overview = retro_blocks.host_overview(locale, program=program, totals=totals, quotes=quotes)
    assert (
        validate_call("chat.postMessage", {"channel": "C1", "text": overview["text"], "blocks": overview["blocks"]})
        == []
    )
    assert "Quote 39" in str(overview) and "Quote 19" not in str(overview)  # the newest, and how many more

    # /tandem admin programs with 30 programs: as many cards as fit, and a line about the rest (it stopped at 12 and
    # said nothing)
    from datetime import date

    from bot.blocks import admin as admin_blocks
    from bot.domain.programs import OnboardingCounts
    from bot.models import Program

    counts = OnboardingCounts(invited=9, pending=1, interviewing=1, onboarded=7, declined=0)
    listed = [
        (
            Program(
                id=n, workspace_id=1, name=f"Program {n}", status="active", start_date=date(2027, 1, 4),
                duration_weeks=12, rhythm="weekly", prompt_weekday=0, prompt_hour=9, learning_fields=["AI"],
                signup_open=True, timezone="UTC", default_locale=locale, trial_weeks=4, retention_months=12,
            ),
            counts,
        )
        for n in range(30)
    ]  # fmt: skip
    listing = admin_blocks.program_list(locale, listed)
    assert (
        validate_call("chat.postMessage", {"channel": "C1", "text": listing["text"], "blocks": listing["blocks"]}) == []
    )
    assert "/tandem admin programs <" in str(listing["blocks"][-1])
