"""What the sandbox sends to the app: Events API events in their envelopes (with Slack's retries, and redelivery),
slash commands (an ack with text becomes an ephemeral message), interactions (a view_submission's
``response_action`` is applied), url_verification, and the workspace changes the app hears of (archive, share,
invite, leave). Each is a signed POST to ``app_url`` (``bot.sandbox.transport.signed_post``), or, once the app has
opened a Socket Mode connection (``apps.connections.open`` with the app-level token), an envelope on it
(``bot.sandbox.socket_mode``) whose acknowledgement is handled as the HTTP answer would be. Deliveries run on the
calling thread; the HTTP handler never delivers anything, so a Bolt app may call the Web API while it handles a
delivery."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.sandbox.blockkit import validate_blocks, validate_view
from bot.sandbox.common import (
    MAX_VIEW_STACK,
    VERIFICATION_TOKEN,
    Delivery,
    snapshot,
)
from bot.sandbox.socket_mode import ENVELOPE_TYPES, SocketLink
from bot.sandbox.transport import signed_post
from bot.sandbox.workspace import Workspace


class Deliveries(Workspace):
    """Requests to the app; see the module docstring."""

    def __init__(
        self,
        *,
        signing_secret: str,
        app_token: str = "xapp-sandbox",
        retries: int = 3,
        event_timeout: float = 3.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.signing_secret = signing_secret
        self.app_token = app_token  # the app-level token apps.connections.open takes
        # Socket Mode: started by the first apps.connections.open; from then on deliveries go as envelopes on it
        self.link: SocketLink | None = None
        self.retries = retries
        self.event_timeout = event_timeout
        self.app_url: str | None = None
        # Called after each delivery the sandbox makes on its own (not one a Web API call causes): LocalStack waits
        # there until the app has finished handling, also what it does after its acknowledgement.
        self.after_delivery: Callable[[], object] | None = None
        self._local = threading.local()  # .in_api: this thread is answering a Web API call
        self.problems: list[str] = []  # invalid things the app answered with (acks, response_action views)

    def stop(self) -> None:
        if self.link is not None:
            self.link.stop()
        super().stop()

    def archive(self, channel_id: str, user_id: str, *, archived: bool = True) -> Delivery | None:
        """Archive (or unarchive) a channel as ``user_id``: ``channel_archive`` or ``group_archive`` for a private
        one (``*_unarchive``)."""
        with self.lock:
            conv = self._conv(channel_id)
            conv["is_archived"] = archived
            prefix = "group" if conv["kind"] == "private" else "channel"
            kind = "archive" if archived else "unarchive"
            event: dict[str, Any] = {"type": f"{prefix}_{kind}", "channel": channel_id, "user": user_id}
            if archived:
                event["is_moved"] = 0
        return None if self.app_url is None else self.deliver_event(event)

    def share(self, channel_id: str, team_id: str = "T0PARTNER", *, shared: bool = True) -> Delivery | None:
        """Share a channel with another organisation's workspace through Slack Connect (or stop sharing it):
        ``channel_shared`` (``channel_unshared``)."""
        with self.lock:
            conv = self._conv(channel_id)
            if shared and team_id not in conv["shared_with"]:
                conv["shared_with"].append(team_id)
            if not shared and team_id in conv["shared_with"]:
                conv["shared_with"].remove(team_id)
            event: dict[str, Any]
            if shared:
                event = {"type": "channel_shared", "connected_team_id": team_id, "channel": channel_id}
            else:
                event = {
                    "type": "channel_unshared",
                    "previously_connected_team_id": team_id,
                    "channel": channel_id,
                    "is_ext_shared": bool(conv["shared_with"]),
                }
        return None if self.app_url is None else self.deliver_event(event)

    def invite(self, channel_id: str, user_id: str, *, inviter: str | None = None) -> Delivery | None:
        """Add a member and deliver ``member_joined_channel`` (when ``app_url`` is set)."""
        with self.lock:
            conv = self._convs[channel_id]
            if user_id not in self._users:
                raise KeyError(f"no sandbox user {user_id!r}")
            if user_id not in conv["members"]:
                conv["members"].append(user_id)
            event: dict[str, Any] = {
                "type": "member_joined_channel",
                "user": user_id,
                "channel": channel_id,
                "channel_type": "G" if conv["kind"] == "private" else "C",
                "team": self.team_id,
            }
            if inviter:
                event["inviter"] = inviter
        if self.app_url is None:
            return None
        return self.deliver_event(event)

    def leave(self, channel_id: str, user_id: str) -> Delivery | None:
        """A member leaves (or is removed from) a channel: ``member_left_channel`` is delivered."""
        with self.lock:
            conv = self._convs[channel_id]
            if user_id in conv["members"]:
                conv["members"].remove(user_id)
            event = {
                "type": "member_left_channel",
                "user": user_id,
                "channel": channel_id,
                "channel_type": "G" if conv["kind"] == "private" else "C",
                "team": self.team_id,
            }
        if self.app_url is None:
            return None
        return self.deliver_event(event)

    # ------------------------------------------------------------------ deliveries to the app
    def post_to_app(
        self,
        body: bytes,
        content_type: str,
        *,
        extra_headers: dict[str, str] | None = None,
        secret: str | None = None,
    ) -> tuple[int | None, str, dict[str, str], str]:
        """One signed POST to ``app_url``: (status or None, body, lower-cased headers, failure reason)."""
        try:
            return self._post_to_app(body, content_type, extra_headers=extra_headers, secret=secret)
        finally:
            if not getattr(self._local, "hold_settle", False):
                self._settle()

    def _settle(self) -> None:
        if self.after_delivery is not None and not getattr(self._local, "in_api", False):
            self.after_delivery()

    def _post_to_app(
        self,
        body: bytes,
        content_type: str,
        *,
        extra_headers: dict[str, str] | None = None,
        secret: str | None = None,
    ) -> tuple[int | None, str, dict[str, str], str]:
        if not self.app_url:
            raise RuntimeError("sandbox.app_url is not set")
        return signed_post(
            self.app_url,
            body,
            content_type,
            secret=secret or self.signing_secret,
            timeout=self.event_timeout,
            extra_headers=extra_headers,
        )

    def _send(
        self,
        kind: str,
        payload: Any,
        body: bytes,
        content_type: str,
        *,
        retries: int,
        event_id: str | None = None,
    ) -> Delivery:
        delivery = Delivery(kind=kind, payload=payload, event_id=event_id)
        retry_reason = ""
        for retry_num in range(retries + 1):
            status, text, headers, reason = self.to_app(
                kind, payload, body, content_type, retry_num=retry_num, retry_reason=retry_reason
            )
            delivery.attempts.append((status, retry_num))
            delivery.status, delivery.body, delivery.headers = status, text, headers
            if delivery.ok or headers.get("x-slack-no-retry") == "1":
                break
            retry_reason = reason or ("http_error" if status else "http_timeout")
        return delivery

    @property
    def socket_mode(self) -> bool:
        """Whether deliveries go over Socket Mode (the app opened a connection; the link was not disabled)."""
        return self.link is not None and self.link.enabled

    def to_app(
        self,
        kind: str,
        payload: Any,
        body: bytes,
        content_type: str,
        *,
        retry_num: int = 0,
        retry_reason: str = "",
    ) -> tuple[int | None, str, dict[str, str], str]:
        """One try of a delivery, as Slack makes it: over Socket Mode (an envelope; ``payload`` is what it carries)
        or a signed POST of ``body`` (with ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason`` on a retry)."""
        if not self.socket_mode or kind not in ENVELOPE_TYPES:  # url_verification is for a request URL only
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason} if retry_num else {}
            return self.post_to_app(body, content_type, extra_headers=extra)
        assert self.link is not None
        try:
            return self.link.deliver(kind, payload, retry_attempt=retry_num, retry_reason=retry_reason)
        finally:
            if not getattr(self._local, "hold_settle", False):
                self._settle()

    def disconnect_socket(self, reason: str = "refresh_requested") -> None:
        """Slack asks the app's Socket Mode connections to go (``bot.sandbox.socket_mode.SocketLink.disconnect``)."""
        if self.link is None:
            raise RuntimeError("the app has not opened a Socket Mode connection")
        self.link.disconnect(reason)

    def open_socket_link(self) -> str:
        """``apps.connections.open``: a WebSocket URL (the link is started on the first call)."""
        if self.link is None:
            self.link = SocketLink(app_id=self.app_id, ack_timeout=self.event_timeout)
        return self.link.issue_url()

    def deliver_event(self, event: dict[str, Any]) -> Delivery:
        """Deliver an Events API event in an ``event_callback`` envelope, retrying like Slack."""
        with self.lock:
            event = snapshot(event)
            event.setdefault("event_ts", self._next_ts())
            event_id = f"Ev{self._next('event'):08d}"
            envelope = {
                "token": VERIFICATION_TOKEN,
                "team_id": self.team_id,
                "context_team_id": self.team_id,
                "api_app_id": self.app_id,
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(self._now().timestamp()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": self.team_id,
                        "user_id": self.bot_user_id,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": f"4-sandbox-{event_id}",
            }
        body = json.dumps(envelope).encode("utf-8")
        return self._send("event", envelope, body, "application/json", retries=self.retries, event_id=event_id)

    def redeliver(self, envelope: dict[str, Any], *, retry_num: int = 1, reason: str = "http_timeout") -> Delivery:
        """Send an event envelope again, as Slack does when it believes an earlier try was not acknowledged in
        time: the same ``event_id``, with ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``. No further retries."""
        body = json.dumps(envelope).encode("utf-8")
        status, text, response_headers, _ = self.to_app(
            "event", envelope, body, "application/json", retry_num=retry_num, retry_reason=reason
        )
        delivery = Delivery(kind="event", payload=envelope, event_id=str(envelope.get("event_id") or ""))
        delivery.attempts.append((status, retry_num))
        delivery.status, delivery.body, delivery.headers = status, text, response_headers
        return delivery

    def url_verification(self, challenge: str) -> Delivery:
        payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._send(
            "url_verification", payload, json.dumps(payload).encode("utf-8"), "application/json", retries=0
        )

    def send_command(self, user_id: str, command: str, text: str, channel_id: str) -> Delivery:
        """A slash command (form body). A JSON ack with text/blocks becomes an ephemeral message."""
        with self.lock:
            user = self._users[user_id]
            form = {
                "token": VERIFICATION_TOKEN,
                "team_id": self.team_id,
                "team_domain": self.team_domain,
                "channel_id": channel_id,
                "channel_name": self.channel_name(channel_id),
                "user_id": user_id,
                "user_name": user["name"],
                "command": command,
                "text": text,
                "api_app_id": self.app_id,
                "is_enterprise_install": "false",
                "response_url": self.issue_response_url(channel_id, user_id),
                "trigger_id": self.issue_trigger(user_id),
            }
        delivery = self._send(
            "command",
            form,
            urllib.parse.urlencode(form).encode("utf-8"),
            "application/x-www-form-urlencoded",
            retries=0,
        )
        with self.lock:
            if not delivery.ok:
                error = "operation_timeout" if delivery.status is None else "dispatch_failed"
                self._add_ephemeral(
                    user_id, channel_id, {"text": f'{command} failed with the error "{error}"'}, "slack_error"
                )
            elif delivery.body.strip():
                ack = delivery.json()
                if not isinstance(ack, dict):
                    ack = {"text": delivery.body}
                if ack.get("text") or ack.get("blocks"):
                    problems = validate_blocks(ack["blocks"], surface="message") if ack.get("blocks") else []
                    if problems:
                        self.problems.extend(f"{command} ack: {p}" for p in problems)
                    elif ack.get("response_type") == "in_channel":
                        self._store_message(channel_id, self._bot_message(ack.get("text"), ack.get("blocks")))
                    else:
                        self._add_ephemeral(user_id, channel_id, ack, "ack")
        return delivery

    def send_interaction(self, payload: dict[str, Any]) -> Delivery:
        """An interaction (form ``payload=``). For view_submission the ack's response_action is applied."""
        payload = snapshot(payload)
        payload.setdefault("token", VERIFICATION_TOKEN)
        payload.setdefault("api_app_id", self.app_id)
        payload.setdefault("team", {"id": self.team_id, "domain": self.team_domain})
        payload.setdefault("is_enterprise_install", False)
        payload.setdefault("enterprise", None)
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        # Like Slack, a view_submission's answer (response_action) is applied as soon as it arrives, before
        # whatever the app does after acknowledging it (a views.update of the same view, say) is waited for.
        submitted = None
        if payload.get("type") == "view_submission":
            with self.lock:
                submitted = (self._views.get(payload["view"]["id"]) or {}).get("hash")
        self._local.hold_settle = True
        try:
            delivery = self._send("interaction", payload, body, "application/x-www-form-urlencoded", retries=0)
            if payload.get("type") == "view_submission" and delivery.ok:
                self._apply_response_action(payload["user"]["id"], payload["view"]["id"], delivery, submitted)
        finally:
            self._local.hold_settle = False
            self._settle()
        return delivery

    def _apply_response_action(
        self, user_id: str, view_id: str, delivery: Delivery, submitted_hash: str | None = None
    ) -> None:
        ack = delivery.json()
        ack = ack if isinstance(ack, dict) else {}
        action = ack.get("response_action")
        with self.lock:
            stack = self._view_stacks.setdefault(user_id, [])
            current = self._views.get(view_id)
            if action == "update" and current is not None and submitted_hash and current["hash"] != submitted_hash:
                # the app already changed the view with views.update after acknowledging: at Slack the answer
                # came first, so the view stays as the app's later views.update left it
                return
            if action == "errors":
                errors = ack.get("errors")
                view = self._views.get(view_id, {})
                input_ids = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
                if not isinstance(errors, dict):
                    self.problems.append(f"view {view_id}: response_action errors needs an errors object")
                    return
                unknown = [k for k in errors if k not in input_ids]
                if unknown:
                    self.problems.append(f"view {view_id}: errors for unknown input block_ids {unknown}")
                self._view_errors[view_id] = dict(errors)
            elif action in ("update", "push"):
                problems = validate_view(ack.get("view"))
                if problems:
                    self.problems.extend(f"view {view_id} response_action {action}: {p}" for p in problems)
                    return
                if action == "update":
                    self._replace_view(view_id, ack["view"])
                elif len(stack) >= MAX_VIEW_STACK:
                    self.problems.append(f"view {view_id}: push_limit_reached")
                else:
                    root = stack[0] if stack else view_id
                    stack.append(self._new_view(ack["view"], user_id, previous=view_id, root=root)["id"])
            elif action == "clear":
                stack.clear()
            else:
                if view_id in stack:
                    stack.remove(view_id)
                self._view_errors.pop(view_id, None)
