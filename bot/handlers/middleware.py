"""Global middleware: one database session per request, and the clock, in the Bolt context; each Slack event is
handled once, however often Slack delivers it (``bot.services.events``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, metrics
from bot.clock import Clock
from bot.services import events

log = logging.getLogger(__name__)


def register(app: App, *, session_factory: sessionmaker[Session], clock: Clock) -> None:
    @app.middleware
    def db_session(context: BoltContext, body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        # Bolt runs the listener after the whole middleware chain has returned (``next()`` only lets it go on),
        # so the session cannot be a ``with`` block here: it is closed when the request is done, below.
        session = context["db"] = session_factory()
        context["clock"] = clock
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

    def dispatch_and_close(req: BoltRequest) -> BoltResponse:
        """Every entry (HTTP and Socket Mode) goes through ``App.dispatch``; with process_before_response the
        listener and the error handler have finished when it returns. Services commit what they change; closing
        rolls back anything left uncommitted and gives the connection back."""
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

    app.dispatch = dispatch_and_close  # type: ignore[method-assign]
