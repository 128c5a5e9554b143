"""Scripted workspace members: each action builds the payload Slack would send and delivers it signed."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any

from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.common import snapshot

if TYPE_CHECKING:
    from bot.sandbox.common import Delivery
    from bot.sandbox.deliveries import Deliveries

# Element type -> (state key, plural?) for view state values and block_actions.
_USER_PICKS = {
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
_SINGLE_OPTION = ("static_select", "external_select", "radio_buttons", "overflow")
_MULTI_OPTION = ("multi_static_select", "multi_external_select", "checkboxes")
_TEXT_VALUE = ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    if "option_groups" in element:
        return [o for g in element["option_groups"] for o in g.get("options", [])]
    return list(element.get("options", []))


def _pick(element: dict[str, Any], value: Any) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return snapshot(option)
    raise ValueError(f"{element.get('action_id')}: no option with value {value!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, date | time):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    return value


def initial_value(element: dict[str, Any]) -> Any:
    """What an untouched input holds: its initial value in the form ``element_state`` takes."""
    kind = element["type"]
    if kind in _SINGLE_OPTION:
        option = element.get("initial_option")
        return option.get("value") if option else None
    if kind in _MULTI_OPTION:
        return [o.get("value") for o in element.get("initial_options") or []] or None
    for key in (
        "initial_value",
        "initial_date",
        "initial_time",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
    ):
        if key in element:
            return element[key]
    return None


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The ``state.values`` entry (also the block_actions fields) for ``element`` holding ``value``."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in _SINGLE_OPTION:
        state["selected_option"] = None if value is None else _pick(element, value)
    elif kind in _MULTI_OPTION:
        values = [] if value is None else ([value] if isinstance(value, str) else list(value))
        state["selected_options"] = [_pick(element, v) for v in values]
    elif kind in _USER_PICKS:
        key = _USER_PICKS[kind]
        if key.endswith("s") and value is not None and isinstance(value, str):
            value = [value]
        state[key] = _plain(value) if value is not None else ([] if key.endswith("s") else None)
    elif kind in _TEXT_VALUE:
        state["value"] = None if value is None else str(value)
    elif kind == "file_input":  # the file objects of what the person uploaded (Sandbox.upload_as)
        state["files"] = [] if value is None else ([value] if isinstance(value, dict) else list(value))
    else:
        state["value"] = value
    return state


class Persona:
    """A scripted member of the sandbox workspace (``sandbox.persona(name_or_id)``)."""

    def __init__(self, sandbox: Deliveries, user_id: str) -> None:
        self.sandbox = sandbox
        self.id = user_id
        user = sandbox.user(user_id)
        self.name: str = user["name"]
        self.real_name: str = user["real_name"]
        self.tz: str = user["tz"]
        self.locale: str = user["locale"]

    def __repr__(self) -> str:
        return f"Persona({self.name!r}, {self.id!r})"

    # ------------------------------------------------------------------ helpers
    @property
    def dm(self) -> str:
        """The persona's DM with the bot (opened when needed)."""
        return self.sandbox.open_dm(self.id)

    def _user(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.sandbox.team_id}

    # ------------------------------------------------------------------ events
    def open_home(self) -> Delivery:
        """Open the app's Home tab (``app_home_opened``, tab home, with the current home view if any)."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": self.id,
            "channel": self.dm,
            "tab": "home",
        }
        view = self.sandbox.home_view(self.id)
        if view is not None:
            event["view"] = view
        return self.sandbox.deliver_event(event)

    def open_messages_tab(self) -> Delivery:
        return self.sandbox.deliver_event(
            {"type": "app_home_opened", "user": self.id, "channel": self.dm, "tab": "messages"}
        )

    def _message_event(self, message: dict[str, Any]) -> dict[str, Any]:
        event = {
            k: v
            for k, v in message.items()
            if k not in ("reply_count", "reply_users", "latest_reply", "reply_users_count")
        }
        event["event_ts"] = message["ts"]
        event["channel_type"] = self.sandbox.channel_type(message["channel"])
        return event

    def send_dm(self, text: str) -> Delivery:
        """Write to the bot in the DM: stored, and a ``message`` event with channel_type im."""
        message = self.sandbox.post_as(self.id, self.dm, text)
        return self.sandbox.deliver_event(self._message_event(message))

    def say(self, channel_id: str, text: str, thread_ts: str | None = None) -> Delivery | None:
        """Write in a channel or group DM. Delivered only where the bot is a member (as Slack does)."""
        message = self.sandbox.post_as(self.id, channel_id, text, thread_ts=thread_ts)
        if self.sandbox.bot_user_id not in self.sandbox.conversation(channel_id)["members"]:
            return None
        return self.sandbox.deliver_event(self._message_event(message))

    def slash(self, text: str = "", command: str = "/tandem", channel_id: str | None = None) -> Delivery:
        return self.sandbox.send_command(self.id, command, text, channel_id or self.dm)

    # ------------------------------------------------------------------ interactivity
    def _find_view_with(self, action_id: str) -> dict[str, Any] | None:
        candidates = list(reversed(self.open_views()))
        home = self.home()
        if home is not None:
            candidates.append(home)
        for view in candidates:
            if any(el.get("action_id") == action_id for _, el in iter_action_elements(view.get("blocks", []))):
                return view
        return None

    def click(
        self,
        action_id: str,
        *,
        message: dict[str, Any] | str | None = None,
        view_id: str | None = None,
        value: Any = None,
        selected_option_value: Any = None,
    ) -> Delivery:
        """Use the element ``action_id`` of a message (dict or ts) or a view (default: open modal, Home)."""
        sandbox = self.sandbox
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(),
            "trigger_id": sandbox.issue_trigger(self.id),
            "state": {"values": {}},
        }
        if message is not None:
            if isinstance(message, str):
                msg = sandbox.find_message(message)
            else:  # the message as it is now (a dict from messages(), a Web API answer or an event)
                msg = sandbox.find_message(message["ts"], message.get("channel"))
            channel = msg.pop("channel")
            ephemeral = bool(msg.get("is_ephemeral"))
            blocks = msg.get("blocks", [])
            payload["container"] = {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": sandbox.channel_name(channel)}
            if not ephemeral:
                payload["message"] = msg
            payload["response_url"] = sandbox.issue_response_url(
                channel, self.id, message_ts=msg["ts"], is_ephemeral=ephemeral
            )
        else:
            view = sandbox.view(view_id) if view_id else self._find_view_with(action_id)
            if view is None:
                raise KeyError(f"no view {view_id or 'with action ' + action_id}")
            blocks = view.get("blocks", [])
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
            payload["state"] = snapshot(view.get("state", {"values": {}}))
        found = next(((b, el) for b, el in iter_action_elements(blocks) if el.get("action_id") == action_id), None)
        if found is None:
            raise KeyError(f"no element with action_id {action_id!r}")
        block, element = found
        action: dict[str, Any] = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": block.get("block_id"),
            "action_ts": sandbox.next_ts(),
        }
        kind = element["type"]
        if kind == "button":
            action["text"] = snapshot(element.get("text"))
            chosen = value if value is not None else element.get("value")
            if chosen is not None:
                action["value"] = chosen
            if element.get("style"):
                action["style"] = element["style"]
        else:
            chosen = selected_option_value if selected_option_value is not None else value
            if chosen is None and kind in _SINGLE_OPTION:
                initial = element.get("initial_option") or (_options(element) or [{}])[0]
                chosen = initial.get("value")
            state = element_state(element, chosen)
            state.pop("type")
            action.update(state)
        payload["actions"] = [action]
        return sandbox.send_interaction(payload)

    def submit(self, view_id: str, values: dict[str, Any] | None = None) -> Delivery:
        """Submit a modal with ``values`` by action_id. Inputs left out keep what the modal showed (their
        initial value, or empty), as Slack does; pass ``None`` to clear one."""
        values = dict(values or {})
        view = self.sandbox.view(view_id)
        if view is None:
            raise KeyError(f"no view {view_id}")
        state: dict[str, dict[str, Any]] = {}
        for block, element in iter_action_elements(view.get("blocks", [])):
            action_id = element["action_id"]
            if block.get("type") != "input" and action_id not in values:
                continue
            if element["type"] == "button":
                continue
            state.setdefault(block["block_id"], {})[action_id] = element_state(
                element, values.pop(action_id, initial_value(element))
            )
        if values:
            raise KeyError(f"no inputs {sorted(values)} in view {view_id}")
        self.sandbox.set_view_state(view_id, state)
        view["state"] = {"values": state}
        payload = {
            "type": "view_submission",
            "user": self._user(),
            "view": view,
            "response_urls": [],
            "trigger_id": self.sandbox.issue_trigger(self.id),
        }
        return self.sandbox.send_interaction(payload)

    def close(self, view_id: str) -> Delivery | None:
        """Close a modal. ``view_closed`` is delivered only for views with notify_on_close (as Slack does)."""
        view = self.sandbox.close_view(self.id, view_id)
        if view is None:
            raise KeyError(f"view {view_id} is not open for {self.name}")
        if not view.get("notify_on_close"):
            return None
        payload = {
            "type": "view_closed",
            "user": self._user(),
            "view": view,
            "is_cleared": bool(view.get("clear_on_close")),
        }
        return self.sandbox.send_interaction(payload)

    # ------------------------------------------------------------------ what the persona sees
    def dm_messages(self) -> list[dict[str, Any]]:
        channel = self.sandbox.dm_channel(self.id)
        return self.sandbox.messages(channel) if channel else []

    def ephemeral_messages(self) -> list[dict[str, Any]]:
        return self.sandbox.ephemeral_messages(self.id)

    def home(self) -> dict[str, Any] | None:
        return self.sandbox.home_view(self.id)

    def open_views(self) -> list[dict[str, Any]]:
        return self.sandbox.view_stack(self.id)
