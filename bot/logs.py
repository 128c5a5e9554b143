"""Structured logs: one JSON object a line (``python-json-logger``) with the workspace and, where known, the
program and outbox message a line is about; never message content (Tandem's own log calls carry ids, kinds and
error codes only, and slack_sdk / Bolt are kept at INFO, where they log no bodies).

Tokens never reach a log line: Tandem's own log calls never carry one, and as a second line of defence every line
is redacted before it is written (``Redact``): Slack tokens by their shape (``xoxb-``, ``xoxp-``, ``xapp-``, ...)
and the configured secrets (signing secret, client secret, the database password) by their value.

The ids come from context variables set where a request or job starts (``bot.handlers.middleware``, the outbox
worker), so every log line inside it carries them without passing them around."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

TEAM: ContextVar[str | None] = ContextVar("tandem_team", default=None)
PROGRAM: ContextVar[int | None] = ContextVar("tandem_program", default=None)
MESSAGE: ContextVar[int | None] = ContextVar("tandem_outbox_message", default=None)
FIELDS = ("team_id", "program_id", "outbox_id")

# Slack's token shapes: bot, user, app-level, legacy workspace / refresh / config tokens
TOKEN = re.compile(r"\b(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
_MIN_SECRET = 6  # shorter "secrets" (a test's "x") would redact ordinary words


class Redact(logging.Filter):
    """Replaces Slack tokens and the given secret values in a record's message, arguments, exception and stack
    text by ``[redacted]``; ``RedactingFormatter`` does the same to the finished line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True)

    def text(self, text: str) -> str:
        text = TOKEN.sub(REDACTED, text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the formatter to report
            return True
        clean = self.text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.text(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """Another formatter's line, redacted (JSON formatters format the exception themselves)."""

    def __init__(self, inner: logging.Formatter, redact: Redact) -> None:
        super().__init__()
        self.inner = inner
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact.text(self.inner.format(record))


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


def handler(stream: object | None = None, *, json_lines: bool = True, secrets: Iterable[str] = ()) -> logging.Handler:
    out = logging.StreamHandler(stream)  # type: ignore[arg-type]
    redact = Redact(secrets)
    out.addFilter(ContextIds())
    out.addFilter(redact)
    formatter: logging.Formatter
    if json_lines:
        formatter = JsonFormatter(
            "{asctime}{levelname}{name}{message}{team_id}{program_id}{outbox_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s [team=%(team_id)s]: %(message)s")
    out.setFormatter(RedactingFormatter(formatter, redact))
    return out


def setup(level: str, *, json_lines: bool = True, secrets: Iterable[str] = ()) -> None:
    root = logging.getLogger()
    root.handlers[:] = [handler(json_lines=json_lines, secrets=secrets)]
    root.setLevel(level)
    # At DEBUG, slack_sdk and Bolt log request and response bodies: message content, and which button someone
    # pressed (a private trial answer, a speed-dating "no"). Tandem's own debug logs never carry content.
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
