"""One request as a route's entry sees it: who sent it, from where, with what, and the session and clock to answer
with. Built once per request by the adapter (``bot.handlers.adapter``); nothing about the caller is looked up until
an entry (or the adapter's access check) asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.access import Surface
from bot.flows.common import view_meta
from bot.flows.host import Caller
from bot.models import Participant, Workspace
from bot.services import people
from bot.services.people import SlackProfile
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


@dataclass
class Request:
    surface: Surface
    name: str  # the action_id, callback_id, /tandem word (or admin word), shortcut callback_id, event type
    session: Session
    now: datetime
    client: WebClient
    context: BoltContext
    team_id: str
    user_id: str
    bot_user_id: str | None
    body: dict[str, Any] = field(default_factory=dict)
    action: dict[str, Any] = field(default_factory=dict)  # block_actions: the one action
    view: dict[str, Any] = field(default_factory=dict)  # view_submission: the modal
    command: dict[str, Any] = field(default_factory=dict)  # /tandem: the form Slack sent
    event: dict[str, Any] = field(default_factory=dict)  # Events API: the event
    shortcut: dict[str, Any] = field(default_factory=dict)  # a shortcut's payload
    args: str = ""  # /tandem: the text after the word (after the admin word for /tandem admin)
    # The caller's workspace row, read with them (``caller``) and kept for the request: the session's identity map
    # holds a row only while something refers to it, so what reads it again (App Home) finds it without a query.
    workspace: Workspace | None = field(default=None, init=False, repr=False)

    # -- what was sent ---------------------------------------------------------------------------------------
    @property
    def value(self) -> str:
        """A button's value ("" when there is none)."""
        return str(self.action.get("value") or "")

    @property
    def meta(self) -> dict[str, Any]:
        """A submitted modal's private_metadata as a dict."""
        return view_meta(self.view)

    @property
    def can_respond(self) -> bool:
        """Whether there is a response_url (a click in a message, a command): App Home and modals have none."""
        return self.context.respond is not None

    @property
    def in_view(self) -> bool:
        """Clicked in App Home or a modal (no message to answer under)."""
        return (self.body.get("container") or {}).get("type") == "view" or bool(self.body.get("view"))

    @property
    def clicked(self) -> tuple[str, str] | None:
        """(channel, ts) of the message whose button was clicked (None for buttons in views)."""
        container = self.body.get("container") or {}
        if container.get("type") != "message" or not container.get("channel_id") or not container.get("message_ts"):
            return None
        return str(container["channel_id"]), str(container["message_ts"])

    @property
    def channel_id(self) -> str | None:
        """Where it happened: the command's channel, the clicked message's channel (None for a modal)."""
        if self.command:
            return self.command.get("channel_id")
        return (self.body.get("channel") or {}).get("id") or (self.body.get("container") or {}).get("channel_id")

    @property
    def trigger_id(self) -> str | None:
        return self.body.get("trigger_id") or self.command.get("trigger_id") or self.shortcut.get("trigger_id")

    def permalink(self, channel: str | None, ts: str | None) -> str | None:
        """A message's permalink; None when Tandem cannot see the conversation (the note keeps the text alone)."""
        if not channel or not ts:
            return None
        try:
            return self.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except SlackApiError:
            return None

    # -- who sent it -----------------------------------------------------------------------------------------
    def lookup(self, user_id: str) -> SlackProfile:
        return lookup_profile(self.client, user_id)

    @cached_property
    def slack(self) -> SlackAdmin:
        return SlackAdmin(self.client)

    @cached_property
    def caller(self) -> Participant:
        """The person acting: their row if Tandem stores one, else a guest of whom nothing is stored
        (``bot.services.people.person``)."""
        person, self.workspace = people.person_in_workspace(
            self.session,
            team_id=self.team_id,
            user_id=self.user_id,
            bot_user_id=self.bot_user_id,
            lookup=self.lookup,
            now=self.now,
        )
        return person

    @cached_property
    def stored(self) -> Participant | None:
        """The caller's row, if Tandem stores one; None otherwise (nothing is looked up in Slack)."""
        return people.find_participant(self.session, team_id=self.team_id, user_id=self.user_id)

    def registered(self) -> Participant:
        """The caller, stored now (name, time zone and language from Slack): only for what makes them part of a
        program, or what they ask Tandem to keep."""
        stored = people.register(self.session, participant=self.caller, now=self.now)
        self.__dict__["caller"] = stored
        return stored

    @cached_property
    def host(self) -> Caller:
        """The caller as the host flows see them (nothing about them is stored by asking); a modal has no channel."""
        person = self.caller
        return Caller(
            team_id=self.team_id,
            bot_user_id=self.bot_user_id,
            user_id=person.slack_user_id,
            channel_id=None if self.surface is Surface.VIEW else self.channel_id,
            locale=person.locale,
            tz=person.tz,
            name=person.display_name,
        )
