"""Impact end to end: hosts define metrics (bad input refused, nothing changed), hosts and pairs log values, the
weekly release and its digest come on the program's weekday with charts uploaded through valid calls (each with its
text equivalent), the released KPIs equal the values counted by hand for a scripted program and stay the same
between two releases whoever answers meanwhile, App Home shows the hosts' dashboard and each pair's streak, and the
export holds no red-zone note, no pulse round below the threshold and no pair-reported value of fewer pairs than
the threshold."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.ids import ID
from bot.models import KpiSnapshot, Metric, MetricValue, Pair, Participant, Program, ReleaseCell
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import impact
from tests.helpers import answer_pulse, pulse_setup, reply_in_thread

MONDAY_3 = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)  # the third Monday: 09:00 in Berlin, the program's zone
RED = "Salary bands we talked about"


def _dump(messages: Any) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _add_metric(stack: LocalStack, host: Persona, channel: str, values: dict[str, str]) -> dict[str, Any]:
    host.slash("admin impact", channel_id=channel)
    stack.settle()
    board = host.ephemeral_messages()[-1]
    host.click(ID.METRIC_ADD, message=board)
    stack.settle()
    view = host.open_views()[-1]
    answer = host.submit(view["id"], values)
    stack.settle()
    return answer.json() if answer.body else {}


def test_metrics_values_kpis_digest_home_and_export(stack: LocalStack) -> None:
    hanna, channel, people = pulse_setup(stack)
    ana, karl, lea = (people[n] for n in ("Ana", "Karl", "Lea"))
    outsider = stack.sandbox.persona(stack.sandbox.add_user("Wei", real_name="Wei Lim", tz="Asia/Singapore"))

    # -- a metric: bad input is named on its fields and changes nothing; then it is saved
    bad = _add_metric(
        stack,
        hanna,
        channel,
        {
            ID.METRIC_NAME.value: "Approval lead time",
            ID.METRIC_BASELINE.value: "twelve",
            ID.METRIC_TARGET_LOW.value: "",
            ID.METRIC_TARGET_HIGH.value: "",
            ID.METRIC_REPORTER.value: "host",
        },
    )
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {ID.METRIC_BASELINE.value, ID.METRIC_TARGET_LOW.value}
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Metric)) == 0
    view = hanna.open_views()[-1]
    ok = hanna.submit(
        view["id"],
        {
            ID.METRIC_NAME.value: "Approval lead time",
            ID.METRIC_UNIT.value: "days",
            ID.METRIC_BASELINE.value: "12",
            ID.METRIC_TARGET_LOW.value: "",
            ID.METRIC_TARGET_HIGH.value: "5",
            ID.METRIC_REPORTER.value: "host",
        },
    )
    assert not ok.body or "errors" not in ok.json()
    stack.settle()
    _add_metric(
        stack,
        hanna,
        channel,
        {
            ID.METRIC_NAME.value: "Days to first test",
            ID.METRIC_UNIT.value: "days",
            ID.METRIC_BASELINE.value: "30",
            ID.METRIC_TARGET_HIGH.value: "14",
            ID.METRIC_REPORTER.value: "pair",
        },
    )
    # the same name again is refused
    again = _add_metric(
        stack,
        hanna,
        channel,
        {
            ID.METRIC_NAME.value: "approval LEAD time",
            ID.METRIC_BASELINE.value: "1",
            ID.METRIC_TARGET_LOW.value: "2",
            ID.METRIC_REPORTER.value: "host",
        },
    )
    assert again["errors"] == {ID.METRIC_NAME.value: "This program already has a metric with that name."}
    with stack.session_factory() as s:
        assert [m.name for m in s.scalars(select(Metric).order_by(Metric.id))] == [
            "Approval lead time",
            "Days to first test",
        ]
    # not a host: refused, nothing opens
    views = len(outsider.open_views())
    outsider.click(ID.METRIC_ADD, message=hanna.ephemeral_messages()[-1])
    stack.settle()
    assert len(outsider.open_views()) == views

    # -- hosts log the program's value (German decimal comma accepted)
    hanna.slash("admin impact", channel_id=channel)
    stack.settle()
    hanna.click(ID.METRIC_LOG, message=hanna.ephemeral_messages()[-1])
    stack.settle()
    log = hanna.open_views()[-1]
    future = hanna.submit(log["id"], {ID.METRIC_VALUE.value: "9,5", ID.METRIC_DAY.value: "2030-01-01"}).json()
    assert future["errors"] == {ID.METRIC_DAY.value: "That day hasn't come yet."}
    saved = hanna.submit(log["id"], {ID.METRIC_VALUE.value: "9,5", ID.METRIC_DAY.value: "2027-01-04"}).json()
    assert saved["response_action"] == "update" and "9.5" in _dump(saved["view"])

    # -- a pair logs its own value: /tandem metric answers with a button per pair
    ana.slash("metric")
    stack.settle()
    prompt = ana.ephemeral_messages()[-1]
    assert "Days to first test" in _dump(prompt)
    ana.click(ID.METRIC_LOG, message=prompt)
    stack.settle()
    pair_log = ana.open_views()[-1]
    assert "nie euren Wert allein" in _dump(pair_log)  # Ana reads German
    ana.submit(pair_log["id"], {ID.METRIC_VALUE.value: "21", ID.METRIC_DAY.value: "2027-01-04"})
    stack.settle()
    with stack.session_factory() as s:
        values = s.execute(select(MetricValue.value, MetricValue.pair_id)).tuples().all()
        ana_pair = s.scalar(select(MetricValue.pair_id).where(MetricValue.pair_id.is_not(None)))
    assert sorted(v for v, _ in values) == [9.5, 21.0] and ana_pair is not None
    # someone outside that pair can't log for it
    with stack.session_factory() as s:
        from bot.flows import impact as impact_flow

        wei = s.scalars(select(Participant).where(Participant.slack_user_id == outsider.id)).first()
        refused = impact_flow.pair_log_view(s, participant=wei, value=f"pair:{ana_pair}", now=MONDAY_3)
        view_for_outsider, note = refused.view, refused.message
    assert view_for_outsider is None and note is not None and "isn't your tandem" in _dump(note)

    # -- the first Monday after the start (11 January): the first release and digest at 09:00 Berlin, then week 1's
    # prompts; Ana and Lea answer, Mia and Tom's pair stays silent; Ana writes a red note
    digests = lambda: [m for m in stack.sandbox.messages(channel) if "Weekly impact digest" in m.get("text", "")]  # noqa: E731
    stack.advance(datetime(2027, 1, 11, 7, 50, tzinfo=UTC) - stack.clock.now())
    assert not digests()
    stack.advance(timedelta(hours=7))  # New York's 09:00 is 14:00 UTC
    assert len(digests()) == 1

    def board_text() -> str:
        hanna.slash("admin impact", channel_id=channel)
        stack.settle()
        return _dump(hanna.ephemeral_messages()[-1]["blocks"])

    before = board_text()
    assert "figures as released on 11 Jan 2027" in before
    reply_in_thread(stack, ana, "Tried the first method card.")
    reply_in_thread(stack, lea, "Podcast plan drafted.")
    ana.slash(f"note {RED} #red")
    stack.settle()
    # the real surface between two releases: the same figures, whoever answered meanwhile (nothing to subtract)
    assert board_text() == before
    # -- the next Monday at 09:00 Berlin: the second release and digest, compared with the first, with charts
    stack.advance(MONDAY_3 - stack.clock.now() - timedelta(minutes=10))
    assert len(digests()) == 1
    stack.advance(timedelta(minutes=20))
    digest = digests()[-1]
    text = _dump(digest)
    # KPIs by hand: 6 invited (through invitations), 6 onboarded, 6 matched in 3 pairs: counts, as they are. Week 1's
    # prompts count a week after they went out: at 08:10 UTC only the 4 Berliners' (09:00 their time), fewer than
    # the threshold of 5 people, so the response rate is not released yet; 3 pairs are fewer than 5 for the active
    # pairs (both say "not enough reports yet", never a number of fewer people).
    assert len(digests()) == 2
    assert "Invited: *6*" in text and "Onboarded: *6*" in text and "Matched (people): *6*" in text
    assert "Active pairs (a partner answered in the week before): *not enough reports yet*" in text
    assert "Focus-prompt response rate (answered within a week): *not enough reports yet*" in text
    assert "Approval lead time" in text and "9.5" in text and "moving toward the target" in text  # 9.5 > 5
    # the pair metric: one pair of three logged, fewer than 5 pairs: no value, and it says why
    assert "not enough reports yet: the pairs' average shows once at least 5 pairs logged a value" in text
    assert RED not in text
    uploads = [c for c in stack.sandbox.calls if c["method"] == "files.getUploadURLExternal"]
    # per digest: the funnel and the hosts' metric (no pulse round yet; the pair metric has no released value)
    assert len(uploads) == 4 and all(c["args"].get("alt_txt") for c in uploads)
    charts = [f for f in stack.sandbox.files.values() if f["name"].endswith(".png")]
    assert charts and all(f["content"].startswith(b"\x89PNG") for f in charts)
    alt = " ".join(f.get("alt_txt") or "" for f in charts)
    assert "9.5" in alt and "Invited" in alt  # the metric's value and the funnel's stages, in words
    # once a week only
    stack.advance(timedelta(hours=7))
    assert len(digests()) == 2

    # -- the pulse's first round (18 January): three answers, below the threshold of 5; it closes on Saturday 23rd
    for p, mood in ((ana, 4), (karl, 5), (lea, 3)):
        answer_pulse(stack, p, mood, 4, 4, "A comment nobody else must see")
    stack.advance(datetime(2027, 1, 25, 8, 20, tzinfo=UTC) - stack.clock.now())
    # -- the third release (25 January): week 1's six prompts and the Berliners' week 2: 10 prompts of 6 people,
    # 2 answered (Ana, Lea) = 20%; the round is released as hidden
    assert len(digests()) == 3
    text = _dump(digests()[-1])
    assert "Focus-prompt response rate (answered within a week): *20%*" in text
    # each digest ends with a question for the hosts, the next one each week (the first digest comes in the program's
    # second week: its second question)
    asked = [_dump(d).split("A question for you as hosts this week*")[1][:40] for d in digests()]
    expected = ["What surprised us th", "Which small success ", "Where do the numbers"]
    assert [q.split("\\n")[1][:20] for q in asked] == expected
    with stack.session_factory() as s:
        snapshots = s.scalars(select(KpiSnapshot).order_by(KpiSnapshot.taken_on)).all()
        assert [x.taken_on for x in snapshots] == [date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)]
        assert [(x.data["answered"], x.data["prompts"]) for x in snapshots] == [(0, 0), (0, 0), (2, 10)]
        assert s.scalars(select(ReleaseCell.series).where(ReleaseCell.series.like("metric:%"))).all() == []
    hidden = [m for m in stack.sandbox.messages(channel) if "anonymous pulse, round 1" in m.get("text", "")]
    assert len(hidden) == 1 and "fewer than 5 answers: hidden" in _dump(hidden)

    # -- App Home: the host sees the dashboard, a partner the pair's streak and *Log a value*
    hanna.open_home()
    stack.settle()
    home = _dump(hanna.home())
    assert "Impact of the programs you host" in home and "Approval lead time" in home
    assert "figures as released on 25 Jan 2027" in home
    ana.open_home()
    stack.settle()
    ana_home = _dump(ana.home())
    assert "Your streak" in ana_home or "Eure Serie" in ana_home
    assert f"pair:{ana_pair}" in ana_home

    # -- the export, by DM: CSV and Markdown; no red note, no value of the hidden round, no comment, no pair value
    hanna.slash("admin export", channel_id=channel)
    stack.settle()
    assert "on its way" in _dump(hanna.ephemeral_messages()[-1:])
    files = {f["name"]: f for f in stack.sandbox.files.values() if f["name"].startswith("tandem-pilot-2027")}
    [csv_file] = [f for n, f in files.items() if n.endswith(".csv")]
    [md_file] = [f for n, f in files.items() if n.endswith(".md")]
    assert csv_file["shares"] and csv_file["shares"][0]["channel"] == stack.sandbox.dm_channel(hanna.id)
    rows = list(csv.DictReader(io.StringIO(csv_file["content"].decode())))
    by_key = {r["key"]: r for r in rows if r["section"] == "kpi"}
    assert by_key["invited"]["value"] == "6" and by_key["matched"]["value"] == "6"
    assert by_key["response_rate"]["value"] == "0.2" and by_key["response_rate"]["day"] == "2027-01-25"
    assert by_key["mood_round_1"]["value"] == "" and by_key["mood_latest"]["value"] == ""
    metric_rows = [r for r in rows if r["section"] == "metric"]
    # the pair metric: one pair reported, so it has no program value (never fewer pairs than the threshold)
    assert {(r["key"], r["value"]) for r in metric_rows} == {("Approval lead time", "9.5")}
    everything = csv_file["content"].decode() + md_file["content"].decode()
    assert RED not in everything and "A comment nobody else must see" not in everything
    assert "hidden (fewer than 5 answers)" in md_file["content"].decode()
    assert "from the weekly release of 25 Jan 2027" in md_file["content"].decode()
    with stack.session_factory() as s:
        program = s.get(Program, s.scalars(select(Pair.program_id)).first())
        assert program is not None
        board = impact.dashboard(s, program, now=stack.clock.now())
    assert board.kpis.mood == ((1, None),) and board.kpis.pulse_rate is None
