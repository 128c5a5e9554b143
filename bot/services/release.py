"""The weekly release (the rule in ``bot.domain.release`` and DATA.md): once a week, on the program's digest day and
hour, every series of the program gathers the contributions that settled since its last released cell and writes a
new cell when at least the threshold of distinct contributors stand behind them. Every surface that shows a figure
built from other people's contributions (the dashboard, App Home, the weekly digest and its charts, the export,
pulse results, retro counts, cohorts side by side) reads it from these cells (:func:`cells`), never from live rows.

The series and their contributions:

- ``prompts``: each partner prompt, a week after its moment: 1 when answered by then, else 0 (contributor: the
  person). The focus-prompt response rate.
- ``active_pairs``: each pair active at the release: 1 when a partner answered a focus prompt since the series'
  last cell, else 0 (contributor: the pair).
- ``agreements``: each pair, two weeks after it was matched: 1 when its agreement was accepted by then.
- ``goals``: each pair active at the release or with a goal set or done since the last cell: how many goals it set
  (accepted by both partners: a proposed goal counts from its acceptance) and finished in that time.
- ``trial``: each trial check-in, when it resolved: 1 for a switch.
- ``retros``: each retro, two weeks after it opened: 1 when both partners filled it in by then; the talk-share
  ratings and "what we change" answers of those, and each retro theme either partner tagged (once per retro).
- ``followup``: each answer to the follow-up 30 and 90 days after a pair ended, when it was given: 1 for yes; how many
  said yes, partly, no (contributor: the person).
- ``late``: each partner of a pair active at the release, or with a late cancellation or move since the last cell:
  how many weeks they cancelled or moved less than 24 hours ahead in that time (contributor: the person).
- ``prompts`` and ``late`` are also split by the reversed roles (``rules.by_side``: the digital and the context side, as
  each person takes it in their latest pair of the program, ``rules.side_in_pair``), in the same cell, only when each
  side and everyone else is empty or at least the threshold of people strong.
- ``metric:<id>`` (pair-reported metrics): each pair's latest value logged since the series' last cell.
- ``pulse:<round>``: a closed pulse round is its own window: its result when at least its threshold answered,
  else a cell that says only "hidden" (its answers are never shown, not even later).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.domain import followup as followup_rules
from bot.domain import polls as poll_rules
from bot.domain import release as rules
from bot.domain import retro as retro_rules
from bot.domain.localtime import zone
from bot.domain.release import Cell, Contribution
from bot.models import (
    Agreement,
    Cancellation,
    FollowUp,
    Goal,
    Metric,
    MetricReporter,
    MetricValue,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ReleaseCell,
    Retro,
    RetroAnswer,
    TrialCheck,
    TrialOutcome,
    WeekPartner,
)


def local_day(program: Program, now: datetime) -> date:
    return now.astimezone(zone(program.timezone)).date()


def due_on(program: Program, now: datetime) -> date | None:
    """The day the program's weekly release is due at ``now``, or None (``bot.domain.release.due_on``)."""
    return rules.due_on(
        start=program.start_date,
        duration_weeks=program.duration_weeks,
        weekday=program.prompt_weekday,
        local=now.astimezone(zone(program.timezone)),
        hour=rules.HOUR,
    )


def next_due_at(program: Program, now: datetime, *, done: Collection[date] = ()) -> datetime | None:
    """The first moment at or after ``now`` at which :func:`due_on` names a day not in ``done``
    (``bot.domain.release.next_due_at``)."""
    return rules.next_due_at(
        start=program.start_date,
        duration_weeks=program.duration_weeks,
        weekday=program.prompt_weekday,
        hour=rules.HOUR,
        tz=program.timezone,
        now=now,
        done=done,
    )


def next_release(program: Program, now: datetime) -> datetime | None:
    """When the program's next weekly release comes (aware, in its zone), or None when none is left."""
    local = now.astimezone(zone(program.timezone))
    for ahead in range(8):
        moment = datetime.combine(local.date() + timedelta(days=ahead), time(rules.HOUR), tzinfo=local.tzinfo)
        if moment > local and due_on(program, moment) is not None:
            return moment
    return None


# -- reading -----------------------------------------------------------------------------------------------------
# Built once, as plain rows (no ORM objects): every dashboard, digest and App Home of a host reads all the cells.
_CELLS = (
    select(
        ReleaseCell.program_id,
        ReleaseCell.series,
        ReleaseCell.released_on,
        ReleaseCell.contributors,
        ReleaseCell.num,
        ReleaseCell.den,
        ReleaseCell.data,
    )
    .where(ReleaseCell.program_id.in_(bindparam("ids", expanding=True)))
    .order_by(ReleaseCell.released_on, ReleaseCell.series, ReleaseCell.id)
)


def cells(session: Session, program_ids: Iterable[int]) -> dict[int, list[Cell]]:
    """Every released cell of the programs, oldest first: the only source of the figures people see."""
    ids = sorted(set(program_ids))
    out: dict[int, list[Cell]] = {pid: [] for pid in ids}
    if not ids:
        return out
    for program_id, name, day, contributors, num, den, data in session.execute(_CELLS, {"ids": ids}).tuples():
        out[program_id].append(
            Cell(series=name, day=day, contributors=contributors, num=num, den=den, data=dict(data or {}))
        )
    return out


def of(session: Session, program: Program) -> list[Cell]:
    return cells(session, [program.id])[program.id]


def series(all_cells: Iterable[Cell], name: str) -> list[Cell]:
    return [c for c in all_cells if c.series == name]


def pulse_cells(all_cells: Iterable[Cell]) -> list[Cell]:
    """The released pulse rounds, by round number."""
    found = [c for c in all_cells if c.series.startswith(rules.PULSE)]
    return sorted(found, key=lambda c: int(c.data.get("number", 0)))


def last_release(session: Session, program: Program) -> date | None:
    """The day of the program's latest weekly release (its KPI snapshot), or None before the first."""
    from bot.models import KpiSnapshot

    return session.scalar(select(func.max(KpiSnapshot.taken_on)).where(KpiSnapshot.program_id == program.id))


def released_at(session: Session, program: Program) -> datetime | None:
    """The moment of the program's latest weekly release (its KPI snapshot), or None before the first: what hosts
    and participants see of texts others gave (quotes) is what was given by then, so it moves once a week, never
    at the moment someone gives one."""
    from bot.models import KpiSnapshot

    return session.scalar(select(func.max(KpiSnapshot.created_at)).where(KpiSnapshot.program_id == program.id))


# -- the contributions of each series since its last cell --------------------------------------------------------
def _yes_no(
    session: Session, query: Any, start: Any, days: int, since: datetime | None, now: datetime
) -> list[tuple[tuple[Any, ...], bool]]:
    """Yes/no contributions that settle ``days`` after ``start`` (``rules.settles``) and settled in the window
    (``since``, ``now``]. ``query`` selects the row's key columns, then its start and when it became yes; narrowed here
    to the starts that can settle in the window. Returns (key, yes) each."""
    window = timedelta(days=days)
    query = query.where(start <= now - window)
    if since is not None:
        query = query.where(start > since - window)
    out = []
    for *key, started, done in session.execute(query).tuples():
        at, yes = rules.settles(started, days, done)
        if rules.settled(at, since=since, until=now):
            out.append((tuple(key), yes))
    return out


def _prompts(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = (
        select(WeekPartner.participant_id, WeekPartner.prompt_at, WeekPartner.answered_at)
        .join(PairWeek, PairWeek.id == WeekPartner.week_id)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(Pair.program_id == pid)
    )
    settled = _yes_no(session, query, WeekPartner.prompt_at, rules.ANSWER_DAYS, since, now)
    return [Contribution(person, 1.0 if yes else 0.0) for (person,), yes in settled]


def _active(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    pairs = session.scalars(
        select(Pair.id).where(Pair.program_id == pid, Pair.status == PairStatus.ACTIVE, Pair.started_at <= now)
    ).all()
    if not pairs:
        return []
    answered = (
        select(PairWeek.pair_id)
        .join(WeekPartner, WeekPartner.week_id == PairWeek.id)
        .where(PairWeek.pair_id.in_(pairs), WeekPartner.answered_at <= now)
    )
    if since is not None:
        answered = answered.where(WeekPartner.answered_at > since)
    heard = set(session.scalars(answered))
    return [Contribution(pair, 1.0 if pair in heard else 0.0) for pair in pairs]


def _agreements(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = (
        select(Pair.id, Pair.started_at, Agreement.agreed_at)
        .outerjoin(Agreement, Agreement.pair_id == Pair.id)
        .where(Pair.program_id == pid)
    )
    settled = _yes_no(session, query, Pair.started_at, rules.AGREE_DAYS, since, now)
    return [Contribution(pair, 1.0 if yes else 0.0) for (pair,), yes in settled]


def _goals(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    active = set(
        session.scalars(
            select(Pair.id).where(Pair.program_id == pid, Pair.status == PairStatus.ACTIVE, Pair.started_at <= now)
        )
    )
    # only goals both partners carry count: a goal is set when the partner accepted it (proposed ones wait)
    query = select(Goal.pair_id, Goal.accepted_at, Goal.done_at).join(Pair, Pair.id == Goal.pair_id)
    query = query.where(Pair.program_id == pid, Goal.accepted_at.is_not(None))
    if since is not None:
        query = query.where(or_(Goal.accepted_at > since, Goal.done_at > since))
    rows = session.execute(query).tuples()
    made: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    for pair, accepted_at, done_at in rows:
        if rules.settled(accepted_at, since=since, until=now):
            made[pair] += 1
        if rules.settled(done_at, since=since, until=now):
            done[pair] += 1
    population = active | set(made) | set(done)
    return [Contribution(pair, float(made[pair]), 1.0, {"done": float(done[pair])}) for pair in sorted(population)]


def _late(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    active = session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id).where(
            Pair.program_id == pid, Pair.status == PairStatus.ACTIVE, Pair.started_at <= now
        )
    ).all()
    query = (
        select(Cancellation.participant_id, Cancellation.created_at)
        .join(Pair, Pair.id == Cancellation.pair_id)
        .where(Pair.program_id == pid, Cancellation.late.is_(True), Cancellation.participant_id.is_not(None))
    )
    if since is not None:
        query = query.where(Cancellation.created_at > since)
    late: dict[int, int] = defaultdict(int)
    for person, created_at in session.execute(query).tuples():
        if rules.settled(created_at, since=since, until=now):
            late[person] += 1
    population = {p for row in active for p in row} | set(late)
    return [Contribution(person, float(late[person])) for person in sorted(population)]


def _sides(session: Session, pid: int) -> dict[Any, str | None]:
    """Each person's side in their latest pair of the program (``rules.side_in_pair``)."""
    a, b = aliased(Participant), aliased(Participant)
    rows = session.execute(
        select(Pair.participant_a_id, a.role, Pair.participant_b_id, b.role)
        .join(a, a.id == Pair.participant_a_id)
        .join(b, b.id == Pair.participant_b_id)
        .where(Pair.program_id == pid)
        .order_by(Pair.started_at, Pair.id)
    ).tuples()
    sides: dict[Any, str | None] = {}
    for a_id, a_role, b_id, b_role in rows:
        sides[a_id] = rules.side_in_pair(a_role, b_role)
        sides[b_id] = rules.side_in_pair(b_role, a_role)
    return sides


def _trial(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = select(TrialCheck.pair_id, TrialCheck.outcome).where(
        TrialCheck.program_id == pid, TrialCheck.resolved_at.is_not(None), TrialCheck.resolved_at <= now
    )
    if since is not None:
        query = query.where(TrialCheck.resolved_at > since)
    return [
        Contribution(pair, 1.0 if outcome == TrialOutcome.SWITCH else 0.0)
        for pair, outcome in session.execute(query).tuples()
    ]


def _retros(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = select(Retro.id, Retro.pair_id, Retro.opened_at, Retro.summary_at).where(Retro.program_id == pid)
    settled = [
        (retro_id, pair, yes)
        for (retro_id, pair), yes in _yes_no(session, query, Retro.opened_at, rules.RETRO_DAYS, since, now)
    ]
    done_ids = [r for r, _pair, yes in settled if yes]
    answers: dict[int, list[tuple[int, str, list[Any]]]] = defaultdict(list)
    if done_ids:
        for retro_id, share, change, themes in session.execute(
            select(RetroAnswer.retro_id, RetroAnswer.talk_share, RetroAnswer.change, RetroAnswer.themes).where(
                RetroAnswer.retro_id.in_(done_ids)
            )
        ).tuples():
            answers[retro_id].append((share, change, list(themes or [])))
    out = []
    for retro_id, pair, yes in settled:
        extra: dict[str, float] = {}
        both = answers.get(retro_id, []) if yes else []
        for share, change, _themes in both:
            extra[f"talk_{share}"] = extra.get(f"talk_{share}", 0.0) + 1
            extra["answers"] = extra.get("answers", 0.0) + 1
            extra["changes"] = extra.get("changes", 0.0) + (1 if (change or "").strip() else 0)
        # a theme counts once per retro, whichever partner (or both) tagged it
        for theme in retro_rules.retro_themes(themes for _share, _change, themes in both):
            extra[f"{retro_rules.THEME_KEY}{theme}"] = 1.0
        out.append(Contribution(pair, 1.0 if yes else 0.0, 1.0, extra))
    return out


def _followups(session: Session, pid: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = select(FollowUp.participant_id, FollowUp.answer).where(
        FollowUp.program_id == pid, FollowUp.answered_at.is_not(None), FollowUp.answered_at <= now
    )
    if since is not None:
        query = query.where(FollowUp.answered_at > since)
    return [
        Contribution(person, 1.0 if answer == "yes" else 0.0, 1.0, followup_rules.contribution_extra(answer or ""))
        for person, answer in session.execute(query).tuples()
    ]


def _metric(session: Session, metric_id: int, since: datetime | None, now: datetime) -> list[Contribution]:
    query = select(
        MetricValue.pair_id, MetricValue.day, MetricValue.created_at, MetricValue.id, MetricValue.value
    ).where(MetricValue.metric_id == metric_id, MetricValue.pair_id.is_not(None), MetricValue.created_at <= now)
    if since is not None:
        query = query.where(MetricValue.created_at > since)
    return rules.latest_per(
        (pair, (day, created_at, row_id), value) for pair, day, created_at, row_id, value in session.execute(query)
    )


SERIES = {
    rules.PROMPTS: _prompts,
    rules.ACTIVE: _active,
    rules.AGREEMENTS: _agreements,
    rules.GOALS: _goals,
    rules.TRIAL: _trial,
    rules.RETROS: _retros,
    rules.FOLLOWUP: _followups,
    rules.LATE: _late,
}
BY_SIDE = (rules.PROMPTS, rules.LATE)  # series of people whose cells are split by side (``rules.by_side``)


def _pulse_rounds(session: Session, program: Program, released: set[str]) -> list[tuple[str, poll_rules.Result]]:
    """Each closed round without a cell yet: its series name and its result (held to the round's threshold)."""
    out = []
    rounds = session.scalars(
        select(PollRound)
        .where(PollRound.program_id == program.id, PollRound.closed.is_(True))
        .order_by(PollRound.number)
    ).all()
    for poll in rounds:
        name = f"{rules.PULSE}{poll.number}"
        if name in released:
            continue
        asked = session.scalar(select(func.count()).select_from(PollReceipt).where(PollReceipt.round_id == poll.id))
        responses = [
            (m, a or {}, None)
            for m, a in session.execute(
                select(PollResponse.mood, PollResponse.answers).where(PollResponse.round_id == poll.id)
            ).tuples()
        ]
        result = poll_rules.result(
            number=poll.number,
            threshold=poll.threshold,
            asked=int(asked or 0),
            responses=responses,
            questions=list(poll.questions or []),
        )
        out.append((name, result))
    return out


# -- writing -----------------------------------------------------------------------------------------------------
def release(session: Session, program: Program, *, now: datetime) -> list[Cell]:
    """The program's weekly release at ``now``: a new cell for every series with at least the threshold of
    distinct contributors since its last cell, and one for every pulse round that closed since. Returns the new
    cells. Does not commit; a second call on the same day writes nothing."""
    day = local_day(program, now)
    k = rules.threshold(program.poll_threshold)
    last = dict(
        session.execute(
            select(ReleaseCell.series, func.max(ReleaseCell.through))
            .where(ReleaseCell.program_id == program.id)
            .group_by(ReleaseCell.series)
        )
        .tuples()
        .all()
    )
    today = set(
        session.scalars(
            select(ReleaseCell.series).where(ReleaseCell.program_id == program.id, ReleaseCell.released_on == day)
        )
    )
    made: list[tuple[Cell, dict[str, Any]]] = []
    gather = dict(SERIES)
    for metric_id in session.scalars(
        select(Metric.id).where(
            Metric.program_id == program.id, Metric.reporter == MetricReporter.PAIR, Metric.archived_at.is_(None)
        )
    ):
        gather[f"{rules.METRIC}{metric_id}"] = lambda s, _pid, since, until, m=metric_id: _metric(s, m, since, until)
    for name, contributions_of in gather.items():
        if name in today:
            continue
        contributions = contributions_of(session, program.id, last.get(name), now)
        found = rules.cell(name, contributions, day=day, k=k)
        if found is not None:
            data = dict(found.data)
            if name in BY_SIDE:
                data.update(rules.by_side(contributions, _sides(session, program.id), k=k))
            made.append((found, data))
    for name, result in _pulse_rounds(session, program, set(last)):
        shown = result.shown
        found = Cell(
            series=name,
            day=day,
            contributors=result.answered if shown else 0,
            num=float(result.answered if shown else 0),
            den=float(result.asked if shown else 0),
            data=poll_rules.result_data(result),
        )
        made.append((found, dict(found.data)))
    for found, data in made:
        session.add(
            ReleaseCell(
                program_id=program.id,
                series=found.series,
                released_on=day,
                through=now,
                contributors=found.contributors,
                num=found.num,
                den=found.den,
                data=data,
                created_at=now,
            )
        )
    session.flush()
    return [found for found, _ in made]


def new_pulse_rounds(fresh: Sequence[Cell]) -> list[int]:
    """The round numbers among freshly released cells (their results go to the hosts with the release)."""
    return sorted(int(c.data["number"]) for c in fresh if c.series.startswith(rules.PULSE))
