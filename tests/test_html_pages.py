"""HTML pages from templates/html/ escape what people typed: the install pages (a workspace name, a failure reason)
and the sandbox report (a person's name, a channel's name, a message, a file's title and name, the report title).
No database: the report reads a bare sandbox."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

from bot.report import write_report
from bot.sandbox.server import Sandbox
from bot.slack.install import failure_page, success_page

SCRIPT = "<script>alert('x')</script>"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read(page: str) -> _Text:
    parsed = _Text()
    parsed.feed(page)
    parsed.close()
    return parsed


def test_install_pages_escape_the_workspace_name_and_the_reason() -> None:
    for locale in ("en", "de"):
        done = success_page(locale, team_name=f'{SCRIPT} & "Co"', team_id="T1", app_id="A1")
        failed = failure_page(locale, reason=SCRIPT, install_path='/slack/install?a=1&b="2"')
        for page in (done, failed):
            assert page.startswith("<!DOCTYPE html>") and "<script>" not in page
            assert "script" not in _read(page).tags
        assert f'{SCRIPT} & "Co"' in "".join(_read(done).text)
        assert SCRIPT in "".join(_read(failed).text)
        assert 'href="/slack/install?a=1&amp;b=&#34;2&#34;"' in failed


def test_the_report_escapes_what_people_typed(tmp_path: Path) -> None:
    with Sandbox(signing_secret="secret") as sb:
        ana = sb.add_user("ana", real_name=SCRIPT)
        channel = sb.create_channel(f"{SCRIPT}-general", members=[ana, sb.bot_user_id])
        sb.post_as(ana, channel, f"Hello &lt;script&gt; {SCRIPT}")
        sb.upload_as(ana, f"{SCRIPT}.csv", b"a,b\n")
        index = write_report(SimpleNamespace(sandbox=sb), tmp_path, host_name="ana", title=SCRIPT)  # type: ignore[arg-type]
    page = index.read_text(encoding="utf-8")
    parsed = _read(page)
    assert "<script>" not in page and "script" not in parsed.tags
    text = "".join(parsed.text)
    assert SCRIPT in text  # the name, the channel and the title, shown as text
    assert "Hello <script>" in text
