"""Slack waits 3 seconds for an acknowledgement. Tandem acknowledges without waiting on Slack's Web API: here the
sandbox holds every Web API call unanswered (a Slack that has stopped answering), and each kind of request is still
answered in time; the work after the acknowledgement finishes once Slack answers again, and nothing is lost."""

from __future__ import annotations

from bot.handlers.middleware import ACK_WAIT, EVENT_GRACE
from bot.sandbox.stack import LocalStack
from tests.helpers import persona


def _held(stack: LocalStack) -> None:
    stack.sandbox.after_delivery = None  # the test waits for the handling itself, after releasing the calls
    stack.sandbox.hold_calls()


def _released(stack: LocalStack) -> None:
    stack.sandbox.release_calls()
    assert stack.app.tandem_inflight.wait_idle(timeout=30)  # type: ignore[attr-defined]
    stack.sandbox.after_delivery = stack.app.tandem_inflight.wait_idle  # type: ignore[attr-defined]


def test_a_command_that_needs_slack_first_is_answered_in_time_and_its_answer_follows(stack: LocalStack) -> None:
    """First contact: Tandem asks Slack who the person is (users.info) before it can answer in their language."""
    ana = persona(stack, "Ana", locale="de-DE")
    _held(stack)
    try:
        delivery = ana.slash("help")
        assert delivery.status == 200 and delivery.body == ""  # answered at ACK_WAIT, well inside Slack's 3 s
        assert ACK_WAIT < 3
        assert not ana.ephemeral_messages()
    finally:
        _released(stack)
    [answer] = ana.ephemeral_messages()
    assert answer["source"] == "response_url" and "/tandem" in str(answer.get("blocks") or answer["text"])
    assert "users.info" in [c["method"] for c in stack.sandbox.calls]


def test_a_command_that_opens_a_modal_acknowledges_before_the_modal_opens(stack: LocalStack) -> None:
    ben = persona(stack, "Ben")
    ben.open_home()  # Tandem knows him
    stack.settle()
    _held(stack)
    try:
        delivery = ben.slash("note")
        assert delivery.status == 200  # the ack did not wait for views.open, which Slack is not answering
    finally:
        _released(stack)
    assert [c["method"] for c in stack.sandbox.calls_to("views.open")] == ["views.open"]
    assert ben.open_views()


def test_an_event_is_acknowledged_while_its_handling_waits_for_slack_and_is_handled_once(stack: LocalStack) -> None:
    cleo = persona(stack, "Cleo")
    _held(stack)
    try:
        delivery = cleo.open_home()  # the handler publishes Home: views.publish, unanswered for now
        assert delivery.status == 200 and delivery.attempts == [(200, 0)]  # no retry by Slack
        assert EVENT_GRACE < 3
        assert cleo.home() is None
    finally:
        _released(stack)
    assert cleo.home() is not None
    assert len(stack.sandbox.calls_to("views.publish")) == 1
