"""Global middleware: one database session per request, and the clock, in the Bolt context."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock


def register(app: App, *, session_factory: sessionmaker[Session], clock: Clock) -> None:
    @app.middleware
    def db_session(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        # Bolt runs the listener after the whole middleware chain has returned (``next()`` only lets it go on),
        # so the session cannot be a ``with`` block here: it is closed when the request is done, below.
        context["db"] = session_factory()
        context["clock"] = clock
        return next()

    dispatch = app.dispatch

    def dispatch_and_close(req: BoltRequest) -> BoltResponse:
        """Every entry (HTTP and Socket Mode) goes through ``App.dispatch``; with process_before_response the
        listener and the error handler have finished when it returns. Services commit what they change; closing
        rolls back anything left uncommitted and gives the connection back."""
        try:
            return dispatch(req)
        finally:
            session = req.context.get("db")
            if session is not None:
                session.close()

    app.dispatch = dispatch_and_close  # type: ignore[method-assign]
