"""Global middleware: one database session per request, and the clock, in the Bolt context."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock


def register(app: App, *, session_factory: sessionmaker[Session], clock: Clock) -> None:
    @app.middleware
    def db_session(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        # Listeners run before the response (process_before_response), so the session outlives them;
        # services commit what they change, anything left uncommitted is rolled back on close.
        with session_factory() as session:
            context["db"] = session
            context["clock"] = clock
            return next()
