"""Block Kit validator: each limit family with one valid and one just-over-limit case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.blockkit import (
    check_call,
    decode_args,
    load_methods,
    validate_blocks,
    validate_call,
    validate_view,
)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Go"), "action_id": action_id, **extra}


def option(value: str = "v", text: str = "Option") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def select(options: list[dict[str, Any]], kind: str = "static_select", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "action_id": "pick", "options": options, **extra}


def input_block(element: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    element = element or {"type": "plain_text_input", "action_id": "answer"}
    return {"type": "input", "label": plain("Answer"), "element": element, **extra}


def confirm(title: str = "Sure?", text: str = "Really", yes: str = "Yes", no: str = "No") -> dict[str, Any]:
    return {"title": plain(title), "text": plain(text), "confirm": plain(yes), "deny": plain(no)}


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "title": plain("Tandem"), "blocks": blocks or [section()]}
    view.update(extra)
    return view


# (name, surface, limit, build(n) -> blocks); build(limit) is valid and build(limit + 1) is not.
LIMITS: list[tuple[str, str, int, Callable[[int], list[dict[str, Any]]]]] = [
    ("message blocks", "message", 50, lambda n: [{"type": "divider"}] * n),
    ("modal blocks", "modal", 100, lambda n: [{"type": "divider"}] * n),
    ("home blocks", "home", 100, lambda n: [{"type": "divider"}] * n),
    ("block_id", "message", 255, lambda n: [{"type": "divider", "block_id": "b" * n}]),
    ("section text", "message", 3000, lambda n: [section("x" * n)]),
    ("section fields count", "message", 10, lambda n: [{"type": "section", "fields": [mrkdwn("f")] * n}]),
    ("section field text", "message", 2000, lambda n: [{"type": "section", "fields": [mrkdwn("f" * n)]}]),
    ("header text", "message", 150, lambda n: [{"type": "header", "text": plain("h" * n)}]),
    ("markdown text", "message", 12000, lambda n: [{"type": "markdown", "text": "m" * n}]),
    ("actions elements", "message", 25, lambda n: [actions(*[button(f"a{i}") for i in range(n)])]),
    ("context elements", "message", 10, lambda n: [{"type": "context", "elements": [mrkdwn("c")] * n}]),
    ("input label", "modal", 2000, lambda n: [input_block(label=plain("l" * n))]),
    ("input hint", "modal", 2000, lambda n: [input_block(hint=plain("h" * n))]),
    (
        "image_url",
        "message",
        3000,
        lambda n: [{"type": "image", "image_url": "h" * n, "alt_text": "a"}],
    ),
    (
        "alt_text",
        "message",
        2000,
        lambda n: [{"type": "image", "image_url": "https://x/y.png", "alt_text": "a" * n}],
    ),
    ("action_id", "message", 255, lambda n: [actions(button("a" * n))]),
    ("placeholder", "modal", 150, lambda n: [input_block(select([option()], placeholder=plain("p" * n)))]),
    ("button text", "message", 75, lambda n: [actions({**button(), "text": plain("b" * n)})]),
    ("button value", "message", 2000, lambda n: [actions(button(value="v" * n))]),
    ("button url", "message", 3000, lambda n: [actions(button(url="u" * n))]),
    (
        "static_select options",
        "message",
        100,
        lambda n: [actions(select([option(str(i)) for i in range(n)]))],
    ),
    (
        "overflow options",
        "message",
        5,
        lambda n: [actions(select([option(str(i)) for i in range(n)], "overflow"))],
    ),
    ("option text", "message", 75, lambda n: [actions(select([option(text="o" * n)]))]),
    ("option value", "message", 150, lambda n: [actions(select([option(value="v" * n)]))]),
    ("confirm title", "message", 100, lambda n: [actions(button(confirm=confirm(title="t" * n)))]),
    ("confirm text", "message", 300, lambda n: [actions(button(confirm=confirm(text="t" * n)))]),
    ("confirm confirm", "message", 30, lambda n: [actions(button(confirm=confirm(yes="y" * n)))]),
    ("confirm deny", "message", 30, lambda n: [actions(button(confirm=confirm(no="n" * n)))]),
    (
        "checkbox options",
        "modal",
        10,
        lambda n: [input_block(select([option(str(i)) for i in range(n)], "checkboxes"))],
    ),
]


@pytest.mark.parametrize(("name", "surface", "limit", "build"), LIMITS, ids=[case[0] for case in LIMITS])
def test_limit_boundary(name: str, surface: str, limit: int, build: Callable[[int], list[dict[str, Any]]]) -> None:
    assert validate_blocks(build(limit), surface=surface) == []
    problems = validate_blocks(build(limit + 1), surface=surface)
    assert problems, f"{name}: {limit + 1} should be over the limit"


def test_overflow_needs_an_option() -> None:
    assert validate_blocks([actions(select([], "overflow"))], surface="message")


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=3200))
def test_section_text_length(n: int) -> None:
    problems = validate_blocks([section("x" * n)], surface="message")
    assert (problems == []) == (n <= 3000)


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=160))
def test_header_text_any_characters(text: str) -> None:
    problems = validate_blocks([{"type": "header", "text": plain(text)}], surface="modal")
    assert (problems == []) == (len(text) <= 150)


def test_text_object_types() -> None:
    assert validate_blocks([{"type": "header", "text": mrkdwn("h")}], surface="message")
    assert validate_blocks(
        [section(text="x") | {"text": {"type": "mrkdwn", "text": "x", "emoji": True}}], surface="message"
    )
    assert validate_blocks([section() | {"text": {"type": "html", "text": "x"}}], surface="message")
    assert validate_blocks([section("")], surface="message"), "empty text is rejected"
    assert validate_blocks([actions({**button(), "text": mrkdwn("Go")})], surface="message")
    assert validate_blocks([{"type": "section", "text": plain("ok"), "accessory": button()}], surface="home") == []


def test_duplicate_ids() -> None:
    dup_blocks = [{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}]
    assert any("duplicate block_id" in p for p in validate_blocks(dup_blocks, surface="message"))
    # Slack wants action_ids unique within their block; the same id in two blocks is fine.
    dup_actions = [actions(button("x"), button("x"))]
    assert any("duplicate action_id" in p for p in validate_blocks(dup_actions, surface="message"))
    assert validate_blocks([actions(button("x")), actions(button("x"))], surface="message") == []


def test_unknown_block_and_element_types() -> None:
    assert any("unknown block type" in p for p in validate_blocks([{"type": "carousel"}], surface="message"))
    assert validate_blocks([actions({"type": "plain_text_input", "action_id": "t"})], surface="message")
    assert validate_blocks([{"type": "rich_text", "elements": []}], surface="message") == []
    assert validate_blocks("not a list", surface="message")
    with pytest.raises(ValueError):
        validate_blocks([], surface="email")


def test_input_blocks_only_in_modals_or_with_dispatch_action() -> None:
    assert validate_blocks([input_block()], surface="modal") == []
    assert validate_blocks([input_block()], surface="message")
    assert validate_blocks([input_block(dispatch_action=True)], surface="message") == []


def test_initial_option_must_be_an_option() -> None:
    ok = select([option("a"), option("b")], initial_option=option("b"))
    bad = select([option("a")], initial_option=option("z"))
    assert validate_blocks([actions(ok)], surface="message") == []
    assert validate_blocks([actions(bad)], surface="message")


def test_every_listed_element_type_is_accepted_in_a_modal() -> None:
    opts = [option("a")]
    elements = [
        {"type": "plain_text_input", "action_id": "e1", "multiline": True, "max_length": 3000},
        {"type": "static_select", "action_id": "e2", "options": opts},
        {"type": "multi_static_select", "action_id": "e3", "options": opts, "max_selected_items": 2},
        {"type": "datepicker", "action_id": "e4", "initial_date": "2025-01-31"},
        {"type": "timepicker", "action_id": "e5", "initial_time": "09:30"},
        {"type": "checkboxes", "action_id": "e6", "options": opts},
        {"type": "radio_buttons", "action_id": "e7", "options": opts},
        {"type": "users_select", "action_id": "e8"},
        {"type": "multi_users_select", "action_id": "e9"},
        {"type": "conversations_select", "action_id": "e10"},
        {"type": "channels_select", "action_id": "e11"},
    ]
    blocks = [input_block(el) for el in elements]
    blocks.append(section("x", accessory={"type": "image", "image_url": "https://x/y.png", "alt_text": "y"}))
    blocks.append(actions(select(opts, "overflow") | {"action_id": "e12"}))
    assert validate_view(modal(blocks, submit=plain("Save"))) == []
    bad_date = input_block({"type": "datepicker", "action_id": "d", "initial_date": "31.01.2025"})
    assert validate_blocks([bad_date], surface="modal")


def test_view_limits() -> None:
    assert validate_view(modal()) == []
    assert validate_view(modal(title=plain("t" * 24))) == []
    assert validate_view(modal(title=plain("t" * 25)))
    assert validate_view(modal(submit=plain("s" * 24), close=plain("c" * 24))) == []
    assert validate_view(modal(submit=plain("s" * 25)))
    assert validate_view(modal(close=plain("c" * 25)))
    assert validate_view(modal(private_metadata="m" * 3000)) == []
    assert validate_view(modal(private_metadata="m" * 3001))
    assert validate_view(modal(callback_id="c" * 255)) == []
    assert validate_view(modal(callback_id="c" * 256))
    assert validate_view(modal(title=mrkdwn("Tandem")))


def test_view_shape() -> None:
    assert any("submit" in p for p in validate_view(modal([input_block()])))
    assert validate_view(modal([input_block()], submit=plain("Save"))) == []
    assert validate_view({"type": "home", "blocks": [section()]}) == []
    assert validate_view({"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert validate_view({"type": "dialog", "blocks": []})
    assert validate_view({"type": "modal", "title": plain("x")})
    assert validate_view("modal")


def test_validate_call_methods_and_arguments() -> None:
    assert "chat.postMessage" in load_methods() and load_methods() is load_methods()
    assert check_call("chat.nonsense", {})[0] == "unknown_method"
    assert check_call("chat.postMessage", {"text": "hi"})[0] == "channel_not_found"
    assert check_call("users.info", {})[0] == "user_not_found"
    assert validate_call("chat.postMessage", {"channel": "C1", "text": "hi"}) == []
    assert validate_call("auth.test", {}) == [], "token is never a required argument"
    assert check_call("chat.postMessage", {"channel": "C1"})[0] == "no_text"
    assert validate_call("chat.postMessage", {"channel": "C1", "blocks": [section()]}) == []
    assert validate_call("chat.postMessage", {"channel": "C1", "text": "x" * 40000}) == []
    assert check_call("chat.postMessage", {"channel": "C1", "text": "x" * 40001})[0] == "msg_too_long"


def test_validate_call_blocks_and_views() -> None:
    too_many = [{"type": "divider"}] * 51
    code, problems = check_call("chat.postMessage", {"channel": "C1", "blocks": too_many})
    assert code == "invalid_blocks" and problems
    as_string = decode_args({"blocks": '[{"type": "divider"}]', "view": "{}", "text": "[not json"})
    assert as_string == {"blocks": [{"type": "divider"}], "view": {}, "text": "[not json"}
    assert validate_call("chat.update", {"channel": "C1", "ts": "1.2", "blocks": '[{"type": "divider"}]'}) == []
    assert check_call("chat.update", {"channel": "C1", "ts": "1.2", "blocks": "[oops"})[0] == "invalid_blocks_format"
    assert validate_call("views.open", {"trigger_id": "t", "view": modal()}) == []
    assert check_call("views.open", {"trigger_id": "t", "view": modal(title=plain("t" * 25))})[0] == (
        "invalid_arguments"
    )
    assert check_call("views.publish", {"user_id": "U1", "view": modal()})[0] == "invalid_arguments"
    assert validate_call("views.publish", {"user_id": "U1", "view": {"type": "home", "blocks": []}}) == []
    meta = {"event_type": "pair_created", "event_payload": {"pair": 1}}
    assert validate_call("chat.postMessage", {"channel": "C1", "text": "x", "metadata": meta}) == []
    assert check_call("chat.postMessage", {"channel": "C1", "text": "x", "metadata": {"x": 1}})[0] == (
        "invalid_metadata_format"
    )


def test_custom_method_table() -> None:
    table = {"x.y": {"http": "POST", "required": ["token", "thing"], "optional": [], "python": "x_y"}}
    assert validate_call("x.y", {"thing": 1}, table) == []
    assert validate_call("x.y", {}, table)
    assert validate_call("chat.postMessage", {"channel": "C", "text": "t"}, table)
