"""Structured logs: JSON lines with the workspace (and outbox message) a line is about, never message content."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select

from bot import logs
from bot.config import ConfigError, load_settings
from bot.models import Workspace
from bot.sandbox.stack import LocalStack
from bot.services import outbox
from tests.helpers import persona


def test_log_lines_are_json_with_ids_and_no_content(stack: LocalStack) -> None:
    stream = io.StringIO()
    out = logs.handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(out)
    root.setLevel(logging.INFO)
    try:
        ana = persona(stack, "Ana")
        first = ana.open_home()
        stack.settle()
        stack.sandbox.redeliver(first.payload)  # logged: acknowledged, not handled again
        ana.send_dm("My secret plan for the <!channel> takeover")
        stack.settle()
        with stack.session_factory() as s:  # a message to a channel Slack doesn't know: parked at once
            workspace = s.scalars(select(Workspace)).one()
            outbox.post(
                s,
                workspace_id=workspace.id,
                channel="C0NOSUCH",
                message={"text": "My secret plan, again"},
                now=stack.clock.now(),
                dedupe_key="logs-test",
                about=outbox.NOBODY,
            )
            s.commit()
        stack.settle()
        with logs.ids(team_id="T1", program_id=7):
            logging.getLogger("tandem.test").warning("program %s looked at", 7)
    finally:
        root.removeHandler(out)
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message", "team_id"} <= set(line) for line in lines)
    duplicate = [line for line in lines if "already handled" in line["message"]]
    assert duplicate and duplicate[0]["team_id"] == stack.sandbox.team_id
    parked = [line for line in lines if "parked" in line["message"]]
    assert parked and parked[0]["outbox_id"] is not None and parked[0]["team_id"] == stack.sandbox.team_id
    assert {k: lines[-1][k] for k in ("team_id", "program_id")} == {"team_id": "T1", "program_id": 7}
    assert "secret plan" not in stream.getvalue()


def test_the_log_format_is_json_or_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError):
        load_settings()
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "TEXT")
    assert load_settings().log_format == "text"
