"""Impact in the database (rules in ``bot.domain.impact``): a program's KPIs from what Tandem already stores, the
hosts' metrics and their logged values, the weekly snapshot, the hosts' weekly digest with charts, and the export.

Everything here is counts, rates and numbers a host or pair logged on purpose. No note, answer, comment or quote
text is read, except quotes both partners agreed to share (``retros.consented_quotes``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select, union
from sqlalchemy.orm import Session

from bot.domain import impact as rules
from bot.domain import polls as poll_rules
from bot.domain.localtime import zone
from bot.domain.rhythm import PROMPTED, WeekStatus
from bot.models import (
    Agreement,
    Escalation,
    Goal,
    KpiSnapshot,
    Metric,
    MetricReporter,
    MetricValue,
    Pair,
    PairStatus,
    PairWeek,
    Program,
    ProgramStatus,
    Retro,
    TrialCheck,
    TrialOutcome,
    WeekPartner,
    Workspace,
)
from bot.services import outbox, polls, programs, retros


# -- KPIs --------------------------------------------------------------------------------------------------
def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def kpis(session: Session, program: Program, *, now: datetime) -> rules.Kpis:
    """The program's KPIs at ``now`` (see ``bot.domain.impact``). Once its data expired (``bot.services.retention``)
    they are its last weekly snapshot: the counts can no longer be taken from rows that are gone."""
    pid = program.id
    if program.expired_at is not None:
        kept = session.scalar(
            select(KpiSnapshot.data).where(KpiSnapshot.program_id == pid).order_by(KpiSnapshot.taken_on.desc()).limit(1)
        )
        if kept is not None:
            return rules.Kpis.from_dict(kept)
    counts = programs.counts(session, program_ids=[pid]).get(pid)
    in_program = Pair.program_id == pid
    people = union(
        select(Pair.participant_a_id.label("p")).where(in_program),
        select(Pair.participant_b_id.label("p")).where(in_program),
    ).subquery()
    active = (Pair.status == PairStatus.ACTIVE, in_program)
    since = now - timedelta(days=rules.ACTIVE_DAYS)
    partner_prompts = (
        select(func.count(WeekPartner.id))
        .join(PairWeek, PairWeek.id == WeekPartner.week_id)
        .join(Pair, Pair.id == PairWeek.pair_id)
        .where(in_program, WeekPartner.prompt_at <= now)
    )
    results = polls.results(session, program=program)
    shown = [r for r in results if r.shown]
    return rules.Kpis(
        invited=counts.invited if counts else 0,
        onboarded=counts.onboarded if counts else 0,
        matched=_count(session, select(func.count()).select_from(people)),
        pairs=_count(session, select(func.count(Pair.id)).where(*active)),
        active_pairs=_count(
            session,
            select(func.count(distinct(Pair.id)))
            .join(PairWeek, PairWeek.pair_id == Pair.id)
            .join(WeekPartner, WeekPartner.week_id == PairWeek.id)
            .where(*active, WeekPartner.answered_at >= since, WeekPartner.answered_at <= now),
        ),
        prompts=_count(session, partner_prompts),
        answered=_count(session, partner_prompts.where(WeekPartner.answered_at.is_not(None))),
        pairs_ever=_count(session, select(func.count(Pair.id)).where(in_program)),
        agreements_accepted=_count(
            session,
            select(func.count(Agreement.id))
            .join(Pair, Pair.id == Agreement.pair_id)
            .where(in_program, Agreement.agreed_at.is_not(None)),
        ),
        goals=_count(session, select(func.count(Goal.id)).join(Pair, Pair.id == Goal.pair_id).where(in_program)),
        goals_done=_count(
            session,
            select(func.count(Goal.id))
            .join(Pair, Pair.id == Goal.pair_id)
            .where(in_program, Goal.done_at.is_not(None)),
        ),
        trial_checks=_count(
            session,
            select(func.count(TrialCheck.id)).where(TrialCheck.program_id == pid, TrialCheck.resolved_at.is_not(None)),
        ),
        switches=_count(
            session,
            select(func.count(TrialCheck.id)).where(
                TrialCheck.program_id == pid, TrialCheck.outcome == TrialOutcome.SWITCH
            ),
        ),
        mood=tuple(poll_rules.trend(results)),
        pulse_rate=shown[-1].response_rate if shown else None,
        retros=_count(session, select(func.count(Retro.id)).where(Retro.program_id == pid)),
        retros_done=_count(
            session, select(func.count(Retro.id)).where(Retro.program_id == pid, Retro.summary_at.is_not(None))
        ),
    )


@dataclass(frozen=True)
class Attention:
    """Pairs needing attention, as counts only: silent (flagged in the last two weeks), open escalations (help
    requests and late-cancellation patterns not answered yet), agreements not accepted after a week."""

    silent: int = 0
    escalations: int = 0
    agreements_pending: int = 0

    @property
    def any(self) -> bool:
        return bool(self.silent or self.escalations or self.agreements_pending)


def attention(session: Session, program: Program, *, now: datetime) -> Attention:
    in_program = (Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
    return Attention(
        silent=_count(
            session,
            select(func.count(distinct(Pair.id)))
            .join(PairWeek, PairWeek.pair_id == Pair.id)
            .where(*in_program, PairWeek.silence_flagged_at >= now - timedelta(days=rules.ACTIVE_DAYS)),
        ),
        escalations=_count(
            session,
            select(func.count(Escalation.id)).where(
                Escalation.program_id == program.id, Escalation.answered_at.is_(None)
            ),
        ),
        agreements_pending=_count(
            session,
            select(func.count(Agreement.id))
            .join(Pair, Pair.id == Agreement.pair_id)
            .where(*in_program, Agreement.agreed_at.is_(None), Agreement.created_at <= now - timedelta(days=7)),
        ),
    )


# -- metrics -----------------------------------------------------------------------------------------------
def metrics(session: Session, program: Program, *, reporter: str | None = None) -> list[Metric]:
    query = select(Metric).where(Metric.program_id == program.id, Metric.archived_at.is_(None))
    if reporter is not None:
        query = query.where(Metric.reporter == reporter)
    return list(session.scalars(query.order_by(Metric.id)))


def add_metric(session: Session, program: Program, spec: rules.MetricSpec, *, host: str, now: datetime) -> Metric:
    metric = Metric(
        program_id=program.id,
        name=spec.name,
        unit=spec.unit,
        baseline=spec.baseline,
        target_low=spec.target_low,
        target_high=spec.target_high,
        reporter=spec.reporter,
        created_by=host,
        created_at=now,
    )
    session.add(metric)
    session.flush()
    return metric


def log_value(
    session: Session, metric: Metric, *, value: float, day: date, by: str, pair_id: int | None, now: datetime
) -> MetricValue:
    row = MetricValue(metric_id=metric.id, pair_id=pair_id, value=value, day=day, logged_by=by, created_at=now)
    session.add(row)
    session.flush()
    return row


def series(session: Session, metric: Metric) -> list[tuple[date, float]]:
    rows = session.execute(
        select(MetricValue.pair_id, MetricValue.day, MetricValue.value)
        .where(MetricValue.metric_id == metric.id)
        .order_by(MetricValue.day, MetricValue.id)
    ).tuples()
    if metric.reporter == MetricReporter.HOST:
        return rules.program_series((None, day, value) for _pair, day, value in rows)
    return rules.program_series((pair or 0, day, value) for pair, day, value in rows)


@dataclass(frozen=True)
class MetricView:
    metric: Metric
    series: list[tuple[date, float]]
    status: rules.MetricStatus
    pairs_reporting: int  # pair-reported metrics: how many pairs logged a value


def metric_views(session: Session, program: Program) -> list[MetricView]:
    views = []
    for metric in metrics(session, program):
        points = series(session, metric)
        reporting = _count(
            session,
            select(func.count(distinct(MetricValue.pair_id))).where(
                MetricValue.metric_id == metric.id, MetricValue.pair_id.is_not(None)
            ),
        )
        views.append(
            MetricView(
                metric=metric,
                series=points,
                status=rules.status(points, baseline=metric.baseline, low=metric.target_low, high=metric.target_high),
                pairs_reporting=reporting,
            )
        )
    return views


def pair_metric_programs(session: Session, pair_ids: list[int]) -> dict[int, list[Metric]]:
    """Per pair id: its program's pair-reported metrics."""
    if not pair_ids:
        return {}
    rows = session.execute(
        select(Pair.id, Metric)
        .join(Metric, Metric.program_id == Pair.program_id)
        .where(Pair.id.in_(pair_ids), Metric.reporter == MetricReporter.PAIR, Metric.archived_at.is_(None))
        .order_by(Pair.id, Metric.id)
    ).tuples()
    out: dict[int, list[Metric]] = {}
    for pair_id, metric in rows:
        out.setdefault(pair_id, []).append(metric)
    return out


# -- snapshots and the dashboard ----------------------------------------------------------------------------
def local_today(program: Program, now: datetime) -> date:
    return now.astimezone(zone(program.timezone)).date()


def last_snapshot(session: Session, program: Program, *, before: date) -> tuple[rules.Kpis, date] | None:
    row = session.scalar(
        select(KpiSnapshot)
        .where(KpiSnapshot.program_id == program.id, KpiSnapshot.taken_on < before)
        .order_by(KpiSnapshot.taken_on.desc())
        .limit(1)
    )
    return (rules.Kpis.from_dict(row.data), row.taken_on) if row is not None else None


def take_snapshot(session: Session, program: Program, values: rules.Kpis, *, now: datetime) -> None:
    day = local_today(program, now)
    row = session.scalar(select(KpiSnapshot).where(KpiSnapshot.program_id == program.id, KpiSnapshot.taken_on == day))
    if row is None:
        session.add(KpiSnapshot(program_id=program.id, taken_on=day, data=values.as_dict(), created_at=now))
    else:
        row.data = values.as_dict()
    session.flush()


@dataclass(frozen=True)
class Dashboard:
    program: Program
    kpis: rules.Kpis
    previous: rules.Kpis | None  # the last weekly snapshot before today
    previous_day: str | None
    lines: list[rules.KpiLine]
    metrics: list[MetricView]
    attention: Attention
    quotes: list[str]  # consented quotes only, newest last
    threshold: int
    cohorts: list[Any] = field(default_factory=list)  # bot.services.cohorts.CohortLine, when the path has several


def dashboard(session: Session, program: Program, *, now: datetime) -> Dashboard:
    current = kpis(session, program, now=now)
    found = last_snapshot(session, program, before=local_today(program, now))
    previous = found[0] if found else None
    return Dashboard(
        program=program,
        kpis=current,
        previous=previous,
        previous_day=found[1].isoformat() if found else None,
        lines=rules.lines(current, previous),
        metrics=metric_views(session, program),
        attention=attention(session, program, now=now),
        quotes=[a.quote or "" for a in retros.consented_quotes(session, program)],
        threshold=max(program.poll_threshold, poll_rules.THRESHOLD_MIN),
        cohorts=cohort_lines(session, program, current, now=now),
    )


def cohort_lines(session: Session, program: Program, current: rules.Kpis, *, now: datetime) -> list[Any]:
    """The KPIs of every cohort of the program's topic path, oldest first; empty for a path of one."""
    from bot.services import cohorts

    path = cohorts.cohorts(session, program)
    if len(path) < 2:
        return []
    return [
        cohorts.CohortLine(
            name=p.name, kpis=current if p.id == program.id else kpis(session, p, now=now), current=p.id == program.id
        )
        for p in path[-6:]
    ]


# -- export ------------------------------------------------------------------------------------------------
CSV_HEADER = ("section", "key", "value", "unit", "day", "baseline", "target_low", "target_high", "pairs_reporting")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no formulas in a spreadsheet


def export_csv(board: Dashboard, *, day: date) -> str:
    """The program's KPIs and metrics as CSV: counts, rates, the shown mood rounds and every logged metric value at
    program level (a pair-reported metric as the pairs' mean, never a single pair's value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rules.kpi_rows(board.kpis, day=day):
        writer.writerow(["kpi", row.key, _cell(row.value), "", day.isoformat(), "", "", "", ""])
    for view in board.metrics:
        m = view.metric
        reporting = view.pairs_reporting if m.reporter == MetricReporter.PAIR else ""
        for point_day, value in view.series:
            writer.writerow(
                [
                    "metric",
                    _cell(m.name),
                    _cell(float(value)),
                    _cell(m.unit),
                    point_day.isoformat(),
                    _cell(m.baseline),
                    _cell(m.target_low),
                    _cell(m.target_high),
                    reporting,
                ]
            )
    return out.getvalue()


# -- the weekly digest ------------------------------------------------------------------------------------------
DIGEST_HOUR = 9  # local time of the program's zone, on the program's weekday
DIGEST_KEY = "impact:digest:"  # + program id + ":" + day
CHARTS_KEY = "impact:charts:"
UPLOAD_METHOD = "files.upload_v2"


def charts_for(board: Dashboard, locale: str) -> list[Any]:
    """The digest's charts (``bot.charts.Chart``): the funnel, the mood trend (hidden rounds as gaps) and each
    metric with values, against its baseline and target range."""
    from bot import charts

    program = board.program.name
    out = [charts.funnel(rules.funnel(board.kpis), locale=locale, program=program)]
    if board.kpis.mood:
        out.append(charts.mood_trend(list(board.kpis.mood), locale=locale, program=program, threshold=board.threshold))
    for view in board.metrics:
        if view.series:
            m = view.metric
            out.append(
                charts.metric(
                    name=m.name,
                    unit=m.unit,
                    values=view.series,
                    baseline=m.baseline,
                    target_low=m.target_low,
                    target_high=m.target_high,
                    locale=locale,
                    program=program,
                )
            )
    return out


def digest_due_on(program: Program, now: datetime) -> date | None:
    """The day the program's weekly digest is due at ``now`` (its weekday, from ``DIGEST_HOUR`` local time, while
    it runs and one week after), or None."""
    if program.start_date is None:
        return None
    local = now.astimezone(zone(program.timezone))
    today = local.date()
    last = program.start_date + timedelta(weeks=program.duration_weeks + 1)
    if not program.start_date < today <= last:
        return None
    if local.weekday() != program.prompt_weekday or local.hour < DIGEST_HOUR:
        return None
    return today


def post_digest(session: Session, program: Program, workspace: Workspace, *, now: datetime) -> None:
    """Queue the digest and its charts in the admin channel and keep this week's snapshot. Does not commit."""
    from bot import charts
    from bot.blocks import impact as impact_blocks

    assert workspace.admin_channel_id
    board = dashboard(session, program, now=now)
    day = local_today(program, now)
    locale = program.default_locale
    outbox.post(
        session,
        workspace_id=workspace.id,
        channel=workspace.admin_channel_id,
        message=impact_blocks.digest(locale, board, day=day),
        now=now,
        about=outbox.About.of(program=program),  # counts and rates; names nobody
        dedupe_key=f"{DIGEST_KEY}{program.id}:{day.isoformat()}",
    )
    outbox.enqueue(
        session,
        workspace_id=workspace.id,
        method=UPLOAD_METHOD,
        payload=charts.upload_payload(
            charts_for(board, locale),
            channel=workspace.admin_channel_id,
            comment=impact_blocks._p(locale, "charts_comment", program=program.name, day=day.isoformat()),
        ),
        now=now,
        about=outbox.About.of(program=program),
        dedupe_key=f"{CHARTS_KEY}{program.id}:{day.isoformat()}",
    )
    take_snapshot(session, program, board.kpis, now=now)


def weekly_due(session: Session, now: datetime) -> int:
    """Clock: each active program's weekly digest, once per week (the snapshot of the day marks it done)."""
    posted = 0
    rows = (
        session.execute(
            select(Program, Workspace)
            .join(Workspace, Workspace.id == Program.workspace_id)
            .where(
                Program.status == ProgramStatus.ACTIVE,
                Program.start_date.is_not(None),
                Workspace.admin_channel_id.is_not(None),
            )
            .order_by(Program.id)
        )
        .tuples()
        .all()
    )
    for program, workspace in rows:
        day = digest_due_on(program, now)
        if day is None:
            continue
        done = session.scalar(
            select(KpiSnapshot.id).where(KpiSnapshot.program_id == program.id, KpiSnapshot.taken_on == day)
        )
        if done is not None:
            continue
        post_digest(session, program, workspace, now=now)
        posted += 1
    return posted


# -- App Home ---------------------------------------------------------------------------------------------------
def streak(session: Session, pair_id: int, *, now: datetime) -> int:
    """How many of the pair's prompted weeks in a row, counting back from the latest whose prompt has come, got an
    answer from at least one partner. A skipped or cancelled week neither counts nor breaks it; the current week
    still open without an answer doesn't break it either (there is time left)."""
    weeks = session.execute(
        select(PairWeek.id, PairWeek.status)
        .where(PairWeek.pair_id == pair_id, PairWeek.thread_at.is_not(None), PairWeek.thread_at <= now)
        .order_by(PairWeek.number.desc())
    ).all()
    answered = set(
        session.scalars(
            select(WeekPartner.week_id)
            .join(PairWeek, PairWeek.id == WeekPartner.week_id)
            .where(PairWeek.pair_id == pair_id, WeekPartner.answered_at.is_not(None), WeekPartner.answered_at <= now)
        )
    )
    count = 0
    for index, (week_id, status) in enumerate(weeks):
        if status not in PROMPTED:
            continue
        if week_id in answered:
            count += 1
        elif index == 0 and status == WeekStatus.OPEN:
            continue
        else:
            break
    return count


@dataclass(frozen=True)
class PairImpact:
    pair_id: int
    program: str
    streak: int
    metrics: list[str]  # the program's pair-reported metrics' names


def home_items(session: Session, pairs: list[Pair], *, now: datetime) -> list[PairImpact]:
    by_pair = pair_metric_programs(session, [p.id for p in pairs])
    names = dict(
        session.execute(select(Program.id, Program.name).where(Program.id.in_({p.program_id for p in pairs})))
        .tuples()
        .all()
    )
    return [
        PairImpact(
            pair_id=p.id,
            program=names.get(p.program_id, ""),
            streak=streak(session, p.id, now=now),
            metrics=[m.name for m in by_pair.get(p.id, [])],
        )
        for p in pairs
    ]


def host_boards(session: Session, hosted: list[Program], *, now: datetime, limit: int = 2) -> list[Dashboard]:
    """Dashboards for the App Home of a host: the active programs they host, newest first, at most ``limit``."""
    active = [p for p in hosted if p.status == ProgramStatus.ACTIVE and p.start_date is not None]
    active.sort(key=lambda p: (p.start_date, p.id), reverse=True)
    return [dashboard(session, p, now=now) for p in active[:limit]]
