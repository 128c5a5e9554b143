"""Retention: ``retention_months`` after a program ends (``bot.domain.retention``) the clock deletes its free text
and every link between it and a person; the program row, its KPI snapshots and what is already anonymous stay.
A week before, the hosts get a heads-up (they can ``/tandem admin export`` first); afterwards one count-only
message. Then everyone who was in the program and whose data no other program still keeps is forgotten, as
``bot.services.privacy.forget`` forgets one person (their profile goes, an unlinkable tombstone stays), but for all
of them at once (:func:`forget_many`: ``forget`` reads the workspace's whole outbox and participants once per
person, which for the 2,000 people of a 1,000-pair program would take the better part of an hour).

Every table (``Base.metadata.sorted_tables``) and what happens to the expired program's rows in it:

- workspace, clock_tick, slack_event, slack_* (installations, OAuth states): not a program's data; untouched.
- program: kept (name, settings, dates, the digest's counts); ``status`` closed, ``signup_open`` off,
  ``expired_at`` set. ``created_by`` (a host) stays: it is the program's setting, not a participant's data.
- kpi_snapshot: kept (counts and rates only: the program's record after its data is gone). release_cell: kept
  (the released figures: sums and counts over at least the threshold of contributors, nobody's data).
- metric: kept (the hosts' definitions). metric_value: rows a pair logged (``pair_id``) deleted; the hosts'
  program-level values kept, with ``logged_by`` emptied.
- enrollment: deleted (who was in the program; the counts survive in kpi_snapshot and the digest snapshot). Those
  of the people forgotten with it in other programs stay, linked to their tombstones (those programs' counts).
- invite_batch: ``user_ids`` emptied, ``requested_by`` emptied; channel and the summary's counts kept.
- participant: forgotten (a tombstone, :func:`forget_many`) when nothing else keeps them (:func:`_keeping`: a kept
  program they joined or are paired in; an invitation only 30 days after "Not now", 60 after it was sent); else kept.
- host_role: the program's hosts and co-hosts deleted (Tandem admins are no program's: kept); host_confirmation of
  the program: deleted.
- reporting_line: a forgotten person's own lines deleted; where they are someone's manager, an anonymous placeholder
  takes their id (``bot.services.reporting.forget``). The org chart's other lines stay until the next import.

Apart from programs, once a day (:func:`people_due`) the clock forgets whoever never joined a program once nothing
keeps them (:func:`forget_strangers`): 30 days after a "Not now" or after they asked Tandem to keep something (a help
request, a break), 60 days after an invitation nobody answered.
- pair: deleted (participant links, match reasons); first every row below that points to it.
- pair_week: deleted ("what we agreed", thread refs); week_partner (who answered when): deleted;
  week_answer, week_prep: deleted.
- note, red_topic: deleted (every visibility; red ones too).
- goal: deleted. agreement, agreement_version (sections, notes), agreement_acceptance: deleted.
- retro, retro_answer (texts, quotes, consents, themes): deleted; quotes a host posted stay in Slack's channel only.
- follow_up (answers 30 and 90 days after a pair ended, texts, consents to be quoted): deleted.
- cancellation, live_session (a pair's live sessions, who accepted them): deleted. escalation of the program or its
  pairs (what the person shared, host answers): deleted.
- trial_check: deleted (a flag per pair, but the pair goes).
- match_round: kept with its anonymous stats (pool size, score distribution); ``created_by`` / ``approved_by``
  emptied. match_proposal (pairs of people with reasons): deleted.
- speed_round: kept (counts); ``created_by`` emptied. speed_intro (who said what about whom): deleted.
- learning_card: deleted, drafts and published ones alike (a published card stays in the community channel in
  Slack, where its author put it with consent; our copy goes).
- kickoff_kit (whose kit, which lessons they marked): deleted. peer_circle (whom Tandem invited): deleted; the
  channels Tandem created stay in Slack.
- poll_round: kept. poll_receipt (who was asked, who answered): deleted. poll_ballot (an open round's sealed answers;
  a round the clock never closed): deleted unopened. poll_response (mood and ratings, never linked to anyone): kept,
  its free-text ``comment`` emptied.
- outbox: every stored call of the program deleted, sent or not, found by what it is about
  (``outbox.program_id`` / ``pair_id``, set by whoever queued it: prompts, nudges, DMs about its polls, trial,
  speed dating, interviews and invitations, the hosts' digests, previews and reports); calls queued before those
  references existed, by their idempotency key or their pair's conversation. outbox_subject: goes with its call.
  The count-only message about the expiry itself is the only new one. The people who leave with it are forgotten
  in the outbox too (``outbox.forget_people``: calls to their DMs, calls naming them that still say something).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, inspect, select, union, update
from sqlalchemy.orm import Session

from bot.blocks import retention as blocks
from bot.domain import localtime
from bot.domain import retention as rules
from bot.domain.privacy import FORGOTTEN_PREFIX
from bot.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Cancellation,
    Enrollment,
    EnrollmentStatus,
    Escalation,
    FollowUp,
    Goal,
    HostConfirmation,
    HostRoleRow,
    InviteBatch,
    KickoffKit,
    LearningCard,
    LiveSession,
    MatchProposal,
    MatchRound,
    Metric,
    MetricValue,
    Note,
    OutboxMessage,
    Pair,
    PairWeek,
    Participant,
    PeerCircle,
    PollBallot,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    RedTopic,
    Retro,
    RetroAnswer,
    SpeedIntro,
    SpeedRound,
    TrialCheck,
    WeekAnswer,
    WeekPartner,
    WeekPrep,
    Workspace,
)
from bot.services import outbox, reporting
from bot.services.privacy import INSTALLATIONS, INSTALLER_GONE

log = logging.getLogger(__name__)

CHUNK = 500  # ids in one IN (...) list
JOINED = (EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED)  # who took up an invitation (or signed up)
OUTBOX_PAGE = 5000  # outbox rows read at a time when looking for the program's stored calls
NOTICE_KEY = "retention:notice:"  # + program id + ":" + due day: the hosts' heads-up (again if the day moves)
DONE_KEY = "retention:done:"  # + program id: the count-only message after the expiry


@dataclass
class Expired:
    """What one program's expiry deleted, as counts (the hosts' message shows them)."""

    program_id: int
    name: str
    months: int
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int | None) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(n or 0)


@dataclass
class Report:
    expired: list[Expired] = field(default_factory=list)
    notices: int = 0

    @property
    def total(self) -> int:
        return len(self.expired) + self.notices


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _ids(session: Session, query: Any) -> list[int]:
    return [int(i) for i in session.scalars(query)]


def _ids_in(session: Session, column: Any, by: Any, ids: Sequence[int]) -> list[int]:
    """``column`` of rows whose ``by`` is one of ``ids``, read chunk by chunk."""
    out: list[int] = []
    for chunk in _chunks(ids):
        out += _ids(session, select(column).where(by.in_(chunk)))
    return out


def _delete_in(session: Session, model: Any, by: Any, ids: Sequence[int]) -> int:
    """``DELETE FROM model WHERE by IN ids``, chunk by chunk. Returns how many rows went."""
    gone = 0
    for chunk in _chunks(ids):
        gone += session.execute(delete(model).where(by.in_(chunk))).rowcount or 0
    return gone


# -- what is due -----------------------------------------------------------------------------------------------
# Built once: the clock runs and asks these every minute
_CANDIDATES = select(Program).where(Program.expired_at.is_(None)).order_by(Program.id)
_KEYED = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == bindparam("key"))
_SENT_KEYS = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(bindparam("keys", expanding=True)))


def _candidates(session: Session) -> list[Program]:
    return list(session.scalars(_CANDIDATES))


def _notice_key(program: Program, plan: rules.Schedule) -> str:
    return f"{NOTICE_KEY}{program.id}:{plan.due_on.isoformat()}"


def notify_due(session: Session, *, now: datetime) -> int:
    """The hosts' heads-up, once per program and due day, from ``NOTICE_DAYS`` before the expiry. Does not
    commit."""
    sent = 0
    for program in _candidates(session):
        plan = rules.of(program)
        if plan is None or not plan.notice_due(now):
            continue
        key = _notice_key(program, plan)
        channel = _admin_channel(session, program)
        if channel is None or session.scalar(_KEYED, {"key": key}):
            continue
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=channel,
            message=blocks.notice(
                program.default_locale,
                program=program.name,
                months=program.retention_months,
                due_on=plan.due_on,
                editable=program.status != ProgramStatus.CLOSED,
            ),
            now=now,
            about=outbox.About.of(program=program),
            dedupe_key=key,
        )
        sent += 1
    return sent


def expire_due(
    session: Session, *, now: datetime, forget: Callable[..., Any] | None = None, notify: bool = True
) -> Report:
    """Expire every program whose retention is over (see the module's table), one transaction per program, and
    tell its hosts. ``forget``: forget the people one by one with this (``bot.services.privacy.forget``'s
    signature) instead of all at once with :func:`forget_many`. Commits."""
    report = Report()
    if notify:
        report.notices = notify_due(session, now=now)
        if report.notices:
            session.commit()
    for program in _candidates(session):
        plan = rules.of(program)
        if plan is None or not plan.is_due(now):
            continue
        report.expired.append(expire_program(session, program=program, now=now, forget=forget))
    return report


def due(session: Session, now: datetime) -> int:
    """Clock: the heads-ups, and the expiry of programs whose retention is over (at 03:00 program time on the due
    day, or at the first tick after). Commits what it did."""
    return expire_due(session, now=now).total


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` next acts: the earliest ``Schedule.next_at`` of the programs not expired yet that have an end
    (the heads-up counts while it is still to send: an admin channel, none sent for this due day); None when there
    is none."""
    plans: list[tuple[rules.Schedule, str | None]] = []  # with the heads-up's key while it may still be sent
    for program in _candidates(session):
        plan = rules.of(program)
        if plan is None:
            continue
        may_tell = now < plan.due_at and _admin_channel(session, program) is not None
        plans.append((plan, _notice_key(program, plan) if may_tell else None))
    keys = [key for _, key in plans if key is not None]
    sent = set(session.scalars(_SENT_KEYS, {"keys": keys})) if keys else set()  # one query for every heads-up
    return min((plan.next_at(notice=key is not None and key not in sent) for plan, key in plans), default=None)


# -- one program -------------------------------------------------------------------------------------------------
def _people(session: Session, program_id: int) -> list[int]:
    """Everyone linked to the program: enrolled, paired, proposed, introduced, asked in a poll."""
    in_pairs = Pair.program_id == program_id
    rounds = select(MatchRound.id).where(MatchRound.program_id == program_id)
    speed = select(SpeedRound.id).where(SpeedRound.program_id == program_id)
    polls = select(PollRound.id).where(PollRound.program_id == program_id)
    query = union(
        select(Enrollment.participant_id.label("p")).where(Enrollment.program_id == program_id),
        select(Pair.participant_a_id).where(in_pairs),
        select(Pair.participant_b_id).where(in_pairs),
        select(MatchProposal.participant_a_id).where(MatchProposal.round_id.in_(rounds)),
        select(SpeedIntro.participant_id).where(SpeedIntro.round_id.in_(speed)),
        select(PollReceipt.participant_id).where(PollReceipt.round_id.in_(polls)),
        select(LearningCard.participant_id).where(LearningCard.program_id == program_id),
    ).subquery()
    return sorted(int(p) for p in session.scalars(select(query.c.p)) if p is not None)


@dataclass
class _Rows:
    """Ids of the program's rows, read before anything is deleted (the outbox's keys name them)."""

    program: int
    pairs: list[int]
    weeks: list[int]
    week_partners: list[int]
    answers: list[int]
    goals: list[int]
    agreements: list[int]
    versions: list[int]
    retros: list[int]
    retro_answers: list[int]
    escalations: list[int]
    enrollments: list[int]
    batches: list[int]
    match_rounds: list[int]
    speed_rounds: list[int]
    polls: list[int]
    trials: list[int]
    cards: list[int]
    channels: set[str]

    def key_ids(self) -> dict[str, set[int]]:
        return {
            "program": {self.program},
            "pair": set(self.pairs),
            "week": set(self.weeks),
            "week_partner": set(self.week_partners),
            "answer": set(self.answers),
            "goal": set(self.goals),
            "agreement": set(self.agreements),
            "version": set(self.versions),
            "retro": set(self.retros),
            "retro_answer": set(self.retro_answers),
            "escalation": set(self.escalations),
            "enrollment": set(self.enrollments),
            "batch": set(self.batches),
            "match_round": set(self.match_rounds),
            "speed_round": set(self.speed_rounds),
            "poll": set(self.polls),
            "trial": set(self.trials),
            "card": set(self.cards),
        }


def _collect(session: Session, program_id: int) -> _Rows:
    pairs = _ids(session, select(Pair.id).where(Pair.program_id == program_id).order_by(Pair.id))
    weeks = _ids_in(session, PairWeek.id, PairWeek.pair_id, pairs)
    agreements = _ids_in(session, Agreement.id, Agreement.pair_id, pairs)
    retros = _ids(session, select(Retro.id).where(Retro.program_id == program_id))
    retros = sorted(set(retros) | set(_ids_in(session, Retro.id, Retro.pair_id, pairs)))
    escalations = set(_ids(session, select(Escalation.id).where(Escalation.program_id == program_id)))
    escalations |= set(_ids_in(session, Escalation.id, Escalation.pair_id, pairs))
    trials = set(_ids(session, select(TrialCheck.id).where(TrialCheck.program_id == program_id)))
    trials |= set(_ids_in(session, TrialCheck.id, TrialCheck.pair_id, pairs))
    channels = _pair_channels(session, pairs, retros)
    return _Rows(
        program=program_id,
        pairs=pairs,
        weeks=weeks,
        week_partners=_ids_in(session, WeekPartner.id, WeekPartner.week_id, weeks),
        answers=_ids_in(session, WeekAnswer.id, WeekAnswer.week_id, weeks),
        goals=_ids_in(session, Goal.id, Goal.pair_id, pairs),
        agreements=agreements,
        versions=_ids_in(session, AgreementVersion.id, AgreementVersion.agreement_id, agreements),
        retros=retros,
        retro_answers=_ids_in(session, RetroAnswer.id, RetroAnswer.retro_id, retros),
        escalations=sorted(escalations),
        enrollments=_ids(session, select(Enrollment.id).where(Enrollment.program_id == program_id)),
        batches=_ids(session, select(InviteBatch.id).where(InviteBatch.program_id == program_id)),
        match_rounds=_ids(session, select(MatchRound.id).where(MatchRound.program_id == program_id)),
        speed_rounds=_ids(session, select(SpeedRound.id).where(SpeedRound.program_id == program_id)),
        polls=_ids(session, select(PollRound.id).where(PollRound.program_id == program_id)),
        trials=sorted(trials),
        cards=_ids(session, select(LearningCard.id).where(LearningCard.program_id == program_id)),
        channels=channels,
    )


def _pair_channels(session: Session, pairs: Sequence[int], retros: Sequence[int]) -> set[str]:
    """The pairs' group DMs: remembered on the pair, its weeks and retros, or only in the introduction's result."""
    from bot.services.matching import INTRO_KEY

    channels: set[str] = set()
    for chunk in _chunks(pairs):
        channels.update(session.scalars(select(Pair.channel_id).where(Pair.id.in_(chunk))))
        channels.update(session.scalars(select(PairWeek.channel_id).where(PairWeek.pair_id.in_(chunk)).distinct()))
        keys = [f"{INTRO_KEY}{pair_id}" for pair_id in chunk]
        for result in session.scalars(select(OutboxMessage.result).where(OutboxMessage.dedupe_key.in_(keys))):
            if isinstance(result, dict):
                channels.add(result.get("channel"))
    for chunk in _chunks(retros):
        channels.update(session.scalars(select(Retro.channel_id).where(Retro.id.in_(chunk))))
    return {c for c in channels if isinstance(c, str) and c}


def expire_program(
    session: Session, *, program: Program, now: datetime, forget: Callable[..., Any] | None = None
) -> Expired:
    """Delete one program's free text and participant links (see the module's table), tell the hosts, then forget
    the people no other kept program has. Commits (once for the program's data, then per person forgotten)."""
    pid = program.id
    done = Expired(program_id=pid, name=program.name, months=program.retention_months)
    people = _people(session, pid)
    rows = _collect(session, pid)

    # the stored Slack calls, while the rows their keys name are still known
    done.add("messages", _delete_outbox(session, workspace_id=program.workspace_id, rows=rows))

    # children of the pairs first (PostgreSQL checks every foreign key)
    done.add("answers", _delete_in(session, WeekAnswer, WeekAnswer.id, rows.answers))
    _delete_in(session, WeekPrep, WeekPrep.pair_id, rows.pairs)  # the preparations, with the weeks
    _delete_in(session, WeekPartner, WeekPartner.id, rows.week_partners)
    done.add("weeks", _delete_in(session, PairWeek, PairWeek.id, rows.weeks))
    done.add("notes", session.execute(delete(Note).where(Note.program_id == pid)).rowcount)
    done.add("notes", _delete_in(session, Note, Note.pair_id, rows.pairs))
    done.add("red_topics", _delete_in(session, RedTopic, RedTopic.pair_id, rows.pairs))
    done.add("goals", _delete_in(session, Goal, Goal.id, rows.goals))
    _delete_in(session, AgreementAcceptance, AgreementAcceptance.version_id, rows.versions)
    _delete_in(session, AgreementVersion, AgreementVersion.id, rows.versions)
    done.add("agreements", _delete_in(session, Agreement, Agreement.id, rows.agreements))
    done.add("retro_answers", _delete_in(session, RetroAnswer, RetroAnswer.id, rows.retro_answers))
    session.execute(delete(FollowUp).where(FollowUp.program_id == pid))
    _delete_in(session, FollowUp, FollowUp.pair_id, rows.pairs)
    _delete_in(session, Retro, Retro.id, rows.retros)
    done.add("cancellations", _delete_in(session, Cancellation, Cancellation.pair_id, rows.pairs))
    done.add("live_sessions", _delete_in(session, LiveSession, LiveSession.pair_id, rows.pairs))
    done.add("escalations", _delete_in(session, Escalation, Escalation.id, rows.escalations))
    _delete_in(session, TrialCheck, TrialCheck.id, rows.trials)
    _delete_in(session, HostRoleRow, HostRoleRow.program_id, [pid])
    _delete_in(session, HostConfirmation, HostConfirmation.program_id, [pid])
    metrics = select(Metric.id).where(Metric.program_id == pid)
    done.add(
        "metric_values",
        session.execute(
            delete(MetricValue).where(MetricValue.metric_id.in_(metrics), MetricValue.pair_id.is_not(None))
        ).rowcount,
    )
    done.add("metric_values", _delete_in(session, MetricValue, MetricValue.pair_id, rows.pairs))
    session.execute(update(MetricValue).where(MetricValue.metric_id.in_(metrics)).values(logged_by=""))

    # matching and speed dating: the rounds' anonymous stats stay, who was proposed or shown to whom goes
    done.add("match_proposals", _delete_in(session, MatchProposal, MatchProposal.round_id, rows.match_rounds))
    session.execute(update(MatchRound).where(MatchRound.program_id == pid).values(created_by=None, approved_by=None))
    done.add("speed_intros", _delete_in(session, SpeedIntro, SpeedIntro.round_id, rows.speed_rounds))
    session.execute(update(SpeedRound).where(SpeedRound.program_id == pid).values(created_by=None))
    done.add("kickoff_kits", session.execute(delete(KickoffKit).where(KickoffKit.program_id == pid)).rowcount)
    session.execute(delete(PeerCircle).where(PeerCircle.program_id == pid))
    done.add("pairs", _delete_in(session, Pair, Pair.id, rows.pairs))

    done.add("cards", session.execute(delete(LearningCard).where(LearningCard.program_id == pid)).rowcount)
    done.add("poll_receipts", _delete_in(session, PollReceipt, PollReceipt.round_id, rows.polls))
    _delete_in(session, PollBallot, PollBallot.round_id, rows.polls)
    for chunk in _chunks(rows.polls):
        done.add(
            "poll_comments",
            session.execute(
                update(PollResponse)
                .where(PollResponse.round_id.in_(chunk), PollResponse.comment.is_not(None))
                .values(comment=None)
            ).rowcount,
        )
    done.add("enrollments", _delete_in(session, Enrollment, Enrollment.id, rows.enrollments))
    session.execute(update(InviteBatch).where(InviteBatch.program_id == pid).values(user_ids=[], requested_by=""))

    if program.status != ProgramStatus.CLOSED:
        program.status = ProgramStatus.CLOSED
        program.closed_at = program.closed_at or now
    program.signup_open = False
    program.expired_at = now
    program.updated_at = now

    # who no kept program has any more: their profile goes too
    kept = _still_kept(session, people, except_program=pid, now=now)
    leaving = [p for p in people if p not in kept]
    done.add("people", len(leaving))
    _tell_hosts(session, program=program, done=done, now=now)
    session.commit()
    log.info("retention: program %s expired", pid, extra={"program_id": pid})

    _forget_people(session, leaving, workspace_id=program.workspace_id, now=now, forget=forget)
    return done


def _keeping(*, except_program: bool = False) -> Any:
    """The participant ids something still keeps (column ``p``): a program whose data is kept (not expired) that
    they joined (interview begun or done) or are paired in; an invitation not answered for less than
    ``INVITATION_DAYS`` + ``STRANGER_DAYS``; a "not now" or a request for help less than ``STRANGER_DAYS`` old. An
    invitation, answered or not, keeps nobody longer than that, whatever its program's retention. Bound when run
    (:func:`_cutoffs`): ``invited_since``, ``declined_since`` and ``helped_since``, and with ``except_program`` the
    program not to count."""
    kept_programs = select(Program.id).where(Program.expired_at.is_(None))
    if except_program:
        kept_programs = kept_programs.where(Program.id != bindparam("except_program"))
    in_kept_pairs = Pair.program_id.in_(kept_programs)
    return union(
        select(Enrollment.participant_id.label("p")).where(
            Enrollment.program_id.in_(kept_programs), Enrollment.status.in_(JOINED)
        ),
        select(Pair.participant_a_id).where(in_kept_pairs),
        select(Pair.participant_b_id).where(in_kept_pairs),
        select(Enrollment.participant_id).where(
            Enrollment.status == EnrollmentStatus.INVITED, Enrollment.invited_at > bindparam("invited_since")
        ),
        select(Enrollment.participant_id).where(
            Enrollment.status == EnrollmentStatus.DECLINED,
            func.coalesce(Enrollment.responded_at, Enrollment.invited_at) > bindparam("declined_since"),
        ),
        # a request for help less than STRANGER_DAYS old (its hosts may still answer it)
        select(Escalation.participant_id).where(Escalation.created_at > bindparam("helped_since")),
    ).subquery()


def _cutoffs(now: datetime) -> dict[str, datetime]:
    """The bound moments of :func:`_keeping` and :data:`_STRANGERS` at ``now``."""
    cut = rules.stranger_cutoffs(now)
    return {
        "invited_since": cut.invited,
        "declined_since": cut.declined,
        "helped_since": cut.contact,
        "contact": cut.contact,
    }


# Built once (the clock looks every day, and at every program's expiry): who is still kept, who is a stranger
_KEPT_ELSEWHERE = _keeping(except_program=True)
_STILL_KEPT = select(_KEPT_ELSEWHERE.c.p).where(_KEPT_ELSEWHERE.c.p.in_(bindparam("people", expanding=True)))
_KEPT = _keeping()
_STRANGERS = (
    select(Participant.id)
    .where(
        Participant.workspace_id == bindparam("workspace_id"),
        ~Participant.slack_user_id.startswith(FORGOTTEN_PREFIX),
        Participant.created_at <= bindparam("contact"),
        Participant.id.not_in(select(_KEPT.c.p).where(_KEPT.c.p.is_not(None))),
    )
    .order_by(Participant.id)
)


def _still_kept(session: Session, people: Sequence[int], *, except_program: int, now: datetime) -> set[int]:
    """Of ``people``, who something else still keeps (:func:`_keeping`)."""
    kept: set[int] = set()
    for chunk in _chunks(people):
        params = {**_cutoffs(now), "except_program": except_program, "people": chunk}
        kept |= {int(p) for p in session.scalars(_STILL_KEPT, params)}
    return kept


# -- people who never joined a program ---------------------------------------------------------------------------
def strangers(session: Session, *, workspace_id: int, now: datetime) -> list[int]:
    """Participant ids of the workspace's people whom nothing keeps (:func:`_keeping`) and whom Tandem first met
    ``STRANGER_DAYS`` ago or more: invited and never joined, declined, asked for help or took a break without
    being in a program, or left over from an earlier program."""
    return [int(i) for i in session.scalars(_STRANGERS, {**_cutoffs(now), "workspace_id": workspace_id})]


def forget_strangers(session: Session, *, workspace_id: int, now: datetime) -> int:
    """Forget :func:`strangers` as :func:`forget_many` does, keeping their enrollments (linked to the tombstone, for
    the programs' counts) and what they did as hosts; the stored calls about their invitations and help requests go
    too. Does not commit. Returns how many."""
    people = strangers(session, workspace_id=workspace_id, now=now)
    if not people:
        return 0
    ids = {
        "enrollment": set(_ids_in(session, Enrollment.id, Enrollment.participant_id, people)),
        "escalation": set(_ids_in(session, Escalation.id, Escalation.participant_id, people)),
    }
    _delete_keyed(session, workspace_id=workspace_id, ids=ids)
    done = forget_many(session, people, workspace_id=workspace_id, now=now, as_host=False, enrollments=False)
    log.info("retention: %s people who never joined a program forgotten", done, extra={"workspace_id": workspace_id})
    return done


# Built once: the clock runs and asks these every minute
_WORKSPACES = select(Workspace).order_by(Workspace.id)
_CHECKED_ON = select(Workspace.people_checked_on).distinct()


def people_due(session: Session, now: datetime) -> int:
    """Clock: once a day (from ``PEOPLE_HOUR`` UTC) per workspace, forget the people who never joined a program
    (:func:`forget_strangers`). Does not commit (the tick does)."""
    done = 0
    for workspace in session.scalars(_WORKSPACES):
        if not rules.people_due(now, last_on=workspace.people_checked_on):
            continue
        done += forget_strangers(session, workspace_id=workspace.id, now=now)
        workspace.people_checked_on = now.astimezone(UTC).date()
    return done


def next_people_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`people_due` next looks (and marks the day): the earliest ``people_next`` of the workspaces' last
    looks; None without a workspace."""
    days = session.scalars(_CHECKED_ON)
    return min((rules.people_next(now, last_on=day) for day in days), default=None)


def _no_pair_left(session: Session, **_: Any) -> None:
    """``forget``'s callback for a pair that ends: never called here (the expired program's pairs are gone)."""
    raise AssertionError("an expired program has no active pair")


def default_forget() -> Callable[..., Any] | None:
    """The seam to ``bot.services.privacy.forget`` (one person's personal data); None while it is not there."""
    try:
        from bot.services import privacy
    except ImportError:
        return None
    return getattr(privacy, "forget", None)


def _forget_people(
    session: Session, people: Sequence[int], *, workspace_id: int, now: datetime, forget: Callable[..., Any] | None
) -> int:
    """Forget ``people`` (participant ids): with ``forget`` one by one (``bot.services.privacy.forget``'s
    signature), else all at once (:func:`forget_many`). Commits."""
    if forget is None:  # their enrollments in other programs stay, linked to the tombstone (those programs' counts)
        done = forget_many(session, people, workspace_id=workspace_id, now=now, enrollments=False)
        session.commit()
        return done
    done = 0
    for person_id in people:
        person = session.get(Participant, person_id)
        if person is None:
            continue
        forget(session, participant=person, now=now, end_pair=_no_pair_left)
        done += 1
    return done


# who did something, by Slack id: emptied when it is a forgotten person's (None, or "" where the column is NOT NULL)
ACTOR_COLUMNS: tuple[tuple[Any, Any], ...] = (
    (Program.created_by, None),
    (MatchRound.created_by, None),
    (MatchRound.approved_by, None),
    (SpeedRound.created_by, None),
    (Metric.created_by, ""),
    (MetricValue.logged_by, ""),
    (Enrollment.invited_by, None),
    (RetroAnswer.posted_by, None),
    (Escalation.answered_by, None),
    (InviteBatch.requested_by, ""),
)
# rows that point at a person and can outlive every program (a help request without one, a draft card)
PERSON_ROWS: tuple[tuple[Any, Any], ...] = (
    (Escalation, Escalation.participant_id),
    (LearningCard, LearningCard.participant_id),
    (KickoffKit, KickoffKit.participant_id),
    (Note, Note.author_id),
    (WeekAnswer, WeekAnswer.participant_id),
    (WeekPrep, WeekPrep.participant_id),
    (WeekPartner, WeekPartner.participant_id),
    (RetroAnswer, RetroAnswer.participant_id),
    (Cancellation, Cancellation.participant_id),
    (AgreementAcceptance, AgreementAcceptance.participant_id),
    (SpeedIntro, SpeedIntro.participant_id),
    (SpeedIntro, SpeedIntro.candidate_id),
    (MatchProposal, MatchProposal.participant_a_id),
    (MatchProposal, MatchProposal.participant_b_id),
    (PollReceipt, PollReceipt.participant_id),
    (Enrollment, Enrollment.participant_id),
)


def forget_many(
    session: Session,
    people: Sequence[int],
    *,
    workspace_id: int,
    now: datetime,
    as_host: bool = True,
    enrollments: bool = True,
) -> int:
    """What ``bot.services.privacy.forget`` does for one person, for many at once and in bulk, for people whose
    programs' data is already gone (no pair, no enrollment left): each row becomes an unlinkable tombstone (a
    random ``forgotten-`` id, every profile field emptied); their Slack ids leave every column and list that
    names who did something, other people's "please not" lists, reporting lines (a placeholder where they are
    someone's manager), the admin channel's cached members
    and slack_sdk's installation store; every stored Slack call to them (their DMs) or about them goes, found by
    reference (``outbox.forget_people``). ``as_host`` False: what they did as hosts (the
    columns that name who did something, the admin channel's members, an installation) is left to the programs'
    retention and forget-me; ``enrollments`` False: their enrollments stay, linked to the tombstone (the programs'
    counts). Does not commit. Returns how many."""
    try:
        from bot.domain.privacy import forgotten_id  # data rights: the one definition of a tombstone's id
    except ImportError:  # pragma: no cover - only while bot.domain.privacy is not there

        def forgotten_id(token: str) -> str:
            return f"forgotten-{token}"

    rows = []
    for chunk in _chunks(people):
        rows += session.execute(
            select(Participant.id, Participant.slack_user_id).where(
                Participant.id.in_(chunk), Participant.workspace_id == workspace_id
            )
        ).all()
    if not rows:
        return 0
    ids = [int(r[0]) for r in rows]
    users = {str(r[1]) for r in rows}
    for model, column in PERSON_ROWS:
        if model is Enrollment and not enrollments:
            session.execute(update(Enrollment).where(Enrollment.participant_id.in_(ids)).values(step_message={}))
            continue
        _delete_in(session, model, column, ids)
    session.execute(
        update(Participant),
        [
            {
                "id": pid,
                "slack_user_id": forgotten_id(secrets.token_hex(8)),
                "display_name": "",
                "tz": "UTC",
                "locale": "en",
                "role": None,
                "self_description": None,
                "curiosity": [],
                "can_teach": [],
                "want_to_learn": [],
                "learning_style": None,
                "preferences": {},
                "values": [],
                "department": None,
                "hours_per_week": None,
                "preferred_days": [],
                "country": None,
                "region": None,
                "working_days": None,
                "consented_at": None,
                "settings_confirmed": False,
                "avoid": [],
                "waitlisted_at": None,
                "welcomed_at": None,
                "paused_until": None,
                "created_at": now,
                "updated_at": now,
            }
            for pid in ids
        ],
    )
    user_list = sorted(users)
    for column, empty in ACTOR_COLUMNS if as_host else ():
        for start in range(0, len(user_list), CHUNK):
            chunk = user_list[start : start + CHUNK]
            session.execute(update(column.class_).where(column.in_(chunk)).values({column.key: empty}))
    # lists that name them, and reporting lines (bot.services.reporting.forget: theirs go, a placeholder where they
    # are someone's manager)
    others = session.execute(
        select(Participant.id, Participant.avoid).where(Participant.workspace_id == workspace_id)
    ).all()
    changes = [
        {"id": pid, "avoid": [u for u in avoid or [] if u not in users]}
        for pid, avoid in others
        if any(u in users for u in avoid or [])
    ]
    if changes:
        session.execute(update(Participant), changes)
    reporting.forget(session, workspace_id=workspace_id, users=users)
    for batch in session.scalars(
        select(InviteBatch).where(
            InviteBatch.program_id.in_(select(Program.id).where(Program.workspace_id == workspace_id))
        )
    ):
        if any(u in users for u in batch.user_ids or []):
            batch.user_ids = [u for u in batch.user_ids if u not in users]
    workspace = session.get(Workspace, workspace_id)
    if as_host and workspace is not None and any(u in users for u in workspace.admin_members or []):
        workspace.admin_members = [u for u in workspace.admin_members if u not in users]
    outbox.forget_people(session, workspace_id=workspace_id, people=ids, users=users, naming=as_host)
    if as_host:
        _forget_installers(session, users=users)
    session.flush()
    return len(ids)


def _forget_installers(session: Session, *, users: set[str]) -> None:
    """slack_sdk's installation store keeps who installed the app and their user token: both go."""
    if not users or not inspect(session.get_bind()).has_table("slack_installations"):
        return
    session.execute(update(INSTALLATIONS).where(INSTALLATIONS.c.user_id.in_(sorted(users))).values(**INSTALLER_GONE))


# -- the outbox --------------------------------------------------------------------------------------------------
# An idempotency key names the row it is about: "<prefix><id>[:...]". Each prefix -> which of the program's ids.
KEY_PREFIXES: dict[str, str] = {
    "program:": "program",
    "retro:report:": "program",
    "impact:digest:": "program",
    "impact:charts:": "program",
    "impact-export:": "program",
    "trial-summary:": "program",
    "digest:": "program",
    "digest-now:": "program",
    "cohort-alumni:": "program",
    "cohort-alumni-welcome:": "program",
    "cohort-alumni-invited:": "program",
    "metric-added:": "program",
    "poll-settings:": "program",
    "retro-settings:": "program",
    "agreement-template:": "program",
    "pair-intro:": "pair",
    "partner-left:": "pair",
    "rhythm:cancel:": "pair",
    "rhythm:move:": "pair",
    "rhythm:prompt:": "week",
    "rhythm:skip:": "week",
    "rhythm:silence:": "week",
    "rhythm:nudge:": "week_partner",
    "rhythm:midweek:": "week_partner",
    "rhythm:answer:": "answer",
    "goal-done:": "goal",
    "agreement-reminder:": "agreement",
    "agreement:": "version",
    "agreement-agreed:": "version",
    "retro:open:": "retro",
    "retro:quote:": "retro_answer",
    "retro-quote-posted:": "retro_answer",
    "escalation:": "escalation",
    "escalation-answer:": "escalation",
    "escalation-answered:": "escalation",
    "escalation-notice:": "escalation",
    "invite:": "enrollment",
    "interview:": "enrollment",
    "invite-batch:": "batch",
    "match-waiting:": "match_round",
    "match-preview:": "match_round",
    "match-approved:": "match_round",
    "match-discard:": "match_round",
    "match-refused:": "match_round",
    "speed-card:": "speed_round",
    "speed-start:": "speed_round",
    "speed-closed:": "speed_round",
    "poll:": "poll",
    "trial:": "trial",
    "card:preview:": "card",
    "card:post:": "card",
}
# the longest prefix wins ("retro:report:" before a shorter one); grouped by the key's first word for speed
_BY_HEAD: dict[str, list[tuple[str, str]]] = {}
for _prefix, _kind in sorted(KEY_PREFIXES.items(), key=lambda item: -len(item[0])):
    _BY_HEAD.setdefault(_prefix.split(":", 1)[0], []).append((_prefix, _kind))


def key_names(key: str | None, ids: dict[str, set[int]]) -> bool:
    """Whether an outbox idempotency key names one of ``ids`` (kind -> ids of the program's rows)."""
    if not key:
        return False
    for prefix, kind in _BY_HEAD.get(key.split(":", 1)[0], ()):
        if key.startswith(prefix):
            head = key[len(prefix) :].split(":", 1)[0]
            return head.isdigit() and int(head) in ids[kind]
    return False


def _delete_keyed(session: Session, *, workspace_id: int, ids: dict[str, set[int]]) -> int:
    """Delete the stored Slack calls whose key names one of ``ids`` (kind -> ids; other kinds: none)."""
    every = {kind: ids.get(kind, set()) for kind in set(KEY_PREFIXES.values())}
    doomed: list[int] = []
    last = 0
    while True:
        page = session.execute(
            select(OutboxMessage.id, OutboxMessage.dedupe_key)
            .where(OutboxMessage.workspace_id == workspace_id, OutboxMessage.id > last)
            .order_by(OutboxMessage.id)
            .limit(OUTBOX_PAGE)
        ).all()
        if not page:
            break
        doomed += [int(row_id) for row_id, key in page if key_names(key, every)]
        last = int(page[-1][0])
    return _delete_in(session, OutboxMessage, OutboxMessage.id, doomed)


def _delete_outbox(session: Session, *, workspace_id: int, rows: _Rows) -> int:
    """Delete the program's stored Slack calls, by what they are about: the program and its pairs
    (``outbox.forget_program``, indexed). Calls queued before Tandem recorded what a call is about (migration 0021)
    carry no such reference: of the calls about no program, those whose idempotency key names one of the program's
    rows, or that went to one of its pairs' group DMs, go too (reading only ids, keys and conversations, a page at a
    time)."""
    gone = outbox.forget_program(session, program_id=rows.program, pairs=rows.pairs)
    ids = rows.key_ids()
    doomed: list[int] = []
    last = 0
    while True:
        page = session.execute(
            select(OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.channel_key)
            .where(
                OutboxMessage.workspace_id == workspace_id,
                OutboxMessage.id > last,
                OutboxMessage.program_id.is_(None),
                OutboxMessage.pair_id.is_(None),
            )
            .order_by(OutboxMessage.id)
            .limit(OUTBOX_PAGE)
        ).all()
        if not page:
            break
        for row_id, key, channel in page:
            if (channel is not None and channel in rows.channels) or key_names(key, ids):
                doomed.append(int(row_id))
        last = int(page[-1][0])
    return gone + _delete_in(session, OutboxMessage, OutboxMessage.id, doomed)


# -- the hosts ---------------------------------------------------------------------------------------------------
def _admin_channel(session: Session, program: Program) -> str | None:
    workspace = session.get(Workspace, program.workspace_id)
    if workspace is None or not workspace.admin_channel_id or workspace.uninstalled_at is not None:
        return None
    return workspace.admin_channel_id


def _tell_hosts(session: Session, *, program: Program, done: Expired, now: datetime) -> None:
    channel = _admin_channel(session, program)
    if channel is None:
        return
    # deleted at 03:00, told with the hosts' morning
    local = localtime.zone(program.timezone)
    morning = datetime.combine(now.astimezone(local).date(), rules.NOTICE_HOUR, tzinfo=local)
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=channel,
        message=blocks.expired(program.default_locale, program=program.name, months=done.months, counts=done.counts),
        now=now,
        about=outbox.About.of(program=program),  # counts; after the program's calls were deleted
        dedupe_key=f"{DONE_KEY}{program.id}",
        not_before=max(now, morning),
    )
