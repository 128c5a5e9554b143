"""The sandbox: a local Slack workspace that an unchanged Bolt app and slack_sdk's WebClient talk to.

* Web API at ``POST|GET /api/<method>`` (``api_url``): params from the query string, a form body or a JSON
  body; token from ``Authorization: Bearer`` or ``token``. Every call is checked with
  :func:`bot.sandbox.blockkit.check_call` and recorded in ``calls``. The methods the bot uses are implemented
  with state (see ``Sandbox._METHODS``); every other *known* method answers ``{"ok": true}`` and is recorded.
* ``GET /oauth/v2/authorize`` and ``oauth.v2.access``: installing the app over OAuth, and uninstalling it
  (``bot.sandbox.oauth``, ``Sandbox.oauth``). Calls are recorded with the token they used.
* ``POST /response/<token>``: response_url posts (ephemeral or in_channel, replace/delete original).
* ``POST /upload/<file_id>``: the upload URL handed out by ``files.getUploadURLExternal``.
* Deliveries to the app (``app_url``): events (with Slack's retries), slash commands, interactions and
  url_verification, signed with the signing secret and the real wall-clock time. They run on the calling
  thread; the HTTP handler never delivers anything, so a Bolt app may call the Web API while it handles a
  delivery.

Not modelled: the bot's own messages produce no events, ``app_mention`` is not derived from mentions,
Enterprise Grid, scopes (every call is allowed), legacy ``files.upload`` and multipart bodies.

Time in the workspace (message ts, trigger age, response_url age, users' UTC offsets) comes from ``clock``.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import mimetypes
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_sdk.signature import SignatureVerifier

from bot.clock import Clock, SystemClock
from bot.sandbox.blockkit import check_call, decode_args, validate_blocks, validate_view

if TYPE_CHECKING:
    from bot.sandbox.personas import Persona

TRIGGER_TTL = timedelta(seconds=3)
RESPONSE_URL_TTL = timedelta(minutes=30)
RESPONSE_URL_USES = 5
MAX_VIEW_STACK = 3
VERIFICATION_TOKEN = "sandbox-verification-token"
BOT_SCOPES = (
    "chat:write,commands,im:history,im:write,mpim:history,mpim:write,users:read,channels:read,groups:read,"
    "groups:write,files:write,channels:history,groups:history"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "JST": "Japan Standard Time",
    "IST": "India Standard Time",
}
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SlackError(Exception):
    """A Web API error answer: ``{"ok": false, "error": code}`` (with optional messages)."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []


@dataclass
class Delivery:
    """One request the sandbox sent to the app, with Slack's retries for events."""

    kind: str  # "event", "command", "interaction", "url_verification"
    payload: Any = None
    attempts: list[tuple[int | None, int]] = field(default_factory=list)  # (HTTP status or None, retry_num)
    status: int | None = None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    event_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def json(self) -> Any:
        """The app's response body as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


@dataclass
class _Fault:
    method: str | None
    status: int
    times: int
    retry_after: int
    after: bool = False  # carry the call out, then answer with the fault: the caller never learns it worked


def _metadata_if_asked(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of ``messages``; like Slack, with their metadata only when ``include_all_metadata`` is set."""
    out = copy.deepcopy(messages)
    if not _truthy(args.get("include_all_metadata")):
        for message in out:
            message.pop("metadata", None)
    return out


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true", "yes"))


def _fill_ids(blocks: Any) -> Any:
    """Like Slack: blocks and interactive elements without ids get generated ones."""
    if not isinstance(blocks, list):
        return blocks
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", f"sbx{i}")
        elements: list[Any] = []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            elements.extend(block["elements"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        for j, el in enumerate(elements):
            if isinstance(el, dict) and el.get("type") != "image":
                el.setdefault("action_id", f"sbx{i}_{j}")
    return blocks


class Sandbox:
    """A local Slack workspace. All state sits behind ``lock``; see the module docstring."""

    def __init__(
        self,
        *,
        signing_secret: str,
        bot_token: str = "xoxb-sandbox",
        clock: Clock | None = None,
        team_id: str = "T0TANDEM",
        team_domain: str = "tandem-sandbox",
        app_id: str = "A0TANDEM",
        bot_user_id: str = "U0TANDEMBOT",
        retries: int = 3,
        event_timeout: float = 3.0,
    ) -> None:
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.clock: Clock = clock or SystemClock()
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0TANDEMBOT"
        self.retries = retries
        self.event_timeout = event_timeout
        self.app_url: str | None = None
        # Called after each delivery the sandbox makes on its own (not one a Web API call causes): LocalStack waits
        # there until the app has finished handling, also what it does after its acknowledgement.
        self.after_delivery: Callable[[], object] | None = None
        self._local = threading.local()  # .in_api: this thread is answering a Web API call
        self.lock = threading.RLock()
        self._after_call: list[dict[str, Any]] = []  # events to deliver once the current Web API call is done
        self.calls: list[dict[str, Any]] = []
        self.response_url_posts: list[dict[str, Any]] = []
        self.problems: list[str] = []  # invalid things the app answered with (acks, response_action views)
        self.files: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._convs: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemeral: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._view_owner: dict[str, str] = {}
        self._view_stacks: dict[str, list[str]] = {}
        self._view_errors: dict[str, dict[str, str]] = {}
        self._home: dict[str, str] = {}
        self._triggers: dict[str, dict[str, Any]] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._stall: tuple[str, int] | None = None  # (method, n): hold back the answer to the n-th call
        self.stalled = threading.Event()  # set while a stalled answer is held back
        self.stalled_call: dict[str, Any] | None = None  # the arguments of that call
        self._calls_open = threading.Event()  # cleared: every Web API call waits (a Slack that does not answer)
        self._calls_open.set()
        self._unstall = threading.Event()
        self._rng = random.Random(0)
        self._rate_429 = 0.0
        self._rate_5xx = 0.0
        self._seq: dict[str, itertools.count[int]] = {}
        self._last_ts = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._users[bot_user_id] = self._make_user(
            bot_user_id, "tandem", "Tandem", "America/Los_Angeles", "en-US", False, False, True
        )
        from bot.sandbox.oauth import SandboxOAuth

        self.oauth = SandboxOAuth(self)  # installing over OAuth: the authorize page, oauth.v2.access, uninstalling

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Serve on 127.0.0.1 on a free port in a daemon thread."""
        if self._server is not None:
            return
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-sandbox",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        """The Web API base URL, as ``WebClient(base_url=...)`` wants it (trailing slash)."""
        return self.base_url + "api/"

    # ------------------------------------------------------------------ ids and time
    def _next(self, prefix: str) -> int:
        return next(self._seq.setdefault(prefix, itertools.count(1)))

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{self._next(prefix):08d}"

    def _now(self) -> datetime:
        return self.clock.now()

    def next_ts(self) -> str:
        """A fresh ts (public: personas use it for action_ts)."""
        return self._next_ts()

    def _next_ts(self) -> str:
        """A message ts from the clock, strictly increasing even when a simulated clock stands still."""
        with self.lock:
            micros = (self._now() - _EPOCH) // timedelta(microseconds=1)
            micros = max(micros, self._last_ts + 1)
            self._last_ts = micros
            seconds, micro = divmod(micros, 1_000_000)
            return f"{seconds}.{micro:06d}"

    def _hash(self) -> str:
        return f"{int(self._now().timestamp())}.{self._next('hash'):08x}"

    # ------------------------------------------------------------------ users
    def _make_user(
        self,
        uid: str,
        name: str,
        real_name: str,
        tz: str,
        locale: str,
        is_admin: bool,
        is_owner: bool,
        is_bot: bool,
    ) -> dict[str, Any]:
        ZoneInfo(tz)  # fail early on an unknown zone
        return {
            "id": uid,
            "name": name,
            "real_name": real_name,
            "tz": tz,
            "locale": locale,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_bot": is_bot,
            "deleted": False,
        }

    def add_user(
        self,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "Europe/Berlin",
        locale: str = "en-US",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
    ) -> str:
        """Add a member to the workspace; returns its id (``U`` + counter)."""
        with self.lock:
            uid = self._next_id("U")
            self._users[uid] = self._make_user(
                uid, name, real_name or name.title(), tz, locale, is_admin, is_owner, is_bot
            )
            return uid

    def find_user(self, name_or_id: str) -> str:
        """A user id from a user id or a user name."""
        with self.lock:
            if name_or_id in self._users:
                return name_or_id
            for uid, user in self._users.items():
                if user["name"] == name_or_id:
                    return uid
        raise KeyError(f"no sandbox user {name_or_id!r}")

    def user(self, user_id: str) -> dict[str, Any]:
        """The user as ``users.info`` returns it (with locale)."""
        with self.lock:
            return self._user_public(self._users[user_id], include_locale=True)

    def _user_public(self, user: dict[str, Any], *, include_locale: bool) -> dict[str, Any]:
        local = self._now().astimezone(ZoneInfo(user["tz"]))
        offset = local.utcoffset() or timedelta(0)
        abbreviation = local.tzname() or user["tz"]
        out: dict[str, Any] = {
            "id": user["id"],
            "team_id": self.team_id,
            "name": user["name"],
            "deleted": user["deleted"],
            "real_name": user["real_name"],
            "tz": user["tz"],
            "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
            "tz_offset": int(offset.total_seconds()),
            "is_admin": user["is_admin"],
            "is_owner": user["is_owner"],
            "is_primary_owner": user["is_owner"],
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user["is_bot"],
            "is_app_user": False,
            "updated": 0,
            "profile": {
                "real_name": user["real_name"],
                "real_name_normalized": user["real_name"],
                "display_name": user["name"],
                "display_name_normalized": user["name"],
                "team": self.team_id,
            },
        }
        if user["is_bot"] and user["id"] == self.bot_user_id:
            out["profile"]["bot_id"] = self.bot_id
        if include_locale:
            out["locale"] = user["locale"]
        return out

    def persona(self, name_or_id: str) -> Persona:
        from bot.sandbox.personas import Persona

        return Persona(self, self.find_user(name_or_id))

    # ------------------------------------------------------------------ conversations
    def create_channel(
        self, name: str, *, is_private: bool = False, members: Any = (), creator: str | None = None
    ) -> str:
        """A channel (``C...``; private ones too, with ``is_private``). Members are added without events."""
        with self.lock:
            cid = self._next_id("C")
            member_list: list[str] = []
            for uid in members:
                if uid not in self._users:
                    raise KeyError(f"no sandbox user {uid!r}")
                if uid not in member_list:
                    member_list.append(uid)
            self._convs[cid] = {
                "id": cid,
                "kind": "private" if is_private else "public",
                "name": name,
                "created": int(self._now().timestamp()),
                "creator": creator or "",
                "members": member_list,
                "is_archived": False,
                "user": None,
                "shared_with": [],  # other workspaces or organisations the channel is shared with (Slack Connect)
            }
            self._messages[cid] = []
            return cid

    # What a workspace admin can do to a channel in Slack's own interface. Slack sends channel_archive /
    # group_archive, channel_unarchive / group_unarchive, channel_shared and channel_unshared (delivered when
    # ``app_url`` is set); it sends no event when a private channel is made public or a public one private.
    def set_private(self, channel_id: str, private: bool) -> None:
        """Convert a channel to private or to public (the id stays, as in Slack). No event."""
        with self.lock:
            conv = self._conv(channel_id)
            if conv["kind"] not in ("public", "private"):
                raise ValueError("only channels can be converted")
            conv["kind"] = "private" if private else "public"

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

    def open_dm(self, user_id: str) -> str:
        """The bot's DM (``D...``) with ``user_id``, created when needed."""
        return self._open_conversation([user_id])

    def _open_conversation(self, user_ids: list[str]) -> str:
        with self.lock:
            people = []
            for uid in user_ids:
                if uid not in self._users:
                    raise SlackError("user_not_found")
                if uid != self.bot_user_id and uid not in people:
                    people.append(uid)
            if not people:
                raise SlackError("not_enough_users")
            if len(people) > 8:
                raise SlackError("too_many_users")
            wanted = {*people, self.bot_user_id}
            kind = "im" if len(people) == 1 else "mpim"
            for cid, conv in self._convs.items():
                if conv["kind"] == kind and set(conv["members"]) == wanted:
                    return cid
            cid = self._next_id("D" if kind == "im" else "G")
            names = sorted(self._users[u]["name"] for u in wanted)
            self._convs[cid] = {
                "id": cid,
                "kind": kind,
                "name": people[0] if kind == "im" else "mpdm-" + "--".join(names) + "-1",
                "created": int(self._now().timestamp()),
                "creator": self.bot_user_id,
                "members": [*people, self.bot_user_id],
                "is_archived": False,
                "user": people[0] if kind == "im" else None,
            }
            self._messages[cid] = []
            return cid

    def dm_channel(self, user_id: str) -> str | None:
        """The id of the bot's DM with ``user_id``, or None when none was opened."""
        with self.lock:
            for cid, conv in self._convs.items():
                if conv["kind"] == "im" and conv["user"] == user_id:
                    return cid
        return None

    def conversation(self, channel_id: str) -> dict[str, Any]:
        with self.lock:
            return self._conv_public(self._conv(channel_id), include_members=True)

    def _conv(self, channel_id: str) -> dict[str, Any]:
        conv = self._convs.get(channel_id)
        if conv is None:
            raise SlackError("channel_not_found")
        return conv

    def channel_type(self, channel_id: str) -> str:
        """The ``channel_type`` of message events: channel, group, mpim or im."""
        kind = self._conv(channel_id)["kind"]
        return {"public": "channel", "private": "group"}.get(kind, kind)

    def _conv_public(
        self, conv: dict[str, Any], *, include_members: bool = False, include_num_members: bool = False
    ) -> dict[str, Any]:
        kind = conv["kind"]
        out: dict[str, Any] = {
            "id": conv["id"],
            "created": conv["created"],
            "is_archived": conv["is_archived"],
            "is_channel": kind in ("public", "private"),
            "is_group": kind == "mpim",
            "is_im": kind == "im",
            "is_mpim": kind == "mpim",
            "is_private": kind != "public",
            "is_org_shared": False,
            "context_team_id": self.team_id,
        }
        if kind == "im":
            out["user"] = conv["user"]
            out["is_user_deleted"] = False
        else:
            out.update(
                {
                    "name": conv["name"],
                    "name_normalized": conv["name"],
                    "creator": conv["creator"],
                    "is_general": False,
                    "is_shared": bool(conv.get("shared_with")),
                    "is_ext_shared": bool(conv.get("shared_with")),
                    "is_pending_ext_shared": False,
                    "is_member": self.bot_user_id in conv["members"],
                }
            )
            if conv.get("shared_with"):
                out["shared_team_ids"] = [self.team_id, *conv["shared_with"]]
        if include_num_members:
            out["num_members"] = len(conv["members"])
        if include_members:
            out["members"] = list(conv["members"])
        return out

    def _resolve_channel(self, channel: str) -> str:
        """Channel id from a conversation id, a user id (the bot's DM with them) or ``#name``."""
        if channel in self._convs:
            return channel
        if channel in self._users:
            return self.open_dm(channel)
        name = channel.lstrip("#")
        for cid, conv in self._convs.items():
            if conv["kind"] in ("public", "private") and conv["name"] == name:
                return cid
        raise SlackError("channel_not_found")

    def _bot_can_write(self, conv: dict[str, Any]) -> None:
        if conv["is_archived"]:
            raise SlackError("is_archived")
        if self.bot_user_id not in conv["members"]:
            raise SlackError("not_in_channel" if conv["kind"] == "public" else "channel_not_found")

    # ------------------------------------------------------------------ messages
    def _store_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        message.setdefault("type", "message")
        message["ts"] = self._next_ts()
        if "blocks" in message:
            _fill_ids(message["blocks"])
        thread_ts = message.get("thread_ts")
        if thread_ts:
            parent = self._find_in(channel_id, thread_ts)
            if parent is None:
                raise SlackError("thread_not_found")
            parent.setdefault("thread_ts", parent["ts"])
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            users = parent.setdefault("reply_users", [])
            if message.get("user") and message["user"] not in users:
                users.append(message["user"])
            parent["reply_users_count"] = len(users)
            parent["latest_reply"] = message["ts"]
            if message.get("user"):
                message["parent_user_id"] = parent.get("user")
        self._messages.setdefault(channel_id, []).append(message)
        return message

    def _find_in(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def _bot_message(self, text: Any, blocks: Any, **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": text or "",
        }
        if blocks is not None:
            message["blocks"] = copy.deepcopy(blocks)
        message.update({k: v for k, v in extra.items() if v is not None})
        return message

    def post_as(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> dict[str, Any]:
        """Store a message a person wrote (no event). Returns the stored message (with ``channel``)."""
        with self.lock:
            conv = self._conv(channel_id)
            if user_id not in conv["members"]:
                raise ValueError(f"{user_id} is not a member of {channel_id}")
            message = {
                "type": "message",
                "user": user_id,
                "team": self.team_id,
                "text": text,
                "client_msg_id": f"00000000-0000-4000-8000-{self._next('msg'):012d}",
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            stored = self._store_message(channel_id, message)
            return {**copy.deepcopy(stored), "channel": channel_id}

    def messages(self, channel_id: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Copies (with ``channel``) of the top-level messages, or of one thread (parent first)."""
        with self.lock:
            out = []
            for message in self._messages.get(channel_id, []):
                if thread_ts is None:
                    keep = message.get("thread_ts") in (None, message["ts"]) or message.get("subtype") == (
                        "thread_broadcast"
                    )
                else:
                    keep = message["ts"] == thread_ts or message.get("thread_ts") == thread_ts
                if keep:
                    out.append({**copy.deepcopy(message), "channel": channel_id})
            return out

    def find_message(self, ts: str, channel_id: str | None = None) -> dict[str, Any]:
        """A copy (with ``channel``) of the message with ``ts``; ephemeral ones have ``is_ephemeral``."""
        with self.lock:
            channels = [channel_id] if channel_id else list(self._messages)
            for cid in channels:
                message = self._find_in(cid, ts)
                if message is not None:
                    return {**copy.deepcopy(message), "channel": cid}
            for items in self._ephemeral.values():
                for message in items:
                    if message["ts"] == ts and (channel_id is None or message["channel"] == channel_id):
                        return copy.deepcopy(message)
        raise KeyError(f"no message with ts {ts}")

    def ephemeral_messages(self, user_id: str) -> list[dict[str, Any]]:
        """What only ``user_id`` saw: chat.postEphemeral, response_url and slash-command ack messages."""
        with self.lock:
            return copy.deepcopy(self._ephemeral.get(user_id, []))

    def _add_ephemeral(self, user_id: str, channel_id: str, body: dict[str, Any], source: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "channel": channel_id,
            "user": self.bot_user_id,
            "text": body.get("text") or "",
            "is_ephemeral": True,
            "source": source,
        }
        if body.get("blocks") is not None:
            message["blocks"] = _fill_ids(copy.deepcopy(body["blocks"]))
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        self._ephemeral.setdefault(user_id, []).append(message)
        return message

    # ------------------------------------------------------------------ views, triggers, response urls
    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id as Slack puts in commands and interactions (valid 3 s by the sandbox clock)."""
        with self.lock:
            n = self._next("trigger")
            trigger = f"{n}.{int(self._now().timestamp())}.{random.Random(n).getrandbits(64):016x}"
            self._triggers[trigger] = {"user_id": user_id, "issued_at": self._now(), "used": False}
            return trigger

    def _use_trigger(self, args: dict[str, Any]) -> str:
        trigger = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger:
            raise SlackError("invalid_arguments", ["a trigger_id or interactivity_pointer is required"])
        info = self._triggers.get(trigger)
        if info is None:
            raise SlackError("invalid_trigger_id")
        if info["used"]:
            raise SlackError("exchanged_trigger_id")
        if self._now() - info["issued_at"] > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        info["used"] = True
        return info["user_id"]

    def issue_response_url(
        self, channel_id: str, user_id: str, *, message_ts: str | None = None, is_ephemeral: bool = False
    ) -> str:
        """A response_url (30 minutes, 5 uses) pointing at this sandbox."""
        with self.lock:
            token = f"{self._next('response'):06d}{random.Random(self._last_ts).getrandbits(48):012x}"
            self._response_urls[token] = {
                "channel": channel_id,
                "user": user_id,
                "message_ts": message_ts,
                "is_ephemeral": is_ephemeral,
                "issued_at": self._now(),
                "uses": 0,
            }
            return f"{self.base_url}response/{token}"

    def _new_view(
        self, spec: dict[str, Any], user_id: str, *, previous: str | None = None, root: str | None = None
    ) -> dict[str, Any]:
        view = copy.deepcopy(spec)
        view_id = self._next_id("V")
        view.update(
            {
                "id": view_id,
                "team_id": self.team_id,
                "app_id": self.app_id,
                "app_installed_team_id": self.team_id,
                "bot_id": self.bot_id,
                "callback_id": spec.get("callback_id", ""),
                "external_id": spec.get("external_id", ""),
                "private_metadata": spec.get("private_metadata", ""),
                "state": {"values": {}},
                "hash": self._hash(),
                "clear_on_close": bool(spec.get("clear_on_close", False)),
                "notify_on_close": bool(spec.get("notify_on_close", False)),
                "root_view_id": root or view_id,
                "previous_view_id": previous,
            }
        )
        _fill_ids(view.get("blocks"))
        self._views[view_id] = view
        self._view_owner[view_id] = user_id
        return view

    def _replace_view(self, view_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        old = self._views[view_id]
        view = copy.deepcopy(spec)
        _fill_ids(view.get("blocks"))
        keep = {
            k: old[k]
            for k in (
                "id",
                "team_id",
                "app_id",
                "app_installed_team_id",
                "bot_id",
                "root_view_id",
                "previous_view_id",
                "state",
            )
        }
        view.update(keep)
        view.setdefault("callback_id", "")
        view.setdefault("external_id", "")
        view.setdefault("private_metadata", "")
        view["clear_on_close"] = bool(spec.get("clear_on_close", False))
        view["notify_on_close"] = bool(spec.get("notify_on_close", False))
        view["hash"] = self._hash()
        self._views[view_id] = view
        self._view_errors.pop(view_id, None)
        return view

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found else None

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Every view (modals and Home tabs) by id, copies."""
        with self.lock:
            return copy.deepcopy(self._views)

    def view_ids(self) -> list[str]:
        """Every view's id (modals and Home tabs), oldest first, without copying the views."""
        with self.lock:
            return list(self._views)

    def view_owner(self, view_id: str) -> str | None:
        with self.lock:
            return self._view_owner.get(view_id)

    def view_stack(self, user_id: str) -> list[dict[str, Any]]:
        """The user's open modals, bottom first."""
        with self.lock:
            return [copy.deepcopy(self._views[v]) for v in self._view_stacks.get(user_id, [])]

    def view_errors(self, view_id: str) -> dict[str, str] | None:
        """The ``errors`` the app answered a submission with, shown on the open view."""
        with self.lock:
            errors = self._view_errors.get(view_id)
            return dict(errors) if errors is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self.lock:
            view_id = self._home.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def close_view(self, user_id: str, view_id: str) -> dict[str, Any] | None:
        """The user closes a modal (stack popped; all of it with clear_on_close). Returns the view."""
        with self.lock:
            stack = self._view_stacks.get(user_id, [])
            if view_id not in stack:
                return None
            view = copy.deepcopy(self._views[view_id])
            if view.get("clear_on_close"):
                stack.clear()
            else:
                stack.remove(view_id)
            return view

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        with self.lock:
            self._views[view_id]["state"] = {"values": copy.deepcopy(values)}

    def forge_view(self, user_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Put a modal on ``user_id``'s stack as if Tandem had opened it for them: a test replays someone else's
        modal (its blocks, callback_id and private_metadata) to see that Tandem checks who submits it."""
        keep = ("type", "title", "submit", "close", "blocks", "callback_id", "private_metadata", "external_id")
        with self.lock:
            view = self._new_view({k: copy.deepcopy(v) for k, v in spec.items() if k in keep}, user_id)
            self._view_stacks.setdefault(user_id, []).append(view["id"])
            return copy.deepcopy(view)

    # ------------------------------------------------------------------ faults
    def inject(
        self, method: str | None, *, status: int, times: int = 1, retry_after: int = 1, after: bool = False
    ) -> None:
        """The next ``times`` calls to ``method`` (None: any) answer HTTP ``status`` (429: Retry-After). With
        ``after``, each call is carried out first and only its answer is the fault (Slack posted, the answer got
        lost)."""
        with self.lock:
            self._faults.append(_Fault(method, status, times, retry_after, after))

    def stall(self, method: str, nth: int) -> None:
        """Carry out the ``nth`` call to ``method`` from now, then hold its answer back (``stalled`` is set)
        until ``unstall()``: a caller killed meanwhile never hears that the call worked."""
        with self.lock:
            self._stall = (method, nth)
            self.stalled.clear()
            self._unstall.clear()

    def unstall(self) -> None:
        self._unstall.set()

    def hold_calls(self) -> None:
        """Every Web API call from now on waits, unanswered, until ``release_calls()`` (at most 60 s)."""
        self._calls_open.clear()

    def release_calls(self) -> None:
        self._calls_open.set()

    def fault_rates(self, rate_429: float = 0.0, rate_5xx: float = 0.0, seed: int = 0) -> None:
        """Random faults on every call, from a seeded RNG (reproducible)."""
        with self.lock:
            self._rate_429 = rate_429
            self._rate_5xx = rate_5xx
            self._rng = random.Random(seed)

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in (None, method) and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        if self._rate_429 or self._rate_5xx:
            roll = self._rng.random()
            if roll < self._rate_429:
                return _Fault(method, 429, 1, 1)
            if roll < self._rate_429 + self._rate_5xx:
                # like Slack's, half of the 5xx answers come after the call was carried out
                return _Fault(method, 500, 1, 0, after=self._rng.random() < 0.5)
        return None

    # ------------------------------------------------------------------ the Web API
    def handle_api(
        self,
        method: str,
        params: dict[str, Any],
        authorization: str | None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """One Web API call: (HTTP status, JSON body, extra headers). Recorded in ``calls``."""
        self._local.in_api = True
        try:
            self._calls_open.wait(timeout=60)
            return self._handle_api(method, params, authorization)
        finally:
            self._local.in_api = False

    def _handle_api(
        self,
        method: str,
        params: dict[str, Any],
        authorization: str | None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        token = params.get("token")
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        from bot.sandbox.oauth import basic_credentials, redacted

        args = decode_args({k: v for k, v in params.items() if k != "token"})
        credentials = basic_credentials(authorization)  # oauth.v2.access: the app's client id and secret
        args.update(credentials)
        headers: dict[str, str] = {}
        status = 200
        stall = False
        with self.lock:
            fault = self._take_fault(method)
            if fault is not None and fault.after:
                with contextlib.suppress(SlackError):
                    self._api_call(method, args, token)
            if self._stall is not None and self._stall[0] == method:
                remaining = self._stall[1] - 1
                self._stall = (method, remaining) if remaining > 0 else None
                stall = remaining == 0
            if fault is not None:
                status = fault.status
                body: dict[str, Any] = {
                    "ok": False,
                    "error": "ratelimited" if status == 429 else "internal_error",
                }
                if status == 429:
                    headers["Retry-After"] = str(fault.retry_after)
            else:
                try:
                    body = self._api_call(method, args, token)
                except SlackError as err:
                    body = {"ok": False, "error": err.code}
                    if err.messages:
                        body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in err.messages]}
            self.calls.append(
                {
                    "method": method,
                    "args": copy.deepcopy({**args, **redacted(credentials)}),
                    "token": token,
                    "ok": body["ok"],
                    "error": body.get("error"),
                    "status": status,
                    "at": self._now().isoformat(),
                }
            )
        if stall:
            self.stalled_call = copy.deepcopy(args)
            self.stalled.set()
            self._unstall.wait(timeout=120)
        with self.lock:
            after, self._after_call = self._after_call, []
        for event in after:  # events a call causes (member_joined_channel) reach the app before the call returns
            self.deliver_event(event)
        if method == "auth.test":
            headers["X-OAuth-Scopes"] = BOT_SCOPES
        return status, body, headers

    def _api_call(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        from bot.sandbox import oauth

        code, problems = check_call(method, args)
        if code == "unknown_method":
            raise SlackError(code)
        if method in oauth.NO_TOKEN_METHODS:
            token = None
        elif not token:
            raise SlackError("not_authed")
        else:
            self.oauth.team_of(token)  # the configured bot token or one issued over OAuth, not revoked
        if code:
            raise SlackError(code, problems)
        if method in oauth.METHODS:
            return {"ok": True, **self.oauth.call(method, args, token)}
        handler = self._METHODS.get(method)
        result = handler(self, args) if handler else {}
        return {"ok": True, **result}

    def write_record(self, path: str | Path) -> None:
        """Every Web API call so far as JSON lines ``{"method", "args"}``."""
        with self.lock:
            lines = [
                json.dumps({"method": c["method"], "args": c["args"]}, ensure_ascii=False, default=str)
                for c in self.calls
            ]
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(c) for c in self.calls if c["method"] == method]

    # -- methods (called under the lock with decoded args) -----------------------------------------------
    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Tandem Sandbox",
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "team": {
                "id": self.team_id,
                "name": "Tandem Sandbox",
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {"image_default": True},
            }
        }

    def _m_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(args["channel"]))
        conv = self._conv(channel)
        self._bot_can_write(conv)
        metadata = args.get("metadata")
        message = self._bot_message(
            args.get("text"), args.get("blocks"), thread_ts=args.get("thread_ts") or None, metadata=metadata
        )
        if message.get("thread_ts") and _truthy(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        stored = self._store_message(channel, message)
        return {"channel": channel, "ts": stored["ts"], "message": copy.deepcopy(stored)}

    def _own_message(self, args: dict[str, Any], ts_key: str = "ts") -> tuple[str, dict[str, Any]]:
        channel = self._resolve_channel(str(args["channel"]))
        message = self._find_in(channel, str(args[ts_key]))
        if message is None:
            raise SlackError("message_not_found")
        return channel, message

    def _m_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._own_message(args)
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        if "text" in args:
            message["text"] = args["text"] or ""
        if "blocks" in args:
            message["blocks"] = _fill_ids(copy.deepcopy(args["blocks"]))
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _m_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._own_message(args)
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _m_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, message = self._own_message(args, "message_ts")
        url = f"https://{self.team_domain}.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
        return {"channel": channel, "permalink": url}

    def _m_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(args["channel"]))
        conv = self._conv(channel)
        user = str(args["user"])
        if user not in self._users:
            raise SlackError("user_not_found")
        is_own_dm = conv["kind"] == "im" and conv["user"] == user
        if not is_own_dm:
            self._bot_can_write(conv)
            if user not in conv["members"]:
                raise SlackError("user_not_in_channel")
        message = self._add_ephemeral(user, channel, args, "chat.postEphemeral")
        return {"message_ts": message["ts"]}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            conv = self._conv(str(args["channel"]))
            return {"channel": self._conv_public(conv)}
        users = args.get("users")
        if isinstance(users, list):
            user_ids = [str(u) for u in users]
        else:
            user_ids = [u.strip() for u in str(users or "").split(",") if u.strip()]
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        existed = {cid for cid in self._convs}
        cid = self._open_conversation(user_ids)
        conv = self._convs[cid]
        already = cid in existed
        if conv["kind"] == "im" and not _truthy(args.get("return_im")):
            channel: dict[str, Any] = {"id": cid}
        else:
            channel = self._conv_public(conv)
        result: dict[str, Any] = {"channel": channel}
        if already:
            result.update({"no_op": True, "already_open": True})
        return result

    def _visible(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._conv(str(args["channel"]))
        if conv["kind"] != "public" and self.bot_user_id not in conv["members"]:
            raise SlackError("channel_not_found")
        return conv

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._visible(args)
        return {"channel": self._conv_public(conv, include_num_members=_truthy(args.get("include_num_members")))}

    @staticmethod
    def _page(items: list[Any], args: dict[str, Any]) -> tuple[list[Any], str]:
        try:
            limit = max(1, min(1000, int(args.get("limit") or 100)))
        except (TypeError, ValueError):
            raise SlackError("invalid_limit") from None
        start = 0
        cursor = args.get("cursor")
        if cursor:
            try:
                start = int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                raise SlackError("invalid_cursor") from None
        page = items[start : start + limit]
        following = start + limit
        next_cursor = base64.b64encode(f"offset:{following}".encode()).decode() if following < len(items) else ""
        return page, next_cursor

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._visible(args)
        page, cursor = self._page(list(conv["members"]), args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _readable(self, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        conv = self._conv(str(args["channel"]))
        if self.bot_user_id not in conv["members"]:
            raise SlackError("not_in_channel" if conv["kind"] == "public" else "channel_not_found")
        return conv["id"], conv

    def _m_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, _ = self._readable(args)
        top = [m for m in self._messages[channel] if m.get("thread_ts") in (None, m["ts"])]
        top.reverse()  # newest first, like Slack
        page, cursor = self._page(top, args)
        return {
            "messages": _metadata_if_asked(page, args),
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, _ = self._readable(args)
        ts = str(args["ts"])
        parent = self._find_in(channel, ts)
        if parent is None:
            raise SlackError("thread_not_found")
        thread = [m for m in self._messages[channel] if m["ts"] == ts or m.get("thread_ts") == ts]
        page, cursor = self._page(thread, args)
        return {
            "messages": _metadata_if_asked(page, args),
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_join(self, args: dict[str, Any]) -> dict[str, Any]:
        conv = self._conv(str(args["channel"]))
        if conv["kind"] != "public":
            raise SlackError("method_not_supported_for_channel_type")
        already = self.bot_user_id in conv["members"]
        if not already:
            conv["members"].append(self.bot_user_id)
        result: dict[str, Any] = {"channel": self._conv_public(conv)}
        if already:
            result["warning"] = "already_in_channel"
        return result

    def _m_conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tandem invites people into a channel it is in (groups:write for private ones). Like Slack: everyone
        already in it is ``already_in_channel``; unknown users are ``user_not_found``."""
        conv = self._conv(str(args["channel"]))
        if self.bot_user_id not in conv["members"]:
            raise SlackError("not_in_channel")
        users = [u for u in str(args["users"]).split(",") if u]
        if not users:
            raise SlackError("no_user")
        for user in users:
            if user not in self._users:
                raise SlackError("user_not_found")
            if user in conv["members"]:
                raise SlackError("already_in_channel")
        conv["members"].extend(users)
        if self.app_url is not None:
            kind = "G" if conv["kind"] == "private" else "C"
            self._after_call.extend(
                {
                    "type": "member_joined_channel",
                    "user": u,
                    "channel": conv["id"],
                    "channel_type": kind,
                    "team": self.team_id,
                    "inviter": self.bot_user_id,
                }
                for u in users
            )
        return {"channel": self._conv_public(conv)}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(args["user"]))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": self._user_public(user, include_locale=_truthy(args.get("include_locale")))}

    def _m_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include_locale = _truthy(args.get("include_locale"))
        members = [self._user_public(u, include_locale=include_locale) for u in self._users.values()]
        page, cursor = self._page(members, args)
        return {
            "members": page,
            "cache_ts": int(self._now().timestamp()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_users_conversations(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user") or self.bot_user_id)
        if user not in self._users:
            raise SlackError("user_not_found")
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
        kinds = {"public_channel": "public", "private_channel": "private", "mpim": "mpim", "im": "im"}
        wanted = {kinds[t] for t in types if t in kinds}
        convs = [
            self._conv_public(c)
            for c in self._convs.values()
            if c["kind"] in wanted
            and user in c["members"]
            and not (_truthy(args.get("exclude_archived")) and c["is_archived"])
        ]
        page, cursor = self._page(convs, args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._use_trigger(args)
        view = self._new_view(args["view"], user_id)
        self._view_stacks[user_id] = [view["id"]]
        return {"view": copy.deepcopy(view)}

    def _m_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._use_trigger(args)
        stack = self._view_stacks.setdefault(user_id, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        previous = stack[-1] if stack else None
        root = self._views[stack[0]]["id"] if stack else None
        view = self._new_view(args["view"], user_id, previous=previous, root=root)
        stack.append(view["id"])
        return {"view": copy.deepcopy(view)}

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (v for v, view in self._views.items() if view.get("external_id") == args["external_id"]), None
            )
        elif not view_id:
            raise SlackError("invalid_arguments", ["view_id or external_id is required"])
        if not view_id or view_id not in self._views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        return {"view": copy.deepcopy(self._replace_view(view_id, args["view"]))}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args["user_id"])
        if user_id not in self._users:
            raise SlackError("user_not_found")
        existing = self._home.get(user_id)
        if existing:
            if args.get("hash") and args["hash"] != self._views[existing]["hash"]:
                raise SlackError("hash_conflict")
            view = self._replace_view(existing, args["view"])
        else:
            view = self._new_view(args["view"], user_id)
            self._home[user_id] = view["id"]
        return {"view": copy.deepcopy(view)}

    def _m_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        alt = args.get("alt_txt")
        if alt is not None and len(str(alt)) > 1000:
            raise SlackError("invalid_arguments", ["alt_txt must be at most 1000 characters"])
        file_id = self._next_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": args["filename"],
            "title": args["filename"],
            "length": int(args["length"]),
            "uploaded": None,
            "shares": [],
            "completed": False,
            "alt_txt": str(alt) if alt is not None else None,
            "mimetype": mimetypes.guess_type(str(args["filename"]))[0] or "text/plain",
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _m_upload_complete(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"]
        if not isinstance(files, list):
            raise SlackError("invalid_arguments", ["files must be a JSON array"])
        done = []
        for item in files:
            info = self.files.get(item.get("id")) if isinstance(item, dict) else None
            if info is None:
                raise SlackError("file_not_found")
            info["title"] = item.get("title") or info["name"]
            info["completed"] = True
            done.append(
                {
                    "id": info["id"],
                    "name": info["name"],
                    "title": info["title"],
                    "mimetype": info.get("mimetype"),
                    "alt_txt": info.get("alt_txt"),
                }
            )
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.append(str(args["channel_id"]))
        for channel in channels:
            cid = self._resolve_channel(channel)
            self._bot_can_write(self._conv(cid))
            message = self._bot_message(
                args.get("initial_comment") or "",
                None,
                subtype="file_share",
                files=copy.deepcopy(done),
                thread_ts=args.get("thread_ts") or None,
            )
            stored = self._store_message(cid, message)
            for item in done:
                self.files[item["id"]]["shares"].append({"channel": cid, "ts": stored["ts"]})
        return {"files": done}

    def _m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(args["channel"]))
        message = self._find_in(channel, str(args["timestamp"]))
        if message is None:
            raise SlackError("message_not_found")
        reactions = message.setdefault("reactions", [])
        for reaction in reactions:
            if reaction["name"] == args["name"]:
                if self.bot_user_id in reaction["users"]:
                    raise SlackError("already_reacted")
                reaction["users"].append(self.bot_user_id)
                reaction["count"] += 1
                return {}
        reactions.append({"name": args["name"], "users": [self.bot_user_id], "count": 1})
        return {}

    _METHODS: dict[str, Callable[[Sandbox, dict[str, Any]], dict[str, Any]]] = {
        "auth.test": _m_auth_test,
        "team.info": _m_team_info,
        "chat.postMessage": _m_post_message,
        "chat.update": _m_update,
        "chat.delete": _m_delete,
        "chat.getPermalink": _m_permalink,
        "chat.postEphemeral": _m_post_ephemeral,
        "conversations.open": _m_conversations_open,
        "conversations.info": _m_conversations_info,
        "conversations.members": _m_conversations_members,
        "conversations.history": _m_history,
        "conversations.replies": _m_replies,
        "conversations.join": _m_join,
        "conversations.invite": _m_conversations_invite,
        "users.info": _m_users_info,
        "users.list": _m_users_list,
        "users.conversations": _m_users_conversations,
        "views.open": _m_views_open,
        "views.push": _m_views_push,
        "views.update": _m_views_update,
        "views.publish": _m_views_publish,
        "files.getUploadURLExternal": _m_upload_url,
        "files.completeUploadExternal": _m_upload_complete,
        "reactions.add": _m_reactions_add,
    }

    # ------------------------------------------------------------------ response_url and uploads
    def handle_response_url(self, token: str, raw: bytes) -> tuple[int, str]:
        """A post to a response_url: (HTTP status, text body)."""
        with self.lock:
            info = self._response_urls.get(token)
            record: dict[str, Any] = {"token": token, "at": self._now().isoformat(), "ok": False}
            self.response_url_posts.append(record)
            if info is None:
                record["error"] = "no_such_url"
                return 404, "no_such_url"
            record.update({"channel": info["channel"], "user": info["user"]})
            try:
                body = json.loads(raw.decode("utf-8") or "{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                record["error"] = "invalid_payload"
                return 400, "invalid_payload"
            record["body"] = body
            if self._now() - info["issued_at"] > RESPONSE_URL_TTL:
                record["error"] = "expired_url"
                return 404, "expired_url"
            if info["uses"] >= RESPONSE_URL_USES:
                record["error"] = "used_url"
                return 404, "used_url"
            info["uses"] += 1
            original = self._find_in(info["channel"], info["message_ts"]) if info["message_ts"] else None
            if _truthy(body.get("delete_original")):
                if original is not None:
                    self._messages[info["channel"]].remove(original)
                elif info["is_ephemeral"]:
                    self._drop_ephemeral(info["user"], info["message_ts"])
                record["ok"] = True
                return 200, "ok"
            text = body.get("text")
            if not body.get("blocks") and not text:
                record["error"] = "no_text"
                return 400, "no_text"
            if isinstance(text, str) and len(text) > 40000:
                record["error"] = "msg_too_long"
                return 400, "msg_too_long"
            if body.get("blocks") is not None:
                problems = validate_blocks(body["blocks"], surface="message")
                if problems:
                    record.update({"error": "invalid_blocks", "problems": problems})
                    return 400, "invalid_blocks"
            if _truthy(body.get("replace_original")) and original is not None:
                original["text"] = text or ""
                if body.get("blocks") is not None:
                    original["blocks"] = _fill_ids(copy.deepcopy(body["blocks"]))
                else:
                    original.pop("blocks", None)
                original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
            elif _truthy(body.get("replace_original")) and info["is_ephemeral"]:
                self._drop_ephemeral(info["user"], info["message_ts"])
                self._add_ephemeral(info["user"], info["channel"], body, "response_url")
            elif body.get("response_type") == "in_channel":
                self._store_message(
                    info["channel"],
                    self._bot_message(text, body.get("blocks"), thread_ts=body.get("thread_ts")),
                )
            else:
                self._add_ephemeral(info["user"], info["channel"], body, "response_url")
            record["ok"] = True
            return 200, "ok"

    def _drop_ephemeral(self, user_id: str, ts: str | None) -> None:
        items = self._ephemeral.get(user_id, [])
        self._ephemeral[user_id] = [m for m in items if m["ts"] != ts]

    def handle_upload(self, file_id: str, raw: bytes) -> tuple[int, str]:
        with self.lock:
            info = self.files.get(file_id)
            if info is None:
                return 404, "file_not_found"
            info["uploaded"] = len(raw)
            info["content"] = bytes(raw)  # what was uploaded, for tests and demos to read
            return 200, f"OK - {len(raw)}"

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
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(secret or self.signing_secret).generate_signature(
            timestamp=timestamp, body=body.decode("utf-8")
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "",
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        headers.update(extra_headers or {})
        request = urllib.request.Request(self.app_url, data=body, headers=headers, method="POST")
        try:
            with _NO_PROXY.open(request, timeout=self.event_timeout) as response:
                return (
                    response.status,
                    response.read().decode("utf-8", "replace"),
                    {k.lower(): v for k, v in response.headers.items()},
                    "",
                )
        except urllib.error.HTTPError as err:
            return (
                err.code,
                err.read().decode("utf-8", "replace"),
                {k.lower(): v for k, v in err.headers.items()},
                "http_error",
            )
        except TimeoutError:
            return None, "", {}, "http_timeout"
        except urllib.error.URLError as err:
            reason = "http_timeout" if isinstance(err.reason, TimeoutError | socket.timeout) else "connection_failed"
            return None, "", {}, reason
        except (ConnectionError, OSError):
            return None, "", {}, "connection_failed"

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
        extra: dict[str, str] = {}
        for retry_num in range(retries + 1):
            status, text, headers, reason = self.post_to_app(body, content_type, extra_headers=extra)
            delivery.attempts.append((status, retry_num))
            delivery.status, delivery.body, delivery.headers = status, text, headers
            if delivery.ok or headers.get("x-slack-no-retry") == "1":
                break
            extra = {
                "X-Slack-Retry-Num": str(retry_num + 1),
                "X-Slack-Retry-Reason": reason or ("http_error" if status else "http_timeout"),
            }
        return delivery

    def deliver_event(self, event: dict[str, Any]) -> Delivery:
        """Deliver an Events API event in an ``event_callback`` envelope, retrying like Slack."""
        with self.lock:
            event = copy.deepcopy(event)
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
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
        status, text, response_headers, _ = self.post_to_app(body, "application/json", extra_headers=headers)
        delivery = Delivery(kind="event", payload=envelope, event_id=str(envelope.get("event_id") or ""))
        delivery.attempts.append((status, retry_num))
        delivery.status, delivery.body, delivery.headers = status, text, response_headers
        return delivery

    def url_verification(self, challenge: str) -> Delivery:
        payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._send(
            "url_verification", payload, json.dumps(payload).encode("utf-8"), "application/json", retries=0
        )

    def channel_name(self, channel_id: str) -> str:
        with self.lock:
            conv = self._conv(channel_id)
            return "directmessage" if conv["kind"] == "im" else conv["name"]

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
        payload = copy.deepcopy(payload)
        payload.setdefault("token", VERIFICATION_TOKEN)
        payload.setdefault("api_app_id", self.app_id)
        payload.setdefault("team", {"id": self.team_id, "domain": self.team_domain})
        payload.setdefault("is_enterprise_install", False)
        payload.setdefault("enterprise", None)
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        delivery = self._send("interaction", payload, body, "application/x-www-form-urlencoded", retries=0)
        if payload.get("type") == "view_submission" and delivery.ok:
            self._apply_response_action(payload["user"]["id"], payload["view"]["id"], delivery)
        return delivery

    def _apply_response_action(self, user_id: str, view_id: str, delivery: Delivery) -> None:
        ack = delivery.json()
        ack = ack if isinstance(ack, dict) else {}
        action = ack.get("response_action")
        with self.lock:
            stack = self._view_stacks.setdefault(user_id, [])
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

    # ------------------------------------------------------------------ helpers for tests and demos
    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
        """Poll ``predicate`` until it returns something truthy (Bolt runs listeners after the ack)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout:.1f} s")
            time.sleep(interval)


def _make_handler(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "SlackSandbox/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _params(self, raw: bytes) -> dict[str, Any]:
            query = urllib.parse.urlsplit(self.path).query
            params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            content_type = (self.headers.get("Content-Type") or "").lower()
            if raw and "application/json" in content_type:
                data = json.loads(raw.decode("utf-8"))
                if isinstance(data, dict):
                    params.update(data)
            elif raw and "multipart/form-data" not in content_type:
                params.update(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            return params

        def _dispatch(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            raw = self._read_body()
            if path.startswith("/api/"):
                try:
                    params = self._params(raw)
                except ValueError:
                    self._reply(
                        200,
                        json.dumps({"ok": False, "error": "invalid_json"}).encode(),
                        "application/json; charset=utf-8",
                    )
                    return
                status, body, headers = sandbox.handle_api(
                    path[len("/api/") :], params, self.headers.get("Authorization")
                )
                self._reply(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8", headers)
            elif path == "/oauth/v2/authorize" and self.command == "GET":
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                status, extra, page = sandbox.oauth.authorize(query)
                self._reply(status, page.encode("utf-8"), "text/html; charset=utf-8", extra)
            elif path.startswith("/response/") and self.command == "POST":
                status, text = sandbox.handle_response_url(path[len("/response/") :], raw)
                self._reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")
            elif path.startswith("/upload/") and self.command == "POST":
                status, text = sandbox.handle_upload(path[len("/upload/") :], raw)
                self._reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")
            else:
                self._reply(404, b"not_found", "text/plain; charset=utf-8")

        do_GET = _dispatch
        do_POST = _dispatch

    return Handler
