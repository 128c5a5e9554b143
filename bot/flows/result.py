"""What a flow answers with: one type that the route adapter (``bot.handlers.adapter``) knows how to show.

Every field is optional; the adapter shows what is set, in this order: a modal (``view``: opened with the click's
or command's trigger; answering a modal, what the modal turns into), the modal a click came from replaced
(``update``), the clicked message replaced (``replace``), a
message only the caller sees (``message``: the command's answer, or through the click's response_url), the
caller's App Home published again (``home``), a DM to the caller sent at once (``dm``), messages and Home tabs for
other people sent at once (``notices``, ``homes``: never stored in the outbox), and work that runs after Slack was
answered (``then``). Answering a modal, ``errors`` keep it open with a line under each named field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.models import Participant


@dataclass
class Result:
    message: dict[str, Any] | None = None  # shown only to the caller
    view: dict[str, Any] | None = None  # a modal to open; answering a modal: what it turns into (update)
    push: dict[str, Any] | None = None  # answering a modal: a modal pushed on top of it
    errors: dict[str, str] = field(default_factory=dict)  # answering a modal: a line under each field (block id)
    replace: dict[str, Any] | None = None  # the message whose button was clicked, replaced
    update: dict[str, Any] | None = None  # a click inside a modal: that modal replaced (views.update)
    home: Participant | None = None  # publish this person's App Home again (the caller)
    dm: dict[str, Any] | None = None  # a DM to the caller, sent at once (nothing of it is stored)
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (user id, message), sent at once
    homes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (user id, Home view), published at once
    then: Callable[[], Result] | None = None  # runs after Slack was answered; its Result is shown the same way


NOTHING = Result  # ``Result()``: nothing to show
