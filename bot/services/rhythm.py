"""The pair's weekly rhythm in the database (rules in ``bot.domain.rhythm``): each week's prompt in the pair's
group DM at the earlier partner's hour, the DM nudge to the later partner at theirs, the one mid-week nudge to
a partner who has not answered, answers (thread replies and the Answer modal), "what we agreed" closing a week,
cancelling and moving weeks (logged in ``Cancellation``, ``late`` when short notice), pauses, and the silence
rule (the flow tells the hosts, without content).

Every Slack message goes through the outbox in the transaction that caused it. A prompt's ``ts`` (the week's
thread) is read back from the outbox once the worker sent it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, load_only

from bot.blocks import rhythm as blocks
from bot.blocks.agreement import goals_section
from bot.domain import rhythm as rules
from bot.models import (
    CancelKind,
    Cancellation,
    Goal,
    OutboxMessage,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ProgramStatus,
    WeekAnswer,
    WeekPartner,
    WeekStatus,
    Workspace,
)
from bot.services import goals as goals_service
from bot.services import matching, outbox, people

PROMPT_KEY = "rhythm:prompt:"  # + week id: the outbox message of a week's prompt
PROMPTED = tuple(rules.PROMPTED)

# Why a click or a submission changed nothing (wording: ``rhythm.j2``).
NOT_YOURS, PAIR_ENDED, WEEK_OVER, UNAVAILABLE = "not_yours", "pair_ended", "week_over", "week_unavailable"


# -- a pair with what the rhythm needs ---------------------------------------------------------------------
@dataclass(frozen=True)
class Tandem:
    pair: Pair
    program: Program
    a: Participant
    b: Participant

    @property
    def zones(self) -> dict[int, str]:
        return {self.a.id: self.a.tz, self.b.id: self.b.tz}

    @property
    def locale(self) -> str:
        return rules.pair_locale(self.a.locale, self.b.locale)

    def has(self, participant_id: int) -> bool:
        return participant_id in (self.a.id, self.b.id)

    def person(self, participant_id: int) -> Participant:
        return self.a if participant_id == self.a.id else self.b

    def partner_of(self, participant_id: int) -> Participant:
        return self.b if participant_id == self.a.id else self.a

    @property
    def schedule(self) -> rules.Schedule:
        return schedule_of(self.program, self.pair.started_at)

    def plan(self, number: int, day: date) -> rules.WeekPlan:
        return rules.plan(number, day, self.program.prompt_hour, self.zones)


def schedule_of(program: Any, started_at: datetime) -> rules.Schedule:
    """The weekly schedule of a pair that started at ``started_at`` in ``program`` (a Program or a row with its
    ``timezone``, ``prompt_weekday``, ``prompt_hour``, ``rhythm``, ``duration_weeks`` and ``start_date``)."""
    return rules.schedule(
        weekday=program.prompt_weekday,
        hour=program.prompt_hour,
        rhythm=program.rhythm,
        duration_weeks=program.duration_weeks,
        program_start=program.start_date,
        started_on=rules.local_today(started_at, program.timezone),
    )


def tandem_of(session: Session, pair: Pair) -> Tandem:
    program = session.get(Program, pair.program_id)
    a = session.get(Participant, pair.participant_a_id)
    b = session.get(Participant, pair.participant_b_id)
    assert program is not None and a is not None and b is not None
    return Tandem(pair, program, a, b)


TANDEM_FIELDS = (
    Participant.id,
    Participant.workspace_id,
    Participant.slack_user_id,
    Participant.display_name,
    Participant.tz,
    Participant.locale,
    Participant.role,
    Participant.paused_until,
)


def active_tandems(session: Session) -> list[Tandem]:
    """Every active pair of an active program as a Tandem, by pair id: two queries for all of them (the clock's
    due jobs run this every minute)."""
    rows = (
        session.execute(
            select(Pair, Program)
            .join(Program, Program.id == Pair.program_id)
            .where(Pair.status == PairStatus.ACTIVE, Program.status == ProgramStatus.ACTIVE)
            .order_by(Pair.id)
        )
        .tuples()
        .all()
    )
    if not rows:
        return []
    partners = {
        p.id: p
        for p in session.scalars(
            select(Participant)
            .options(load_only(*TANDEM_FIELDS))  # the free-text profile is loaded only if something reads it
            .join(Pair, or_(Pair.participant_a_id == Participant.id, Pair.participant_b_id == Participant.id))
            .where(Pair.status == PairStatus.ACTIVE)
        )
    }
    return [
        Tandem(pair, program, partners[pair.participant_a_id], partners[pair.participant_b_id])
        for pair, program in rows
    ]


def _active_tandems(session: Session, participant: Participant) -> list[Tandem]:
    pairs = session.scalars(
        select(Pair)
        .join(Program, Program.id == Pair.program_id)
        .where(
            Pair.status == PairStatus.ACTIVE,
            Program.status == ProgramStatus.ACTIVE,
            or_(Pair.participant_a_id == participant.id, Pair.participant_b_id == participant.id),
        )
        .order_by(Pair.started_at, Pair.id)
    ).all()
    return [tandem_of(session, pair) for pair in pairs]


def _handled(session: Session, pair_id: int) -> int:
    """The number of the pair's last week the clock dealt with (0: none yet)."""
    return int(
        session.scalar(
            select(func.max(PairWeek.number)).where(PairWeek.pair_id == pair_id, PairWeek.handled_at.is_not(None))
        )
        or 0
    )


def _weeks(session: Session, pair_id: int) -> dict[int, PairWeek]:
    return {w.number: w for w in session.scalars(select(PairWeek).where(PairWeek.pair_id == pair_id))}


def _moved(weeks: dict[int, PairWeek]) -> dict[int, date]:
    return {n: w.moved_to for n, w in weeks.items() if w.moved_to is not None and w.handled_at is None}


def _new_week(tandem: Tandem, number: int, *, now: datetime) -> PairWeek:
    return PairWeek(
        pair_id=tandem.pair.id,
        number=number,
        day=tandem.schedule.day(number),
        status=WeekStatus.SCHEDULED,
        method=rules.method_card(number),
        created_at=now,
    )


def _week(session: Session, tandem: Tandem, number: int, *, now: datetime) -> PairWeek:
    week = session.scalar(select(PairWeek).where(PairWeek.pair_id == tandem.pair.id, PairWeek.number == number))
    if week is None:
        week = _new_week(tandem, number, now=now)
        session.add(week)
        session.flush()
    return week


# -- posting -----------------------------------------------------------------------------------------------
def resolve_thread(session: Session, week: PairWeek) -> bool:
    """Whether the week's prompt is in Slack; reads its channel and ts (the thread) back from the outbox once,
    and keeps the pair's ``thread_ts`` on its newest week."""
    if week.thread_ts:
        return True
    sent = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{PROMPT_KEY}{week.id}"))
    if sent is None or not sent.result or not sent.result.get("ts"):
        return False
    week.channel_id = sent.result.get("channel")
    week.thread_ts = sent.result["ts"]
    pair = session.get(Pair, week.pair_id)
    assert pair is not None
    pair.channel_id = pair.channel_id or week.channel_id
    newer = session.scalar(
        select(PairWeek.id)
        .where(
            PairWeek.pair_id == week.pair_id,
            PairWeek.number > week.number,
            PairWeek.status.in_(PROMPTED),
            PairWeek.handled_at.is_not(None),
        )
        .limit(1)
    )
    if newer is None:
        pair.thread_ts = week.thread_ts
    return True


def _post(
    session: Session,
    tandem: Tandem,
    message: dict[str, Any],
    *,
    key: str,
    now: datetime,
    channel: str | None = None,
    thread_ts: str | None = None,
) -> None:
    """Queue ``message`` in the pair's group DM (in ``thread_ts`` when given)."""
    outbox.enqueue(
        session, now=now, **_post_item(session, tandem, message, key=key, channel=channel, thread_ts=thread_ts)
    )


def _post_item(
    session: Session,
    tandem: Tandem,
    message: dict[str, Any],
    *,
    key: str,
    channel: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """What :func:`_post` queues, as keyword arguments of ``outbox.enqueue`` (and items of ``enqueue_many``)."""
    channel = channel or tandem.pair.channel_id or matching.pair_channel(session, tandem.pair)
    payload: dict[str, Any] = dict(message)
    if channel:
        payload["channel"] = channel
    else:  # the introduction is not out yet: the same group DM, opened by the worker
        payload["__open"] = [tandem.a.slack_user_id, tandem.b.slack_user_id]
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return {
        "workspace_id": tandem.program.workspace_id,
        "method": "chat.postMessage",
        "payload": payload,
        "about": outbox.About.of(pair=tandem.pair),
        "dedupe_key": key,
    }


POSTED = (*PROMPTED, WeekStatus.CANCELLED)  # a week cancelled while under way keeps its thread


def _latest_thread(session: Session, pair_id: int) -> PairWeek | None:
    """The pair's newest week whose prompt is in Slack."""
    weeks = session.scalars(
        select(PairWeek)
        .where(PairWeek.pair_id == pair_id, PairWeek.status.in_(POSTED), PairWeek.handled_at.is_not(None))
        .order_by(PairWeek.number.desc())
        .limit(3)
    )
    return next((week for week in weeks if resolve_thread(session, week)), None)


def _post_in_thread(session: Session, tandem: Tandem, message: dict[str, Any], *, key: str, now: datetime) -> None:
    """A note in the pair's newest week thread (top level when there is none yet)."""
    outbox.enqueue(session, now=now, **_in_thread_item(session, tandem, message, key=key))


def _in_thread_item(session: Session, tandem: Tandem, message: dict[str, Any], *, key: str) -> dict[str, Any]:
    """What :func:`_post_in_thread` queues (see :func:`_post_item`)."""
    week = _latest_thread(session, tandem.pair.id)
    if week is not None:
        return _post_item(session, tandem, message, key=key, channel=week.channel_id, thread_ts=week.thread_ts)
    return _post_item(session, tandem, message, key=key)


def _pending_nudge() -> Any:
    """A partner row with a nudge or a mid-week nudge planned that has not gone out."""
    return or_(
        and_(WeekPartner.nudge_at.is_not(None), WeekPartner.nudge_sent_at.is_(None)),
        and_(WeekPartner.midweek_at.is_not(None), WeekPartner.midweek_sent_at.is_(None)),
    )


def _void(part: WeekPartner) -> None:
    if part.nudge_sent_at is None:
        part.nudge_at = None
    if part.midweek_sent_at is None:
        part.midweek_at = None


def _void_nudges(session: Session, week_ids: list[int]) -> None:
    """Nudges of these weeks that have not gone out yet never will."""
    if not week_ids:
        return
    for part in session.scalars(select(WeekPartner).where(WeekPartner.week_id.in_(week_ids), _pending_nudge())):
        _void(part)


# -- the clock ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SilentPair:
    """A pair to flag to the hosts: who (to act on it) and which weeks were quiet, never what anyone wrote."""

    program: Program
    a: Participant
    b: Participant
    weeks: tuple[int, ...]
    week_id: int


@dataclass
class Tick:
    handled: int = 0
    nudged: int = 0
    silent: list[SilentPair] = field(default_factory=list)


def due(session: Session, *, now: datetime) -> Tick:
    """Clock: hand every active pair the week that has come (prompt, skip note, or nothing when cancelled),
    send the nudges that are due, and find pairs silent for ``SILENCE_WEEKS``. Does not commit.

    A whole program's pairs may come due in the same minute, so what the round reads (the pairs' weeks, nudges,
    answers, changes and goals) is read for all of them at once (:func:`_load`) and the new weeks are written in one
    flush: each pair then costs only its message and its outbox row."""
    tick = Tick()
    tandems = active_tandems(session)
    if tandems:
        handled = dict(
            session.execute(
                select(PairWeek.pair_id, func.max(PairWeek.number))
                .join(Pair, Pair.id == PairWeek.pair_id)
                .where(Pair.status == PairStatus.ACTIVE, PairWeek.handled_at.is_not(None))
                .group_by(PairWeek.pair_id)
            )
            .tuples()
            .all()
        )
        moved: dict[int, dict[int, date]] = {}
        for pair_id, number, day in session.execute(
            select(PairWeek.pair_id, PairWeek.number, PairWeek.moved_to).where(
                PairWeek.handled_at.is_(None), PairWeek.moved_to.is_not(None)
            )
        ).tuples():
            moved.setdefault(pair_id, {})[number] = day
        come: list[tuple[Tandem, rules.Due]] = []
        for tandem in tandems:
            found = rules.due(
                tandem.schedule,
                handled=handled.get(tandem.pair.id, 0),
                moved=moved.get(tandem.pair.id, {}),
                zones=tandem.zones,
                now=now,
            )
            if found.week is not None:
                come.append((tandem, found))
        if come:
            loaded = _load(session, [tandem.pair.id for tandem, _ in come])
            opened = [_open(session, tandem, found, loaded, now=now) for tandem, found in come]
            session.flush()  # the new weeks, all at once: their ids go into partner rows and messages
            for week in opened:
                week.add_partners(session)
                tick.handled += 1
                silent = _silence(week.tandem, loaded, before=week.plan.number, now=now)
                if silent is not None:
                    tick.silent.append(silent)
            items = [item for week in opened for item in week.items(session, loaded)]
            for start in range(0, len(items), OUTBOX_CHUNK):  # in the order each would have been queued
                outbox.enqueue_many(session, items[start : start + OUTBOX_CHUNK], now=now)
    tick.nudged = _send_nudges(session, now=now)
    return tick


@dataclass
class _Loaded:
    """What ``due`` reads for the pairs whose week has come, in a few queries for all of them: each pair's weeks
    (the session's own objects, kept up to date as ``due`` changes and adds them), the partner rows of those weeks
    with a nudge still to go, the weeks a partner answered, and when each pair cancelled or moved a week."""

    weeks: dict[int, dict[int, PairWeek]]  # pair id -> week number -> week
    pending: dict[int, list[WeekPartner]]  # week id -> its partners with a nudge not sent yet
    answered: set[int]  # week ids
    changes: dict[int, list[datetime]]  # pair id -> Cancellation.created_at
    goals: dict[int, list[Goal]]  # pair id -> its goals by position and id


LOAD_CHUNK = 500  # pair ids in one IN (...)
OUTBOX_CHUNK = 1000  # messages queued with one ``outbox.enqueue_many``


def _load(session: Session, pair_ids: list[int]) -> _Loaded:
    loaded = _Loaded({p: {} for p in pair_ids}, {}, set(), {p: [] for p in pair_ids}, {p: [] for p in pair_ids})
    for start in range(0, len(pair_ids), LOAD_CHUNK):
        chunk = pair_ids[start : start + LOAD_CHUNK]
        for week in session.scalars(select(PairWeek).where(PairWeek.pair_id.in_(chunk))):
            loaded.weeks[week.pair_id][week.number] = week
        partners = select(WeekPartner).join(PairWeek, PairWeek.id == WeekPartner.week_id)
        for part in session.scalars(partners.where(PairWeek.pair_id.in_(chunk), _pending_nudge())):
            loaded.pending.setdefault(part.week_id, []).append(part)
        loaded.answered.update(
            session.scalars(
                select(WeekPartner.week_id)
                .join(PairWeek, PairWeek.id == WeekPartner.week_id)
                .where(PairWeek.pair_id.in_(chunk), WeekPartner.answered_at.is_not(None))
            )
        )
        for pair_id, at in session.execute(
            select(Cancellation.pair_id, Cancellation.created_at).where(Cancellation.pair_id.in_(chunk))
        ).tuples():
            loaded.changes[pair_id].append(at)
        for goal in session.scalars(select(Goal).where(Goal.pair_id.in_(chunk)).order_by(Goal.position, Goal.id)):
            loaded.goals[goal.pair_id].append(goal)
    return loaded


def _loaded_week(session: Session, tandem: Tandem, number: int, loaded: _Loaded, *, now: datetime) -> PairWeek:
    """``_week`` from the loaded weeks; a new one is added to the session unflushed."""
    weeks = loaded.weeks[tandem.pair.id]
    week = weeks.get(number)
    if week is None:
        week = weeks[number] = _new_week(tandem, number, now=now)
        session.add(week)
    return week


@dataclass
class _Opened:
    """A pair's week that has come, decided and not yet posted: its prompt (``following``: the plan of the week
    after, for the mid-week nudge), a skip note (``away``: who is on a break), or nothing (cancelled)."""

    tandem: Tandem
    plan: rules.WeekPlan
    week: PairWeek
    away: list[Participant] = field(default_factory=list)
    prompt: bool = False
    following: rules.WeekPlan | None = None

    def add_partners(self, session: Session) -> None:
        """Each partner's side of a prompted week: their moment, the DM nudge when behind the thread, the
        mid-week nudge."""
        if not self.prompt:
            return
        sched, plan = self.tandem.schedule, self.plan
        for person in (self.tandem.a, self.tandem.b):
            at = plan.at[person.id]
            session.add(
                WeekPartner(
                    week_id=self.week.id,
                    participant_id=person.id,
                    prompt_at=at,
                    nudge_at=at if person.id in plan.nudged else None,
                    midweek_at=rules.midweek_at(
                        at,
                        next_at=self.following.at[person.id] if self.following else None,
                        every_days=sched.every_days,
                        tz=person.tz,
                    ),
                )
            )

    def items(self, session: Session, loaded: _Loaded) -> list[dict[str, Any]]:
        """The outbox items of the week (``outbox.enqueue_many``): its skip note, then its prompt."""
        tandem, plan, week = self.tandem, self.plan, self.week
        items = []
        if self.away:
            until = max(p.paused_until for p in self.away if p.paused_until is not None)
            names = [p.display_name for p in self.away]
            message = blocks.skip_note(tandem.locale, number=plan.number, names=names, until=until)
            items.append(_in_thread_item(session, tandem, message, key=f"rhythm:skip:{week.id}"))
        if not self.prompt:
            return items
        agreed = max(
            (w for w in loaded.weeks[tandem.pair.id].values() if w.number < plan.number and w.agreed_at is not None),
            key=lambda w: w.number,
            default=None,
        )
        message = blocks.prompt(
            tandem.locale,
            week_id=week.id,
            number=plan.number,
            program=tandem.program.name,
            question=tandem.program.focus_question,
            card=week.method,
            agreed=(
                {"number": agreed.number, "homework": agreed.agreed_homework, "next_step": agreed.agreed_next_step}
                if agreed is not None
                else None
            ),
            goals=goals_section(
                tandem.locale, goals_service.context_of(goals_service.open_first(loaded.goals[tandem.pair.id]))
            ),
        )
        items.append(_post_item(session, tandem, message, key=f"{PROMPT_KEY}{week.id}"))
        return items


def _open(session: Session, tandem: Tandem, come: rules.Due, loaded: _Loaded, *, now: datetime) -> _Opened:
    """Week ``come.week`` has come (``come.missed`` passed while the clock was down): earlier weeks stop nudging;
    then it is open for its prompt, skipped for a pause, or stays cancelled."""
    plan = come.week
    assert plan is not None
    for number in come.missed:
        week = _loaded_week(session, tandem, number, loaded, now=now)
        week.status = WeekStatus.CANCELLED if week.status == WeekStatus.CANCELLED else WeekStatus.MISSED
        week.handled_at = now
    week = _loaded_week(session, tandem, plan.number, loaded, now=now)
    weeks = loaded.weeks[tandem.pair.id]
    for earlier in weeks.values():
        if earlier.number < plan.number and earlier.id is not None:
            for part in loaded.pending.pop(earlier.id, []):
                _void(part)
    week.thread_at = plan.thread_at
    week.handled_at = now
    opened = _Opened(tandem, plan, week)
    if week.status == WeekStatus.CANCELLED:
        return opened
    opened.away = [p for p in (tandem.a, tandem.b) if rules.is_paused(p.paused_until, plan.day)]
    if opened.away:
        week.status = WeekStatus.SKIPPED
        return opened
    sched = tandem.schedule
    week.status = WeekStatus.OPEN
    week.method = rules.method_card(plan.number)
    opened.prompt = True
    if plan.number < sched.weeks:
        opened.following = tandem.plan(plan.number + 1, rules.week_day(sched, plan.number + 1, _moved(weeks)))
    return opened


def _silence(tandem: Tandem, loaded: _Loaded, *, before: int, now: datetime) -> SilentPair | None:
    """Weeks before ``before`` have ended: a stretch of ``SILENCE_WEEKS`` silent ones is flagged once. A week is
    not silent when a partner answered, recorded what they agreed, or cancelled or moved a week during it."""
    handled = sorted(
        (w for w in loaded.weeks[tandem.pair.id].values() if w.number <= before and w.handled_at is not None),
        key=lambda w: w.number,
    )
    weeks = [w for w in handled if w.number < before]
    if len(weeks) < rules.SILENCE_WEEKS:
        return None
    changes = loaded.changes[tandem.pair.id]
    ends = {w.number: nxt.thread_at or now for w, nxt in pairwise(handled)}

    def heard(week: PairWeek) -> bool:
        start, end = week.thread_at or now, ends.get(week.number, now)
        return week.id in loaded.answered or week.agreed_at is not None or any(start <= at < end for at in changes)

    stretch = rules.silence_to_flag(
        [
            rules.WeekSignal(number=w.number, status=w.status, heard=heard(w), flagged=w.silence_flagged_at is not None)
            for w in weeks
        ]
    )
    if not stretch:
        return None
    last = next(w for w in weeks if w.number == stretch[-1])
    last.silence_flagged_at = now
    return SilentPair(tandem.program, tandem.a, tandem.b, stretch, last.id)


def _send_nudges(session: Session, *, now: datetime) -> int:
    """The DM to a later partner at their own hour, and the one mid-week nudge to a partner who has not
    answered; each links to the pair's conversation. Nothing goes to someone on a break or who answered."""
    due_nudge = and_(WeekPartner.nudge_at <= now, WeekPartner.nudge_sent_at.is_(None))
    due_midweek = and_(WeekPartner.midweek_at <= now, WeekPartner.midweek_sent_at.is_(None))
    rows = (
        session.execute(
            select(WeekPartner, PairWeek)
            .join(PairWeek, PairWeek.id == WeekPartner.week_id)
            .where(or_(due_nudge, due_midweek))
            .order_by(WeekPartner.id)
        )
        .tuples()
        .all()
    )
    sent = 0
    for part, week in rows:
        pair = session.get(Pair, week.pair_id)
        assert pair is not None
        tandem = tandem_of(session, pair)
        person = tandem.person(part.participant_id)
        live = (
            week.status == WeekStatus.OPEN
            and pair.status == PairStatus.ACTIVE
            and tandem.program.status == ProgramStatus.ACTIVE
        )
        if not live or part.answered_at or rules.paused_now(person.paused_until, now=now, tz=person.tz):
            part.nudge_at = part.nudge_at if part.nudge_sent_at else None
            part.midweek_at = part.midweek_at if part.midweek_sent_at else None
            continue
        nudge_due = part.nudge_at is not None and part.nudge_at <= now and part.nudge_sent_at is None
        midweek_due = part.midweek_at is not None and part.midweek_at <= now and part.midweek_sent_at is None
        if nudge_due and part.nudge_at is not None and rules.is_stale(part.nudge_at, now=now):
            part.nudge_at, nudge_due = None, False
        if midweek_due and part.midweek_at is not None and rules.is_stale(part.midweek_at, now=now):
            part.midweek_at, midweek_due = None, False
        if not (nudge_due or midweek_due) or not resolve_thread(session, week):
            continue  # nothing left to send, or the prompt itself is not out yet (next minute)
        workspace = session.get(Workspace, tandem.program.workspace_id)
        assert workspace is not None and week.channel_id is not None
        url = blocks.thread_url(workspace.team_id, week.channel_id)
        partner = tandem.partner_of(person.id).display_name
        if nudge_due:
            message = blocks.nudge(
                person.locale, number=week.number, partner=partner, question=tandem.program.focus_question, url=url
            )
            _dm(session, tandem, person, message, key=f"rhythm:nudge:{part.id}", now=now)
            part.nudge_sent_at = now
            sent += 1
        if midweek_due:
            sched = tandem.schedule
            until = (
                rules.week_day(sched, week.number + 1, _moved(_weeks(session, pair.id)))
                if week.number < sched.weeks
                else sched.end_day
            )
            message = blocks.midweek(
                person.locale,
                number=week.number,
                partner=partner,
                question=tandem.program.focus_question,
                url=url,
                until=until,
            )
            _dm(session, tandem, person, message, key=f"rhythm:midweek:{part.id}", now=now)
            part.midweek_sent_at = now
            sent += 1
    return sent


def _dm(
    session: Session, tandem: Tandem, person: Participant, message: dict[str, Any], *, key: str, now: datetime
) -> None:
    outbox.post(
        session,
        workspace_id=tandem.program.workspace_id,
        channel=person.slack_user_id,
        message=message,
        now=now,
        about=outbox.About.of(pair=tandem.pair, people=[person]),
        dedupe_key=key,
    )


# -- answers -----------------------------------------------------------------------------------------------
def week_of_thread(session: Session, *, channel_id: str, thread_ts: str) -> PairWeek | None:
    """The week whose prompt started this thread in this group DM, if any."""
    found = session.scalar(
        select(PairWeek).where(PairWeek.thread_ts == thread_ts, PairWeek.channel_id == channel_id).limit(1)
    )
    if found is not None:
        return found
    unread = session.scalars(  # prompts sent whose ts we have not read back yet
        select(PairWeek)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.channel_id == channel_id, PairWeek.thread_ts.is_(None), PairWeek.status.in_(POSTED))
    ).all()
    for week in unread:
        if resolve_thread(session, week) and week.thread_ts == thread_ts and week.channel_id == channel_id:
            return week
    return None


def _mark_answered(session: Session, week: PairWeek, participant_id: int, *, now: datetime) -> None:
    part = session.scalar(
        select(WeekPartner).where(WeekPartner.week_id == week.id, WeekPartner.participant_id == participant_id)
    )
    if part is not None and part.answered_at is None:
        part.answered_at = now


def replying_partner(
    session: Session, *, team_id: str, channel_id: str, thread_ts: str, user_id: str
) -> Participant | None:
    """The partner who wrote in one of their pair's week threads; None for anyone and anything else."""
    week = week_of_thread(session, channel_id=channel_id, thread_ts=thread_ts)
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if pair is None or participant is None or participant.id not in (pair.participant_a_id, pair.participant_b_id):
        return None
    return participant


def record_reply(
    session: Session, *, team_id: str, channel_id: str, thread_ts: str, user_id: str, text: str, ts: str, now: datetime
) -> bool:
    """A message in a week's thread by one of the pair's partners becomes an answer (once per ``ts``, so
    Slack's retries change nothing). Anything else (another thread, someone else) is ignored. Commits."""
    week = week_of_thread(session, channel_id=channel_id, thread_ts=thread_ts)
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if week is None or pair is None or participant is None:
        session.commit()  # keeps what resolving read back
        return False
    if participant.id not in (pair.participant_a_id, pair.participant_b_id):
        session.commit()
        return False
    seen = session.scalar(select(WeekAnswer.id).where(WeekAnswer.week_id == week.id, WeekAnswer.slack_ts == ts))
    if seen is None:
        session.add(
            WeekAnswer(
                week_id=week.id, participant_id=participant.id, text=text, slack_ts=ts, source="thread", created_at=now
            )
        )
        _mark_answered(session, week, participant.id, now=now)
    session.commit()
    return True


@dataclass(frozen=True)
class Found:
    """A week a partner acts on, with their tandem; or why not (``refusal``)."""

    week: PairWeek | None = None
    tandem: Tandem | None = None
    refusal: str | None = None


def find(session: Session, *, participant: Participant | None, week_id: int | None) -> Found:
    """The week behind a button or modal, if ``participant`` is one of its pair and the pair is active."""
    week = session.get(PairWeek, week_id) if week_id is not None else None
    pair = session.get(Pair, week.pair_id) if week is not None else None
    if week is None or pair is None or participant is None:
        return Found(refusal=NOT_YOURS)
    tandem = tandem_of(session, pair)
    if not tandem.has(participant.id):
        return Found(refusal=NOT_YOURS)
    if pair.status != PairStatus.ACTIVE:
        return Found(refusal=PAIR_ENDED)
    return Found(week, tandem)


def superseded(session: Session, week: PairWeek) -> bool:
    """Whether a newer week's prompt is already in the thread."""
    return (
        session.scalar(
            select(PairWeek.id)
            .where(
                PairWeek.pair_id == week.pair_id,
                PairWeek.number > week.number,
                PairWeek.status.in_(PROMPTED),
                PairWeek.handled_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def answer(session: Session, *, participant: Participant, week_id: int, text: str, now: datetime) -> str | None:
    """The Answer modal: record it and post it in the week's thread for the partner. Returns a refusal key or
    None. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return found.refusal
    week, tandem = found.week, found.tandem
    if week.status not in PROMPTED or not resolve_thread(session, week):
        return UNAVAILABLE
    row = WeekAnswer(week_id=week.id, participant_id=participant.id, text=text, source="modal", created_at=now)
    session.add(row)
    session.flush()
    _mark_answered(session, week, participant.id, now=now)
    message = blocks.answer_posted(tandem.locale, name=participant.display_name, text=text)
    _post(
        session,
        tandem,
        message,
        key=f"rhythm:answer:{row.id}",
        now=now,
        channel=week.channel_id,
        thread_ts=week.thread_ts,
    )
    session.commit()
    return None


def agree(
    session: Session, *, participant: Participant, week_id: int, homework: str, next_step: str, now: datetime
) -> str | None:
    """Record "what we agreed": store it, close the week (no more nudges), post it in the thread; the next prompt opens
    with it. Either partner may record or update it until the next week's prompt. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.week is None or found.tandem is None:
        return found.refusal
    week, tandem = found.week, found.tandem
    if week.status not in PROMPTED:
        return UNAVAILABLE
    if superseded(session, week):
        return WEEK_OVER
    updated = week.agreed_at is not None
    week.agreed_homework, week.agreed_next_step = homework, next_step
    week.agreed_by, week.agreed_at = participant.id, now
    week.status = WeekStatus.CLOSED
    _mark_answered(session, week, participant.id, now=now)
    _void_nudges(session, [week.id])
    message = blocks.agreed_posted(
        tandem.locale,
        number=week.number,
        name=participant.display_name,
        homework=homework,
        next_step=next_step,
        updated=updated,
    )
    key = f"rhythm:agreed:{week.id}:{now:%Y%m%dT%H%M%S%f}:{zlib.crc32(f'{homework}|{next_step}'.encode()):08x}"
    if resolve_thread(session, week):
        _post(session, tandem, message, key=key, now=now, channel=week.channel_id, thread_ts=week.thread_ts)
    else:
        _post(session, tandem, message, key=key, now=now)
    session.commit()
    return None


# -- cancel and move ---------------------------------------------------------------------------------------
def choices(session: Session, tandem: Tandem, *, now: datetime, moving: bool) -> list[blocks.WeekChoice]:
    """The weeks a partner may cancel (the week under way, while open, and the next few) or move (the next
    few whose prompt has not come yet)."""
    sched = tandem.schedule
    weeks = _weeks(session, tandem.pair.id)
    handled = max((n for n, w in weeks.items() if w.handled_at is not None), default=0)
    moved = _moved(weeks)
    out: list[blocks.WeekChoice] = []
    current = weeks.get(handled)
    if not moving and current is not None and current.status == WeekStatus.OPEN:
        out.append(blocks.WeekChoice(handled, current.moved_to or current.day, current=True))
    ahead: list[blocks.WeekChoice] = []
    for plan in rules.upcoming(sched, after=handled, moved=moved, zones=tandem.zones, limit=sched.weeks):
        row = weeks.get(plan.number)
        if plan.thread_at <= now or (row is not None and row.status == WeekStatus.CANCELLED):
            continue  # about to be posted, or cancelled already
        ahead.append(blocks.WeekChoice(plan.number, plan.day))
        if len(ahead) == rules.UPCOMING_CHOICES:
            break
    return out + ahead


def _thread_at(tandem: Tandem, week: PairWeek, day: date) -> datetime:
    return week.thread_at if week.handled_at is not None and week.thread_at else tandem.plan(week.number, day).thread_at


def cancel(session: Session, *, participant: Participant, week_id: int, number: int, now: datetime) -> str | None:
    """Cancel week ``number`` (the clicked prompt's pair): no prompt, no nudges; logged in ``Cancellation``,
    ``late`` when less than 24 h before its prompt; the partner reads it in the thread. Returns a refusal key
    (``week_gone`` for a week that cannot be cancelled) or None. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.tandem is None:
        return found.refusal
    tandem = found.tandem
    choice = next((c for c in choices(session, tandem, now=now, moving=False) if c.number == number), None)
    if choice is None:
        return "week_gone"
    week = _week(session, tandem, number, now=now)
    late = rules.is_late(thread_at=_thread_at(tandem, week, choice.day), now=now)
    week.status = WeekStatus.CANCELLED
    session.add(
        Cancellation(
            pair_id=tandem.pair.id,
            participant_id=participant.id,
            week_number=number,
            kind=CancelKind.CANCEL,
            late=late,
            created_at=now,
        )
    )
    session.flush()
    if choice.current:
        _void_nudges(session, [week.id])
    message = blocks.cancelled_note(
        tandem.locale, name=participant.display_name, number=number, day=choice.day, current=choice.current
    )
    _post_in_thread(session, tandem, message, key=f"rhythm:cancel:{tandem.pair.id}:{number}", now=now)
    session.commit()
    return None


@dataclass(frozen=True)
class MoveResult:
    """None of these set: moved. ``refusal``: nothing changed (a click-level reason or ``week_gone``);
    ``error``: the new day is not possible (a ``move_to.*`` key) between ``after`` and ``before``."""

    refusal: str | None = None
    error: str | None = None
    after: date | None = None
    before: date | None = None


def move(
    session: Session, *, participant: Participant, week_id: int, number: int, new_day: date | None, now: datetime
) -> MoveResult:
    """Move week ``number`` to ``new_day``: its prompt comes that day at everyone's usual hour; logged in
    ``Cancellation`` (kind move, ``late`` when less than 24 h before its original prompt); the partner reads it
    in the thread. Commits what it changes."""
    found = find(session, participant=participant, week_id=week_id)
    if found.refusal is not None or found.tandem is None:
        return MoveResult(refusal=found.refusal)
    tandem = found.tandem
    choice = next((c for c in choices(session, tandem, now=now, moving=True) if c.number == number), None)
    if choice is None:
        return MoveResult(refusal="week_gone")
    sched = tandem.schedule
    moved = _moved(_weeks(session, tandem.pair.id))
    error = rules.move_error(new_day, number=number, sched=sched, moved=moved, zones=tandem.zones, now=now)
    if error is not None or new_day is None:
        after, before = rules.move_bounds(number, sched=sched, moved=moved)
        return MoveResult(error=error or "move_to.required", after=after, before=before)
    week = _week(session, tandem, number, now=now)
    late = rules.is_late(thread_at=tandem.plan(number, choice.day).thread_at, now=now)
    week.moved_to = new_day
    session.add(
        Cancellation(
            pair_id=tandem.pair.id,
            participant_id=participant.id,
            week_number=number,
            kind=CancelKind.MOVE,
            moved_to=new_day,
            late=late,
            created_at=now,
        )
    )
    session.flush()
    message = blocks.moved_note(
        tandem.locale, name=participant.display_name, number=number, old=choice.day, new=new_day
    )
    _post_in_thread(
        session, tandem, message, key=f"rhythm:move:{tandem.pair.id}:{number}:{new_day.isoformat()}", now=now
    )
    session.commit()
    return MoveResult()


# -- pauses ------------------------------------------------------------------------------------------------
def current_pause(participant: Participant, *, now: datetime) -> date | None:
    """The last day of the person's break while it lasts, else None."""
    if rules.paused_now(participant.paused_until, now=now, tz=participant.tz):
        return participant.paused_until
    return None


def set_pause(session: Session, *, participant: Participant, until: date | None, now: datetime) -> bool:
    """Start or change a break (``until``, inclusive) or end it (None). Each of the person's active tandems
    reads a short, neutral note in its thread. Returns False when ending a break there was none of. Commits."""
    if until is None and current_pause(participant, now=now) is None:
        return False
    participant.paused_until = until
    participant.updated_at = now
    for tandem in _active_tandems(session, participant):
        message = blocks.pause_note(tandem.locale, name=participant.display_name, until=until)
        change = until.isoformat() if until else "off"
        key = f"rhythm:pause:{participant.id}:{tandem.pair.id}:{change}:{now:%Y%m%dT%H%M%S%f}"
        _post_in_thread(session, tandem, message, key=key, now=now)
    session.commit()
    return True


# -- App Home ----------------------------------------------------------------------------------------------
def _next_prompt(session: Session, tandem: Tandem, participant: Participant) -> blocks.NextPrompt:
    sched = tandem.schedule
    weeks = _weeks(session, tandem.pair.id)
    handled = max((n for n, w in weeks.items() if w.handled_at is not None), default=0)
    partner = tandem.partner_of(participant.id).display_name
    for plan in rules.upcoming(sched, after=handled, moved=_moved(weeks), zones=tandem.zones, limit=sched.weeks):
        row = weeks.get(plan.number)
        if row is not None and row.status == WeekStatus.CANCELLED:
            continue
        if any(rules.is_paused(p.paused_until, plan.day) for p in (tandem.a, tandem.b)):
            continue
        return blocks.NextPrompt(tandem.program.name, partner, plan.number, plan.at[participant.id])
    return blocks.NextPrompt(tandem.program.name, partner, None, None)


def home_info(session: Session, *, participant: Participant, now: datetime) -> blocks.RhythmHome:
    """Each active tandem's next prompt on the person's own clock, and their break while it lasts."""
    return blocks.RhythmHome(
        tz=participant.tz,
        paused_until=current_pause(participant, now=now),
        next_prompts=[_next_prompt(session, t, participant) for t in _active_tandems(session, participant)],
    )
