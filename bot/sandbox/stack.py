"""Tandem wired to the sandbox in one process: the unchanged Bolt app behind the production WSGI server
on loopback, the outbox worker and the clock tick, all on one (usually simulated) clock.

The demo and the end-to-end tests use this; nothing here is used in production.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

from bot.app import build_app
from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.db import make_engine, make_session_factory, upgrade
from bot.sandbox.server import Sandbox
from bot.scheduler import Leadership, run_tick
from bot.slack.client import outbox_client
from bot.slack.sender import Worker
from bot.web import TandemWSGI, make_server

SIGNING_SECRET = "sandbox-signing-secret"
BOT_TOKEN = "xoxb-sandbox-token"


class LocalStack:
    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock | None = None,
        migrate: bool = True,
        sandbox_options: dict[str, Any] | None = None,
    ) -> None:
        self.database_url = database_url
        self.clock = clock or SystemClock()
        self.migrate = migrate
        self.sandbox = Sandbox(
            signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, clock=self.clock, **(sandbox_options or {})
        )
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> LocalStack:
        if self.migrate:
            upgrade(self.database_url)
        self.sandbox.start()
        self.settings: Settings = load_settings(
            DATABASE_URL=self.database_url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=self.sandbox.api_url,
        )
        self.engine = make_engine(self.settings.database_url)
        self.session_factory = make_session_factory(self.engine)
        self.app = build_app(self.settings, session_factory=self.session_factory, clock=self.clock)
        self._server = make_server(TandemWSGI(self.app, self.engine), host="127.0.0.1", port=0, threads=4)
        self._thread = threading.Thread(target=self._server.run, name="tandem-web", daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.effective_port}"
        self.sandbox.app_url = f"{self.base_url}/slack/events"
        client = outbox_client(token=BOT_TOKEN, base_url=self.sandbox.api_url)
        self.worker = Worker(self.session_factory, lambda _team: client, self.clock, worker_id="stack-worker")
        self.leadership = Leadership(self.engine)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.sandbox.stop()
        if hasattr(self, "leadership"):
            self.leadership.release()
        if hasattr(self, "engine"):
            self.engine.dispose()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- time ------------------------------------------------------------------------------------------
    def tick(self) -> dict[str, int] | None:
        """One clock tick at the current time (what ``tandem clock`` does each minute)."""
        return run_tick(self.session_factory, self.clock, self.leadership)

    def settle(self) -> Counter[str]:
        """Tick, then let the worker send everything that is due now."""
        self.tick()
        return self.worker.drain()

    def advance(self, delta: timedelta) -> Counter[str]:
        """Move a simulated clock forward minute by minute, ticking and sending as production would."""
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise TypeError("advance() needs a SimulatedClock")
        total: Counter[str] = Counter()
        remaining = delta
        step = timedelta(minutes=1)
        while remaining > timedelta(0):
            advance(min(step, remaining))
            remaining -= step
            total.update(self.settle())
        return total
