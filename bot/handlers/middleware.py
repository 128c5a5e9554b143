"""Global middleware: one database session per request, and the clock, in the Bolt context; each Slack event is
handled once, however often Slack delivers it (``bot.services.events``); and Slack is answered as soon as a
listener acknowledges, while the listener goes on in a thread of its own (``dispatch_acked``)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, metrics
from bot.clock import Clock
from bot.domain.text import clean_payload
from bot.services import events

log = logging.getLogger(__name__)


ACK_WAIT = 2.5  # seconds a listener has to acknowledge before Slack gets an empty 200 (Slack waits 3)
EVENT_GRACE = 1.0  # seconds an event's handling may take before it is acknowledged and goes on after the answer
# Listener threads: requests are handled here while the HTTP (or Socket Mode) thread answers Slack.
_LISTENERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="tandem-listener")


def register(app: App, *, session_factory: sessionmaker[Session], clock: Clock) -> None:
    inflight = Inflight()

    @app.middleware
    def db_session(context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        # Bolt runs the listener after the whole middleware chain has returned (``next()`` only lets it go on),
        # so the session cannot be a ``with`` block here: it is closed when the request is done, below.
        clean_payload(body)  # no NUL nor lone surrogate reaches a listener (Bolt's payload views share this dict)
        session = context["db"] = session_factory()
        context["clock"] = clock
        if not context.response_url:
            # Bolt builds a respond() that raises when there is no response_url (a button in App Home or a modal):
            # None, so that ``context.respond is not None`` means there is somewhere to respond to
            context["respond"] = None
        logs.TEAM.set(context.team_id)  # this request's log lines carry its workspace (its own thread's context)
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            team_id = str(body.get("team_id") or context.team_id or "")
            if not events.claim(session, event_id=event_id, team_id=team_id, now=clock.now()):
                log.info("event %s already handled or being handled: acknowledged, not handled again", event_id)
                metrics.EVENTS_DUPLICATE.inc()
                return BoltResponse(status=200, body="")
            context["event_id"] = event_id
        return next()

    dispatch = app.dispatch

    def run(req: BoltRequest) -> BoltResponse:
        """The whole handling of one request, in a listener thread; closes the session and records the event's
        outcome when it is done."""
        response: BoltResponse | None = None
        try:
            response = dispatch(req)
            return response
        finally:
            logs.TEAM.set(None)  # the thread serves other requests next
            session = req.context.get("db")
            if session is not None:
                session.close()
            event_id = req.context.get("event_id")
            if event_id:
                with session_factory() as done:
                    ok = response is not None and response.status < 400
                    events.finish(done, event_id=event_id, ok=ok, now=clock.now())

    def dispatch_acked(req: BoltRequest) -> BoltResponse:
        """Every entry (HTTP and Socket Mode) goes through ``App.dispatch``. The listener runs in a thread of its
        own, and Slack gets its answer as soon as the listener acknowledges (``ack()``), whatever the listener
        does after that: slow work never delays the acknowledgement Slack waits 3 seconds for. An event (which
        Bolt acknowledges when its listener is done) is answered when it is handled, or after EVENT_GRACE with a
        200 while its handling goes on; so a handling that fails quickly still lets Slack retry it.
        Services commit what they change; closing rolls back anything left uncommitted."""
        ready = threading.Event()
        ack = _SignallingAck(ready, req.context)
        req.context["ack"] = ack
        inflight.started()
        try:
            future = _LISTENERS.submit(run, req)
        except BaseException:
            inflight.finished()
            raise

        def done(finished: Any) -> None:
            ready.set()
            inflight.finished()
            failure = finished.exception()
            if failure is not None:  # past Bolt's error handler (a middleware failed): never silent
                log.error("handling a request failed", exc_info=failure)

        future.add_done_callback(done)
        is_event = isinstance(req.body, dict) and req.body.get("type") == "event_callback"
        ready.wait(EVENT_GRACE if is_event else ACK_WAIT)
        if future.done():
            return future.result()
        late = ack.answered_without()
        if late is not None:
            return late  # acknowledged meanwhile
        if not is_event:
            log.warning("a listener did not acknowledge within %.1f s: answered; its answer follows", ACK_WAIT)
        return BoltResponse(status=200, body="")

    app.dispatch = dispatch_acked  # type: ignore[method-assign]
    app.tandem_inflight = inflight  # type: ignore[attr-defined]


class _SignallingAck(Ack):
    """Bolt's ``ack`` that also says when it was called. If Slack already got its answer (the listener took longer
    than ACK_WAIT), what the listener acknowledges with goes through the response_url instead, so it still reaches
    the person; only a modal's field errors cannot come late (the modal has closed), which is logged."""

    def __init__(self, called: threading.Event, context: BoltContext) -> None:
        super().__init__()
        self._called = called
        self._context = context
        self._lock = threading.Lock()
        self.too_late = False

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        with self._lock:
            response = super().__call__(*args, **kwargs)
            late = self.too_late
        self._called.set()
        if late:
            self._follow_up(response)
        return response

    def answered_without(self) -> BoltResponse | None:
        """Slack is being answered without this ack: from now on it is too late. Returns the ack's response if it
        came just now after all."""
        with self._lock:
            if self.response is not None:
                return self.response
            self.too_late = True
            return None

    def _follow_up(self, response: BoltResponse) -> None:
        try:
            body = json.loads(response.body) if response.body else {}
        except ValueError:
            body = {"text": response.body}
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            if isinstance(body, dict) and body.get("response_action"):
                log.warning("a modal's answer (%s) came too late for Slack", body.get("response_action"))
            return
        respond = self._context.respond
        if respond is None:
            log.warning("a late answer had no response_url to go to")
            return
        respond(
            text=body.get("text") or "",
            blocks=body.get("blocks"),
            response_type=body.get("response_type") or "ephemeral",
            replace_original=False,
        )


class Inflight:
    """How many requests are still being handled (after their acknowledgement, too). The sandbox waits for none
    to be left before its next step, so tests and the demo read a settled world."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def started(self) -> None:
        with self._idle:
            self._count += 1

    def finished(self) -> None:
        with self._idle:
            self._count -= 1
            if self._count == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout=timeout)
