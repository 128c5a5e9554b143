"""Impact flows: the hosts' dashboard (``/tandem admin impact [program]``, the program card's *Impact*), metrics
(*Add a metric*), logging values (hosts for the program, pairs for their tandem: *Log a value*, ``/tandem
metric``) and the export (``/tandem admin export [program]``, *Send me the export*).

Hosts are checked by ``bot.flows.host.authorize_host`` (members of the admin channel); a pair's value can only be
logged by one of its two partners while the pair is active. Bad input keeps the modal open with field errors and
changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import impact as blocks
from bot.blocks import kit
from bot.blocks.inputs import state_values
from bot.domain import impact as rules
from bot.domain import release as release_rules
from bot.domain.text import file_slug
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.host import (
    AdminSlack,
    Caller,
    announce,
    authorize_host,
    commanded_program,
    host_program,
    modal_program,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Metric, MetricReporter, Pair, PairStatus, Participant, Program
from bot.services import impact, matching, outbox, programs, roles


# -- hosts: the dashboard -------------------------------------------------------------------------------------
def _board(session: Session, who: Caller, program: Program, *, now: datetime) -> impact.Dashboard:
    """The dashboard as ``who`` may see it (the other cohorts of its path: those they host too)."""
    viewer = roles.scope(session, workspace_id=program.workspace_id, user_id=who.user_id)
    return impact.dashboard(session, program, now=now, viewer=viewer)


def host_dashboard(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin impact [program]``."""
    program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=blocks.note)
    if program is None:
        return refusal or Result()
    return Result(message=blocks.dashboard(who.locale, _board(session, who, program, now=now)))


def open_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's *Impact*."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(message=blocks.dashboard(who.locale, _board(session, who, program, now=now)))


# -- hosts: metrics -------------------------------------------------------------------------------------------
def add_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    if len(impact.metrics(session, program)) >= rules.METRICS_MAX:
        return Result(message=blocks.note(who.locale, "error_too_many", limit=rules.METRICS_MAX))
    return Result(view=blocks.metric_modal(who.locale, program_id=program.id, program=program.name))


def submit_metric(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    first = ID.METRIC_NAME.value
    workspace, program, refusal = modal_program(
        session, who, view, field=first, slack=slack, now=now, missing=blocks._p(who.locale, "error_which")
    )
    if refusal is not None or program is None:
        return refusal or Result()
    existing = impact.metrics(session, program)
    if len(existing) >= rules.METRICS_MAX:
        return Result(errors={first: blocks._p(who.locale, "error_too_many", limit=rules.METRICS_MAX)})
    values = state_values(view)
    raw = {key: values.get(block_id.value) for key, block_id in blocks.METRIC_IDS.items()}
    spec, errors = rules.parse_metric(raw, taken=[m.name for m in existing], locale=who.locale)
    if spec is None:
        return Result(errors=blocks.errors(who.locale, errors, blocks.METRIC_IDS))
    impact.add_metric(session, program, spec, host=who.user_id, now=now)
    announce(
        session,
        workspace,
        blocks.note(who.locale, "metric_added", host=who.user_id, name=spec.name, program=program.name),
        cause=f"metric-added:{program.id}:{spec.name}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


# -- logging values ---------------------------------------------------------------------------------------------
def _pair_of(session: Session, participant: Participant | None, pair_id: int | None) -> Pair | None:
    """The pair, if ``participant`` is one of its partners and it is active."""
    pair = session.get(Pair, pair_id) if pair_id else None
    if pair is None or participant is None or pair.status != PairStatus.ACTIVE:
        return None
    return pair if participant.id in (pair.participant_a_id, pair.participant_b_id) else None


def _why_not(session: Session, participant: Participant | None, pair_id: int | None) -> str:
    """Why ``_pair_of`` found nothing, as a note key: the pair is not the person's, or it ended."""
    pair = session.get(Pair, pair_id) if pair_id else None
    mine = (
        pair is not None
        and participant is not None
        and participant.id in (pair.participant_a_id, pair.participant_b_id)
    )
    return "pair_gone" if mine else "pair_not_yours"


def host_log_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """*Log a value* for hosts (value ``host:<program id>``): the program's host-reported metrics."""
    _workspace, program, refusal = host_program(session, who, value.removeprefix("host:"), slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    metrics = impact.metrics(session, program, reporter=MetricReporter.HOST)
    if not metrics:
        return Result(message=blocks.note(who.locale, "no_host_metrics", program=program.name))
    return Result(
        view=blocks.log_modal(
            who.locale,
            scope=f"host:{program.id}",
            program=program.name,
            metrics=metrics,
            today=impact.local_today(program, now),
            pair=False,
        )
    )


def pair_log_view(session: Session, *, participant: Participant | None, value: str, now: datetime) -> Result:
    """*Log a value* for a pair (value ``pair:<pair id>``): the modal, or a note why not."""
    locale = participant.locale if participant else "en"
    pair_id = _int(value.removeprefix("pair:"))
    pair = _pair_of(session, participant, pair_id)
    if pair is None:
        return Result(message=blocks.note(locale, _why_not(session, participant, pair_id)))
    program = session.get(Program, pair.program_id)
    metrics = impact.pair_metric_programs(session, [pair.id]).get(pair.id, [])
    if program is None or not metrics:
        return Result(message=blocks.note(locale, "no_pair_metrics"))
    view = blocks.log_modal(
        locale,
        scope=f"pair:{pair.id}",
        program=program.name,
        metrics=metrics,
        today=impact.local_today(program, now),
        pair=True,
        threshold=release_rules.threshold(program.poll_threshold),
    )
    return Result(view=view)


def _metric_in(session: Session, metric_id: int | None, program_id: int, reporter: str) -> Metric | None:
    metric = session.get(Metric, metric_id) if metric_id else None
    if metric is None or metric.program_id != program_id or metric.reporter != reporter or metric.archived_at:
        return None
    return metric


def submit_log(
    session: Session,
    *,
    view: dict[str, Any],
    participant: Participant | None,
    host: Caller | None,
    slack: AdminSlack | None,
    now: datetime,
) -> Result:
    """Save a logged value: field errors (which change nothing), or the confirmation the modal turns into."""
    locale = participant.locale if participant else (host.locale if host else "en")
    first = ID.METRIC_VALUE.value
    scope = str(_meta(view).get("scope") or "")
    kind, _, raw_id = scope.partition(":")
    program: Program | None = None
    pair_id: int | None = None
    missing = "pair_gone"
    by = participant.slack_user_id if participant else ""
    if kind == "host" and host is not None and slack is not None:
        workspace, refusal = authorize_host(session, host, slack, now, anywhere=True)
        if refusal is not None:
            return Result(errors={first: str((refusal.message or {}).get("text") or "")})
        program = programs.get(session, workspace=workspace, program_id=_int(raw_id) or 0)
        reporter, by = MetricReporter.HOST, host.user_id
    elif kind == "pair":
        pair = _pair_of(session, participant, _int(raw_id))
        if pair is not None:
            program, pair_id = session.get(Program, pair.program_id), pair.id
        else:
            missing = _why_not(session, participant, _int(raw_id))
        reporter = MetricReporter.PAIR
    if program is None:
        return Result(errors={first: blocks._p(locale, missing)})
    values = state_values(view)
    metric = _metric_in(session, _int(values.get(ID.METRIC_WHICH.value)), program.id, reporter)
    if metric is None:
        return Result(errors={ID.METRIC_WHICH.value: blocks._p(locale, "error_which")})
    parsed, errors = rules.parse_value(
        values.get(ID.METRIC_VALUE.value),
        values.get(ID.METRIC_DAY.value),
        today=impact.local_today(program, now),
        earliest=program.start_date,
        locale=locale,
    )
    if parsed is None:
        return Result(errors=blocks.errors(locale, errors, blocks.LOG_IDS))
    value, day = parsed
    impact.log_value(session, metric, value=value, day=day, by=by, pair_id=pair_id, now=now)
    session.commit()
    done = blocks.note(
        locale,
        "logged",
        name=metric.name,
        value=blocks.number(value, locale=locale),
        unit=metric.unit,
        day=i18n.date_short(day, locale),
    )
    return Result(view=blocks.done_view(locale, done))


def metric_command(session: Session, *, participant: Participant) -> dict[str, Any]:
    """``/tandem metric``: a button per active pair whose program has pair-reported metrics."""
    pairs = matching.pairs_of(session, participant=participant)
    by_pair = impact.pair_metric_programs(session, [p.id for p in pairs])
    rows: list[kit.Block] = []
    for pair in pairs:
        metrics = by_pair.get(pair.id)
        program = session.get(Program, pair.program_id)
        if not metrics or program is None:
            continue
        rows.append(
            kit.section(
                blocks._t(
                    participant.locale,
                    "pair_metric_prompt",
                    program=program.name,
                    names=", ".join(m.name for m in metrics),
                )
            )
        )
        rows.append(
            kit.actions(kit.button(blocks._p(participant.locale, "btn_log"), ID.METRIC_LOG, value=f"pair:{pair.id}"))
        )
    if not rows:
        return blocks.note(participant.locale, "no_pair_metrics")
    return kit.message(blocks._p(participant.locale, "btn_log"), rows)


# -- export -----------------------------------------------------------------------------------------------------
def queue_export(session: Session, who: Caller, program: Program, *, now: datetime) -> None:
    """The CSV and the Markdown summary as two files in the host's DM with Tandem (one upload). Commits."""
    board = _board(session, who, program, now=now)
    day = impact.local_today(program, now)
    slug = file_slug(program.name)
    outbox.upload_to_dm(
        session,
        workspace_id=program.workspace_id,
        user_id=who.user_id,
        files=[
            {
                "content": impact.export_csv(board, day=day),
                "filename": f"tandem-{slug}-{day.isoformat()}.csv",
                "title": blocks._p(who.locale, "file_csv", program=program.name, day=i18n.date_short(day, who.locale)),
            },
            {
                "content": blocks.markdown(who.locale, board, day=day),
                "filename": f"tandem-{slug}-{day.isoformat()}.md",
                "title": blocks._p(who.locale, "file_md", program=program.name, day=i18n.date_short(day, who.locale)),
            },
        ],
        comment=blocks._p(who.locale, "export_comment", program=program.name),
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),  # counts and rates
        dedupe_key=f"impact-export:{program.id}:{who.user_id}:{now.isoformat()}",
    )
    session.commit()


def host_export(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin export [program]``."""
    program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=blocks.note)
    if program is None:
        return refusal or Result()
    queue_export(session, who, program, now=now)
    return Result(message=blocks.note(who.locale, "export_queued", program=program.name))


def export_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    queue_export(session, who, program, now=now)
    return Result(message=blocks.note(who.locale, "export_queued", program=program.name))
