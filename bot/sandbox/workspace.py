"""The sandbox's workspace: its state and what people and Slack do to it. Users (with e-mail addresses and custom
profile fields), conversations, messages (threads, ephemeral ones), files, views (stacks, App Home), trigger ids and
response URLs; ids and message ts from the workspace's clock. Everything sits behind ``lock``. The Web API
(``bot.sandbox.webapi``) and the deliveries to the app (``bot.sandbox.deliveries``) work on this state."""

from __future__ import annotations

import itertools
import mimetypes
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, SystemClock
from bot.sandbox.common import (
    TRIGGER_TTL,
    SlackError,
    fill_ids,
    snapshot,
)
from bot.sandbox.transport import Transport

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


class Workspace(Transport):
    """The state of one sandbox workspace; all of it behind ``lock``."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox",
        clock: Clock | None = None,
        team_id: str = "T0TANDEM",
        team_domain: str = "tandem-sandbox",
        app_id: str = "A0TANDEM",
        bot_user_id: str = "U0TANDEMBOT",
    ) -> None:
        super().__init__()
        self.bot_token = bot_token
        self.clock: Clock = clock or SystemClock()
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0TANDEMBOT"
        self.lock = threading.RLock()
        self.files: dict[str, dict[str, Any]] = {}
        self._profile_fields: list[dict[str, Any]] = []  # the workspace's custom profile fields (team.profile.get)
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
        self._seq: dict[str, itertools.count[int]] = {}
        self._last_ts = 0
        self._users[bot_user_id] = self._make_user(
            bot_user_id, "tandem", "Tandem", "America/Los_Angeles", "en-US", False, False, True
        )

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
            "email": None if is_bot else f"{name.lower()}@{self.team_domain}.example",
            "fields": {},  # custom profile field id -> value
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
        email: str | None = None,
    ) -> str:
        """Add a member to the workspace; returns its id (``U`` + counter). ``email``: their address (default
        ``<name>@<team domain>.example``)."""
        with self.lock:
            uid = self._next_id("U")
            self._users[uid] = self._make_user(
                uid, name, real_name or name.title(), tz, locale, is_admin, is_owner, is_bot
            )
            if email is not None:
                self._users[uid]["email"] = email
            return uid

    def add_profile_field(self, label: str, *, kind: str = "user") -> str:
        """A custom profile field of the workspace (``Xf...``); ``kind``: Slack's field type (user, text, ...)."""
        with self.lock:
            field_id = f"Xf{self._next('field'):08d}"
            self._profile_fields.append(
                {
                    "id": field_id,
                    "ordering": len(self._profile_fields),
                    "label": label,
                    "hint": "",
                    "type": kind,
                    "possible_values": None,
                    "options": None,
                    "is_hidden": False,
                    "section_id": "S0SANDBOX",
                }
            )
            return field_id

    def set_profile_field(self, user_id: str, field_id: str, value: str | None) -> None:
        """What a member's profile says in a custom field (None: empty)."""
        with self.lock:
            fields = self._users[user_id]["fields"]
            if value is None:
                fields.pop(field_id, None)
            else:
                fields[field_id] = value

    def upload_as(self, user_id: str, name: str, content: bytes, *, filetype: str = "csv") -> dict[str, Any]:
        """A file a member uploaded (e.g. into a modal's ``file_input``): its file object, as Slack puts it in a
        ``view_submission``'s state, with ``url_private`` pointing at this sandbox."""
        with self.lock:
            if user_id not in self._users:
                raise KeyError(f"no sandbox user {user_id!r}")
            file_id = self._next_id("F")
            base = f"{self.base_url}files-pri/{self.team_id}-{file_id}/"
            url = base + urllib.parse.quote(name)
            self.files[file_id] = {
                "id": file_id,
                "name": name,
                "title": name,
                "length": len(content),
                "uploaded": len(content),
                "content": bytes(content),
                "shares": [],
                "completed": True,
                "alt_txt": None,
                "mimetype": mimetypes.guess_type(name)[0] or "text/plain",
                "user": user_id,
                "filetype": filetype,
                "created": int(self._now().timestamp()),
                "url_private": url,
                "url_private_download": base + "download/" + urllib.parse.quote(name),
            }
            return self._file_public(self.files[file_id])

    def _file_public(self, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": info["id"],
            "created": info.get("created", 0),
            "timestamp": info.get("created", 0),
            "name": info["name"],
            "title": info.get("title") or info["name"],
            "mimetype": info.get("mimetype") or "text/plain",
            "filetype": info.get("filetype") or "text",
            "user": info.get("user") or self.bot_user_id,
            "size": info.get("length") or 0,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": info.get("url_private") or "",
            "url_private_download": info.get("url_private_download") or "",
        }

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
        if user.get("email"):
            out["profile"]["email"] = user["email"]
        if user["is_bot"] and user["id"] == self.bot_user_id:
            out["profile"]["bot_id"] = self.bot_id
        if include_locale:
            out["locale"] = user["locale"]
        return out

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
            fill_ids(message["blocks"])
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
            message["blocks"] = snapshot(blocks)
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
            return {**snapshot(stored), "channel": channel_id}

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
                    out.append({**snapshot(message), "channel": channel_id})
            return out

    def find_message(self, ts: str, channel_id: str | None = None) -> dict[str, Any]:
        """A copy (with ``channel``) of the message with ``ts``; ephemeral ones have ``is_ephemeral``."""
        with self.lock:
            channels = [channel_id] if channel_id else list(self._messages)
            for cid in channels:
                message = self._find_in(cid, ts)
                if message is not None:
                    return {**snapshot(message), "channel": cid}
            for items in self._ephemeral.values():
                for message in items:
                    if message["ts"] == ts and (channel_id is None or message["channel"] == channel_id):
                        return snapshot(message)
        raise KeyError(f"no message with ts {ts}")

    def ephemeral_messages(self, user_id: str) -> list[dict[str, Any]]:
        """What only ``user_id`` saw: chat.postEphemeral, response_url and slash-command ack messages."""
        with self.lock:
            return snapshot(self._ephemeral.get(user_id, []))

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
            message["blocks"] = fill_ids(snapshot(body["blocks"]))
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
        view = snapshot(spec)
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
        fill_ids(view.get("blocks"))
        self._views[view_id] = view
        self._view_owner[view_id] = user_id
        return view

    def _replace_view(self, view_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        old = self._views[view_id]
        view = snapshot(spec)
        fill_ids(view.get("blocks"))
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
            return snapshot(found) if found else None

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Every view (modals and Home tabs) by id, copies."""
        with self.lock:
            return snapshot(self._views)

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
            return [snapshot(self._views[v]) for v in self._view_stacks.get(user_id, [])]

    def view_errors(self, view_id: str) -> dict[str, str] | None:
        """The ``errors`` the app answered a submission with, shown on the open view."""
        with self.lock:
            errors = self._view_errors.get(view_id)
            return dict(errors) if errors is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self.lock:
            view_id = self._home.get(user_id)
            return snapshot(self._views[view_id]) if view_id else None

    def close_view(self, user_id: str, view_id: str) -> dict[str, Any] | None:
        """The user closes a modal (stack popped; all of it with clear_on_close). Returns the view."""
        with self.lock:
            stack = self._view_stacks.get(user_id, [])
            if view_id not in stack:
                return None
            view = snapshot(self._views[view_id])
            if view.get("clear_on_close"):
                stack.clear()
            else:
                stack.remove(view_id)
            return view

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        with self.lock:
            self._views[view_id]["state"] = {"values": snapshot(values)}

    def forge_view(self, user_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Put a modal on ``user_id``'s stack as if Tandem had opened it for them: a test replays someone else's
        modal (its blocks, callback_id and private_metadata) to see that Tandem checks who submits it."""
        keep = ("type", "title", "submit", "close", "blocks", "callback_id", "private_metadata", "external_id")
        with self.lock:
            view = self._new_view({k: snapshot(v) for k, v in spec.items() if k in keep}, user_id)
            self._view_stacks.setdefault(user_id, []).append(view["id"])
            return snapshot(view)

    def channel_name(self, channel_id: str) -> str:
        with self.lock:
            conv = self._conv(channel_id)
            return "directmessage" if conv["kind"] == "im" else conv["name"]
