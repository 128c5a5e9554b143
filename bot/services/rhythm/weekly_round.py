"""The weekly round (the clock's job, for every pair at once; one pair's week is ``pair_week``): each week's prompt
in the pair's group DM at the earlier partner's hour, the DM nudge to the later partner at theirs, the one mid-week
nudge to a partner who has not answered, and the silence rule (the flow tells the hosts, without content).

What the round reads, it reads for all the pairs that are due in a few queries; what it writes goes to the outbox
in the tick's transaction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Select, Subquery, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, load_only

from bot.blocks import rhythm as blocks
from bot.blocks.agreement import goals_section
from bot.domain import live as live_rules
from bot.domain import rhythm as rules
from bot.domain.worktime import of_row
from bot.models import (
    Cancellation,
    Goal,
    OutboxMessage,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ProgramStatus,
    WeekPartner,
    WeekPrep,
    WeekStatus,
    Workspace,
)
from bot.models.participant import worktime_columns, worktime_fields
from bot.services import goals as goals_service
from bot.services import outbox
from bot.services.rhythm.pair_week import (
    PROMPT_KEY,
    PROMPTED,
    SCHEDULE_COLUMNS,
    Tandem,
    _in_thread_item,
    _moved,
    _new_week,
    _pending_nudge,
    _post_item,
    _void,
    schedule_of,
)

TANDEM_FIELDS = (
    Participant.id,
    Participant.workspace_id,
    Participant.slack_user_id,
    Participant.display_name,
    Participant.locale,
    Participant.role,
    Participant.paused_until,
    Participant.preferences,  # the way of working: a live or mixed pair's prompt offers *Find a live slot*
    *worktime_fields(),  # the clock asks every active tandem's working times each minute
)


# Built once: the clock runs these every minute, mostly to find nothing due (building a statement costs more CPU
# than the query). Bind parameters: ``now``, ``key``.
_ACTIVE_PAIRS = (
    select(Pair, Program)
    .join(Program, Program.id == Pair.program_id)
    .where(Pair.status == PairStatus.ACTIVE, Program.status == ProgramStatus.ACTIVE)
    .order_by(Pair.id)
)
_ACTIVE_PARTNERS = (
    select(Participant)
    .options(load_only(*TANDEM_FIELDS))  # the free-text profile is loaded only if something reads it
    .join(Pair, or_(Pair.participant_a_id == Participant.id, Pair.participant_b_id == Participant.id))
    .where(Pair.status == PairStatus.ACTIVE)
)
_HANDLED = (
    select(PairWeek.pair_id, func.max(PairWeek.number))
    .join(Pair, Pair.id == PairWeek.pair_id)
    .where(Pair.status == PairStatus.ACTIVE, PairWeek.handled_at.is_not(None))
    .group_by(PairWeek.pair_id)
)
_MOVED = select(PairWeek.pair_id, PairWeek.number, PairWeek.moved_to).where(
    PairWeek.handled_at.is_(None), PairWeek.moved_to.is_not(None)
)
# the partners of a week with a nudge or the mid-week nudge due by ``now`` and not sent
_DUE_PARTS = (
    select(WeekPartner, PairWeek)
    .join(PairWeek, PairWeek.id == WeekPartner.week_id)
    .where(
        or_(
            and_(WeekPartner.nudge_at <= bindparam("now"), WeekPartner.nudge_sent_at.is_(None)),
            and_(WeekPartner.midweek_at <= bindparam("now"), WeekPartner.midweek_sent_at.is_(None)),
        )
    )
    .order_by(WeekPartner.id)
)
_NEXT_NUDGE_AT = select(func.min(WeekPartner.nudge_at)).where(
    WeekPartner.nudge_sent_at.is_(None), WeekPartner.nudge_at > bindparam("now")
)
_NEXT_MIDWEEK_AT = select(func.min(WeekPartner.midweek_at)).where(
    WeekPartner.midweek_sent_at.is_(None), WeekPartner.midweek_at > bindparam("now")
)
_SENT_RESULT = select(OutboxMessage.result).where(OutboxMessage.dedupe_key == bindparam("key"))


def active_tandems(session: Session) -> list[Tandem]:
    """Every active pair of an active program as a Tandem, by pair id: two queries for all of them (the clock's
    due jobs run this every minute)."""
    rows = session.execute(_ACTIVE_PAIRS).tuples().all()
    if not rows:
        return []
    partners = {p.id: p for p in session.scalars(_ACTIVE_PARTNERS)}
    return [
        Tandem(pair, program, partners[pair.participant_a_id], partners[pair.participant_b_id])
        for pair, program in rows
    ]


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
        handled, moved = _handled(session), _moved_weeks(session)
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


def _handled(session: Session) -> dict[int, int]:
    """Active pair id -> the number of its last week the clock dealt with (pairs without one are left out)."""
    return dict(session.execute(_HANDLED).tuples().all())


def _moved_weeks(session: Session) -> dict[int, dict[int, date]]:
    """Pair id -> its moved weeks the clock has not dealt with yet (number -> day)."""
    moved: dict[int, dict[int, date]] = {}
    for pair_id, number, day in session.execute(_MOVED).tuples():
        moved.setdefault(pair_id, {})[number] = day
    return moved


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
    preps: dict[int, list[WeekPrep]] = field(default_factory=dict)  # pair id -> filled in, not in the thread yet


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
        for prep in session.scalars(
            select(WeekPrep)
            .where(WeekPrep.pair_id.in_(chunk), WeekPrep.filled_at.is_not(None), WeekPrep.posted_at.is_(None))
            .order_by(WeekPrep.filled_at, WeekPrep.id)
        ):
            loaded.preps.setdefault(prep.pair_id, []).append(prep)
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
        sched, plan, zones = self.tandem.schedule, self.plan, self.tandem.zones
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
                        tz=zones[person.id],
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
        preps = [
            p
            for p in loaded.preps.get(tandem.pair.id, [])
            if p.week_number == plan.number and tandem.has(p.participant_id)
        ]
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
            roles=week_roles(tandem, plan.number, last=plan.number >= tandem.schedule.weeks),
            live_pair=tandem.pair.id if live_rules.pair_works_live(*tandem.modes) else None,
            preps=[
                {"name": tandem.person(p.participant_id).display_name, "bring": p.bring or "", "need": p.need or ""}
                for p in preps
            ],
        )
        for prep in preps:
            prep.posted_at = week.handled_at
        items.append(_post_item(session, tandem, message, key=f"{PROMPT_KEY}{week.id}"))
        return items


def week_roles(tandem: Tandem, number: int, *, last: bool = False) -> blocks.WeekRoles:
    """Who moderates week ``number`` (and the next, unless it is the ``last``), who proposes the logistics, who brings
    what (``bot.domain.rhythm.roles``)."""
    people = (tandem.a, tandem.b)
    found = rules.roles(number, tandem.a.role, tandem.b.role)

    def who(index: int | None) -> str | None:
        return people[index].slack_user_id if index is not None else None

    return blocks.WeekRoles(
        moderator=people[found.moderator].slack_user_id,
        next_moderator=None if last else people[found.next_moderator].slack_user_id,
        logistics=who(found.logistics),
        digital=who(found.digital),
        context=who(found.context),
    )


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
    earlier = max(
        (w for w in weeks.values() if w.number < plan.number and w.status in PROMPTED and w.method),
        key=lambda w: w.number,
        default=None,
    )
    week.method = rules.next_card(plan.number, previous=(earlier.number, earlier.method) if earlier else None)
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


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + LOAD_CHUNK] for start in range(0, len(ids), LOAD_CHUNK)]


def _by_id(session: Session, model: Any, ids: set[int], *options: Any) -> dict[int, Any]:
    """Rows of ``model`` by id, a chunk of ids per query (held here, so the session's identity map keeps them)."""
    found: dict[int, Any] = {}
    for chunk in _chunks(sorted(ids)):
        for row in session.scalars(select(model).options(*options).where(model.id.in_(chunk))):
            found[row.id] = row
    return found


def _resolve_threads(session: Session, weeks: list[PairWeek], pairs: dict[int, Pair]) -> set[int]:
    """:func:`resolve_thread` for many weeks at once (the same reads and changes, a few queries for all of them):
    the ids of the weeks whose prompt is in Slack."""
    out = {w.id for w in weeks if w.thread_ts}
    todo = list({w.id: w for w in weeks if not w.thread_ts}.values())
    if not todo:
        return out
    keys = [f"{PROMPT_KEY}{w.id}" for w in todo]
    results: dict[str, Any] = {}
    for start in range(0, len(keys), LOAD_CHUNK):
        results.update(
            session.execute(
                select(OutboxMessage.dedupe_key, OutboxMessage.result).where(
                    OutboxMessage.dedupe_key.in_(keys[start : start + LOAD_CHUNK])
                )
            )
            .tuples()
            .all()
        )
    newest: dict[int, int] = {}  # pair id -> its newest prompted week that the clock handled
    for chunk in _chunks(sorted({w.pair_id for w in todo})):
        newest.update(
            session.execute(
                select(PairWeek.pair_id, func.max(PairWeek.number))
                .where(PairWeek.pair_id.in_(chunk), PairWeek.status.in_(PROMPTED), PairWeek.handled_at.is_not(None))
                .group_by(PairWeek.pair_id)
            )
            .tuples()
            .all()
        )
    for week in todo:
        result = results.get(f"{PROMPT_KEY}{week.id}")
        if not result or not result.get("ts"):
            continue
        week.channel_id = result.get("channel")
        week.thread_ts = result["ts"]
        pair = pairs[week.pair_id]
        pair.channel_id = pair.channel_id or week.channel_id
        if newest.get(week.pair_id, 0) <= week.number:  # no newer prompted week
            pair.thread_ts = week.thread_ts
        out.add(week.id)
    return out


def _send_nudges(session: Session, *, now: datetime) -> int:
    """The DM to a later partner at their own hour, and the one mid-week nudge to a partner who has not
    answered; each links to the pair's conversation. Nothing goes to someone on a break or who answered.

    Like the round, for every due partner at once: their pairs, programs, partners and workspaces are read in a
    few queries, and the DMs queued with ``outbox.enqueue_many``, in the order each would have been queued."""
    rows = session.execute(_DUE_PARTS, {"now": now}).tuples().all()
    if not rows:
        return 0
    pairs: dict[int, Pair] = _by_id(session, Pair, {week.pair_id for _, week in rows})
    programs: dict[int, Program] = _by_id(session, Program, {pair.program_id for pair in pairs.values()})
    people: dict[int, Participant] = _by_id(
        session,
        Participant,
        {i for pair in pairs.values() for i in (pair.participant_a_id, pair.participant_b_id)},
        load_only(*TANDEM_FIELDS),
    )
    tandems = {
        pid: Tandem(pair, programs[pair.program_id], people[pair.participant_a_id], people[pair.participant_b_id])
        for pid, pair in pairs.items()
    }
    # who gets what, decided as one partner at a time would: (part, week, tandem, person, nudge, midweek)
    todo: list[tuple[WeekPartner, PairWeek, Tandem, Participant, bool, bool]] = []
    for part, week in rows:
        tandem = tandems[week.pair_id]
        pair = tandem.pair
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
        if nudge_due or midweek_due:
            todo.append((part, week, tandem, person, nudge_due, midweek_due))
    posted = _resolve_threads(session, [week for _, week, *_ in todo], pairs)
    todo = [t for t in todo if t[1].id in posted]  # the prompt itself is not out yet: next minute
    workspaces: dict[int, Workspace] = _by_id(session, Workspace, {t[2].program.workspace_id for t in todo})
    moved: dict[int, dict[int, date]] = {}  # pair id -> its moved weeks, for the mid-week nudge's "until"
    for chunk in _chunks(sorted({t[2].pair.id for t in todo if t[5]})):
        for pair_id, number, day, handled_at in session.execute(
            select(PairWeek.pair_id, PairWeek.number, PairWeek.moved_to, PairWeek.handled_at).where(
                PairWeek.pair_id.in_(chunk)
            )
        ).tuples():
            if day is not None and handled_at is None:
                moved.setdefault(pair_id, {})[number] = day
    items: list[dict[str, Any]] = []
    for part, week, tandem, person, nudge_due, midweek_due in todo:
        workspace = workspaces.get(tandem.program.workspace_id)
        assert workspace is not None and week.channel_id is not None
        url = blocks.thread_url(workspace.team_id, week.channel_id)
        partner = tandem.partner_of(person.id).display_name
        if nudge_due:
            message = blocks.nudge(
                person.locale, number=week.number, partner=partner, question=tandem.program.focus_question, url=url
            )
            items.append(_dm_item(tandem, person, message, key=f"rhythm:nudge:{part.id}"))
            part.nudge_sent_at = now
        if midweek_due:
            sched = tandem.schedule
            until = (
                rules.week_day(sched, week.number + 1, moved.get(tandem.pair.id, {}))
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
            items.append(_dm_item(tandem, person, message, key=f"rhythm:midweek:{part.id}"))
            part.midweek_sent_at = now
    for start in range(0, len(items), OUTBOX_CHUNK):
        outbox.enqueue_many(session, items[start : start + OUTBOX_CHUNK], now=now)
    return len(items)


# -- when the round may act next ------------------------------------------------------------------------------
def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the earliest of every active pair's next thread
    moment (``rules.next_moment``; silence flags come only with a week that opens) and of the nudges
    (:func:`_next_nudge`).

    The pairs are those ``active_tandems`` gives ``due``, read in one query as the columns their weeks' moments
    depend on (the clock asks after every tick): pairs alike in them (one program, started at the same moment, the
    same zones, as many weeks dealt with, none moved) come as one row, worked out once."""
    moments: list[datetime | None] = [_next_nudge(session, now=now)]
    rows = session.execute(_schedules()).all()
    moved = _moved_weeks(session) if any(row.moving for row in rows) else {}
    schedules: dict[tuple[Any, ...], rules.Schedule] = {}
    for row in rows:
        key = tuple(row[:7])  # started_at and the program's columns
        if key not in schedules:
            schedules[key] = schedule_of(row, row.started_at)
        moments.append(
            rules.next_moment(
                schedules[key],
                handled=row.handled or 0,
                moved=moved.get(row.moving, {}) if row.moving else {},
                zones={0: of_row(row, "_a"), 1: of_row(row, "_b")},
            )
        )
    return min((at for at in moments if at is not None), default=None)


def handled_weeks() -> Subquery:
    """Per pair, the number of the last week the clock dealt with (``handled``); pairs with none are not in it."""
    return (
        select(PairWeek.pair_id, func.max(PairWeek.number).label("handled"))
        .where(PairWeek.handled_at.is_not(None))
        .group_by(PairWeek.pair_id)
        .subquery()
    )


@functools.cache
def _schedules() -> Select[Any]:
    """The pairs of :func:`active_tandems` with what their weeks' moments depend on, the number of their last week
    the clock dealt with included: one row for all those alike, and one for each pair with a moved week the clock
    has not dealt with yet (``moving``: its id). Built once."""
    a, b = aliased(Participant), aliased(Participant)
    handled = handled_weeks()
    moving = (
        select(PairWeek.pair_id)
        .where(PairWeek.handled_at.is_(None), PairWeek.moved_to.is_not(None))
        .distinct()
        .subquery()
    )
    columns = (
        *SCHEDULE_COLUMNS,
        Program.working_days,
        *worktime_columns(a, "_a"),
        *worktime_columns(b, "_b"),
        handled.c.handled,
        moving.c.pair_id.label("moving"),
    )
    return (
        select(*columns)
        .join(Program, Program.id == Pair.program_id)
        .join(a, a.id == Pair.participant_a_id)
        .join(b, b.id == Pair.participant_b_id)
        .outerjoin(handled, handled.c.pair_id == Pair.id)
        .outerjoin(moving, moving.c.pair_id == Pair.id)
        .where(Pair.status == PairStatus.ACTIVE, Program.status == ProgramStatus.ACTIVE)
        .group_by(*columns)
    )


def _next_nudge(session: Session, *, now: datetime) -> datetime | None:
    """When :func:`_send_nudges` may next act: ``now`` for a due nudge it sends or drops now; for one that waits for
    its week's prompt to go out, the moment it turns stale (``rules.stale_from``: then it is dropped); else the
    moment of the next nudge planned."""
    moments = [
        at
        for at in (session.scalar(_NEXT_NUDGE_AT, {"now": now}), session.scalar(_NEXT_MIDWEEK_AT, {"now": now}))
        if at is not None
    ]
    rows = session.execute(_DUE_PARTS, {"now": now}).tuples().all()
    for part, week in rows:  # few: ``_send_nudges`` sends or drops each the minute it is due, unless it waits
        pair = session.get(Pair, week.pair_id)
        program = session.get(Program, pair.program_id) if pair is not None else None
        person = session.get(Participant, part.participant_id)
        if pair is None or program is None or person is None:
            return now
        live = (
            week.status == WeekStatus.OPEN
            and pair.status == PairStatus.ACTIVE
            and program.status == ProgramStatus.ACTIVE
        )
        if not live or part.answered_at or rules.paused_now(person.paused_until, now=now, tz=person.tz):
            return now  # dropped now
        due = [
            at
            for at, sent in ((part.nudge_at, part.nudge_sent_at), (part.midweek_at, part.midweek_sent_at))
            if at is not None and at <= now and sent is None
        ]
        if any(rules.is_stale(at, now=now) for at in due) or _prompt_out(session, week):
            return now  # dropped, or sent
        moments.extend(rules.stale_from(at) for at in due)
    return min(moments, default=None)


def _prompt_out(session: Session, week: PairWeek) -> bool:
    """Whether the week's prompt is in Slack, as :func:`_resolve_threads` sees it (without reading it back)."""
    if week.thread_ts:
        return True
    result = session.scalar(_SENT_RESULT, {"key": f"{PROMPT_KEY}{week.id}"})
    return bool(result and result.get("ts"))


def _dm_item(tandem: Tandem, person: Participant, message: dict[str, Any], *, key: str) -> dict[str, Any]:
    """An ``outbox.post`` of ``message`` to the person's DM, as an item of ``outbox.enqueue_many``."""
    return {
        "workspace_id": tandem.program.workspace_id,
        "method": "chat.postMessage",
        "payload": {"channel": person.slack_user_id, **message},
        "about": outbox.About.of(pair=tandem.pair, people=[person]),
        "dedupe_key": key,
    }
