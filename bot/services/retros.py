"""Retro rituals in the database (rules in ``bot.domain.retro``): the clock opens each active pair's retro in its
group DM at the end of every cycle and at the program's end; each partner fills in the form; the summary goes
into the retro's thread once both did, with a consent card for every proposed quote; hosts get counts, consented
quotes, and at the program's end the program retro in the admin channel.

Every Slack message goes through the outbox in the transaction that caused it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from bot.blocks import retro as blocks
from bot.domain import release as release_rules
from bot.domain import retro as rules
from bot.domain import worktime
from bot.models import (
    OutboxMessage,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
    Retro,
    RetroAnswer,
    Workspace,
)
from bot.models.participant import worktime_columns
from bot.services import followups, matching, outbox, polls, release, rhythm
from bot.services.rhythm import Tandem, tandem_of

OPEN_KEY = "retro:open:"  # + retro id: the retro's opening message (its ts is the retro's thread)
REPORT_KEY = "retro:report:"  # + program id: the hosts' program retro
QUOTE_KEY = "retro:quote:"  # + answer id: a consented quote in the community channel

# Why something changed nothing (wording: ``retro.j2`` ``answer_<result>``).
SAVED, DONE, NOT_YOURS, CLOSED, ALREADY, DECLINED, CONSENTED = (
    "saved",
    "done",
    "not_yours",
    "closed",
    "already",
    "declined",
    "consented",
)


# -- posting into the pair's group DM ------------------------------------------------------------------------
def _post(session: Session, tandem: Tandem, message: dict[str, Any], *, key: str, now: datetime, retro: Retro) -> None:
    """Queue ``message`` in the retro's thread (top level in the group DM for the opening message, or while the
    thread is not known yet)."""
    payload: dict[str, Any] = dict(message)
    channel = retro.channel_id or tandem.pair.channel_id or matching.pair_channel(session, tandem.pair)
    if channel:
        payload["channel"] = channel
    else:  # the introduction is not out yet: the same group DM, opened by the worker
        payload["__open"] = [tandem.a.slack_user_id, tandem.b.slack_user_id]
    if retro.thread_ts and not key.startswith(OPEN_KEY):
        payload["thread_ts"] = retro.thread_ts
    outbox.enqueue(
        session,
        workspace_id=tandem.program.workspace_id,
        method="chat.postMessage",
        payload=payload,
        now=now,
        about=outbox.About.of(pair=tandem.pair),
        dedupe_key=key,
    )


def resolve_thread(session: Session, retro: Retro) -> bool:
    """Whether the retro's opening message is in Slack; reads its channel and ts back from the outbox once."""
    if retro.thread_ts:
        return True
    sent = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{OPEN_KEY}{retro.id}"))
    if sent is None or not sent.result or not sent.result.get("ts"):
        return False
    retro.channel_id = sent.result.get("channel")
    retro.thread_ts = sent.result["ts"]
    return True


# -- the clock ---------------------------------------------------------------------------------------------
def _working_times(row: Any) -> tuple[worktime.WorkingTime, worktime.WorkingTime]:
    """Both partners' working time, from a row of :func:`_due_rows`."""
    return worktime.of_row(row, "_a"), worktime.of_row(row, "_b")


@functools.cache
def _due_rows() -> Select[Any]:
    """Active pairs with what their retro schedule depends on (built once: the clock runs it every minute)."""
    a, b = aliased(Participant), aliased(Participant)
    return (
        select(
            Pair.id.label("pair_id"),
            *rhythm.SCHEDULE_COLUMNS,
            Program.retro_every_weeks,
            Program.working_days,
            *worktime_columns(a, "_a"),
            *worktime_columns(b, "_b"),
        )
        .join(Program, Program.id == Pair.program_id)
        .join(a, a.id == Pair.participant_a_id)
        .join(b, b.id == Pair.participant_b_id)
        .where(Pair.status == PairStatus.ACTIVE, Program.status == ProgramStatus.ACTIVE)
        .order_by(Pair.id)
    )


def _opened_cycles(session: Session) -> dict[int, int]:
    """Active pair id -> the newest cycle whose retro opened (pairs without one are left out)."""
    return dict(session.execute(_OPENED_CYCLES).tuples().all())


# Built once: the clock runs these every minute (building a statement costs more CPU than the query).
_OPENED_CYCLES = (
    select(Retro.pair_id, func.max(Retro.cycle))
    .join(Pair, Pair.id == Retro.pair_id)
    .where(Pair.status == PairStatus.ACTIVE)
    .group_by(Retro.pair_id)
)
_REPORTABLE = (
    select(Program).where(Program.status == ProgramStatus.ACTIVE, Program.start_date.is_not(None)).order_by(Program.id)
)
_REPORTABLE_WITH_CHANNEL = (
    select(Program, Workspace.admin_channel_id)
    .join(Workspace, Workspace.id == Program.workspace_id)
    .where(Program.status == ProgramStatus.ACTIVE, Program.start_date.is_not(None))
)
_SENT_KEYS = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(bindparam("keys", expanding=True)))
_SENT_KEY = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == bindparam("key"))


def open_due(session: Session, now: datetime) -> int:
    """Open the retro of every active pair whose cycle ended (``bot.domain.retro.due``). Does not commit.

    Runs every minute, so it reads only the columns the rule needs, in two queries for all pairs, and loads a
    pair's rows only when its retro is due."""
    rows = session.execute(_due_rows()).all()
    if not rows:
        return 0
    opened_cycles = _opened_cycles(session)
    opened = 0
    for row in rows:
        schedule = rhythm.schedule_of(row, row.started_at)
        cycle = rules.due(
            rules.cycles(schedule.weeks, row.retro_every_weeks),
            day_of=schedule.day,
            zones=_working_times(row),
            opened=int(opened_cycles.get(row.pair_id) or 0),
            now=now,
        )
        if cycle is None:
            continue
        pair = session.get(Pair, row.pair_id)
        assert pair is not None
        tandem = tandem_of(session, pair)
        program = tandem.program
        retro = Retro(
            pair_id=pair.id,
            program_id=program.id,
            cycle=cycle.number,
            last_week=cycle.last_week,
            final=cycle.final,
            locale=tandem.locale,
            opened_at=now,
        )
        session.add(retro)
        session.flush()
        message = blocks.opening(
            retro.locale, retro_id=retro.id, program=program.name, final=retro.final, weeks=retro.last_week
        )
        _post(session, tandem, message, key=f"{OPEN_KEY}{retro.id}", now=now, retro=retro)
        opened += 1
    return opened


def due(session: Session, now: datetime) -> int:
    """Clock: open the retros that are due and send the hosts' program retros. Does not commit."""
    return open_due(session, now) + report_due(session, now)


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the earliest of every active pair's next retro
    (``rules.next_moment``) and of the program retros still to send (:func:`_next_report`). The pairs are those
    :func:`open_due` reads, in one query: pairs alike in what their retros depend on (one program, started at the
    same moment, the same zones, the same newest retro) come as one row, worked out once."""
    moments = [_next_report(session, now)]
    for row in session.execute(_alike_rows()):
        schedule = rhythm.schedule_of(row, row.started_at)
        moments.append(
            rules.next_moment(
                rules.cycles(schedule.weeks, row.retro_every_weeks),
                day_of=schedule.day,
                zones=_working_times(row),
                opened=int(row.opened or 0),
            )
        )
    return min((at for at in moments if at is not None), default=None)


@functools.cache
def _alike_rows() -> Select[Any]:
    """:func:`_due_rows` with each pair's newest opened cycle, one row for the pairs alike in all of it (built
    once)."""
    rows = _due_rows().subquery()
    opened = select(Retro.pair_id, func.max(Retro.cycle).label("opened")).group_by(Retro.pair_id).subquery()
    columns = [c for c in rows.c if c.key != "pair_id"] + [opened.c.opened]
    return select(*columns).outerjoin(opened, opened.c.pair_id == rows.c.pair_id).group_by(*columns)


# -- a partner's form ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    retro: Retro
    tandem: Tandem
    me: Participant
    partner: Participant
    mine: RetroAnswer | None


def find(session: Session, *, participant: Participant | None, retro_id: int | None) -> Found | str:
    """The retro for one of its partners, or why not (``not_yours``, ``closed``: the pair ended)."""
    retro = session.get(Retro, retro_id) if retro_id else None
    if retro is None or participant is None:
        return NOT_YOURS
    pair = session.get(Pair, retro.pair_id)
    assert pair is not None
    tandem = tandem_of(session, pair)
    if not tandem.has(participant.id):
        return NOT_YOURS
    if pair.status != PairStatus.ACTIVE:
        return CLOSED
    mine = session.scalar(
        select(RetroAnswer).where(RetroAnswer.retro_id == retro.id, RetroAnswer.participant_id == participant.id)
    )
    return Found(retro, tandem, participant, tandem.partner_of(participant.id), mine)


def answers(session: Session, retro: Retro) -> list[RetroAnswer]:
    return list(session.scalars(select(RetroAnswer).where(RetroAnswer.retro_id == retro.id).order_by(RetroAnswer.id)))


def submit(session: Session, found: Found, form: rules.Form, *, now: datetime) -> str:
    """Store a partner's form (they may change it until the summary is out); once both filled it in, the summary
    and a consent card per quote go into the retro's thread. Does not commit."""
    retro = found.retro
    if retro.summary_at is not None:
        return DONE
    answer = found.mine
    if answer is None:
        answer = RetroAnswer(retro_id=retro.id, participant_id=found.me.id, created_at=now)
        session.add(answer)
    answer.went_well, answer.learned, answer.change = form.went_well, form.learned, form.change
    answer.talk_share = form.talk_share
    answer.themes = list(form.themes)
    if answer.quote != form.quote:
        answer.author_consent_at = None
        answer.partner_consent_at = None
    answer.quote = form.quote
    answer.updated_at = now
    session.flush()
    both = {a.participant_id: a for a in answers(session, retro)}
    if len(both) < 2:
        return SAVED
    resolve_thread(session, retro)
    retro.summary_at = now
    tandem = found.tandem
    names = {tandem.a.id: tandem.a.display_name, tandem.b.id: tandem.b.display_name}
    summary = blocks.summary(
        retro.locale,
        [(names[pid], both[pid]) for pid in (tandem.a.id, tandem.b.id)],
        final=retro.final,
    )
    _post(session, tandem, summary, key=f"retro:summary:{retro.id}", now=now, retro=retro)
    for pid in (tandem.a.id, tandem.b.id):
        answer = both[pid]
        if answer.quote:
            card = blocks.consent_card(
                retro.locale, answer, author=names[pid], partner=names[tandem.partner_of(pid).id]
            )
            _post(session, tandem, card, key=f"retro:consent:{answer.id}", now=now, retro=retro)
    return DONE


def consent(session: Session, *, participant: Participant | None, answer_id: int | None, yes: bool, now: datetime):
    """A partner's yes or no to sharing a quote. Returns (result, the answer or None, the tandem or None): ``saved``,
    ``consented`` (both agreed now), ``declined``, ``already`` (decided before), ``not_yours``."""
    answer = session.get(RetroAnswer, answer_id) if answer_id else None
    if answer is None or participant is None or not answer.quote:
        return NOT_YOURS, None, None
    retro = session.get(Retro, answer.retro_id)
    assert retro is not None
    found = find(session, participant=participant, retro_id=retro.id)
    if isinstance(found, str):
        return found, None, None
    if answer.declined_at is not None or rules.consented(
        author_at=answer.author_consent_at, partner_at=answer.partner_consent_at, declined_at=answer.declined_at
    ):
        return ALREADY, answer, found.tandem
    if not yes:
        answer.declined_at = now
        return DECLINED, answer, found.tandem
    if participant.id == answer.participant_id:
        answer.author_consent_at = answer.author_consent_at or now
    else:
        answer.partner_consent_at = answer.partner_consent_at or now
    done = rules.consented(
        author_at=answer.author_consent_at, partner_at=answer.partner_consent_at, declined_at=answer.declined_at
    )
    return (CONSENTED if done else SAVED), answer, found.tandem


def consent_message(session: Session, answer: RetroAnswer, tandem: Tandem) -> dict[str, Any]:
    retro = session.get(Retro, answer.retro_id)
    assert retro is not None
    author = tandem.person(answer.participant_id)
    return blocks.consent_card(
        retro.locale, answer, author=author.display_name, partner=tandem.partner_of(author.id).display_name
    )


# -- hosts -------------------------------------------------------------------------------------------------
def _consented_filter() -> Any:
    return (
        RetroAnswer.quote.is_not(None),
        RetroAnswer.author_consent_at.is_not(None),
        RetroAnswer.partner_consent_at.is_not(None),
        RetroAnswer.declined_at.is_(None),
    )


def aggregate(session: Session, program: Program) -> rules.Aggregate:
    """Counts only, never free text, and released ones (``bot.services.release``, series ``retros``): the same
    figures all week, each from at least the threshold of pairs."""
    cells = release.series(release.of(session, program), release_rules.RETROS)
    pairs = int(
        session.scalar(select(func.count(func.distinct(Retro.pair_id))).where(Retro.program_id == program.id)) or 0
    )
    return rules.released(
        release_rules.total(cells),
        pairs=pairs,
        quotes_consented=len(consented_quotes(session, program, by=release.released_at(session, program))),
        released_on=release.last_release(session, program),
    )


def consented_quotes(session: Session, program: Program, *, by: datetime | None) -> list[RetroAnswer]:
    """The quotes both partners agreed to by ``by`` (hosts' surfaces: the latest release, ``release.released_at``;
    None: none yet): a quote shown the moment its second consent came would tell hosts which pair just finished its
    retro. Oldest first."""
    if by is None:
        return []
    return list(
        session.scalars(
            select(RetroAnswer)
            .join(Retro, Retro.id == RetroAnswer.retro_id)
            .where(
                Retro.program_id == program.id,
                *_consented_filter(),
                RetroAnswer.author_consent_at <= by,
                RetroAnswer.partner_consent_at <= by,
            )
            .order_by(RetroAnswer.partner_consent_at, RetroAnswer.id)
        )
    )


def consented_quote(
    session: Session, *, workspace_id: int, answer_id: int | None
) -> tuple[RetroAnswer, Program] | None:
    """A consented quote of a program in this workspace (None for anything else)."""
    if not answer_id:
        return None
    row = session.execute(
        select(RetroAnswer, Program)
        .join(Retro, Retro.id == RetroAnswer.retro_id)
        .join(Program, Program.id == Retro.program_id)
        .where(RetroAnswer.id == answer_id, Program.workspace_id == workspace_id, *_consented_filter())
    ).first()
    return (row[0], row[1]) if row else None


def post_quote(
    session: Session, answer: RetroAnswer, program: Program, *, host: str, locale: str, now: datetime
) -> None:
    """Queue a consented quote in the program's community channel. Does not commit."""
    assert program.community_channel_id
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=program.community_channel_id,
        message=blocks.community_quote(locale, quote=answer.quote or "", program=program.name),
        now=now,
        about=outbox.About.of(program=program, people=[answer.participant_id]),
        dedupe_key=f"{QUOTE_KEY}{answer.id}",
    )
    answer.posted_at = now
    answer.posted_channel = program.community_channel_id
    answer.posted_by = host


def active_pairs(session: Session, program: Program) -> int:
    return int(
        session.scalar(
            select(func.count(Pair.id)).where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE)
        )
        or 0
    )


def end_day(program: Program) -> date | None:
    if program.start_date is None:
        return None
    return program.start_date + timedelta(weeks=program.duration_weeks)


def _next_report(session: Session, now: datetime) -> datetime | None:
    """When :func:`report_due` may next send a program retro: the earliest report moment of an active program with
    an admin channel whose retro was not sent."""
    rows = session.execute(_REPORTABLE_WITH_CHANNEL).tuples().all()
    waiting = {f"{REPORT_KEY}{program.id}": program for program, channel in rows if channel}
    if not waiting:
        return None
    for key in session.scalars(_SENT_KEYS, {"keys": list(waiting)}):
        waiting.pop(key, None)
    moments = [
        rules.report_moment(end, program.timezone).astimezone(UTC)
        for program in waiting.values()
        if (end := end_day(program)) is not None
    ]
    return min(moments, default=None)


def report_due(session: Session, now: datetime) -> int:
    """The hosts' program retro, once per program, ``REPORT_AFTER_DAYS`` after its end. Does not commit."""
    sent = 0
    for program in session.scalars(_REPORTABLE):
        end = end_day(program)
        if end is None or rules.report_moment(end, program.timezone) > now:
            continue
        key = f"{REPORT_KEY}{program.id}"
        if session.scalar(_SENT_KEY, {"key": key}) is not None:
            continue
        workspace = session.get(Workspace, program.workspace_id)
        if workspace is None or not workspace.admin_channel_id:
            continue
        quotes = consented_quotes(session, program, by=now)  # once, at its fixed moment after the program
        message = blocks.program_report(
            program.default_locale,
            program=program.name,
            active=active_pairs(session, program),
            totals=aggregate(session, program),
            mood=polls.results(session, program=program),
            quotes=quotes,
            followup_quotes=followups.consented_quotes(session, program, by=now),
        )
        about = outbox.About.of(program=program, people=[q.participant_id for q in quotes])  # whose quotes
        outbox.to_hosts(session, workspace, message, cause=key, now=now, about=about)
        sent += 1
    return sent
