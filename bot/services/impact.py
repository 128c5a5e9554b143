"""Impact in the database (rules in ``bot.domain.impact``): a program's KPIs, the hosts' metrics and their logged
values, the weekly release and snapshot, the hosts' weekly digest with charts, and the export.

Every figure built from other people's contributions is read from the cells the weekly release wrote
(``bot.services.release``, the rule in DATA.md), never computed from live rows when someone looks: between two
releases the dashboard, App Home, the digest, its charts and the export show the same figures. Counts of what hosts
see one by one anyway (invited, onboarded, matched, pairs) and the hosts' own metric values are taken as they are.
No note, answer, comment or quote text is read, except quotes both partners agreed to share
(``retros.consented_quotes``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, bindparam, distinct, func, or_, select, union
from sqlalchemy.orm import Session

from bot.blocks import escalation as escalation_blocks
from bot.blocks import rhythm as rhythm_blocks
from bot.domain import impact as rules
from bot.domain import notes as notes_rules
from bot.domain import release as release_rules
from bot.domain import rhythm as rhythm_rules
from bot.domain.hosts import Scope
from bot.domain.localtime import zone
from bot.models import (
    Cancellation,
    Escalation,
    KpiSnapshot,
    Metric,
    MetricReporter,
    MetricValue,
    Pair,
    PairStatus,
    PairWeek,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import escalations, followups, outbox, polls, programs, release, retros


# -- KPIs --------------------------------------------------------------------------------------------------
def counts(session: Session, program: Program) -> dict[str, int]:
    """The counts a host may see as they are (rule 4 of the release rule): people invited, onboarded and matched,
    active pairs now and pairs ever (hosts see each pair in the matching preview and the pair list)."""
    pid = program.id
    onboarding = programs.counts(session, program_ids=[pid]).get(pid)
    matched, pairs, pairs_ever = session.execute(_PAIR_COUNTS, {"program_id": pid}).one()
    return {
        "invited": onboarding.invited if onboarding else 0,
        "onboarded": onboarding.onboarded if onboarding else 0,
        "matched": int(matched or 0),
        "pairs": int(pairs or 0),
        "pairs_ever": int(pairs_ever or 0),
    }


# Built once: every dashboard, digest and host's App Home reads these. The people ever matched in the program, its
# active pairs and its pairs ever, in one query.
_IN_PROGRAM = Pair.program_id == bindparam("program_id")
_MATCHED_PEOPLE = union(
    select(Pair.participant_a_id.label("p")).where(_IN_PROGRAM),
    select(Pair.participant_b_id.label("p")).where(_IN_PROGRAM),
).subquery()
_PAIR_COUNTS = select(
    select(func.count()).select_from(_MATCHED_PEOPLE).scalar_subquery(),
    select(func.count(Pair.id)).where(_IN_PROGRAM, Pair.status == PairStatus.ACTIVE).scalar_subquery(),
    select(func.count(Pair.id)).where(_IN_PROGRAM).scalar_subquery(),
)


def kpis(session: Session, program: Program, *, now: datetime) -> rules.Kpis:
    """The program's KPIs as released (see ``bot.domain.impact`` and ``bot.domain.release``): the counts as they are,
    everything else from the released cells, the same at any ``now`` between two releases. Once its data expired
    (``bot.services.retention``) they are its last weekly snapshot: the counts can no longer be taken from rows that
    are gone."""
    if program.expired_at is not None:
        kept = session.scalar(
            select(KpiSnapshot.data)
            .where(KpiSnapshot.program_id == program.id)
            .order_by(KpiSnapshot.taken_on.desc())
            .limit(1)
        )
        if kept is not None:
            return rules.Kpis.from_dict(kept)
    return rules.released(
        release.of(session, program), released_on=release.last_release(session, program), **counts(session, program)
    )


@dataclass(frozen=True)
class Attention:
    """Pairs needing attention, as counts of what hosts are told pair by pair anyway: silent (flagged in the last two
    weeks, each flag names the pair, or is counted without a name when the program has named silence flags off) and
    open escalations (help requests and late-cancellation patterns not answered yet, each in the admin channel). A
    live count of anything else would let hosts watch behaviour change one pair at a time (the release rule):
    agreements not yet accepted are in the released KPIs instead."""

    silent: int = 0
    escalations: int = 0
    # named silence flags off: the silent pairs as counted at the last release (this moment), which hosts were told
    # then; a live count would change at the minute a pair's week opens, and so name it
    silent_as_of: datetime | None = None

    @property
    def any(self) -> bool:
        return bool(self.silent or self.escalations)


def attention(session: Session, program: Program, *, now: datetime) -> Attention:
    until = now if program.named_silence else release.released_at(session, program)
    since = (until or now) - timedelta(days=rules.ACTIVE_DAYS)
    silent, escalations = session.execute(
        _ATTENTION,
        {"program_id": program.id, "since": since, "until": until or since, "live": program.named_silence},
    ).one()
    return Attention(
        silent=int(silent or 0),
        escalations=int(escalations or 0),
        silent_as_of=None if program.named_silence else until,
    )


# Built once (every host's App Home): pairs flagged silent between ``since`` and ``until`` (``live``: only those still
# active), and open escalations.
_ATTENTION = select(
    select(func.count(distinct(Pair.id)))
    .join(PairWeek, PairWeek.pair_id == Pair.id)
    .where(
        _IN_PROGRAM,
        or_(Pair.status == PairStatus.ACTIVE, ~bindparam("live", type_=Boolean)),
        PairWeek.silence_flagged_at >= bindparam("since"),
        PairWeek.silence_flagged_at <= bindparam("until"),
    )
    .scalar_subquery(),
    select(func.count(Escalation.id))
    .where(Escalation.program_id == bindparam("program_id"), Escalation.answered_at.is_(None))
    .scalar_subquery(),
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


def host_series(session: Session, metric: Metric) -> list[tuple[date, float]]:
    """A host-reported metric's values as hosts logged them (the latest per day)."""
    rows = session.execute(
        select(MetricValue.day, MetricValue.value)
        .where(MetricValue.metric_id == metric.id, MetricValue.pair_id.is_(None))
        .order_by(MetricValue.day, MetricValue.id)
    ).tuples()
    return rules.host_series(rows.all())


@dataclass(frozen=True)
class MetricView:
    metric: Metric
    series: list[tuple[date, float]]  # host-reported: as logged; pair-reported: the released means
    status: rules.MetricStatus
    pairs_reporting: int  # pair-reported: the pairs behind the latest released value (0: nothing released yet)
    waiting: bool = False  # pair-reported: the latest release had not enough new reports for a new value
    reporting: tuple[int, ...] = ()  # pair-reported: the pairs behind each released value, as ``series``


def metric_views(session: Session, program: Program, cells: list[Any] | None = None) -> list[MetricView]:
    views = []
    if cells is None:
        cells = release.of(session, program)
    last = release.last_release(session, program)
    for metric in metrics(session, program):
        if metric.reporter == MetricReporter.PAIR:
            own = release.series(cells, f"{release_rules.METRIC}{metric.id}")
            points = release_rules.points(own)
            behind = tuple(c.contributors for c in sorted(own, key=lambda c: c.day) if c.mean is not None)
            newest = release_rules.latest(own)
            reporting = newest.contributors if newest is not None else 0
            waiting = last is not None and (newest is None or newest.day < last)
        else:
            points, behind, reporting, waiting = host_series(session, metric), (), 0, False
        views.append(
            MetricView(
                metric=metric,
                series=points,
                status=rules.status(points, baseline=metric.baseline, low=metric.target_low, high=metric.target_high),
                pairs_reporting=reporting,
                waiting=waiting,
                reporting=behind,
            )
        )
    return views


_PAIR_METRICS = (
    select(Pair.id, Metric)
    .join(Metric, Metric.program_id == Pair.program_id)
    .where(
        Pair.id.in_(bindparam("pair_ids", expanding=True)),
        Metric.reporter == MetricReporter.PAIR,
        Metric.archived_at.is_(None),
    )
    .order_by(Pair.id, Metric.id)
)


def pair_metric_programs(session: Session, pair_ids: list[int]) -> dict[int, list[Metric]]:
    """Per pair id: its program's pair-reported metrics."""
    if not pair_ids:
        return {}
    rows = session.execute(_PAIR_METRICS, {"pair_ids": list(pair_ids)}).tuples()
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
    kpis: rules.Kpis  # as of the latest release (``kpis.released_on``)
    previous: rules.Kpis | None  # the weekly snapshot before the latest release
    previous_day: str | None
    lines: list[rules.KpiLine]
    metrics: list[MetricView]
    attention: Attention
    quotes: list[str]  # consented quotes only, newest last
    threshold: int  # k: the fewest contributors behind any figure shown
    cohorts: list[Any] = field(default_factory=list)  # bot.services.cohorts.CohortLine, when the path has several
    followup_quotes: list[str] = field(default_factory=list)  # follow-up texts whose authors said "quote me"
    sides: rules.SideCounts = field(default_factory=rules.SideCounts)  # by side and talk share, from released cells


def dashboard(session: Session, program: Program, *, now: datetime, viewer: Scope | None = None) -> Dashboard:
    """What hosts see of a program (the dashboard, App Home, the digest, the export): the same at any ``now``
    between two releases, except the counts of what hosts see one by one. ``viewer``: the scope of the one host who
    reads it (None: everyone who may see the program, as in the admin channel), for the other cohorts it shows."""
    cells = release.of(session, program)
    current = kpis(session, program, now=now)
    released = release.released_at(session, program)  # quotes: those given by then (consented, never named)
    found = last_snapshot(session, program, before=current.released_on) if current.released_on else None
    previous = found[0] if found else None
    return Dashboard(
        program=program,
        kpis=current,
        previous=previous,
        previous_day=found[1].isoformat() if found else None,
        lines=rules.lines(current, previous),
        metrics=metric_views(session, program, cells),
        attention=attention(session, program, now=now),
        quotes=[a.quote or "" for a in retros.consented_quotes(session, program, by=released)],
        threshold=release_rules.threshold(program.poll_threshold),
        cohorts=cohort_lines(session, program, current, now=now, viewer=viewer),
        followup_quotes=followups.consented_quotes(session, program, by=released),
        sides=rules.side_counts(cells),
    )


def cohort_lines(
    session: Session, program: Program, current: rules.Kpis, *, now: datetime, viewer: Scope | None = None
) -> list[Any]:
    """The released KPIs of the cohorts of the program's topic path, oldest first; empty for a path of one. Each
    cohort's figures are its own cells: side by side they reveal nothing each did not. Only cohorts its reader may
    see: the ``viewer``'s (App Home, the command, the export), or, for everyone who may see this program (the digest
    in the admin channel), those all of them may see (``roles.may_see``). An alumna co-hosting the new cohort does
    not see the earlier one's figures."""
    from bot.services import cohorts, roles

    workspace_id = program.workspace_id
    readers = roles.may_see(session, workspace_id=workspace_id, program_id=program.id) if viewer is None else set()

    def seen(pid: int) -> bool:
        if viewer is not None:
            return viewer.sees(pid)
        return readers <= roles.may_see(session, workspace_id=workspace_id, program_id=pid)

    shown = [pid for pid in cohorts.path_ids(session, program) if pid == program.id or seen(pid)]
    if len(shown) < 2:
        return []
    path = [program if pid == program.id else session.get(Program, pid) for pid in shown]
    path = [p for p in path if p is not None]
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
    """The program's KPIs and metrics as CSV, as released (``day``: the export's day; each row carries the release
    it comes from): counts, rates, the released mood rounds, the hosts' metric values and every released value of a
    pair-reported metric (the mean of at least the threshold of pairs, with how many)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    released = board.kpis.released_on or day
    for row in rules.kpi_rows(board.kpis, day=released):
        writer.writerow(["kpi", row.key, _cell(row.value), "", released.isoformat(), "", "", "", ""])
    for view in board.metrics:
        m = view.metric
        for index, (point_day, value) in enumerate(view.series):
            reporting = view.reporting[index] if m.reporter == MetricReporter.PAIR else ""
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
DIGEST_HOUR = release_rules.HOUR  # local time of the program's zone, on the program's weekday
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
    it runs and one week after), or None. The weekly release is due at the same moments, and a few weeks longer
    (``bot.services.release.due_on``)."""
    return release_rules.due_on(
        start=program.start_date,
        duration_weeks=program.duration_weeks,
        weekday=program.prompt_weekday,
        local=now.astimezone(zone(program.timezone)),
        hour=DIGEST_HOUR,
        tail_weeks=1,
    )


def post_digest(session: Session, program: Program, workspace: Workspace, *, now: datetime) -> None:
    """Queue the digest and its charts in the admin channel, from the latest release. Does not commit."""
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


def weekly(session: Session, program: Program, workspace: Workspace | None, *, now: datetime) -> None:
    """The program's weekly release at ``now`` (``bot.services.release``), its KPI snapshot (which marks the week
    done), and for the hosts in the admin channel the digest with charts (while the program runs and a week after)
    and the results of the pulse rounds released now. Does not commit."""
    since = release.released_at(session, program)  # the release before this one (None: first)
    fresh = release.release(session, program, now=now)
    day = local_today(program, now)
    current = replace(kpis(session, program, now=now), released_on=day)
    take_snapshot(session, program, current, now=now)
    if workspace is None or not workspace.admin_channel_id or program.status != ProgramStatus.ACTIVE:
        return  # a closed program's figures still settle and show; its hosts get no digest any more
    if digest_due_on(program, now) is not None:
        post_digest(session, program, workspace, now=now)
    counts_only(session, program, workspace, since=since, now=now)
    rounds = release.new_pulse_rounds(fresh)
    if rounds:
        polls.post_results(session, program, workspace, numbers=rounds, now=now)


def counts_only(
    session: Session, program: Program, workspace: Workspace, *, since: datetime | None, now: datetime
) -> None:
    """With a monitoring switch off (``bot.domain.monitoring``), what hosts are told as a count instead of by name,
    once a week with the release, for the week since the last one (``since``; None: since the program was created):
    how many pairs were flagged silent (named silence flags off) and how many people made a pattern of late
    cancellations (the late-cancellation log off). Told when it happens, a count of one would name the pair by its
    moment (each pair's week opens at its own local time; a pattern forms with a cancellation). Nothing when there is
    nothing to count. Does not commit."""
    window = {"program_id": program.id, "since": since or program.created_at, "until": now}
    about = outbox.About.of(program=program)
    day = local_today(program, now).isoformat()
    if not program.named_silence:
        pairs = session.scalar(_SILENT_BETWEEN, window) or 0
        if pairs:
            message = rhythm_blocks.silence_count(
                program.default_locale, program=program.name, pairs=int(pairs), weeks=rhythm_rules.SILENCE_WEEKS
            )
            cause = f"silence-count:{program.id}:{day}"
            outbox.to_hosts(session, workspace, message, cause=cause, now=now, about=about)
    if not program.late_cancel_log:
        people = session.scalar(_PATTERNS_BETWEEN, window) or 0
        if people:
            message = escalation_blocks.pattern_count(
                escalations.hosts_locale(session, workspace_id=workspace.id),
                program=program.name,
                people=int(people),
                threshold=notes_rules.LATE_THRESHOLD,
                weeks=notes_rules.LATE_WINDOW.days // 7,
            )
            cause = f"late-pattern-count:{program.id}:{day}"
            outbox.to_hosts(session, workspace, message, cause=cause, now=now, about=about)


# Built once: the pairs flagged silent and the people whose late cancellations made a pattern between two moments
_SILENT_BETWEEN = (
    select(func.count(distinct(PairWeek.pair_id)))
    .join(Pair, Pair.id == PairWeek.pair_id)
    .where(
        _IN_PROGRAM,
        PairWeek.silence_flagged_at > bindparam("since"),
        PairWeek.silence_flagged_at <= bindparam("until"),
    )
)
_PATTERNS_BETWEEN = (
    select(func.count(distinct(Cancellation.participant_id)))
    .join(Pair, Pair.id == Cancellation.pair_id)
    .where(
        _IN_PROGRAM,
        Cancellation.escalated_at > bindparam("since"),
        Cancellation.escalated_at <= bindparam("until"),
    )
)


# Built once: the clock asks every minute (the active programs with a start, the snapshots of a day)
# Active programs release weekly; a closed one too until its tail ends (its last answers and the follow-ups after it
# settle; no digest), unless its data retention deleted it.
_ACTIVE = (
    Program.status.in_((ProgramStatus.ACTIVE, ProgramStatus.CLOSED)),
    Program.start_date.is_not(None),
    Program.expired_at.is_(None),
)
_WEEKLY_PROGRAMS = (
    select(Program, Workspace)
    .join(Workspace, Workspace.id == Program.workspace_id)
    .where(*_ACTIVE)
    .order_by(Program.id)
)
_SNAPSHOT_OF_DAY = select(KpiSnapshot.id).where(
    KpiSnapshot.program_id == bindparam("program_id"), KpiSnapshot.taken_on == bindparam("day")
)
_NEXT_PROGRAMS = select(Program).join(Workspace, Workspace.id == Program.workspace_id).where(*_ACTIVE)
_SNAPSHOTS_SINCE = select(KpiSnapshot.program_id, KpiSnapshot.taken_on).where(
    KpiSnapshot.taken_on >= bindparam("since")
)


def weekly_due(session: Session, now: datetime) -> int:
    """Clock: each active program's weekly release (and digest), once per week on its weekday from
    ``DIGEST_HOUR`` (the snapshot of the day marks it done). Returns how many programs released."""
    done = 0
    rows = session.execute(_WEEKLY_PROGRAMS).tuples().all()
    for program, workspace in rows:
        day = release.due_on(program, now)
        if day is None:
            continue
        taken = session.scalar(_SNAPSHOT_OF_DAY, {"program_id": program.id, "day": day})
        if taken is not None:
            continue
        weekly(session, program, workspace, now=now)
        done += 1
    return done


def next_weekly_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`weekly_due` may next act (``bot.services.ticks.NextDue``): the earliest moment an active program's
    weekly release is due on a day it has no snapshot of (``release.next_due_at``)."""
    programs = session.scalars(_NEXT_PROGRAMS).all()
    if not programs:
        return None
    taken: dict[int, set[date]] = {}
    since = now.date() - timedelta(days=1)  # a program's today is at most a day before today in UTC
    for program_id, day in session.execute(_SNAPSHOTS_SINCE, {"since": since}).tuples():
        taken.setdefault(program_id, set()).add(day)
    moments = [release.next_due_at(program, now, done=taken.get(program.id, set())) for program in programs]
    return min((at for at in moments if at is not None), default=None)


# -- App Home ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairImpact:
    pair_id: int
    program: str
    streak: int | None  # None: the program has streaks switched off (Program.streaks, bot.domain.monitoring)
    metrics: list[str]  # the program's pair-reported metrics' names


def home_items(
    session: Session,
    pairs: Sequence[Pair],
    *,
    programs_by_id: Mapping[int, Program],
    weeks: Mapping[int, Sequence[PairWeek]],
    answered: set[int],
    now: datetime,
) -> list[PairImpact]:
    """Per active pair (``pairs``), its streak (None when its program has streaks off) and metrics to log;
    ``programs_by_id``, the pairs' ``weeks`` by id and the ids of those a partner ``answered`` by now
    (``rhythm.weeks_of``), as Home read them. One query for all the pairs."""
    by_pair = pair_metric_programs(session, [p.id for p in pairs])
    prompted = {  # the weeks whose prompt has come, latest first (as rules.streak reads them)
        p.id: sorted(
            (w for w in weeks.get(p.id, ()) if w.thread_at is not None and w.thread_at <= now),
            key=lambda w: w.number,
            reverse=True,
        )
        for p in pairs
    }
    out = []
    for p in pairs:
        program = programs_by_id.get(p.program_id)
        counted = program is None or program.streaks
        out.append(
            PairImpact(
                pair_id=p.id,
                program=program.name if program is not None else "",
                streak=rules.streak([(w.id, w.status) for w in prompted[p.id]], answered) if counted else None,
                metrics=[m.name for m in by_pair.get(p.id, [])],
            )
        )
    return out


def host_boards(
    session: Session, hosted: list[Program], *, now: datetime, viewer: Scope, limit: int = 2
) -> list[Dashboard]:
    """Dashboards for the App Home of a host (``viewer``): the active programs they host, newest first, at most
    ``limit``."""
    active = [p for p in hosted if p.status == ProgramStatus.ACTIVE and p.start_date is not None]
    active.sort(key=lambda p: (p.start_date, p.id), reverse=True)
    return [dashboard(session, p, now=now, viewer=viewer) for p in active[:limit]]
