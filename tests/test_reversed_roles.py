"""Guardrails for the reversed roles and the pair's say in its weeks (issue 20, sections 1 and 4): counts by side held
to the threshold (pure), the method card's rotation after a chosen card (pure), the preparation's moment in each
person's own working time (pure); on the database: the weekly release splits people's cells by side only when every
group is big enough, and counts accepted goals only; end to end: the preparation DM the evening before, what was
written in the week's prompt, a chosen method card, and nobody on a break asked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain import impact as impact_rules
from bot.domain import release as rules
from bot.domain import rhythm
from bot.domain.release import Cell, Contribution
from bot.domain.worktime import WorkingTime
from bot.ids import ID
from bot.models import (
    Cancellation,
    Goal,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
    ReleaseCell,
    WeekPrep,
    Workspace,
)
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.stack import LocalStack
from bot.services import release
from tests.helpers import admin_channel, check_next_due, create_program, match, onboard, pair_group_dm, persona


# -- pure ----------------------------------------------------------------------------------------------------------
def test_someone_who_brings_both_takes_the_side_their_partner_leaves_open() -> None:
    assert rules.side_in_pair("both", "digital") == "context" and rules.side_in_pair("both", "context") == "digital"
    assert rules.side_in_pair("digital", "both") == "digital" and rules.side_in_pair("both", "both") is None
    assert rules.side_in_pair(None, "digital") == "context" and rules.side_in_pair(None, None) is None


def test_a_cell_is_split_by_side_only_when_each_side_and_the_rest_are_k_strong() -> None:
    sides = {1: "digital", 2: "digital", 3: "digital", 4: "context", 5: "context", 6: "context", 7: "both"}
    items = [Contribution(p, float(p % 2)) for p in range(1, 7)]
    split = rules.by_side(items, sides, k=3)
    assert split == {"digital_n": 3.0, "digital_sum": 2.0, "context_n": 3.0, "context_sum": 1.0}
    # one person bringing both: the total minus the two sides would be theirs alone
    assert rules.by_side([*items, Contribution(7, 1.0)], sides, k=3) == {}
    # two people on a side: below the threshold (never below K_MIN, whatever the program says)
    assert rules.by_side(items[:5], sides, k=3) == {}
    assert rules.by_side(items[:5], sides, k=1) == {}
    # a person's two prompts count as two contributions of one contributor
    twice = [*items, Contribution(1, 0.0)]
    assert rules.by_side(twice, sides, k=3)["digital_n"] == 4.0


def test_side_counts_come_from_released_cells_only() -> None:
    day = date(2027, 1, 11)
    cells = [
        Cell(rules.PROMPTS, day, 6, 3.0, 6.0, {"digital_n": 3, "digital_sum": 2, "context_n": 3, "context_sum": 1}),
        Cell(rules.PROMPTS, day + timedelta(days=7), 7, 4.0, 7.0, {}),  # not split: counts in no side
        Cell(rules.LATE, day, 6, 3.0, 6.0, {"digital_n": 3, "digital_sum": 0, "context_n": 3, "context_sum": 3}),
        Cell(rules.RETROS, day, 3, 3.0, 3.0, {"talk_2": 1, "talk_4": 3, "talk_5": 2}),
    ]
    found = impact_rules.side_counts(cells)
    assert found.silent == {"digital": (1, 3), "context": (2, 3)}
    assert found.late == {"digital": (0, 3), "context": (3, 3)}
    assert found.talk == (0, 1, 0, 3, 2)
    assert impact_rules.side_counts([]) == impact_rules.SideCounts()


def test_the_rotation_goes_on_from_a_chosen_card() -> None:
    cards = rhythm.METHOD_CARDS
    # no choice: the plain rotation, whatever weeks were skipped
    assert [rhythm.next_card(n, previous=(n - 1, rhythm.method_card(n - 1))) for n in range(2, 10)] == [
        rhythm.method_card(n) for n in range(2, 10)
    ]
    assert rhythm.next_card(5, previous=(2, rhythm.method_card(2))) == rhythm.method_card(5)
    # week 2 chose the tool swap (the last card): week 3 starts the deck again, week 4 after a skipped week one further
    assert rhythm.next_card(3, previous=(2, "tool_swap")) == cards[0]
    assert rhythm.next_card(4, previous=(2, "tool_swap")) == cards[1]
    assert rhythm.next_card(1) == cards[0] and rhythm.next_card(3, previous=(2, "gone")) == rhythm.method_card(3)


def test_the_preparation_comes_at_the_end_of_the_last_working_day_before() -> None:
    berlin = WorkingTime(tz="Europe/Berlin", country="DE", region="BE")
    monday = datetime(2027, 3, 29, 7, tzinfo=UTC)  # Easter Monday, 09:00 in Berlin (summer time)
    # Good Friday is a holiday in Berlin: Thursday 25 March, 17:30 in Berlin (winter time: 16:30 UTC)
    assert rhythm.prep_at(monday, berlin) == datetime(2027, 3, 25, 16, 30, tzinfo=UTC)
    weekend = WorkingTime(tz="Asia/Singapore", days=frozenset({5, 6}))  # works Saturday and Sunday only
    assert rhythm.prep_at(monday, weekend) == datetime(2027, 3, 28, 9, 30, tzinfo=UTC)  # Sunday 17:30 in Singapore
    assert rhythm.prep_at(monday, WorkingTime(days=frozenset())) is None


def test_hosts_read_the_counts_by_role_in_the_dashboard_and_the_playbook() -> None:
    from types import SimpleNamespace

    from bot.blocks import admin as admin_blocks
    from bot.blocks import impact as impact_blocks
    from bot.domain.programs import OnboardingCounts

    counts = impact_rules.SideCounts(
        silent={"digital": (4, 20), "context": (9, 20)}, late={"digital": (1, 10), "context": (5, 10)}
    )
    text = impact_blocks.sides_text("en", counts, threshold=5)
    assert "digital side 4 of 20 · context side 9 of 20" in text and "digital side 1 · context side 5" in text
    assert "Talk share in the retros: not enough reports yet" in text
    german = impact_blocks.sides_text("de", impact_rules.SideCounts(talk=(0, 1, 2, 5, 3)), threshold=5)
    assert "Stille Wochen nach Rolle: noch nicht genug Rückmeldungen" in german and "1: 0 · 2: 1 · 3: 2" in german
    program = SimpleNamespace(name="Pilot", status="active")
    week = dict(
        program=program, counts=OnboardingCounts(), welcome=(), welcome_more=0, waiting=0, silent=0, escalations=0,
        retros_open=0,
    )  # fmt: skip
    shown = json.dumps(admin_blocks.playbook("en", [SimpleNamespace(**week, sides=counts)]), ensure_ascii=False)
    assert "silent weeks digital side 4 · context side 9; short-notice cancellations digital side 1" in shown
    calm = json.dumps(admin_blocks.playbook("en", [SimpleNamespace(**week, sides=impact_rules.SideCounts())]))
    assert "By role" not in calm


# -- the weekly release on the database ------------------------------------------------------------------------------
T0 = datetime(2027, 1, 4, 7, tzinfo=UTC)  # Monday 4 January 2027, 08:00 in Berlin


def test_the_release_splits_late_cancellations_by_side_and_counts_accepted_goals_only(session_factory) -> None:
    with session_factory() as s:
        ws = Workspace(team_id="T0ROLES", created_at=T0)
        s.add(ws)
        s.flush()
        program = Program(
            workspace_id=ws.id,
            name="Roles",
            status=ProgramStatus.ACTIVE,
            start_date=T0.date(),
            duration_weeks=6,
            prompt_weekday=0,
            timezone="Europe/Berlin",
            poll_threshold=3,
            created_at=T0,
            updated_at=T0,
        )
        s.add(program)
        s.flush()
        people = []
        for n, role in enumerate(["digital"] * 3 + ["context"] * 3):
            p = Participant(
                workspace_id=ws.id, slack_user_id=f"U0ROLE{n}", display_name=f"P{n}", tz="Europe/Berlin",
                locale="en", role=role, created_at=T0, updated_at=T0,
            )  # fmt: skip
            s.add(p)
            people.append(p)
        s.flush()
        pairs = [
            Pair(
                program_id=program.id,
                participant_a_id=people[i].id,
                participant_b_id=people[i + 3].id,
                status=PairStatus.ACTIVE,
                started_at=T0,
            )
            for i in range(3)
        ]
        s.add_all(pairs)
        s.flush()
        at = T0 + timedelta(days=2)
        for who, pair in ((people[3], pairs[0]), (people[3], pairs[0]), (people[1], pairs[1])):
            s.add(Cancellation(pair_id=pair.id, participant_id=who.id, week_number=1, late=True, created_at=at))
        s.add(Cancellation(pair_id=pairs[2].id, participant_id=people[2].id, week_number=1, late=False, created_at=at))
        for n, accepted in enumerate((at, None, at)):  # the second is only proposed
            s.add(Goal(pair_id=pairs[n].id, text=f"G{n}", accepted_at=accepted, created_at=at, updated_at=at))
        s.flush()
        first = release.release(s, program, now=T0 + timedelta(days=7, hours=1))
        found = {c.series: c for c in first}
        late, goals = found[rules.LATE], found[rules.GOALS]
        assert (late.num, late.den, late.contributors) == (3.0, 6.0, 6)
        stored = s.scalars(select(ReleaseCell).where(ReleaseCell.series == rules.LATE)).one()
        assert stored.data == {"digital_n": 3.0, "digital_sum": 1.0, "context_n": 3.0, "context_sum": 2.0}
        assert goals.num == 2.0  # the proposed goal does not count
        # the partner accepts it later: it counts then, in the week it was accepted
        s.scalars(select(Goal).where(Goal.text == "G1")).one().accepted_at = T0 + timedelta(days=9)
        # someone who brings both joins, paired with someone who brings both: the rest would be them two alone
        both = Participant(
            workspace_id=ws.id, slack_user_id="U0ROLE9", display_name="P9", tz="Europe/Berlin", locale="en",
            role="both", created_at=T0, updated_at=T0,
        )  # fmt: skip
        s.add(both)
        s.flush()
        pairs[2].participant_b_id = both.id
        s.get(Participant, pairs[2].participant_a_id).role = "both"
        second = {c.series: c for c in release.release(s, program, now=T0 + timedelta(days=14, hours=1))}
        assert second[rules.GOALS].num == 1.0
        assert "digital_n" not in dict(
            s.scalars(select(ReleaseCell).where(ReleaseCell.series == rules.LATE).order_by(ReleaseCell.id.desc()))
            .first()
            .data
        )
        counts = impact_rules.side_counts(release.of(s, program))
        assert counts.late == {"digital": (1, 3), "context": (2, 3)}
        s.rollback()


# -- end to end ------------------------------------------------------------------------------------------------------
PAIR = {
    "Ben": ("context", "en-GB", "Europe/Berlin", "Ben", "Legal", ["governance"], ["podcasts"], ["growth"]),
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Wei", "Content", ["podcasts"], ["governance"], ["growth"]),
}


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _with(messages: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [m for m in messages if any(e.get("action_id") == action_id for _, e in iter_action_elements(m["blocks"]))]


# The preparation's queries run on PostgreSQL too, with every tick of test_e2e_rhythm's and test_authz's worlds.
@pytest.mark.sqlite_only
def test_preparation_the_evening_before_in_the_prompt_and_a_chosen_method_card(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(
        stack, hanna, channel, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "4",
                                  ID.PROGRAM_TRIAL.value: "0"}
    )  # fmt: skip
    people = onboard(stack, PAIR, "Pilot 2027")
    match(stack, hanna, channel)
    ben, wei = people["Ben"], people["Wei"]
    group = pair_group_dm(stack, ben, wei)
    # week 1 is Monday 11 January: planned at the next tick, the preparation comes on Friday 8th at 17:30 on each
    # one's clock
    stack.advance(timedelta(minutes=2))
    assert check_next_due(stack, "rhythm.prep", until=datetime(2027, 1, 9, tzinfo=UTC), every=timedelta(hours=6)) == (
        datetime(2027, 1, 8, 9, 30, tzinfo=UTC)  # 17:30 in Singapore
    )
    stack.clock.set(datetime(2027, 1, 8, 9, 25, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=10))
    [asked_wei] = _with(wei.dm_messages(), ID.PREP_OPEN)
    assert "Week 1 with *Ben* (Pilot 2027) begins on Monday 11 Jan 2027" in _text(asked_wei)
    assert _with(ben.dm_messages(), ID.PREP_OPEN) == []  # 10:25 in Berlin: not yet
    stack.advance(timedelta(hours=7, minutes=10))  # 17:40 in Berlin
    [asked_ben] = _with(ben.dm_messages(), ID.PREP_OPEN)
    stack.advance(timedelta(hours=2))  # a second evening tick asks nobody twice
    assert len(_with(ben.dm_messages(), ID.PREP_OPEN)) == 1 and len(_with(wei.dm_messages(), ID.PREP_OPEN)) == 1

    # Ben fills it in; Wei may not open Ben's; an empty form changes nothing
    assert wei.click(ID.PREP_OPEN, message=asked_wei, value=str(_prep_id(asked_ben))).ok
    assert wei.open_views() == []
    assert ben.click(ID.PREP_OPEN, message=asked_ben).ok
    view = ben.open_views()[-1]
    empty = ben.submit(view["id"], {})
    assert empty.json()["errors"] == {ID.PREP_BRING: "Please write at least one of the two."}
    assert ben.submit(
        view["id"], {ID.PREP_BRING.value: "Our <!channel> rules", ID.PREP_NEED.value: "Your podcast set-up"}
    ).ok

    # the week opens (09:00 in Singapore): the prompt carries Ben's preparation, escaped
    stack.clock.set(datetime(2027, 1, 11, 0, 55, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=10))
    [prompt] = _with(stack.sandbox.messages(group), ID.RHYTHM_ANSWER)
    shown = _text(prompt)
    assert "*Ben* prepared this week" in shown and "*What I bring:* Our &lt;!channel&gt; rules" in shown
    assert "What I need from you:* Your podcast set-up" in shown and "Method of the week: Storytelling" in shown

    # Wei chooses this week's method: posted in the thread; week 2 goes on from it
    assert wei.click(ID.RHYTHM_CARD, message=prompt).ok
    card_view = wei.open_views()[-1]
    assert wei.submit(card_view["id"], {ID.RHYTHM_CARD_PICK.value: "stakeholder_map"}).ok
    stack.settle()
    [chosen] = [m for m in stack.sandbox.messages(group, thread_ts=prompt["ts"]) if "chose the method" in m["text"]]
    assert "*Wei* chose the method for week 1: *Stakeholder map*" in _text(chosen)
    # Ben takes a break over week 2's day: nobody of the pair is asked to prepare it
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == ben.id)).one()
        me.paused_until = date(2027, 1, 18)
        s.commit()
    stack.clock.set(datetime(2027, 1, 15, 8, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(hours=12))
    with stack.session_factory() as s:
        asked = select(WeekPrep.due_at).where(WeekPrep.week_number == 2, WeekPrep.asked_at.is_not(None))
        assert s.scalars(asked).all() == []
        assert s.scalars(select(WeekPrep.due_at).where(WeekPrep.week_number == 2)).all() == [None, None]  # never
        me = s.scalars(select(Participant).where(Participant.slack_user_id == ben.id)).one()
        me.paused_until = None
        s.commit()
    stack.clock.set(datetime(2027, 1, 25, 0, 55, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=10))
    week3 = _with(stack.sandbox.messages(group), ID.RHYTHM_ANSWER)[-1]
    assert "Week 3" in _text(week3) and "Method of the week: Storytelling" in _text(week3)  # two on from the map


def _prep_id(message: dict[str, Any]) -> int:
    [button] = [e for _, e in iter_action_elements(message["blocks"]) if e.get("action_id") == ID.PREP_OPEN]
    return int(button["value"])


# -- the migration -------------------------------------------------------------------------------------------------
def test_goals_set_before_the_migration_stay_accepted(scratch) -> None:
    from sqlalchemy import text

    from bot.db import make_engine, make_session_factory, upgrade
    from tests.conftest import backends

    for backend in backends():
        url = scratch.new(backend)
        upgrade(url, "0030-1")  # the revision before this one, whatever its number
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as s:  # these tables are the same then and now
                ws = Workspace(team_id="T0MIG", created_at=T0)
                s.add(ws)
                s.flush()
                program = Program(workspace_id=ws.id, name="Old", created_at=T0, updated_at=T0)
                s.add(program)
                s.flush()
                a, b = (
                    Participant(workspace_id=ws.id, slack_user_id=u, tz="UTC", created_at=T0, updated_at=T0)
                    for u in ("U0MIGA", "U0MIGB")
                )
                s.add_all([a, b])
                s.flush()
                pair = Pair(program_id=program.id, participant_a_id=a.id, participant_b_id=b.id, started_at=T0)
                s.add(pair)
                s.commit()
                pair_id = pair.id
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO goal (pair_id, position, text, progress, created_at, updated_at)"
                        " VALUES (:p, 0, 'Old goal', 50, '2027-01-05 10:00:00', '2027-01-05 10:00:00')"
                    ),
                    {"p": pair_id},
                )
            upgrade(url)
            with make_session_factory(engine)() as s:
                goal = s.scalars(select(Goal)).one()
                assert goal.accepted_at == goal.created_at == datetime(2027, 1, 5, 10, tzinfo=UTC)
        finally:
            engine.dispose()
