"""Structured logs: one JSON object a line (``python-json-logger``) with the workspace and, where known, the
program and outbox message a line is about; never what a person wrote, at any level.

What people wrote stays out of the logs, at ``TANDEM_LOG_LEVEL=DEBUG`` too:

- Tandem's own log calls carry ids, kinds, counts and error codes only (never a payload, a text or a name), and the
  database engines hide statement parameters (``bot.db``).
- Slack's libraries log request and response bodies, events and payloads at DEBUG (Bolt's "Responding with ...
  body", slack_sdk's "Sending a request ... body"): a note listing, red notes included, a pulse answer, a modal's
  text. Their loggers, and every logger Tandem hands them (``guarded``: Bolt's app and OAuth loggers, the
  WebClients' logger, all under ``tandem.slack``), never log below INFO whatever the level, so those records are
  never made; and ``Withhold`` (on the loggers handed over, which Bolt copies to its own, and on Tandem's handler)
  drops any DEBUG record of theirs that gets made anyway and cuts what follows a body, payload or event marker out
  of the rest.

Tokens never reach a log line: Tandem's own log calls never carry one, and as a second line of defence every line
is redacted before it is written (``Redact``): Slack tokens by their shape (``xoxb-``, ``xoxp-``, ``xapp-``, ...)
and the configured secrets (signing secret, client secret, the database password) by their value.

The ids come from context variables set where a request or job starts (``bot.handlers.middleware``, the outbox
worker), so every log line inside it carries them without passing them around."""

from __future__ import annotations

import logging
import re
import traceback
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
# Loggers whose records may carry what people wrote (Slack's libraries, and the loggers Tandem hands them)
LIBRARIES = ("slack_sdk", "slack_bolt", "slack", "tandem.slack")
WITHHELD = "[withheld]"
# what follows one of these in a library's message is a body: a request, a response, an event, a payload
BODY = re.compile(
    r"(?i)\b(body|body_params|json_body|query_params|files|payload|event|response|request|submission|values?)"
    r"(\s*[:=]\s*|\s*\(|\s+)(?=[\"'{\[(])"
)
# ... and what follows an error's text in one (Bolt: "Failed to run listener function (error: <the exception>)")
ERROR_TEXT = re.compile(r"(?i)\b(error|exception)(\s*[:=]\s*)")
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


def _is_library(name: str) -> bool:
    return any(name == lib or name.startswith(lib + ".") or name.startswith(lib + ":") for lib in LIBRARIES)


class Withhold(logging.Filter):
    """Records of Slack's libraries (and of the loggers Tandem hands them): DEBUG ones are dropped (bodies, events,
    payloads); in the others everything after a body marker (``body: "..."``, ``event: {...}``, ``(request {...})``)
    becomes ``[withheld]``, and so does an exception's message. Tandem's own records pass untouched here."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _is_library(record.name):
            return True
        if record.levelno < logging.INFO:
            return False
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        found = BODY.search(message) or ERROR_TEXT.search(message)
        if found is not None:
            record.msg, record.args = message[: found.end(2)] + WITHHELD, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text, record.exc_info = untraced(record.exc_info[1]), None
        record.stack_info = None
        return True


CAUSE = "The above exception was the direct cause of the following exception:"
CONTEXT = "During handling of the above exception, another exception occurred:"


def untraced(error: BaseException) -> str:
    """A traceback without the exceptions' messages: where it failed (files, lines, code) and the exception types,
    never the values an exception may carry (a database error's failing row, a value that did not parse)."""
    chain: list[tuple[traceback.TracebackException, str | None]] = []  # newest first, with its link to the older
    current: traceback.TracebackException | None = traceback.TracebackException.from_exception(error)
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__cause__ is not None:
            older, link = current.__cause__, CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            older, link = current.__context__, CONTEXT
        else:
            older, link = None, None
        chain.append((current, link))
        current = older
    lines: list[str] = []
    for exc, link in reversed(chain):  # oldest first, as Python prints them
        if link is not None:
            lines += ["", link, ""]
        if exc.stack:
            lines.append("Traceback (most recent call last):")
            lines += "".join(exc.stack.format()).rstrip("\n").splitlines()
        kind = exc.exc_type
        name = f"{kind.__module__}.{kind.__qualname__}" if kind is not None else "Exception"
        lines.append(f"{name.removeprefix('builtins.')}: {WITHHELD}")
    return "\n".join(lines)


def guarded(name: str) -> logging.Logger:
    """A logger to hand to Slack's libraries (Bolt's ``logger=``, a WebClient's ``logger=``): under ``tandem.slack``,
    never below INFO, with ``Withhold``. Bolt copies a logger's level and filters to the loggers it derives per request
    and listener (named after the App: ``bot.app.APP_NAME``, also under ``tandem.slack``), so its own level is set
    too: a derived logger would otherwise take the root's DEBUG."""
    logger = logging.getLogger(f"tandem.slack.{name}")
    _quiet()
    if logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
    if not any(isinstance(f, Withhold) for f in logger.filters):
        logger.addFilter(Withhold())
    return logger


def _quiet() -> None:
    """The libraries' loggers never log below INFO, whatever the root's level."""
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # NOTSET or DEBUG: an explicit higher level (WARNING) is kept
            logger.setLevel(logging.INFO)


class RedactingFormatter(logging.Formatter):
    """Another formatter's line, redacted (JSON formatters format the exception themselves); a traceback shows
    where it failed and the exception's type, never its message (``untraced``: the message may hold a value a person
    typed, or a row that failed a constraint)."""

    def __init__(self, inner: logging.Formatter, redact: Redact) -> None:
        super().__init__()
        self.inner = inner
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text, record.exc_info = untraced(record.exc_info[1]), None
        try:
            return self.redact.text(self.inner.format(record))
        finally:
            record.exc_info, record.exc_text = saved


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
    out.addFilter(Withhold())
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
    _quiet()
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(max(logging.INFO, root.level, library.level))
