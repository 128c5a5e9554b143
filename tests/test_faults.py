"""Fault tests on PostgreSQL, with real processes on loopback: ``tandem worker`` is killed with SIGKILL in the middle of
a 2,000-message fan-out, and PostgreSQL is restarted under a running worker. Every message must reach the sandbox
exactly once. Each test is bounded (it fails, never hangs) and stops what it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot.models import OutboxMessage, OutboxStatus
from bot.sandbox.server import Sandbox
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET
from bot.services import outbox, people

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

USERS = 200
PER_USER = 10  # 2,000 messages


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("fault tests with several processes need PostgreSQL (set TANDEM_TEST_DATABASE_URL)")
    return database_url


def _wait(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Workers:
    """``tandem worker`` processes against the sandbox, with Slack limits off; all stopped at the end."""

    def __init__(self, database_url: str, api_url: str, tmp: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "TANDEM_CHANNEL_INTERVAL": "0",
            "TANDEM_WORKSPACE_BUDGET": "100000",
            "TANDEM_LOG_FORMAT": "text",
        }
        self.env.pop("SLACK_APP_TOKEN", None)
        self.tmp = tmp
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--interval", "0.05"],
            env=self.env,
            cwd=self.tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp.glob("worker-*.log")))


@pytest.fixture
def fanout(pg_url: str, session_factory, tmp_path: Path) -> Iterator[tuple[Sandbox, Workers, dict[str, list[str]]]]:
    """A sandbox with 200 people and 2,000 queued messages (10 each, in order)."""
    with Sandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sandbox:
        users = [sandbox.add_user(f"Person {i}") for i in range(USERS)]
        now = datetime.now(UTC)
        expected: dict[str, list[str]] = {}
        with session_factory() as s:
            ws = people.get_or_create_workspace(s, team_id=sandbox.team_id, bot_user_id=sandbox.bot_user_id, now=now)
            for n in range(PER_USER):
                for user in users:
                    msg = f"{user} #{n}"
                    expected.setdefault(user, []).append(msg)
                    outbox.post(
                        s, workspace_id=ws.id, channel=user, message={"text": msg}, now=now, about=outbox.NOBODY
                    )
            s.commit()
        workers = Workers(pg_url, sandbox.api_url, tmp_path)
        try:
            yield sandbox, workers, expected
        finally:
            sandbox.unstall()
            workers.stop_all()


def _delivered(sandbox: Sandbox, users: list[str]) -> dict[str, list[str]]:
    out = {}
    for user in users:
        dm = sandbox.dm_channel(user)
        out[user] = [m["text"] for m in sandbox.messages(dm)] if dm else []
    return out


def _counts(session_factory) -> Counter[str]:
    with session_factory() as s:
        return Counter(dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))


def _posts(sandbox: Sandbox) -> int:
    return sum(1 for c in sandbox.calls if c["method"] == "chat.postMessage" and c["ok"])


def test_a_worker_killed_mid_fanout_and_restarted_delivers_every_message_exactly_once(fanout, session_factory) -> None:
    """Two workers share the fan-out; the one whose post is in flight is killed between Slack's answer and the
    commit, and started again. The other goes on meanwhile and takes back the dead one's claims."""
    sandbox, workers, expected = fanout
    sandbox.stall("chat.postMessage", 700)  # the 700th post is carried out, its answer held back
    both = {p.pid: p for p in (workers.start(), workers.start())}
    _wait(sandbox.stalled.is_set, timeout=120, what="the 700th post")
    assert sandbox.stalled_call is not None
    message_id = int(sandbox.stalled_call["metadata"]["event_payload"]["key"].split("-")[0])
    with session_factory() as s:
        owner = s.get(OutboxMessage, message_id).claimed_by
    victim = both[int(owner.split(":")[1])]  # worker ids are host:pid:random
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    sandbox.unstall()
    workers.start()
    _wait(
        lambda: _counts(session_factory) == Counter({OutboxStatus.SENT: USERS * PER_USER}),
        timeout=180,
        what=f"all messages sent ({_counts(session_factory)})\n{workers.logs()}",
    )
    assert _delivered(sandbox, list(expected)) == expected  # each once, each conversation in order
    assert _posts(sandbox) == USERS * PER_USER - 0  # no post twice, the lost one included
    lookups = sandbox.calls_to("conversations.history")
    assert lookups, "the message in doubt was looked up before a resend"
    with session_factory() as s:
        assert s.scalar(select(func.count()).where(OutboxMessage.in_doubt)) == 0


def _restart_postgres(url: str) -> str:
    """Restart the server when this machine lets us (root, pg_ctlcluster); otherwise end every connection to the
    test database, which is what clients see of a restart (also when TANDEM_TEST_NO_PG_RESTART is set, for a machine
    whose server others are using). Returns what was done."""
    cluster = Path("/etc/postgresql")
    may_restart = not os.environ.get("TANDEM_TEST_NO_PG_RESTART") and os.geteuid() == 0
    if may_restart and shutil.which("pg_ctlcluster") and cluster.is_dir() and any(cluster.iterdir()):
        version = sorted(p.name for p in cluster.iterdir())[0]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
            check=True,
            timeout=60,
            capture_output=True,
        )
        return "restarted"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": make_url(url).database},
            )
    finally:
        admin.dispose()
    return "connections ended"


@pytest.mark.serial  # restarts the server every other test's database is on: run alone (see the Makefile)
def test_postgres_restarted_under_a_running_worker_and_tandem_recovers_by_itself(
    fanout, session_factory, pg_url
) -> None:
    sandbox, workers, expected = fanout
    sandbox.stall("chat.postMessage", 500)  # the database goes away while a post is in flight
    workers.start()
    _wait(sandbox.stalled.is_set, timeout=120, what="the 500th post")
    done = _restart_postgres(pg_url)
    sandbox.unstall()
    session_factory.kw["bind"].dispose()  # this test's own pooled connections died with the server
    _wait(
        lambda: _pg_up(session_factory) and _counts(session_factory) == Counter({OutboxStatus.SENT: USERS * PER_USER}),
        timeout=180,
        what=f"all messages sent after the database was {done} ({_safe_counts(session_factory)})\n{workers.logs()}",
    )
    assert _delivered(sandbox, list(expected)) == expected
    assert _posts(sandbox) == USERS * PER_USER
    assert workers.procs[0].poll() is None  # the same worker, still running: it recovered by itself


def _pg_up(session_factory) -> bool:
    try:
        with session_factory() as s:
            s.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _safe_counts(session_factory) -> object:
    try:
        return _counts(session_factory)
    except Exception as exc:
        return type(exc).__name__
