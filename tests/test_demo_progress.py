"""``tandem demo``'s progress: one line per chapter as it ends, counting what Tandem showed people in it by the
reader's language (a DM, an App Home, a modal, an ephemeral answer), and messages to channels and group DMs apart.
Played on a fake sandbox log, not the demo (tests/check_demo.py checks the real demo's output in CI)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

import bot.demo
from bot.cli import main
from bot.demo import DemoResult, Narrator, _expect, chapter_line

USERS = {"U1": "de-DE", "U2": "en-GB", "U3": "pt-PT"}  # Portuguese is not spoken: Tandem writes English


class FakeSandbox:
    bot_user_id = "UBOT"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.response_url_posts: list[dict[str, Any]] = []
        self._users = {u: {"id": u, "locale": loc, "tz": "UTC", "real_name": u} for u, loc in USERS.items()}
        self._triggers = {"T2": {"user_id": "U2"}}
        self._convs = {
            "D1": {"kind": "im", "members": ["U1", "UBOT"]},
            "D3": {"kind": "im", "members": ["U3", "UBOT"]},
            "G1": {"kind": "mpim", "members": ["U1", "U2", "UBOT"]},
            "C1": {"kind": "public", "members": ["U1", "U2", "U3"]},
        }
        self.ephemeral: dict[str, list[dict[str, Any]]] = {}
        self.views = {"V1": "U1"}

    def call(self, method: str, ok: bool = True, **args: Any) -> None:
        self.calls.append({"method": method, "args": args, "ok": ok})

    def user(self, user_id: str) -> dict[str, Any]:
        return self._users[user_id]

    def conversation(self, channel: str) -> dict[str, Any]:
        return self._convs[channel]

    def view_owner(self, view_id: str) -> str | None:
        return self.views.get(view_id)

    def ephemeral_messages(self, user_id: str) -> list[dict[str, Any]]:
        return self.ephemeral.get(user_id, [])


def _narrator() -> tuple[Narrator, FakeSandbox, list[str], list[str], DemoResult]:
    sandbox, transcript, progress, result = FakeSandbox(), [], [], DemoResult()
    say = Narrator(SimpleNamespace(sandbox=sandbox), transcript.append, progress.append, result)  # type: ignore[arg-type]
    return say, sandbox, transcript, progress, result


def test_a_chapter_ends_with_one_line_counting_its_messages_by_the_readers_language() -> None:
    say, sb, transcript, progress, result = _narrator()
    sb.call("chat.postMessage", channel="D1", text="before the chapter")  # not counted
    say.chapter(1, "meeting Tandem", "First contact")
    assert transcript == ["\n##### Chapter 1: meeting Tandem #####"] and progress == []
    sb.call("chat.postMessage", channel="D1", text="Hallo")  # de
    sb.call("chat.update", channel="D3", ts="1.1", text="updated")  # pt-PT: en
    sb.call("views.publish", user_id="U2", view={})  # en
    sb.call("views.open", trigger_id="T2", view={})  # en
    sb.call("views.update", view_id="V1", view={})  # de
    sb.call("chat.postEphemeral", channel="C1", user="U1", text="only you")  # de
    sb.call("chat.postMessage", channel="G1", text="your pair")  # groups
    sb.call("files.completeUploadExternal", channel_id="C1", files=[])  # groups
    sb.call("users.info", user="U1")  # shows nobody anything
    sb.call("chat.postMessage", ok=False, channel="D1", text="refused")  # Slack said no: not counted
    sb.response_url_posts += [
        {"ok": True, "channel": "D3", "user": "U3", "body": {"text": "done"}},  # en
        {"ok": True, "channel": "D1", "user": "U1", "body": {"delete_original": True}},  # shows nothing
    ]
    sb.ephemeral["U2"] = [{"ts": "5.1", "source": "ack", "text": "help"}]  # en
    say.fact("2 pairs")
    _expect(result, True, "a check that holds")
    say.chapter(2, "the pilot", "Pilot set up")
    assert progress == ["✓ 1/8 First contact, 2 pairs · 10 messages (en 5, de 3, groups 2) · 0.0 s"]

    _expect(result, False, "a check that fails")
    say.end_chapter()
    say.end_chapter()  # once only
    assert progress[1:] == ["✗ 2/8 Pilot set up · 0 messages · 0.0 s"]  # the ack of chapter 1 counted once
    assert result.checks == 2 and result.failed_checks == ["a check that fails"]


def test_the_headline_goes_to_the_transcript_and_the_progress() -> None:
    say, _sb, transcript, progress, _result = _narrator()
    say.headline("Tandem demo: ...")
    say.note("only in the transcript")
    assert transcript == ["Tandem demo: ...", "    (only in the transcript)"] and progress == ["Tandem demo: ..."]


def test_a_chapter_line_lists_languages_by_count_then_the_groups() -> None:
    line = chapter_line(5, "Eight weeks", Counter({"groups": 188, "de": 117, "en": 290}), 34.56)
    assert line == "✓ 5/8 Eight weeks · 595 messages (en 290, de 117, groups 188) · 34.6 s"


def test_the_short_summary_says_what_was_checked_and_where_everything_is() -> None:
    result = DemoResult(calls=1877, checks=93, record="demo-out/calls.jsonl", report="demo-out/report/index.html")
    result.outbox["sent"] = 1237
    result.kpis = {"invited": 24, "onboarded": 24, "pairs": 12, "prompts": 274, "answered": 127}
    assert result.brief("demo-out/transcript.txt").splitlines() == [
        "",
        "Checks: 93 of 93 passed (who saw what, in which language, when; what was stored)",
        "  1877 of 1877 Web API calls valid for Slack (methods, arguments, Block Kit limits)",
        "  Outbox: 1237 sent (nothing may stay parked or pending)",
        "  KPIs at the end: 24 invited, 24 onboarded, 12 pairs, 127 of 274 prompts answered",
        "Transcript: demo-out/transcript.txt",
        "Recorded calls: demo-out/calls.jsonl",
        "HTML report: demo-out/report/index.html",
        "demo: OK",
    ]
    result.failed_checks.append("Ana got a German welcome DM")
    failed = result.brief(None).splitlines()
    assert failed[1].startswith("Checks: 92 of 93 passed") and "  CHECK FAILED Ana got a German welcome DM" in failed
    assert failed[-1] == "demo: FAILED" and not any(line.startswith("Transcript") for line in failed)


def _cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """``tandem demo`` with a stand-in for the demo that writes one line of transcript and one of progress."""

    def run_demo(*, out: Any, progress: Any, record: str | None, report: str | None, **_kw: Any) -> DemoResult:
        out("the transcript")
        if progress is not None:
            progress("✓ 1/8 a chapter")
        return DemoResult(calls=1, checks=1, record=record, report=report)

    monkeypatch.setattr(bot.demo, "run_demo", run_demo)
    result = CliRunner().invoke(main, ["demo", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_tandem_demo_prints_progress_and_writes_the_transcript(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    transcript = tmp_path / "out" / "transcript.txt"
    printed = _cli(monkeypatch, "--transcript", str(transcript))
    assert printed[0] == f"Writing the full transcript to {transcript} (--verbose prints it here)."
    assert printed[1] == "✓ 1/8 a chapter"
    assert "the transcript" not in printed and printed[-2:] == [f"Transcript: {transcript}", "demo: OK"]
    assert transcript.read_text().splitlines()[0] == "the transcript"
    assert transcript.read_text().splitlines()[-1] == "demo: OK"  # and the full summary, which check_demo reads


def test_without_transcript_it_goes_beside_the_record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    printed = _cli(monkeypatch, "--record", str(tmp_path / "calls.jsonl"))
    assert f"Transcript: {tmp_path / 'transcript.txt'}" in printed
    assert (tmp_path / "transcript.txt").read_text().startswith("the transcript\n")


def test_verbose_prints_the_transcript_and_quiet_only_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    verbose = _cli(monkeypatch, "--verbose")
    assert verbose[0] == "the transcript" and "✓ 1/8 a chapter" not in verbose
    assert "Web API calls: 1 ()" in verbose and verbose[-1] == "demo: OK"  # the summary as before
    quiet = _cli(monkeypatch, "--quiet", "--transcript", str(tmp_path / "transcript.txt"))
    assert "the transcript" not in quiet and "✓ 1/8 a chapter" not in quiet
    assert quiet[1].startswith("Checks: 1 of 1 passed") and quiet[-1] == "demo: OK"
