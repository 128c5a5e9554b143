"""A DEBUG log reader learns nothing a person wrote: with ``TANDEM_LOG_LEVEL=DEBUG`` (``logs.setup`` as ``tandem
serve`` runs it) every record of every logger is captured while people write notes (red ones too) and list them,
ask what is stored, export their data, answer the interview, and forget themselves; no record and no written line
holds any of their words. Slack's libraries log request and response bodies at DEBUG (Bolt's "Responding with ...
body", slack_sdk's request and response bodies): those records are never made."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot import logs
from bot.ids import ID
from bot.sandbox.interview_driver import InterviewAnswers, answer_interview
from bot.sandbox.stack import LocalStack
from tests.helpers import enroll, privacy_setup

INTERVIEW = {
    "self_description": "zq-log-self-description of mine",
    "department": "zq-log-department",
    "curiosity": "zq-log-curiosity",
    "can_teach_other": "zq-log-can-teach",
    "want_to_learn_other": "zq-log-want-to-learn",
}
NOTES = {  # Ana's, then her partner's
    "#private": "zq-log-private-note",
    "": "zq-log-pair-note",
    "#hosts": "zq-log-hosts-note",
    "#program": "zq-log-program-note",
    "#red": "zq-log-red-note",
}
WORDS = [*NOTES.values(), *INTERVIEW.values(), "zq-log-red-topic", "zq-log-partner-red", "I am Anabel"]


class _Every(logging.Handler):
    """Every record that reaches the root, whatever its logger and level, as the text it carries."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        text += "\n" + (record.exc_text or "") + (record.stack_info or "")
        self.records.append((record.name, record.levelno, text))


@pytest.fixture
def at_debug() -> Iterator[tuple[io.StringIO, _Every]]:
    """``TANDEM_LOG_LEVEL=DEBUG``: logs.setup as the processes run it, writing to a buffer; every record captured."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = [*logs.LIBRARIES, "tandem", "bot", "sqlalchemy", "waitress"]
    levels = {name: logging.getLogger(name).level for name in names}
    stream, every = io.StringIO(), _Every()
    logs.setup("DEBUG")
    root.handlers[:] = [every, logs.handler(stream)]  # the capture first: it sees each record as it was made
    try:
        yield stream, every
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)


def _said(records: list[tuple[str, int, str]], written: str) -> list[str]:
    found = [f"{name}/{lvl}: {word}" for name, lvl, text in records for word in WORDS if word in text]
    return found + [f"written: {word}" for word in WORDS if word in written]


def test_nothing_a_person_wrote_reaches_a_log_line_at_debug(
    stack: LocalStack, at_debug: tuple[io.StringIO, _Every]
) -> None:
    stream, every = at_debug
    assert stack.app.name == "tandem.slack.app"  # the loggers Bolt derives from it are Slack's, guarded (below)
    world = privacy_setup(stack)
    ana, partner = world["ana"], world["partner"]
    # notes of every visibility, a red topic, the partner's red note
    for flag, text in NOTES.items():
        assert ana.slash(f"note {text} {flag}".strip()).ok
    assert ana.slash("note [zq-log-red-topic] under a topic #hosts").ok
    assert ana.slash("notes red zq-log-red-topic").ok
    assert partner.slash("note zq-log-partner-red #red").ok
    stack.settle()
    # the listings, red notes included (Bolt's answer to the command is the listing itself)
    assert ana.slash("notes").ok
    assert partner.slash("notes").ok
    assert "zq-log-partner-red" in json.dumps(partner.ephemeral_messages()[-1])
    assert ana.slash("notes red").ok
    # what is stored, and all of it as files
    assert ana.slash("privacy").ok
    assert ana.slash("export-my-data").ok
    stack.settle()
    assert any(
        NOTES["#red"] in f["content"].decode() for f in stack.sandbox.files.values() if f["name"].endswith(".md")
    )
    # the interview of someone new, every step typed and picked
    zed, _enrollment = enroll(stack, "Zed", "Europe/Berlin", "en-GB")
    answer_interview(stack, zed, InterviewAnswers(**INTERVIEW))  # type: ignore[arg-type]
    assert INTERVIEW["self_description"] in json.dumps(zed.dm_messages())
    # Slack delivers an event again: logged (acknowledged, not handled twice), so the capture sees Tandem's lines
    home = ana.open_home()
    assert stack.sandbox.redeliver(home.payload).ok
    # and forget-me
    assert ana.slash("forget-me").ok
    assert ana.click(ID.PRIVACY_FORGET, message=ana.ephemeral_messages()[-1]).ok
    stack.settle()

    written = stream.getvalue()
    # the scenario was logged (and written), and nowhere is a word of theirs
    assert any("already handled" in text for _, _, text in every.records) and "already handled" in written
    assert _said(every.records, written) == []
    # no record of Slack's libraries below INFO was even made
    assert [(n, lvl) for n, lvl, _ in every.records if logs._is_library(n) and lvl < logging.INFO] == []


def test_a_librarys_body_never_reaches_a_line_even_when_its_logger_is_forced_to_debug() -> None:
    """Someone turns slack_bolt's logger to DEBUG by hand: Tandem's handler still drops its DEBUG records and
    cuts bodies, events and exception messages out of the others."""
    stream = io.StringIO()
    out = logs.handler(stream, json_lines=False)
    bolt = logging.getLogger("slack_bolt.Forced")
    saved = bolt.level, bolt.propagate
    bolt.addHandler(out)
    bolt.propagate = False
    bolt.setLevel(logging.DEBUG)
    try:
        typed = "zq-forced-typed"  # what a person wrote, as it would reach a library
        bolt.debug('Responding with status: 200 body: "%s" (3 millis)', typed)
        bolt.warning("A global middleware (x) skipped calling next() for the request (%s)", {"text": typed})
        try:
            raise ValueError(typed)
        except ValueError as e:
            bolt.exception(f"Failed to run listener function (error: {e})")
    finally:
        bolt.removeHandler(out)
        bolt.setLevel(saved[0])
        bolt.propagate = saved[1]
    written = stream.getvalue()
    assert "zq-forced" not in written
    assert "skipped calling next() for the request ([withheld]" in written
    assert "ValueError: [withheld]" in written and "Traceback (most recent call last):" in written
    assert "Failed to run listener function (error: [withheld]" in written


def test_a_traceback_of_tandems_own_shows_where_never_the_values() -> None:
    stream = io.StringIO()
    out = logs.handler(stream, json_lines=True)
    log = logging.getLogger("tandem.traceback-test")
    log.addHandler(out)
    log.propagate = False
    try:
        typed, note = "zq-typed-by-someone", "zq-a-note"
        try:
            int(typed)
        except ValueError as exc:
            try:
                raise RuntimeError(note) from exc
            except RuntimeError:
                log.exception("a listener failed")
    finally:
        log.removeHandler(out)
        log.propagate = True
    line: dict[str, Any] = json.loads(stream.getvalue())
    assert "zq-" not in stream.getvalue()
    trace = line["exc_info"]
    assert "ValueError: [withheld]" in trace and "RuntimeError: [withheld]" in trace
    assert "direct cause" in trace and "int(" in trace  # where it failed, and how, stay


def test_the_loggers_bolt_derives_per_request_and_listener_are_guarded_too(at_debug: Any) -> None:
    """Bolt gives each request and each listener a logger of its own, named after the App and copying the level and
    filters of the logger it was handed: named "app.py" (the file that built it) and at the root's DEBUG, a listener
    that logged its body would have written what a person typed. The App's name puts them under ``tandem.slack``."""
    from slack_bolt.logger import get_bolt_app_logger

    from bot import app as app_module

    stream, _every = at_debug
    base = logs.guarded("bolt")
    for derived in (
        get_bolt_app_logger(app_module.APP_NAME, base_logger=base),
        get_bolt_app_logger(
            app_module.APP_NAME, cls=test_a_traceback_of_tandems_own_shows_where_never_the_values, base_logger=base
        ),
    ):
        assert derived.getEffectiveLevel() >= logging.INFO and not derived.isEnabledFor(logging.DEBUG)
        derived.debug("request body: %s", {"text": "zq-derived-debug"})
        derived.info("request body: %s", {"text": "zq-derived-info"})
    written = stream.getvalue()
    assert "zq-derived" not in written and "[withheld]" in written
