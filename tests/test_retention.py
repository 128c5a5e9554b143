"""Retention: when a program ends and when its data is due (pure), the program modal's field, and the clock
deleting a realistic program's free text and participant links ``retention_months`` after its end: every table is
read afterwards, the KPI snapshot stays, a program still within its retention is untouched, and the hosts got a
heads-up a week before and one count-only message after."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.blocks import cohorts as cohort_blocks
from bot.crypto import keyring
from bot.db import reflected
from bot.domain import retention as rules
from bot.domain.polls import Pulse
from bot.ids import ID
from bot.models import (
    Agreement,
    AgreementVersion,
    Cancellation,
    Enrollment,
    EnrollmentStatus,
    Escalation,
    Goal,
    InviteBatch,
    KpiSnapshot,
    LearningCard,
    MatchRound,
    Metric,
    MetricValue,
    Note,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    PollBallot,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    ReportingLine,
    Retro,
    RetroAnswer,
    SpeedIntro,
    SpeedRound,
    TrialCheck,
    WeekAnswer,
)
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import impact, outbox, retention
from bot.services.polls import seal_ballot
from tests.helpers import (
    PROGRAM_VALUES,
    SWITCH_ZONES,
    admin_channel,
    check_first,
    group_dm_of,
    match,
    moments,
    onboard,
    persona,
    reply_in_thread,
)

BERLIN = "Europe/Berlin"


# -- the domain ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # from a leap day to a year without one
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),  # over the year's end
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 5, 10), 60, date(2032, 5, 10)),
    ],
)
def test_calendar_months_end_on_the_months_last_day_when_shorter(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected


def test_a_program_ends_when_it_ran_out_or_when_a_host_closed_it_whichever_came_first() -> None:
    start = date(2027, 1, 4)
    ran_out = rules.end_day(start_date=start, duration_weeks=12, closed_at=None)
    assert ran_out == date(2027, 3, 29)  # the first day after its twelfth week
    closed_early = datetime(2027, 2, 10, 22, 30, tzinfo=UTC)  # 23:30 in Berlin: still 10 February there
    assert rules.end_day(start_date=start, duration_weeks=12, closed_at=closed_early, tz=BERLIN) == date(2027, 2, 11)
    closed_late = datetime(2027, 6, 1, 12, tzinfo=UTC)  # closed long after it ran out: it ended when it ran out
    assert rules.end_day(start_date=start, duration_weeks=12, closed_at=closed_late, tz=BERLIN) == ran_out
    # 23:30 UTC on 10 February is already 11 February in Berlin
    late_utc = datetime(2027, 2, 10, 23, 30, tzinfo=UTC)
    assert rules.end_day(start_date=None, duration_weeks=12, closed_at=late_utc, tz=BERLIN) == date(2027, 2, 12)
    assert rules.end_day(start_date=None, duration_weeks=12, closed_at=None) is None  # a draft: no end yet


def test_the_schedule_deletes_at_the_quiet_hour_and_warns_a_week_before_in_the_programs_zone() -> None:
    plan = rules.schedule(
        start_date=date(2027, 1, 4), duration_weeks=12, closed_at=None, retention_months=12, tz=BERLIN
    )
    assert plan is not None
    assert plan.ends_on == date(2027, 3, 29)
    assert plan.due_on == date(2028, 3, 29)
    assert plan.due_at == datetime(2028, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 summer time
    assert plan.notice_at == datetime(2028, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 winter time, a week before
    assert not plan.is_due(plan.due_at - timedelta(minutes=1)) and plan.is_due(plan.due_at)
    assert not plan.notice_due(plan.notice_at - timedelta(minutes=1))
    assert plan.notice_due(plan.notice_at) and plan.notice_due(plan.due_at - timedelta(minutes=1))
    assert not plan.notice_due(plan.due_at)
    closed = rules.schedule(
        start_date=date(2027, 1, 4),
        duration_weeks=12,
        closed_at=datetime(2027, 1, 31, 10, tzinfo=UTC),
        retention_months=1,
        tz="UTC",
    )
    assert closed is not None and closed.due_on == date(2027, 3, 1)  # ended 1 February, a month later
    assert rules.schedule(start_date=None, duration_weeks=4, closed_at=None, retention_months=12, tz="UTC") is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SWITCH_ZONES),
    moments(),
    st.integers(-30, 30),
    st.sampled_from([1, 2, 12]),
    st.booleans(),
    st.sampled_from(["start", "notice", "due"]),
    st.integers(-240 * 60, 240 * 60),
    st.data(),
)
def test_next_at_is_the_first_moment_the_schedule_deletes_or_warns(
    tz: str, at: datetime, start: int, months: int, notice: bool, near: str, minutes: int, data: st.DataObject
) -> None:
    plan = rules.schedule(
        start_date=(at + timedelta(days=start)).date(), duration_weeks=1, closed_at=None, retention_months=months, tz=tz
    )
    assert plan is not None
    now = {"start": at, "notice": plan.notice_at, "due": plan.due_at}[near] + timedelta(minutes=minutes)

    def acts(when: datetime) -> bool:
        return plan.is_due(when) or (notice and plan.notice_due(when))

    check_first(data, acts, now=now, first=max(now, plan.next_at(notice=notice)), horizon=timedelta(days=500))


@settings(max_examples=200, deadline=None)
@given(moments(), st.one_of(st.none(), st.integers(-3, 3)), st.data())
def test_people_next_is_the_first_moment_the_daily_look_is_due(
    now: datetime, last: int | None, data: st.DataObject
) -> None:
    last_on = None if last is None else now.date() + timedelta(days=last)
    first = rules.people_next(now, last_on=last_on)
    check_first(data, lambda when: rules.people_due(when, last_on=last_on), now=now, first=first)


def test_ends_on_is_none_while_the_program_runs_and_expires_on_adds_its_months() -> None:
    program = SimpleNamespace(
        start_date=date(2027, 1, 4), duration_weeks=4, closed_at=None, retention_months=6, timezone=BERLIN
    )
    assert rules.ends_on(program, today=date(2027, 1, 31)) is None
    assert rules.ends_on(program, today=date(2027, 2, 1)) == date(2027, 2, 1)
    assert rules.expires_on(program, date(2027, 2, 1)) == date(2027, 8, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", (12, None)), (" 60 ", (60, None)), ("1", (1, None)), ("", (12, None)), (None, (12, None))]
    + [(bad, (None, "retention_months.range")) for bad in ("0", "61", "-3", "twelve", "1.5")],
)
def test_the_forms_months(raw: Any, expected: tuple[int | None, str | None]) -> None:
    assert rules.parse_months(raw) == expected


def test_the_next_cohort_starts_with_the_same_retention() -> None:
    source = Program(
        id=7,
        name="Pilot",
        learning_fields=["x"],
        start_date=date(2027, 1, 4),
        duration_weeks=12,
        rhythm="weekly",
        prompt_weekday=0,
        prompt_hour=9,
        trial_weeks=4,
        bold_goals=[],
        default_locale="en",
        signup_open=False,
        retention_months=7,
    )
    view = cohort_blocks.next_modal("de", source=source, name="Pilot · Cohort 2", default_focus="?")
    block = next(b for b in view["blocks"] if b.get("block_id") == ID.PROGRAM_RETENTION.value)
    assert block["element"]["initial_value"] == "7"
    assert block["element"]["min_value"] == "1" and block["element"]["max_value"] == "60"


def test_the_outbox_keys_name_only_the_programs_rows() -> None:
    ids = {kind: set() for kind in set(retention.KEY_PREFIXES.values())}
    ids.update(program={3}, week={10}, week_partner={11}, poll={5}, enrollment={8}, retro_answer={9})
    assert retention.key_names("rhythm:prompt:10", ids)
    assert retention.key_names("rhythm:nudge:11", ids)
    assert not retention.key_names("rhythm:prompt:11", ids)
    assert retention.key_names("program:3:created:2027-01-01T00:00:00+00:00:post", ids)
    assert not retention.key_names("program:33:created:x:post", ids)
    assert retention.key_names("retro:report:3", ids) and not retention.key_names("retro:open:3", ids)
    assert retention.key_names("poll:5:ask:77", ids) and retention.key_names("poll:5:results", ids)
    assert retention.key_names("interview:8:done", ids) and not retention.key_names("interview:p8:nothing", ids)
    assert retention.key_names("retro-quote-posted:9:post", ids)
    assert not retention.key_names("retention:notice:3:2028-01-01", ids)
    assert not retention.key_names(None, ids) and not retention.key_names("welcome:T1:U1", ids)


# -- end to end ----------------------------------------------------------------------------------------------------
PEOPLE = {
    "Ana": ("digital", "de-DE", BERLIN, "Anabel Zwirnfaden", "Social", ["short video"], ["budgeting"], ["trust"]),
    "Karl": ("context", "de-DE", BERLIN, "Karlheinz Quappe", "Risk", ["budgeting"], ["short video"], ["trust"]),
    "Lea": ("digital", "en-GB", BERLIN, "Leandra Murmel", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jon": ("context", "en-GB", BERLIN, "Jonathan Wibble", "Finance", ["governance"], ["podcasts"], ["growth"]),
}
START = "2027-01-04"  # two weeks: the program ends on 18 January
WEEK_1 = datetime(2027, 1, 11, 7, 50, tzinfo=UTC)  # just before the first prompts (09:00 Berlin on Monday)
DUE = datetime(2027, 2, 18, 2, 0, tzinfo=UTC)  # a month later, 03:00 Berlin
NOTICE = datetime(2027, 2, 11, 8, 0, tzinfo=UTC)  # a week before, 09:00 Berlin
MARK = "zq-a-"  # every text written in the expiring program contains it
KEPT = "zq-b-"  # every text written in the program that is still kept


def _everything(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (alembic's and slack_sdk's too), as dicts."""
    meta = reflected(engine)
    with engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in meta.sorted_tables}


def _text(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


def _found(engine: Engine, needles: list[str]) -> list[tuple[str, str]]:
    return [
        (table, needle)
        for table, rows in _everything(engine).items()
        for row in rows
        for needle in needles
        if needle in _text(row)
    ]


def _participant(s: Any, p: Persona) -> Participant:
    return s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()


def _program_form(stack: LocalStack, host: Persona, channel: str, months: str) -> dict[str, Any]:
    host.slash("admin new", channel_id=channel)
    view = host.open_views()[-1]
    values = {
        **PROGRAM_VALUES,
        ID.PROGRAM_START.value: START,
        ID.PROGRAM_WEEKS.value: "2",
        ID.PROGRAM_TRIAL.value: "0",
        ID.PROGRAM_RETENTION.value: months,
    }
    delivery = host.submit(view["id"], values)
    stack.settle()
    return delivery.json() if delivery.body else {}


def _content(stack: LocalStack, people: dict[str, Persona]) -> None:
    """Everything a program stores: notes through Tandem's commands, answers in the pair's thread, and the rest
    written as the services would."""
    ana, karl = people["Ana"], people["Karl"]
    with stack.session_factory() as s:
        me = _participant(s, ana)
        pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
        partner_id = pair.participant_b_id if pair.participant_a_id == me.id else pair.participant_a_id
        partner = next(p for p in people.values() if p.id == s.get(Participant, partner_id).slack_user_id)
    for flag in ("#private", "", "#hosts", "#program", "#red"):
        assert ana.slash(f"note {MARK}note{flag.strip('#')} {flag}".strip()).ok
    assert ana.slash(f"note [{MARK}topic] about it #hosts").ok
    assert ana.slash(f"notes red {MARK}topic").ok
    assert partner.slash(f"note {MARK}partner-note").ok
    assert karl.slash(f"note {MARK}karl-note #hosts").ok
    stack.settle()
    stack.clock.set(WEEK_1)  # type: ignore[attr-defined]
    stack.advance(timedelta(hours=2))
    reply_in_thread(stack, ana, f"{MARK}answer-ana")
    reply_in_thread(stack, partner, f"{MARK}answer-partner")
    now = stack.clock.now()
    with stack.session_factory() as s:
        me = _participant(s, ana)
        other = s.get(Participant, partner_id)
        program = s.get(Program, pair.program_id)
        week = s.scalars(select(PairWeek).where(PairWeek.pair_id == pair.id)).first()
        week.agreed_homework, week.agreed_next_step = f"{MARK}homework", f"{MARK}next-step"
        week.agreed_by, week.agreed_at = me.id, now
        s.add(Goal(pair_id=pair.id, position=0, text=f"{MARK}goal", created_by=me.id, created_at=now, updated_at=now))
        agreement = s.scalars(select(Agreement).where(Agreement.pair_id == pair.id)).one()
        s.add(
            AgreementVersion(
                agreement_id=agreement.id,
                number=9,
                sections={"confidentiality": f"{MARK}proposal"},
                note=f"{MARK}proposal-note",
                proposed_by=me.id,
                created_at=now,
            )
        )
        retro = Retro(pair_id=pair.id, program_id=program.id, cycle=9, last_week=1, opened_at=now)
        s.add(retro)
        s.flush()
        s.add(
            RetroAnswer(
                retro_id=retro.id,
                participant_id=me.id,
                went_well=f"{MARK}went-well",
                learned=f"{MARK}learned",
                change=f"{MARK}change",
                talk_share=3,
                quote=f"{MARK}quote",
                author_consent_at=now,
                partner_consent_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        for published in (None, now):
            s.add(
                LearningCard(
                    program_id=program.id,
                    participant_id=me.id,
                    title=f"{MARK}card-title",
                    text=f"{MARK}card-text",
                    created_at=now,
                    updated_at=now,
                    published_at=published,
                )
            )
        s.add(Cancellation(pair_id=pair.id, participant_id=me.id, week_number=2, late=True, created_at=now))
        s.add(
            Escalation(
                workspace_id=me.workspace_id,
                participant_id=me.id,
                pair_id=pair.id,
                program_id=program.id,
                shared={"text": f"{MARK}help"},
                created_at=now,
            )
        )
        speed = SpeedRound(program_id=program.id, status="closed", created_by="UHOST", created_at=now, closes_at=now)
        s.add(speed)
        s.add(TrialCheck(pair_id=pair.id, program_id=program.id, asked_at=now, closes_at=now, switch_requested=True))
        poll = PollRound(
            program_id=program.id,
            number=9,
            opens_on=date(2027, 1, 11),
            closes_on=date(2027, 1, 16),
            threshold=3,
            questions=["belonging"],
            closed=True,
        )
        s.add(poll)
        # a round the clock never closed (it would close long after the program's data is gone): its sealed ballot
        unclosed = PollRound(
            program_id=program.id,
            number=10,
            opens_on=date(2027, 1, 25),
            closes_on=date(2099, 1, 1),
            threshold=3,
            questions=["belonging"],
            closed=False,
        )
        s.add(unclosed)
        metric = Metric(
            program_id=program.id, name="Days", unit="days", reporter="pair", created_by="UHOST", created_at=now
        )
        s.add(metric)
        s.flush()
        s.add(SpeedIntro(round_id=speed.id, participant_id=me.id, candidate_id=other.id, answer="no"))
        s.add(PollReceipt(round_id=poll.id, participant_id=me.id, answered=True))
        for n, comment in enumerate((f"{MARK}pulse-comment", None)):
            s.add(PollResponse(id=f"r{n}", round_id=poll.id, mood=4, answers={"belonging": 4}, comment=comment))
        sealed = Pulse(mood=2, answers={"belonging": 2}, comment=f"{MARK}sealed")
        s.add(
            PollBallot(id="b0", round_id=unclosed.id, sealed=seal_ballot(keyring(), round_id=unclosed.id, pulse=sealed))
        )
        s.add(
            MetricValue(
                metric_id=metric.id, pair_id=pair.id, value=12, day=date(2027, 1, 11), logged_by=ana.id, created_at=now
            )
        )
        s.add(
            MetricValue(
                metric_id=metric.id, pair_id=None, value=30, day=date(2027, 1, 11), logged_by="UHOST", created_at=now
            )
        )
        s.add(InviteBatch(program_id=program.id, requested_by="UHOST", user_ids=[ana.id], created_at=now))
        # reporting lines: Ana's own (she named her manager), one where she is the manager, one of Karl's (stays)
        for person, manager, source in (
            (ana.id, "U0ANABOSS", "interview"),
            ("U0REPORT", ana.id, "orgchart"),
            (karl.id, "U0KARLBOSS", "interview"),
        ):
            s.add(
                ReportingLine(
                    workspace_id=me.workspace_id,
                    person_slack_id=person,
                    manager_slack_id=manager,
                    source=source,
                    created_at=now,
                )
            )
        goal = s.scalars(select(Goal).where(Goal.pair_id == pair.id)).one()
        # stored Slack calls still carrying the program's words (not sent yet: a sent call says nothing any more):
        # one about the program; and two queued before calls said what they are about (migration 0021): in the
        # pair's conversation (no key), and a DM to Karl, who stays (its key names the goal)
        later = now + timedelta(days=3650)
        outbox.post(
            s,
            workspace_id=me.workspace_id,
            channel="C0ELSEWHERE",
            message={"text": f"{MARK}about-the-program"},
            now=now,
            about=outbox.About.of(program=program, people=[_participant(s, karl)]),
            not_before=later,
        )
        outbox.post(
            s,
            workspace_id=me.workspace_id,
            channel=group_dm_of(stack, ana),
            message={"text": f"{MARK}in-the-dm"},
            now=now,
            about=outbox.NOBODY,
            not_before=later,
        )
        outbox.post(
            s,
            workspace_id=me.workspace_id,
            channel=karl.id,
            message={"text": f"{MARK}goal-done"},
            now=now,
            dedupe_key=f"goal-done:{goal.id}:{now.isoformat()}",
            about=outbox.NOBODY,
            not_before=later,
        )
        # Ana's data export, with her partner's words, which Slack refused for good an hour ago (parked, and still
        # holding what it says: parked calls are emptied a day later)
        export = outbox.upload_to_dm(
            s,
            workspace_id=me.workspace_id,
            user_id=ana.id,
            files=[{"content": f"{MARK}parked-export", "filename": "my-data.md", "title": "my data"}],
            comment="your data",
            now=now,
            about=outbox.About.of(people=[me, other]),
            dedupe_key=f"my-data:{me.id}:{now.isoformat()}",
        )
        export.status, export.parked_at, export.last_error = OutboxStatus.PARKED, now, "invalid_auth"
        s.commit()
    stack.settle()


def _kept_program(stack: LocalStack, karl: Persona, bea: Persona) -> int:
    """A program that was closed on 20 January and keeps its data 12 months: Karl is in it too."""
    now = stack.clock.now()
    with stack.session_factory() as s:
        first = s.scalars(select(Program)).one()
        kept = Program(
            workspace_id=first.workspace_id,
            name="Pilot B",
            status=ProgramStatus.CLOSED,
            learning_fields=["x"],
            start_date=date(2027, 1, 4),
            duration_weeks=12,
            timezone=BERLIN,
            closed_at=datetime(2027, 1, 20, 12, tzinfo=UTC),
            created_at=now,
            updated_at=now,
        )
        s.add(kept)
        karl_row = _participant(s, karl)
        bea_row = Participant(
            workspace_id=first.workspace_id,
            slack_user_id=bea.id,
            display_name="Beatrix Keepme",
            self_description=f"{KEPT}bea-profile",
            created_at=now,
            updated_at=now,
        )
        s.add(bea_row)
        s.flush()
        for person in (karl_row, bea_row):
            s.add(
                Enrollment(
                    program_id=kept.id,
                    participant_id=person.id,
                    status=EnrollmentStatus.ONBOARDED,
                    invited_at=now,
                    last_activity_at=now,
                    step_message={},
                )
            )
        pair = Pair(
            program_id=kept.id,
            participant_a_id=bea_row.id,
            participant_b_id=karl_row.id,
            status=PairStatus.ENDED,
            started_at=now,
            ended_at=now,
            reasons=[{"key": "shared_value"}],
        )
        s.add(pair)
        s.flush()
        s.add(Note(pair_id=pair.id, program_id=kept.id, author_id=karl_row.id, text=f"{KEPT}note", created_at=now))
        week = PairWeek(
            pair_id=pair.id, number=1, day=date(2027, 1, 11), agreed_homework=f"{KEPT}homework", created_at=now
        )
        s.add(week)
        s.flush()
        s.add(
            WeekAnswer(week_id=week.id, participant_id=bea_row.id, text=f"{KEPT}answer", source="modal", created_at=now)
        )
        s.add(KpiSnapshot(program_id=kept.id, taken_on=date(2027, 1, 18), data={"matched": 2}, created_at=now))
        s.commit()
        return kept.id


def _of_program(rows: dict[str, list[dict[str, Any]]], program_id: int, pairs: set[int]) -> dict[str, list[str]]:
    """The rows of one program (by program_id or pair_id), table by table."""
    out: dict[str, list[str]] = {}
    for table, found in rows.items():
        mine = [
            _text(r)
            for r in found
            if (table == "program" and r["id"] == program_id)
            or r.get("program_id") == program_id
            or (table != "pair" and r.get("pair_id") in pairs)
            or (table == "pair" and r["id"] in pairs)
        ]
        if mine:
            out[table] = sorted(mine)
    return out


def test_the_clock_deletes_a_programs_data_after_its_retention_and_keeps_the_rest(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    refused = _program_form(stack, hanna, channel, "61")
    assert refused.get("response_action") == "errors"
    assert ID.PROGRAM_RETENTION.value in refused["errors"]
    assert "60" in refused["errors"][ID.PROGRAM_RETENTION.value]
    assert _program_form(stack, hanna, channel, "1") == {}
    created = [m for m in stack.sandbox.messages(channel) if "data kept 1 month after the end" in _text(m)]
    assert created, "the program card shows the retention"
    people = onboard(stack, PEOPLE)
    match(stack, hanna, channel)
    _content(stack, people)
    bea = persona(stack, "Bea")
    kept_id = _kept_program(stack, people["Karl"], bea)
    engine = stack.session_factory.kw["bind"]

    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == "Pilot 2027")).one()
        assert program.retention_months == 1
        pid = program.id
        pairs = set(s.scalars(select(Pair.id).where(Pair.program_id == pid)))
        snapshots = [
            r.data
            for r in s.scalars(select(KpiSnapshot).where(KpiSnapshot.program_id == pid).order_by(KpiSnapshot.taken_on))
        ]
        kept_pairs = set(s.scalars(select(Pair.id).where(Pair.program_id == kept_id)))
        karl = _participant(s, people["Karl"])
        karl_profile = (karl.id, karl.display_name, karl.self_description)
        participants = s.scalar(select(func.count()).select_from(Participant))
    assert snapshots, "the weekly digest took a KPI snapshot"
    kept_before = _of_program(_everything(engine), kept_id, kept_pairs)
    texts_before = _found(engine, [MARK])
    tables_with_text = {t for t, _ in texts_before}
    assert {"note", "red_topic", "week_answer", "pair_week", "goal", "agreement_version", "retro_answer"} <= (
        tables_with_text
    )
    assert {"learning_card", "escalation", "poll_response", "outbox"} <= tables_with_text

    # a week before: the hosts hear about it; a minute before: nothing is deleted
    stack.clock.set(NOTICE - timedelta(minutes=1))  # type: ignore[attr-defined]
    stack.settle()
    assert not [m for m in stack.sandbox.messages(channel) if "In a week" in m.get("text", "")]
    stack.clock.set(NOTICE)  # type: ignore[attr-defined]
    stack.settle()
    notices = [m for m in stack.sandbox.messages(channel) if "In a week" in m.get("text", "")]
    assert len(notices) == 1 and "Pilot 2027" in notices[0]["text"] and "/tandem admin export" in notices[0]["text"]
    assert "with *Edit* on the program card" in notices[0]["text"]  # it is not closed: its card can still change it
    stack.clock.set(DUE - timedelta(minutes=1))  # type: ignore[attr-defined]
    stack.settle()
    assert len([m for m in stack.sandbox.messages(channel) if "In a week" in m.get("text", "")]) == 1
    assert _found(engine, [MARK]) == texts_before or set(_found(engine, [MARK])) >= set(texts_before)
    with stack.session_factory() as s:
        assert s.get(Program, pid).expired_at is None
        assert s.scalar(select(func.count()).select_from(Pair).where(Pair.program_id == pid)) == len(pairs)
        # the parked export was emptied a day after Slack refused it; its row is still there
        parked = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("my-data:%"))).one()
        assert parked.status == OutboxStatus.PARKED and parked.payload == {} and parked.emptied_at is not None

    # at 03:00 on the due day the clock deletes it; the hosts are told in their morning
    stack.clock.set(DUE)  # type: ignore[attr-defined]
    stack.settle()
    with stack.session_factory() as s:
        assert s.get(Program, pid).expired_at == DUE
    assert not [m for m in stack.sandbox.messages(channel) if "was deleted" in m.get("text", "")]
    stack.clock.set(DUE + timedelta(hours=6))  # type: ignore[attr-defined]
    stack.settle()
    done = [m for m in stack.sandbox.messages(channel) if "was deleted" in m.get("text", "")]
    assert len(done) == 1
    text = done[0]["text"]
    assert "Data of *Pilot 2027* older than 1 month after its end was deleted" in text
    assert "8 notes" in text and "2 weekly answers" in text and "2 pairs" in text and "1 goal" in text
    assert "3 profiles of people in no other program" in text
    assert MARK not in text and not any(p.id in text for p in people.values())

    with stack.session_factory() as s:  # the parked export went with Ana, whom no other program keeps
        assert s.scalar(select(func.count()).where(OutboxMessage.dedupe_key.like("my-data:%"))) == 0
    after = _everything(engine)
    # no free text of the program anywhere, in any table (the outbox's stored calls included)
    assert _found(engine, [MARK]) == [], [_text(r) for t in after.values() for r in t if MARK in _text(r)]
    # nobody who was only in it can be found: not their Slack id, not their name
    gone = [people[n] for n in ("Ana", "Lea", "Jon")]
    needles = [p.id for p in gone] + [PEOPLE[n][3] for n in ("Ana", "Lea", "Jon")]
    assert _found(engine, needles) == []
    # reporting lines: Ana's own went, where she managed someone an anonymous placeholder stands, Karl's stays
    lines = {(r["person_slack_id"], r["source"]): r["manager_slack_id"] for r in after["reporting_line"]}
    assert set(lines) == {("U0REPORT", "orgchart"), (people["Karl"].id, "interview")}
    assert lines[("U0REPORT", "orgchart")].startswith("forgotten-")
    assert lines[(people["Karl"].id, "interview")] == "U0KARLBOSS"
    # no participant link of the program remains
    assert [r for r in after["pair"] if r["program_id"] == pid] == []
    assert [r for r in after["enrollment"] if r["program_id"] == pid] == []
    for table in (
        "note",
        "pair_week",
        "week_partner",
        "goal",
        "agreement",
        "retro",
        "cancellation",
        "trial_check",
        "follow_up",
    ):
        assert [r for r in after[table] if r.get("pair_id") in pairs or r.get("program_id") == pid] == [], table
    kept_weeks = {r["id"] for r in after["pair_week"] if r["pair_id"] in kept_pairs}
    assert [r["text"] for r in after["week_answer"]] == [f"{KEPT}answer"]
    assert {r["week_id"] for r in after["week_answer"]} <= kept_weeks
    for table in ("agreement_version", "agreement_acceptance", "retro_answer", "red_topic", "week_partner"):
        assert after[table] == [], table  # the kept program has none of these
    assert [r for r in after["learning_card"] if r["program_id"] == pid] == []
    assert [r for r in after["escalation"] if r["program_id"] == pid or r["pair_id"] in pairs] == []
    assert after["speed_intro"] == [] and after["match_proposal"] == []
    polls = {r["id"] for r in after["poll_round"] if r["program_id"] == pid}
    assert [r for r in after["poll_receipt"] if r["round_id"] in polls] == []
    assert [r for r in after["poll_ballot"] if r["round_id"] in polls] == []  # deleted unopened
    responses = [r for r in after["poll_response"] if r["round_id"] in polls]
    assert len(responses) == 2 and all(r["comment"] is None for r in responses)  # the anonymous moods stay
    metrics = {r["id"] for r in after["metric"] if r["program_id"] == pid}
    values = [r for r in after["metric_value"] if r["metric_id"] in metrics]
    assert [(r["pair_id"], r["value"], r["logged_by"]) for r in values] == [(None, 30.0, "")]
    assert all(r["created_by"] is None and r["approved_by"] is None for r in after["match_round"])
    assert [r["user_ids"] for r in after["invite_batch"] if r["program_id"] == pid] == [[]] * len(
        [r for r in after["invite_batch"] if r["program_id"] == pid]
    )
    # the program and its KPI snapshots stay; it is closed
    program_row = next(r for r in after["program"] if r["id"] == pid)
    assert program_row["name"] == "Pilot 2027" and program_row["status"] == "closed"
    assert (
        sorted((r["taken_on"], r["data"]) for r in after["kpi_snapshot"] if r["program_id"] == pid)[-1][1]
        == snapshots[-1]
    )
    assert len([r for r in after["kpi_snapshot"] if r["program_id"] == pid]) == len(snapshots)
    with stack.session_factory() as s:  # the dashboard and a later cohort's comparison show its last snapshot
        assert impact.kpis(s, s.get(Program, pid), now=stack.clock.now()).as_dict() == snapshots[-1]
    # the program still within its retention is untouched, and Karl, who is in it, keeps his profile
    # (its pairs' follow-up questions, 30 days after its end, came meanwhile: the clock's, not retention's)
    kept_after = _of_program(after, kept_id, kept_pairs)
    assert [r for r in after["follow_up"] if r["program_id"] == kept_id]
    kept_after["outbox"] = [r for r in kept_after.pop("outbox", []) if "followup:ask:" not in r]
    kept_after = {t: rows for t, rows in kept_after.items() if rows and t != "follow_up"}
    assert kept_after == kept_before
    with stack.session_factory() as s:
        karl = s.get(Participant, karl_profile[0])
        assert (karl.id, karl.display_name, karl.self_description) == karl_profile
        assert karl.slack_user_id == people["Karl"].id
        assert s.scalar(select(func.count()).select_from(Participant)) == participants  # tombstones stay

    # and once is enough: the next day changes nothing and says nothing
    stack.clock.set(DUE + timedelta(days=1))  # type: ignore[attr-defined]
    stack.settle()
    assert len([m for m in stack.sandbox.messages(channel) if "was deleted" in m.get("text", "")]) == 1
    with stack.session_factory() as s:
        assert s.get(Program, pid).expired_at == DUE
        assert s.scalar(select(func.count()).select_from(MatchRound).where(MatchRound.program_id == pid)) >= 1


def test_a_program_without_an_end_is_never_expired(session: Any) -> None:
    from bot.models import Workspace

    now = datetime(2027, 1, 1, tzinfo=UTC)
    workspace = Workspace(team_id="T1", name="x", created_at=now)
    session.add(workspace)
    session.flush()
    session.add(Program(workspace_id=workspace.id, name="Draft", learning_fields=[], created_at=now, updated_at=now))
    session.commit()
    report = retention.expire_due(session, now=datetime(2040, 1, 1, tzinfo=UTC))
    assert report.expired == [] and report.notices == 0
    assert session.scalars(select(Program)).one().retention_months == 12  # the default


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_hosts_messages_in_both_languages(locale: str) -> None:
    from bot.blocks import retention as blocks

    open_card = blocks.notice(locale, program="P & Q", months=12, due_on=date(2028, 3, 29), editable=True)["text"]
    closed = blocks.notice(locale, program="P & Q", months=12, due_on=date(2028, 3, 29), editable=False)["text"]
    assert "P &amp; Q" in open_card and "/tandem admin export" in closed
    assert len(closed) < len(open_card)  # a closed program's card has no Edit: the hint about it is left out
    done = blocks.expired(locale, program="P", months=1, counts={"notes": 1, "pairs": 0, "people": 3})["text"]
    shown = blocks.counts_text(locale, {"notes": 1, "people": 3})
    assert shown in done and shown.count(",") == 1  # nothing is said about what had nothing to delete
    nothing = blocks.expired(locale, program="P", months=12, counts={})["text"]
    assert blocks.counts_text(locale, {}) in nothing


def test_closing_a_program_records_when_and_that_is_when_it_ends(session: Any) -> None:
    from bot.models import Workspace
    from bot.services import programs

    now = datetime(2027, 3, 3, 15, tzinfo=UTC)
    workspace = Workspace(team_id="T2", name="x", created_at=now)
    session.add(workspace)
    session.flush()
    program = Program(
        workspace_id=workspace.id,
        name="Closed early",
        status=ProgramStatus.ACTIVE,
        learning_fields=[],
        start_date=date(2027, 1, 4),
        duration_weeks=12,
        timezone=BERLIN,
        retention_months=6,
        created_at=now,
        updated_at=now,
    )
    session.add(program)
    session.flush()
    programs.transition(session, program=program, action="close", now=now)
    session.commit()
    session.refresh(program)
    assert program.closed_at == now
    plan = rules.of(program)
    assert plan is not None and plan.ends_on == date(2027, 3, 4) and plan.due_on == date(2027, 9, 4)
    assert not retention.expire_due(session, now=plan.due_at - timedelta(minutes=1)).expired
    report = retention.expire_due(session, now=plan.due_at)
    assert [e.program_id for e in report.expired] == [program.id] and report.expired[0].counts["pairs"] == 0
    session.refresh(program)
    assert program.expired_at == plan.due_at and program.status == ProgramStatus.CLOSED


def test_every_table_has_a_retention_decision() -> None:
    """A new table fails here until bot.services.retention's docstring says what happens to it when a program
    expires."""
    from bot.models import Base

    decided = retention.__doc__ or ""
    assert [t.name for t in Base.metadata.sorted_tables if f"{t.name}" not in decided] == []
