"""The per-request database session lives exactly as long as the request: the listener gets an open session, and
whatever it leaves uncommitted is rolled back and its connection returned once the request is done."""

from __future__ import annotations

from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SimulatedClock
from bot.handlers import middleware
from bot.models import Workspace
from tests.helpers import START


def test_the_session_outlives_the_listener_and_is_closed_after_the_request(
    session_factory: sessionmaker[Session],
) -> None:
    app = App(
        signing_secret="secret",
        authorize=lambda **_: AuthorizeResult(
            enterprise_id=None, team_id="T1", bot_user_id="UBOT", bot_id="B1", bot_token="xoxb-test"
        ),
        request_verification_enabled=False,
        process_before_response=True,
    )
    middleware.register(app, session_factory=session_factory, clock=SimulatedClock(START))
    seen: dict[str, object] = {}

    @app.command("/tandem")
    def probe(ack, context) -> None:  # type: ignore[no-untyped-def]
        session: Session = context["db"]
        assert session.execute(text("SELECT 1")).scalar() == 1  # open and usable while the listener runs
        session.add(Workspace(team_id="T0LEFT", created_at=START))
        session.flush()  # a write the listener never commits
        seen["session"] = session
        seen["in_transaction"] = session.in_transaction()
        ack()

    body = urlencode({"command": "/tandem", "text": "", "user_id": "U1", "team_id": "T1", "channel_id": "D1"})
    response = app.dispatch(BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}))
    assert response.status == 200  # Slack is answered at the ack; the handling ends after it
    assert app.tandem_inflight.wait_idle(timeout=10)  # type: ignore[attr-defined]
    assert seen["in_transaction"] is True
    session = seen["session"]
    assert isinstance(session, Session) and not session.in_transaction()  # closed: rolled back, connection back
    with session_factory() as fresh:
        assert fresh.scalars(select(Workspace).where(Workspace.team_id == "T0LEFT")).first() is None
    assert session_factory.kw["bind"].pool.checkedout() == 0
