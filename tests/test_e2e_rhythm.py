"""The weekly rhythm end to end, on the sandbox and a simulated clock: a Berlin–Lisbon and a Berlin–Singapore pair
over several weeks across a daylight-saving change (spring and autumn). Each week's prompt reaches the pair's
thread at the earlier partner's 09:00 and the other partner's DM nudge at theirs; thread replies and the Answer
modal are recorded; "what we agreed" opens the next week's prompt; the one mid-week nudge goes only to a silent
partner; two silent weeks reach the hosts with names and no content; a break skips weeks and ends by itself;
cancelling and moving weeks are logged with ``late`` right; outsiders' clicks change nothing; ticks are
idempotent."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.flows import rhythm as rhythm_flow
from bot.ids import ID
from bot.models import (
    Cancellation,
    OutboxMessage,
    Pair,
    PairWeek,
    Participant,
    WeekAnswer,
    WeekPartner,
    WeekStatus,
)
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, match, onboard, pair_group_dm, persona

PROGRAM = "Pilot 2027"
FIVE = timedelta(minutes=5)
# name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
BERLIN_LISBON = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Lena": ("context", "de-DE", "Europe/Lisbon", "Lena", "Finance", ["budgeting"], ["short video"], ["trust"]),
}
BERLIN_SINGAPORE = {
    "Ben": ("context", "en-GB", "Europe/Berlin", "Ben", "Legal", ["governance"], ["podcasts"], ["growth"]),
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Wei", "Content", ["podcasts"], ["governance"], ["growth"]),
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- helpers ------------------------------------------------------------------------------------------------


def _setup(stack: LocalStack, *, start: str, weeks: int) -> tuple[Persona, str, dict[str, Persona]]:
    """A host in Berlin, a weekly program (Mondays 09:00, no trial) and the two pairs, matched one by one."""
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(
        stack,
        hanna,
        channel,
        **{ID.PROGRAM_START.value: start, ID.PROGRAM_WEEKS.value: str(weeks), ID.PROGRAM_TRIAL.value: "0"},
    )
    people = onboard(stack, BERLIN_LISBON, PROGRAM)
    match(stack, hanna, channel)
    people.update(onboard(stack, BERLIN_SINGAPORE, PROGRAM))
    match(stack, hanna, channel)
    return hanna, channel, people


def _run(stack: LocalStack, start: datetime, until: datetime) -> None:
    """Jump to ``start`` (nothing ticks on the way), then on to ``until`` as the clock ticks."""
    stack.clock.set(start)  # type: ignore[attr-defined]
    stack.advance(until - start)


def _around(stack: LocalStack, moment: datetime) -> None:
    """From ten minutes before ``moment`` to five after."""
    _run(stack, moment - 2 * FIVE, moment + FIVE)


def _has(message: dict[str, Any], action_id: str) -> bool:
    return any(el.get("action_id") == action_id for _, el in iter_action_elements(message.get("blocks") or []))


def _prompts(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    return [m for m in stack.sandbox.messages(channel) if _has(m, ID.RHYTHM_ANSWER)]


def _thread(stack: LocalStack, channel: str, prompt: dict[str, Any]) -> list[dict[str, Any]]:
    return stack.sandbox.messages(channel, thread_ts=prompt["ts"])[1:]


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _sent_at(message: dict[str, Any]) -> datetime:
    """When Slack got it (the sandbox keeps each ts unique by adding microseconds)."""
    return datetime.fromtimestamp(float(message["ts"]), UTC).replace(microsecond=0)


def _local(message: dict[str, Any], tz: str) -> str:
    return _sent_at(message).astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def _dms(p: Persona, *words: str) -> list[dict[str, Any]]:
    return [m for m in p.dm_messages() if any(w in m.get("text", "") for w in words)]


NUDGE = ("is waiting in your tandem thread", "wartet in eurem Tandem-Thread")
MIDWEEK = ("A gentle nudge", "Eine kleine Erinnerung")


def _outbox_count(stack: LocalStack) -> int:
    with stack.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def _week(stack: LocalStack, channel: str, number: int) -> PairWeek:
    with stack.session_factory() as s:
        pair_id = s.scalars(select(Pair.id).where(Pair.channel_id == channel)).one()
        week = s.scalars(select(PairWeek).where(PairWeek.pair_id == pair_id, PairWeek.number == number)).one()
        s.expunge(week)
        return week


# -- spring: the EU clocks go forward on Sunday 28 March 2027 -----------------------------------------------
@pytest.mark.sqlite_only  # time zones and clock changes, not what is asked of the database: the weekly round's
# queries run on PostgreSQL in the autumn story below and in tests/test_next_due_pairs.py
def test_prompts_nudges_answers_agreement_and_silence_across_the_spring_dst_change(stack: LocalStack) -> None:
    hanna, admin, people = _setup(stack, start="2027-03-15", weeks=8)
    ana, lena, ben, wei = people["Ana"], people["Lena"], people["Ben"], people["Wei"]
    g1, g2 = pair_group_dm(stack, ana, lena), pair_group_dm(stack, ben, wei)

    # week 1, Monday 15 March. Berlin–Singapore: the thread at 09:00 in Singapore (01:00 UTC, 02:00 in Berlin)
    _run(stack, utc(2027, 3, 15, 0, 30), utc(2027, 3, 15, 0, 55))
    assert _prompts(stack, g2) == []
    _run(stack, utc(2027, 3, 15, 0, 55), utc(2027, 3, 15, 1, 5))
    [w1_g2] = _prompts(stack, g2)
    assert _local(w1_g2, "Asia/Singapore") == "Mon 15 Mar 09:00"
    assert _prompts(stack, g1) == [] and _dms(ben, *NUDGE) == []
    shown = _text(w1_g2)
    assert "Week 1 · Pilot 2027" in shown and "What moves us forward by next week?" in shown
    assert "Method of the week: Storytelling" in shown
    assert "Open → Deepen → Agree → Secure" in shown
    # Wei answers right away in the thread; the answer is recorded for week 1
    assert wei.say(g2, "Podcasts: I will record a 5-minute episode on our governance rules.", w1_g2["ts"]).ok

    # 09:00 in Berlin (08:00 UTC): Ana and Lena's thread (the earlier partner is Ana), and Ben's DM nudge
    _around(stack, utc(2027, 3, 15, 8))
    [w1_g1] = _prompts(stack, g1)
    assert _local(w1_g1, "Europe/Berlin") == "Mon 15 Mar 09:00"
    assert "Woche 1 · Pilot 2027" in _text(w1_g1) and "Öffnen → Vertiefen → Verabreden → Sichern" in _text(w1_g1)
    [nudge_ben] = _dms(ben, *NUDGE)
    assert _local(nudge_ben, "Europe/Berlin") == "Mon 15 Mar 09:00"
    link = (
        f"<https://slack.com/app_redirect?channel={g2}&amp;team={stack.sandbox.team_id}|Open your tandem conversation>"
    )
    assert link in _text(nudge_ben) and "Your focus question for week 1 with *Wei*" in _text(nudge_ben)
    assert _dms(ana, *NUDGE) == [] and _dms(wei, *NUDGE) == []  # the earlier partners read the thread itself
    assert _dms(lena, *NUDGE) == []  # 08:00 in Lisbon: not yet
    assert ben.say(g2, "Governance in one slide, then we pick one rule to test.", w1_g2["ts"]).ok

    # 09:00 in Lisbon (09:00 UTC): Lena's nudge, an hour after the thread
    _around(stack, utc(2027, 3, 15, 9))
    [nudge_lena] = _dms(lena, *NUDGE)
    assert _local(nudge_lena, "Europe/Lisbon") == "Mon 15 Mar 09:00"
    assert "Deine Fokusfrage für Woche 1 mit *Ana*" in _text(nudge_lena)
    assert lena.say(g1, "Budgetplanung: Ich zeige dir unsere Tabelle.", w1_g1["ts"]).ok
    # a reply in another thread (here: under the introduction) is no answer to a week
    intro = stack.sandbox.messages(g1)[0]
    assert not _has(intro, ID.RHYTHM_ANSWER) and lena.say(g1, "Hallo Ana!", intro["ts"]).ok
    with stack.session_factory() as s:
        names = dict(s.execute(select(Participant.id, Participant.display_name)).tuples().all())
        answers = {(names[a.participant_id], a.source, a.text) for a in s.scalars(select(WeekAnswer))}
        assert answers == {
            ("Wei", "thread", "Podcasts: I will record a 5-minute episode on our governance rules."),
            ("Ben", "thread", "Governance in one slide, then we pick one rule to test."),
            ("Lena", "thread", "Budgetplanung: Ich zeige dir unsere Tabelle."),
        }
        answered = {names[p.participant_id]: p.answered_at is not None for p in s.scalars(select(WeekPartner))}
        assert answered == {"Ana": False, "Lena": True, "Ben": True, "Wei": True}

    # a click by someone outside the pair opens nothing and changes nothing
    before = _outbox_count(stack)
    for outsider in (ben, hanna):
        assert outsider.click(ID.RHYTHM_ANSWER, message=w1_g1).ok
        assert outsider.click(ID.RHYTHM_CANCEL, message=w1_g1).ok
        assert outsider.open_views() == []
    assert "This isn't your tandem, so I changed nothing." in ben.ephemeral_messages()[-1]["text"]
    assert _outbox_count(stack) == before

    # mid-week: halfway is Thursday 21:00 in Berlin, so Friday 09:00 (08:00 UTC); only Ana has not answered
    _around(stack, utc(2027, 3, 19, 8))
    [midweek_ana] = _dms(ana, *MIDWEEK)
    assert _local(midweek_ana, "Europe/Berlin") == "Fri 19 Mar 09:00"
    assert "Eine kleine Erinnerung" in _text(midweek_ana) and "Woche 1 mit *Lena*" in _text(midweek_ana)
    _run(stack, utc(2027, 3, 19, 8, 5), utc(2027, 3, 19, 10))
    assert all(_dms(p, *MIDWEEK) == [] for p in (lena, ben, wei))
    assert len(_dms(ana, *MIDWEEK)) == 1

    # Saturday: Ana records what they agreed (an empty field is refused and nothing is lost), closing week 1
    stack.clock.set(utc(2027, 3, 20, 10))  # type: ignore[attr-defined]
    assert ana.click(ID.RHYTHM_AGREED, message=w1_g1).ok
    [view] = ana.open_views()
    refused = ana.submit(
        view["id"], {ID.RHYTHM_HOMEWORK.value: "Lena zeigt die Budgettabelle", ID.RHYTHM_NEXT_STEP.value: ""}
    )
    assert refused.json()["response_action"] == "errors"
    assert ID.RHYTHM_NEXT_STEP.value in refused.json()["errors"]
    assert _week(stack, g1, 1).agreed_at is None
    assert ana.submit(
        view["id"],
        {
            ID.RHYTHM_HOMEWORK.value: "Lena zeigt die Budgettabelle, Ana filmt ein 60-Sekunden-Video darüber",
            ID.RHYTHM_NEXT_STEP.value: "Tabelle bis Mittwoch teilen",
        },
    ).ok
    stack.settle()
    agreed = _thread(stack, g1, w1_g1)[-1]
    assert "Was wir vereinbart haben" in _text(agreed) and "Tabelle bis Mittwoch teilen" in _text(agreed)
    week1 = _week(stack, g1, 1)
    assert (week1.status, week1.agreed_next_step) == (WeekStatus.CLOSED, "Tabelle bis Mittwoch teilen")

    # week 2, Monday 22 March (still winter time): "what we agreed" opens Ana and Lena's prompt
    _around(stack, utc(2027, 3, 22, 1))
    _around(stack, utc(2027, 3, 22, 8))
    w1_g1_again, w2_g1 = _prompts(stack, g1)
    assert w1_g1_again["ts"] == w1_g1["ts"]
    assert _local(w2_g1, "Europe/Berlin") == "Mon 22 Mar 09:00"
    shown = _text(w2_g1)
    assert "Was ihr letztes Mal vereinbart habt* (Woche 1)" in shown
    assert "Tabelle bis Mittwoch teilen" in shown and "Methode der Woche: Shadowing" in shown
    assert shown.index("Tabelle bis Mittwoch teilen") < shown.index("Methode der Woche")
    [_, w2_g2] = _prompts(stack, g2)
    assert _local(w2_g2, "Asia/Singapore") == "Mon 22 Mar 09:00"
    assert [_local(m, "Europe/Berlin") for m in _dms(ben, *NUDGE)] == ["Mon 15 Mar 09:00", "Mon 22 Mar 09:00"]
    # Ana answers with the modal this time: it is recorded and posted in the thread for Lena
    assert ana.click(ID.RHYTHM_ANSWER, message=w2_g1).ok
    [view] = ana.open_views()
    assert ana.submit(view["id"], {ID.RHYTHM_ANSWER_TEXT.value: "Video ist gedreht, 58 Sekunden!"}).ok
    stack.settle()
    assert "*Ana* hat geantwortet" in _text(_thread(stack, g1, w2_g1)[-1])

    # week 3, Monday 29 March, after Europe's clocks went forward, is Easter Monday, a public holiday in Germany
    # (not in Singapore; Portugal's holidays Tandem does not know): Singapore 09:00 is still 01:00 UTC and Lisbon's
    # 09:00 is 08:00 UTC, so the threads come then; Ana and Ben, in Berlin, hear of the week at their next working
    # morning, Tuesday 09:00 (07:00 UTC), by DM. The week is not skipped: it keeps its number and method card.
    _around(stack, utc(2027, 3, 29, 1))
    _around(stack, utc(2027, 3, 29, 7))
    assert len(_prompts(stack, g1)) == 2 and len(_dms(ben, *NUDGE)) == 2  # 09:00 in Berlin: a holiday, nothing
    _around(stack, utc(2027, 3, 29, 8))
    w3_g2 = _prompts(stack, g2)[-1]
    w3_g1 = _prompts(stack, g1)[-1]
    assert _local(w3_g2, "Asia/Singapore") == "Mon 29 Mar 09:00"
    assert _local(w3_g1, "Europe/Lisbon") == "Mon 29 Mar 09:00" and _sent_at(w3_g1) == utc(2027, 3, 29, 8)
    assert "Woche 3" in _text(w3_g1)
    assert not [m for m in _dms(lena, *NUDGE) if "Woche 3" in _text(m)]  # Lena is the earlier partner this week
    assert _dms(ana, *NUDGE) == []
    _around(stack, utc(2027, 3, 30, 7))
    assert _local(_dms(ben, *NUDGE)[-1], "Europe/Berlin") == "Tue 30 Mar 09:00"
    assert _sent_at(_dms(ben, *NUDGE)[-1]) == utc(2027, 3, 30, 7)
    [nudge_ana] = _dms(ana, *NUDGE)
    assert _local(nudge_ana, "Europe/Berlin") == "Tue 30 Mar 09:00" and "Woche 3 mit *Lena*" in _text(nudge_ana)
    assert "Week 3" in _text(w3_g2) and "Microlearning" in _text(w3_g2)

    # Ben and Wei said nothing in weeks 2 and 3: when week 4 comes, the hosts hear it once, with names only
    assert not [m for m in stack.sandbox.messages(admin) if "quiet" in m.get("text", "")]
    _around(stack, utc(2027, 4, 5, 1))
    [flag] = [m for m in stack.sandbox.messages(admin) if "quiet" in m.get("text", "")]
    assert flag["text"] == "A tandem in Pilot 2027 has been quiet for 2 weeks"
    shown = _text(flag)
    assert f"<@{ben.id}>" in shown and f"<@{wei.id}>" in shown and "weeks 2 and 3" in shown
    for content in ("Podcasts", "Governance", "Budget", "Video", "Tabelle", "What moves us forward"):
        assert content not in shown
    _around(stack, utc(2027, 4, 12, 1))  # still silent in week 4: the same stretch is not flagged again
    assert len([m for m in stack.sandbox.messages(admin) if "quiet" in m.get("text", "")]) == 1
    # Ana and Lena were never flagged: they answered
    assert f"<@{ana.id}>" not in json.dumps(stack.sandbox.messages(admin))

    # Home: the next prompt on each person's own clock
    ana.open_home()
    wei.open_home()
    stack.settle()
    assert "Dein nächster Impuls (Woche 5 mit Lena) kommt am Montag, 12.4.2027, um 09:00 Uhr" in _text(ana.home())
    assert "your next prompt (week 6 with Ben) arrives Monday 19 Apr 2027, 09:00 your time." in _text(wei.home())


# -- autumn: the EU clocks go back on Sunday 31 October 2027 ------------------------------------------------
def test_breaks_cancellations_moves_and_idempotent_ticks_across_the_autumn_dst_change(stack: LocalStack) -> None:
    hanna, admin, people = _setup(stack, start="2027-10-18", weeks=6)
    ana, lena, ben, wei = people["Ana"], people["Lena"], people["Ben"], people["Wei"]
    g1, g2 = pair_group_dm(stack, ana, lena), pair_group_dm(stack, ben, wei)

    # week 1, Monday 18 October, summer time: Berlin 09:00 is 07:00 UTC, Lisbon's 08:00 UTC
    _around(stack, utc(2027, 10, 18, 1))
    [w1_g2] = _prompts(stack, g2)
    assert _local(w1_g2, "Asia/Singapore") == "Mon 18 Oct 09:00"
    stack.clock.set(utc(2027, 10, 18, 7))  # type: ignore[attr-defined]
    stack.tick()
    # a second tick in the same minute changes nothing, and so does the job run again
    before = _outbox_count(stack)
    assert stack.tick() is None
    with stack.session_factory() as s:
        assert rhythm_flow.due(s, stack.clock.now()) == 0
        s.commit()
    assert _outbox_count(stack) == before
    stack.worker.drain()
    [w1_g1] = _prompts(stack, g1)
    assert _sent_at(w1_g1) == utc(2027, 10, 18, 7) and _local(w1_g1, "Europe/Berlin") == "Mon 18 Oct 09:00"
    _around(stack, utc(2027, 10, 18, 8))
    assert _local(_dms(lena, *NUDGE)[-1], "Europe/Lisbon") == "Mon 18 Oct 09:00"

    # Tuesday: Wei takes a break until Sunday 31 October; a past day is refused and changes nothing
    stack.clock.set(utc(2027, 10, 19, 6))  # type: ignore[attr-defined]
    wei.slash("pause until 2027-10-01")
    assert "That day has passed" in wei.ephemeral_messages()[-1]["text"]
    wei.slash("pause until 2027-10-31")
    assert "You're on a break until 31 Oct 2027" in wei.ephemeral_messages()[-1]["text"]
    stack.settle()
    note = _thread(stack, g2, w1_g2)[-1]
    assert note["text"] == (
        ":palm_tree: Wei is taking a break until 31 Oct 2027. Weekly prompts skip until then and come back by "
        "themselves."
    )
    with stack.session_factory() as s:
        assert s.scalars(select(Participant.paused_until).where(Participant.slack_user_id == wei.id)).one() == date(
            2027, 10, 31
        )

    # week 2, Monday 25 October: no prompt for Ben and Wei, a short note instead, and no nudges for either
    _around(stack, utc(2027, 10, 25, 1))
    _around(stack, utc(2027, 10, 25, 7))
    assert len(_prompts(stack, g2)) == 1
    skip = _thread(stack, g2, w1_g2)[-1]
    assert skip["text"] == "No prompt this week"
    assert "No prompt in week 2: Wei is taking a break until 31 Oct 2027" in _text(skip)
    assert len(_dms(ben, *NUDGE)) == 1  # only week 1's
    w2_g1 = _prompts(stack, g1)[-1]
    assert _sent_at(w2_g1) == utc(2027, 10, 25, 7)  # still summer time in Berlin
    assert _week(stack, g2, 2).status == WeekStatus.SKIPPED

    # Tuesday: Lena cancels week 4 (Monday 8 November), well ahead: not late
    stack.clock.set(utc(2027, 10, 26, 10))  # type: ignore[attr-defined]
    assert lena.click(ID.RHYTHM_CANCEL, message=w2_g1).ok
    [view] = lena.open_views()
    options = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert options == ["2", "3", "4", "5"]  # this week, and the next three
    assert lena.submit(view["id"], {ID.RHYTHM_WEEK.value: "4"}).ok
    stack.settle()
    assert "Lena hat Woche 4 (Montag, 8.11.2027) abgesagt" in _thread(stack, g1, w2_g1)[-1]["text"]

    # Sunday 31 October, 12:00 UTC (the clocks went back this night): Ana moves week 3 from Monday to
    # Wednesday, less than 24 hours before its prompt (Monday 08:00 UTC): late. A day that breaks the order of
    # the weeks is refused first, and nothing changes.
    stack.clock.set(utc(2027, 10, 31, 12))  # type: ignore[attr-defined]
    assert ana.click(ID.RHYTHM_MOVE, message=w2_g1).ok
    [view] = ana.open_views()
    refused = ana.submit(view["id"], {ID.RHYTHM_WEEK.value: "3", ID.RHYTHM_MOVE_TO.value: "2027-11-08"})
    assert refused.json()["errors"] == {
        ID.RHYTHM_MOVE_TO.value: "Bitte wähle einen Tag nach dem Montag, 25.10.2027 und vor dem Montag, 8.11.2027, "
        "damit die Wochen in ihrer Reihenfolge bleiben."
    }
    assert ana.submit(view["id"], {ID.RHYTHM_WEEK.value: "3", ID.RHYTHM_MOVE_TO.value: "2027-11-03"}).ok
    stack.settle()
    assert (
        "Ana hat Woche 3 von Montag, 1.11.2027 auf Mittwoch, 3.11.2027 verschoben"
        in _thread(stack, g1, w2_g1)[-1]["text"]
    )
    with stack.session_factory() as s:
        logged = {(c.week_number, c.kind, c.moved_to, c.late) for c in s.scalars(select(Cancellation))}
    assert logged == {(4, "cancel", None, False), (3, "move", date(2027, 11, 3), True)}

    # week 3, Monday 1 November, winter time: Wei's break is over, so Ben and Wei's prompt is back by itself
    # (Singapore 09:00 = 01:00 UTC) and Ben's nudge comes at 09:00 CET = 08:00 UTC. Ana and Lena's week moved.
    _around(stack, utc(2027, 11, 1, 1))
    _around(stack, utc(2027, 11, 1, 8))
    w3_g2 = _prompts(stack, g2)[-1]
    assert _local(w3_g2, "Asia/Singapore") == "Mon 01 Nov 09:00" and "Week 3" in _text(w3_g2)
    nudge = _dms(ben, *NUDGE)[-1]
    assert _sent_at(nudge) == utc(2027, 11, 1, 8) and _local(nudge, "Europe/Berlin") == "Mon 01 Nov 09:00"
    assert _prompts(stack, g1)[-1]["ts"] == w2_g1["ts"]
    # Wednesday 3 November: the moved week arrives at 09:00 in Berlin (08:00 UTC) and Lena's nudge at 09:00 WET
    _around(stack, utc(2027, 11, 3, 8))
    _around(stack, utc(2027, 11, 3, 9))
    w3_g1 = _prompts(stack, g1)[-1]
    assert _local(w3_g1, "Europe/Berlin") == "Wed 03 Nov 09:00" and "Woche 3" in _text(w3_g1)
    assert _sent_at(_dms(lena, *NUDGE)[-1]) == utc(2027, 11, 3, 9)

    # Ben cancels the week under way (after its prompt: late); nobody gets a mid-week nudge for it
    assert ben.click(ID.RHYTHM_CANCEL, message=w3_g2).ok
    [view] = ben.open_views()
    assert ben.submit(view["id"], {ID.RHYTHM_WEEK.value: "3"}).ok
    stack.settle()
    assert "Ben cancelled this week (week 3)" in _thread(stack, g2, w3_g2)[-1]["text"]
    _run(stack, utc(2027, 11, 4, 23), utc(2027, 11, 5, 10))
    assert [m for p in (ben, wei) for m in _dms(p, *MIDWEEK) if "Week 3" in _text(m)] == []
    with stack.session_factory() as s:
        late = {
            (c.week_number, c.kind, c.late)
            for c in s.scalars(select(Cancellation).where(Cancellation.kind == "cancel"))
        }
    assert late == {(4, "cancel", False), (3, "cancel", True)}

    # an outsider's cancel or move changes nothing
    before = _outbox_count(stack)
    assert hanna.click(ID.RHYTHM_MOVE, message=w3_g1).ok and hanna.open_views() == []
    assert _outbox_count(stack) == before

    # week 4, Monday 8 November: Ana and Lena cancelled it, so no prompt; Ben and Wei's comes as usual
    _around(stack, utc(2027, 11, 8, 1))
    _around(stack, utc(2027, 11, 8, 8))
    assert _prompts(stack, g1)[-1]["ts"] == w3_g1["ts"]
    assert "Week 4" in _text(_prompts(stack, g2)[-1])
    assert _week(stack, g1, 4).status == WeekStatus.CANCELLED
    # nobody is flagged as silent: Ben and Wei's quiet week 1 was followed by a break and a cancellation, and
    # Ana and Lena, quiet in their threads, cancelled and moved weeks (a sign of life)
    assert not [m for m in stack.sandbox.messages(admin) if "quiet" in m.get("text", "")]

    # Ana takes a break from Home: the modal refuses a past day and keeps the form; then "End my break"
    ana.open_home()
    stack.settle()
    assert "Dein nächster Impuls (Woche 5 mit Lena) kommt am Montag, 15.11.2027, um 09:00 Uhr" in _text(ana.home())
    assert ana.click(ID.RHYTHM_PAUSE).ok
    [view] = ana.open_views()
    refused = ana.submit(view["id"], {ID.RHYTHM_PAUSE_UNTIL.value: "2027-11-01"})
    assert refused.json()["errors"] == {
        ID.RHYTHM_PAUSE_UNTIL.value: "Dieser Tag ist schon vorbei. Bitte wähle heute oder einen späteren Tag."
    }
    assert ana.submit(view["id"], {ID.RHYTHM_PAUSE_UNTIL.value: "2027-11-21"}).ok
    stack.settle()
    home = _text(ana.home())
    assert "Du machst bis zum 21.11.2027 Pause" in home and "Woche 6 mit Lena" in home
    assert "Ana macht bis zum 21.11.2027 Pause" in _thread(stack, g1, w3_g1)[-1]["text"]
    assert ana.click(ID.RHYTHM_RESUME).ok
    stack.settle()
    assert "Woche 5 mit Lena" in _text(ana.home())
    assert "Ana ist aus der Pause zurück" in _thread(stack, g1, w3_g1)[-1]["text"]
