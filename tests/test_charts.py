"""Charts: real PNGs of the expected size, byte-identical for equal input, with a text equivalent that states every
number shown (en and de) and never exceeds Slack's 1,000 characters; uploads through the outbox worker keep base64
in the stored payload and send the exact bytes, each file with its alt text."""

from __future__ import annotations

import base64
import io
import re
from datetime import date
from typing import Any

import pytest
from matplotlib.image import imread
from sqlalchemy import select

from bot import charts
from bot.models import OutboxMessage, OutboxStatus
from bot.sandbox.stack import BOT_TOKEN, LocalStack
from bot.services import outbox, people
from bot.slack.sender import call_slack


def untagged(name: str) -> str:
    return re.sub(r"\.t\d+-\d+(\.png)$", r"\1", name)


PNG = b"\x89PNG\r\n\x1a\n"
MOOD = [(1, 3.8), (2, None), (3, 4.1)]
STAGES = [("invited", 24), ("onboarded", 22), ("matched", 22), ("active", 18)]
VALUES = [(date(2027, 3, 1), 11.0), (date(2027, 3, 22), 8.0), (date(2027, 4, 12), 5.0)]


def _pixels(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, decoded by matplotlib (through pillow)."""
    image = imread(io.BytesIO(png), format="png")
    return image.shape[1], image.shape[0]


def _metric(values: Any = VALUES, *, locale: str = "en", **bounds: Any) -> charts.Chart:
    options = {"baseline": 12, "target_low": None, "target_high": 5, **bounds}
    return charts.metric(
        name="Approval lead time", unit="days", values=values, locale=locale, program="Pilot 2027", **options
    )


def _assert_png(chart: charts.Chart) -> None:
    assert chart.png.startswith(PNG)
    assert _pixels(chart.png) == (800, 450)
    assert 0 < len(chart.alt_text) <= charts.ALT_MAX
    assert chart.filename.endswith(".png") and chart.filename.isascii() and " " not in chart.filename


# -- the charts ------------------------------------------------------------------------------------------------
def test_mood_trend_marks_hidden_rounds_and_says_every_number() -> None:
    chart = charts.mood_trend(MOOD, locale="en", program="Pilot 2027", threshold=5)
    _assert_png(chart)
    assert chart.png == charts.mood_trend(MOOD, locale="en", program="Pilot 2027", threshold=5).png
    assert chart.filename == "mood-trend-pilot-2027.png" and chart.title == "Mood trend: Pilot 2027"
    assert "round 1: 3.8; round 2: hidden (fewer than 5 answers); round 3: 4.1." in chart.alt_text
    german = charts.mood_trend(MOOD, locale="de", program="Pilot 2027", threshold=5)
    _assert_png(german)
    assert "Runde 1: 3,8; Runde 2: ausgeblendet (weniger als 5 Antworten); Runde 3: 4,1." in german.alt_text
    assert german.png != chart.png  # the German labels are drawn


def test_mood_trend_of_many_rounds_lists_the_latest_twelve_and_says_so() -> None:
    points = [(n, None if n % 7 == 0 else 3.0 + (n % 3) / 2) for n in range(1, 101)]
    many = charts.mood_trend(points, locale="en", program="A program with a rather long name " * 3, threshold=5)
    _assert_png(many)
    assert "(the latest 12 of 100 rounds)" in many.alt_text
    assert "round 89: 4.0" in many.alt_text and "round 98: hidden" in many.alt_text
    assert "round 100: 3.5." in many.alt_text and "round 88" not in many.alt_text
    german = charts.mood_trend(points, locale="de", program="P", threshold=5)
    assert "(die letzten 12 von 100 Runden)" in german.alt_text and len(german.alt_text) <= charts.ALT_MAX


def test_funnel_labels_each_stage_with_count_and_share() -> None:
    chart = charts.funnel(STAGES, locale="en", program="Pilot 2027")
    _assert_png(chart)
    assert chart.png == charts.funnel(list(reversed(STAGES)), locale="en", program="Pilot 2027").png  # fixed order
    assert (
        "Invited: 24 (100% of invited); Onboarded: 22 (92% of invited); Matched: 22 (92% of invited);"
        " In active pairs: 18 (75% of invited)." in chart.alt_text
    )
    assert "answered in the last two weeks" in chart.alt_text
    german = charts.funnel([("invited", 1240), ("active", 700)], locale="de", program="Pilot 2027")
    assert "Eingeladen: 1.240 (100\u00a0% der Eingeladenen); In aktiven Tandems: 700 (56\u00a0% der Eingeladenen)" in (
        german.alt_text
    )


def test_metric_states_baseline_target_values_and_verdict() -> None:
    chart = _metric()
    _assert_png(chart)
    assert chart.png == _metric().png
    assert chart.filename == "metric-approval-lead-time-pilot-2027.png"
    assert "Baseline: 12. Target: at most 5." in chart.alt_text
    assert "First value 11 on 1 Mar 2027, latest 5 on 12 Apr 2027, 3 values in all" in chart.alt_text
    assert "1 Mar 2027: 11; 22 Mar 2027: 8; 12 Apr 2027: 5." in chart.alt_text
    assert "The latest value is in the target range." in chart.alt_text
    outside = _metric([*VALUES, (date(2027, 5, 3), 9.5)], target_low=2, target_high=4)
    assert "Target: between 2 and 4." in outside.alt_text and "latest 9.5 on 3 May 2027" in outside.alt_text
    assert "outside the target range" in outside.alt_text
    german = _metric([(date(2027, 3, 1), 1234.5)], locale="de", baseline=None, target_low=1000.25, target_high=None)
    assert "Ziel: mindestens 1.000,25." in german.alt_text and "Bisher ein Wert: 1.234,5 am 1.3.2027." in (
        german.alt_text
    )
    assert "Ausgangswert" not in german.alt_text and "liegt im Zielbereich" in german.alt_text


def test_metric_with_many_values_lists_the_latest_and_stays_short() -> None:
    values = [(date.fromordinal(date(2027, 1, 1).toordinal() + 7 * i), 20 + i * 0.37) for i in range(200)]
    chart = _metric(values, baseline=20, target_low=25, target_high=None)
    _assert_png(chart)
    assert "200 values in all, the latest 12 of 200:" in chart.alt_text
    listed = chart.alt_text.split("the latest 12 of 200: ")[1].split(". The latest value")[0].split("; ")
    assert len(listed) == 12 and listed[0] == "9 Aug 2030: 89.56" and listed[-1] == "25 Oct 2030: 93.63"


@pytest.mark.parametrize("locale", ["en", "de"])
def test_empty_input_gives_a_valid_chart_that_says_no_data(locale: str) -> None:
    empty = [
        charts.mood_trend([], locale=locale, program="P", threshold=5),
        charts.funnel([], locale=locale, program="P"),
        charts.funnel([("invited", 0), ("onboarded", 0)], locale=locale, program="P"),
        _metric([], locale=locale),
    ]
    for chart in empty:
        _assert_png(chart)
        assert chart.alt_text.endswith({"en": ": no data yet.", "de": ": noch keine Daten."}[locale])


def test_user_text_is_not_read_as_math_and_file_names_stay_ascii() -> None:
    chart = charts.mood_trend([(1, 4.2)], locale="de", program="Jörg's $5 $x^2$ Straße", threshold=5)
    _assert_png(chart)
    assert chart.filename == "mood-trend-joerg-s-5-x-2-strasse.png"
    assert "Jörg's $5 $x^2$ Straße" in chart.alt_text  # alt text is plain: nothing escaped


# -- uploads ----------------------------------------------------------------------------------------------------
def test_upload_payload_is_json_with_base64() -> None:
    two = [
        charts.mood_trend(MOOD, locale="en", program="P", threshold=5),
        charts.funnel(STAGES, locale="en", program="P"),
    ]
    to_channel = charts.upload_payload(two, channel="C1", comment="Charts")
    assert set(to_channel) == {"file_uploads", "channel", "initial_comment"}
    assert [base64.b64decode(f["content_b64"]) for f in to_channel["file_uploads"]] == [c.png for c in two]
    assert [(f["filename"], f["title"], f["alt_txt"]) for f in to_channel["file_uploads"]] == [
        (c.filename, c.title, c.alt_text) for c in two
    ]
    to_people = charts.upload_payload(two, open_users=["U1", "U2"])
    assert to_people["__open"] == ["U1", "U2"] and "channel" not in to_people and "initial_comment" not in to_people
    with pytest.raises(ValueError, match="channel"):
        charts.upload_payload(two)


class _Client:
    """Records what slack_sdk would have been given."""

    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}

    def files_upload_v2(self, **kwargs: Any) -> Any:
        self.kwargs = kwargs
        return type("Response", (), {"status_code": 200, "data": {"ok": True}})()


def test_call_slack_decodes_base64_on_a_copy_and_parks_content_that_is_not_base64() -> None:
    payload = {
        "content_b64": base64.b64encode(b"top").decode(),
        "filename": "a.txt",
        "file_uploads": [{"content_b64": base64.b64encode(b"\x00\xff").decode(), "filename": "b.png"}, {"x": 1}],
        "channel": "C1",
    }
    stored = base64.b64encode(repr(payload).encode())
    client = _Client()
    result = call_slack(client, "files.upload_v2", payload)  # type: ignore[arg-type]
    assert (result.status, result.error) == (200, None)
    assert client.kwargs["content"] == b"top" and "content_b64" not in client.kwargs
    assert client.kwargs["file_uploads"] == [{"filename": "b.png", "content": b"\x00\xff"}, {"x": 1}]
    assert base64.b64encode(repr(payload).encode()) == stored  # the stored payload was not touched
    bad = call_slack(client, "files.upload_v2", {"file_uploads": [{"content_b64": "not base64!"}], "channel": "C1"})  # type: ignore[arg-type]
    assert (bad.status, bad.error) == (200, "invalid_file_content")


def test_an_upload_sends_the_exact_bytes_with_each_alt_text(stack: LocalStack) -> None:
    sandbox = stack.sandbox
    channel = sandbox.create_channel("tandem-hosts", is_private=True, members=[sandbox.bot_user_id])
    two = [
        charts.mood_trend(MOOD, locale="en", program="Pilot", threshold=5),
        charts.funnel(STAGES, locale="de", program="Pilot"),
    ]
    with stack.session_factory() as s:
        workspace = people.get_or_create_workspace(
            s, team_id=sandbox.team_id, bot_user_id=sandbox.bot_user_id, now=stack.clock.now()
        )
        outbox.enqueue(
            s,
            workspace_id=workspace.id,
            method="files.upload_v2",
            payload=charts.upload_payload(two, channel=channel, comment="This week's charts"),
            now=stack.clock.now(),
            dedupe_key="charts-test",
            about=outbox.NOBODY,
        )
        s.commit()
    with stack.session_factory() as s:  # queued: JSON with base64 text, not bytes
        uploads = (
            s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "charts-test"))
            .one()
            .payload["file_uploads"]
        )
    assert all("content" not in f for f in uploads)
    assert [base64.b64decode(f["content_b64"]) for f in uploads] == [c.png for c in two]
    stack.settle()
    asked = sandbox.calls_to("files.getUploadURLExternal")
    # the worker tags each file name with the message's idempotency key (chart.png -> chart.t<key>.png)
    assert [(untagged(c["args"]["filename"]), c["args"]["alt_txt"]) for c in asked] == [
        (c.filename, c.alt_text) for c in two
    ]
    assert all(re.fullmatch(r".+\.t\d+-\d+\.png", c["args"]["filename"]) for c in asked)
    [complete] = sandbox.calls_to("files.completeUploadExternal")
    assert complete["args"]["channel_id"] == channel
    by_name = {untagged(f["name"]): f for f in sandbox.files.values()}
    for chart in two:
        stored = by_name[chart.filename]
        assert stored["content"] == chart.png and stored["completed"]
        assert (stored["mimetype"], stored["alt_txt"]) == ("image/png", chart.alt_text)
    [shared] = [m for m in sandbox.messages(channel) if m.get("subtype") == "file_share"]
    assert shared["text"] == "This week's charts"
    assert [(untagged(f["name"]), f["title"], f["mimetype"], f["alt_txt"]) for f in shared["files"]] == [
        (c.filename, c.title, "image/png", c.alt_text) for c in two
    ]
    with stack.session_factory() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "charts-test")).one()
        assert row.status == OutboxStatus.SENT
        assert row.payload == {} and row.emptied_at is not None  # once Slack has it, the copy goes


def test_the_sandbox_refuses_alt_text_over_a_thousand_characters(stack: LocalStack) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=BOT_TOKEN, base_url=stack.sandbox.api_url)
    with pytest.raises(SlackApiError) as refused:
        client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1001)
    assert refused.value.response["error"] == "invalid_arguments"
    ok = client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1000)
    assert stack.sandbox.files[ok["file_id"]]["alt_txt"] == "x" * 1000
    assert stack.sandbox.files[ok["file_id"]]["mimetype"] == "image/png"


def test_a_chart_with_the_same_numbers_is_drawn_once_and_another_anew() -> None:
    """A digest's charts repeat from week to week: the same arguments (lists or tuples) give the very chart drawn
    before; a changed number draws a new one."""
    stages = [("invited", 20), ("onboarded", 18), ("matched", 16), ("active", 12)]
    first = charts.funnel(stages, locale="de", program="Pilot 2027")
    assert charts.funnel(tuple(stages), locale="de", program="Pilot 2027") is first
    stages[3] = ("active", 13)  # the caller's list changes afterwards: a new chart, the old one is kept as it was
    second = charts.funnel(stages, locale="de", program="Pilot 2027")
    assert second is not first and second.png != first.png
    assert (
        charts.funnel(
            [("invited", 20), ("onboarded", 18), ("matched", 16), ("active", 12)], locale="de", program="Pilot 2027"
        )
        is first
    )
