"""Tandem wired to the sandbox in one process: the unchanged Bolt app behind the production WSGI server
on loopback (or, with ``socket_mode=True``, connected to the sandbox over Socket Mode as ``tandem serve`` with
SLACK_APP_TOKEN is), the outbox worker and the clock tick, all on one (usually simulated) clock.

The demo and the end-to-end tests use this; nothing here is used in production.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import crypto
from bot.app import REDIRECT_PATH, build_app
from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.db import make_engine, make_session_factory, upgrade
from bot.jobs import DUE_JOBS, NEXT_DUE
from bot.sandbox.server import Sandbox
from bot.sandbox.socket_mode import close_client
from bot.scheduler import Leadership, run_tick
from bot.services import outbox
from bot.services.ticks import MINUTE, next_due, next_tick, probe
from bot.slack.client import outbox_client
from bot.slack.install import TokenClients, installation_store
from bot.slack.sender import Worker
from bot.socket_mode import TandemSocketMode
from bot.web import TandemWSGI, make_server

VERIFY_MODES = ("off", "edge", "full")
VERIFY_EVERY = timedelta(hours=3)
SIGNING_SECRET = "sandbox-signing-secret"
BOT_TOKEN = "xoxb-sandbox-token"
APP_TOKEN = "xapp-sandbox-token"


class LocalStack:
    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock | None = None,
        migrate: bool = True,
        sandbox_options: dict[str, Any] | None = None,
        oauth: bool = False,
        verify_jumps: str = "off",
        engine: Engine | None = None,
        socket_mode: bool = False,
    ) -> None:
        self.database_url = database_url
        # Slack's deliveries as Socket Mode envelopes (TandemSocketMode, the sandbox's link) instead of HTTP
        self.socket_mode = socket_mode
        # an engine to run on instead of one of its own (the tests share one per database, so what SQLAlchemy
        # compiled for one test serves the next); a restart still closes its connections and starts afresh
        self._engine = engine
        self.clock = clock or SystemClock()
        self.migrate = migrate
        # several workspaces: Tandem has no bot token of its own; workspaces install it over OAuth from the sandbox
        self.oauth = oauth
        if verify_jumps not in VERIFY_MODES:
            raise ValueError(f"verify_jumps is one of {VERIFY_MODES}")
        # checks that a jump skips no work (``_verify_quiet``): off; "edge": the minute before each jump's end;
        # "full": also the minutes after its start and one every VERIFY_EVERY between
        self.verify_jumps = verify_jumps
        self.sandbox = Sandbox(
            signing_secret=SIGNING_SECRET,
            bot_token=BOT_TOKEN,
            app_token=APP_TOKEN,
            clock=self.clock,
            **(sandbox_options or {}),
        )
        self._server: Any = None
        self._socket: TandemSocketMode | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> LocalStack:
        crypto.ensure()  # TANDEM_SECRET_KEY, else a key of this process's own (the demo throws its database away)
        if self.migrate:
            upgrade(self.database_url)
        self.sandbox.start()
        self._start_tandem()
        return self

    def restart(self) -> None:
        """Stop every Tandem process and start fresh ones on the same database and the same Slack, as a
        deploy or a crash would. Nothing survives in memory; all state must come back from the database."""
        self._stop_tandem()
        self._start_tandem()

    def _start_tandem(self) -> None:
        slack: dict[str, Any] = {"SLACK_BOT_TOKEN": BOT_TOKEN}
        if self.socket_mode:
            slack["SLACK_APP_TOKEN"] = APP_TOKEN
        if self.oauth:
            slack = {
                "SLACK_BOT_TOKEN": None,
                "SLACK_APP_TOKEN": None,
                "SLACK_CLIENT_ID": self.sandbox.oauth.client_id,
                "SLACK_CLIENT_SECRET": self.sandbox.oauth.client_secret,
                "SLACK_AUTHORIZE_URL": self.sandbox.oauth.authorize_url,
            }
        self.settings: Settings = load_settings(
            DATABASE_URL=self.database_url,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=self.sandbox.api_url,
            **slack,
        )
        self.engine = self._engine or make_engine(self.settings.database_url)
        self.session_factory = make_session_factory(self.engine)
        self.app = build_app(self.settings, session_factory=self.session_factory, clock=self.clock)
        if self.socket_mode:
            self._socket = TandemSocketMode(self.app, APP_TOKEN)
            self._socket.connect()  # apps.connections.open, then the WebSocket (``start`` would also block)
        else:
            self._serve_http()
        # Slack hears back at the listener's ack; the sandbox's next step waits until the handling is done
        self.sandbox.after_delivery = self.app.tandem_inflight.wait_idle
        client = outbox_client(token=BOT_TOKEN, base_url=self.sandbox.api_url)
        client_for: Callable[[str], WebClient] = lambda _team: client  # noqa: E731
        if self.oauth:
            self.sandbox.oauth.redirect_url = f"{self.base_url}{REDIRECT_PATH}"  # as configured in the app's settings
            # each workspace's token from the installation store, kept for a minute of the stack's clock
            client_for = TokenClients(
                installation_store(self.settings, self.engine),
                base_url=self.sandbox.api_url,
                monotonic=lambda: self.clock.now().timestamp(),
            )
        self.worker = Worker(self.session_factory, client_for, self.clock, worker_id="stack-worker")
        self.leadership = Leadership(self.engine)

    def _serve_http(self) -> None:
        """The production WSGI entry on loopback, at ``sandbox.app_url``."""
        self._server = make_server(
            TandemWSGI(
                self.app,
                self.engine,
                signing_secret=self.settings.slack_signing_secret,
                max_body=self.settings.max_body_bytes,
            ),
            host="127.0.0.1",
            port=0,
            threads=4,
        )
        # The server's loop waits this long in select() between its checks: short, so that a stop between tests takes
        # 50 ms, not a second. Set on the server's settings, because waitress reads ``asyncore_loop_timeout`` as whole
        # seconds: passed as 0.05 it became 0, and the loop spun on select() thousands of times a second, taking
        # turns at the interpreter lock with the requests it serves.
        self._server.adj.asyncore_loop_timeout = 0.05
        self._thread = threading.Thread(target=self._serve, args=(self._server,), name="tandem-web", daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.effective_port}"
        self.sandbox.app_url = f"{self.base_url}/slack/events"

    @staticmethod
    def _serve(server: Any) -> None:
        with contextlib.suppress(OSError):  # the socket closed under the loop's select(): how it stops
            server.run()

    def _stop_tandem(self) -> None:
        if self._socket is not None:
            close_client(self._socket.client, self.sandbox.link)
            self._socket = None
        if self._server is not None:
            # let the request threads finish before the loop's wake-up pipe closes under them
            self._server.task_dispatcher.shutdown(timeout=5)
            self._server.close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if hasattr(self, "leadership"):
            self.leadership.release()
        if hasattr(self, "worker"):
            self.worker.close()
        if hasattr(self, "engine"):
            self.engine.dispose()

    def stop(self) -> None:
        self._stop_tandem()
        self.sandbox.stop()

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

    def next_due(self) -> tuple[datetime | None, datetime | None]:
        """When the clock's next job may act (``bot.jobs.NEXT_DUE``), and when the worker may next send."""
        with self.session_factory() as session:
            jobs = next_due(session, now=self.clock.now(), nexts=NEXT_DUE)
            sends = outbox.next_due(session, self.clock.now())
            session.rollback()
        return jobs, sends

    def advance(self, delta: timedelta) -> Counter[str]:
        """Move a simulated clock forward by ``delta`` as production would: the clock ticking each whole minute from
        now, then sending what is due, and the worker sending each message at its moment (a retry's backoff) in
        between. Quiet minutes (nothing due: ``next_due``) are skipped: the clock jumps to the next minute where a
        job may act, or to the next send. It always ticks at the end of ``delta``.

        With ``verify_jumps``, each jump first checks that no job changes anything in minutes it skips."""
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise TypeError("advance() needs a SimulatedClock")
        total: Counter[str] = Counter()
        origin = now = self.clock.now()
        until = now + delta
        while now < until:
            jobs, sends = self.next_due()
            target = next_tick(now, until=until, due=jobs, origin=origin)
            send_only = sends is not None and now < sends < target  # (one held back now goes at the next tick)
            if send_only:
                target = sends
            if self.verify_jumps != "off":
                self._verify_quiet(now, target, origin)
            advance(target - now)
            now = target
            total.update(self.worker.drain() if send_only else self.settle())
        return total

    def _verify_quiet(self, now: datetime, target: datetime, origin: datetime) -> None:
        """Each job, run at the minutes the clock skips between ``now`` and ``target`` (its ticks: ``origin`` + whole
        minutes), writes nothing: else the jump skipped work. Rolled back. The last skipped minute is where work missed
        by a late moment shows first; "full" also probes the first two and one every ``VERIFY_EVERY``."""
        first = origin + ((now - origin) // MINUTE + 1) * MINUTE  # the first tick after now
        last = origin + (-((origin - target) // MINUTE) - 1) * MINUTE  # the last tick before target
        if last < first:
            return  # no tick skipped
        probes = {last}
        if self.verify_jumps == "full":
            probes |= {first, first + MINUTE}
            probes |= {first + VERIFY_EVERY * k for k in range(1, (last - first) // VERIFY_EVERY + 1)}
        for when in sorted(p for p in probes if first <= p <= last):
            for name, job in DUE_JOBS.items():
                writes = probe(self.engine, self.session_factory, job, when)
                if writes:
                    raise AssertionError(
                        f"{name} acts at {when:%Y-%m-%d %H:%M} but the clock would jump from "
                        f"{now:%Y-%m-%d %H:%M} to {target:%Y-%m-%d %H:%M}: {writes[0][:200]}"
                    )
