"""Readable text for what Slack would show: Block Kit flattened to lines, times in a person's zone."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

_ENTITY = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}


def unescape(text: str) -> str:
    return re.sub(r"&(lt|gt|amp);", lambda m: _ENTITY[m.group(0)], text)


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return unescape(str(obj.get("text", "")))
    return ""


def block_lines(blocks: list[dict[str, Any]] | str | None) -> list[str]:
    """One or more lines per block, roughly as Slack renders them."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"## {_text(block.get('text'))}")
        elif kind == "section":
            if block.get("text"):
                lines.extend(_text(block["text"]).splitlines())
            for field in block.get("fields") or []:
                lines.append(_text(field))
            accessory = block.get("accessory")
            if isinstance(accessory, dict) and accessory.get("type") == "button":
                lines.append(f"[{_text(accessory.get('text'))}]")
        elif kind == "context":
            lines.append(" · ".join(_text(e) for e in block.get("elements", []) if e.get("type") != "image"))
        elif kind == "actions":
            labels = []
            for element in block.get("elements", []):
                label = _text(element.get("text")) or _text(element.get("placeholder")) or element.get("type")
                labels.append(f"[{label}]")
            lines.append(" ".join(labels))
        elif kind == "input":
            lines.append(f"{_text(block.get('label'))}: ____")
        elif kind == "divider":
            lines.append("---")
    return lines


def message_lines(args: dict[str, Any]) -> list[str]:
    lines = block_lines(args.get("blocks"))
    return lines or [unescape(str(args.get("text", "")))]


def view_lines(view: dict[str, Any] | str) -> list[str]:
    if isinstance(view, str):
        view = json.loads(view)
    title = _text(view.get("title"))
    head = [f"## {title}"] if title else []
    return head + block_lines(view.get("blocks"))


def local_time(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")
