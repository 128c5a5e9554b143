"""``tandem demo``: a scripted program in the local Slack sandbox, on SQLite and a simulated clock.

It prints a transcript (who got which message, in which language, at what local time), checks every Web API
call Tandem made against Slack's method table and Block Kit limits, and can record the calls as JSON lines.
Each later capability extends the script until it shows the whole program.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.clock import SimulatedClock
from bot.i18n import locale_from_slack
from bot.models import OutboxMessage
from bot.sandbox.blockkit import validate_call
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.sandbox.transcript import local_time, message_lines, view_lines

# Monday 4 January 2027, 08:00 UTC
DEMO_START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)

Printer = Callable[[str], None]


@dataclass
class DemoResult:
    calls: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    invalid: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    outbox: Counter[str] = field(default_factory=Counter)
    record: str | None = None

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.failed_checks

    def summary(self) -> str:
        methods = ", ".join(f"{m} {n}" for m, n in sorted(self.by_method.items()))
        lines = [
            "",
            f"Web API calls: {self.calls} ({methods})",
            f"Valid for Slack (method table, required arguments, Block Kit limits): "
            f"{self.calls - len(self.invalid)} of {self.calls}",
            f"Outbox messages by status: {dict(sorted(self.outbox.items()))}",
        ]
        lines += [f"  INVALID {problem}" for problem in self.invalid]
        lines += [f"  CHECK FAILED {problem}" for problem in self.failed_checks]
        if self.record:
            lines.append(f"Recorded every call to {self.record}")
        lines.append("demo: OK" if self.ok else "demo: FAILED")
        return "\n".join(lines)


class Narrator:
    """Prints each step and what Slack showed whom because of it."""

    def __init__(self, stack: LocalStack, out: Printer | None) -> None:
        self.stack = stack
        self.sandbox = stack.sandbox
        self.out = out or (lambda _line: None)
        self._calls_seen = 0
        self._ephemeral_seen: dict[str, int] = {}
        self._day: str | None = None
        self._views_seen: set[str] = set()

    def _persona_of(self, user_or_channel: str) -> dict[str, Any] | None:
        target = user_or_channel
        if target.startswith("D"):
            members = [
                m
                for m in self.sandbox.conversation(target).get("members", [])
                if m != self.sandbox.bot_user_id
            ]
            target = members[0] if members else target
        if target.startswith(("U", "W")):
            return self.sandbox.user(target)
        return None

    def _header(self, user: dict[str, Any] | None, at: datetime) -> str:
        if user is None:
            return at.strftime("%a %H:%M UTC")
        lang = locale_from_slack(user.get("locale"))
        return f"{lang} · {local_time(at, user['tz'])} {user['tz']}"

    def step(self, text: str) -> None:
        now = self.stack.clock.now()
        day = now.strftime("%A %d %B %Y")
        if day != self._day:
            self._day = day
            self.out(f"\n=== {day} ===")
        self.out(f"\n[{now.strftime('%H:%M')} UTC] {text}")

    def note(self, text: str) -> None:
        self.out(f"    ({text})")

    def flush(self) -> None:
        """Print what became visible since the last flush."""
        calls = self.sandbox.calls[self._calls_seen :]
        self._calls_seen += len(calls)
        for call in calls:
            method, args = call["method"], call["args"]
            at = datetime.fromisoformat(call["at"])
            if not call["ok"]:
                self.out(f"  Slack answered {method}: {call.get('status')} {call['error']}")
                continue
            if method == "chat.postMessage":
                channel = str(args.get("channel", ""))
                user = self._persona_of(channel)
                where = f"DM to {user['real_name']}" if user else f"#{self.sandbox.channel_name(channel)}"
                self._show(f"Tandem → {where}", self._header(user, at), message_lines(args))
            elif method == "views.publish":
                user = self.sandbox.user(str(args["user_id"]))
                home = self.sandbox.home_view(user["id"])
                if home:
                    self._views_seen.add(home["id"])
                self._show(
                    f"Tandem → {user['real_name']}: App Home",
                    self._header(user, at),
                    view_lines(args["view"]),
                )
            elif method in ("views.open", "views.push", "views.update"):
                owner = self._view_owner(call)
                user = self.sandbox.user(owner) if owner else None
                who = user["real_name"] if user else "someone"
                self._show(f"Tandem → {who}: modal", self._header(user, at), view_lines(args["view"]))
        for user_id in list(self.sandbox._users):  # every persona's ephemeral answers, in order
            seen = self._ephemeral_seen.get(user_id, 0)
            messages = self.sandbox.ephemeral_messages(user_id)
            for message in messages[seen:]:
                user = self.sandbox.user(user_id)
                self._show(
                    f"Tandem → {user['real_name']} (only visible to them)",
                    self._header(user, self.stack.clock.now()),
                    message_lines(message),
                )
            self._ephemeral_seen[user_id] = len(messages)

    def _view_owner(self, call: dict[str, Any]) -> str | None:
        """The person a modal call showed a view to: the oldest view not narrated yet."""
        for view_id in self.sandbox.views:
            if view_id not in self._views_seen:
                self._views_seen.add(view_id)
                return self.sandbox.view_owner(view_id)
        return None

    def _show(self, title: str, header: str, lines: list[str]) -> None:
        self.out(f"  {title}  [{header}]")
        for line in lines:
            self.out(f"    | {line}" if line else "    |")


def run_demo(
    *, database_url: str | None = None, record: str | None = None, out: Printer | None = print
) -> DemoResult:
    """Run the scripted demo and return what it measured."""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if database_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="tandem-demo-")
        database_url = f"sqlite:///{Path(tmp.name) / 'demo.sqlite3'}"
    result = DemoResult()
    clock = SimulatedClock(DEMO_START)
    try:
        with LocalStack(database_url, clock=clock) as stack:
            _script(stack, Narrator(stack, out), result)
            with stack.session_factory() as session:
                by_status = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                result.outbox = Counter({status: n for status, n in session.execute(by_status)})
            _expect(result, not result.outbox.get("parked"), "no message was parked")
            _expect(result, not result.outbox.get("pending"), "every queued message was sent")
            calls = stack.sandbox.calls
            result.calls = len(calls)
            result.by_method = Counter(c["method"] for c in calls)
            for i, call in enumerate(calls, 1):
                for problem in validate_call(call["method"], call["args"]):
                    result.invalid.append(f"call {i} {call['method']}: {problem}")
            if record:
                Path(record).parent.mkdir(parents=True, exist_ok=True)
                stack.sandbox.write_record(record)
                result.record = record
    finally:
        if tmp is not None:
            tmp.cleanup()
    return result


def _expect(result: DemoResult, condition: bool, what: str) -> None:
    if not condition:
        result.failed_checks.append(what)


def _script(stack: LocalStack, say: Narrator, result: DemoResult) -> None:
    sb = stack.sandbox
    people: dict[str, Persona] = {}
    for key, real, tz, locale, admin in (
        ("hanna", "Hanna Berger", "Europe/Berlin", "de-DE", True),
        ("ana", "Ana Weber", "Europe/Berlin", "de-DE", False),
        ("ben", "Ben Carter", "America/New_York", "en-US", False),
        ("joana", "Joana Silva", "Europe/Lisbon", "pt-PT", False),
        ("wei", "Wei Lim", "Asia/Singapore", "en-GB", False),
    ):
        people[key] = sb.persona(
            sb.add_user(real.split()[0], real_name=real, tz=tz, locale=locale, is_admin=admin)
        )
    say.out("Tandem demo: a local Slack workspace (the sandbox), SQLite, and a simulated clock.")
    say.out(
        "People: " + "; ".join(f"{p.real_name} ({p.tz}, Slack language {p.locale})" for p in people.values())
    )

    ana, ben, joana, wei, hanna = (people[k] for k in ("ana", "ben", "joana", "wei", "hanna"))

    say.step("Ana opens Tandem's Home tab for the first time.")
    ana.open_home()
    say.flush()
    say.note("the welcome DM was written to the outbox in the same transaction; the worker sends it")
    stack.settle()
    say.flush()
    _expect(
        result,
        any("Hallo" in (m.get("text") or "") for m in ana.dm_messages()),
        "Ana got a German welcome DM",
    )

    stack.advance(timedelta(minutes=42))
    say.step("Ben, in New York, types `/tandem help`.")
    ben.slash("help")
    stack.settle()
    say.flush()
    _expect(
        result, any("Commands" in json.dumps(m) for m in ben.ephemeral_messages()), "Ben got English help"
    )

    stack.advance(timedelta(minutes=5))
    say.step("Ana presses “So funktioniert Tandem” on her Home tab.")
    home = ana.home()
    assert home is not None
    ana.click("home.help", view_id=home["id"])
    say.flush()
    _expect(result, bool(ana.open_views()), "Ana's help modal opened")

    stack.advance(timedelta(hours=3))
    say.step(
        "Joana, in Lisbon (Slack in Portuguese, so Tandem answers in English), "
        "tries `/tandem feedback <!channel>`."
    )
    joana.slash("feedback <!channel>")
    stack.settle()
    say.flush()
    _expect(
        result,
        all("<!channel>" not in json.dumps(m) for m in joana.ephemeral_messages()),
        "Joana's text was escaped, not a mass mention",
    )

    stack.advance(timedelta(hours=1))
    say.step("Wei, in Singapore, writes Tandem a DM. Slack is busy: the next chat.postMessage gets HTTP 429.")
    sb.inject("chat.postMessage", status=429, times=1, retry_after=30)
    wei.send_dm("Hi Tandem, what is this?")
    stack.settle()
    say.flush()
    say.note("the worker leaves the message queued until Retry-After (30 s) has passed")
    stack.advance(timedelta(minutes=1))
    say.flush()
    replies = [m for m in wei.dm_messages() if m.get("user") == sb.bot_user_id]
    _expect(result, len(replies) == 2, "Wei got the welcome and exactly one reply despite the 429")

    stack.advance(timedelta(minutes=30))
    say.step("Hanna creates a private channel #tandem-hosts and adds Tandem.")
    channel = sb.create_channel("tandem-hosts", is_private=True, members=[hanna.id], creator=hanna.id)
    sb.invite(channel, sb.bot_user_id, inviter=hanna.id)
    stack.settle()
    say.flush()
    _expect(
        result,
        any("Hallo" in (m.get("text") or "") for m in sb.messages(channel)),
        "Tandem introduced itself in German to Hanna's channel",
    )

    clock = stack.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(timedelta(minutes=1))
    say.step("The clock ticks twice within the same minute (say, a restarted clock process).")
    first, second = stack.tick(), stack.tick()
    say.note(f"first tick did {first}; the second found the minute done: {second}")
    _expect(result, first is not None and second is None, "a second tick in the same minute changed nothing")
    stack.worker.drain()
