"""The trial check-in end to end: each partner is asked privately in their own daytime, a switch ends the pair at
the deadline without anyone (the database included) being able to tell who asked, and both are matched again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.blocks import trial as trial_blocks
from bot.clock import SimulatedClock
from bot.ids import ID
from bot.models import (
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
    TrialCheck,
)
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import trial
from tests.helpers import (
    OTHERS,
    PAIR,
    START,
    admin_channel,
    assert_calls_ok,
    create_program,
    dump,
    match,
    onboard,
    persona,
)

PROGRAM = "Pilot 2027"
DUE = START + timedelta(weeks=4)  # pairs start at START; the program's trial is 4 weeks: Monday 1 Feb, 08:00 UTC
# Wei (Singapore) is asked at once (16:00 there), Jörg (New York) at 09:00 his time; the question closes five
# days after the later of the two.
JORG_ASKED = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)
CLOSES = JORG_ASKED + timedelta(days=5)  # Saturday 6 Feb, 14:00 UTC
FIVE = timedelta(minutes=5)
MONDAY_AFTER = datetime(2027, 2, 8, 14, 5, tzinfo=UTC)  # both have been told how it came out


# -- helpers ------------------------------------------------------------------------------------------------


def _setup(stack: LocalStack, people: dict[str, tuple]) -> tuple[Persona, str, dict[str, Persona]]:
    """A host, the admin channel, a program with a 4-week trial, ``people`` onboarded and matched at START."""
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    personas = onboard(stack, people, PROGRAM)
    match(stack, hanna, channel)
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == PROGRAM)).one()
        assert (program.trial_weeks, program.status) == (4, ProgramStatus.ACTIVE)
        assert {p.started_at for p in s.scalars(select(Pair))} == {START}
    return hanna, channel, personas


def _run_to(stack: LocalStack, until: datetime, *, start: datetime | None = None) -> None:
    """Jump the clock to ``start`` (nothing ticks on the way), then on to ``until`` as the clock ticks."""
    if start is not None:
        stack.clock.set(start)  # type: ignore[attr-defined]
    stack.advance(until - stack.clock.now())


def _has(message: dict[str, Any], action_id: str) -> bool:
    return any(el.get("action_id") == action_id for _, el in iter_action_elements(message.get("blocks") or []))


def _questions(p: Persona) -> list[dict[str, Any]]:
    return [m for m in p.dm_messages() if _has(m, ID.TRIAL_SWITCH)]


def _sent_at(message: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(message["ts"]), UTC)


def _local(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%a %H:%M")


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _pair_ids(stack: LocalStack, status: str = PairStatus.ACTIVE) -> set[frozenset[str]]:
    with stack.session_factory() as s:
        rows = s.execute(select(Pair.participant_a_id, Pair.participant_b_id).where(Pair.status == status)).all()
        ids = dict(s.execute(select(Participant.id, Participant.slack_user_id)).tuples().all())
    return {frozenset((ids[a], ids[b])) for a, b in rows}


def _news(p: Persona) -> list[dict[str, Any]]:
    """The person's DMs telling how the trial came out."""
    words = ("ends after the trial period", "endet nach der Probezeit", "continues", "geht weiter")
    return [m for m in p.dm_messages() if any(w in m.get("text", "") for w in words)]


def _summaries(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Trial check-in")]


def _ask_both(stack: LocalStack) -> None:
    """From just before the trial ends until both partners have their question."""
    _run_to(stack, DUE + FIVE, start=DUE - FIVE)
    _run_to(stack, JORG_ASKED + FIVE, start=JORG_ASKED - FIVE)


# -- the story ----------------------------------------------------------------------------------------------
@pytest.mark.sqlite_only  # when in local time, and what both partners read: the trial's queries run on PostgreSQL
# in the other stories of this module (the database cannot tell who asked to switch, continue writes nothing)
def test_asked_in_daytime_then_a_switch_ends_the_pair_for_both_alike_and_both_are_matched_again(
    stack: LocalStack,
) -> None:
    hanna, channel, people = _setup(stack, PAIR)
    wei, jorg = people["Wei"], people["Jorg"]

    # Home shows the partner, and since when
    wei.open_home()
    jorg.open_home()
    stack.settle()
    assert "*Pilot 2027*: your tandem partner is *Jörg*, since 4 Jan 2027" in _text(wei.home())
    assert "*Pilot 2027*: Du bist seit 4.1.2027 im Tandem mit *Wei*" in _text(jorg.home())

    # the trial ends Monday 08:00 UTC: 16:00 in Singapore (asked at once), 03:00 in New York (asked at 09:00)
    _run_to(stack, DUE - FIVE, start=DUE - timedelta(minutes=30))
    assert _questions(wei) == [] and _questions(jorg) == []
    _run_to(stack, DUE + FIVE)
    [asked_wei] = _questions(wei)
    assert _local(_sent_at(asked_wei), "Asia/Singapore") == "Mon 16:00"
    assert _questions(jorg) == []
    _run_to(stack, JORG_ASKED - FIVE, start=JORG_ASKED - timedelta(minutes=30))
    assert _questions(jorg) == []  # still night in New York
    _run_to(stack, JORG_ASKED + FIVE)
    [asked_jorg] = _questions(jorg)
    assert _local(_sent_at(asked_jorg), "America/New_York") == "Mon 09:00"

    # each in their own language, about the other, with the deadline on their own clock
    text_wei, text_jorg = _text(asked_wei), _text(asked_jorg)
    assert "Your trial period with *Jörg* in *Pilot 2027* is over. Continue or switch?" in text_wei
    assert (
        "Tandem tells nobody what you chose, and stores only that someone in your tandem asked to switch, never who."
        in text_wei
    )
    assert "If nobody answers, you continue." in text_wei
    assert "Please answer by Saturday 6 Feb 2027, 22:00 (your time)." in text_wei
    assert "Die Probezeit mit *Wei* in *Pilot 2027* ist vorbei." in text_jorg
    assert "Bitte antworte bis Samstag, 6.2.2027, 09:00 Uhr (deine Ortszeit)." in text_jorg
    with stack.session_factory() as s:
        check = s.scalars(select(TrialCheck)).one()
        assert (check.asked_at, check.closes_at, check.switch_requested) == (DUE, CLOSES, False)

    # Wei switches: the question turns into a private thank-you, and nothing else happens yet
    assert wei.click(ID.TRIAL_SWITCH, message=asked_wei).ok
    replaced = stack.sandbox.find_message(asked_wei["ts"], asked_wei["channel"])
    assert not _has(replaced, ID.TRIAL_SWITCH) and not _has(replaced, ID.TRIAL_CONTINUE)
    assert "Thanks, noted: you'd like to switch." in replaced["text"]
    assert "Tandem tells nobody that the wish came from you" in replaced["text"]
    assert "if Jörg chose to continue, though, they can work out that it was you" in replaced["text"]  # the truth
    with stack.session_factory() as s:
        assert s.scalars(select(TrialCheck)).one().switch_requested is True
    assert len(_pair_ids(stack)) == 1

    # at the deadline the pair ends; both wait first in line; the hosts get counts and nothing else
    _run_to(stack, CLOSES - FIVE, start=CLOSES - timedelta(minutes=30))
    assert len(_pair_ids(stack)) == 1
    _run_to(stack, CLOSES + FIVE)
    assert _pair_ids(stack) == set() and _pair_ids(stack, PairStatus.ENDED) == {frozenset((wei.id, jorg.id))}
    with stack.session_factory() as s:
        pair = s.scalars(select(Pair)).one()
        assert (pair.ended_at, pair.end_reason) == (CLOSES, "switch")
        check = s.scalars(select(TrialCheck)).one()
        assert (check.outcome, check.resolved_at) == ("switch", CLOSES)
        waitlisted = dict(s.execute(select(Participant.slack_user_id, Participant.waitlisted_at)).tuples().all())
        assert waitlisted[wei.id] == waitlisted[jorg.id] == CLOSES
        program_id = s.scalars(select(Program.id).where(Program.name == PROGRAM)).one()
    [summary] = _summaries(stack, channel)
    assert summary["blocks"][0]["text"]["text"] == (
        "Trial check-in for *Pilot 2027*: 0 pairs continue, 1 pair switches; 2 people are back in the pool, "
        "first in line for the next matching round."
    )
    [run] = [el for _, el in iter_action_elements(summary["blocks"])]
    assert (run["action_id"], run["value"]) == (ID.MATCH_RUN, str(program_id))
    shown = json.dumps(summary, ensure_ascii=False)
    assert not any(x in shown for x in ("Wei", "Jörg", "Jorg", wei.id, jorg.id))

    # the news reaches each of them at 09:00 on their next workday (the deadline fell on a Saturday), alike
    monday_singapore = datetime(2027, 2, 8, 1, 0, tzinfo=UTC)
    monday_new_york = datetime(2027, 2, 8, 14, 0, tzinfo=UTC)
    _run_to(stack, monday_singapore - FIVE, start=monday_singapore - timedelta(minutes=30))
    assert _news(wei) == _news(jorg) == []
    _run_to(stack, monday_singapore + FIVE)
    [ended_wei] = _news(wei)
    assert _local(_sent_at(ended_wei), "Asia/Singapore") == "Mon 09:00"
    _run_to(stack, monday_new_york - FIVE, start=monday_new_york - timedelta(minutes=30))
    assert _news(jorg) == []
    _run_to(stack, monday_new_york + FIVE)
    [ended_jorg] = _news(jorg)
    assert _local(_sent_at(ended_jorg), "America/New_York") == "Mon 09:00"
    # the one who asked and the one who did not get the very same message, with the other's name
    for message, locale, partner in ((ended_wei, "en", "Jörg"), (ended_jorg, "de", "Wei")):
        expected = trial_blocks.ended(locale, partner=partner, program=PROGRAM)
        assert (message["text"], message["blocks"][0]["text"]) == (expected["text"], expected["blocks"][0]["text"])
    assert "it says nothing about either of you" in ended_wei["blocks"][0]["text"]["text"]
    assert "sagt nichts über euch beide aus" in ended_jorg["blocks"][0]["text"]["text"]

    # Home: no partner any more, only that they come first next round; no word of ending or switching
    wei.open_home()
    jorg.open_home()
    stack.settle()
    home_wei, home_jorg = _text(wei.home()), _text(jorg.home())
    assert "*Pilot 2027*: you're first in line for a partner in the next matching round." in home_wei
    assert "*Pilot 2027*: In der nächsten Matching-Runde hast du Vorrang für ein Tandem." in home_jorg
    assert "*Jörg*" not in home_wei and "*Wei*" not in home_jorg
    for word in ("ended", "switch", "fail", "beendet", "gewechselt", "gescheitert"):
        assert word not in home_wei.casefold() and word not in home_jorg.casefold()

    # the next round pairs both with someone new, never with each other again
    others = onboard(stack, OTHERS, PROGRAM)
    match(stack, hanna, channel)
    assert _pair_ids(stack) == {
        frozenset((wei.id, others["Priya"].id)),
        frozenset((jorg.id, others["Ana"].id)),
    }
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).where(Participant.waitlisted_at.is_not(None))) == 0
    wei.open_home()
    stack.settle()
    assert "your tandem partner is *Priya*" in _text(wei.home())


# -- the database cannot tell who asked ---------------------------------------------------------------------
@pytest.fixture
def fresh_database(database_url: str, scratch: Any) -> Callable[[], str]:
    """A new, migrated database on the backend under test (so two runs have the same ids)."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"

    return lambda: scratch.migrated(backend)


def _switch_by(url: str, clicker: str) -> dict[str, Any]:
    """The whole story on a fresh database and a fresh Slack, with ``clicker`` asking to switch."""
    stack = LocalStack(url, clock=SimulatedClock(START), migrate=False).start()
    try:
        _, channel, people = _setup(stack, PAIR)
        _ask_both(stack)
        before = dump(stack.engine)
        [question] = _questions(people[clicker])
        assert people[clicker].click(ID.TRIAL_SWITCH, message=question).ok
        after_click = dump(stack.engine)
        _run_to(stack, CLOSES + FIVE, start=CLOSES - FIVE)
        _run_to(stack, MONDAY_AFTER, start=MONDAY_AFTER - timedelta(hours=14))
        seen = {
            "admin": [(m["text"], m.get("blocks"), m["ts"]) for m in stack.sandbox.messages(channel)],
            # what each partner got after the click (the clicker's thank-you replaced their question, for them alone)
            **{name: [(m["text"], m.get("blocks"), m["ts"]) for m in _news(p)] for name, p in people.items()},
        }
        assert all(len(news) == 1 for news in seen.values() if news is not seen["admin"])
        result = {"before": before, "after_click": after_click, "resolved": dump(stack.engine), "seen": seen}
        assert_calls_ok(stack)
        return result
    finally:
        stack.stop()


def test_the_database_cannot_tell_which_partner_asked_to_switch(fresh_database: Callable[[], str]) -> None:
    by_wei = _switch_by(fresh_database(), "Wei")
    by_jorg = _switch_by(fresh_database(), "Jorg")

    assert by_wei["after_click"] == by_jorg["after_click"]
    assert by_wei["resolved"] == by_jorg["resolved"]
    assert by_wei["seen"] == by_jorg["seen"]

    # the click's only trace is the check's one flag (the dump does see a click), and the check has no column
    # that could name a person
    before, after = by_wei["before"], by_wei["after_click"]
    assert {name for name in before if before[name] != after[name]} == {"trial_check"}
    [row_before], [row_after] = before["trial_check"], after["trial_check"]
    assert {k for k in row_before if row_before[k] != row_after[k]} == {"switch_requested"}
    assert row_after["switch_requested"]
    assert set(row_after) == {
        "pair_id",
        "program_id",
        "asked_at",
        "closes_at",
        "switch_requested",
        "resolved_at",
        "outcome",
        "reported_at",
    }
    [pair] = by_wei["resolved"]["pair"]
    assert (pair["status"], pair["end_reason"]) == ("ended", "switch")


# -- continue, silence, outsiders, late clicks, repeated ticks ----------------------------------------------
def test_continue_by_both_writes_nothing_and_silence_also_continues(stack: LocalStack) -> None:
    _, channel, people = _setup(stack, {**PAIR, **OTHERS})
    assert _pair_ids(stack) == {
        frozenset((people["Wei"].id, people["Jorg"].id)),
        frozenset((people["Ana"].id, people["Priya"].id)),
    }
    _ask_both(stack)
    assert all(len(_questions(p)) == 1 for p in people.values())

    before = dump(stack.engine)
    thanks = {}
    for name in ("Wei", "Jorg"):
        [question] = _questions(people[name])
        assert people[name].click(ID.TRIAL_CONTINUE, message=question).ok
        replaced = stack.sandbox.find_message(question["ts"], question["channel"])
        assert not _has(replaced, ID.TRIAL_CONTINUE) and not _has(replaced, ID.TRIAL_SWITCH)
        thanks[name] = replaced["text"]
    assert dump(stack.engine) == before  # a continue leaves no trace at all
    assert thanks["Wei"].startswith("Thanks, noted. Your answer is private: Tandem tells nobody what you chose")
    assert "Saturday 6 Feb 2027, 22:00" in thanks["Wei"]
    assert thanks["Jorg"].startswith("Danke, ist notiert. Deine Antwort ist privat")

    # Ana and Priya (asked at 08:00 UTC) close first, Wei and Jörg at 14:00: the hosts get one summary, once the
    # last question of the program has closed
    _run_to(stack, CLOSES + FIVE, start=DUE + timedelta(days=5) - FIVE)
    assert len(_pair_ids(stack)) == 2
    with stack.session_factory() as s:
        assert {(c.outcome, c.switch_requested) for c in s.scalars(select(TrialCheck))} == {("continue", False)}
        assert s.scalar(select(func.count()).where(Participant.waitlisted_at.is_not(None))) == 0
    summaries = [m["blocks"] for m in _summaries(stack, channel)]
    assert [b[0]["text"]["text"] for b in summaries] == [
        "Trial check-in for *Pilot 2027*: 2 pairs continue, 0 pairs switch."
    ]
    assert all(len(b) == 1 for b in summaries)  # nobody waits: no matching button
    _run_to(stack, MONDAY_AFTER, start=MONDAY_AFTER - timedelta(hours=15))
    assert all(len(_news(p)) == 1 for p in people.values())
    assert "your tandem with *Jörg* in *Pilot 2027* continues" in _text(_news(people["Wei"])[0])
    assert "Das Tandem mit *Priya* in *Pilot 2027* geht weiter" in _text(_news(people["Ana"])[0])


def test_outsiders_wrong_values_and_late_clicks_change_nothing(stack: LocalStack) -> None:
    hanna, _, people = _setup(stack, PAIR)
    wei, jorg = people["Wei"], people["Jorg"]
    mallory = persona(stack, "Mallory", locale="de-DE")  # Tandem has never met her
    _ask_both(stack)
    [question] = _questions(wei)
    before = dump(stack.engine)

    for outsider in (hanna, mallory):  # the host (a known participant) and someone Tandem never met
        assert outsider.click(ID.TRIAL_SWITCH, message=question).ok
        assert outsider.click(ID.TRIAL_CONTINUE, message=question).ok
    assert [m["text"] for m in hanna.ephemeral_messages()][-2:] == [
        "This question isn't yours, so I changed nothing."
    ] * 2
    assert [m["text"] for m in mallory.ephemeral_messages()][-2:] == [
        "Diese Frage ist nicht an dich gerichtet, deshalb habe ich nichts geändert."
    ] * 2
    for value in ("999999", "abc", ""):
        assert wei.click(ID.TRIAL_SWITCH, message=question, value=value).ok
    assert [m["text"] for m in wei.ephemeral_messages()][-3:] == [
        "This question isn't yours, so I changed nothing."
    ] * 3
    assert _questions(wei) == [question]  # still open, untouched
    assert dump(stack.engine) == before
    with stack.session_factory() as s:
        assert (
            s.scalar(select(func.count()).select_from(Participant).where(Participant.slack_user_id == mallory.id)) == 0
        )

    # the deadline has passed but the clock has not ticked yet: a switch now is too late
    stack.clock.set(CLOSES + timedelta(seconds=30))  # type: ignore[attr-defined]
    [late] = _questions(jorg)
    assert jorg.click(ID.TRIAL_SWITCH, message=late).ok
    assert stack.sandbox.find_message(late["ts"], late["channel"])["text"] == (
        "Diese Frage ist bereits geschlossen, deshalb habe ich nichts geändert."
    )
    assert dump(stack.engine) == before
    stack.settle()
    with stack.session_factory() as s:
        check = s.scalars(select(TrialCheck)).one()
        assert (check.outcome, check.switch_requested) == ("continue", False)
    assert len(_pair_ids(stack)) == 1
    # and after it was settled
    assert wei.click(ID.TRIAL_SWITCH, message=question).ok
    assert stack.sandbox.find_message(question["ts"], question["channel"])["text"] == (
        "This question has closed, so I changed nothing."
    )
    with stack.session_factory() as s:
        assert s.scalars(select(TrialCheck)).one().switch_requested is False


def test_a_switch_before_the_partner_has_the_question_is_not_taken(stack: LocalStack) -> None:
    """Wei (Singapore) has his question hours before Jörg (New York) has his. A switch then would set the check's
    flag while only Wei could have pressed it: anyone reading the database at that moment (or its WAL later) would
    know who asked. So it is not taken, and Wei is told when to press again; nothing is written."""
    _, _, people = _setup(stack, PAIR)
    wei, jorg = people["Wei"], people["Jorg"]
    _run_to(stack, DUE + FIVE, start=DUE - FIVE)
    [question] = _questions(wei)
    assert _questions(jorg) == []
    before = dump(stack.engine)
    assert wei.click(ID.TRIAL_SWITCH, message=question).ok
    told = wei.ephemeral_messages()[-1]["text"]
    assert "Not taken yet" in told and "at their working time, Monday 1 Feb 2027, 22:00" in told  # 14:00 UTC
    assert _has(stack.sandbox.find_message(question["ts"], question["channel"]), ID.TRIAL_SWITCH)  # still open
    assert dump(stack.engine) == before
    # had Slack refused Jörg's question for good, a private switch could never be: Wei is pointed to the hosts
    with stack.session_factory() as s:
        ask = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("trial:%:ask:%"))).all()
        [jorgs] = [m for m in ask if m.status == OutboxStatus.PENDING]
        jorgs.status = OutboxStatus.PARKED
        s.commit()
        assert wei.click(ID.TRIAL_SWITCH, message=question).ok
        assert (
            "could not deliver" in wei.ephemeral_messages()[-1]["text"]
            and "help-me" in told + wei.ephemeral_messages()[-1]["text"]
        )
        jorgs.status = OutboxStatus.PENDING
        s.commit()
    # once both have it, the same click counts
    _run_to(stack, JORG_ASKED + FIVE, start=JORG_ASKED - FIVE)
    assert len(_questions(jorg)) == 1
    assert wei.click(ID.TRIAL_SWITCH, message=question).ok
    assert "you'd like to switch" in _text(stack.sandbox.find_message(question["ts"], question["channel"]))
    with stack.session_factory() as s:
        assert s.scalars(select(TrialCheck)).one().switch_requested is True


def test_a_second_tick_in_the_same_minute_does_nothing_and_only_active_programs_with_a_trial_ask(
    stack: LocalStack,
) -> None:
    _setup(stack, PAIR)

    def counts() -> tuple[int, int]:
        with stack.session_factory() as s:
            return (
                s.scalar(select(func.count()).select_from(TrialCheck)) or 0,
                s.scalar(select(func.count()).where(OutboxMessage.dedupe_key.like("trial%"))) or 0,
            )

    def set_program(**values: Any) -> None:
        with stack.session_factory() as s:
            program = s.scalars(select(Program).where(Program.name == PROGRAM)).one()
            for key, value in values.items():
                setattr(program, key, value)
            s.commit()

    def tick_at(when: datetime) -> int | None:
        """What the trial job did in a tick at ``when`` (None: the tick found its minute already handled)."""
        stack.clock.set(when)  # type: ignore[attr-defined]
        summary = stack.tick()
        return None if summary is None else summary["trial.check_in"]

    # no trial, or a paused program: nobody is asked
    set_program(trial_weeks=0)
    assert tick_at(DUE) == 0
    set_program(trial_weeks=4, status=ProgramStatus.PAUSED)
    assert tick_at(DUE + timedelta(minutes=1)) == 0
    assert counts() == (0, 0)

    set_program(status=ProgramStatus.ACTIVE)
    assert tick_at(DUE + timedelta(minutes=2, seconds=10)) == 1
    assert tick_at(DUE + timedelta(minutes=2, seconds=40)) is None  # the same minute again
    with stack.session_factory() as s:  # the job itself, run again past the tick's guard
        assert trial.due(s, stack.clock.now()) == 0
        s.commit()
    assert counts() == (1, 2)

    assert tick_at(CLOSES) == 1
    assert tick_at(CLOSES + timedelta(seconds=59)) is None
    with stack.session_factory() as s:
        assert trial.due(s, CLOSES) == 0
        s.commit()
    assert counts() == (1, 2 + 2 + 1)  # two questions, two "it continues", one summary for the hosts
    with stack.session_factory() as s:
        assert s.scalars(select(TrialCheck)).one().resolved_at == CLOSES
