"""An HTML report of a sandbox workspace, roughly as Slack would show it: a sidebar with the conversations, each
conversation as a message list rendered from its Block Kit blocks (or its mrkdwn text), threads under their
parents, shared files (images inline), and the host's App Home as the dashboard.

The report is one self-contained ``index.html`` (inline CSS, no JavaScript, no fonts or scripts from the
network, so it works offline) plus ``files/<file_id>-<name>`` for every uploaded file. Times are UTC. The same
sandbox state gives the same bytes. ``tandem demo --report DIR`` writes one; nothing here is used in production.

The page and its pieces (sidebar, panes, messages, files) are Jinja2 templates with autoescape on
(``templates/html/report.html.j2``, ``report_parts.html.j2``); Slack's own formats (mrkdwn, Block Kit, rich text) are
converted to HTML here, every piece of text escaped, and handed to the templates as Markup.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from babel import dates as babel_dates
from markupsafe import Markup

from bot.pages import macros, render

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox
    from bot.sandbox.stack import LocalStack

# Shortcodes Tandem's texts use; any other ``:name:`` stays as it is.
EMOJI = {
    "seedling": "🌱",
    "wave": "👋",
    "tada": "🎉",
    "calendar": "📆",
    "date": "📅",
    "zzz": "💤",
    "speech_balloon": "💬",
    "checkered_flag": "🏁",
    "white_check_mark": "✅",
    "warning": "⚠️",
    "sparkles": "✨",
    "lock": "🔒",
    "bulb": "💡",
    "busts_in_silhouette": "👥",
    "bust_in_silhouette": "👤",
    "red_circle": "🔴",
    "handshake": "🤝",
    "palm_tree": "🌴",
    "mirror": "🪞",
    "hourglass_flowing_sand": "⏳",
    "bar_chart": "📊",
    "arrow_up": "⬆️",
    "arrow_down": "⬇️",
    "arrow_right": "➡️",
    "raising_hand": "🙋",
    "pushpin": "📌",
    "pray": "🙏",
    "no_entry_sign": "🚫",
    "memo": "📝",
    "link": "🔗",
    "inbox_tray": "📥",
    "fire": "🔥",
    "dart": "🎯",
    "compass": "🧭",
    "card_index": "📇",
    "house": "🏠",
    "thumbsup": "👍",
    "+1": "👍",
    "heart": "❤️",
    "eyes": "👀",
    "smile": "😄",
    "point_right": "👉",
    "x": "❌",
}
_SLACK_ENTITY = re.compile(r"&(amp|lt|gt);")
_SLACK_CHARS = {"amp": "&", "lt": "<", "gt": ">"}
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")
_FENCE = re.compile(r"```(.*?)```", re.S)
_TOKEN = re.compile(r"`([^`\n]+)`|<([^<>\n]*)>")
_STASHED = re.compile(r"\x00(\d+)\x00")
_QUOTE = re.compile(r"(?:&gt;|>) ?")
_QUOTE_REST = re.compile(r"(?:&gt;&gt;&gt;|>>>) ?")
_SAFE_URL = re.compile(r"(?i)(?:https?://|mailto:)")
REPORT_LOCALE = "en_GB"  # the report's own words (sidebar, day headings) are English, as Slack's would be
_AVATAR_COLOURS = ("#4a154b", "#1264a3", "#2eb67d", "#e01e5a", "#ecb22e", "#36c5f0", "#7c3085", "#0b4c8c", "#9c4221")
# Sidebar icons as inline SVG: they draw without an emoji font.
_ICON = '<svg class="svg" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="currentColor">{}</svg>'
_ICONS = {
    "private": _ICON.format('<path d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z"/>'),
    "mpim": _ICON.format(
        '<circle cx="5.5" cy="5" r="2.5"/><circle cx="11.5" cy="5.5" r="2"/>'
        '<path d="M1 14c0-3 2-5 4.5-5s4.5 2 4.5 5zm10-4.5c2.5 0 4 1.7 4 4.5h-4c0-1.7-.4-3.2-1.4-4.2z"/>'
    ),
    "home": _ICON.format('<path d="M8 1 1 7.5h2V15h4v-4h2v4h4V7.5h2z"/>'),
}
_ICONS = {kind: Markup(svg) for kind, svg in _ICONS.items()}
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def _emphasis(marker: str, tag: str) -> tuple[re.Pattern[str], str]:
    m = re.escape(marker)
    # not inside a word (letters and digits; the other markers may touch it: _*both*_)
    pattern = rf"(?<![^\W_])(?<!{m}){m}(?=\S)([^{m}\n]*?\S){m}(?![^\W_])(?!{m})"
    return re.compile(pattern), rf"<{tag}>\1</{tag}>"


_EMPHASES = (_emphasis("*", "b"), _emphasis("_", "i"), _emphasis("~", "s"))


# -- mrkdwn --------------------------------------------------------------------------------------------------
def slack_unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` in message text, in one pass (``&amp;lt;`` is ``&lt;``)."""
    return _SLACK_ENTITY.sub(lambda m: _SLACK_CHARS[m.group(1)], text)


def _literal(raw: str) -> str:
    """Slack text that is not markup, as HTML: Slack's entities undone exactly once, then HTML-escaped."""
    return html.escape(slack_unescape(raw), quote=True)


def emojify(escaped: str) -> str:
    """``:seedling:`` and the other known shortcodes as emoji characters; unknown ones stay as they are."""
    return _EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


@dataclass(frozen=True)
class Names:
    """How mentions render: user id -> real name, conversation id -> name, conversation id -> link in the report."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)


def mrkdwn_to_html(text: str, names: Names | None = None) -> str:
    """Slack mrkdwn (as found in message text and ``mrkdwn`` text objects) as HTML.

    Markup (``<@U1>``, ``<#C1>``, ``<!here>``, ``<url|label>``) is recognised on the raw text; everything else is
    literal text, which Slack already escaped as ``&amp;`` ``&lt;`` ``&gt;``: it is un-escaped once and then
    HTML-escaped, so a typed ``<!channel>`` (``&lt;!channel&gt;``) shows as text and never becomes markup.
    Then *bold*, _italic_, ~strike~, `code`, fenced code blocks, ``>`` quotes, line breaks and emoji."""
    names = names or Names()
    text = text.replace("\x00", "")
    out: list[str] = []
    pos = 0
    for match in _FENCE.finditer(text):
        before = text[pos : match.start()]
        out.append(_lines(before[:-1] if before.endswith("\n") else before, names))
        out.append(f'<pre class="code">{_literal(match.group(1).strip(chr(10)))}</pre>')
        pos = match.end()
        if text.startswith("\n", pos):
            pos += 1
    out.append(_lines(text[pos:], names))
    return "".join(out)


def _lines(segment: str, names: Names) -> str:
    """Lines joined by ``<br>``; runs of ``>`` lines (and everything after ``>>>``) as block quotes."""
    if not segment:
        return ""
    parts: list[str] = []
    plain: list[str] = []
    quoted: list[str] = []
    rest_quoted = False

    def flush_plain() -> None:
        if plain:
            parts.append("<br>".join(plain))
            plain.clear()

    def flush_quoted() -> None:
        if quoted:
            parts.append("<blockquote>" + "<br>".join(quoted) + "</blockquote>")
            quoted.clear()

    for line in segment.split("\n"):
        rest = None if rest_quoted else _QUOTE_REST.match(line)
        one = None if rest_quoted or rest else _QUOTE.match(line)
        if rest_quoted or rest or one:
            flush_plain()
            start = rest.end() if rest else one.end() if one else 0
            rest_quoted = rest_quoted or bool(rest)
            quoted.append(_inline(line[start:], names))
        else:
            flush_quoted()
            plain.append(_inline(line, names))
    flush_plain()
    flush_quoted()
    return "".join(parts)


def _inline(line: str, names: Names) -> str:
    stash: list[str] = []

    def keep(fragment: str) -> str:
        stash.append(fragment)
        return f"\x00{len(stash) - 1}\x00"

    def token(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return keep(f"<code>{_literal(match.group(1))}</code>")
        return keep(_markup(match.group(2), names))

    out = emojify(_literal(_TOKEN.sub(token, line)))
    for pattern, replacement in _EMPHASES:
        out = pattern.sub(replacement, out)
    return _STASHED.sub(lambda m: stash[int(m.group(1))], out)


def _mention(label: str, href: str | None = None) -> str:
    if href:
        return f'<a class="mention" href="{html.escape(href)}">{html.escape(label)}</a>'
    return f'<span class="mention">{html.escape(label)}</span>'


def _markup(inner: str, names: Names) -> str:
    """One ``<...>`` of Slack markup as HTML."""
    target, _, label = inner.partition("|")
    label = slack_unescape(label)
    if target.startswith("@"):
        uid = target[1:]
        return _mention("@" + (names.users.get(uid) or label.lstrip("@") or uid))
    if target.startswith("#"):
        cid = target[1:]
        return _mention("#" + (names.channels.get(cid) or label or cid), names.links.get(cid))
    if target.startswith("!"):
        kind = target[1:].split("^", 1)[0]
        if kind in ("channel", "here", "everyone"):
            return _mention("@" + kind)
        if kind == "subteam":
            return _mention(label or "@group")
        return html.escape(label or kind)  # <!date^...|fallback> and the like
    url = slack_unescape(target)
    if _SAFE_URL.match(url):
        return f'<a href="{html.escape(url)}" rel="noopener noreferrer">{html.escape(label or url)}</a>'
    return html.escape(label or f"<{url}>")  # not a link Slack would make: its label, or the text as it is


def plain_to_html(text: str, *, emoji: bool = True) -> str:
    """A ``plain_text`` object's text as HTML (escaped; emoji shortcodes replaced unless ``emoji`` is false)."""
    escaped = _literal(text)
    return emojify(escaped) if emoji else escaped


# -- the report ----------------------------------------------------------------------------------------------
def _day(at: datetime) -> str:
    """The day heading, through Babel (the report's chrome is English, as in Slack): "Monday, 4 January 2027"."""
    return babel_dates.format_date(at, "EEEE, d MMMM y", locale=REPORT_LOCALE)


def _at(ts: str) -> datetime:
    seconds, _, micros = ts.partition(".")
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int((micros or "0")[:6].ljust(6, "0")))


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s._-]+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _colour(key: str) -> str:
    return _AVATAR_COLOURS[zlib.crc32(key.encode("utf-8")) % len(_AVATAR_COLOURS)]


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip("._")[:100]
    return cleaned or "file"


def _image_type(info: dict[str, Any]) -> str | None:
    mimetype = str(info.get("mimetype") or "")
    if mimetype in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        return mimetype
    content = info.get("content") or b""
    return next((kind for magic, kind in _IMAGE_MAGIC.items() if content.startswith(magic)), None)


@dataclass
class _Conversation:
    id: str
    kind: str  # public, private, mpim, im
    label: str
    members: int
    messages: list[dict[str, Any]]
    threads: dict[str, list[dict[str, Any]]]

    @property
    def anchor(self) -> str:
        return f"conv-{self.id}"

    @property
    def group(self) -> int:
        return {"public": 0, "private": 0, "mpim": 1}.get(self.kind, 2)

    @property
    def count(self) -> int:
        return len({m["ts"] for m in self.messages} | {r["ts"] for rs in self.threads.values() for r in rs})


class _Report:
    """Reads the sandbox once (under its lock) and renders the page."""

    def __init__(self, sandbox: Sandbox, *, host_name: str | None, title: str) -> None:
        self.sandbox = sandbox
        self.title = title
        self.host_name = host_name
        with sandbox.lock:
            self.users = {uid: dict(u) for uid, u in sandbox._users.items()}
            self.files = {fid: dict(f) for fid, f in sandbox.files.items()}
            self.alt_texts = _alt_texts(sandbox)
            self.conversations = self._read_conversations()
            self.ephemeral = sum(len(sandbox.ephemeral_messages(uid)) for uid in self.users)
            homes = {v["id"] for uid in self.users if (v := sandbox.home_view(uid))}
            self.modals = sum(1 for vid in sandbox.view_ids() if vid not in homes)
            self.host = self._find_host()
            self.home = sandbox.home_view(self.host) if self.host else None
        self.by_id = {c.id: c for c in self.conversations}
        self.file_paths: dict[str, str] = {}
        self.names = Names(
            users={uid: u["real_name"] for uid, u in self.users.items()},
            channels={c.id: c.label for c in self.conversations},
            links={c.id: f"#{c.anchor}" for c in self.conversations},
        )

    # -- reading ---------------------------------------------------------------------------------------------
    def _real_name(self, uid: str | None) -> str:
        user = self.users.get(uid or "")
        return user["real_name"] if user else uid or "someone"

    def _read_conversations(self) -> list[_Conversation]:
        sandbox = self.sandbox
        found = []
        for cid, conv in sandbox._convs.items():
            messages = sandbox.messages(cid)
            if not messages:
                continue
            kind = conv["kind"]
            if kind == "im":
                label = self._real_name(conv.get("user"))
            elif kind == "mpim":
                people = [m for m in conv["members"] if m != sandbox.bot_user_id]
                label = ", ".join(sorted((self._real_name(m) for m in people), key=str.casefold))
            else:
                label = conv["name"]
            threads = {
                m["ts"]: sandbox.messages(cid, m["ts"])[1:]
                for m in messages
                if m.get("reply_count") and m.get("subtype") != "thread_broadcast"
            }
            found.append(_Conversation(cid, kind, label, len(conv["members"]), messages, threads))
        return sorted(found, key=lambda c: (c.group, c.label.casefold(), c.id))

    def _find_host(self) -> str | None:
        if not self.host_name:
            return None
        for exact in (True, False):
            for uid, user in self.users.items():
                name = user["name"]
                if name == self.host_name if exact else name.casefold() == self.host_name.casefold():
                    return uid
        return None

    # -- files -----------------------------------------------------------------------------------------------
    def copy_files(self, folder: Path) -> None:
        """Write every uploaded file to ``folder`` as ``<file_id>-<name>``."""
        for fid, info in self.files.items():
            content = info.get("content")
            if content is None:
                continue
            name = f"{_safe_name(fid)}-{_safe_name(str(info.get('name') or 'file'))}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            if not path.exists() or path.read_bytes() != content:
                path.write_bytes(content)
            self.file_paths[fid] = f"{folder.name}/{quote(name)}"

    def _file(self, ref: dict[str, Any]) -> str:
        fid = str(ref.get("id") or "")
        info = self.files.get(fid, {})
        name = str(info.get("name") or ref.get("name") or fid)
        title = str(info.get("title") or ref.get("title") or name)
        path = self.file_paths.get(fid)
        parts = macros("report_parts")
        if path is None:
            return parts.file_missing(title)
        size = _size(len(info["content"]))
        if _image_type(info):
            return parts.file_image(path, self.alt_texts.get(fid) or "", name, title, size)
        return parts.file_link(path, name, title, size)

    # -- Block Kit -------------------------------------------------------------------------------------------
    def text(self, obj: Any) -> str:
        if not isinstance(obj, dict):
            return ""
        raw = str(obj.get("text") or "")
        if obj.get("type") == "mrkdwn":
            return mrkdwn_to_html(raw, self.names)
        return plain_to_html(raw, emoji=obj.get("emoji", True) is not False)

    def blocks(self, blocks: list[dict[str, Any]]) -> str:
        out = []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "header":
                out.append(f'<div class="bk-header">{self.text(block.get("text"))}</div>')
            elif kind == "section":
                main = ""
                if block.get("text"):
                    main += f'<div class="bk-text">{self.text(block["text"])}</div>'
                if block.get("fields"):
                    cells = "".join(f"<div>{self.text(f)}</div>" for f in block["fields"])
                    main += f'<div class="bk-fields">{cells}</div>'
                accessory = block.get("accessory")
                side = f'<div class="bk-accessory">{self.element(accessory)}</div>' if accessory else ""
                out.append(f'<div class="bk-section"><div class="bk-main">{main}</div>{side}</div>')
            elif kind == "context":
                parts = [
                    self.element(e) if e.get("type") == "image" else f"<span>{self.text(e)}</span>"
                    for e in block.get("elements", [])
                ]
                out.append(f'<div class="bk-context">{"".join(parts)}</div>')
            elif kind == "divider":
                out.append('<hr class="bk-divider">')
            elif kind == "actions":
                out.append(
                    f'<div class="bk-actions">{"".join(self.element(e) for e in block.get("elements", []))}</div>'
                )
            elif kind == "image":
                out.append(self._image_block(block))
            elif kind == "input":
                hint = f'<div class="bk-hint">{self.text(block["hint"])}</div>' if block.get("hint") else ""
                out.append(
                    f'<div class="bk-input"><div class="bk-label">{self.text(block.get("label"))}</div>'
                    f"{self.element(block.get('element') or {})}{hint}</div>"
                )
            elif kind == "rich_text":
                out.append(f'<div class="bk-rich">{self._rich(block.get("elements", []))}</div>')
            else:
                out.append(f'<div class="bk-unknown">[{html.escape(str(kind))} block]</div>')
        return "".join(out)

    def _image_block(self, block: dict[str, Any]) -> str:
        alt = str(block.get("alt_text") or "")
        title = f"<figcaption>{self.text(block['title'])}</figcaption>" if block.get("title") else ""
        fid = str((block.get("slack_file") or {}).get("id") or "")
        if fid in self.file_paths:
            src = html.escape(self.file_paths[fid])
            return f'<figure class="file-image"><img src="{src}" alt="{html.escape(alt)}">{title}</figure>'
        url = str(block.get("image_url") or (block.get("slack_file") or {}).get("url") or "")
        link = f' <a href="{html.escape(url)}" rel="noopener noreferrer">open</a>' if _SAFE_URL.match(url) else ""
        return f'<figure class="bk-image-ext">🖼 {html.escape(alt)}{link}{title}</figure>'

    def element(self, el: dict[str, Any]) -> str:
        """An interactive element as an inert look-alike."""
        kind = str(el.get("type") or "")
        if kind == "button":
            style = {"primary": " btn-primary", "danger": " btn-danger"}.get(str(el.get("style")), "")
            return f'<span class="btn{style}" role="button" aria-disabled="true">{self.text(el.get("text"))}</span>'
        if kind == "overflow":
            return '<span class="btn btn-overflow" aria-label="more options">⋯</span>'
        if kind == "image":
            return f'<span class="img-alt" title="{html.escape(str(el.get("alt_text") or ""))}">🖼</span>'
        if kind in ("radio_buttons", "checkboxes"):
            chosen = [el["initial_option"]] if el.get("initial_option") else el.get("initial_options") or []
            values = {o.get("value") for o in chosen}
            on, off = ("◉", "○") if kind == "radio_buttons" else ("☑", "☐")
            items = "".join(
                f"<li>{on if o.get('value') in values else off} {self.text(o.get('text'))}</li>"
                for o in el.get("options", [])
            )
            return f'<ul class="choices">{items}</ul>'
        if kind.endswith("_input"):
            value = el.get("initial_value")
            shown = html.escape(str(value)) if value else self.text(el.get("placeholder"))
            tall = " tall" if el.get("multiline") else ""
            return f'<span class="field{tall}">{shown}</span>'
        return f'<span class="field select">{self._choice(el, kind)} ▾</span>'

    def _choice(self, el: dict[str, Any], kind: str) -> str:
        if el.get("initial_option"):
            return self.text(el["initial_option"].get("text"))
        if el.get("initial_options"):
            return ", ".join(self.text(o.get("text")) for o in el["initial_options"])
        for key in ("initial_user", "initial_conversation", "initial_channel"):
            if el.get(key):
                return html.escape(self.names.users.get(el[key]) or self.names.channels.get(el[key]) or el[key])
        for key in ("initial_users", "initial_conversations", "initial_channels"):
            if el.get(key):
                return ", ".join(
                    html.escape(self.names.users.get(i) or self.names.channels.get(i) or i) for i in el[key]
                )
        for key in ("initial_date", "initial_time"):
            if el.get(key):
                return html.escape(str(el[key]))
        if el.get("placeholder"):
            return self.text(el["placeholder"])
        return html.escape(kind.replace("_", " "))

    def _rich(self, elements: list[dict[str, Any]]) -> str:
        out = []
        for el in elements:
            kind = el.get("type")
            inner = el.get("elements", [])
            if kind == "rich_text_list":
                tag = "ol" if el.get("style") == "ordered" else "ul"
                items = "".join(f"<li>{self._rich_inline(i.get('elements', []))}</li>" for i in inner)
                out.append(f"<{tag}>{items}</{tag}>")
            elif kind == "rich_text_quote":
                out.append(f"<blockquote>{self._rich_inline(inner)}</blockquote>")
            elif kind == "rich_text_preformatted":
                out.append(f'<pre class="code">{self._rich_inline(inner)}</pre>')
            else:
                out.append(f"<div>{self._rich_inline(inner)}</div>")
        return "".join(out)

    def _rich_inline(self, elements: list[dict[str, Any]]) -> str:
        out = []
        for el in elements:
            kind = el.get("type")
            if kind == "text":
                piece = html.escape(str(el.get("text") or "")).replace("\n", "<br>")
                style = el.get("style") or {}
                for key, tag in (("code", "code"), ("strike", "s"), ("italic", "i"), ("bold", "b")):
                    if style.get(key):
                        piece = f"<{tag}>{piece}</{tag}>"
                out.append(piece)
            elif kind == "link":
                url = str(el.get("url") or "")
                label = html.escape(str(el.get("text") or url))
                safe = _SAFE_URL.match(url)
                out.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer">{label}</a>' if safe else label)
            elif kind == "user":
                out.append(_mention("@" + self._real_name(el.get("user_id"))))
            elif kind == "channel":
                cid = str(el.get("channel_id") or "")
                out.append(_mention("#" + self.names.channels.get(cid, cid), self.names.links.get(cid)))
            elif kind == "broadcast":
                out.append(_mention("@" + str(el.get("range") or "here")))
            elif kind == "emoji":
                out.append(EMOJI.get(str(el.get("name")), html.escape(f":{el.get('name')}:")))
        return "".join(out)

    # -- messages --------------------------------------------------------------------------------------------
    def _follows(self, msg: dict[str, Any], previous: dict[str, Any] | None) -> bool:
        """Whether Slack would show ``msg`` without its author, under ``previous`` (same author, same day, within
        five minutes, no thread in between)."""
        if (
            previous is None
            or self._thread_of(previous)
            or "thread_broadcast" in (msg.get("subtype"), previous.get("subtype"))
        ):
            return False
        before, now = _at(previous["ts"]), _at(msg["ts"])
        same_author = (msg.get("user") or msg.get("bot_id")) == (previous.get("user") or previous.get("bot_id"))
        return same_author and before.date() == now.date() and (now - before).total_seconds() < 300

    def messages(self, items: list[dict[str, Any]], *, parent_day: str | None = None, in_thread: bool = False) -> str:
        """A run of messages (one day of a conversation, or a thread), follow-ups without the author again."""
        return "".join(
            self.message(
                m, parent_day=parent_day, in_thread=in_thread, follow=self._follows(m, items[i - 1] if i else None)
            )
            for i, m in enumerate(items)
        )

    def message(
        self, msg: dict[str, Any], *, parent_day: str | None = None, in_thread: bool = False, follow: bool = False
    ) -> str:
        uid = str(msg.get("user") or msg.get("bot_id") or "")
        user = self.users.get(uid)
        name = user["real_name"] if user else str(msg.get("username") or "Unknown")
        at = _at(msg["ts"])
        day = _day(at)
        label = None
        if msg.get("subtype") == "thread_broadcast":
            label = "also sent to the channel" if in_thread else "replied to a thread"
        blocks = msg.get("blocks")
        if blocks:
            body = self.blocks(blocks)
        elif msg.get("text"):
            body = f'<div class="bk-text">{mrkdwn_to_html(str(msg["text"]), self.names)}</div>'
        else:
            body = ""
        replies = [] if in_thread else self._thread_of(msg)
        view = {
            "anchor": f"m-{msg.get('channel', '')}-{msg['ts'].replace('.', '-')}",
            "follow": follow,
            "iso": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "day": day,
            "clock": at.strftime("%H:%M:%S"),
            "shown": at.strftime("%H:%M")
            if parent_day in (None, day)
            else babel_dates.format_datetime(at, "EEE d MMM HH:mm", tzinfo=UTC, locale=REPORT_LOCALE),
            "name": name,
            "app": bool(msg.get("bot_id")) or bool(user and user.get("is_bot")),
            "colour": _colour(uid or name),
            "initials": _initials(name),
            "label": label,
            "body": Markup(body),
            "edited": bool(msg.get("edited")),
            "files": Markup("".join(self._file(f) for f in msg.get("files") or [] if isinstance(f, dict))),
            "reactions": [
                {
                    "name": r["name"],
                    "emoji": EMOJI.get(r["name"], ":" + r["name"] + ":"),
                    "count": int(r.get("count", 0)),
                }
                for r in msg.get("reactions") or []
            ],
            "replies": Markup(self.messages(replies, parent_day=day, in_thread=True)) if replies else "",
            "replies_label": _plural(len(replies), "reply", "replies"),
        }
        return macros("report_parts").message(view)

    def _thread_of(self, msg: dict[str, Any]) -> list[dict[str, Any]]:
        conv = self.by_id.get(str(msg.get("channel")))
        return conv.threads.get(msg["ts"], []) if conv else []

    def conversation(self, conv: _Conversation) -> str:
        icon = None
        if conv.kind in ("public", "private"):
            icon = _ICONS["private"] if conv.kind == "private" else "#"
            about = f"{'Private' if conv.kind == 'private' else 'Public'} channel · {_plural(conv.members, 'member')}"
        elif conv.kind == "mpim":
            about = f"Group DM with Tandem · {_plural(conv.members, 'member')}"
        else:
            about = f"Direct messages between {conv.label} and Tandem"
        by_day: dict[str, list[dict[str, Any]]] = {}
        for msg in conv.messages:
            by_day.setdefault(_day(_at(msg["ts"])), []).append(msg)
        days = [(day, Markup(self.messages(items))) for day, items in by_day.items()]
        about = f"{about} · {_plural(conv.count, 'message')}"
        return macros("report_parts").conversation(conv.anchor, icon, conv.label, about, days)

    def dashboard(self) -> str:
        note = home = None
        if self.host is None:
            who = f"no member named {self.host_name}" if self.host_name else "no host was given"
            note = f"No host dashboard: {who}."
            about = "The hosts' App Home"
        elif not self.home:
            note = "Tandem has not published an App Home for the host yet."
            about = f"App Home of {self._real_name(self.host)}"
        else:
            home = Markup(self.blocks(self.home.get("blocks") or []))
            about = f"App Home of {self._real_name(self.host)}, as Tandem last published it"
        return macros("report_parts").dashboard(_ICONS["home"], about, note, home)

    def sidebar(self) -> str:
        groups = []
        for heading, group in (("Channels", 0), ("Group DMs", 1), ("Direct messages", 2)):
            convs = [
                {
                    "anchor": c.anchor,
                    "icon": _ICONS.get(c.kind, "#" if c.kind == "public" else "●"),
                    "label": c.label,
                    "count": c.count,
                }
                for c in self.conversations
                if c.group == group
            ]
            if convs:
                groups.append((heading, convs))
        not_shown = f"{_plural(self.ephemeral, 'message')} only one person saw, {_plural(self.modals, 'modal')}"
        return macros("report_parts").sidebar(self.title, _ICONS["home"], groups, not_shown)

    def page(self) -> str:
        highlight = "".join(
            f'body:has(#{c.anchor}:target) .sidebar a[href="#{c.anchor}"]{{background:#1164a3;color:#fff}}\n'
            for c in self.conversations
        )
        css = Markup(_CSS.replace("/*HIGHLIGHT*/", highlight))  # ids and anchors are Slack ids: no quotes, no "<"
        panes = Markup("".join([self.dashboard(), *(self.conversation(c) for c in self.conversations)]))
        return render("report", title=self.title, css=css, sidebar=Markup(self.sidebar()), panes=panes)


def _alt_texts(sandbox: Sandbox) -> dict[str, str]:
    """File id -> alt text: from the file record, else from the ``files.getUploadURLExternal`` call that made the
    file (successful calls make files in order)."""
    made = [c for c in sandbox.calls if c["method"] == "files.getUploadURLExternal" and c["ok"]]
    from_calls = (
        {fid: str(c["args"].get("alt_txt") or "") for fid, c in zip(sandbox.files, made, strict=True)}
        if len(made) == len(sandbox.files)
        else {}
    )
    return {fid: str(info.get("alt_txt") or from_calls.get(fid) or "") for fid, info in sandbox.files.items()}


def write_report(
    stack: LocalStack, out_dir: str | Path, *, host_name: str | None = None, title: str = "Tandem"
) -> Path:
    """Write out_dir/index.html (+ out_dir/files/<file_id>-<name> for every uploaded file); return the index path.

    ``host_name`` is the sandbox user ``name`` whose App Home is the host dashboard."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = _Report(stack.sandbox, host_name=host_name, title=title)
    report.copy_files(out / "files")
    index = out / "index.html"
    index.write_text(report.page(), encoding="utf-8")
    return index


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) binary, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def screenshot(
    index: Path, png: Path, *, width: int = 1280, height: int = 900, anchor: str | None = None, timeout: float = 60
) -> bool:
    """Screenshot ``index`` (at ``#anchor``, e.g. ``dashboard`` or ``conv-C00000001``) with headless Chromium into
    ``png``. False when there is no Chromium; RuntimeError when it fails or takes longer than ``timeout`` s."""
    browser = chromium()
    if browser is None:
        return False
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    url = Path(index).resolve().as_uri() + (f"#{anchor}" if anchor else "")
    with tempfile.TemporaryDirectory(prefix="tandem-chromium-") as profile:
        command = [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            url,
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # Chromium's own helper processes too
            process.communicate()
            raise RuntimeError(f"Chromium took longer than {timeout:.0f} s for {url}") from None
    if process.returncode != 0 or not png.exists():
        tail = stderr.decode("utf-8", "replace")[-500:]
        raise RuntimeError(f"Chromium failed ({process.returncode}) for {url}: {tail}")
    return True


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.46 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"Noto Sans","DejaVu Sans",sans-serif,
"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";color:#1d1c1d;background:#fff}
a{color:#1264a3;text-decoration:none}a:hover{text-decoration:underline}
.sidebar{position:fixed;top:0;left:0;bottom:0;width:260px;overflow-y:auto;background:#3f0e40;color:#cfc3cf;
padding:0 0 24px}
.sidebar .workspace{color:#fff;font-weight:900;font-size:18px;padding:14px 16px;border-bottom:1px solid #522653}
.sidebar h2{font-size:13px;font-weight:600;margin:16px 16px 4px;color:#cfc3cf;text-transform:none}
.sidebar ul{list-style:none;margin:0;padding:0}
.sidebar a{display:flex;gap:8px;align-items:center;color:#cfc3cf;padding:3px 16px;font-size:15px;
white-space:nowrap}
.sidebar a:hover{background:#350d36;text-decoration:none}
.sidebar .nav-home{margin-top:10px;color:#fff;font-weight:700}
.sidebar .icon{width:18px;text-align:center;flex:none;opacity:.8}
.sidebar .label{overflow:hidden;text-overflow:ellipsis;flex:1}
.sidebar .count{font-size:12px;opacity:.6}
.sidebar .not-shown{font-size:12px;margin:20px 16px 0;opacity:.7}
main{margin-left:260px;min-height:100vh}
.pane{border-bottom:8px solid #f8f8f8;padding-bottom:24px}
.pane-head{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ddd;padding:10px 20px}
.pane-head h1{font-size:18px;font-weight:900;margin:0}
.pane-head p{margin:2px 0 0;color:#616061;font-size:13px}
.hash{color:#616061;margin-right:4px;font-weight:400}
.day-divider{position:relative;text-align:center;margin:20px 0 8px;font-size:13px;font-weight:700}
.day-divider:before{content:"";position:absolute;left:0;right:0;top:50%;border-top:1px solid #ddd}
.day-divider span{position:relative;background:#fff;border:1px solid #ddd;border-radius:24px;padding:4px 16px}
.msg{display:flex;gap:10px;padding:8px 20px}
.msg:hover{background:#f8f8f8}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;color:#fff;font-weight:700;font-size:14px;
display:flex;align-items:center;justify-content:center}
.msg-body{min-width:0;flex:1}
.msg-head{display:flex;gap:8px;align-items:baseline}
.author{font-weight:900}
.badge{font-size:10px;font-weight:700;color:#616061;background:#e8e8e8;border-radius:2px;padding:0 3px}
time,.meta{color:#616061;font-size:12px}
.edited{color:#616061;font-size:12px}
.follow{padding-top:1px;padding-bottom:1px}.gutter{flex:none;width:36px;text-align:right;padding-top:3px}
.gutter time{font-size:10px;visibility:hidden}.follow:hover .gutter time{visibility:visible}
.msg-content{overflow-wrap:anywhere}
.bk-header{font-size:18px;font-weight:900;margin:4px 0}
.bk-section{display:flex;gap:12px;margin:4px 0}.bk-main{flex:1;min-width:0}
.bk-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:4px}
.bk-context{color:#616061;font-size:13px;margin:4px 0;display:flex;gap:8px;flex-wrap:wrap}
.bk-divider{border:0;border-top:1px solid #ddd;margin:8px 0}
.bk-actions{display:flex;gap:8px;flex-wrap:wrap;margin:6px 0}
.bk-input{margin:8px 0}.bk-label{font-weight:700;margin-bottom:4px}.bk-hint{color:#616061;font-size:13px}
.bk-unknown,.bk-image-ext{color:#616061;font-style:italic}
.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-size:14px;font-weight:700;
background:#fff;color:#1d1c1d;cursor:default;white-space:nowrap}
.btn-primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn-danger{background:#fff;border-color:#e01e5a;color:#e01e5a}
.field{display:inline-block;min-width:200px;border:1px solid #bbb;border-radius:4px;padding:3px 10px;color:#616061}
.field.tall{min-height:70px;display:block}
.choices{list-style:none;padding:0;margin:4px 0}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{font:12px Menlo,Monaco,Consolas,monospace;background:#f6f6f6;border:1px solid #ddd;border-radius:3px;
padding:1px 3px;color:#e01e5a}
pre.code{font:12px/1.5 Menlo,Monaco,Consolas,monospace;background:#f8f8f8;border:1px solid #ddd;border-radius:4px;
padding:8px;white-space:pre-wrap;margin:4px 0}
blockquote{margin:4px 0;padding-left:12px;border-left:4px solid #ddd}
.files{display:flex;flex-wrap:wrap;gap:0 12px;align-items:flex-start}.svg{vertical-align:-2px}
.msg-content{max-width:1000px}
.file-image{margin:6px 0}.file-image img{max-width:480px;max-height:360px;border:1px solid #ddd;border-radius:6px;
display:block}
.file-image figcaption{font-size:13px;margin-top:2px}
.alt{font-size:13px;color:#616061}.alt summary{cursor:pointer}.alt p{margin:2px 0 0}
.file{display:inline-flex;gap:6px;align-items:center;border:1px solid #ddd;border-radius:6px;padding:8px 12px;
margin:6px 0}
.missing{color:#616061}
.reactions{display:flex;gap:4px;margin-top:4px}
.reaction{border:1px solid #ddd;border-radius:12px;padding:0 6px;font-size:12px;background:#f8f8f8}
.thread{margin-top:4px}.thread>summary{color:#1264a3;font-weight:700;font-size:13px;cursor:pointer}
.replies{border-left:2px solid #ddd;margin:4px 0 0 2px}.replies .msg{padding:6px 12px}
.home{padding:8px 20px;max-width:900px}
.note{padding:8px 20px;color:#616061}
@supports selector(main:has(.pane:target)){
.pane{display:none;border:0}
.pane:target,main:not(:has(.pane:target))>#dashboard{display:block}
body:not(:has(.pane:target)) .sidebar .nav-home,body:has(#dashboard:target) .sidebar .nav-home{background:#1164a3}
/*HIGHLIGHT*/}
"""
