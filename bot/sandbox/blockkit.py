"""Block Kit and Web API argument validation, as Slack applies it. Pure functions, no I/O but one file read.

``validate_blocks`` / ``validate_view`` / ``validate_call`` return human-readable problems; an empty list
means Slack would accept the payload. The limits are the ones Slack documents for each block, element and
composition object (see the module constants). ``check_call`` also tells which Slack error code a failed
call answers with. The sandbox server and the project's tests (validating a recorded demo) use this module.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

SURFACES = ("message", "modal", "home")
MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40000
MAX_ID = 255  # block_id, action_id, callback_id, external_id

TEXT_TYPES = ("plain_text", "mrkdwn")
SELECTS = ("static_select", "external_select", "users_select", "conversations_select", "channels_select")
MULTI_SELECTS = tuple(f"multi_{s}" for s in SELECTS)
TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
INTERACTIVE = (
    "button",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "checkboxes",
    "radio_buttons",
    *SELECTS,
    *MULTI_SELECTS,
)
ACCESSORY_ELEMENTS = frozenset((*INTERACTIVE, "image"))
ACTIONS_ELEMENTS = frozenset(INTERACTIVE)
INPUT_ELEMENTS = frozenset(
    (
        *TEXT_INPUTS,
        "checkboxes",
        "radio_buttons",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "file_input",
        "rich_text_input",
        *SELECTS,
        *MULTI_SELECTS,
    )
)
LENIENT_BLOCKS = frozenset(("rich_text", "video", "file", "call"))
KNOWN_BLOCKS = frozenset(
    ("section", "header", "divider", "context", "actions", "input", "image", "markdown", *LENIENT_BLOCKS)
)

# Text-bearing arguments of the message methods. ``no_text`` applies when all are missing.
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
JSON_FIELDS = ("blocks", "view", "metadata", "attachments", "files")

# Missing required argument -> the error Slack answers with (otherwise ``invalid_arguments``).
MISSING_ARG_ERRORS = {
    "channel": "channel_not_found",
    "channel_id": "channel_not_found",
    "user": "user_not_found",
    "user_id": "user_not_found",
    "users": "user_not_found",
    "ts": "message_not_found",
    "message_ts": "message_not_found",
    "timestamp": "message_not_found",
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


@lru_cache(maxsize=1)
def load_methods() -> dict[str, dict[str, Any]]:
    """The Web API method table (``slack_methods.json`` beside this module), read once."""
    path = Path(__file__).with_name("slack_methods.json")
    return json.loads(path.read_text(encoding="utf-8"))


class _Checker:
    """Collects problems for one message or view; tracks block_id/action_id uniqueness."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self.problems: list[str] = []
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- primitives ---------------------------------------------------------------------------------
    def string(self, value: Any, path: str, max_len: int, *, required: bool = False, min_len: int = 0) -> None:
        if value is None:
            if required:
                self.add(path, "is required")
            return
        if not isinstance(value, str):
            self.add(path, f"must be a string (got {type(value).__name__})")
            return
        if len(value) > max_len:
            self.add(path, f"must be at most {max_len} characters (got {len(value)})")
        if len(value) < min_len:
            self.add(path, f"must be at least {min_len} characters (got {len(value)})")

    def text(self, obj: Any, path: str, max_len: int, *, required: bool = True, plain_only: bool = False) -> None:
        """A composition text object: ``{"type": "plain_text"|"mrkdwn", "text": str}``."""
        if obj is None:
            if required:
                self.add(path, "is required")
            return
        if not isinstance(obj, dict):
            self.add(path, "must be a text object")
            return
        kind = obj.get("type")
        if kind not in TEXT_TYPES:
            self.add(f"{path}.type", f"must be plain_text or mrkdwn (got {kind!r})")
            return
        if plain_only and kind != "plain_text":
            self.add(f"{path}.type", "must be plain_text")
        if "emoji" in obj and kind != "plain_text":
            self.add(f"{path}.emoji", "is only allowed on plain_text")
        if "verbatim" in obj and kind != "mrkdwn":
            self.add(f"{path}.verbatim", "is only allowed on mrkdwn")
        self.string(obj.get("text"), f"{path}.text", max_len, required=True, min_len=1)

    def block_id(self, value: Any, path: str) -> None:
        if value is None:
            return
        self.string(value, path, MAX_ID, min_len=1)
        if isinstance(value, str):
            if value in self.block_ids:
                self.add(path, f"duplicate block_id {value!r}")
            self.block_ids.add(value)

    def action_id(self, value: Any, path: str) -> None:
        if value is None:
            return
        self.string(value, path, MAX_ID, min_len=1)
        if isinstance(value, str):
            if value in self.action_ids:
                self.add(path, f"duplicate action_id {value!r}")
            self.action_ids.add(value)

    def items(self, value: Any, path: str, *, min_items: int, max_items: int) -> list[Any]:
        if not isinstance(value, list):
            self.add(path, "must be a list")
            return []
        if len(value) < min_items:
            self.add(path, f"must have at least {min_items} item(s) (got {len(value)})")
        if len(value) > max_items:
            self.add(path, f"must have at most {max_items} items (got {len(value)})")
        return value

    # -- composition objects ------------------------------------------------------------------------
    def option(self, opt: Any, path: str, *, plain_only: bool, allow_url: bool = False) -> None:
        if not isinstance(opt, dict):
            self.add(path, "must be an option object")
            return
        self.text(opt.get("text"), f"{path}.text", 75, plain_only=plain_only)
        self.string(opt.get("value"), f"{path}.value", 150, required=True)
        self.text(opt.get("description"), f"{path}.description", 75, required=False, plain_only=plain_only)
        if "url" in opt:
            if allow_url:
                self.string(opt["url"], f"{path}.url", 3000)
            else:
                self.add(f"{path}.url", "is only allowed in overflow menus")

    def options(
        self,
        value: Any,
        path: str,
        *,
        min_items: int,
        max_items: int,
        plain_only: bool,
        allow_url: bool = False,
    ) -> list[Any]:
        opts = self.items(value, path, min_items=min_items, max_items=max_items)
        for i, opt in enumerate(opts):
            self.option(opt, f"{path}[{i}]", plain_only=plain_only, allow_url=allow_url)
        return opts

    def confirm(self, obj: Any, path: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.add(path, "must be a confirmation dialog object")
            return
        self.text(obj.get("title"), f"{path}.title", 100, plain_only=True)
        self.text(obj.get("text"), f"{path}.text", 300)
        self.text(obj.get("confirm"), f"{path}.confirm", 30, plain_only=True)
        self.text(obj.get("deny"), f"{path}.deny", 30, plain_only=True)
        if obj.get("style") not in (None, "primary", "danger"):
            self.add(f"{path}.style", "must be primary or danger")

    # -- elements ---------------------------------------------------------------------------------------
    def element(self, el: Any, path: str, allowed: frozenset[str]) -> None:
        if not isinstance(el, dict):
            self.add(path, "must be an element object")
            return
        kind = el.get("type")
        if kind not in allowed:
            self.add(f"{path}.type", f"element type {kind!r} is not allowed here")
            return
        if kind == "image":
            self.image_fields(el, path)
            return
        self.action_id(el.get("action_id"), f"{path}.action_id")
        self.confirm(el.get("confirm"), f"{path}.confirm")
        if "placeholder" in el:
            self.text(el["placeholder"], f"{path}.placeholder", 150, plain_only=True)
        if kind == "button":
            self.text(el.get("text"), f"{path}.text", 75, plain_only=True)
            self.string(el.get("value"), f"{path}.value", 2000)
            self.string(el.get("url"), f"{path}.url", 3000)
            if el.get("style") not in (None, "primary", "danger"):
                self.add(f"{path}.style", "must be primary or danger")
            self.string(el.get("accessibility_label"), f"{path}.accessibility_label", 75)
        elif kind in ("static_select", "multi_static_select"):
            if "option_groups" in el:
                groups = self.items(el["option_groups"], f"{path}.option_groups", min_items=1, max_items=100)
                for i, group in enumerate(groups):
                    gpath = f"{path}.option_groups[{i}]"
                    if not isinstance(group, dict):
                        self.add(gpath, "must be an option group")
                        continue
                    self.text(group.get("label"), f"{gpath}.label", 75, plain_only=True)
                    self.options(group.get("options"), f"{gpath}.options", min_items=1, max_items=100, plain_only=True)
                if "options" in el:
                    self.add(path, "must not have both options and option_groups")
            else:
                opts = self.options(el.get("options"), f"{path}.options", min_items=1, max_items=100, plain_only=True)
                self.initial_options(el, path, opts)
        elif kind == "overflow":
            self.options(
                el.get("options"),
                f"{path}.options",
                min_items=1,
                max_items=5,
                plain_only=True,
                allow_url=True,
            )
        elif kind in ("checkboxes", "radio_buttons"):
            opts = self.options(el.get("options"), f"{path}.options", min_items=1, max_items=10, plain_only=False)
            self.initial_options(el, path, opts)
        elif kind == "datepicker":
            value = el.get("initial_date")
            if value is not None and not (isinstance(value, str) and _DATE.match(value)):
                self.add(f"{path}.initial_date", "must be YYYY-MM-DD")
        elif kind == "timepicker":
            value = el.get("initial_time")
            if value is not None and not (isinstance(value, str) and _TIME.match(value)):
                self.add(f"{path}.initial_time", "must be HH:mm")
        elif kind == "plain_text_input":
            self.string(el.get("initial_value"), f"{path}.initial_value", 3000)
            max_length = el.get("max_length")
            min_length = el.get("min_length")
            if max_length is not None and not (isinstance(max_length, int) and 1 <= max_length <= 3000):
                self.add(f"{path}.max_length", "must be an integer from 1 to 3000")
            if min_length is not None and not (isinstance(min_length, int) and 0 <= min_length <= 3000):
                self.add(f"{path}.min_length", "must be an integer from 0 to 3000")
        elif kind == "file_input":
            max_files = el.get("max_files")
            if max_files is not None and not (isinstance(max_files, int) and 1 <= max_files <= 10):
                self.add(f"{path}.max_files", "must be an integer from 1 to 10")
            filetypes = el.get("filetypes")
            if filetypes is not None and not (
                isinstance(filetypes, list) and all(isinstance(t, str) and t for t in filetypes)
            ):
                self.add(f"{path}.filetypes", "must be a list of file extensions")
        elif kind == "users_select":
            if "initial_user" in el and not isinstance(el["initial_user"], str):
                self.add(f"{path}.initial_user", "must be a user id")
        elif kind == "multi_users_select":
            initial = el.get("initial_users")
            if initial is not None and not (isinstance(initial, list) and all(isinstance(u, str) for u in initial)):
                self.add(f"{path}.initial_users", "must be a list of user ids")
        if kind in MULTI_SELECTS:
            value = el.get("max_selected_items")
            if value is not None and not (isinstance(value, int) and value >= 1):
                self.add(f"{path}.max_selected_items", "must be a positive integer")

    def initial_options(self, el: dict[str, Any], path: str, opts: list[Any]) -> None:
        values = {o.get("value") for o in opts if isinstance(o, dict)}
        initial = el.get("initial_option")
        if isinstance(initial, dict) and initial.get("value") not in values:
            self.add(f"{path}.initial_option", "must be one of the options")
        initials = el.get("initial_options")
        if isinstance(initials, list):
            for i, opt in enumerate(initials):
                if not isinstance(opt, dict) or opt.get("value") not in values:
                    self.add(f"{path}.initial_options[{i}]", "must be one of the options")

    def image_fields(self, obj: dict[str, Any], path: str) -> None:
        if "slack_file" not in obj:
            self.string(obj.get("image_url"), f"{path}.image_url", 3000, required=True, min_len=1)
        self.string(obj.get("alt_text"), f"{path}.alt_text", 2000, required=True, min_len=1)

    # -- blocks -------------------------------------------------------------------------------------------
    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict):
            self.add(path, "must be a block object")
            return
        kind = block.get("type")
        self.block_id(block.get("block_id"), f"{path}.block_id")
        # Slack: an action_id "should be unique among all other action_ids in the containing block".
        self.action_ids = set()
        if kind not in KNOWN_BLOCKS:
            self.add(f"{path}.type", f"unknown block type {kind!r}")
            return
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.add(path, "section needs text or fields")
            self.text(block.get("text"), f"{path}.text", 3000, required=False)
            if "fields" in block:
                fields = self.items(block["fields"], f"{path}.fields", min_items=1, max_items=10)
                for i, field in enumerate(fields):
                    self.text(field, f"{path}.fields[{i}]", 2000)
            if "accessory" in block:
                self.element(block["accessory"], f"{path}.accessory", ACCESSORY_ELEMENTS)
        elif kind == "header":
            self.text(block.get("text"), f"{path}.text", 150, plain_only=True)
        elif kind == "context":
            elements = self.items(block.get("elements"), f"{path}.elements", min_items=1, max_items=10)
            for i, el in enumerate(elements):
                epath = f"{path}.elements[{i}]"
                if isinstance(el, dict) and el.get("type") == "image":
                    self.image_fields(el, epath)
                else:
                    self.text(el, epath, 3000)
        elif kind == "actions":
            elements = self.items(block.get("elements"), f"{path}.elements", min_items=1, max_items=25)
            for i, el in enumerate(elements):
                self.element(el, f"{path}.elements[{i}]", ACTIONS_ELEMENTS)
        elif kind == "input":
            if self.surface == "message" and not block.get("dispatch_action"):
                self.add(path, "input blocks are only allowed in messages with dispatch_action true")
            self.text(block.get("label"), f"{path}.label", 2000, plain_only=True)
            self.text(block.get("hint"), f"{path}.hint", 2000, required=False, plain_only=True)
            if "element" not in block:
                self.add(f"{path}.element", "is required")
            else:
                self.element(block["element"], f"{path}.element", INPUT_ELEMENTS)
            for flag in ("optional", "dispatch_action"):
                if flag in block and not isinstance(block[flag], bool):
                    self.add(f"{path}.{flag}", "must be a boolean")
        elif kind == "image":
            self.image_fields(block, path)
            self.text(block.get("title"), f"{path}.title", 2000, required=False, plain_only=True)
        elif kind == "markdown":
            self.string(block.get("text"), f"{path}.text", 12000, required=True, min_len=1)
        elif kind == "rich_text" and not isinstance(block.get("elements"), list):
            self.add(f"{path}.elements", "must be a list")

    def blocks(self, blocks: Any, path: str = "blocks") -> None:
        if not isinstance(blocks, list):
            self.add(path, "must be a list of blocks")
            return
        limit = MAX_BLOCKS[self.surface]
        if len(blocks) > limit:
            self.add(path, f"must have at most {limit} blocks on a {self.surface} (got {len(blocks)})")
        for i, block in enumerate(blocks):
            self.block(block, f"{path}[{i}]")


def validate_blocks(blocks: Any, *, surface: str) -> list[str]:
    """Problems Slack would report for ``blocks`` on ``surface`` ("message", "modal" or "home")."""
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {SURFACES}, not {surface!r}")
    checker = _Checker(surface)
    checker.blocks(blocks)
    return checker.problems


def _has_input(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)


def validate_view(view: Any) -> list[str]:
    """Problems Slack would report for a modal or Home tab view object."""
    if not isinstance(view, dict):
        return ["view: must be a view object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view.type: must be modal or home (got {kind!r})"]
    checker = _Checker(kind)
    if kind == "modal":
        checker.text(view.get("title"), "view.title", 24, plain_only=True)
        checker.text(view.get("submit"), "view.submit", 24, required=_has_input(view.get("blocks")), plain_only=True)
        checker.text(view.get("close"), "view.close", 24, required=False, plain_only=True)
    else:
        for key in ("title", "submit", "close"):
            if key in view:
                checker.text(view[key], f"view.{key}", 24, plain_only=True)
    checker.string(view.get("callback_id"), "view.callback_id", MAX_ID)
    checker.string(view.get("external_id"), "view.external_id", MAX_ID)
    checker.string(view.get("private_metadata"), "view.private_metadata", 3000)
    if "blocks" not in view:
        checker.add("view.blocks", "is required")
    else:
        checker.blocks(view["blocks"], "view.blocks")
    return checker.problems


def decode_args(args: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``args`` with JSON-string fields (blocks, view, metadata, ...) decoded where they parse."""
    out = dict(args)
    for key in JSON_FIELDS:
        value = out.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # left a string; the checks report it
                out[key] = json.loads(value)
    return out


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def check_call(
    method: str, args: dict[str, Any], methods: dict[str, dict[str, Any]] | None = None
) -> tuple[str | None, list[str]]:
    """``(slack_error_code, problems)`` for a Web API call; ``(None, [])`` when Slack would accept it."""
    table = load_methods() if methods is None else methods
    spec = table.get(method)
    if spec is None:
        return "unknown_method", [f"{method}: unknown Web API method"]
    args = decode_args(args)
    for name in spec.get("required", []):
        # the token is not an argument; ``app_token`` is slack_sdk's name for apps.connections.open's token (an
        # app-level one, sent as ``Authorization: Bearer``)
        if name not in ("token", "app_token") and not _present(args.get(name)):
            return MISSING_ARG_ERRORS.get(name, "invalid_arguments"), [f"{method}: missing required argument {name!r}"]
    if method in MESSAGE_METHODS:
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            return "invalid_arguments", [f"{method}: text must be a string"]
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            return "msg_too_long", [f"{method}: text must be at most {MAX_MESSAGE_TEXT} characters (got {len(text)})"]
        if not any(_present(args.get(k)) for k in ("text", "blocks", "attachments", "markdown_text")):
            return "no_text", [f"{method}: needs text, blocks or attachments"]
    if "blocks" in args and args["blocks"] is not None and method != "views.publish":
        blocks = args["blocks"]
        if isinstance(blocks, str):
            return "invalid_blocks_format", [f"{method}: blocks must be a JSON array"]
        problems = validate_blocks(blocks, surface="message")
        if problems:
            return "invalid_blocks", problems
    if method in VIEW_METHODS:
        view = args.get("view")
        if isinstance(view, str):
            return "invalid_arguments", [f"{method}: view must be a JSON object"]
        problems = validate_view(view)
        if method == "views.publish" and isinstance(view, dict) and view.get("type") != "home":
            problems.append("view.type: views.publish needs a home view")
        elif method in ("views.open", "views.push") and isinstance(view, dict) and view.get("type") != "modal":
            problems.append(f"view.type: {method} needs a modal view")
        if problems:
            return "invalid_arguments", problems
    metadata = args.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload", {}), dict)
    ):
        return "invalid_metadata_format", [f"{method}: metadata needs event_type (str) and event_payload (object)"]
    return None, []


def validate_call(method: str, args: dict[str, Any], methods: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Problems Slack would report for calling ``method`` with ``args`` (token excluded). Empty = accepted."""
    return check_call(method, args, methods)[1]


def iter_action_elements(blocks: Iterable[Any]) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    """``(block, element)`` for each element with an action_id (accessories, actions, inputs)."""
    for block in blocks or ():
        if not isinstance(block, dict):
            continue
        candidates: list[Any] = []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            candidates.extend(block["elements"])
        if isinstance(block.get("element"), dict):
            candidates.append(block["element"])
        for el in candidates:
            if isinstance(el, dict) and el.get("action_id"):
                yield block, el
