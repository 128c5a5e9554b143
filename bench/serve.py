"""Serving benchmark: prints numbers, asserts no time.

    .venv/bin/python bench/serve.py [--levels 1,4,16,64] [--requests 400] [--kinds help,notes,note,home,dm]
                                    [--people 200] [--pg-url URL]

Signed Slack requests (``X-Slack-Signature`` v0 and ``X-Slack-Request-Timestamp``, as Slack signs them) at rising
concurrency against ``tandem serve`` over HTTP on PostgreSQL, and against a bare Bolt app (same signing secret,
no-op listeners that only ack) served the same way (``bot.web.TandemWSGI`` on ``bot.web.make_server``: waitress,
8 threads), both in subprocesses of their own. Slack's Web API is the sandbox, in a third process on loopback.

The database is created for the run (``tandem_bench_serve_<pid>``), migrated with ``tandem db upgrade`` and
seeded with one active program of ``--people`` onboarded participants in pairs, four weeks in, with goals, notes
and accepted agreements; it is dropped at the end, also on failure.

Kinds (each run on its own: at each level, ``--requests`` requests from as many client threads as the level, each
with a keep-alive connection; a request is built and signed just before it is sent):
    help   ``/tandem help``                         look up the caller, answer with the help text
    notes  ``/tandem notes``                        the caller's note listing (reads)
    note   ``/tandem note <text> #pair``            saves a note in the caller's pair (writes)
    home   ``app_home_opened`` event               event dedupe, App Home from the database, views.publish
    dm     ``message`` event in the DM (message.im) event dedupe, a reply queued in the outbox (writes)

Printed per level and kind: throughput (requests/s over the level's wall time) and p50 / p99 ack latency (the
time to the HTTP answer, which is when Slack sees the ack: listeners run before the answer) for Tandem and for
the bare app, and their ratio (Tandem / bare); the CPU each server process spent per request (Linux ``/proc``),
the sandbox's CPU per Tandem request (its Web API calls) and the load generator's share of a core. Non-2xx
answers and errors are counted (they must be 0), and the database is asked what the requests did.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import cpu_seconds, headline, pct, pg_database, pg_url_default

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
KINDS = ("help", "notes", "note", "home", "dm")


# -- the sandbox in a process of its own ---------------------------------------------------------------------
def _sandbox_main(users: int) -> None:
    """``--role sandbox``: serve the Web API on loopback with ``users`` members, say where on one JSON line, and
    stop when stdin closes."""
    from bot.sandbox.server import Sandbox

    box = Sandbox(signing_secret=SECRET, bot_token=TOKEN)
    box.start()
    ids = [box.add_user(f"bench{i}", tz="Europe/Berlin") for i in range(users)]
    print(
        json.dumps(
            {
                "api_url": box.api_url,
                "team_id": box.team_id,
                "bot_user_id": box.bot_user_id,
                "bot_token": TOKEN,
                "users": ids,
            }
        ),
        flush=True,
    )
    sys.stdin.read()  # until the parent closes the pipe (or dies)
    box.stop()


@contextmanager
def sandbox_process(users: int) -> Iterator[dict[str, Any]]:
    """The sandbox in a subprocess (its CPU is not ours); yields its api_url, team_id, bot_user_id, bot_token and
    the members' user ids. Stopped on leaving, also on failure."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--role", "sandbox", "--people", str(users)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox did not start (exit status {proc.wait(10)})")
        info = json.loads(line)
        info["pid"] = proc.pid
        yield info
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.stdin is not None:
        with suppress(OSError):
            proc.stdin.close()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- the bare Bolt app, served the way tandem serve serves -------------------------------------------------
def _bare_main(port: int) -> None:
    """``--role bare``: a Bolt app with the same signing secret and no-op listeners, process_before_response like
    Tandem, behind ``TandemWSGI`` on ``make_server`` (as ``tandem serve`` does)."""
    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.config import load_settings
    from bot.db import make_engine
    from bot.web import TandemWSGI, make_server

    settings = load_settings()
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=client,
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.command("/tandem")
    def _command(ack: Ack) -> None:
        ack()

    @app.event("app_home_opened")
    def _home() -> None:
        pass

    @app.event("message")
    def _message() -> None:
        pass

    engine = make_engine(settings.database_url)  # /healthz only; the listeners never touch it
    server = make_server(TandemWSGI(app, engine), host="127.0.0.1", port=settings.port)
    print(f"bare bolt: HTTP on 127.0.0.1:{settings.port}", flush=True)
    server.run()


# -- requests --------------------------------------------------------------------------------------------------
def sign(body: bytes, *, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 signature (what ``slack_sdk.signature.SignatureVerifier`` checks)."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Shape:
    team_id: str
    bot_user_id: str
    users: list[str]
    dm_of: dict[str, str]
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> int:
        with self.lock:
            return next(self.serial)


def build(kind: str, shape: Shape, i: int) -> tuple[bytes, str]:
    """Body and content type of request ``i`` of ``kind``."""
    user = shape.users[i % len(shape.users)]
    if kind in ("help", "notes", "note"):
        note = f"note [video] Tried a 30 second storyboard ({i}) #pair"
        text = {"help": "help", "notes": "notes", "note": note}[kind]
        form = {
            "token": "legacy",
            "team_id": shape.team_id,
            "team_domain": "bench",
            "channel_id": shape.dm_of[user],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/tandem",
            "text": text,
            "api_app_id": "A0TANDEM",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/response/none",
            "trigger_id": f"{i}.1.bench",
        }
        return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    serial = shape.next()
    ts = f"{int(time.time())}.{serial:06d}"
    if kind == "home":
        event = {"type": "app_home_opened", "user": user, "channel": shape.dm_of[user], "tab": "home", "event_ts": ts}
    elif kind == "dm":
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": shape.dm_of[user],
            "user": user,
            "text": f"hello Tandem ({i})",
            "ts": ts,
            "event_ts": ts,
        }
    else:
        raise ValueError(kind)
    envelope = {
        "token": "legacy",
        "team_id": shape.team_id,
        "context_team_id": shape.team_id,
        "api_app_id": "A0TANDEM",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{os.getpid()}B{serial:09d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": shape.team_id, "user_id": shape.bot_user_id, "is_bot": True}],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope).encode(), "application/json"


@dataclass
class Level:
    latencies: list[float]  # seconds, of the 2xx answers
    wall: float
    failures: dict[str, int]  # HTTP status (or exception name) -> count
    client_cpu: float  # CPU seconds of this process (the load generator) during the level
    server_cpu: float = math.nan  # CPU seconds of the server's process during the level
    sandbox_cpu: float = math.nan  # CPU seconds of the sandbox's process (the Web API calls) during the level

    def per_request(self, seconds: float) -> float:
        """``seconds`` in ms per answered request."""
        return 1000 * seconds / len(self.latencies) if self.latencies else math.nan

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        """The ``q`` quantile in ms (nearest rank)."""
        return 1000 * pct(self.latencies, q)


def load(port: int, kind: str, shape: Shape, *, concurrency: int, requests: int) -> Level:
    """``requests`` signed POSTs of ``kind`` to ``/slack/events`` from ``concurrency`` threads, each with its own
    keep-alive connection; a request is built and signed right before it is sent."""
    counter = itertools.count()
    counter_lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[dict[str, int]] = [{} for _ in range(concurrency)]
    start = threading.Barrier(concurrency + 1)

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, failed = latencies[slot], failures[slot]
        start.wait()
        while True:
            with counter_lock:
                i = next(counter)
            if i >= requests:
                break
            body, content_type = build(kind, shape, i)
            headers = {"Content-Type": content_type, **sign(body)}
            t = time.perf_counter()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
                continue
            elapsed = time.perf_counter() - t
            if 200 <= status < 300:
                mine.append(elapsed)
            else:
                failed[str(status)] = failed.get(str(status), 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    t, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    merged: dict[str, int] = {}
    for f in failures:
        for k, v in f.items():
            merged[k] = merged.get(k, 0) + v
    return Level([x for xs in latencies for x in xs], wall, merged, cpu)


# -- processes -----------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, proc: subprocess.Popen[Any], name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with status {proc.returncode} before answering /healthz")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer /healthz within {timeout:.0f} s")


def _tandem_bin() -> list[str]:
    script = Path(sys.executable).parent / "tandem"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path, cwd: str) -> Iterator[subprocess.Popen[Any]]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            yield proc
        finally:
            _stop(proc)


_KEY: list[str] = []  # one secret key for the run's processes (serve, worker and clock refuse to start without)


def _env(database_url: str, api_url: str, port: int) -> dict[str, str]:
    from bot.crypto import new_key

    if not _KEY:
        _KEY.append(new_key())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TANDEM_", "DATABASE_URL", "PORT"))}
    env.update(
        TANDEM_SECRET_KEY=_KEY[0],
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return env


# -- the run ---------------------------------------------------------------------------------------------------
def _seed(url: str, users: list[str], team_id: str, bot_user_id: str) -> dict[str, int]:
    from sqlalchemy import create_engine

    from bench.delivery import seed

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return seed(
                conn,
                pairs=len(users) // 2,
                weeks_done=4,
                seed_value=7,
                user_ids=users,
                team_id=team_id,
                bot_user_id=bot_user_id,
                admin_channel_id=None,
                notes_per_pair=6,
            )
    finally:
        engine.dispose()


def _effects(url: str, sent: dict[str, int]) -> str:
    """Proof the requests did real work: what the database holds after them, next to what was sent."""
    from sqlalchemy import create_engine, func, select

    from bot.models import Note, OutboxMessage, SlackEvent

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            notes = conn.scalar(select(func.count()).select_from(Note).where(Note.text.like("Tried a 30 second%")))
            replies = conn.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.like("dm:%"))
            )
            events = conn.scalar(select(func.count()).select_from(SlackEvent).where(SlackEvent.done_at.is_not(None)))
    finally:
        engine.dispose()
    return (
        f"{notes} notes saved for {sent.get('note', 0)} `/tandem note`s, {replies} DM replies queued for"
        f" {sent.get('dm', 0)} message.im events, {events} events handled once for"
        f" {sent.get('home', 0) + sent.get('dm', 0)} events sent"
    )


def _log_summary(path: Path) -> str:
    """How many lines of each level and message the JSON log has (messages with their numbers blanked)."""
    import re
    from collections import Counter

    counts: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
            key = f"{record.get('level', '?')} {re.sub(r'[0-9]+', 'N', str(record.get('message', '')))[:90]}"
        except ValueError:
            key = f"text {line[:90]}"
        counts[key] += 1
    return f"{sum(counts.values())} lines" + "".join(f"\n    {n:6d} x {key}" for key, n in counts.most_common(6))


def _row(level: int, kind: str, tandem: Level, bare: Level) -> str:
    t50, t99, b50, b99 = tandem.pct(0.5), tandem.pct(0.99), bare.pct(0.5), bare.pct(0.99)
    return (
        f"{level:>5} {kind:<6}"
        f" | {tandem.throughput:7.1f} {t50:7.1f} {t99:7.1f} {tandem.per_request(tandem.server_cpu):6.2f}"
        f" | {bare.throughput:7.1f} {b50:7.1f} {b99:7.1f} {bare.per_request(bare.server_cpu):6.2f}"
        f" | {t50 / b50:5.1f} {t99 / b99:5.1f} {tandem.throughput / bare.throughput:6.3f}"
        f" | {sum(tandem.failures.values()):>3} {sum(bare.failures.values()):>3}"
        f" | {tandem.per_request(tandem.sandbox_cpu):6.2f}"
        f" | {100 * tandem.client_cpu / tandem.wall:3.0f} {100 * bare.client_cpu / bare.wall:3.0f}"
    )


HEADER = (
    f"{'':12} | {'tandem serve':^30} | {'bare Bolt':^30} | {'tandem / bare':^18} | {'non-2xx':^7} | {'Slack':^6}"
    f" | {'load gen':^7}\n"
    f"{'level':>5} {'kind':<6} | {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6}"
    f" | {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6} | {'p50':>5} {'p99':>5} {'req/s':>6}"
    f" | {'t':>3} {'b':>3} | {'CPU ms':>6} | {'t %':>3} {'b %':>3}"
)
LEGEND = (
    "CPU ms: the server process's CPU per answered request; Slack CPU ms: the sandbox's (Web API calls Tandem made,\n"
    "e.g. views.publish for App Home) per request; load gen: this process's CPU, % of one core, while sending."
)


def run(args: argparse.Namespace) -> int:
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown kinds {sorted(unknown)} (choose from {', '.join(KINDS)})")
    print(headline("serve", ["postgresql"], args.pg_url))
    print(
        f"    {args.requests} requests per level and kind; tandem serve and the bare Bolt app each on waitress"
        f" (8 threads) in its own process; the sandbox Web API in a third; the load generator here"
    )
    failures = 0
    with ExitStack() as stack:  # leaves in reverse: the bare app, tandem serve, the sandbox, the database, tmp
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        url = stack.enter_context(pg_database(args.pg_url, f"tandem_bench_serve_{os.getpid()}"))
        box = stack.enter_context(sandbox_process(users=args.people))
        t = time.perf_counter()
        migrate = subprocess.run(
            [*_tandem_bin(), "db", "upgrade"],
            env=_env(url, box["api_url"], 3000),
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"tandem db upgrade failed: {migrate.stderr[-2000:]}")
        migrated = time.perf_counter() - t
        t = time.perf_counter()
        _seed(url, box["users"], box["team_id"], box["bot_user_id"])
        print(
            f"    database: migrated in {migrated:.1f} s, seeded {len(box['users'])} participants"
            f" ({len(box['users']) // 2} pairs, 4 weeks in, 6 notes a pair) in {time.perf_counter() - t:.1f} s"
        )
        tandem_port, bare_port = _free_port(), _free_port()
        tandem = stack.enter_context(
            _process(
                [*_tandem_bin(), "serve", "--host", "127.0.0.1"],
                _env(url, box["api_url"], tandem_port),
                Path(tmp) / "tandem.log",
                tmp,
            )
        )
        bare = stack.enter_context(
            _process(
                [sys.executable, str(Path(__file__).resolve()), "--role", "bare"],
                _env(url, box["api_url"], bare_port),
                Path(tmp) / "bare.log",
                tmp,
            )
        )
        _wait_healthy(tandem_port, tandem, "tandem serve")
        _wait_healthy(bare_port, bare, "the bare Bolt app")
        dms = {u: f"D{u[1:]}" for u in box["users"]}
        shape = Shape(box["team_id"], box["bot_user_id"], list(box["users"]), dms)
        sent: dict[str, int] = dict.fromkeys(kinds, 0)  # 2xx answers from Tandem, by kind
        totals: dict[str, dict[str, int]] = {"tandem": {}, "bare": {}}

        pids = {"tandem": tandem.pid, "bare": bare.pid}

        def measure(name: str, port: int, kind: str, concurrency: int, requests: int) -> Level:
            server, sandbox = cpu_seconds(pids[name]), cpu_seconds(box["pid"])
            result = load(port, kind, shape, concurrency=concurrency, requests=requests)
            result.server_cpu = cpu_seconds(pids[name]) - server
            result.sandbox_cpu = cpu_seconds(box["pid"]) - sandbox
            for key, count in result.failures.items():
                totals[name][key] = totals[name].get(key, 0) + count
            if name == "tandem":
                sent[kind] += len(result.latencies)
            return result

        for name, port in (("tandem", tandem_port), ("bare", bare_port)):  # warm up: imports, auth.test, pools
            for kind in kinds:
                measure(name, port, kind, 4, 20)
        print(f"\n{HEADER}\n{'-' * 132}")
        for level in levels:
            for kind in kinds:
                tandem_level = measure("tandem", tandem_port, kind, level, args.requests)
                bare_level = measure("bare", bare_port, kind, level, args.requests)
                print(_row(level, kind, tandem_level, bare_level))
        failures = sum(totals["tandem"].values()) + sum(totals["bare"].values())
        print(LEGEND)
        print(f"\nnon-2xx answers and errors: tandem {totals['tandem'] or 0}, bare {totals['bare'] or 0}")
        print(f"what Tandem did (from the database): {_effects(url, sent)}")
        for name, proc in (("tandem serve", tandem), ("bare Bolt", bare)):
            if proc.poll() is not None:
                print(f"{name} exited early with status {proc.returncode}")
                failures += 1
        print(f"tandem serve log: {_log_summary(Path(tmp) / 'tandem.log')}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,4,16,64", help="concurrency levels, comma-separated")
    parser.add_argument("--requests", type=int, default=400, help="requests per level and kind")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"request kinds ({', '.join(KINDS)})")
    parser.add_argument("--people", type=int, default=200, help="seeded participants (and sandbox members)")
    parser.add_argument(
        "--pg-url",
        default=pg_url_default(),
        help="PostgreSQL server to create (and drop) the benchmark's database on",
    )
    parser.add_argument("--role", choices=("bench", "sandbox", "bare"), default="bench", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "sandbox":
        _sandbox_main(args.people)
    elif args.role == "bare":
        _bare_main(int(os.environ["PORT"]))
    else:
        sys.exit(run(args))


if __name__ == "__main__":
    main()
