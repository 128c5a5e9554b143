"""When Tandem gives up on messages, the hosts hear it once an hour at most, as counts by method and error,
never to whom or what."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.models import OutboxMessage, OutboxStatus, Workspace
from bot.sandbox.stack import LocalStack
from bot.services import outbox
from tests.helpers import admin_channel, persona


def test_parked_messages_reach_the_hosts_as_counts_once(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    with stack.session_factory() as s:
        workspace = s.scalars(select(Workspace)).one()
        for n in range(3):
            outbox.post(
                s,
                workspace_id=workspace.id,
                channel="C0NOSUCH",
                message={"text": f"Private words number {n}"},
                now=stack.clock.now(),
                dedupe_key=f"doomed:{n}",
                about=outbox.NOBODY,
            )
        s.commit()
    stack.settle()
    with stack.session_factory() as s:
        parked = s.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PARKED)).all()
        assert len(parked) == 3 and all(m.parked_at is not None for m in parked)

    def alerts() -> list[str]:
        texts = [json.dumps(m, ensure_ascii=False) for m in stack.sandbox.messages(channel)]
        return [t for t in texts if "could not be delivered" in t]

    assert not alerts()  # the hour isn't over yet
    stack.advance(timedelta(hours=1))
    [alert] = alerts()
    assert "3 messages" in alert and "chat.postMessage (channel_not_found) × 3" in alert
    assert "Private words" not in alert and "C0NOSUCH" not in alert
    stack.advance(timedelta(hours=2))
    assert len(alerts()) == 1
