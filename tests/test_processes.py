"""The worker and clock processes as an operator runs them, and clock leadership on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.models import ClockTick, OutboxMessage, OutboxStatus
from bot.sandbox.server import Sandbox
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET
from bot.scheduler import Leadership
from bot.services import outbox, people


def _env(database_url: str, api_url: str = "http://127.0.0.1:9/api/") -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


def test_tandem_worker_once_sends_what_is_due(database_url: str, session_factory, tmp_path) -> None:
    with Sandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sandbox:
        user = sandbox.add_user("Ana", tz="Europe/Berlin", locale="de-DE")
        with session_factory() as s:
            ws = people.get_or_create_workspace(s, team_id=sandbox.team_id, bot_user_id=None, now=datetime.now(UTC))
            outbox.enqueue(
                s,
                workspace_id=ws.id,
                method="chat.postMessage",
                payload={"channel": user, "text": "queued earlier"},
                now=datetime.now(UTC),
                about=outbox.NOBODY,
            )
            s.commit()
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", "worker", "--once"],
            env=_env(database_url, sandbox.api_url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert [m["text"] for m in sandbox.messages(sandbox.dm_channel(user))] == ["queued earlier"]
    with session_factory() as s:
        assert s.scalars(select(OutboxMessage.status)).one() == OutboxStatus.SENT


def test_tandem_clock_ticks_once_per_minute_and_stops_cleanly(database_url: str, session_factory, tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "clock"],
        env=_env(database_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        ticks = 0
        while time.monotonic() < deadline and not ticks:
            time.sleep(0.2)
            with session_factory() as s:
                ticks = s.scalar(select(func.count()).select_from(ClockTick)) or 0
        assert ticks == 1  # the tick at start-up; the next comes at the top of the minute
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_only_one_clock_leads_on_postgresql(engine) -> None:
    if engine.dialect.name != "postgresql":
        assert Leadership(engine).is_leader()  # SQLite: one process, always the leader
        return
    first, second = Leadership(engine), Leadership(engine)
    try:
        assert first.is_leader()
        assert first.is_leader()  # still holding
        assert not second.is_leader()
        first.release()  # the leader goes away; the standby takes over
        assert second.is_leader()
    finally:
        first.release()
        second.release()


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "downgrade", "base"]])
def test_db_commands_run(command: list[str], scratch, tmp_path) -> None:
    url = scratch.new("sqlite")
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", *command],
        env=_env(url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "database at" in proc.stdout


def test_a_killed_leaders_lock_is_free_for_the_standby(database_url: str, session_factory, tmp_path) -> None:
    """Two ``tandem clock`` processes on PostgreSQL: the second stands by while the first holds the advisory lock;
    killed with SIGKILL, the first leaves the lock to the server, so the next clock that asks leads. The standby
    asks again at each minute's tick (``run_tick`` asks ``is_leader`` every time; ``test_only_one_clock_leads``
    shows a standby taking over once the lock is free); here the test asks in its place rather than wait up to a
    minute for the standby's next tick."""
    if not database_url.startswith("postgresql"):
        pytest.skip("leadership between processes is PostgreSQL's advisory lock; SQLite runs one clock")
    env = {**_env(database_url), "TANDEM_LOG_FORMAT": "text"}

    def start(name: str) -> subprocess.Popen[str]:
        out = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed when the test ends)
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "clock"], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )

    def ticks() -> list[datetime]:
        with session_factory() as s:
            return list(s.scalars(select(ClockTick.minute)))

    leader = start("leader")
    standby = None
    asker = Leadership(session_factory.kw["bind"])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not ticks():
            time.sleep(0.2)
        assert len(ticks()) == 1  # the leader's tick at start-up
        standby = start("standby")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "standing by" not in (tmp_path / "standby.log").read_text():
            time.sleep(0.2)
        assert "standing by" in (tmp_path / "standby.log").read_text()
        assert len(ticks()) == 1  # the standby did not act
        assert not asker.is_leader()  # the killed-to-be leader still holds the lock
        leader.kill()
        leader.wait(timeout=10)
        deadline = time.monotonic() + 20  # the server notices the closed connection and ends its session
        while time.monotonic() < deadline and not asker.is_leader():
            time.sleep(0.1)
        assert asker.is_leader(), (tmp_path / "leader.log").read_text()[-2000:]
        assert standby.poll() is None  # the standby keeps running, asking at each tick
    finally:
        asker.release()
        for proc in (leader, standby):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
