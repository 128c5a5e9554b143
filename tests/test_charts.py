"""Charts: real PNGs of the expected size, byte-identical for equal input, with a text equivalent that states every
number shown (en and de), never over Slack's 1,000 characters; and uploads through the worker keep base64 in the
stored payload and send the exact bytes with each chart's alt text."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime

from matplotlib.image import imread
from sqlalchemy import select

from bot import charts
from bot.models import OutboxMessage, Workspace
from bot.sandbox.stack import LocalStack
from bot.services import outbox

PNG = b"\x89PNG\r\n\x1a\n"


def _pixels(png: bytes) -> tuple[int, int]:
    image = imread(io.BytesIO(png), format="png")
    return image.shape[1], image.shape[0]


def test_mood_trend_marks_hidden_rounds_and_says_every_number() -> None:
    points = [(1, 3.8), (2, None), (3, 4.1)]
    chart = charts.mood_trend(points, locale="en", program="Pilot 2027", threshold=5)
    assert chart.png.startswith(PNG) and _pixels(chart.png) == (800, 450)
    assert chart.png == charts.mood_trend(points, locale="en", program="Pilot 2027", threshold=5).png
    assert "round 1: 3.8" in chart.alt_text and "round 2: hidden (fewer than 5 answers)" in chart.alt_text
    assert "round 3: 4.1" in chart.alt_text and chart.filename == "mood-trend-pilot-2027.png"
    german = charts.mood_trend(points, locale="de", program="Pilot 2027", threshold=5)
    assert "Runde 1: 3,8" in german.alt_text and "Runde 2: ausgeblendet" in german.alt_text
    many = charts.mood_trend([(n, 3.0 + (n % 3) / 2) for n in range(1, 101)], locale="en", program="P", threshold=5)
    assert len(many.alt_text) <= charts.ALT_MAX and "round 100" in many.alt_text and "round 88" not in many.alt_text


def test_funnel_and_metric_charts_and_empty_inputs() -> None:
    funnel = charts.funnel(
        [("invited", 24), ("onboarded", 22), ("matched", 22), ("active", 18)], locale="en", program="Pilot 2027"
    )
    assert funnel.png.startswith(PNG)
    assert (
        "Invited 24 (100% of invited)" in funnel.alt_text and "In active pairs 18 (75% of invited)" in funnel.alt_text
    )
    values = [(date(2027, 3, 1), 11.0), (date(2027, 3, 22), 8.0), (date(2027, 4, 12), 5.0)]
    metric = charts.metric(
        name="Approval lead time",
        unit="days",
        values=values,
        baseline=12,
        target_low=None,
        target_high=5,
        locale="en",
        program="Pilot 2027",
    )
    assert metric.png.startswith(PNG) and _pixels(metric.png) == (800, 450)
    assert "Baseline: 12" in metric.alt_text and "at most 5" in metric.alt_text
    assert "First value 11 on 2027-03-01, latest 5 on 2027-04-12, 3 values" in metric.alt_text
    assert "in the target range" in metric.alt_text
    for empty in (
        charts.mood_trend([], locale="en", program="P", threshold=5),
        charts.funnel([], locale="de", program="P"),
        charts.metric(
            name="X", unit="", values=[], baseline=None, target_low=1, target_high=None, locale="en", program="P"
        ),
    ):
        assert empty.png.startswith(PNG) and ("no data yet" in empty.alt_text or "noch keine Daten" in empty.alt_text)


def test_an_upload_sends_the_exact_bytes_with_each_alt_text(stack: LocalStack) -> None:
    channel = stack.sandbox.create_channel("hosts", is_private=True, members=[stack.sandbox.bot_user_id])
    two = [
        charts.mood_trend([(1, 4.0)], locale="en", program="Pilot", threshold=5),
        charts.funnel([("invited", 3), ("onboarded", 2)], locale="en", program="Pilot"),
    ]
    now = datetime.now().astimezone()
    with stack.session_factory() as s:
        workspace = s.scalars(select(Workspace)).first()
        if workspace is None:
            workspace = Workspace(team_id=stack.sandbox.team_id, bot_user_id=stack.sandbox.bot_user_id, created_at=now)
            s.add(workspace)
            s.flush()
        outbox.enqueue(
            s,
            workspace_id=workspace.id,
            method="files.upload_v2",
            payload=charts.upload_payload(two, channel=channel, comment="Charts"),
            now=stack.clock.now(),
            dedupe_key="charts-test",
        )
        s.commit()
    stack.settle()
    asked = [c for c in stack.sandbox.calls if c["method"] == "files.getUploadURLExternal"]
    assert [c["args"]["alt_txt"] for c in asked] == [c.alt_text for c in two]
    stored = {f["name"]: f for f in stack.sandbox.files.values()}
    for chart in two:
        assert stored[chart.filename]["content"] == chart.png and stored[chart.filename]["mimetype"] == "image/png"
    [shared] = [m for m in stack.sandbox.messages(channel) if m.get("files")]
    assert {f["alt_txt"] for f in shared["files"]} == {c.alt_text for c in two}
    with stack.session_factory() as s:
        payload = s.scalars(select(OutboxMessage.payload).where(OutboxMessage.dedupe_key == "charts-test")).one()
    assert base64.b64decode(payload["file_uploads"][0]["content_b64"]) == two[0].png
