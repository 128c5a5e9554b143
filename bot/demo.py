"""``tandem demo``: a scripted program in the local Slack sandbox, on SQLite and a simulated clock.

It writes a transcript (who got which message, in which language, at what local time) and, as each chapter ends,
one line of progress (what happened, how many messages Tandem sent, in which languages, how long it took); it
checks every Web API call Tandem made against Slack's method table and Block Kit limits, and can record the calls
as JSON lines. Each later capability extends the script until it shows the whole program.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.clock import SimulatedClock
from bot.db import memory_dir
from bot.i18n import locale_from_slack
from bot.models import OutboxMessage
from bot.sandbox.blockkit import validate_call
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.sandbox.transcript import local_time, message_lines, view_lines

# Monday 4 January 2027, 08:00 UTC
DEMO_START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)

Printer = Callable[[str], None]
MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
CHAPTERS = 8
# The Web API calls that show people something: a message, an App Home, a modal, a file
SHOWING = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "chat.scheduleMessage",
        "views.publish",
        "views.open",
        "views.push",
        "views.update",
        "files.completeUploadExternal",
    }
)
GROUPS = "groups"  # the messages to channels and group DMs, which have no one reader's language


@dataclass
class DemoResult:
    calls: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    invalid: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    outbox: Counter[str] = field(default_factory=Counter)
    checks: int = 0  # scripted checks made (``_expect``), failed or not
    record: str | None = None
    report: str | None = None  # the HTML report's index.html
    kpis: dict[str, Any] = field(default_factory=dict)  # Pilot 2027's KPIs at the end (bot.domain.impact.Kpis)

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
        if self.report:
            lines.append(f"Wrote the HTML report to {self.report}")
        lines.append("demo: OK" if self.ok else "demo: FAILED")
        return "\n".join(lines)

    def brief(self, transcript: str | None) -> str:
        """The end of ``tandem demo``'s short output: the checks it made, where the rest is, ``demo: OK``."""
        scripted = f"{self.checks - len(self.failed_checks)} of {self.checks} passed"
        outbox = ", ".join(f"{n} {status}" for status, n in sorted(self.outbox.items())) or "empty"
        lines = [
            "",
            f"Checks: {scripted} (who saw what, in which language, when; what was stored)",
            f"  {self.calls - len(self.invalid)} of {self.calls} Web API calls valid for Slack"
            " (methods, arguments, Block Kit limits)",
            f"  Outbox: {outbox} (nothing may stay parked or pending)",
        ]
        if self.kpis:
            k = self.kpis
            lines.append(
                f"  KPIs at the end: {k.get('invited')} invited, {k.get('onboarded')} onboarded,"
                f" {k.get('pairs')} pairs, {k.get('answered')} of {k.get('prompts')} prompts answered"
            )
        lines += [f"  INVALID {problem}" for problem in self.invalid]
        lines += [f"  CHECK FAILED {problem}" for problem in self.failed_checks]
        if transcript:
            lines.append(f"Transcript: {transcript}")
        if self.record:
            lines.append(f"Recorded calls: {self.record}")
        if self.report:
            lines.append(f"HTML report: {self.report}")
        lines.append("demo: OK" if self.ok else "demo: FAILED")
        return "\n".join(lines)


def chapter_line(number: int, what: str, messages: Counter[str], seconds: float, *, ok: bool = True) -> str:
    """A chapter's line of progress: ``✓ 2/8 what happened · 143 messages (en 81, de 55, groups 7) · 4.1 s``;
    ``messages`` counts them by the reader's language (``GROUPS``: to channels and group DMs)."""
    by = [f"{lang} {n}" for lang, n in messages.most_common() if lang != GROUPS]
    if messages.get(GROUPS):
        by.append(f"{GROUPS} {messages[GROUPS]}")
    counts = f"{sum(messages.values())} messages" + (f" ({', '.join(by)})" if by else "")
    return f"{'✓' if ok else '✗'} {number}/{CHAPTERS} {what} · {counts} · {seconds:.1f} s"


@dataclass
class _Chapter:
    number: int
    what: list[str]
    started: float  # time.monotonic()
    first_call: int  # the chapter's calls and response_url posts start at these indexes
    first_response: int
    failed_before: int


class Narrator:
    """Prints each step and what Slack showed whom because of it."""

    def __init__(
        self, stack: LocalStack, out: Printer | None, progress: Printer | None = None, result: DemoResult | None = None
    ) -> None:
        self.stack = stack
        self.sandbox = stack.sandbox
        self.out = out or (lambda _line: None)
        self.progress = progress or (lambda _line: None)  # the headline and one line per chapter
        self.result = result or DemoResult()
        self._chapter: _Chapter | None = None
        self._acks_counted: set[str] = set()  # the ts of each slash command's answer counted in a chapter
        self._calls_seen = 0
        self._ephemeral_seen: dict[str, int] = {}
        self._day: str | None = None
        self._views_seen: set[str] = set()
        self.brief: set[str] = set()  # people whose messages are shown as one line each
        self.follow: set[str] | None = None  # when set: only these group DMs are shown, the others are counted
        self.unshown = 0

    def _persona_of(self, user_or_channel: str) -> dict[str, Any] | None:
        target = user_or_channel
        if target.startswith("D"):
            members = [m for m in self.sandbox.conversation(target).get("members", []) if m != self.sandbox.bot_user_id]
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

    def headline(self, text: str) -> None:
        """A line for the transcript and the progress both."""
        self.out(text)
        self.progress(text)

    def chapter(self, number: int, heading: str, what: str) -> None:
        """Chapter ``number`` starts (its heading in the transcript); the one before ends with its line of progress,
        which says ``what`` happened (and any ``fact`` added on the way)."""
        self.end_chapter()
        self.out(f"\n##### Chapter {number}: {heading} #####")
        self._chapter = _Chapter(
            number,
            [what],
            time.monotonic(),
            len(self.sandbox.calls),
            len(self.sandbox.response_url_posts),
            len(self.result.failed_checks),
        )

    def fact(self, text: str) -> None:
        """Something the chapter's line of progress should also say (a count known only as it ran)."""
        if self._chapter is not None:
            self._chapter.what.append(text)

    def end_chapter(self) -> None:
        chapter, self._chapter = self._chapter, None
        if chapter is None:
            return
        messages: Counter[str] = Counter()
        for call in self.sandbox.calls[chapter.first_call :]:
            if call["ok"] and call["method"] in SHOWING:
                messages[self._reader_language(call["method"], call["args"])] += 1
        for post in self.sandbox.response_url_posts[chapter.first_response :]:
            body = post.get("body") or {}
            if post["ok"] and not body.get("delete_original"):
                method = "chat.postMessage" if body.get("response_type") == "in_channel" else "response_url"
                messages[self._reader_language(method, {"channel": post["channel"], "user": post["user"]})] += 1
        for user_id in list(self.sandbox._users):  # and the answers to slash commands, which are no call
            for message in self.sandbox.ephemeral_messages(user_id):
                if message.get("source") == "ack" and message["ts"] not in self._acks_counted:
                    self._acks_counted.add(message["ts"])
                    messages[self._reader_language("response_url", {"user": user_id})] += 1
        ok = len(self.result.failed_checks) == chapter.failed_before
        seconds = time.monotonic() - chapter.started
        self.progress(chapter_line(chapter.number, ", ".join(chapter.what), messages, seconds, ok=ok))

    def _reader_language(self, method: str, args: dict[str, Any]) -> str:
        """The language of the person a call showed something to (their Slack locale, as the transcript prints
        it), or ``GROUPS`` for a channel or a group DM."""
        user: str | None = None
        if method == "views.publish":
            user = str(args.get("user_id"))
        elif method in ("views.open", "views.push"):
            trigger = args.get("trigger_id") or args.get("interactivity_pointer")
            user = self.sandbox._triggers.get(trigger, {}).get("user_id")
        elif method == "views.update":
            user = self.sandbox.view_owner(str(args.get("view_id")))
        elif method in ("chat.postEphemeral", "response_url"):  # shown to one person, wherever
            user = str(args.get("user"))
        else:
            channel = str(args.get("channel_id") or args.get("channel") or "")
            if channel.startswith(("U", "W")):
                user = channel
            elif self.sandbox._convs.get(channel, {}).get("kind") == "im":
                person = self._persona_of(channel)
                user = person["id"] if person else None
        if user is None or user not in self.sandbox._users:
            return GROUPS
        return locale_from_slack(self.sandbox.user(user).get("locale"))

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
                group_dm = self.sandbox._convs.get(channel, {}).get("kind") == "mpim"
                if self.follow is not None and group_dm and channel not in self.follow:
                    self.unshown += 1
                    continue
                user = self._persona_of(channel)
                where = f"DM to {user['real_name']}" if user else f"#{self.sandbox.channel_name(channel)}"
                self._show(f"Tandem → {where}", self._header(user, at), message_lines(args), user)
            elif method == "chat.update":
                user = self._persona_of(str(args.get("channel", "")))
                who = f"{user['real_name']}'s DM" if user else f"#{self.sandbox.channel_name(str(args['channel']))}"
                self._show(
                    f"Tandem updates a message in {who}", self._header(user, at), message_lines(args), user, brief=True
                )
            elif method == "files.completeUploadExternal":
                channel = str(args.get("channel_id") or "")
                user = self._persona_of(channel) if channel else None
                where = f"DM to {user['real_name']}" if user else f"#{self.sandbox.channel_name(channel)}"
                files = args.get("files") or []
                if isinstance(files, str):
                    files = json.loads(files)
                lines = [str(args.get("initial_comment") or "")]
                for item in files:
                    info = self.sandbox.files.get(item.get("id"), {})
                    lines.append(f"[file] {item.get('title') or info.get('name')}")
                    if info.get("alt_txt"):
                        lines.append(f"  (text for screen readers: {info['alt_txt']})")
                self._show(f"Tandem → {where}: {len(files)} file(s)", self._header(user, at), lines, user)
            elif method == "views.publish":
                user = self.sandbox.user(str(args["user_id"]))
                home = self.sandbox.home_view(user["id"])
                if home:
                    self._views_seen.add(home["id"])
                self._show(
                    f"Tandem → {user['real_name']}: App Home", self._header(user, at), view_lines(args["view"]), user
                )
            elif method in ("views.open", "views.push", "views.update"):
                updated = args.get("view_id") if method == "views.update" else None
                owner = self.sandbox.view_owner(str(updated)) if updated else self._view_owner(call)
                user = self.sandbox.user(owner) if owner else None
                who = user["real_name"] if user else "someone"
                self._show(f"Tandem → {who}: modal", self._header(user, at), view_lines(args["view"]), user)
        for user_id in list(self.sandbox._users):  # every persona's ephemeral answers, in order
            seen = self._ephemeral_seen.get(user_id, 0)
            messages = self.sandbox.ephemeral_messages(user_id)
            for message in messages[seen:]:
                user = self.sandbox.user(user_id)
                self._show(
                    f"Tandem → {user['real_name']} (only visible to them)",
                    self._header(user, self.stack.clock.now()),
                    message_lines(message),
                    user,
                )
            self._ephemeral_seen[user_id] = len(messages)

    def skip(self) -> int:
        """Mark everything since the last flush as seen without printing it (background chatter the demo only
        counts); returns how many Slack calls that was."""
        skipped = len(self.sandbox.calls) - self._calls_seen
        self._calls_seen = len(self.sandbox.calls)
        for user_id in list(self.sandbox._users):
            self._ephemeral_seen[user_id] = len(self.sandbox.ephemeral_messages(user_id))
        self._views_seen.update(self.sandbox.views)
        return skipped

    def _view_owner(self, call: dict[str, Any]) -> str | None:
        """The person a modal call showed a view to: the oldest view not narrated yet."""
        for view_id in self.sandbox.view_ids():
            if view_id not in self._views_seen:
                self._views_seen.add(view_id)
                return self.sandbox.view_owner(view_id)
        return None

    def _show(
        self, title: str, header: str, lines: list[str], user: dict[str, Any] | None = None, *, brief: bool = False
    ) -> None:
        lines = [MENTION.sub(lambda m: "@" + self.sandbox.user(m.group(1))["real_name"], line) for line in lines]
        if brief or (user is not None and user["id"] in self.brief):
            first = next((line for line in lines if line.strip() and line != "---"), "")
            self.out(f"  {title}  [{header}]: {first[:90]}{'…' if len(first) > 90 else ''}")
            return
        self.out(f"  {title}  [{header}]")
        for line in lines:
            self.out(f"    | {line}" if line else "    |")


def run_demo(
    *,
    database_url: str | None = None,
    record: str | None = None,
    report: str | None = None,
    out: Printer | None = print,
    progress: Printer | None = None,
) -> DemoResult:
    """Run the scripted demo and return what it measured; ``out`` gets the transcript line by line, ``progress``
    the headline and one line per chapter as it ends. With ``report`` also write the HTML report (a folder with
    ``index.html`` and the chart images) there."""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if database_url is None:
        # a throw-away file: in memory-backed /dev/shm where there is one, so no commit waits for the disk
        tmp = tempfile.TemporaryDirectory(prefix="tandem-demo-", dir=memory_dir())
        database_url = f"sqlite:///{Path(tmp.name) / 'demo.sqlite3'}"
    result = DemoResult()
    clock = SimulatedClock(DEMO_START)
    try:
        with LocalStack(database_url, clock=clock) as stack:
            _script(stack, Narrator(stack, out, progress, result), result)
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
            if report:
                from bot.report import write_report

                result.report = str(write_report(stack, report, host_name="Hanna", title="Tandem demo: Pilot 2027"))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return result


def _expect(result: DemoResult, condition: bool, what: str) -> None:
    result.checks += 1
    if not condition:
        result.failed_checks.append(what)


# (key, real name, time zone, Slack locale, role in the tandem): the Pilot 2027 cohort
COHORT = (
    ("ana", "Ana Weber", "Europe/Berlin", "de-DE", "digital"),
    ("joerg", "Jörg Schmidt", "Europe/Berlin", "de-DE", "context"),
    ("lena", "Lena Fischer", "Europe/Berlin", "de-DE", "digital"),
    ("klaus", "Klaus Wagner", "Europe/Berlin", "de-DE", "context"),
    ("mia", "Mia Becker", "Europe/Berlin", "en-GB", "digital"),
    ("tobias", "Tobias Hoffmann", "Europe/Berlin", "de-DE", "context"),
    ("joana", "Joana Silva", "Europe/Lisbon", "pt-PT", "digital"),
    ("rui", "Rui Costa", "Europe/Lisbon", "pt-PT", "context"),
    ("ines", "Inês Santos", "Europe/Lisbon", "en-GB", "digital"),
    ("miguel", "Miguel Pereira", "Europe/Lisbon", "en-US", "context"),
    ("sofia", "Sofia Almeida", "Europe/Lisbon", "de-DE", "both"),
    ("ben", "Ben Carter", "America/New_York", "en-US", "digital"),
    ("olivia", "Olivia Brown", "America/New_York", "en-US", "context"),
    ("ethan", "Ethan Miller", "America/New_York", "en-US", "digital"),
    ("grace", "Grace Lee", "America/New_York", "en-US", "context"),
    ("noah", "Noah Davis", "America/New_York", "en-US", "digital"),
    ("emma", "Emma Wilson", "America/New_York", "de-DE", "context"),
    ("wei", "Wei Lim", "Asia/Singapore", "en-GB", "digital"),
    ("priya", "Priya Nair", "Asia/Singapore", "en-GB", "context"),
    ("daniel", "Daniel Tan", "Asia/Singapore", "en-GB", "digital"),
    ("mei", "Mei Chen", "Asia/Singapore", "en-GB", "context"),
    ("arjun", "Arjun Rao", "Asia/Singapore", "en-GB", "both"),
    ("huimin", "Hui Min Goh", "Asia/Singapore", "en-GB", "digital"),
    ("kenji", "Kenji Sato", "Asia/Singapore", "en-US", "context"),
)


def _script(stack: LocalStack, say: Narrator, result: DemoResult) -> None:
    sb = stack.sandbox
    people: dict[str, Persona] = {}
    for key, real, tz, locale, admin in (
        ("hanna", "Hanna Berger", "Europe/Berlin", "de-DE", True),
        ("jonas", "Jonas Keller", "Europe/Lisbon", "en-GB", False),
        *((key, real, tz, locale, False) for key, real, tz, locale, _role in COHORT),
    ):
        people[key] = sb.persona(sb.add_user(real.split()[0], real_name=real, tz=tz, locale=locale, is_admin=admin))
    say.headline("Tandem demo: a local Slack workspace (the sandbox), SQLite, and a simulated clock.")
    say.out("Hosts: Hanna Berger (Berlin, German, workspace admin) and Jonas Keller (Lisbon, English).")
    say.headline(f"Cohort: {len(COHORT)} people in Berlin, Lisbon, New York and Singapore, in English and German.")
    say.progress("Per chapter: what happened · messages by the reader's language (groups: channels, group DMs)")
    _chapter_foundation(stack, say, result, people)
    admin_channel = _chapter_pilot(stack, say, result, people)
    _chapter_matching(stack, say, result, people, admin_channel)
    pulses, retros_done = Pulses(), set[str]()
    _chapter_trial(stack, say, result, people, admin_channel, pulses)
    _chapter_weeks(stack, say, result, people, admin_channel, pulses, retros_done)
    _peer_circle_prompts(stack, say, result, people)
    _chapter_end(stack, say, result, people, admin_channel, retros_done)
    _chapter_data_rights(stack, say, result, people)
    _chapter_admin_channel(stack, say, result, people, admin_channel)
    say.end_chapter()


def _chapter_foundation(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]) -> None:
    sb = stack.sandbox
    say.chapter(1, "meeting Tandem", "First contact: Home tab, help, a DM")
    ana, ben, joana, wei = (people[k] for k in ("ana", "ben", "joana", "wei"))

    say.step("Ana opens Tandem's Home tab for the first time, then its Messages tab.")
    ana.open_home()
    ana.open_messages_tab()
    say.flush()
    say.note(
        "Ana is in no program: Tandem asked Slack for her name and language, answered at once and stored nothing "
        "(Slack's history of the DM says it has welcomed her)"
    )
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
    _expect(result, any("Commands" in json.dumps(m) for m in ben.ephemeral_messages()), "Ben got English help")

    stack.advance(timedelta(minutes=5))
    say.step("Ana presses “So funktioniert Tandem” on her Home tab.")
    home = ana.home()
    assert home is not None
    ana.click("home.help", view_id=home["id"])
    say.flush()
    _expect(result, bool(ana.open_views()), "Ana's help modal opened")

    stack.advance(timedelta(hours=3))
    say.step(
        "Joana, in Lisbon (Slack in Portuguese, so Tandem answers in English), tries `/tandem feedback <!channel>`."
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
    say.step("Wei, in Singapore, writes Tandem a DM.")
    wei.send_dm("Hi Tandem, what is this?")
    stack.settle()
    say.flush()
    replies = [m for m in wei.dm_messages() if m.get("user") == sb.bot_user_id]
    _expect(result, len(replies) == 1, "Wei got exactly one reply")
    from bot.services.privacy import traces

    strangers = [p.id for p in (ana, ben, joana, wei)] + [p.real_name for p in (ana, ben, joana, wei)]
    _expect(
        result,
        not traces(stack.engine, strangers),
        "Tandem stored nothing about Ana, Ben, Joana and Wei: they asked, and are in no program",
    )

    clock = stack.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(timedelta(minutes=1))
    say.step("The clock ticks twice within the same minute (say, a restarted clock process).")
    first, second = stack.tick(), stack.tick()
    say.note(f"first tick did {first}; the second found the minute done: {second}")
    _expect(result, first is not None and second is None, "a second tick in the same minute changed nothing")
    stack.worker.drain()


def _dm_from_tandem(stack: LocalStack, persona: Persona) -> list[dict[str, Any]]:
    return [m for m in persona.dm_messages() if m.get("user") == stack.sandbox.bot_user_id]


def _last_with(messages: list[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
    """The newest message that has a button (or other element) with ``action_id``."""
    for message in reversed(messages):
        for block in message.get("blocks") or []:
            if any(el.get("action_id") == action_id for el in block.get("elements") or []):
                return message
    return None


def _advance_to(stack: LocalStack, when: datetime) -> None:
    now = stack.clock.now()
    if when > now:
        stack.advance(when - now)


def _interview(stack: LocalStack, people: dict[str, Persona], key: str, *, join: bool = True, **kw: Any) -> Any:
    """``key`` accepts their invitation (when ``join``) and answers the interview from their scripted profile;
    returns the step they stopped at."""
    from bot.ids import ID
    from bot.sandbox.interview_driver import InterviewAnswers, answer_interview

    roles = {k: role for k, _real, _tz, _locale, role in COHORT}
    persona = people[key]
    invitation = _last_with(_dm_from_tandem(stack, persona), ID.INVITE_JOIN)
    if invitation is not None and join:
        persona.click(ID.INVITE_JOIN, message=invitation)
        stack.settle()
    index = list(roles).index(key)
    teach, learn, teach_other, learn_other = TOPICS[roles[key]][index % 2]
    answers = InterviewAnswers(
        role=roles[key],
        department=DEPARTMENTS[key],
        self_description=ABOUT[roles[key]].format(name=persona.real_name.split()[0]),
        can_teach=teach,
        want_to_learn=learn,
        can_teach_other=teach_other,
        want_to_learn_other=learn_other,
        values=(VALUE_KEYS[index % len(VALUE_KEYS)], VALUE_KEYS[(index * 5 + 3) % len(VALUE_KEYS)]),
        manager=people[PRIVATE_ANSWERS[key]["manager"]].id if "manager" in PRIVATE_ANSWERS.get(key, {}) else None,
        avoid=tuple(people[k].id for k in PRIVATE_ANSWERS.get(key, {}).get("avoid", ())),
    )
    return answer_interview(stack, persona, answers, **kw)


# The interview's two optional, private steps: Wei would rather not be paired with Kenji; Ethan names Olivia as his
# manager. Everyone else skips them.
PRIVATE_ANSWERS: dict[str, dict[str, Any]] = {"wei": {"avoid": ("kenji",)}, "ethan": {"manager": "olivia"}}


def _chapter_pilot(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]) -> str:
    """Returns the admin channel's id."""
    from bot.domain.interview import Step
    from bot.ids import ID
    from bot.models import Enrollment, EnrollmentStatus, Program

    sb = stack.sandbox
    hanna, jonas = people["hanna"], people["jonas"]
    say.brief = {p.id for key, p in people.items() if key not in ("hanna", "jonas", "ana", "miguel")}
    say.chapter(2, "Pilot 2027, set up from the admin channel, and everyone interviewed", "Pilot 2027 set up")
    say.out("(Ana's and Miguel's messages in full; everyone else's as one line each.)")

    _advance_to(stack, DEMO_START.replace(hour=14))
    say.step("Hanna creates a private channel #tandem-hosts with Jonas, adds Tandem and claims it.")
    admin = sb.create_channel("tandem-hosts", is_private=True, members=[hanna.id, jonas.id], creator=hanna.id)
    sb.invite(admin, sb.bot_user_id, inviter=hanna.id)
    hanna.slash("admin setup", channel_id=admin)
    stack.settle()
    say.flush()

    say.step("Hanna runs `/tandem admin new` and fills in the program, first with a trial longer than the program.")
    hanna.slash("admin new", channel_id=admin)
    say.flush()
    view = hanna.open_views()[-1]
    program_values = {
        ID.PROGRAM_NAME.value: "Pilot 2027",
        ID.PROGRAM_FIELDS.value: "Creator skills for leaders\nEnterprise governance for newcomers\nNo-code automation",
        ID.PROGRAM_START.value: "2027-02-01",
        ID.PROGRAM_WEEKS.value: "12",
        ID.PROGRAM_TRIAL.value: "16",
    }
    answer = hanna.submit(view["id"], program_values).json()
    say.note(f"Slack keeps the modal open and shows: {answer.get('errors', {}).get(ID.PROGRAM_TRIAL.value)}")
    _expect(result, answer.get("response_action") == "errors", "the program modal refused a too-long trial")
    hanna.submit(view["id"], {**program_values, ID.PROGRAM_TRIAL.value: "4"})
    stack.settle()
    say.flush()

    say.step(
        "For the works council, Hanna completes the program's “Datenschutzhinweis” and asks for the "
        "“Entwurf Betriebsvereinbarung”: Tandem writes it from the program's settings, in German and English."
    )
    hanna.click(ID.PROGRAM_NOTICE, message=_last_with(sb.messages(admin), ID.PROGRAM_NOTICE))
    hanna.submit(
        hanna.open_views()[-1]["id"],
        {
            ID.NOTICE_CONTROLLER.value: "Muster Maschinenbau GmbH, Werkstraße 1, 70173 Stuttgart",
            ID.NOTICE_CONTACT.value: "datenschutz@muster-maschinenbau.de",
            ID.NOTICE_BASIS.value: "works_agreement",
        },
    )
    stack.settle()
    hanna.click(ID.PROGRAM_WORKS_AGREEMENT, message=_last_with(sb.messages(admin), ID.PROGRAM_WORKS_AGREEMENT))
    stack.settle()
    say.flush()
    drafts = [f["content"].decode() for f in sb.files.values() if "works-agreement" in f["name"]]
    _expect(
        result,
        len(drafts) == 2
        and any("Betriebsvereinbarung zum Reverse-Mentoring-Programm „Pilot 2027“" in d for d in drafts)
        and all("Muster Maschinenbau GmbH" in d for d in drafts),
        "the draft works agreement came to Hanna's DM, in German and English, with the privacy notice's controller",
    )

    cohort_channel_members = [people[k].id for k, *_ in COHORT if k not in ("kenji", "emma", "sofia")]
    jira = sb.add_user("jira", real_name="Jira Cloud", is_bot=True)
    cohort = sb.create_channel("pilot-cohort", members=[*cohort_channel_members, jira], creator=hanna.id)
    stack.advance(timedelta(minutes=5))
    say.step(
        "Hanna presses “Personen einladen” on the program card: everyone in #pilot-cohort, plus Kenji and Emma. "
        "Slack is busy: the next chat.postMessage gets HTTP 429."
    )
    sb.inject("chat.postMessage", status=429, times=1, retry_after=30)
    hanna.click(ID.PROGRAM_INVITE, message=_last_with(sb.messages(admin), ID.PROGRAM_INVITE))
    hanna.submit(
        hanna.open_views()[-1]["id"],
        {ID.INVITE_CHANNEL.value: cohort, ID.INVITE_USERS.value: [people["kenji"].id, people["emma"].id]},
    )
    stack.settle()
    say.flush()
    say.note(
        "the modal only recorded the request; the worker read the channel, skipped the bot, and queued one "
        "invitation per person in their own language; the one Slack refused waits until Retry-After (30 s)"
    )
    stack.advance(timedelta(minutes=1))
    invited = [k for k, *_ in COHORT if k != "sofia"]
    invitations = {
        k: [m for m in _dm_from_tandem(stack, people[k]) if ID.INVITE_JOIN.value in json.dumps(m)] for k in invited
    }
    _expect(
        result,
        all(len(found) == 1 for found in invitations.values()),
        "everyone invited got exactly one invitation despite the 429",
    )
    _expect(
        result,
        all("Muster Maschinenbau GmbH" in json.dumps(found, ensure_ascii=False) for found in invitations.values()),
        "every invitation carries the program's privacy notice",
    )

    stack.advance(timedelta(minutes=5))
    say.step("Hanna opens sign-up; Sofia, in Lisbon, hears about it and types `/tandem join`.")
    hanna.click(ID.PROGRAM_SIGNUP, message=_last_with(sb.messages(admin), ID.PROGRAM_SIGNUP))
    people["sofia"].slash("join")
    stack.settle()
    say.flush()

    def interview(key: str, **kw: Any) -> Step:
        return _interview(stack, people, key, join=key != "sofia", **kw)

    _advance_to(stack, DEMO_START.replace(hour=14, minute=30))
    say.step("New York, 09:30: Ben, Olivia, Ethan and Emma join and answer their interviews.")
    for key in ("ben", "olivia", "ethan", "emma"):
        interview(key)
    say.flush()

    _advance_to(stack, DEMO_START.replace(hour=15))
    say.step("Berlin and Lisbon, late afternoon: Ana answers every step (shown in full); Klaus says “Jetzt nicht”.")
    interview("ana")
    say.flush()
    for key in ("joerg", "lena", "mia", "tobias", "joana", "ines", "sofia"):
        interview(key)
    klaus_invite = _dm_from_tandem(stack, people["klaus"])[-1]
    people["klaus"].click(ID.INVITE_DECLINE, message=klaus_invite)
    stack.settle()
    say.flush()

    stack.advance(timedelta(minutes=20))
    say.step("Miguel, in Lisbon, joins but stops after “About you”: a meeting starts.")
    stopped_at = interview("miguel", stop_after=Step.ABOUT)
    say.flush()
    _expect(result, stopped_at != Step.DONE, "Miguel stopped half way")

    _advance_to(stack, (DEMO_START + timedelta(days=1)).replace(hour=2))
    say.step("Singapore, 10:00 the next morning: Wei, Priya, Daniel, Mei, Arjun, Hui Min and Kenji.")
    for key in ("wei", "priya", "daniel", "mei", "arjun", "huimin", "kenji"):
        interview(key)
    say.flush()

    _advance_to(stack, (DEMO_START + timedelta(days=1)).replace(hour=8, minute=15))
    say.step("09:00 in Berlin: the hosts' daily onboarding digest, one message for the program.")
    say.flush()

    _advance_to(stack, (DEMO_START + timedelta(days=2)).replace(hour=15, minute=45))
    say.step(
        "Two days later: reminders go out in each person's daytime. Miguel continues where he stopped; "
        "Rui answers his invitation; Grace finally finds a moment."
    )
    say.flush()
    _expect(
        result,
        any(
            "your interview for *Pilot 2027* is waiting" in json.dumps(m, ensure_ascii=False)
            for m in _dm_from_tandem(stack, people["miguel"])
        ),
        "Miguel got an interview reminder",
    )
    for key in ("miguel", "rui", "grace"):
        interview(key)
    say.flush()

    _advance_to(stack, (DEMO_START + timedelta(days=7)).replace(hour=9))
    say.step(
        "A week on: Noah got a reminder after 2 days; the last one, due after 5 days, fell on a Saturday, so it"
        " waits for Monday morning in New York. The digests only came on days with news."
    )
    say.flush()

    _org_chart(stack, say, result, people, admin)

    say.step("Hanna lists the programs, and opens her Home tab; Ana looks at hers.")
    hanna.slash("admin programs", channel_id=admin)
    hanna.open_home()
    people["ana"].open_home()
    stack.settle()
    say.flush()

    say.step(
        "Hanna presses “Wirkung” on the program card and adds two metrics: one the hosts report, one each pair"
        " reports; a typo in the baseline is caught on its field first."
    )
    hanna.click(ID.METRICS_OPEN, message=_last_with(hanna.ephemeral_messages(), ID.METRICS_OPEN))
    stack.settle()
    for metric in DEMO_METRICS:
        hanna.click(ID.METRIC_ADD, message=_last_with(hanna.ephemeral_messages(), ID.METRIC_ADD))
        view = hanna.open_views()[-1]
        if metric is DEMO_METRICS[0]:
            typo = hanna.submit(view["id"], {**metric, ID.METRIC_BASELINE.value: "12 Tage"}).json()
            _expect(result, ID.METRIC_BASELINE.value in typo.get("errors", {}), "a bad baseline is refused")
        hanna.submit(view["id"], metric)
        stack.settle()
    say.flush()

    with stack.session_factory() as session:
        program = session.query(Program).one()
        statuses = Counter(e.status for e in session.query(Enrollment).filter_by(program_id=program.id))
    say.note(f"Pilot 2027: {dict(statuses)}")
    say.fact(f"{statuses[EnrollmentStatus.ONBOARDED]} of {len(COHORT)} interviewed")
    _expect(result, sum(statuses.values()) == len(COHORT), f"all {len(COHORT)} people were invited or signed up")
    _expect(result, statuses[EnrollmentStatus.ONBOARDED] == len(COHORT) - 2, "everyone but Klaus and Noah onboarded")
    _expect(result, statuses[EnrollmentStatus.DECLINED] == 1, "Klaus declined")
    _expect(result, statuses[EnrollmentStatus.INVITED] == 1, "Noah never answered")
    noah = _dm_from_tandem(stack, people["noah"])
    _expect(result, len(noah) == 2, "Noah got his invitation and one reminder; the last waits for his Monday")
    klaus = _dm_from_tandem(stack, people["klaus"])
    _expect(result, len(klaus) == 1, "after “Not now”, Klaus got nothing more")
    return admin


def _org_chart(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str) -> None:
    """Hanna imports the org chart HR gave her: Daniel reports to Chen Wu, who is not in the program and reports to
    Jörg, so Daniel and Jörg (skip-level) must never be a tandem. One address has a typo: the modal lists that line
    with its reason and imports nothing; the corrected file replaces it as a whole."""
    from bot.ids import ID
    from bot.models import ReportingLine

    sb = stack.sandbox
    hanna = people["hanna"]
    chen = sb.add_user("Chen", real_name="Chen Wu", tz="Asia/Singapore", locale="en-GB", email="chen.wu@example.org")
    mail = {key: sb.user(p.id)["profile"]["email"] for key, p in people.items()}
    rows = [
        ("Person", "Manager"),
        (mail["daniel"], "chen.wu@example.org"),
        ("chen.wu@example.org", mail["joerg"]),
        (people["mei"].id, people["priya"].id),
    ]
    with_typo = [row if row[0] != "chen.wu@example.org" else ("chen.wu@exmaple.org", row[1]) for row in rows]
    say.step(
        "HR sends Hanna the org chart as a CSV file. She runs `/tandem admin orgchart` and uploads it; one address "
        "has a typo."
    )
    hanna.slash("admin orgchart", channel_id=admin)
    view = hanna.open_views()[-1]
    csv = "\n".join(";".join(row) for row in with_typo).encode()
    hanna.submit(view["id"], {ID.ORGCHART_FILE.value: sb.upload_as(hanna.id, "organigramm.csv", csv)})
    stack.settle()
    say.flush()
    shown = json.dumps(sb.view(view["id"]), ensure_ascii=False)
    with stack.session_factory() as session:
        stored = session.scalars(select(ReportingLine).where(ReportingLine.source == "orgchart")).all()
    _expect(result, "Zeile 3" in shown and not stored, "a bad org-chart line was reported and nothing was imported")
    say.step("She fixes the address and uploads the file again in the same window.")
    csv = "\n".join(";".join(row) for row in rows).encode()
    hanna.submit(view["id"], {ID.ORGCHART_FILE.value: sb.upload_as(hanna.id, "organigramm.csv", csv)})
    stack.settle()
    say.flush()
    with stack.session_factory() as session:
        lines = {
            (r.person_slack_id, r.manager_slack_id)
            for r in session.scalars(select(ReportingLine).where(ReportingLine.source == "orgchart"))
        }
    expected = {(people["daniel"].id, chen), (chen, people["joerg"].id), (people["mei"].id, people["priya"].id)}
    _expect(result, lines == expected, "the corrected org chart was imported whole, e-mail addresses resolved")
    _expect(result, "@" not in json.dumps(sorted(lines)), "the org chart's e-mail addresses were not stored")


def _chapter_matching(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str
) -> None:
    from bot.ids import ID
    from bot.models import Pair, Participant

    sb = stack.sandbox
    hanna = people["hanna"]
    say.chapter(
        3,
        "speed dating, then matching over the whole pool, explained, approved by a host",
        "Speed dating, matching",
    )
    say.out("(Ana's messages in full; everyone else's as one line each.)")
    say.brief = {p.id for key, p in people.items() if key not in ("hanna", "jonas", "ana")}
    stack.advance(timedelta(minutes=30))
    refused, ranked = _chapter_speed_dating(stack, say, result, people, admin)
    say.brief = set()  # show everything, but only Ana's introduction in full
    say.step("Hanna runs `/tandem admin match` in #tandem-hosts.")
    hanna.slash("admin match", channel_id=admin)
    stack.settle()
    say.flush()
    preview = _last_with(sb.messages(admin), ID.MATCH_APPROVE)
    _expect(result, preview is not None, "a matching preview was posted")
    if preview is None:
        return
    summary = json.dumps(preview, ensure_ascii=False)
    _expect(result, "schwächstes" in summary and "Median" in summary, "the preview shows the weakest pair and median")
    lock = next(
        b["accessory"] for b in preview["blocks"] if (b.get("accessory") or {}).get("action_id") == ID.MATCH_LOCK
    )
    say.step("She locks the first pair, runs matching again (the lock holds), and approves.")
    hanna.click(ID.MATCH_LOCK, message=preview, value=lock["value"])
    hanna.click(ID.MATCH_RERUN, message=_last_with(sb.messages(admin), ID.MATCH_RERUN))
    stack.settle()
    say.flush()
    ana, joerg, mia, rui, grace = (people[k] for k in ("ana", "joerg", "mia", "rui", "grace"))
    say.step("Hanna opens “Swap partners” and first tries Ana for Jörg; Tandem explains why not.")
    hanna.click(ID.MATCH_SWAP, message=_last_with(sb.messages(admin), ID.MATCH_SWAP))
    swap_view = hanna.open_views()[-1]
    attempt = hanna.submit(
        swap_view["id"], {ID.MATCH_SWAP_PERSON.value: ana.id, ID.MATCH_SWAP_WITH.value: joerg.id}
    ).json()
    errors = attempt.get("errors") or {}
    say.note(f"Slack keeps the modal open and shows: {' '.join(errors.values())}")
    _expect(result, attempt.get("response_action") == "errors", "a swap that breaks a hard constraint was refused")
    partner = _preview_partner(stack, "daniel", people)
    if partner is not None:
        say.step(
            "Then she tries Jörg in Daniel's place. Matching keeps them apart (the org chart), and Tandem says only "
            "that they can't be paired: never which rule, nor who asked. Every host sees that a swap was refused."
        )
        attempt = hanna.submit(
            swap_view["id"], {ID.MATCH_SWAP_PERSON.value: partner.id, ID.MATCH_SWAP_WITH.value: joerg.id}
        ).json()
        stack.settle()
        errors = attempt.get("errors") or {}
        say.note(f"Slack keeps the modal open and shows: {' '.join(errors.values())}")
        say.flush()
        _expect(
            result,
            any("Tandem sagt nicht, welche oder warum" in e for e in errors.values()),
            "a swap against a private rule was refused in neutral words",
        )
        _expect(
            result,
            any("hat einen Tausch versucht" in m.get("text", "") for m in sb.messages(admin)),
            "every host saw that a swap was refused",
        )
    say.step("She swaps Rui and Grace instead, so that Mia in Berlin learns from Rui in Lisbon, an hour apart.")
    hanna.submit(swap_view["id"], {ID.MATCH_SWAP_PERSON.value: rui.id, ID.MATCH_SWAP_WITH.value: grace.id})
    stack.settle()
    _peer_circle_setup(stack, say, result, hanna, admin)
    say.brief = {p.id for key, p in people.items() if key != "ana"}
    hanna.click(ID.MATCH_APPROVE, message=_last_with(sb.messages(admin), ID.MATCH_APPROVE))
    stack.settle()
    say.flush()
    with stack.session_factory() as session:
        pairs = session.query(Pair).count()
    say.note(f"{pairs} pairs, each introduced in its own group DM with Tandem")
    say.fact(f"{pairs} pairs")
    _expect(result, pairs == (len(COHORT) - 2) // 2, "every onboarded person got a partner")
    with stack.session_factory() as session:
        made = {frozenset((p.participant_a_id, p.participant_b_id)) for p in session.scalars(select(Pair))}
        mutual = sum(any(r.get("key") == "mutual_interest" for r in p.reasons) for p in session.scalars(select(Pair)))
    _expect(result, refused not in made, "Jörg's “no” in speed dating kept that pair apart")
    _expect(result, mutual >= 3, "pairs who both said yes in speed dating were matched, and told why")
    with stack.session_factory() as session:
        ids = {p.slack_user_id: p.id for p in session.scalars(select(Participant))}
    _expect(result, frozenset((ids[mia.id], ids[rui.id])) in made, "Hanna's swap made Mia and Rui a pair")
    _ranked_pair_matched(stack, say, result, ranked)
    kept_apart = {
        "Wei's “please not”": ("wei", "kenji"),
        "Ethan's manager": ("ethan", "olivia"),
        "the org chart's skip-level line": ("daniel", "joerg"),
        "the org chart's direct line": ("mei", "priya"),
    }
    for rule, (a, b) in kept_apart.items():
        _expect(result, frozenset((ids[people[a].id], ids[people[b].id])) not in made, f"matching respected {rule}")

    say.brief = {p.id for key, p in people.items() if key not in ("hanna", "mia", "rui")}
    say.follow = {_pair_dm(stack, mia, rui)}
    say.step("The working agreement arrives after each introduction. Rui proposes a change; Mia accepts it.")
    rui_dm = _pair_dm(stack, mia, rui)
    rui.click(ID.AGREEMENT_PROPOSE, message=_last_with(sb.messages(rui_dm), ID.AGREEMENT_PROPOSE))
    rui.submit(
        rui.open_views()[-1]["id"],
        {
            ID.AGREEMENT_F_REACHABILITY.value: "We answer within 72 hours on workdays; Fridays are meeting-free.",
            ID.AGREEMENT_NOTE.value: "I travel a lot in March; 72 h is more honest for me.",
        },
    )
    stack.settle()
    mia.click(ID.AGREEMENT_ACCEPT, message=_last_with(sb.messages(rui_dm), ID.AGREEMENT_ACCEPT))
    stack.settle()
    say.flush()
    say.step("Everyone else accepts the agreement as it is, in their own time.")
    _accept_agreements(stack, people)
    say.flush()
    _kickoff_kit(stack, say, result, people)


def _preview_partner(stack: LocalStack, key: str, people: dict[str, Persona]) -> Persona | None:
    """Who ``key`` is paired with in the current matching preview (None if unmatched)."""
    from bot.models import MatchProposal, MatchRound, Participant

    with stack.session_factory() as session:
        round_ = session.scalars(select(MatchRound).order_by(MatchRound.id.desc())).first()
        me = session.scalars(select(Participant.id).where(Participant.slack_user_id == people[key].id)).one()
        if round_ is None:
            return None
        for m in session.scalars(select(MatchProposal).where(MatchProposal.round_id == round_.id)):
            if me in (m.participant_a_id, m.participant_b_id) and m.participant_b_id is not None:
                other = m.participant_b_id if m.participant_a_id == me else m.participant_a_id
                slack_id = session.get(Participant, other).slack_user_id  # type: ignore[union-attr]
                return next((p for p in people.values() if p.id == slack_id), None)
    return None


def _chapter_trial(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str, pulses: Pulses
) -> None:
    from bot.ids import ID
    from bot.models import Pair, PairStatus, Participant

    sb = stack.sandbox
    say.chapter(
        4,
        "the trial month: “continue or switch?”, privately; late joiners; a rematch",
        "Trial check-in, a switch, late joiners",
    )
    hanna = people["hanna"]
    key_of = {p.id: key for key, p in people.items()}
    roles = {key: role for key, _real, _tz, _locale, role in COHORT}
    europe = {key for key, _real, tz, _locale, _role in COHORT if not tz.startswith("Asia/")}  # and New York
    with stack.session_factory() as session:
        slack_of = {p.id: p.slack_user_id for p in session.scalars(select(Participant))}
        pairs = list(session.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE).order_by(Pair.id)))
        started = pairs[0].started_at if pairs else stack.clock.now()
        duo = next(
            (
                (key_of[slack_of[p.participant_a_id]], key_of[slack_of[p.participant_b_id]])
                for p in pairs
                if {key_of[slack_of[p.participant_a_id]], key_of[slack_of[p.participant_b_id]]}
                <= europe - {"mia", "rui"}
                and {roles[key_of[slack_of[p.participant_a_id]]], roles[key_of[slack_of[p.participant_b_id]]]}
                == {"digital", "context"}
            ),
            None,
        )
    _expect(result, duo is not None, "a pair on the Atlantic side to follow through the trial")
    if duo is None:
        return
    switcher, stayer = sorted(duo, key=lambda k: roles[k] != "digital")  # the digital partner asks to switch
    names = {k: people[k].real_name.split()[0] for k in duo}
    say.out(f"({names[switcher]}'s and {names[stayer]}'s messages in full; everyone else's as one line each.)")
    say.brief = {p.id for key, p in people.items() if key not in ("hanna", "jonas", switcher, stayer)}

    _advance_to(stack, (started + timedelta(days=5)).replace(hour=15, minute=0))
    noah = _dm_from_tandem(stack, people["noah"])
    _expect(result, len(noah) == 3, "Noah got his last reminder on a Monday morning, then silence")
    say.step("Klaus changes his mind and types `/tandem join`; Noah finally answers his invitation. Both interview.")
    people["klaus"].slash("join")
    stack.settle()
    _interview(stack, people, "klaus", join=False)
    _interview(stack, people, "noah")
    say.flush()
    say.note("late joiners wait for the next matching round; nobody is matched behind the hosts' backs")

    quiet = _pair_dm(stack, people["joana"], people["olivia"])
    say.follow = set()  # the pairs' weekly threads run from 1 February; chapter 5 shows them
    while stack.clock.now() + timedelta(days=7) < started + timedelta(weeks=4, hours=17):
        now = stack.clock.now()
        _advance_to(stack, (now + timedelta(days=7 - now.weekday())).replace(hour=16, minute=0))
        _others_answer(stack, people, skip={quiet})  # everyone keeps up with the weekly prompt, but Joana and Olivia
    _advance_to(stack, started + timedelta(weeks=4, hours=17))
    say.step("Four weeks after the introductions: each partner is asked privately, in their own workday morning.")
    say.flush()
    asked = {k: _last_with(_dm_from_tandem(stack, people[k]), ID.TRIAL_SWITCH) for k in duo}
    _expect(result, all(asked.values()), "both partners were asked “continue or switch?” by DM")
    if not all(asked.values()):
        return
    say.step(f"{names[switcher]} chooses “switch”; {names[stayer]} chooses “continue”. Most others don't answer.")
    people[switcher].click(ID.TRIAL_SWITCH, message=asked[switcher])
    people[stayer].click(ID.TRIAL_CONTINUE, message=asked[stayer])
    for key in ("ana", "ben", "wei"):
        question = _last_with(_dm_from_tandem(stack, people[key]), ID.TRIAL_CONTINUE)
        if question is not None:
            people[key].click(ID.TRIAL_CONTINUE, message=question)
    stack.settle()
    say.flush()

    _advance_to(stack, stack.clock.now() + timedelta(days=6))
    if pulses.new_round(stack):
        say.step(
            "Since Monday the program's first anonymous pulse is open: everyone got it at 09:00 their time, with"
            " exactly what is stored and what is not. Most answer it before it closes on Saturday."
        )
        pulses.everyone(stack, say, people)
    say.step("The question closes. Both hear the same words; the hosts get counts, never who asked.")
    say.flush()
    endings = [
        _dm_from_tandem(stack, people[k])[-1].get("blocks", []) for k in duo if _dm_from_tandem(stack, people[k])
    ]
    with stack.session_factory() as session:
        ended = session.scalars(select(Pair).where(Pair.status == PairStatus.ENDED)).all()
        still = session.scalar(select(func.count()).select_from(Pair).where(Pair.status == PairStatus.ACTIVE))
    _expect(result, len(ended) == 1 and ended[0].end_reason == "switch", "exactly one pair ended after the trial")
    _expect(result, still == len(pairs) - 1, "every other pair continues")
    _expect(
        result,
        len(endings) == 2 and _anonymous(endings[0], names.values()) == _anonymous(endings[1], names.values()),
        "both partners got the same closing words",
    )
    counts = _last_with(sb.messages(admin), ID.MATCH_RUN)
    _expect(
        result,
        counts is not None and not any(people[k].real_name.split()[0] in json.dumps(counts) for k in duo),
        "the hosts' trial summary names nobody",
    )
    if counts is None:
        return

    say.follow = None  # show the new pairs' introductions
    say.step("Hanna presses “Matching starten” on that summary: the two who switched come first, with Klaus and Noah.")
    hanna.click(ID.MATCH_RUN, message=counts)
    stack.settle()
    say.flush()
    hanna.click(ID.MATCH_APPROVE, message=_last_with(sb.messages(admin), ID.MATCH_APPROVE))
    stack.settle()
    say.flush()
    with stack.session_factory() as session:
        active = session.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE)).all()
        partners = {key_of[slack_of[p.participant_a_id]]: key_of[slack_of[p.participant_b_id]] for p in active} | {
            key_of[slack_of[p.participant_b_id]]: key_of[slack_of[p.participant_a_id]] for p in active
        }
    _expect(
        result,
        switcher in partners and stayer in partners and partners[switcher] != stayer,
        "both who switched were rematched, with someone new",
    )
    _expect(result, "klaus" in partners and "noah" in partners, "the late joiners got partners too")
    say.step(f"{names[stayer]} opens the Home tab: a new partner, and no trace of a “failed” tandem.")
    people[stayer].open_home()
    stack.settle()
    say.flush()


def _anonymous(blocks: list[dict[str, Any]], names: Iterable[str]) -> str:
    text = json.dumps(blocks, ensure_ascii=False)
    for name in names:
        text = text.replace(name, "…")
    return text


def _pair_dm(stack: LocalStack, a: Persona, b: Persona) -> str:
    """The group DM Tandem opened for ``a`` and ``b`` ("" if none)."""
    for cid, conv in stack.sandbox._convs.items():
        if conv["kind"] == "mpim" and {a.id, b.id} <= set(conv["members"]):
            return cid
    return ""


def _group_dms(stack: LocalStack) -> list[tuple[str, list[str]]]:
    return [(cid, list(c["members"])) for cid, c in stack.sandbox._convs.items() if c["kind"] == "mpim"]


def _accept_agreements(stack: LocalStack, people: dict[str, Persona]) -> None:
    """Everyone with an agreement waiting for them in a group DM accepts it."""
    from bot.ids import ID

    by_id = {p.id: p for p in people.values()}
    for cid, members in _group_dms(stack):
        for member in members:
            message = _last_with(stack.sandbox.messages(cid), ID.AGREEMENT_ACCEPT)
            if message is not None and member in by_id:
                by_id[member].click(ID.AGREEMENT_ACCEPT, message=message)
    stack.settle()


def _prompt(stack: LocalStack, dm: str) -> dict[str, Any] | None:
    from bot.ids import ID

    return _last_with(stack.sandbox.messages(dm), ID.RHYTHM_ANSWER)


def _reply(stack: LocalStack, who: Persona, dm: str, text: str) -> None:
    prompt = _prompt(stack, dm)
    if prompt is not None:
        who.say(dm, text, thread_ts=prompt["ts"])


def _agree(stack: LocalStack, who: Persona, dm: str, homework: str, step: str) -> None:
    from bot.ids import ID

    prompt = _prompt(stack, dm)
    if prompt is None:
        return
    who.click(ID.RHYTHM_AGREED, message=prompt)
    who.submit(who.open_views()[-1]["id"], {ID.RHYTHM_HOMEWORK.value: homework, ID.RHYTHM_NEXT_STEP.value: step})
    stack.settle()


def _others_answer(stack: LocalStack, people: dict[str, Persona], skip: set[str]) -> None:
    """The pairs the demo does not follow keep going: one partner answers each week's prompt in the thread."""
    by_id = {p.id: p for p in people.values()}
    for cid, members in _group_dms(stack):
        prompt = _prompt(stack, cid)
        if cid in skip or prompt is None or prompt.get("reply_count"):
            continue
        first = next((by_id[m] for m in members if m in by_id), None)
        if first is not None:
            first.say(cid, "Done: tried the method of the week, notes in our doc.", thread_ts=prompt["ts"])


def _cancel_next_week(stack: LocalStack, who: Persona, dm: str) -> None:
    from bot.ids import ID

    prompt = _prompt(stack, dm)
    if prompt is None:
        return
    who.click(ID.RHYTHM_CANCEL, message=prompt)
    view = who.open_views()[-1]
    picker = next(b for b in view["blocks"] if b.get("block_id") == ID.RHYTHM_WEEK)
    who.submit(view["id"], {ID.RHYTHM_WEEK.value: picker["element"]["options"][0]["value"]})  # the next one
    stack.settle()


def _chapter_weeks(
    stack: LocalStack,
    say: Narrator,
    result: DemoResult,
    people: dict[str, Persona],
    admin: str,
    pulses: Pulses,
    retros_done: set[str],
) -> None:
    from bot.ids import ID
    from bot.models import Cancellation, Escalation, Goal, Note, WeekAnswer

    sb = stack.sandbox
    hanna, mia, rui, ana, priya = (people[k] for k in ("hanna", "mia", "rui", "ana", "priya"))
    joana, olivia = people["joana"], people["olivia"]
    berlin_lisbon, berlin_singapore = _pair_dm(stack, mia, rui), _pair_dm(stack, ana, priya)
    quiet = _pair_dm(stack, joana, olivia)
    say.chapter(
        5, "eight weeks in the pairs' threads, across a daylight-saving change", "Eight weeks in the pairs' threads"
    )
    say.out(
        "(Following Mia in Berlin with Rui in Lisbon, and Ana in Berlin with Priya in Singapore; the other pairs'"
        " threads are counted, not shown. Joana and Olivia go quiet.)"
    )
    say.brief = {p.id for key, p in people.items() if key not in ("hanna", "mia", "rui", "ana", "priya")}
    say.follow, say.unshown = {berlin_lisbon, berlin_singapore}, 0
    _expect(result, bool(berlin_lisbon and berlin_singapore), "a Berlin–Lisbon and a Berlin–Singapore pair")
    _accept_agreements(stack, people)  # the rematched pairs' agreements
    say.flush()

    say.step("Mia sets their bold goal from App Home; Ana sets theirs. Notes go in at every visibility.")
    for who, goal, due in (
        (mia, "A pilot channel for our team on a new platform", "2027-04-30"),
        (ana, "A simpler approval process: from 7 steps to 3", "2027-05-31"),
    ):
        who.open_home()
        who.click(ID.GOAL_OPEN)
        who.submit(who.open_views()[-1]["id"], {ID.GOAL_TEXT_1.value: goal, ID.GOAL_DUE_1.value: due})
    _goals_carried_by_both(stack, say, result, ((rui, berlin_lisbon), (priya, berlin_singapore)))
    mia.slash("note [pilot channel] Draft guidelines for the pilot channel https://example.com/pilot-guidelines")
    rui.slash("note Stakeholder map for the approval board: who signs what #hosts")
    ana.slash("note Approval today takes 7 steps and 12 days on average #program")
    ana.slash("note Ask Priya about the audit calendar #private")
    priya.slash("note [salary bands] What we said about pay stays between us #red")
    stack.settle()
    say.flush()

    start = stack.clock.now()
    monday = (start + timedelta(days=(7 - start.weekday()) % 7 or 7)).replace(hour=0, minute=0)
    prompt_times: dict[str, list[datetime]] = {berlin_lisbon: [], berlin_singapore: []}
    for week in range(8):
        week_start = monday + timedelta(weeks=week)
        _advance_to(stack, week_start + timedelta(hours=10))
        for dm in prompt_times:
            prompt = _prompt(stack, dm)
            if prompt is not None and datetime.fromtimestamp(float(prompt["ts"]), UTC) >= week_start:
                prompt_times[dm].append(datetime.fromtimestamp(float(prompt["ts"]), UTC))
        label = week_start.strftime("%d %b")
        if week == 0:
            say.step(
                "A note for the hosts or the program leaves a pair only when both agree: Mia is asked about Rui's"
                " note for the hosts, Priya about Ana's note for the program, each in their own morning. Both agree."
            )
            for partner in (mia, priya):
                ask = _last_with(_dm_from_tandem(stack, partner), ID.NOTE_SHARE_YES)
                _expect(result, ask is not None, f"{partner.name} was asked before a note left the pair")
                if ask is not None:
                    partner.click(ID.NOTE_SHARE_YES, message=ask)
            stack.settle()
            say.flush()
            say.step(
                f"Week of {label}: the prompt reaches Priya's thread at 09:00 in Singapore; Ana gets a DM at 09:00 in"
                " Berlin. Mia and Rui's thread comes at 09:00 Berlin, Rui's DM at 09:00 Lisbon."
            )
        elif week in (1, 2):
            say.step(f"Week of {label}: Rui is on holiday; his pair's prompt is skipped with a short note.")
        elif week == 5:
            say.step(
                f"Week of {label}: Europe is on summer time now; every prompt still comes at 09:00 local. Easter"
                " Monday is a public holiday in Germany: people in Berlin hear of the week, and get the pulse, on"
                " Tuesday at 09:00; the week counts as any other."
            )
        else:
            say.step(f"Week of {label}.")
        say.flush()
        if week not in (1, 2):
            _reply(stack, mia, berlin_lisbon, f"Week {week + 1}: I tried the method card with my team, notes below.")
            _reply(stack, rui, berlin_lisbon, "Good start. Next: who has to say yes before we open the channel?")
            _agree(stack, mia, berlin_lisbon, "Rui: list the three approvers", "Mia: draft the channel's first post")
        _reply(stack, ana, berlin_singapore, "Mapped the approval steps; two of them look redundant.")
        if week not in (1, 2):
            _agree(stack, priya, berlin_singapore, "Ana: ask Legal about step 4", "Priya: share the audit calendar")
        if week == 1:
            say.step("Round 2 of the anonymous pulse: Mia answers it from her DM. Rui is on holiday: not asked.")
            say.flush()
            pulses.answer(stack, mia, "mia")
            say.flush()
        # New York's prompts are out (Easter Monday, in week 5: the next day, when Berlin's have come too)
        _advance_to(stack, week_start + timedelta(days=1 if week == 5 else 0, hours=16))
        _others_answer(stack, people, skip={berlin_lisbon, berlin_singapore, quiet})
        stack.settle()
        if week == 3:  # Monday 15 March: round 3 opened
            say.step("Round 3 of the pulse comes in a busy fortnight: only Mia, Ana and Ben answer it.")
            pulses.everyone(stack, say, people, only=HIDDEN_ROUND_PEOPLE)
        elif pulses.new_round(stack):
            pulses.everyone(stack, say, people)
        if week == 0:
            _retro_cycle_one(stack, say, people, week_start, berlin_singapore, {berlin_lisbon, quiet}, retros_done)
        if week == 4:
            _retro_cycle_two(stack, say, result, people, admin, week_start, berlin_lisbon, retros_done)
        if week == 6:  # more than a week after the second retro's quotes were agreed: a release has come
            _post_quotes(stack, say, result, people, admin)
        if week == 0:
            say.step("Friday: Rui takes a two-week holiday with `/tandem pause until …`.")
            _advance_to(stack, week_start + timedelta(days=4, hours=10))
            rui.slash(f"pause until {(week_start + timedelta(days=18)).date().isoformat()}")
            stack.settle()
            say.flush()
        if week in (0, 1):
            _advance_to(stack, week_start + timedelta(days=6, hours=12))
            say.step("Sunday: Priya cancels tomorrow's session, less than 24 hours ahead.")
            _cancel_next_week(stack, priya, berlin_singapore)
            say.flush()
        if week == 2:
            say.step("Hanna answers the escalation through Tandem, and lists the notes shared with hosts.")
            escalation = _last_with(sb.messages(admin), ID.ESCALATION_ANSWER)
            _expect(result, escalation is not None, "repeated late cancellations reached the hosts")
            if escalation is not None:
                hanna.click(ID.ESCALATION_ANSWER, message=escalation)
                hanna.submit(
                    hanna.open_views()[-1]["id"],
                    {ID.ESCALATION_ANSWER_TEXT.value: "No problem at all. Shall we find a slot that works better?"},
                )
            hanna.slash("admin notes", channel_id=admin)
            stack.settle()
            say.flush()
            say.step(
                "Round 2 closed on Saturday. Hanna looks at the pulse: results only for rounds with 5+ answers, "
                "each with the weekly release after it closed."
            )
            hanna.slash("admin pulse", channel_id=admin)
            stack.settle()
            say.flush()
        if week == 2:
            _prepared_week(stack, say, result, week_start, (mia, berlin_lisbon), (ana, berlin_singapore), rui)
        if week in APPROVAL_DAYS:
            say.step(f"Hanna logs this week's approval lead time: {APPROVAL_DAYS[week]} days.")
            _log_host_value(stack, hanna, admin, APPROVAL_DAYS[week])
            say.flush()
        if week in (3, 6):
            say.step("Mia, Ana and Tobias log their tandems' “days to first test” with `/tandem metric`.")
            _log_pair_value(stack, mia, "18" if week == 3 else "12")
            _log_pair_value(stack, ana, "25" if week == 3 else "14")
            _log_pair_value(stack, people["tobias"], "29" if week == 3 else "16")
            say.flush()
        if week == 4:
            say.step("Mia marks their goal half done from App Home, and exports the pair's notes as a file.")
            mia.open_home()
            mia.click(ID.GOAL_PROGRESS_50)
            mia.slash("notes export")
            stack.settle()
            say.flush()
        if week == 7:
            say.step("The pilot channel is live: Mia marks the goal done.")
            mia.open_home()
            mia.click(ID.GOAL_DONE)
            stack.settle()
            say.flush()
        if week == 6:
            _live_session(stack, say, result, ana, priya, berlin_singapore)
    say.note(f"{say.unshown} messages to the other pairs' threads were sent but not shown")

    with stack.session_factory() as session:
        answers = session.scalar(select(func.count()).select_from(WeekAnswer))
        late = session.scalar(select(func.count()).select_from(Cancellation).where(Cancellation.late.is_(True)))
        escalations = session.scalar(select(func.count()).select_from(Escalation))
        goals_done = session.scalar(select(func.count()).select_from(Goal).where(Goal.done_at.is_not(None)))
        notes = session.scalar(select(func.count()).select_from(Note))
    _expect(result, answers >= 8 * 3, "the pairs' thread replies were recorded as answers")
    _expect(result, late == 2 and escalations >= 1, "two late cancellations escalated to the hosts")
    _expect(result, goals_done == 1, "Mia and Rui's goal is done")
    _expect(result, notes == 5, "five notes, one of each visibility and a red one")
    host_view = json.dumps([m for m in hanna.ephemeral_messages()], ensure_ascii=False)
    _expect(result, "Stakeholder map" in host_view and "7 steps" in host_view, "hosts see the notes shared with them")
    _expect(
        result,
        "salary" not in host_view and "audit calendar" not in host_view and "pilot-guidelines" not in host_view,
        "hosts never see red, private or pair notes",
    )
    _expect(
        result,
        any("no problem at all" in json.dumps(m).lower() for m in _dm_from_tandem(stack, priya)),
        "Priya got the host's answer by DM",
    )
    _expect(result, any(c["method"] == "files.completeUploadExternal" for c in sb.calls), "the notes export")
    utc_hours = {dm: [t.hour for t in times] for dm, times in prompt_times.items()}
    _expect(
        result,
        utc_hours[berlin_lisbon][:1] == [8] and utc_hours[berlin_lisbon][-1:] == [7],
        f"Mia and Rui's prompt: 09:00 Berlin, 08:00 UTC in winter, 07:00 UTC in summer ({utc_hours[berlin_lisbon]})",
    )
    _expect(
        result,
        set(utc_hours[berlin_singapore]) == {1},
        f"Ana and Priya's prompt: 09:00 Singapore, 01:00 UTC all along ({utc_hours[berlin_singapore]})",
    )
    # the hosts read German: "Nach Rolle", "digitale Seite"
    digests = [json.dumps(m, ensure_ascii=False) for m in sb.messages(admin) if "*Nach Rolle*" in json.dumps(m)]
    by_role = next((d for d in reversed(digests) if "digitale Seite" in d), "")
    _expect(
        result,
        "Stille Wochen (ein Impuls, der nicht innerhalb einer Woche beantwortet wurde): digitale Seite" in by_role
        and "Kurzfristig abgesagte oder verschobene Wochen: digitale Seite" in by_role,
        "the weekly digest shows the hosts silent weeks and short-notice cancellations by role, as counts",
    )
    flags = [json.dumps(m) for m in sb.messages(admin) if ":zzz:" in json.dumps(m)]
    _expect(
        result,
        len(flags) == 1 and joana.id in flags[0] and olivia.id in flags[0],
        f"only Joana and Olivia's silence was flagged to the hosts, without content ({len(flags)} flags)",
    )


def _live_session(stack: LocalStack, say: Narrator, result: DemoResult, ana: Persona, priya: Persona, dm: str) -> None:
    """Ana asks for live slots with `/tandem termin` in their group DM; Priya takes one every week; the calendar file
    comes; both get the reminder an hour before, each in their own language and time."""
    from bot.ids import ID

    say.step(
        "Ana asks for a live session: `/tandem termin` in their group DM proposes three 30-minute slots inside both"
        " partners' working hours, each in Ana's and Priya's own time. Priya takes one, every week."
    )
    ana.slash("termin", channel_id=dm)
    stack.settle()
    proposal = _last_with(stack.sandbox.messages(dm), ID.LIVE_ACCEPT_WEEKLY)
    shown = json.dumps(proposal or {}, ensure_ascii=False)
    _expect(result, "09:00 (Berlin)" in shown and "15:00 (Singapore)" in shown, "slots shown in both local times")
    if proposal is None:
        return
    priya.click(ID.LIVE_ACCEPT_WEEKLY, message=proposal)
    stack.settle()
    ics = [f for f in stack.sandbox.files.values() if f["name"].endswith(".ics") and f.get("content")]
    _expect(
        result,
        len(ics) == 1 and b"RRULE:FREQ=WEEKLY" in ics[0]["content"] and b"STATUS:CONFIRMED" in ics[0]["content"],
        "the weekly calendar invitation (.ics) reached the pair's group DM",
    )
    say.flush()
    say.step("The next morning, an hour before: Ana at 08:00 in Berlin, Priya at 14:00 in Singapore.")
    when = stack.clock.now().replace(hour=6, minute=5) + timedelta(days=1)  # Tuesday, 06:05 UTC
    _advance_to(stack, when)
    reminded = {
        p.name: [m["text"] for m in _dm_from_tandem(stack, p) if "live" in m.get("text", "").lower()][-1:]
        for p in (ana, priya)
    }
    _expect(
        result,
        any("In einer Stunde" in t and "09:00 Uhr (Berlin)" in t for t in reminded[ana.name])
        and any("In an hour" in t and "15:00 (Singapore)" in t for t in reminded[priya.name]),
        "both got the live session's reminder an hour before, in their language and time",
    )


def _goals_carried_by_both(
    stack: LocalStack, say: Narrator, result: DemoResult, partners: tuple[tuple[Persona, str], ...]
) -> None:
    """A goal one partner sets is proposed until the other accepts it: Rui accepts Mia's (English), Priya Ana's
    (German), each with the Accept button in their pair's group DM."""
    from bot.ids import ID
    from bot.models import Goal

    stack.settle()
    say.flush()
    say.step("Each goal is proposed until the partner accepts it: Rui and Priya press Accept in their group DM.")
    for partner, dm in partners:
        posted = _last_with(stack.sandbox.messages(dm), ID.GOAL_ACCEPT)
        _expect(result, posted is not None, f"{partner.name} was asked to accept the goal their partner proposed")
        if posted is not None:
            partner.click(ID.GOAL_ACCEPT, message=posted)
    stack.settle()
    say.flush()
    with stack.session_factory() as session:
        accepted = session.scalars(select(Goal.accepted_at)).all()
    _expect(result, len(accepted) == 2 and all(accepted), "both goals were accepted by the other partner")


def _prepared_week(
    stack: LocalStack,
    say: Narrator,
    result: DemoResult,
    week_start: datetime,
    mia: tuple[Persona, str],
    ana: tuple[Persona, str],
    rui: Persona,
) -> None:
    """The evening before the next week's prompt Mia (English) and Ana (German) fill in their preparation; the prompt
    carries it; Rui chooses the week's method card instead of the rotation."""
    from bot.ids import ID

    _advance_to(stack, week_start + timedelta(days=4, hours=17))  # Friday, 18:00 in Berlin
    say.step("Friday, 17:30 on each one's clock: “what I bring, what I need from you”. Mia and Ana fill it in.")
    for (who, _dm), bring, need in (
        (mia, "A first draft of the channel's rules", "Your eye on who must approve it"),
        (ana, "Die Liste der sieben Freigabeschritte", "Deine Erfahrung mit dem Audit-Kalender"),
    ):
        asked = _last_with(_dm_from_tandem(stack, who), ID.PREP_OPEN)
        _expect(result, asked is not None, f"{who.name} was asked to prepare the week the evening before")
        if asked is not None:
            who.click(ID.PREP_OPEN, message=asked)
            who.submit(who.open_views()[-1]["id"], {ID.PREP_BRING.value: bring, ID.PREP_NEED.value: need})
    stack.settle()
    say.flush()
    _advance_to(stack, week_start + timedelta(weeks=1, hours=10))
    say.step("Monday: each prompt carries what was prepared. Rui picks this week's method himself: Reverse demo.")
    for (who, dm), words in ((mia, "the channel's rules"), (ana, "sieben Freigabeschritte")):
        prompt = _prompt(stack, dm)
        shown = json.dumps(prompt or {}, ensure_ascii=False)
        _expect(
            result, f"{who.name.split()[0]}" in shown and words in shown, f"{who.name}'s preparation is in the prompt"
        )
    prompt = _prompt(stack, mia[1])
    if prompt is not None:
        rui.click(ID.RHYTHM_CARD, message=prompt)
        rui.submit(rui.open_views()[-1]["id"], {ID.RHYTHM_CARD_PICK.value: "reverse_demo"})
        stack.settle()
        thread = stack.sandbox.messages(mia[1], thread_ts=prompt["ts"])
        _expect(result, any("chose the method" in m.get("text", "") for m in thread), "Rui's method card is posted")
    say.flush()


def _retro_cycle_one(
    stack: LocalStack,
    say: Narrator,
    people: dict[str, Persona],
    week_start: datetime,
    dm: str,
    not_filling: set[str],
    retros_done: set[str],
) -> None:
    """Thursday after the first four weeks: every pair's retro opens; Ana and Priya fill theirs in, each with a
    quote; Priya's is shared only if Ana agrees too, and she doesn't. Mia and Rui are busy this week."""
    ana, priya = people["ana"], people["priya"]
    _advance_to(stack, week_start + timedelta(days=3, hours=11))
    say.step("Thursday: four weeks done. Every pair gets a retro in its thread, 10:00 in the later partner's morning.")
    say.flush()
    say.step(
        "Ana and Priya fill it in, each on their own; the summary comes once both did, with a consent card per quote."
    )
    _fill_retro(
        stack,
        ana,
        dm,
        {
            "went_well": "Priya erklärt Audit-Logik so, dass ich sie verstehe.",
            "learned": "Aha: jeder Freigabeschritt hatte mal einen Grund.",
            "change": "Hausaufgaben direkt in den Thread schreiben.",
            "talk_share": "4",
            "quote": QUOTE_ANA,
            "themes": ["tools", "hierarchy"],
        },
    )
    _fill_retro(
        stack,
        priya,
        dm,
        {
            "went_well": "Ana's map of the approval steps.",
            "learned": "A 30-second video can replace a 3-page memo.",
            "change": "Shorter check-ins when I travel.",
            "talk_share": "4",
            "quote": QUOTE_PRIYA,
        },
    )
    say.flush()
    say.step("Both agree to share Ana's quote. Ana says no to Priya's (it mentions Priya's team lead): final.")
    _consent(stack, ana, dm, QUOTE_ANA, yes=True)
    _consent(stack, priya, dm, QUOTE_ANA, yes=True)
    _consent(stack, priya, dm, QUOTE_PRIYA, yes=True)
    _consent(stack, ana, dm, QUOTE_PRIYA, yes=False)
    say.flush()
    _others_retro(stack, say, people, not_filling | {dm}, retros_done)


def _retro_cycle_two(
    stack: LocalStack,
    say: Narrator,
    result: DemoResult,
    people: dict[str, Persona],
    admin: str,
    week_start: datetime,
    dm: str,
    retros_done: set[str],
) -> None:
    """The second cycle's retro: Mia and Rui fill theirs in and agree to share both quotes; the hidden pulse round
    reached the hosts. The quotes reach them with the next weekly release (``_post_quotes``)."""
    hanna, mia, rui = people["hanna"], people["mia"], people["rui"]
    hidden = _pulse_results(stack, admin, HIDDEN_ROUND)
    _expect(result, _is_hidden(hidden), f"round {HIDDEN_ROUND} of the pulse (3 answers) stayed hidden from the hosts")
    _advance_to(stack, week_start + timedelta(days=3, hours=11))
    say.step("Thursday: eight weeks done. Mia and Rui fill in their retro; both agree to share both quotes.")
    say.flush()
    _fill_retro(
        stack,
        mia,
        dm,
        {
            "went_well": "Rui's stakeholder map made the approvals obvious.",
            "learned": "Aha: a pilot channel needs an owner, not just rules.",
            "change": "Meet the approvers together once.",
            "talk_share": "5",
            "quote": QUOTE_MIA,
            "themes": ["hierarchy", "tools"],
        },
    )
    _fill_retro(
        stack,
        rui,
        dm,
        {
            "went_well": "Mia's drafts: fast and clear.",
            "learned": "Aha: one channel post can replace a status meeting.",
            "change": "Fewer notes, more trying.",
            "talk_share": "4",
            "quote": QUOTE_RUI,
        },
    )
    for quote in (QUOTE_MIA, QUOTE_RUI):
        for who in (mia, rui):
            _consent(stack, who, dm, quote, yes=True)
    say.flush()
    others = _others_retro(stack, say, people, {dm, _pair_dm(stack, people["joana"], people["olivia"])}, retros_done)
    _expect(result, others >= 8, f"the other pairs filled in their retros ({others})")

    say.step("Hanna opens `/tandem admin retro`: counts (the retro themes too), and only consented quotes.")
    hanna.slash("admin retro", channel_id=admin)
    stack.settle()
    say.flush()
    overview = json.dumps(hanna.ephemeral_messages()[-1:], ensure_ascii=False)
    _expect(
        result,
        re.search(r"(Hierarchy|Hierarchie) [1-9]", overview) is not None and "Rui's stakeholder map" not in overview,
        "the hosts see how many retros named each theme, released, and no retro text",
    )


def _post_quotes(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str) -> None:
    """After the next weekly release, the consented quotes are on /tandem admin retro: Hanna picks a community channel
    and posts them there."""
    from bot.ids import ID

    sb, hanna = stack.sandbox, people["hanna"]
    say.step(
        "The weekly release brings the consented quotes to the hosts (at once, a quote would tell them which pair had "
        "just finished its retro). Hanna creates #reverse-mentoring, adds Tandem, and picks it under “Retro settings” "
        "on the program card."
    )
    community = sb.create_channel("reverse-mentoring", members=[people[k].id for k, *_ in COHORT], creator=hanna.id)
    sb.invite(community, sb.bot_user_id, inviter=hanna.id)
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = _last_with(hanna.ephemeral_messages(), ID.RETRO_SETTINGS)
    _expect(result, card is not None, "the program card has “Retro settings”")
    if card is None:
        return
    hanna.click(ID.RETRO_SETTINGS, message=card)
    stack.settle()
    hanna.submit(hanna.open_views()[-1]["id"], {ID.RETRO_EVERY.value: "4", ID.RETRO_CHANNEL.value: community})
    stack.settle()
    say.flush()
    say.step("Hanna posts the consented quotes to #reverse-mentoring, one button each.")
    for _ in range(5):
        hanna.slash("admin retro", channel_id=admin)
        stack.settle()
        overview = hanna.ephemeral_messages()[-1]
        if _last_with([overview], ID.RETRO_POST_QUOTE) is None:
            break
        hanna.click(ID.RETRO_POST_QUOTE, message=overview)
        stack.settle()
    say.flush()
    posted = json.dumps(sb.messages(community), ensure_ascii=False)
    host_view = json.dumps([*sb.messages(admin), *hanna.ephemeral_messages()], ensure_ascii=False)
    _expect(
        result,
        all(q.replace("’", "'")[:30] in posted.replace("’", "'") for q in (QUOTE_ANA, QUOTE_MIA, QUOTE_RUI)),
        "the three consented quotes are in the community channel",
    )
    _expect(result, QUOTE_PRIYA[:30] not in posted + host_view, "the quote Ana said no to was never shown or shared")


def _is_hidden(results_json: str) -> bool:
    return "hidden to protect anonymity" in results_json or "zum Schutz der Anonymität ausgeblendet" in results_json


def _chapter_end(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str, retros_done: set[str]
) -> None:
    """The program's last week, the final retros, and a week after the end the hosts' program retro."""
    from bot.models import PollResponse, PollRound, Program

    with stack.session_factory() as session:
        program = session.scalars(select(Program)).one()
        end = datetime.combine(program.start_date + timedelta(weeks=program.duration_weeks), datetime.min.time(), UTC)
    quiet = _pair_dm(stack, people["joana"], people["olivia"])
    say.chapter(
        6,
        "the end of Pilot 2027: final retros and the hosts' program retro",
        "Last week, retros, the next cohort",
    )
    say.follow = set()
    _advance_to(stack, end - timedelta(days=7) + timedelta(hours=16))
    _others_answer(stack, people, skip={quiet})  # the last week's prompt
    _advance_to(stack, end - timedelta(days=4) + timedelta(hours=11))
    say.step("Thursday of the last week: every pair gets its final retro; all but Joana and Olivia fill it in.")
    say.flush()
    _others_retro(stack, say, people, {quiet}, retros_done)
    say.note(f"{say.unshown} messages to the pairs' threads in the last weeks were sent but not shown")
    _advance_to(stack, end + timedelta(days=7, hours=6, minutes=55))  # a quiet week
    _advance_to(stack, end + timedelta(days=7, hours=7, minutes=5))
    say.step("A week after the end, 09:00 in Berlin: the hosts get the program retro in #tandem-hosts.")
    say.flush()

    report = next(
        (json.dumps(m, ensure_ascii=False) for m in stack.sandbox.messages(admin) if ":checkered_flag:" in str(m)), ""
    )
    with stack.session_factory() as session:
        rounds = session.scalar(select(func.count()).select_from(PollRound))
        responses = session.scalar(select(func.count()).select_from(PollResponse))
    _expect(result, bool(report), "the hosts got the program retro")
    _expect(result, rounds == 5 and responses > 60, f"five pulse rounds, {responses} anonymous answers")
    shown = [n for n in range(1, 6) if n != HIDDEN_ROUND]
    _expect(
        result,
        all(_pulse_results(stack, admin, n) and not _is_hidden(_pulse_results(stack, admin, n)) for n in shown),
        "every pulse round with 5+ answers was shown to the hosts with the weekly release after it closed",
    )
    _expect(
        result,
        any(f"{HIDDEN_ROUND}: {h}" in report for h in ("hidden", "ausgeblendet"))
        and any(n in report for n in ("4 of 5 rounds", "4 von 5 Runden")),
        "the program retro's mood trend keeps round 3 hidden",
    )
    _expect(result, QUOTE_RUI[:30] in report and QUOTE_PRIYA[:30] not in report, "consented quotes only")
    everything_hosts_saw = json.dumps(
        [*stack.sandbox.messages(admin), *people["hanna"].ephemeral_messages(), *people["jonas"].ephemeral_messages()],
        ensure_ascii=False,
    )
    _expect(
        result,
        PULSE_COMMENTS[HIDDEN_ROUND]["ben"] not in everything_hosts_saw
        and PULSE_COMMENTS[1]["ben"] in everything_hosts_saw,
        "comments reach the hosts only from rounds above the threshold",
    )
    digests = [json.dumps(m, ensure_ascii=False) for m in stack.sandbox.messages(admin)]
    climate = [d for d in digests if "Belonging by pulse round" in d or "Zugehörigkeit je Stimmungscheck-Runde" in d]
    _expect(
        result,
        any(re.search(rf"{HIDDEN_ROUND}: (hidden|ausgeblendet)", d) for d in climate),
        "the weekly digest trends belonging and learning climate per released round, the hidden round as a gap",
    )
    _impact_at_the_end(stack, say, result, people, admin)
    _learning_lasts(stack, say, result, people, admin, end)


FOLLOW_UP_MIA = "I still post a 30-second video instead of a status memo, every Friday."


def _learning_lasts(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str, end: datetime
) -> None:
    """30 days after the end every partner gets one question by DM in their working time: is what we learned still
    in use? Mia answers with words she lets Tandem quote, Ana (German) and four more answer; with the next weekly
    release the hosts see the answers counted, and Mia and Ana see the program page on their Home tab."""
    from bot.ids import ID

    mia, ana, hanna = people["mia"], people["ana"], people["hanna"]
    say.follow = {mia.id, ana.id}
    _advance_to(stack, end + timedelta(days=30, hours=15))  # Wednesday: 09:00 has come from Singapore to New York
    say.step(
        "30 days after the end: each partner gets one DM in their working time, “Is what we learned still in use?”"
    )
    say.flush()
    asked = {key: _last_with(_dm_from_tandem(stack, people[key]), ID.FOLLOWUP_OPEN) for key, *_ in COHORT}
    _expect(
        result,
        "still in use" in json.dumps(asked["mia"]) and "Nutzt du noch" in json.dumps(asked["ana"], ensure_ascii=False),
        "the 30-day follow-up reached Mia in English and Ana in German",
    )
    answers = {
        "mia": ("yes", FOLLOW_UP_MIA, ["quote_ok"]),
        "ana": ("partly", "Kurzvideos ja, den Freigabeprozess noch nicht.", []),
        "rui": ("yes", None, []),
        "joerg": ("no", None, []),
        "ben": ("yes", None, []),
        "wei": ("partly", None, []),
    }
    say.step("Mia answers yes, with words she says Tandem may quote; Ana and four more answer too.")
    for key, (answer, text, quote) in answers.items():
        question = asked.get(key)
        if question is None:
            continue
        people[key].click(ID.FOLLOWUP_OPEN, message=question)
        stack.settle()
        view = people[key].open_views()[-1]
        values = {ID.FOLLOWUP_ANSWER.value: answer, ID.FOLLOWUP_TEXT.value: text, ID.FOLLOWUP_QUOTE.value: quote}
        people[key].submit(view["id"], values)
        stack.settle()
    say.flush()
    monday = end + timedelta(days=35)  # the next weekly release, 09:00 in Berlin
    _advance_to(stack, monday.replace(hour=7, minute=5))
    say.step("With the next weekly release Hanna opens the impact dashboard: the answers counted, Mia's words quoted.")
    hanna.slash("admin impact Pilot 2027", channel_id=admin)
    stack.settle()
    say.flush()
    board = json.dumps(hanna.ephemeral_messages()[-1:], ensure_ascii=False)
    _expect(
        result,
        re.search(r"(Follow-ups|Nachfragen) 30 (and|und) 90 .*?(yes|Ja) 3 · (partly|Teilweise) 2 · (no|Nein) 1", board)
        is not None
        and FOLLOW_UP_MIA in board
        and "Freigabeprozess" not in board,
        "the hosts see the follow-up answers counted and only the text Mia consented to, without her name",
    )
    say.step("Mia and Ana open their Home tab: the program page, as of the weekly release, in their language.")
    pages = []
    for who in (mia, ana):
        who.open_home()
        stack.settle()
        pages.append(json.dumps(who.home() or {}, ensure_ascii=False))
    say.flush()
    _expect(
        result,
        "Your programs at a glance" in pages[0]
        and "Deine Programme auf einen Blick" in pages[1]
        and all(FOLLOW_UP_MIA in page and QUOTE_PRIYA[:30] not in page for page in pages),
        "the program page shows released counts and consented quotes, in English and German",
    )


def _impact_at_the_end(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str
) -> None:
    """The hosts' dashboard, the export (nothing red, nothing below the threshold), a participant's streak; the
    KPIs go into the demo's result so a test can compare them with values counted by hand."""
    from bot.models import Program
    from bot.services import impact

    hanna, mia = people["hanna"], people["mia"]
    _learning_card(stack, say, result, mia)
    say.step("Hanna opens her Home tab: the dashboard of Pilot 2027. Mia opens hers: their streak.")
    hanna.open_home()
    mia.open_home()
    stack.settle()
    say.flush()
    say.step("Hanna asks for the export: a CSV and a Markdown summary arrive in her DM with Tandem.")
    hanna.slash("admin export", channel_id=admin)
    stack.settle()
    say.flush()
    exported = [
        f for f in stack.sandbox.files.values() if f["name"].startswith("tandem-pilot-2027") and f.get("content")
    ]
    text = "".join(f["content"].decode("utf-8", "replace") for f in exported)
    _expect(result, len(exported) == 2, f"the export is two files ({len(exported)})")
    _expect(result, "salary" not in text.lower() and "audit calendar" not in text, "no red or private note exported")
    _expect(
        result,
        f"mood_round_{HIDDEN_ROUND}," in text and PULSE_COMMENTS[1]["ben"] not in text,
        "the hidden round is exported without a value, and no comment is exported",
    )
    with stack.session_factory() as session:
        program = session.scalars(select(Program)).first()
        assert program is not None
        result.kpis = impact.kpis(session, program, now=stack.clock.now()).as_dict()
    say.note(f"KPIs at the end: {result.kpis}")
    released = result.kpis.get("released_on")
    _expect(
        result,
        bool(released)
        and f"kpi,response_rate,{result.kpis['answered'] / result.kpis['prompts']:.4g},,{released}" in text,
        "the export's figures are those of the latest weekly release, the same as the dashboard's",
    )
    _next_cohort(stack, say, result, people, admin)


def _chapter_data_rights(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]) -> None:
    """After the program, Inês asks what is stored about her, takes a copy, and has Tandem forget her: afterwards
    no table holds her Slack id, her name or her self-description, and the KPIs' counts stay as they were."""
    from bot.ids import ID
    from bot.models import Participant, Program
    from bot.services import impact, privacy

    ines = people["ines"]
    say.chapter(7, "data rights: what is stored, a copy, and forget-me", "Data rights: a copy, then forget-me")
    say.follow = set()
    with stack.session_factory() as session:
        me = session.scalars(select(Participant).where(Participant.slack_user_id == ines.id)).one()
        about = me.self_description or ""
        program = session.scalars(select(Program).order_by(Program.id)).first()
        assert program is not None
        before = impact.kpis(session, program, now=stack.clock.now()).as_dict()
    say.step("Inês types /tandem privacy: what Tandem stores, who sees it, and until when.")
    ines.slash("privacy")
    say.flush()
    say.step("/tandem export-my-data: a JSON and a Markdown file arrive in her DM with Tandem.")
    ines.slash("export-my-data")
    stack.settle()
    say.flush()
    copies = [f for f in stack.sandbox.files.values() if f["name"].startswith("tandem-my-data") and f.get("content")]
    _expect(
        result,
        len(copies) == 2 and all(about and about in f["content"].decode("utf-8") for f in copies),
        f"Inês's copy of her data is two files with her self-description ({len(copies)})",
    )
    say.step("/tandem forget-me, then *Delete my data* (Slack asks once more).")
    ines.slash("forget-me")
    question = ines.ephemeral_messages()[-1]
    ines.click(ID.PRIVACY_FORGET, message=question)
    stack.settle()
    say.flush()
    found = privacy.traces(stack.engine, [ines.id, ines.real_name, about])
    _expect(result, not found, f"after forget-me no table holds Inês's id, name or words ({sorted(set(found))})")
    with stack.session_factory() as session:
        after = impact.kpis(session, program, now=stack.clock.now()).as_dict()
    counts = ("invited", "onboarded", "matched")
    _expect(
        result,
        all(before.get(k) == after.get(k) for k in counts),
        "the program's counts are unchanged: only anonymous aggregates remain of her",
    )


def _chapter_admin_channel(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str
) -> None:
    """A workspace admin archives #tandem-hosts by mistake: nobody is a host until it is unarchived; Hanna and Jonas
    are told once by DM how to fix it."""
    hanna, jonas = people["hanna"], people["jonas"]
    sb = stack.sandbox
    say.chapter(8, "host authority holds only while the admin channel is private", "Admin channel archived and back")
    say.follow = {hanna.id, jonas.id}
    dms = {p.id: len(_dm_from_tandem(stack, p)) for p in (hanna, jonas)}
    say.step("A workspace admin archives #tandem-hosts by mistake (Slack sends group_archive).")
    sb.archive(admin, hanna.id)
    stack.settle()
    say.flush()
    say.step("Hanna tries `/tandem admin notes`.")
    hanna.slash("admin notes", channel_id=admin)
    say.flush()
    _expect(
        result,
        "Host-Aktionen sind angehalten" in hanna.ephemeral_messages()[-1]["text"],
        "while the admin channel is archived, Hanna's host command is refused",
    )
    told = [len(_dm_from_tandem(stack, p)) - dms[p.id] for p in (hanna, jonas)]
    _expect(result, told == [1, 1], f"Hanna and Jonas were told once by DM how to fix it ({told})")
    say.step("It is unarchived (group_unarchive): host actions work again.")
    sb.archive(admin, hanna.id, archived=False)
    stack.settle()
    hanna.slash("admin notes", channel_id=admin)
    say.flush()
    _expect(
        result,
        "angehalten" not in hanna.ephemeral_messages()[-1]["text"],
        "unarchived, the admin channel gives the hosts their authority back",
    )


def _learning_card(stack: LocalStack, say: Narrator, result: DemoResult, mia: Persona) -> None:
    """Mia writes a learning card from App Home; only her *Publish* posts it to #reverse-mentoring."""
    from bot.ids import ID

    say.step("Mia writes a learning card from her Home tab: a draft in her DM first; she publishes it herself.")
    mia.open_home()
    stack.settle()
    mia.click(ID.CARD_OPEN)
    stack.settle()
    view = mia.open_views()[-1]
    mia.submit(view["id"], {ID.CARD_TITLE.value: CARD_TITLE, ID.CARD_TEXT.value: CARD_TEXT})
    stack.settle()
    preview = _last_with(_dm_from_tandem(stack, mia), ID.CARD_PUBLISH)
    _expect(result, preview is not None, "the learning card's draft is in Mia's DM with Publish")
    if preview is not None:
        mia.click(ID.CARD_PUBLISH, message=preview)
        stack.settle()
    say.flush()
    community = next((cid for cid, c in stack.sandbox._convs.items() if c.get("name") == "reverse-mentoring"), "")
    posted = json.dumps(stack.sandbox.messages(community), ensure_ascii=False) if community else ""
    _expect(result, CARD_TITLE in posted and "Mia" in posted, "Mia's learning card is in #reverse-mentoring")
    _card_library(stack, say, result, mia, stack.sandbox.persona("Ana"))


def _card_library(stack: LocalStack, say: Narrator, result: DemoResult, mia: Persona, ana: Persona) -> None:
    """`/tandem cards` in English (Mia) and German (Ana): the published cards of the topic path and its programs."""
    say.step("Mia and Ana open `/tandem cards`: the published learning cards by topic path and program.")
    for who, words in ((mia, "Learning cards participants published"), (ana, "Lernkarten, die Teilnehmende")):
        who.slash("cards")
        stack.settle()
        shown = json.dumps(who.open_views()[-1:], ensure_ascii=False)
        _expect(result, words in shown and CARD_TITLE in shown, f"{who.real_name} browses the card library")
    say.flush()


def _peer_circle_setup(stack: LocalStack, say: Narrator, result: DemoResult, hanna: Persona, admin: str) -> None:
    """Before approving, Hanna chooses a private peer-circle channel per side on the program card."""
    from bot.ids import ID

    say.step("Before approving, Hanna chooses a peer circle on the program card: a private channel per side.")
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = _last_with(hanna.ephemeral_messages(), ID.CIRCLE_SETTINGS)
    _expect(result, card is not None, "the program card offers the peer circle")
    if card is None:
        return
    hanna.click(ID.CIRCLE_SETTINGS, message=card)
    stack.settle()
    hanna.submit(hanna.open_views()[-1]["id"], {ID.CIRCLE_MODE.value: "channels"})
    stack.settle()
    say.flush()


def _kit_of(stack: LocalStack, who: Persona) -> dict[str, Any] | None:
    from bot.ids import ID

    return _last_with(_dm_from_tandem(stack, who), ID.KIT_GOT_IT)


def _kickoff_kit(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]) -> None:
    """The kick-off kit reaches Ana (German, digital side) and Priya (English, context side) in their working time:
    Priya presses "Got it", Ana asks the hosts about a lesson through the help lane."""
    from bot.ids import ID
    from bot.models import KickoffKit, OutboxMessage, Participant

    ana, priya = people["ana"], people["priya"]
    say.brief = {p.id for key, p in people.items() if key not in ("ana", "priya", "hanna")}
    say.step("Each partner gets a kick-off kit by DM in their working time: three short lessons for their side.")
    with stack.session_factory() as session:  # each kit waits for its person's next working moment
        kits = session.scalars(
            select(KickoffKit.id)
            .join(Participant, Participant.id == KickoffKit.participant_id)
            .where(Participant.slack_user_id.in_([ana.id, priya.id]))
        ).all()
        keys = [f"kickoff:{kit}" for kit in kits]
        due = session.scalars(select(OutboxMessage.not_before).where(OutboxMessage.dedupe_key.in_(keys))).all()
    last = max((d for d in due if d is not None), default=None)
    if last is not None and last > stack.clock.now():
        stack.advance(last - stack.clock.now())
    ana_kit, priya_kit = _kit_of(stack, ana), _kit_of(stack, priya)
    _expect(
        result,
        ana_kit is not None and "Nach oben lehren" in json.dumps(ana_kit, ensure_ascii=False),
        "Ana got the digital side's kit in German",
    )
    _expect(
        result,
        priya_kit is not None and "Active asking" in json.dumps(priya_kit),
        "Priya got the context side's kit in English",
    )
    if ana_kit is None or priya_kit is None:
        return
    say.step("Priya presses “Got it” on the first lesson; Ana asks the hosts about saying “no”.")
    priya.click(ID.KIT_GOT_IT, message=priya_kit)
    stack.settle()
    ana.click(
        ID.KIT_ASK,
        message=ana_kit,
        value=next(
            e["value"]
            for b in ana_kit["blocks"]
            for e in b.get("elements", [])
            if str(e.get("value", "")).endswith(":say_no")
        ),
    )
    stack.settle()
    ask = ana.open_views()[-1]
    ana.submit(
        ask["id"], {"help_me.f.text": "Zur Kick-off-Lektion „„Nein“ sagen“: Wie sage ich Nein, ohne zu kränken?"}
    )
    stack.settle()
    say.flush()
    with stack.session_factory() as session:
        read = session.scalars(
            select(KickoffKit.read).join(Participant).where(Participant.slack_user_id == priya.id)
        ).one_or_none()
    _expect(result, read == ["ask"], "Priya's “Got it” was recorded")
    _expect(
        result,
        any(
            "Wie sage ich Nein" in m.get("text", "") + json.dumps(m.get("blocks") or [], ensure_ascii=False)
            for m in stack.sandbox.messages(_admin_channel_of(stack))
        ),
        "Ana's question reached the hosts through the help lane",
    )


def _admin_channel_of(stack: LocalStack) -> str:
    return next((cid for cid, c in stack.sandbox._convs.items() if c.get("name") == "tandem-hosts"), "")


def _peer_circle_prompts(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]) -> None:
    """Each side's peer circle got its people and a monthly prompt, and nothing of the pairs."""
    from bot.models import PeerCircle

    with stack.session_factory() as session:
        circles = {c.side: c.channel_id for c in session.scalars(select(PeerCircle))}
    names = [p.real_name for p in people.values()]
    for side, channel in sorted(circles.items()):
        said = stack.sandbox.messages(channel) if channel else []
        members = stack.sandbox.conversation(channel)["members"] if channel else []
        prompts = [m for m in said if "peer circle" in m.get("text", "").lower() or "Peer Circle" in m.get("text", "")]
        say.note(f"peer circle ({side}): {len(members) - 1} people, {len(prompts)} monthly prompts")
        _expect(result, len(members) > 1 and len(prompts) >= 2, f"the {side} side's peer circle has people and prompts")
        shown = json.dumps(said, ensure_ascii=False)
        _expect(
            result,
            len(prompts) == len(said) and not any(n and n in shown for n in names),
            f"nothing from the pairs reached the {side} side's peer circle",
        )


CARD_TITLE = "A pilot channel needs an owner"
CARD_TEXT = (
    "Rules alone don't make a channel work. Rui showed me who signs off what; the channel took off once one"
    " person owned it and the approvers were in it from day one."
)


def _next_cohort(stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str) -> None:
    """Hanna closes Pilot 2027 (Jonas confirms: closing needs a second host) and starts its next cohort with the same
    setup; Mia and Rui, alumni now, become co-hosts of that cohort only: Tandem invites them into the admin channel."""
    from bot.ids import ID
    from bot.models import Metric, Program

    hanna, mia, rui = people["hanna"], people["mia"], people["rui"]
    say.step("Hanna closes Pilot 2027 and presses “Nächste Kohorte starten”: the setup is copied, not the people.")
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    hanna.click(ID.PROGRAM_CLOSE, message=_last_with(hanna.ephemeral_messages(), ID.PROGRAM_CLOSE))
    stack.settle()
    say.flush()
    say.step("Closing a program needs a second host: Jonas confirms in #tandem-hosts.")
    question = _last_with(stack.sandbox.messages(admin), ID.HOST_CONFIRM)
    _expect(result, question is not None, "closing the program waited for a second host")
    if question is not None:
        jonas = people["jonas"]
        jonas.click(ID.HOST_CONFIRM, message=question)
        stack.settle()
        say.flush()
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    hanna.click(ID.COHORT_NEXT, message=_last_with(hanna.ephemeral_messages(), ID.COHORT_NEXT))
    view = hanna.open_views()[-1]
    hanna.submit(view["id"], {ID.PROGRAM_START.value: "2027-06-07"})
    stack.settle()
    say.flush()
    offer = _last_with(stack.sandbox.messages(admin), ID.COHORT_ALUMNI)
    _expect(result, offer is not None, "the new cohort's announcement offers its alumni as co-hosts")
    if offer is None:
        return
    say.step("She invites Mia and Rui, alumni now, as co-hosts: Tandem adds them to #tandem-hosts and welcomes them.")
    hanna.click(ID.COHORT_ALUMNI, message=offer)
    hanna.submit(hanna.open_views()[-1]["id"], {ID.COHORT_ALUMNI_PICK.value: [mia.id, rui.id]})
    stack.settle()
    say.flush()
    members = set(stack.sandbox.conversation(admin)["members"])
    with stack.session_factory() as session:
        cohort = session.scalars(select(Program).where(Program.series_id.is_not(None))).one_or_none()
        copied = session.scalars(select(Metric.name).where(Metric.program_id == cohort.id)).all() if cohort else []
    _expect(result, cohort is not None and cohort.name == "Pilot 2027 · Cohort 2", "the next cohort exists")
    _expect(result, len(copied) == len(DEMO_METRICS), "its metrics were copied (definitions only)")
    _expect(result, {mia.id, rui.id} <= members, "Mia and Rui are in the admin channel: co-hosts")
    say.step("Mia, co-host of the new cohort only, asks who hosts what: she sees Cohort 2, not Pilot 2027.")
    mia.slash("admin hosts", channel_id=admin)
    stack.settle()
    say.flush()
    seen = json.dumps(mia.ephemeral_messages()[-1:], ensure_ascii=False)
    _expect(
        result,
        "Cohort 2" in seen and "*Pilot 2027*:" not in seen,
        "a co-host sees only the cohort she co-hosts",
    )


QUOTE_ANA = "Ich bringe Priya Kurzvideos bei, sie mir, warum Prüfer ruhig schlafen."
QUOTE_PRIYA = "My team lead still thinks a reel is a fishing tool."
QUOTE_MIA = "I came to teach Slack workflows and left knowing who actually decides."
QUOTE_RUI = "Twenty years in, and a colleague from marketing showed me our fastest approval path."


def _demo_metrics() -> tuple[dict[str, str], ...]:
    from bot.ids import ID

    return (
        {
            ID.METRIC_NAME.value: "Freigabedauer",
            ID.METRIC_UNIT.value: "Tage",
            ID.METRIC_BASELINE.value: "12",
            ID.METRIC_TARGET_LOW.value: "",
            ID.METRIC_TARGET_HIGH.value: "5",
            ID.METRIC_REPORTER.value: "host",
        },
        {
            ID.METRIC_NAME.value: "Tage bis zum ersten Test",
            ID.METRIC_UNIT.value: "Tage",
            ID.METRIC_BASELINE.value: "30",
            ID.METRIC_TARGET_LOW.value: "",
            ID.METRIC_TARGET_HIGH.value: "14",
            ID.METRIC_REPORTER.value: "pair",
        },
    )


DEMO_METRICS = _demo_metrics()
APPROVAL_DAYS = {1: "11", 4: "8", 7: "5"}  # chapter 5's week -> the hosts' approval lead time that Monday


def _log_host_value(stack: LocalStack, hanna: Persona, admin: str, value: str) -> None:
    from bot.ids import ID

    hanna.slash("admin impact", channel_id=admin)
    stack.settle()
    hanna.click(ID.METRIC_LOG, message=_last_with(hanna.ephemeral_messages(), ID.METRIC_LOG))
    view = hanna.open_views()[-1]
    which = next(b for b in view["blocks"] if b.get("block_id") == ID.METRIC_WHICH.value)["element"]["options"][0]
    hanna.submit(view["id"], {ID.METRIC_WHICH.value: which["value"], ID.METRIC_VALUE.value: value})
    stack.settle()
    hanna.close(hanna.open_views()[-1]["id"])


def _log_pair_value(stack: LocalStack, who: Persona, value: str) -> None:
    from bot.ids import ID

    who.slash("metric")
    stack.settle()
    who.click(ID.METRIC_LOG, message=_last_with(who.ephemeral_messages(), ID.METRIC_LOG))
    view = who.open_views()[-1]
    who.submit(view["id"], {ID.METRIC_VALUE.value: value})
    stack.settle()
    who.close(who.open_views()[-1]["id"])


# -- issue 6: the anonymous pulse and the retros -----------------------------------------------------------
PULSE_COMMENTS = {  # round -> person -> comment; the rest answer without one
    1: {"ben": "More time between prompts would help.", "lena": "Die Methodenkarten sind super!"},
    2: {"wei": "Hard to find slots across time zones.", "ines": "Loving the shadowing card."},
    3: {"ben": "Too many deadlines this month, sorry."},  # a round below the threshold: never shown
    4: {"grace": "The retro made us change our rhythm, in a good way."},
    5: {"tobias": "Wir machen nach dem Programm weiter."},
}
HIDDEN_ROUND, HIDDEN_ROUND_PEOPLE = 3, ("mia", "ana", "ben")  # only three answer round 3: below the threshold of 5


def _mood(key: str, number: int) -> tuple[int, int, int]:
    """A scripted pulse answer (mood, first and second question), 1-5, rising a little over the program."""
    seed = sum(map(ord, key)) + number
    mood = 3 + seed % 3 - (seed % 4 == 0) + (number >= 4 and seed % 2 == 0)
    return min(5, mood), 3 + (seed + number) % 3, 2 + seed % 4


class Pulses:
    """Which pulse DMs the demo's people already answered (by the DM's ts), and answering one in its modal."""

    def __init__(self) -> None:
        self.answered: set[str] = set()
        self.handled = 0  # the latest round the demo's people were asked to answer

    @staticmethod
    def latest(stack: LocalStack) -> int:
        from bot.models import PollRound

        with stack.session_factory() as session:
            return int(session.scalar(select(func.max(PollRound.number))) or 0)

    def new_round(self, stack: LocalStack) -> bool:
        return self.latest(stack) > self.handled

    def pending(self, stack: LocalStack, persona: Persona) -> dict[str, Any] | None:
        from bot.ids import ID

        pulse = _last_with(_dm_from_tandem(stack, persona), ID.POLL_OPEN)
        return pulse if pulse is not None and f"{persona.id}:{pulse['ts']}" not in self.answered else None

    def answer(self, stack: LocalStack, persona: Persona, key: str) -> bool:
        from bot.ids import ID

        pulse = self.pending(stack, persona)
        if pulse is None:
            return False
        number = self.latest(stack)
        self.answered.add(f"{persona.id}:{pulse['ts']}")
        for view in persona.open_views():  # the thank-you view of an earlier answer
            persona.close(view["id"])
        persona.click(ID.POLL_OPEN, message=pulse)
        stack.settle()
        view = persona.open_views()[-1] if persona.open_views() else None
        if view is None:
            return False
        mood, q1, q2 = _mood(key, number)
        values: dict[str, Any] = {ID.POLL_MOOD.value: str(mood), ID.POLL_COMMENT.value: None}
        if comment := PULSE_COMMENTS.get(number, {}).get(key):
            values[ID.POLL_COMMENT.value] = comment
        ids = {b.get("block_id") for b in view["blocks"]}
        values.update({b.value: str(v) for b, v in ((ID.POLL_Q1, q1), (ID.POLL_Q2, q2)) if b.value in ids})
        persona.submit(view["id"], values)
        stack.settle()
        return True

    def everyone(
        self, stack: LocalStack, say: Narrator, people: dict[str, Persona], *, only: Iterable[str] = ()
    ) -> int:
        """Everyone asked answers the open round (or ``only`` these), but Joana and Olivia, who went quiet.
        Shown as one line: what was on screen before is flushed first."""
        say.flush()
        self.handled = self.latest(stack)
        keys = list(only) or [k for k, *_ in COHORT if k not in ("joana", "olivia")]
        answered = sum(self.answer(stack, people[k], k) for k in keys)
        say.note(f"{answered} more people answered the pulse in its modal ({say.skip()} Slack calls)")
        return answered


def _pulse_results(stack: LocalStack, admin: str, number: int) -> str:
    """The hosts' results message for round ``number`` in the admin channel, as JSON ("" if none)."""
    for message in stack.sandbox.messages(admin):
        head = str(message.get("text", "")).lower()
        if f"pulse, round {number}" in head or f"stimmungscheck, runde {number}" in head:
            return json.dumps(message.get("blocks") or [], ensure_ascii=False)
    return ""


def _fill_retro(stack: LocalStack, who: Persona, dm: str, form: dict[str, Any]) -> None:
    """``who`` opens the retro in the pair's thread and fills it in (went well, learned, change, talk share, quote,
    themes)."""
    from bot.ids import ID

    opening = _last_with(stack.sandbox.messages(dm), ID.RETRO_OPEN)
    if opening is None:
        return
    who.click(ID.RETRO_OPEN, message=opening)
    stack.settle()
    fields = (ID.RETRO_WENT_WELL, ID.RETRO_LEARNED, ID.RETRO_CHANGE, ID.RETRO_TALK_SHARE, ID.RETRO_QUOTE)
    values: dict[str, Any] = {f.value: form.get(f.value.rsplit(".", 1)[-1]) for f in fields}
    values[ID.RETRO_THEMES.value] = list(form.get("themes") or [])  # what it was about (optional)
    who.submit(who.open_views()[-1]["id"], values)
    stack.settle()


def _consent(stack: LocalStack, who: Persona, dm: str, quote: str, *, yes: bool) -> None:
    from bot.ids import ID

    opening = _last_with(stack.sandbox.messages(dm), ID.RETRO_OPEN)
    cards = stack.sandbox.messages(dm, opening["ts"]) if opening else []
    card = next((c for c in reversed(cards) if quote in json.dumps(c, ensure_ascii=False)), None)
    if card is not None:
        who.click(ID.RETRO_CONSENT_YES if yes else ID.RETRO_CONSENT_NO, message=card)
        stack.settle()


def _others_retro(stack: LocalStack, say: Narrator, people: dict[str, Persona], skip: set[str], done: set[str]) -> int:
    """The pairs the demo does not follow fill in their newest retro (no quotes), each retro once (``done``: the
    openings' ts); one line in the narration."""
    from bot.ids import ID

    say.flush()
    by_id = {p.id: p for p in people.values()}
    filled = 0
    for cid, members in _group_dms(stack):
        opening = _last_with(stack.sandbox.messages(cid), ID.RETRO_OPEN)
        if cid in skip or opening is None or opening["ts"] in done:
            continue
        done.add(opening["ts"])
        for n, member in enumerate(m for m in members if m in by_id):
            form = {
                "went_well": "We kept the weekly rhythm.",
                "learned": "A small experiment beats a long plan.",
                "change": "Set the homework right in the thread." if n else "Shorter check-ins.",
                "talk_share": str(3 + (len(cid) + n) % 3),
                "themes": RETRO_THEMES[(len(cid) + n) % len(RETRO_THEMES)],
            }
            _fill_retro(stack, by_id[member], cid, form)
        filled += 1
    say.note(f"{filled} other pairs filled in their retro ({say.skip()} Slack calls)")
    return filled


RETRO_THEMES = (["time", "tools"], ["hierarchy"], ["confidence", "time"], ["customers"])  # tagged by the other pairs

SPEED_ANSWERS = {  # position on the card -> answer, per person; everyone not listed stays silent
    **{key: {0: "yes", 1: "maybe"} for key in ("ana", "lena", "mia", "tobias", "joana", "rui", "ines", "miguel")},
    "joerg": {0: "yes", 1: "maybe", 2: "no"},
    "sofia": {0: "yes", 1: "yes", 2: "maybe"},
    **{key: {0: "yes"} for key in ("ben", "olivia", "ethan", "grace", "emma")},
}
SPEED_LATE = {key: {0: "yes", 1: "maybe"} for key in ("wei", "priya", "daniel", "mei", "arjun", "huimin", "kenji")}


def _answer_card(stack: LocalStack, persona: Persona, answers: dict[int, str]) -> dict[int, int]:
    """Click the answers on a person's speed-dating card; returns position -> intro id of what was clicked."""
    from bot.ids import ID

    card = _last_with(_dm_from_tandem(stack, persona), ID.SPEED_YES)
    if card is None:
        return {}
    rows = [b for b in card["blocks"] if b["type"] == "actions"]
    action = {"yes": ID.SPEED_YES, "maybe": ID.SPEED_MAYBE, "no": ID.SPEED_NO}
    clicked = {}
    for position, answer in answers.items():
        if position < len(rows):
            value = next(el["value"] for el in rows[position]["elements"] if el["action_id"] == action[answer])
            persona.click(action[answer], message=card, value=value)
            clicked[position] = int(value)
    return clicked


def _rank_each_other(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona]
) -> frozenset[int]:
    """An English and a German participant who are on each other's cards rank each other first; returns their
    participant ids (empty if the cards have no such two)."""
    from bot.ids import ID
    from bot.models import Participant, SpeedIntro

    german, english = ("lena", "tobias", "sofia"), ("ines", "miguel")
    with stack.session_factory() as session:
        ids = {p.slack_user_id: p.id for p in session.scalars(select(Participant))}
        shown = {(i.participant_id, i.candidate_id): i.id for i in session.scalars(select(SpeedIntro))}
    pick = next(
        ((de, en) for de in german for en in english if (ids[people[de].id], ids[people[en].id]) in shown), None
    )
    _expect(result, pick is not None, "an English and a German participant are on each other's cards")
    if pick is None:
        return frozenset()
    names = [people[key].name for key in pick]
    say.step(f"{names[0]} (German) and {names[1]} (English) also rank each other as their 1st choice.")
    for me, other in (pick, pick[::-1]):
        card = _last_with(_dm_from_tandem(stack, people[me]), ID.SPEED_RANK_1)
        intro = shown[(ids[people[me].id], ids[people[other].id])]
        if card is not None:
            people[me].click(ID.SPEED_RANK_1, message=card, value=str(intro))
    with stack.session_factory() as session:
        ranks = [session.get(SpeedIntro, shown[(ids[people[a].id], ids[people[b].id])]) for a, b in (pick, pick[::-1])]
        _expect(result, all(r is not None and r.rank == 1 for r in ranks), "both rankings were stored")
    return frozenset(ids[people[key].id] for key in pick)


def _ranked_pair_matched(stack: LocalStack, say: Narrator, result: DemoResult, ranked: frozenset[int]) -> None:
    """The approved matching paired the two who ranked each other, and their pair's reasons say so."""
    from bot.models import Pair, Participant

    with stack.session_factory() as session:
        pair = next(
            (p for p in session.scalars(select(Pair)) if {p.participant_a_id, p.participant_b_id} == ranked), None
        )
        names = [session.get(Participant, i).display_name for i in sorted(ranked)] if ranked else []
    if pair is not None:
        say.note(f"{' and '.join(names)} ranked each other first: the approved matching paired them.")
    _expect(result, pair is not None, "the two who ranked each other first were paired")
    _expect(
        result,
        pair is not None and any(r.get("key") == "ranked_both" for r in pair.reasons),
        "their pair's reasons say they ranked each other",
    )


def _chapter_speed_dating(
    stack: LocalStack, say: Narrator, result: DemoResult, people: dict[str, Persona], admin: str
) -> tuple[frozenset[int], frozenset[int]]:
    """Returns the pair Jörg said no to and the two who ranked each other first (participant ids)."""
    from bot.ids import ID
    from bot.models import SpeedIntro, SpeedRound

    hanna = people["hanna"]
    say.step("Hanna starts an optional speed-dating round with `/tandem admin speed`, answers due in three days.")
    hanna.slash("admin speed", channel_id=admin)
    say.flush()
    hanna.submit(hanna.open_views()[-1]["id"])  # the proposed deadline: Thursday, 18:00 in Berlin
    stack.advance(timedelta(minutes=1))  # the clock picks the intros and queues the cards
    say.flush()

    say.step("Berlin and Lisbon answer right away: yes to their first candidate, maybe to the second; Jörg says no.")
    refused = 0
    for key, answers in SPEED_ANSWERS.items():
        if key in ("ben", "olivia", "ethan", "grace", "emma"):
            continue
        clicked = _answer_card(stack, people[key], answers)
        if key == "joerg":
            refused = clicked.get(2, 0)
    stack.settle()
    say.flush()
    ranked = _rank_each_other(stack, say, result, people)
    say.flush()
    _advance_to(stack, stack.clock.now().replace(hour=15))
    say.step("New York, 10:00 (their cards came at 09:00): Ben, Olivia, Ethan, Grace and Emma say yes to the first.")
    for key in ("ben", "olivia", "ethan", "grace", "emma"):
        _answer_card(stack, people[key], SPEED_ANSWERS[key])
    say.flush()
    cards = {key: _last_with(_dm_from_tandem(stack, p), ID.SPEED_YES) for key, p in people.items()}
    with_card = {key for key, card in cards.items() if card is not None}
    _expect(result, len(with_card) == len(COHORT) - 2, "every onboarded person got a speed-dating card by DM")
    with stack.session_factory() as session:
        round_ = session.scalars(select(SpeedRound)).one()
        closes_at = round_.closes_at
    _advance_to(stack, closes_at - timedelta(hours=24))
    say.step("A day before the deadline: one reminder, only to people with unanswered intros.")
    say.flush()
    _advance_to(stack, closes_at - timedelta(hours=20))
    say.step(
        "Singapore, the next morning: Wei, Priya, Daniel, Mei, Arjun, Hui Min and Kenji answer after the reminder."
    )
    for key, answers in SPEED_LATE.items():
        _answer_card(stack, people[key], answers)
    say.flush()
    _advance_to(stack, closes_at + timedelta(minutes=1))
    say.step("Thursday 18:00 in Berlin: speed dating closes; the hosts get counts, never who said what.")
    say.flush()
    with stack.session_factory() as session:
        intro = session.get(SpeedIntro, refused) if refused else None
        pair = frozenset((intro.participant_id, intro.candidate_id)) if intro else frozenset()
        closed = session.scalars(select(SpeedRound)).one().status == "closed"
    _expect(result, closed, "the speed-dating round closed at its deadline")
    _expect(result, bool(pair), "Jörg said no to one candidate")
    return pair, ranked


CREATOR, GOVERNANCE, NOCODE = (
    "Creator skills for leaders",
    "Enterprise governance for newcomers",
    "No-code automation",
)
# role -> two profiles: (can teach from the fields, wants to learn from the fields, other teach, other learn)
TOPICS = {
    "digital": (
        ([CREATOR], [GOVERNANCE], "short video", "stakeholder maps"),
        ([NOCODE], [GOVERNANCE], "AI assistants", "budget planning"),
    ),
    "context": (
        ([GOVERNANCE], [CREATOR], "stakeholder maps", "short video"),
        ([GOVERNANCE], [NOCODE], "budget planning", "AI assistants"),
    ),
    "both": (
        ([NOCODE, GOVERNANCE], [CREATOR], "AI assistants", "short video"),
        ([CREATOR], [NOCODE], "short video", "budget planning"),
    ),
}
VALUE_KEYS = ("curiosity", "trust", "openness", "courage", "respect", "reliability", "humour", "fairness", "growth")

DEPARTMENTS = {
    "ana": "Social Media",
    "joerg": "Finanzen",
    "lena": "Marketing",
    "klaus": "Einkauf",
    "mia": "Product Design",
    "tobias": "Recht",
    "joana": "Customer Care",
    "rui": "Operations",
    "ines": "Data",
    "miguel": "Sales",
    "sofia": "HR",
    "ben": "Engineering",
    "olivia": "Strategy",
    "ethan": "Growth",
    "grace": "Compliance",
    "noah": "IT",
    "emma": "Finance",
    "wei": "Content",
    "priya": "Risk",
    "daniel": "Analytics",
    "mei": "Procurement",
    "arjun": "Innovation",
    "huimin": "Community",
    "kenji": "Legal",
}
ABOUT = {
    "digital": "I'm {name}; I run our short-video experiments and automate boring steps with no-code tools.",
    "context": "I'm {name}; I've seen many projects come and go and know who needs to say yes, and why.",
    "both": "I'm {name}; I moved from the field into a digital role and enjoy translating between both worlds.",
}
