"""Data rights: what Tandem stores about a person, sending it to them, and forgetting them.

``forget`` keeps the person's row as an unlinkable tombstone (a random id, every field emptied) so that counts
stay right (invited → onboarded → matched, pairs, answered weeks, accepted agreements): those are anonymous
aggregates. Everything the person said about themselves or wrote is deleted or emptied, wherever a copy of it
is stored (the outbox's message payloads included); their Slack id is removed from every column and list.

Table by table (``bot.models``; a test reads every table afterwards):

- participant: tombstone (``forgotten-<random>``), every profile field emptied, ``avoid`` emptied; their id is
  removed from other people's ``avoid``.
- reporting_line: every line about them (interview, Slack profile field, org chart) is deleted; where they are
  someone's manager, an anonymous placeholder takes their id, so the people below stay apart from the line above.
- enrollment: status ``left`` (no more messages, not in any pool), the interview's message refs emptied.
- pair: an active pair ends (``end_reason = "left"``); in a running program the partner is waitlisted and told
  in neutral words;
  the match reasons (built from both profiles) are emptied on every pair of theirs.
- match_proposal: in a round still in preview, they leave it (they must not be paired): their proposed partner
  is shown unmatched ("their proposed partner left") and is first in line; elsewhere the reasons are emptied.
- speed_intro: every intro to or about them is deleted (answers about other people, and theirs about them).
- note: notes they wrote are deleted; ``red_by`` them is emptied (the note stays red). red_topic: a topic they
  marked is deleted, and the partner's notes under it are marked red one by one, so they stay in the pair.
- week_answer: deleted. pair_week: "what we agreed" written by them is emptied.
- goal: the text of goals they set is emptied (the goal still counts as set / done); ``updated_by`` emptied.
- agreement_version: the sections and note of a change they proposed are emptied.
- retro_answer: their texts and quote emptied (the answer still counts for retro completion).
- learning_card: deleted; a card already published is taken out of the community channel (``cards.take_down``).
- follow_up: deleted, asked or answered (answers already released stay counted in their frozen cells, nameless).
- escalation: what they chose to share is emptied; the kind and the tombstone link remain; answered_by emptied.
- cancellation, agreement_acceptance, week_partner, poll_receipt: kept, linked to the tombstone only (counts).
- poll_ballot, poll_response: never linked to anyone (an open round's answers are sealed ballots, see
  ``bot.services.polls``); nothing to do. A ballot of theirs is opened with the others when its round closes.
- Slack ids of a host in program, match_round, speed_round, metric, metric_value, enrollment.invited_by,
  invite_batch, retro_answer.posted_by, host_role.granted_by: emptied; invite_batch.user_ids and
  workspace.admin_members: removed; their own host roles (host_role) deleted; host_confirmation: a request to
  remove them deleted, one they asked for no longer names them.
- outbox: found by what each call is about (``bot.services.outbox.forget_people``), never by searching what it
  says: calls to their DM and about their pairs are deleted, sent or not; a call naming them (a matching preview,
  a hosts' message) is deleted while it still says something (pending, or parked and not yet emptied), and one
  already sent (its payload emptied on sending) loses its link to them.
- slack_installations: an install they made keeps the workspace's bot token; their user id and user token go.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, column, delete, func, inspect, or_, select, table, update
from sqlalchemy.orm import Session

from bot.db import reflected
from bot.domain import privacy as rules
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
    HostRoleRow,
    InviteBatch,
    KickoffKit,
    LearningCard,
    LiveSession,
    LiveStatus,
    MatchProposal,
    MatchRound,
    Metric,
    MetricValue,
    Note,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    PeerCircle,
    PollReceipt,
    Program,
    ProgramStatus,
    RedTopic,
    Retro,
    RetroAnswer,
    RoundStatus,
    SpeedIntro,
    SpeedRound,
    WeekAnswer,
    WeekPrep,
    Workspace,
)
from bot.services import cards, confirmations, outbox, peer_circle, reporting

PARTNER_LEFT = "partner_left"  # unmatched_reason in a matching preview: the proposed partner left Tandem


@dataclass
class Forgotten:
    """What ``forget`` did, as counts (the hosts' confirmation shows them; nothing names the person)."""

    notes: int = 0
    answers: int = 0
    texts_emptied: int = 0
    pairs_ended: int = 0
    messages_deleted: int = 0
    cards: int = 0
    partners: list[int] = field(default_factory=list)  # participant ids of partners whose pair ended


def forget(session: Session, *, participant: Participant, now: datetime, end_pair: Callable[..., None]) -> Forgotten:
    """Delete ``participant``'s personal data and free text, keep anonymous aggregates (see the module's table).
    ``end_pair(session, pair=, partner=, program=, now=)`` tells the partner of an active pair that it ended (the
    flow words it). Commits."""
    person = participant
    user_id = person.slack_user_id
    done = Forgotten()

    # pairs: an active one ends; the partner is first in line and told
    pairs = list(
        session.scalars(select(Pair).where(or_(Pair.participant_a_id == person.id, Pair.participant_b_id == person.id)))
    )
    # every stored Slack call about them, found by what it is about (before the partners' notices are queued)
    done.messages_deleted = outbox.forget_people(
        session, workspace_id=person.workspace_id, people=[person.id], users=[user_id], pairs=[p.id for p in pairs]
    )
    for pair in pairs:
        pair.reasons = []
        if pair.status == PairStatus.ACTIVE:
            pair.status = PairStatus.ENDED
            pair.ended_at = now
            pair.end_reason = rules.END_REASON
            partner_id = pair.participant_b_id if pair.participant_a_id == person.id else pair.participant_a_id
            partner = session.get(Participant, partner_id)
            program = session.get(Program, pair.program_id)
            running = program is not None and program.status in (ProgramStatus.ACTIVE, ProgramStatus.PAUSED)
            if partner is not None and running:  # a closed program's pairs end quietly: nothing left to pair
                partner.waitlisted_at = now
                done.partners.append(partner.id)
                end_pair(session, pair=pair, partner=partner, program=program, now=now)
            done.pairs_ended += 1
    session.flush()
    # live sessions: the pair's times, proposed or accepted, and who accepted them; no reminder is left to come
    session.execute(delete(LiveSession).where(LiveSession.pair_id.in_([p.id for p in pairs])))

    # matching and speed dating
    previews = select(MatchRound.id).where(MatchRound.status == RoundStatus.PREVIEW)
    theirs = or_(MatchProposal.participant_a_id == person.id, MatchProposal.participant_b_id == person.id)
    for proposal in session.scalars(select(MatchProposal).where(theirs, MatchProposal.round_id.in_(previews))).all():
        other = proposal.participant_b_id if proposal.participant_a_id == person.id else proposal.participant_a_id
        if other is None:
            session.delete(proposal)
        else:  # the proposed partner is shown as unmatched ("their partner left"), first in line after approval
            proposal.participant_a_id, proposal.participant_b_id = other, None
            proposal.unmatched_reason, proposal.reasons, proposal.locked = PARTNER_LEFT, [], False
    session.execute(update(MatchProposal).where(theirs).values(reasons=[]))
    session.execute(
        delete(SpeedIntro).where(or_(SpeedIntro.participant_id == person.id, SpeedIntro.candidate_id == person.id))
    )

    # notes and red topics
    for topic in session.scalars(select(RedTopic).where(RedTopic.created_by == person.id)).all():
        session.execute(
            update(Note)
            .where(Note.pair_id == topic.pair_id, Note.topic_key == topic.topic_key, Note.author_id != person.id)
            .values(red=True)
        )
        session.delete(topic)
    done.notes = session.execute(delete(Note).where(Note.author_id == person.id)).rowcount or 0
    session.execute(update(Note).where(Note.red_by == person.id).values(red_by=None))
    session.execute(update(RedTopic).where(RedTopic.created_by == person.id).values(created_by=None))

    # the weekly rhythm, goals, agreements, retros, cards
    done.answers = session.execute(delete(WeekAnswer).where(WeekAnswer.participant_id == person.id)).rowcount or 0
    session.execute(delete(WeekPrep).where(WeekPrep.participant_id == person.id))  # their preparations
    emptied = 0
    emptied += _rows(
        session,
        update(PairWeek)
        .where(PairWeek.agreed_by == person.id)
        .values(agreed_homework=None, agreed_next_step=None, agreed_by=None),
    )
    emptied += _rows(session, update(Goal).where(Goal.created_by == person.id).values(text="", created_by=None))
    session.execute(update(Goal).where(Goal.updated_by == person.id).values(updated_by=None))
    emptied += _rows(
        session,
        update(AgreementVersion)
        .where(AgreementVersion.proposed_by == person.id)
        .values(sections={}, note=None, proposed_by=None),
    )
    emptied += _rows(
        session,
        update(RetroAnswer)
        .where(RetroAnswer.participant_id == person.id)
        .values(went_well="", learned="", change="", quote=None),
    )
    emptied += _rows(session, update(Escalation).where(Escalation.participant_id == person.id).values(shared={}))
    done.texts_emptied = emptied
    cards.take_down(session, participant_id=person.id, now=now)  # published ones: out of the community channel too
    done.cards = session.execute(delete(LearningCard).where(LearningCard.participant_id == person.id)).rowcount or 0
    session.execute(delete(FollowUp).where(FollowUp.participant_id == person.id))
    session.execute(delete(KickoffKit).where(KickoffKit.participant_id == person.id))  # which lessons they marked
    peer_circle.forget_member(session, workspace_id=person.workspace_id, user_id=person.slack_user_id, now=now)

    # their Slack id where they acted as a host, or in lists
    _forget_host_id(session, user_id=user_id, workspace_id=person.workspace_id)

    # the person: a tombstone, not in any pool, messaged no more
    session.execute(
        update(Enrollment)
        .where(Enrollment.participant_id == person.id)
        .values(status=EnrollmentStatus.LEFT, step_message={}, interview_step=None)
    )
    _tombstone(person, now=now)
    session.flush()

    _forget_installer(session, user_id=user_id)
    session.commit()
    return done


def _rows(session: Session, statement: Any) -> int:
    return session.execute(statement).rowcount or 0


def _tombstone(person: Participant, *, now: datetime) -> None:
    person.slack_user_id = rules.forgotten_id(secrets.token_hex(8))
    person.display_name = ""
    person.tz = "UTC"
    person.locale = "en"
    person.role = None
    person.self_description = None
    person.curiosity = []
    person.can_teach = []
    person.want_to_learn = []
    person.learning_style = None
    person.preferences = {}
    person.values = []
    person.department = None
    person.hours_per_week = None
    person.preferred_days = []
    person.country = None
    person.region = None
    person.working_days = None
    person.consented_at = None
    person.settings_confirmed = False
    person.avoid = []
    person.waitlisted_at = None
    person.welcomed_at = None
    person.paused_until = None
    person.created_at = now
    person.updated_at = now


def _forget_host_id(session: Session, *, user_id: str, workspace_id: int) -> None:
    """Remove a Slack id from every column and list that records who did something (as a host, mostly)."""
    programs = select(Program.id).where(Program.workspace_id == workspace_id)
    session.execute(update(Program).where(Program.created_by == user_id).values(created_by=None))
    session.execute(update(MatchRound).where(MatchRound.created_by == user_id).values(created_by=None))
    session.execute(update(MatchRound).where(MatchRound.approved_by == user_id).values(approved_by=None))
    session.execute(update(SpeedRound).where(SpeedRound.created_by == user_id).values(created_by=None))
    session.execute(update(Metric).where(Metric.created_by == user_id).values(created_by=""))
    session.execute(update(MetricValue).where(MetricValue.logged_by == user_id).values(logged_by=""))
    session.execute(update(Enrollment).where(Enrollment.invited_by == user_id).values(invited_by=None))
    session.execute(update(RetroAnswer).where(RetroAnswer.posted_by == user_id).values(posted_by=None))
    session.execute(update(Escalation).where(Escalation.answered_by == user_id).values(answered_by=None))
    session.execute(
        delete(HostRoleRow).where(HostRoleRow.workspace_id == workspace_id, HostRoleRow.slack_user_id == user_id)
    )
    session.execute(
        update(HostRoleRow)
        .where(HostRoleRow.workspace_id == workspace_id, HostRoleRow.granted_by == user_id)
        .values(granted_by=None)
    )
    confirmations.forget(session, workspace_id=workspace_id, user_id=user_id)
    for batch in session.scalars(select(InviteBatch).where(InviteBatch.program_id.in_(programs))):
        if batch.requested_by == user_id:
            batch.requested_by = ""
        if user_id in (batch.user_ids or []):
            batch.user_ids = rules.without(batch.user_ids, user_id)
    # other people's "please not" lists: only the rows whose list's text has the id are read
    for pid, avoid in session.execute(
        select(Participant.id, Participant.avoid).where(
            Participant.workspace_id == workspace_id, cast(Participant.avoid, Text).contains(user_id)
        )
    ).all():
        if user_id in (avoid or []):
            other = session.get(Participant, pid)
            assert other is not None
            other.avoid = rules.without(avoid, user_id)
    reporting.forget(session, workspace_id=workspace_id, users=[user_id])
    workspace = session.get(Workspace, workspace_id)
    if workspace is not None and user_id in (workspace.admin_members or []):
        workspace.admin_members = rules.without(workspace.admin_members, user_id)


# slack_sdk's installation store (made by migration 0015, not among the models): the columns about who installed
# the app, named without reading the table's definition from the database on every forget-me
INSTALLATIONS = table(
    "slack_installations",
    column("user_id"),
    column("user_token"),
    column("user_scopes"),
    column("user_refresh_token"),
    column("user_token_expires_at"),
)
INSTALLER_GONE = {
    "user_id": "",
    "user_token": None,
    "user_scopes": None,
    "user_refresh_token": None,
    "user_token_expires_at": None,
}


def _forget_installer(session: Session, *, user_id: str) -> None:
    """slack_sdk's installation store keeps who installed the app (``user_id``, not null) and their user token:
    both go; the bot token, which is the workspace's, stays."""
    if not inspect(session.get_bind()).has_table("slack_installations"):
        return
    session.execute(update(INSTALLATIONS).where(INSTALLATIONS.c.user_id == user_id).values(**INSTALLER_GONE))


# -- checking that a person is gone ----------------------------------------------------------------------------
def every_row(bind: Any) -> dict[str, list[str]]:
    """Every row of every table in the database (Tandem's, slack_sdk's and alembic's too), every column, as JSON
    text, by table."""
    meta = reflected(bind)
    out: dict[str, list[str]] = {}
    with bind.connect() as conn:
        for table in meta.sorted_tables:
            out[table.name] = [
                json.dumps(dict(r._mapping), default=str, ensure_ascii=False) for r in conn.execute(table.select())
            ]
    return out


def traces(bind: Any, needles: list[str]) -> list[tuple[str, str]]:
    """(table, needle) for every row anywhere in the database that still holds one of ``needles`` (a Slack id, a
    name, a sentence): after forget-me there must be none. The demo and the tests check with it."""
    return [
        (table, needle)
        for table, rows in every_row(bind).items()
        for row in rows
        for needle in needles
        if needle and needle in row
    ]


# -- what is stored about a person ---------------------------------------------------------------------------
def stored_about(session: Session, *, participant: Participant, may_see: Callable[..., bool]) -> dict[str, Any]:
    """Everything Tandem stores about ``participant``, as JSON-ready values. ``may_see(note, pair)`` says which
    notes of their pairs written by the partner they may read (their own notes are all in it)."""
    person = participant
    names = _names(session, person)
    data: dict[str, Any] = {
        "profile": {
            "slack_user_id": person.slack_user_id,
            "display_name": person.display_name,
            "time_zone": person.tz,
            "language": person.locale,
            "role": person.role,
            "self_description": person.self_description,
            "curiosity": person.curiosity,
            "can_teach": person.can_teach,
            "want_to_learn": person.want_to_learn,
            "learning_style": person.learning_style,
            "preferences": person.preferences,
            "values": person.values,
            "department": person.department,
            "hours_per_week": person.hours_per_week,
            "preferred_days": person.preferred_days,
            "country": person.country,
            "region": person.region,
            "working_days": person.working_days,
            "consented_at": person.consented_at,
            "please_not_with": person.avoid,
            "waitlisted_since": person.waitlisted_at,
            "paused_until": person.paused_until,
            "first_contact": person.created_at,
        }
    }
    data["reporting_lines"] = reporting.about(session, participant=person)
    data["programs"] = [
        {
            "program": name,
            "status": e.status,
            "invited_at": e.invited_at,
            "answered_at": e.responded_at,
            "interview_completed_at": e.completed_at,
        }
        for e, name in session.execute(
            select(Enrollment, Program.name)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.participant_id == person.id)
            .order_by(Enrollment.invited_at)
        )
    ]
    data["pairs"] = [_pair(session, person, pair, names, may_see) for pair in _pairs(session, person)]
    data["notes_without_pair"] = [
        _note(n, names)
        for n in session.scalars(select(Note).where(Note.author_id == person.id, Note.pair_id.is_(None)))
    ]
    data["speed_dating"] = [
        {
            "candidate": names.get(i.candidate_id, ""),
            "my_answer": i.answer,
            "answered_at": i.answered_at,
            "my_rank": i.rank,
        }
        for i in session.scalars(select(SpeedIntro).where(SpeedIntro.participant_id == person.id))
    ]
    data["learning_cards"] = [
        {"title": c.title, "text": c.text, "show_name": c.show_name, "published_at": c.published_at}
        for c in session.scalars(select(LearningCard).where(LearningCard.participant_id == person.id))
    ]
    data["kickoff_kits"] = [
        {"side": k.side, "sent_at": k.sent_at, "lessons_marked_got_it": list(k.read or [])}
        for k in session.scalars(select(KickoffKit).where(KickoffKit.participant_id == person.id))
    ]
    data["peer_circles"] = [
        {"program": name, "side": c.side, "channel": c.channel_id}
        for c, name in session.execute(
            select(PeerCircle, Program.name)
            .join(Program, Program.id == PeerCircle.program_id)
            .where(Program.workspace_id == person.workspace_id)
        ).tuples()
        if person.slack_user_id in (c.members or [])
    ]
    data["escalations"] = [
        {"kind": e.kind, "shared": e.shared, "created_at": e.created_at}
        for e in session.scalars(select(Escalation).where(Escalation.participant_id == person.id))
    ]
    data["metric_values_i_logged"] = [
        {"metric": name, "value": v.value, "day": v.day}
        for v, name in session.execute(
            select(MetricValue, Metric.name)
            .join(Metric, Metric.id == MetricValue.metric_id)
            .where(MetricValue.logged_by == person.slack_user_id)
        )
    ]
    data["mood_polls_answered"] = session.scalar(
        select(func.count())
        .select_from(PollReceipt)
        .where(PollReceipt.participant_id == person.id, PollReceipt.answered)
    )
    return data


def named_in(session: Session, *, participant: Participant) -> list[int]:
    """Who else ``stored_about`` names (participant ids): the partners of every pair, the speed-dating candidates."""
    ids: dict[int, None] = {}
    for a, b in session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id).where(
            or_(Pair.participant_a_id == participant.id, Pair.participant_b_id == participant.id)
        )
    ):
        ids.update({i: None for i in (a, b) if i != participant.id})
    ids.update(
        dict.fromkeys(
            session.scalars(select(SpeedIntro.candidate_id).where(SpeedIntro.participant_id == participant.id))
        )
    )
    return list(ids)


def _names(session: Session, person: Participant) -> dict[int, str]:
    rows = session.execute(
        select(Participant.id, Participant.display_name).where(Participant.workspace_id == person.workspace_id)
    )
    return {pid: name for pid, name in rows}


def _pairs(session: Session, person: Participant) -> list[Pair]:
    return list(
        session.scalars(
            select(Pair)
            .where(or_(Pair.participant_a_id == person.id, Pair.participant_b_id == person.id))
            .order_by(Pair.started_at)
        )
    )


def _note(note: Note, names: dict[int, str]) -> dict[str, Any]:
    return {
        "written_by": names.get(note.author_id, ""),
        "topic": note.topic,
        "text": note.text,
        "links": note.links,
        "visibility": note.visibility,
        "red": note.red,
        "created_at": note.created_at,
    }


def _pair(
    session: Session, person: Participant, pair: Pair, names: dict[int, str], may_see: Callable[..., bool]
) -> dict[str, Any]:
    partner_id = pair.participant_b_id if pair.participant_a_id == person.id else pair.participant_a_id
    program = session.get(Program, pair.program_id)
    weeks = []
    for week in session.scalars(select(PairWeek).where(PairWeek.pair_id == pair.id).order_by(PairWeek.number)):
        mine = session.scalars(
            select(WeekAnswer.text).where(WeekAnswer.week_id == week.id, WeekAnswer.participant_id == person.id)
        ).all()
        weeks.append(
            {
                "week": week.number,
                "day": week.day,
                "status": week.status,
                "method": week.method,
                "my_answers": list(mine),
                "we_agreed": week.agreed_homework,
                "next_step": week.agreed_next_step,
            }
        )
    notes = [
        _note(n, names)
        for n in session.scalars(select(Note).where(Note.pair_id == pair.id).order_by(Note.created_at))
        if n.author_id == person.id or may_see(n, pair)
    ]
    versions = [
        {
            "version": v.number,
            "sections": v.sections,
            "note": v.note,
            "proposed_by_me": v.proposed_by == person.id,
            "agreed_at": v.agreed_at,
            "i_accepted_at": session.scalar(
                select(AgreementAcceptance.accepted_at).where(
                    AgreementAcceptance.version_id == v.id, AgreementAcceptance.participant_id == person.id
                )
            ),
        }
        for v in session.scalars(
            select(AgreementVersion)
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(Agreement.pair_id == pair.id)
            .order_by(AgreementVersion.number)
        )
    ]
    return {
        "program": program.name if program else "",
        "partner": names.get(partner_id, ""),
        "status": pair.status,
        "started_at": pair.started_at,
        "ended_at": pair.ended_at,
        "why_we_were_matched": pair.reasons,
        "goals": [
            {
                "goal": g.text,
                "due_on": g.due_on,
                "progress": g.progress,
                "done_at": g.done_at,
                "accepted_at": g.accepted_at,
            }
            for g in session.scalars(select(Goal).where(Goal.pair_id == pair.id).order_by(Goal.position))
        ],
        "agreement": versions,
        "weeks": weeks,
        "live_sessions": [
            {
                "starts_at": x.starts_at,
                "minutes": x.minutes,
                "every_week_until": x.until if x.weekly else None,
                "status": x.status,
                "accepted_by_me": x.accepted_by == person.id,
                "accepted_at": x.accepted_at,
            }
            for x in session.scalars(
                select(LiveSession)
                .where(LiveSession.pair_id == pair.id, LiveSession.status != LiveStatus.DROPPED)
                .order_by(LiveSession.starts_at, LiveSession.id)
            )
        ],
        "my_preparations": [
            {"week": p.week_number, "i_bring": p.bring, "i_need": p.need, "written_at": p.filled_at}
            for p in session.scalars(
                select(WeekPrep)
                .where(WeekPrep.pair_id == pair.id, WeekPrep.participant_id == person.id)
                .order_by(WeekPrep.week_number)
            )
        ],
        "my_cancellations": [
            {"week": c.week_number, "kind": c.kind, "late": c.late, "created_at": c.created_at}
            for c in session.scalars(
                select(Cancellation).where(Cancellation.pair_id == pair.id, Cancellation.participant_id == person.id)
            )
        ],
        "my_retro_answers": [
            {
                "went_well": r.went_well,
                "learned": r.learned,
                "change": r.change,
                "talk_share": r.talk_share,
                "quote": r.quote,
                "quote_consent_at": r.author_consent_at,
                "themes": list(r.themes or []),
            }
            for r in session.scalars(
                select(RetroAnswer)
                .join(Retro, Retro.id == RetroAnswer.retro_id)
                .where(Retro.pair_id == pair.id, RetroAnswer.participant_id == person.id)
            )
        ],
        "notes": notes,
        "my_follow_ups": [
            {
                "days_after_the_end": f.days,
                "asked_at": f.asked_at,
                "answer": f.answer,
                "what_exactly": f.text,
                "may_be_quoted": f.quote_ok,
                "answered_at": f.answered_at,
            }
            for f in session.scalars(
                select(FollowUp)
                .where(FollowUp.pair_id == pair.id, FollowUp.participant_id == person.id)
                .order_by(FollowUp.days)
            )
        ],
    }
