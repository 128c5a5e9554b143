"""Anonymous mood polls end to end: on the program's rhythm every active participant gets a pulse DM that says
exactly what is stored; answers are refused kindly when they are wrong, late, not asked for or a second vote;
hosts see results (in the admin channel with the program's weekly release after a round closes, and with ``/tandem
admin pulse``) only for rounds with at least the threshold of answers; and the database alone cannot tie any answer
to a person."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text

from bot.clock import SimulatedClock
from bot.db import reflected
from bot.domain import polls as rules
from bot.flows import polls as polls_flow
from bot.ids import ID
from bot.models import Participant, PollBallot, PollReceipt, PollResponse, PollRound, Program
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.stack import LocalStack
from bot.services import polls as service
from tests.helpers import (
    START,
    answer_pulse,
    assert_calls_ok,
    has_action,
    open_pulse,
    persona,
    pulse_setup,
    pulse_values,
    pulses,
)

PROGRAM = "Pilot 2027"
ROUND_1 = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)  # two weeks after the start, 09:00 in Berlin (the program's zone)
CLOSE_1 = datetime(2027, 1, 23, 8, 0, tzinfo=UTC)  # five days later
NEW_YORK_NINE = timedelta(hours=6)  # Mia and Tom get their pulse at 09:00 in New York, six hours later
RELEASE_1 = datetime(2027, 1, 25, 8, 0, tzinfo=UTC)  # the next Monday, 09:00 in Berlin: the weekly release
ROUND_2 = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
CLOSE_2 = datetime(2027, 2, 6, 8, 0, tzinfo=UTC)
RELEASE_2 = datetime(2027, 2, 8, 8, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)
HIDDEN = "fewer than 5 answers: hidden to protect anonymity"


# -- helpers ------------------------------------------------------------------------------------------------


def _run(stack: LocalStack, start: datetime, until: datetime) -> None:
    stack.clock.set(start)  # type: ignore[attr-defined]
    stack.advance(until - start)


def _ask_all(stack: LocalStack, opens: datetime) -> None:
    """From just before a round opens until the pulse reached New York's morning too."""
    _run(stack, opens - FIVE, opens + FIVE)
    stack.advance(NEW_YORK_NINE)


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _results(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    return [m for m in stack.sandbox.messages(channel) if "anonymous pulse" in m.get("text", "")]


def _plain(value: Any) -> str:
    """A column value JSON has no type for: bytes (a sealed ballot) as hex, anything else as text."""
    return bytes(value).hex() if isinstance(value, bytes | memoryview) else str(value)


def dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, every column (ids included), as canonical JSON, rows sorted."""
    meta = reflected(engine)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows = [json.dumps(dict(r._mapping), sort_keys=True, default=_plain) for r in conn.execute(table.select())]
            out[table.name] = sorted(rows)
    return out


def physical(engine: Engine) -> dict[str, Any]:
    """What the storage itself could tell about the poll tables: their rows in physical order (SQLite's rowid,
    PostgreSQL's ctid) and, on PostgreSQL, which rows the same transaction wrote (xmin)."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in ("poll_receipt", "poll_response"):
            if engine.dialect.name == "sqlite":
                rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY rowid")).mappings().all()
                out[table] = [json.dumps(dict(r), sort_keys=True, default=_plain) for r in rows]
            else:
                rows = conn.execute(text(f"SELECT xmin::text AS tx, * FROM {table} ORDER BY ctid")).mappings().all()
                out[table] = [json.dumps({k: v for k, v in r.items() if k != "tx"}, sort_keys=True) for r in rows]
                groups: dict[str, list[str]] = {}
                for r, line in zip(rows, out[table], strict=True):
                    groups.setdefault(r["tx"], []).append(line)
                out[f"{table}.xmin"] = sorted(sorted(g) for g in groups.values())
    return out


# -- the whole story ----------------------------------------------------------------------------------------
def test_pulse_dm_answers_refusals_threshold_and_results(stack: LocalStack) -> None:
    hanna, channel, people = pulse_setup(stack)
    ana, karl, lea, jon, mia, tom = (people[n] for n in ("Ana", "Karl", "Lea", "Jon", "Mia", "Tom"))
    outsider = persona(stack, "Wei", tz="Asia/Singapore")

    # nothing before the first rhythm period is over
    _run(stack, ROUND_1 - 2 * FIVE, ROUND_1 - FIVE)
    assert not any(pulses(p) for p in people.values())
    _run(stack, ROUND_1 - FIVE, ROUND_1 + FIVE)
    assert all(len(pulses(p)) == 1 for p in (ana, karl, lea, jon)) and not pulses(mia) and not pulses(tom)
    stack.advance(NEW_YORK_NINE)
    assert all(len(pulses(p)) == 1 for p in people.values())
    for p in people.values():  # each at 09:00 on their own Monday
        sent = datetime.fromtimestamp(float(pulses(p)[0]["ts"]), UTC).astimezone(ZoneInfo(p.tz))
        assert (sent.weekday(), sent.hour) == (0, 9), (p.name, sent)
    [dm_lea], [dm_ana] = pulses(lea), pulses(ana)
    assert "Pulse check for Pilot 2027" in _text(dm_lea) and "Stimmungscheck für Pilot 2027" in _text(dm_ana)
    assert "*What is stored:*" in _text(dm_lea) and "*What is not stored:*" in _text(dm_lea)
    assert "who gave which answer, or when" in _text(dm_lea) and "at least 5 people answered" in _text(dm_lea)
    assert "*Was nicht gespeichert wird:* wer welche Antwort gegeben hat und wann" in _text(dm_ana)
    # the button carries only the round id, the same for everyone: no per-person token
    values = {el["value"] for p in people.values() for _, el in iter_action_elements(pulses(p)[0]["blocks"])}
    with stack.session_factory() as s:
        [round_1] = s.scalars(select(PollRound)).all()
        assert values == {str(round_1.id)}
        assert round_1.questions == ["belonging", "learning_climate"] and round_1.threshold == 5

    # the modal: mood, two rotating questions, an optional comment and the privacy note
    view = open_pulse(stack, lea)
    assert view is not None and json.loads(view["private_metadata"]) == {"round_id": round_1.id}
    shown = _text(view)
    assert "I feel I belong in this program." in shown and "Our tandem is a good place to learn." in shown
    assert "*What is not stored:*" in shown

    # a bad answer is named on its field and changes nothing
    before = dump(stack.engine)
    bad = lea.submit(view["id"], pulse_values(view, None, "4", None, "x" * 1001)).json()
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {ID.POLL_MOOD.value, ID.POLL_Q2.value, ID.POLL_COMMENT.value}
    assert "Please pick one of the five." in bad["errors"][ID.POLL_MOOD.value]
    assert dump(stack.engine) == before

    # an outsider (never asked) is refused, gets no modal, nothing changes
    outsider.click(ID.POLL_OPEN, message=dm_lea)
    stack.settle()
    assert not outsider.open_views() and "for the people it was sent to" in _text(outsider.ephemeral_messages()[-1])
    assert dump(stack.engine) == before

    # Lea answers: the modal turns into a thank-you; no message, no outbox row records it
    ok = lea.submit(view["id"], pulse_values(view, "4", "5", "3", "Good start"))
    stack.settle()
    assert ok.json()["response_action"] == "update" and "Thank you!" in _text(ok.json()["view"])
    after = dump(stack.engine)
    assert after["outbox"] == before["outbox"]
    assert {t for t in after if after[t] != before[t]} == {"poll_receipt", "poll_ballot"}  # sealed until the close
    assert "Good start" not in json.dumps(after)

    # voting twice is impossible: the button says so, a second submit (say, a modal left open on another device)
    # is refused kindly, and even a direct second write is; each time nothing changes
    assert answer_pulse(stack, ana, 2, 2, 2)["response_action"] == "update"
    assert open_pulse(stack, ana) is None and "schon beantwortet" in _text(ana.ephemeral_messages()[-1])
    before = dump(stack.engine)
    state = {
        ID.POLL_MOOD.value: {"m": {"type": "radio_buttons", "selected_option": {"value": "5"}}},
        ID.POLL_Q1.value: {"q": {"type": "radio_buttons", "selected_option": {"value": "5"}}},
        ID.POLL_Q2.value: {"q": {"type": "radio_buttons", "selected_option": {"value": "5"}}},
    }
    with stack.session_factory() as s:
        again = polls_flow.submit_form(
            s,
            team_id=stack.sandbox.team_id,
            user_id=ana.id,
            view={"private_metadata": json.dumps({"round_id": round_1.id}), "state": {"values": state}},
            lookup=lambda uid: None,  # type: ignore[arg-type,return-value]
            now=stack.clock.now(),
        )
    assert again.view is None and "schon beantwortet" in again.errors[ID.POLL_MOOD.value]
    assert dump(stack.engine) == before
    with stack.session_factory() as s:
        person = s.scalars(select(Participant).where(Participant.slack_user_id == ana.id)).one()
        pulse = rules.Pulse(mood=1, answers={"belonging": 1, "learning_climate": 1}, comment=None)
        now = stack.clock.now()
        assert service.submit(s, participant=person, round_id=round_1.id, pulse=pulse, now=now) == service.ANSWERED
    assert dump(stack.engine) == before

    # two more: four answers in all, below the threshold of 5
    answer_pulse(stack, jon, 3, 3, 3, "Secret round-one comment")
    answer_pulse(stack, mia, 5, 4, 4)
    with stack.session_factory() as s:
        assert len(s.scalars(select(PollBallot)).all()) == 4 and not s.scalars(select(PollResponse)).all()
        assert sum(r.answered for r in s.scalars(select(PollReceipt))) == 4

    # the hosts ask while the round is open: no results at all until it closes (so nobody can compare before and
    # after someone answered)
    hanna.slash("admin pulse", channel_id=channel)
    stack.settle()
    reply = _text(hanna.ephemeral_messages()[-1])
    assert "*Pilot 2027* has no released pulse round yet." in reply
    assert "Round 1 is open until Saturday 23 Jan 2027, 09:00 (your time)" in reply
    assert "Good start" not in reply and "Answered" not in reply and "mood" not in reply

    # closing: a late click is refused kindly; nothing goes to the hosts before the weekly release on Monday
    _run(stack, CLOSE_1 - FIVE, CLOSE_1 + FIVE)
    assert open_pulse(stack, tom) is None and "has closed" in _text(tom.ephemeral_messages()[-1])
    assert _results(stack, channel) == []
    hanna.slash("admin pulse", channel_id=channel)
    stack.settle()
    reply = _text(hanna.ephemeral_messages()[-1])
    assert "Round 1 has closed; its results come with the weekly release on Monday 25 Jan 2027, 09:00" in reply
    assert "Good start" not in reply and "Answered" not in reply
    # the release: the results go to the admin channel, hidden
    _run(stack, RELEASE_1 - FIVE, RELEASE_1 + FIVE)
    [closed_1] = _results(stack, channel)
    assert HIDDEN in _text(closed_1)
    for word in ("Secret round-one comment", "Good start", "Distribution", "Answered", "4 of"):
        assert word not in _text(closed_1)
    with stack.session_factory() as s:  # below the threshold the ballots were deleted unopened
        assert not s.scalars(select(PollBallot)).all() and not s.scalars(select(PollResponse)).all()
    assert "Secret round-one comment" not in json.dumps(dump(stack.engine))

    # round 2 asks the other two questions; five answer (one comment with markup), one stays silent
    _ask_all(stack, ROUND_2)
    assert all(len(pulses(p)) == 2 for p in people.values())
    with stack.session_factory() as s:
        round_2 = s.scalars(select(PollRound).where(PollRound.number == 2)).one()
        assert round_2.questions == ["disagree_safely", "talk_share"]
    view = open_pulse(stack, karl)
    assert view is not None and "Ich kann meiner:meinem Tandem-Partner:in gefahrlos widersprechen." in _text(view)
    karl.close(view["id"])
    for p, mood, comment in (
        (ana, 4, "Mehr Zeit bitte"),
        (karl, 5, "<!channel> *bold* & more"),
        (lea, 4, None),
        (jon, 3, "Great pairing"),
        (mia, 2, None),
    ):
        answer_pulse(stack, p, mood, 4, 3, comment)
    _run(stack, CLOSE_2 - FIVE, CLOSE_2 + FIVE)
    assert len(_results(stack, channel)) == 1
    _run(stack, RELEASE_2 - FIVE, RELEASE_2 + FIVE)
    closed_2 = _results(stack, channel)[-1]
    shown = _text(closed_2)
    assert "*Round 2*: mood *3.6* of 5 (no earlier round to compare)" in shown
    assert "Distribution: 1: 0 · 2: 1 · 3: 1 · 4: 2 · 5: 1" in shown
    assert "Answered: 5 of 6 (83%) · did not answer: 17%" in shown
    assert "_I can disagree with my partner safely._ *4.0*" in shown
    assert "_How balanced is our talk share?_ *3.0*" in shown
    assert "Mood trend: 1: hidden → 2: 3.6" in shown
    assert "3 comments, shuffled, without names" in shown
    assert "Mehr Zeit bitte" in shown and "Great pairing" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown  # escaped
    for word in ("Tom", "Ana", "Karl", "Lea", "Jon", "Mia", "Secret round-one comment"):
        assert word not in shown

    # /tandem admin pulse: the same, with the earlier round still hidden
    hanna.slash("admin pulse pilot 2027", channel_id=channel)
    stack.settle()
    overview = _text(hanna.ephemeral_messages()[-1])
    assert "*Round 2*: mood *3.6*" in overview and f"Round 1*: {HIDDEN}" in overview
    assert "Secret round-one comment" not in overview and "Good start" not in overview
    hanna.slash("admin pulse Nope", channel_id=channel)
    stack.settle()
    assert "I don't know a program called" in _text(hanna.ephemeral_messages()[-1])
    # not a host: refused
    tom.slash("admin pulse", channel_id=channel)
    stack.settle()
    assert "Round" not in _text(tom.ephemeral_messages()[-1])


@pytest.mark.sqlite_only  # what Tandem decides, not what is asked of the database: the pulse's queries run on
# PostgreSQL in the other stories of this module and in tests/test_pulse_storage_attack.py
def test_pulse_settings_keep_the_threshold_at_three_or_more_and_a_higher_one_hides_more(stack: LocalStack) -> None:
    hanna, channel, people = pulse_setup(stack)
    hanna.slash("admin programs", channel_id=channel)
    stack.settle()
    card = hanna.ephemeral_messages()[-1]
    assert has_action(card, ID.POLL_SETTINGS)
    hanna.click(ID.POLL_SETTINGS, message=card)
    stack.settle()
    view = hanna.open_views()[-1]
    assert view["title"]["text"] == "Pulse settings" and "The anonymous pulse of *Pilot 2027*" in _text(view)
    before = dump(stack.engine)
    bad = hanna.submit(view["id"], {ID.POLL_EVERY.value: "3", ID.POLL_THRESHOLD.value: "2"}).json()
    assert bad["response_action"] == "errors" and "can't stay anonymous" in bad["errors"][ID.POLL_THRESHOLD.value]
    assert dump(stack.engine) == before
    ok = hanna.submit(view["id"], {ID.POLL_EVERY.value: "1", ID.POLL_THRESHOLD.value: "6"})
    assert not ok.body or "errors" not in ok.json()
    stack.settle()
    assert any("every week, results from 6 answers" in _text(m) for m in stack.sandbox.messages(channel))
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        assert (program.poll_every_weeks, program.poll_threshold) == (1, 6)

    # weekly now: the first round opens after one week; five of six answer, which is below 6
    first = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
    _ask_all(stack, first)
    for name in ("Ana", "Karl", "Lea", "Jon", "Mia"):
        answer_pulse(stack, people[name], 4, 4, 4, f"comment by someone {len(name)}")
    _run(stack, first + timedelta(days=5) - FIVE, first + timedelta(days=5) + FIVE)
    assert _results(stack, channel) == []  # closed on Saturday: the results come with Monday's release
    _run(stack, first + timedelta(days=7) - FIVE, first + timedelta(days=7) + FIVE)
    [closed] = _results(stack, channel)
    assert "fewer than 6 answers: hidden to protect anonymity" in _text(closed)
    assert "comment by someone" not in _text(closed)

    # a non-host cannot open the settings
    tom = people["Tom"]
    tom.click(ID.POLL_SETTINGS, message=card)
    stack.settle()
    assert not tom.open_views()


# -- unlinkability: the database alone cannot tell who gave which answer -----------------------------------
@pytest.fixture
def fresh_database(database_url: str, scratch: Any) -> Callable[[], str]:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"

    return lambda: scratch.migrated(backend)


ANSWERS = [(5, 4, 3, "first comment"), (1, 2, 2, None), (3, 3, 5, "third comment"), (4, 5, 1, None), (2, 1, 4, "x")]


def _round_by(url: str, order: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Round 1 on a fresh database and Slack: the k-th answer of ANSWERS is given by ``order[k]``, at the same
    moments in every run. Returns the database (and its physical order) after each answer and after closing."""
    keys = itertools.count(1)
    monkeypatch.setattr(service, "new_key", lambda: f"{next(keys) * 7919 % 1000:032x}")
    monkeypatch.setattr(service.random, "SystemRandom", lambda: random.Random(42))  # the close's shuffle
    stack = LocalStack(url, clock=SimulatedClock(START), migrate=False).start()
    try:
        _, channel, people = pulse_setup(stack)
        _ask_all(stack, ROUND_1)
        snapshots = []
        for name, (mood, q1, q2, comment) in zip(order, ANSWERS, strict=True):
            stack.clock.set(stack.clock.now() + timedelta(minutes=17))  # type: ignore[attr-defined]
            answer_pulse(stack, people[name], mood, q1, q2, comment)
            snapshots.append((dump(stack.engine), physical(stack.engine)))
        _run(stack, CLOSE_1 - FIVE, CLOSE_1 + FIVE)
        snapshots.append((dump(stack.engine), physical(stack.engine)))
        _run(stack, RELEASE_1 - FIVE, RELEASE_1 + FIVE)  # the weekly release shows the round to the hosts
        results = [(m["text"], m.get("blocks")) for m in _results(stack, channel)]
        assert_calls_ok(stack)
        return {"snapshots": snapshots, "results": results}
    finally:
        stack.stop()


def _unsealed(rows: dict[str, list[str]]) -> dict[str, list[str]]:
    """A dump with each ballot's sealed bytes replaced by their length (sealing takes a fresh random nonce)."""
    out = dict(rows)
    ballots = [json.loads(r) for r in rows.get("poll_ballot", [])]
    out["poll_ballot"] = sorted(json.dumps({**b, "sealed": len(b["sealed"]) // 2}, sort_keys=True) for b in ballots)
    return out


def test_the_database_cannot_tie_an_answer_to_a_person(
    fresh_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _round_by(fresh_database(), ["Ana", "Karl", "Lea", "Jon", "Mia"], monkeypatch)
    # the same answers at the same moments, each from someone else (a permutation of the same five people)
    other = _round_by(fresh_database(), ["Mia", "Lea", "Ana", "Karl", "Jon"], monkeypatch)
    snapshots = list(zip(one["snapshots"], other["snapshots"], strict=True))
    # after closing, every table, every column (ids included), the physical order of the responses and which
    # transaction wrote which of them are identical. (The receipts' own storage history says who answered when, on
    # PostgreSQL even in their physical order, since an update writes a new row version: never what.)
    (dump_one, physical_one), (dump_other, physical_other) = snapshots[-1]
    assert dump_one == dump_other
    assert physical_one["poll_response"] == physical_other["poll_response"]
    assert physical_one.get("poll_response.xmin") == physical_other.get("poll_response.xmin")
    # while the round is open, who has answered so far differs (only the receipts say so); the answers are sealed
    # ballots of one length, the same in both runs but for their random nonces; no response exists yet
    for (dump_one, _), (dump_other, _) in snapshots[:-1]:
        assert {t: r for t, r in _unsealed(dump_one).items() if t != "poll_receipt"} == {
            t: r for t, r in _unsealed(dump_other).items() if t != "poll_receipt"
        }
        assert (
            dump_one["poll_response"] == []
            and len({json.loads(b)["sealed"] for b in _unsealed(dump_one)["poll_ballot"]}) == 1
        )
    # the hosts' results were the same too, and shown (5 answers)
    assert one["results"] == other["results"] and "mood *3.0*" in json.dumps(one["results"])

    # what a response, a ballot and a receipt are made of: no person, no time, nothing ordered
    final, physical_final = one["snapshots"][-1]
    assert {tuple(sorted(json.loads(r))) for r in final["poll_response"]} == {
        ("answers", "comment", "id", "mood", "round_id")
    }
    assert {tuple(sorted(json.loads(r))) for r in one["snapshots"][0][0]["poll_ballot"]} == {
        ("id", "round_id", "sealed")
    }
    assert {tuple(sorted(json.loads(r))) for r in final["poll_receipt"]} == {("answered", "participant_id", "round_id")}
    assert len(final["poll_receipt"]) == 6 and len(final["poll_response"]) == 5 and final["poll_ballot"] == []
    if "poll_response.xmin" in physical_final:  # PostgreSQL: one transaction wrote all of the round's answers
        assert len(physical_final["poll_response.xmin"]) == 1
    answered, _ = one["snapshots"][-2]  # until the close, the comments are nowhere in the database
    for comment in ("first comment", "third comment"):
        assert all(comment not in row for rows in answered.values() for row in rows)


@pytest.mark.sqlite_only  # what Tandem decides, not what is asked of the database: the pulse's queries run on
# PostgreSQL in the other stories of this module and in tests/test_pulse_storage_attack.py
def test_someone_on_a_break_is_not_asked_and_not_counted_as_silent(stack: LocalStack) -> None:
    _hanna, _channel, people = pulse_setup(stack)
    tom = people["Tom"]
    tom.slash("pause until 2027-01-22")  # over round 1 (18 January)
    stack.settle()
    _ask_all(stack, ROUND_1)
    assert not pulses(tom) and all(len(pulses(p)) == 1 for n, p in people.items() if n != "Tom")
    with stack.session_factory() as s:
        tom_row = s.scalars(select(Participant).where(Participant.slack_user_id == tom.id)).one()
        tom_id, paused = tom_row.id, tom_row.paused_until
        receipts = s.scalars(select(PollReceipt.participant_id)).all()
    assert paused == date(2027, 1, 22) and len(receipts) == 5 and tom_id not in receipts
    # back from the break: round 2 asks him again
    _ask_all(stack, ROUND_2)
    assert len(pulses(tom)) == 1
