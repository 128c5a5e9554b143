"""Learning that lasts (rules in ``bot.domain.followup``): 30 and 90 days after a pair ends, the clock asks each
partner by DM, in their working time, "Is what we learned still in use? What exactly?"; each answers once; hosts see
the answers counted as released weekly (``bot.services.release``, series ``followup``) and, only where the author
consented, the text as a quote without a name.

Asked are the partners still stored (not forgotten) of a pair in an active or closed program (a closed program ended
when it was closed) whose data retention has not deleted it yet (``Program.expired_at``); a paused or draft program's
pairs are not asked. Every Slack message goes through the outbox in the transaction that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from bot.blocks import followup as blocks
from bot.blocks.programs import local_day_text
from bot.domain import followup as rules
from bot.domain import release as release_rules
from bot.domain import worktime
from bot.domain.privacy import FORGOTTEN_PREFIX
from bot.models import FollowUp, Pair, Participant, Program, ProgramStatus
from bot.services import outbox, release

ASK_KEY = "followup:ask:"  # + follow-up id: the question in the person's DM
SAVED, ALREADY, CLOSED, NOT_YOURS = "saved", "already", "closed", "not_yours"

# Built once: the clock runs these every minute. The programs whose pairs may be asked ...
_PROGRAMS = (
    select(Program)
    .where(
        Program.status.in_((ProgramStatus.ACTIVE, ProgramStatus.CLOSED)),
        Program.start_date.is_not(None),
        Program.expired_at.is_(None),
    )
    .order_by(Program.id)
)
# ... their pairs ...
_A, _B = aliased(Participant), aliased(Participant)
_PAIRS = (
    select(
        Pair.id,
        Pair.program_id,
        Pair.participant_a_id,
        Pair.participant_b_id,
        Pair.ended_at,
        _A.slack_user_id.label("user_a"),
        _B.slack_user_id.label("user_b"),
    )
    .join(_A, _A.id == Pair.participant_a_id)
    .join(_B, _B.id == Pair.participant_b_id)
    .where(Pair.program_id.in_(bindparam("programs", expanding=True)))
    .order_by(Pair.id)
)
# ... and the stages each pair's partners were asked.
_ASKED = select(FollowUp.pair_id, FollowUp.days).where(FollowUp.program_id.in_(bindparam("programs", expanding=True)))


def _program_end(program: Program) -> datetime | None:
    """When the program ended for its pairs: at its end date, or when a host closed it, whichever came first."""
    ends = rules.program_end(program.start_date, program.duration_weeks, program.timezone)
    moments = [at for at in (ends, program.closed_at) if at is not None]
    return min(moments) if moments else None


def _ended(session: Session, now: datetime) -> list[tuple[Program, Any, datetime, list[int]]]:
    """Every pair that ended by ``now`` in a program whose pairs may be asked: (program, pair row, when it ended,
    the stages asked)."""
    programs: dict[int, tuple[Program, datetime | None]] = {}
    for p in session.scalars(_PROGRAMS):
        ends = _program_end(p)
        if ends is None or ends + rules.ASKED_WITHIN > now:  # past that, no pair of it has a stage left
            programs[p.id] = (p, ends)
    if not programs:
        return []
    ids = list(programs)
    asked: dict[int, set[int]] = defaultdict(set)
    for pair_id, days in session.execute(_ASKED, {"programs": ids}).tuples():
        asked[pair_id].add(days)
    out = []
    for row in session.execute(_PAIRS, {"programs": ids}):
        if all(user.startswith(FORGOTTEN_PREFIX) for user in (row.user_a, row.user_b)):
            continue  # nobody left to ask
        program, ends = programs[row.program_id]
        end = rules.pair_end(ended_at=row.ended_at, program_ends=ends, now=now)
        if end is not None:
            out.append((program, row, end, sorted(asked[row.id])))
    return out


def due(session: Session, now: datetime) -> int:
    """Clock: ask each partner of every pair whose follow-up stage came (``rules.due_stage``) in their working time.
    Writes one row per person and stage before queueing the question, so a second tick asks nobody twice. Does not
    commit. Returns how many questions it queued."""
    sent = 0
    for program, row, end, asked in _ended(session, now):
        stage = rules.due_stage(end, asked=asked, now=now)
        if stage is None:
            continue
        a, b = session.get(Participant, row.participant_a_id), session.get(Participant, row.participant_b_id)
        for person, partner in ((a, b), (b, a)):
            if person is None or person.slack_user_id.startswith(FORGOTTEN_PREFIX):
                continue
            reaches = worktime.of(person, program).next_working(now)
            item = FollowUp(
                pair_id=row.id,
                program_id=program.id,
                participant_id=person.id,
                days=stage,
                asked_at=now,
                closes_at=rules.closes_at(reaches),
                quote_ok=False,
            )
            session.add(item)
            session.flush()
            outbox.post(
                session,
                workspace_id=program.workspace_id,
                channel=person.slack_user_id,
                message=blocks.question(
                    person.locale,
                    followup_id=item.id,
                    program=program.name,
                    partner=partner.display_name if partner is not None else "",
                    days=stage,
                    closes=local_day_text(person.locale, item.closes_at, person.tz),
                ),
                now=now,
                about=outbox.About.of(program=program, people=[person, partner]),  # it names the partner
                dedupe_key=f"{ASK_KEY}{item.id}",
                not_before=reaches,
            )
            sent += 1
    return sent


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the earliest next stage of a pair that ended
    (``rules.next_moment``); pairs still running end at the latest at their program's end."""
    moments: list[datetime] = []
    for program in session.scalars(_PROGRAMS):
        ends = _program_end(program)
        if ends is not None and ends > now:  # its pairs still running end then; their first stage comes after
            first = rules.next_moment(ends, asked=[], now=now)
            if first is not None:
                moments.append(first.astimezone(UTC))
    for _program, _row, end, asked in _ended(session, now):
        at = rules.next_moment(end, asked=asked, now=now)
        if at is not None:
            moments.append(at.astimezone(UTC))
    return min(moments, default=None)


# -- a person's answer --------------------------------------------------------------------------------------------
def find(session: Session, *, participant: Participant | None, followup_id: int | None) -> FollowUp | str:
    """The person's own follow-up question, or why not: ``not_yours`` (someone else's, or none), ``already``
    (answered), ``closed`` (no longer open)."""
    item = session.get(FollowUp, followup_id) if followup_id else None
    if item is None or participant is None or item.participant_id != participant.id:
        return NOT_YOURS
    if item.answered_at is not None:
        return ALREADY
    return item


def submit(session: Session, item: FollowUp, form: rules.Form, *, now: datetime) -> str:
    """Write the answer once, while the question is open (``saved``); a second or a late one changes nothing
    (``already``, ``closed``). Does not commit."""
    if item.answered_at is not None:
        return ALREADY
    if not rules.is_open(closes=item.closes_at, answered=item.answered_at, now=now):
        return CLOSED
    item.answer = form.answer
    item.text = form.text
    item.quote_ok = form.quote_ok and form.text is not None
    item.answered_at = now
    session.flush()
    return SAVED


# -- what hosts (and participants, on App Home) see -------------------------------------------------------------
def counts(session: Session, program: Program) -> rules.Counts:
    """The answers counted, as released (series ``followup``): never who answered what."""
    cells = release.series(release.of(session, program), release_rules.FOLLOWUP)
    return rules.counts(release_rules.total(cells))


_QUOTES = (
    select(FollowUp.text)
    .where(
        FollowUp.program_id == bindparam("program_id"),
        FollowUp.quote_ok.is_(True),
        FollowUp.text.is_not(None),
        FollowUp.answered_at <= bindparam("by"),
    )
    .order_by(FollowUp.answered_at, FollowUp.id)
)


def consented_quotes(session: Session, program: Program, *, by: datetime | None) -> list[str]:
    """The texts whose authors said "you may quote me", given by ``by`` (hosts' surfaces: the latest release,
    ``release.released_at``; None: none yet), without names, oldest first."""
    if by is None:
        return []
    return [t for t in session.scalars(_QUOTES, {"program_id": program.id, "by": by}) if t]
