"""Block Kit input blocks for modals (dicts, checked against Slack's limits by the tests and the sandbox)."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import Block
from bot.domain.text import truncate
from bot.ids import ID

LABEL_MAX = 2000
PLACEHOLDER_MAX = 150
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit)}


def option(label: str, value: str, *, description: str | None = None) -> dict[str, Any]:
    """An option of a select, radio buttons or checkboxes; ``description``: a plain line under it (checkboxes and
    radio buttons only)."""
    out = {"text": _plain(label, OPTION_TEXT_MAX), "value": value[:OPTION_VALUE_MAX]}
    if description:
        out["description"] = _plain(description, OPTION_TEXT_MAX)
    return out


def input_block(
    block_id: ID, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id.value,
        "label": _plain(label, LABEL_MAX),
        "element": {**element, "action_id": block_id.value},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, LABEL_MAX)
    return block


def text_input(
    *,
    max_length: int,
    initial: str | None = None,
    multiline: bool = False,
    placeholder: str | None = None,
) -> dict[str, Any]:
    """A free-text input. Its ``max_length`` is required: Slack then stops people at the limit as they type,
    and the service refuses longer text arriving any other way."""
    if max_length < 1:
        raise ValueError("a text input needs a positive max_length")
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder, PLACEHOLDER_MAX)
    return element


def number_input(
    *,
    initial: int | float | None = None,
    minimum: int | float | None = None,
    maximum: int | float | None = None,
    decimal: bool = False,
) -> dict:
    element: dict[str, Any] = {"type": "number_input", "is_decimal_allowed": decimal}
    if initial is not None:
        element["initial_value"] = str(initial)
    if minimum is not None:
        element["min_value"] = str(minimum)
    if maximum is not None:
        element["max_value"] = str(maximum)
    return element


def date_input(*, initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial:
        element["initial_date"] = initial
    return element


def _within(options: list[dict[str, Any]], chosen: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` options (Slack's most), and the ``chosen`` ones always among them: an initial option must
    be one of the options sent, and one cut away would be lost when the form is submitted."""
    missing = [o for o in chosen if o not in options[:limit]][:limit]
    return options[: limit - len(missing)] + missing


def static_select(
    options: list[dict[str, Any]], *, initial: str | None = None, placeholder: str | None = None
) -> dict[str, Any]:
    chosen = [o for o in options if o["value"] == initial][:1]
    element: dict[str, Any] = {"type": "static_select", "options": _within(options, chosen, 100)}
    if chosen:
        element["initial_option"] = chosen[0]
    if placeholder:
        element["placeholder"] = _plain(placeholder, PLACEHOLDER_MAX)
    return element


def checkboxes(options: list[dict[str, Any]], *, checked: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    initial = [o for o in options if o["value"] in checked][:10]
    element: dict[str, Any] = {"type": "checkboxes", "options": _within(options, initial, 10)}
    if initial:
        element["initial_options"] = initial
    return element


def users_select(*, placeholder: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select"}
    if placeholder:
        element["placeholder"] = _plain(placeholder, PLACEHOLDER_MAX)
    return element


def user_select(*, initial: str | None = None, placeholder: str | None = None) -> dict[str, Any]:
    """One person (``users_select``)."""
    element: dict[str, Any] = {"type": "users_select"}
    if initial:
        element["initial_user"] = initial
    if placeholder:
        element["placeholder"] = _plain(placeholder, PLACEHOLDER_MAX)
    return element


def people_select(
    *, initial: list[str] | tuple[str, ...] = (), max_selected: int | None = None, placeholder: str | None = None
) -> dict[str, Any]:
    """Several people (``multi_users_select``), prefilled."""
    element = users_select(placeholder=placeholder)
    if initial:
        element["initial_users"] = list(initial)
    if max_selected is not None:
        element["max_selected_items"] = max_selected
    return element


def file_input(*, filetypes: list[str], max_files: int = 1) -> dict[str, Any]:
    """An upload field in a modal (``file_input``): the submission carries the uploaded files' objects."""
    return {"type": "file_input", "filetypes": list(filetypes), "max_files": max_files}


def conversation_select(*, placeholder: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if placeholder:
        element["placeholder"] = _plain(placeholder, PLACEHOLDER_MAX)
    return element


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _chosen(option: Any) -> str | None:
    return _text(option.get("value")) if isinstance(option, dict) else None


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """Flatten a submitted view's ``state.values`` to ``{block_id: value}``: text as str, selects as the value,
    multi-selects and checkboxes as lists, dates as ``YYYY-MM-DD``. Whatever does not have the shape Slack sends
    reads as empty (None, or an empty list), never as something else."""
    out: dict[str, Any] = {}
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    for block_id, actions in (values if isinstance(values, dict) else {}).items():
        for element in (actions if isinstance(actions, dict) else {}).values():
            if not isinstance(element, dict):
                continue
            kind = element.get("type")
            if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
                out[block_id] = _text(element.get("value"))
            elif kind in ("static_select", "radio_buttons", "external_select"):
                out[block_id] = _chosen(element.get("selected_option"))
            elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
                options = element.get("selected_options")
                chosen = [_chosen(o) for o in options] if isinstance(options, list) else []
                out[block_id] = [c for c in chosen if c is not None]
            elif kind == "datepicker":
                out[block_id] = _text(element.get("selected_date"))
            elif kind == "multi_users_select":
                out[block_id] = _texts(element.get("selected_users"))
            elif kind == "users_select":
                out[block_id] = _text(element.get("selected_user"))
            elif kind in ("conversations_select", "channels_select"):
                out[block_id] = _text(element.get("selected_conversation")) or _text(element.get("selected_channel"))
            elif kind == "multi_conversations_select":
                out[block_id] = _texts(element.get("selected_conversations"))
            elif kind == "file_input":
                files = element.get("files")
                out[block_id] = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    return out
