"""Structured logs: one JSON object a line (``python-json-logger``) with the workspace and, where known, the
program and outbox message a line is about; never message content (Tandem's own log calls carry ids, kinds and
error codes only, and slack_sdk / Bolt are kept at INFO, where they log no bodies).

The ids come from context variables set where a request or job starts (``bot.handlers.middleware``, the outbox
worker), so every log line inside it carries them without passing them around."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

TEAM: ContextVar[str | None] = ContextVar("tandem_team", default=None)
PROGRAM: ContextVar[int | None] = ContextVar("tandem_program", default=None)
MESSAGE: ContextVar[int | None] = ContextVar("tandem_outbox_message", default=None)
FIELDS = ("team_id", "program_id", "outbox_id")


class ContextIds(logging.Filter):
    """Adds ``team_id``, ``program_id`` and ``outbox_id`` (None when unknown) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.team_id = TEAM.get()
        record.program_id = PROGRAM.get()
        record.outbox_id = MESSAGE.get()
        return True


@contextmanager
def ids(*, team_id: str | None = None, program_id: int | None = None, outbox_id: int | None = None) -> Iterator[None]:
    """Log lines inside carry these ids (the ones given; the others stay as they were)."""
    tokens = []
    if team_id is not None:
        tokens.append((TEAM, TEAM.set(team_id)))
    if program_id is not None:
        tokens.append((PROGRAM, PROGRAM.set(program_id)))
    if outbox_id is not None:
        tokens.append((MESSAGE, MESSAGE.set(outbox_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def handler(stream: object | None = None, *, json_lines: bool = True) -> logging.Handler:
    out = logging.StreamHandler(stream)  # type: ignore[arg-type]
    out.addFilter(ContextIds())
    if json_lines:
        out.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{team_id}{program_id}{outbox_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        out.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [team=%(team_id)s]: %(message)s"))
    return out


def setup(level: str, *, json_lines: bool = True) -> None:
    root = logging.getLogger()
    root.handlers[:] = [handler(json_lines=json_lines)]
    root.setLevel(level)
    # At DEBUG, slack_sdk and Bolt log request and response bodies: message content, and which button someone
    # pressed (a private trial answer, a speed-dating "no"). Tandem's own debug logs never carry content.
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
