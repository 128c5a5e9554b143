"""The demo's HTML report: mrkdwn to HTML, a small workspace written out and read back with html.parser, and the
page opened in headless Chromium when there is one."""

from __future__ import annotations

import io
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from slack_sdk import WebClient

from bot.report import Names, mrkdwn_to_html, screenshot, slack_unescape, write_report
from bot.sandbox.stack import BOT_TOKEN, LocalStack
from tests.helpers import admin_channel, persona

ALT = "Bar chart: 3 check-ins in week 1, 5 in week 2"
CSV = b"week,check-ins\n1,3\n2,5\n"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# -- mrkdwn ----------------------------------------------------------------------------------------------------
def test_slack_entities_are_undone_exactly_once_before_html_escaping() -> None:
    assert slack_unescape("&amp;lt; &lt;b&gt; &amp;amp;") == "&lt; <b> &amp;"
    # a typed <!channel> arrives as &lt;!channel&gt;: visible text, never markup
    assert mrkdwn_to_html("Hello &lt;!channel&gt;") == "Hello &lt;!channel&gt;"
    # someone typed "&lt;" literally: Slack sent &amp;lt;, the page must show "&lt;" (HTML: &amp;lt;)
    assert mrkdwn_to_html("a &amp;lt; b") == "a &amp;lt; b"
    assert mrkdwn_to_html("Q&amp;A &lt;3") == "Q&amp;A &lt;3"
    assert mrkdwn_to_html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert mrkdwn_to_html('it\'s "quoted"') == "it&#x27;s &quot;quoted&quot;"
    # real markup is markup
    assert (
        mrkdwn_to_html("<!channel> <!here>")
        == '<span class="mention">@channel</span> <span class="mention">@here</span>'
    )


def test_mrkdwn_formatting_links_mentions_and_emoji() -> None:
    names = Names(users={"U1": "Ana <Weber>"}, channels={"C1": "general"}, links={"C1": "#conv-C1"})
    assert mrkdwn_to_html("*bold* _italic_ ~gone~ `x *y*` snake_case_name", names) == (
        "<b>bold</b> <i>italic</i> <s>gone</s> <code>x *y*</code> snake_case_name"
    )
    assert mrkdwn_to_html("*Hi <@U1>* in <#C1>, <#C9|other>, <@U9>", names) == (
        '<b>Hi <span class="mention">@Ana &lt;Weber&gt;</span></b> in <a class="mention" href="#conv-C1">#general</a>,'
        ' <span class="mention">#other</span>, <span class="mention">@U9</span>'
    )
    assert mrkdwn_to_html("<https://example.com/?a=1&amp;b=2|the &lt;plan&gt;> <mailto:a@b.org>") == (
        '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">the &lt;plan&gt;</a> '
        '<a href="mailto:a@b.org" rel="noopener noreferrer">mailto:a@b.org</a>'
    )
    assert mrkdwn_to_html('<javascript:alert("x")|click>') == "click"  # no link Slack would not make
    assert mrkdwn_to_html(":seedling: :tada: :no_such_emoji: 10:30:00") == "🌱 🎉 :no_such_emoji: 10:30:00"
    assert mrkdwn_to_html("one\ntwo\n&gt; quoted *q*\n> more\nafter") == (
        "one<br>two<blockquote>quoted <b>q</b><br>more</blockquote>after"
    )
    assert mrkdwn_to_html("before\n```\nx = *1* &lt;2&gt;\n```\nafter") == (
        'before<pre class="code">x = *1* &lt;2&gt;</pre>after'
    )
    assert mrkdwn_to_html("_*both*_") == "<i><b>both</b></i>"


# -- the report of a small workspace --------------------------------------------------------------------------
def _tiny_png() -> bytes:
    """A 2x2 RGB PNG made by hand (red, blue / green, white)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(pixels) for pixels in ((255, 0, 0, 0, 0, 255), (0, 255, 0, 255, 255, 255)))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _png() -> bytes:
    """A small chart from matplotlib when it is installed, else the hand-made PNG."""
    try:
        import matplotlib
    except ImportError:
        return _tiny_png()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 1.5), dpi=50)
    axes.bar(["1", "2"], [3, 5])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


class _Page(HTMLParser):
    """What the tests look at: nesting problems, ids, links, images, text (and the text inside threads, the
    sidebar and the dashboard)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []  # (tag, class)
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (href, class)
        self.images: list[dict[str, str]] = []
        self.text: list[str] = []
        self.thread_text: list[str] = []
        self.sidebar: list[str] = []
        self.dashboard: list[str] = []
        self.dashboard_blocks = 0
        self._pane: str | None = None

    def _inside(self, css_class: str) -> bool:
        return any(css_class in cls.split() for _, cls in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            assert values["id"] not in self.ids, f"duplicate id {values['id']}"
            self.ids.add(values["id"])
        if tag == "section":
            self._pane = values.get("id")
        if tag == "a":
            self.links.append((values.get("href", ""), values.get("class", "")))
            if self._inside("sidebar"):
                self.sidebar.append(values.get("href", ""))
        if tag == "img":
            self.images.append(values)
        if self._pane == "dashboard" and values.get("class", "").startswith("bk-"):
            self.dashboard_blocks += 1
        if tag not in VOID:
            self.open.append((tag, values.get("class", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}")
            return
        self.open.pop()
        if tag == "section":
            self._pane = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._inside("replies"):
            self.thread_text.append(data)
        if self._pane == "dashboard":
            self.dashboard.append(data)


def _workspace(stack: LocalStack) -> dict[str, str]:
    """Hosts' channel (a real /tandem admin setup), the host's App Home, a public channel with a thread, a typed
    <!channel>, a link, a mention and an uploaded chart, a DM with a Block Kit message and a file, a group DM."""
    sb = stack.sandbox
    host = persona(stack, "Hanna", is_admin=True)
    ana = persona(stack, "Ana", tz="Europe/Lisbon")
    admin = admin_channel(stack, host, ana)
    host.open_home()
    stack.settle()
    general = sb.create_channel("general", members=[host.id, ana.id, sb.bot_user_id])
    ana.say(general, f"Hello &lt;!channel&gt;, see <https://example.com/plan?a=1&amp;b=2|the plan>, <@{host.id}>")
    parent = sb.messages(general)[-1]
    host.say(general, "Thanks, *noted* :seedling:", thread_ts=parent["ts"])
    client = WebClient(base_url=sb.api_url, token=BOT_TOKEN, retry_handlers=[])
    png = _png()
    client.files_upload_v2(
        content=png, filename="chart.png", title="Weekly chart", channel=general, alt_txt=ALT, initial_comment="Chart"
    )
    dm = ana.dm
    client.chat_postMessage(
        channel=dm,
        text="Your pair",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Your tandem :tada:"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"You are paired with <@{host.id}>."},
                "fields": [{"type": "mrkdwn", "text": "*When*\nTuesdays"}, {"type": "mrkdwn", "text": "*Where*\nZoom"}],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you can see your notes :lock:"}]},
            {"type": "divider"},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Say hello"}, "style": "primary"},
                    {"type": "button", "text": {"type": "plain_text", "text": "Not now"}},
                ],
            },
        ],
    )
    client.files_upload_v2(content=CSV, filename="notes.csv", title="My notes", channel=dm)
    group = client.conversations_open(users=[host.id, ana.id])["channel"]["id"]
    client.chat_postMessage(channel=group, text="Hi both :wave:")
    return {"admin": admin, "general": general, "dm": dm, "group": group, "host": host.id, "png": png.hex()}


def _report(stack: LocalStack, folder: Path) -> tuple[dict[str, str], Path, str, _Page]:
    made = _workspace(stack)
    index = write_report(stack, folder, host_name="Hanna", title="Test <workspace>")
    source = index.read_text(encoding="utf-8")
    page = _Page()
    page.feed(source)
    page.close()
    return made, index, source, page


def test_report_shows_the_workspace_as_slack_would(stack: LocalStack, tmp_path: Path) -> None:
    made, index, source, page = _report(stack, tmp_path / "report")
    assert index == tmp_path / "report" / "index.html"
    assert source.startswith("<!DOCTYPE html>") and page.problems == [] and page.open == []
    text = " ".join(page.text)

    # every local link and image exists; in-page links point at ids
    local = [href for href, _ in page.links if not href.startswith(("#", "http", "mailto:"))]
    local += [img["src"] for img in page.images]
    assert local and all((index.parent / unquote(ref)).is_file() for ref in local), local
    assert all(href[1:] in page.ids for href, _ in page.links if href.startswith("#"))
    assert "http" not in "".join(img["src"] for img in page.images)  # nothing from the network

    # the chart: inline, its bytes as uploaded, with its alt text on the img and visible
    [chart] = [img for img in page.images if img["src"].endswith("chart.png")]
    assert (index.parent / unquote(chart["src"])).read_bytes() == bytes.fromhex(made["png"])
    assert chart["alt"] == ALT and ALT in text
    # the CSV: a download link to the copied file
    [csv] = [href for href, _ in page.links if href.endswith("notes.csv")]
    assert (index.parent / unquote(csv)).read_bytes() == CSV

    # the typed <!channel> is text, the link is a link, the mention is a name
    assert "&lt;!channel&gt;" in source and "<!channel>" not in source and "<!channel>" in text
    assert ("https://example.com/plan?a=1&b=2", "") in page.links and "the plan" in text
    assert "@Hanna Example" in text and "<@" not in source
    # the thread reply sits in the thread under its parent
    assert "1 reply" in text and "noted" in page.thread_text and "🌱" in "".join(page.thread_text)
    # Block Kit: header, fields, context, inert buttons
    assert all(s in text for s in ("Your tandem 🎉", "Tuesdays", "Only you can see your notes 🔒", "Say hello"))
    assert '<span class="btn btn-primary" role="button" aria-disabled="true">Say hello</span>' in source
    assert "Hi both 👋" in text and "Tandem" in text

    # sidebar: dashboard first, then channels (by name), group DMs, DMs
    assert page.sidebar == ["#dashboard", *(f"#conv-{made[k]}" for k in ("general", "admin", "group", "dm"))]
    assert all(s in text for s in ("general", "tandem-hosts", "Ana Example, Hanna Example", "Test <workspace>"))
    # the dashboard: the host's App Home, rendered from its blocks
    assert "dashboard" in page.ids and page.dashboard_blocks > 0
    assert "App Home of Hanna Example" in " ".join(page.dashboard)

    # the same state gives the same bytes; an unknown host gets a note
    again = write_report(stack, tmp_path / "again", host_name="Hanna", title="Test <workspace>")
    assert again.read_bytes() == index.read_bytes()
    nobody = write_report(stack, tmp_path / "nobody", host_name="Nobody").read_text(encoding="utf-8")
    assert "No host dashboard: no member named Nobody." in nobody


def _varied_png(path: Path) -> bool:
    """A PNG whose pixels are not all one colour (decoded with zlib; more than a few distinct byte values)."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat))) > 16


def test_the_demo_report_opens_in_a_browser(stack: LocalStack, tmp_path: Path) -> None:
    made, index, _, _ = _report(stack, tmp_path / "report")
    home, channel = tmp_path / "home.png", tmp_path / "channel.png"
    if not screenshot(index, home):
        pytest.skip("no Chromium on this machine")
    assert screenshot(index, channel, width=1024, height=700, anchor=f"conv-{made['general']}")
    for shot in (home, channel):
        assert shot.stat().st_size > 5_000 and _varied_png(shot)
    assert home.read_bytes() != channel.read_bytes()  # the sidebar link shows that conversation
