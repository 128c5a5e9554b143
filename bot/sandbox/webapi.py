"""The sandbox's Web API: ``handle_api`` checks and records each call (``calls``), applies the injected faults
(``bot.sandbox.faults``) and answers from the method table ``_METHODS`` (one ``_m_*`` handler per Slack method the
bot uses, on the workspace's state; every other *known* method answers ``{"ok": true}``; the OAuth methods are
``bot.sandbox.oauth``'s). Also what the app sends outside ``/api/``: response_url posts, file uploads, and downloads
of a file's ``url_private``."""

from __future__ import annotations

import base64
import contextlib
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.sandbox import oauth
from bot.sandbox.blockkit import check_call, decode_args, validate_blocks
from bot.sandbox.common import (
    BOT_SCOPES,
    MAX_VIEW_STACK,
    RESPONSE_URL_TTL,
    RESPONSE_URL_USES,
    SlackError,
    fill_ids,
    snapshot,
    truthy,
)
from bot.sandbox.deliveries import Deliveries
from bot.sandbox.faults import Faults
from bot.sandbox.oauth import SandboxOAuth, basic_credentials, redacted


def _metadata_if_asked(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of ``messages``; like Slack, with their metadata only when ``include_all_metadata`` is set."""
    out = snapshot(messages)
    if not truthy(args.get("include_all_metadata")):
        for message in out:
            message.pop("metadata", None)
    return out


class WebApi(Deliveries, Faults):
    """The Web API and the app's other requests; see the module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._after_call: list[dict[str, Any]] = []  # events to deliver once the current Web API call is done
        self.calls: list[dict[str, Any]] = []
        self.response_url_posts: list[dict[str, Any]] = []
        self.downloads: list[dict[str, Any]] = []  # GETs of url_private: file id, whether the token was good
        self.oauth = SandboxOAuth(self)  # installing over OAuth: the authorize page, oauth.v2.access, uninstalling
        # the scopes the configured bot token was granted: Slack names them in every answer's X-OAuth-Scopes header
        # (a test grants fewer to see what Tandem says then)
        self.granted_scopes = BOT_SCOPES

    def handle_authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self.oauth.authorize(query)

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
                    "args": snapshot({**args, **redacted(credentials)}),
                    "token": token,
                    "ok": body["ok"],
                    "error": body.get("error"),
                    "status": status,
                    "at": self._now().isoformat(),
                }
            )
        if stall:
            self.stalled_call = snapshot(args)
            self.stalled.set()
            self._unstall.wait(timeout=120)
        with self.lock:
            after, self._after_call = self._after_call, []
        for event in after:  # events a call causes (member_joined_channel) reach the app before the call returns
            self.deliver_event(event)
        scopes = self._scopes_of(token)
        if scopes is not None:
            headers["X-OAuth-Scopes"] = scopes
        return status, body, headers

    def _scopes_of(self, token: str | None) -> str | None:
        """What Slack's X-OAuth-Scopes header says for ``token``: the scopes granted to it (None: not a bot token)."""
        with self.lock:
            if token == self.bot_token:
                return self.granted_scopes
            issued = self.oauth.tokens.get(token or "")
            return issued.scope if issued is not None else None

    def _api_call(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        code, problems = check_call(method, args)
        if code == "unknown_method":
            raise SlackError(code)
        if method == "apps.connections.open":
            return {"ok": True, "url": self._connections_open(token)}
        if method in oauth.NO_TOKEN_METHODS:
            token = None
        elif not token:
            raise SlackError("not_authed")
        else:
            self.oauth.team_of(token)  # the configured bot token or one issued over OAuth, not revoked
        if code:
            raise SlackError(code, problems)
        if method in oauth.METHODS:
            own = self._m_auth_test(args) if method == "auth.test" else {}
            return {"ok": True, **self.oauth.call(method, args, token, own)}
        handler = self._METHODS.get(method)
        result = handler(self, args) if handler else {}
        return {"ok": True, **result}

    def _connections_open(self, token: str | None) -> str:
        """``apps.connections.open`` takes the app-level token (``xapp-``) alone: a bot or user token is refused with
        ``not_allowed_token_type``, an unknown token with ``invalid_auth``."""
        if not token:
            raise SlackError("not_authed")
        if token != self.app_token:
            try:
                self.oauth.team_of(token)
            except SlackError:
                raise SlackError("invalid_auth") from None
            raise SlackError("not_allowed_token_type")
        return self.open_socket_link()

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
            return [snapshot(c) for c in self.calls if c["method"] == method]

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
        if message.get("thread_ts") and truthy(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        stored = self._store_message(channel, message)
        return {"channel": channel, "ts": stored["ts"], "message": snapshot(stored)}

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
            message["blocks"] = fill_ids(snapshot(args["blocks"]))
        if "metadata" in args:
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": snapshot(message),
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
        if conv["kind"] == "im" and not truthy(args.get("return_im")):
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
        return {"channel": self._conv_public(conv, include_num_members=truthy(args.get("include_num_members")))}

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

    def _m_conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        """A channel Tandem creates (groups:write for a private one, channels:manage for a public one); Tandem is
        its first member. Like Slack: a name must be lower case, without spaces or periods, at most 80 characters
        (``invalid_name_specials``, ``invalid_name_maxlength``), and free (``name_taken``)."""
        name = str(args.get("name") or "")
        if not name:
            raise SlackError("invalid_name_required")
        if len(name) > 80:
            raise SlackError("invalid_name_maxlength")
        if name != name.lower() or any(c in name for c in " .,") or not all(c.isalnum() or c in "-_" for c in name):
            raise SlackError("invalid_name_specials")
        if any(c.get("name") == name for c in self._convs.values()):
            raise SlackError("name_taken")
        private = str(args.get("is_private", "")).lower() in ("true", "1")
        cid = self.create_channel(name, is_private=private, members=[self.bot_user_id], creator=self.bot_user_id)
        return {"channel": self._conv_public(self._conv(cid))}

    def _m_conversations_kick(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tandem removes someone from a channel it is in. Like Slack: ``not_in_channel`` when they are not in it,
        ``cant_kick_self`` for Tandem itself."""
        conv = self._conv(str(args["channel"]))
        if self.bot_user_id not in conv["members"]:
            raise SlackError("not_in_channel" if conv["kind"] == "public" else "channel_not_found")
        user = str(args.get("user") or "")
        if user == self.bot_user_id:
            raise SlackError("cant_kick_self")
        if user not in conv["members"]:
            raise SlackError("not_in_channel")
        conv["members"].remove(user)
        return {}

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
        return {"user": self._user_public(user, include_locale=truthy(args.get("include_locale")))}

    def _m_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include_locale = truthy(args.get("include_locale"))
        members = [self._user_public(u, include_locale=include_locale) for u in self._users.values()]
        page, cursor = self._page(members, args)
        return {
            "members": page,
            "cache_ts": int(self._now().timestamp()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = str(args["email"]).strip().lower()
        for user in self._users.values():
            if (user.get("email") or "").lower() == wanted and not user["deleted"]:
                return {"user": self._user_public(user, include_locale=False)}
        raise SlackError("users_not_found")

    def _m_users_profile_get(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(args.get("user") or self.bot_user_id))
        if user is None:
            raise SlackError("user_not_found")
        labels = {f["id"]: f["label"] for f in self._profile_fields}
        fields: dict[str, Any] = {}
        for field_id, value in user["fields"].items():
            fields[field_id] = {"value": value, "alt": ""}
            if truthy(args.get("include_labels")):
                fields[field_id]["label"] = labels.get(field_id, "")
        profile = dict(self._user_public(user, include_locale=False)["profile"])
        profile["fields"] = fields or None  # Slack answers null when a member has no custom fields
        return {"profile": profile}

    def _m_team_profile_get(self, args: dict[str, Any]) -> dict[str, Any]:
        everyone = args.get("visibility") == "all"
        visible = [snapshot(f) for f in self._profile_fields if everyone or not f["is_hidden"]]
        return {"profile": {"fields": visible, "sections": []}}

    def _m_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        info = self.files.get(str(args["file"]))
        if info is None:
            raise SlackError("file_not_found")
        return {"file": self._file_public(info), "comments": [], "response_metadata": {"next_cursor": ""}}

    def handle_download(self, path: str, authorization: str | None) -> tuple[int, bytes, str]:
        """A GET of a file's url_private: (HTTP status, body, content type). Like Slack, without a valid token the
        answer is the HTML sign-in page, not an error."""
        token = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
        rest = path[len("/files-pri/") :]
        file_id = rest.split("/", 1)[0].split("-", 1)[-1]
        with self.lock:
            info = self.files.get(file_id)
            valid = False
            if token:
                try:
                    self.oauth.team_of(token)
                    valid = True
                except SlackError:
                    valid = False
            self.downloads.append({"file": file_id, "authorized": valid, "at": self._now().isoformat()})
            if info is None:
                return 404, b"file_not_found", "text/plain; charset=utf-8"
            if not valid:
                page = b"<!DOCTYPE html><html><body>Sign in to Tandem Sandbox</body></html>"
                return 200, page, "text/html; charset=utf-8"
            return 200, bytes(info.get("content") or b""), info.get("mimetype") or "application/octet-stream"

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
            and not (truthy(args.get("exclude_archived")) and c["is_archived"])
        ]
        page, cursor = self._page(convs, args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._use_trigger(args)
        view = self._new_view(args["view"], user_id)
        self._view_stacks[user_id] = [view["id"]]
        return {"view": snapshot(view)}

    def _m_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = self._use_trigger(args)
        stack = self._view_stacks.setdefault(user_id, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        previous = stack[-1] if stack else None
        root = self._views[stack[0]]["id"] if stack else None
        view = self._new_view(args["view"], user_id, previous=previous, root=root)
        stack.append(view["id"])
        return {"view": snapshot(view)}

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
        return {"view": snapshot(self._replace_view(view_id, args["view"]))}

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
        return {"view": snapshot(view)}

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
                files=snapshot(done),
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

    _METHODS: dict[str, Callable[[WebApi, dict[str, Any]], dict[str, Any]]] = {
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
        "conversations.create": _m_conversations_create,
        "conversations.kick": _m_conversations_kick,
        "users.info": _m_users_info,
        "users.list": _m_users_list,
        "users.conversations": _m_users_conversations,
        "users.lookupByEmail": _m_users_lookup_by_email,
        "users.profile.get": _m_users_profile_get,
        "team.profile.get": _m_team_profile_get,
        "files.info": _m_files_info,
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
            if truthy(body.get("delete_original")):
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
            if truthy(body.get("replace_original")) and original is not None:
                original["text"] = text or ""
                if body.get("blocks") is not None:
                    original["blocks"] = fill_ids(snapshot(body["blocks"]))
                else:
                    original.pop("blocks", None)
                original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
            elif truthy(body.get("replace_original")) and info["is_ephemeral"]:
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
