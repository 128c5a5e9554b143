"""What a person's Home tab shows, read from the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.home import HomeState, Tandem
from bot.domain.programs import OnboardingCounts
from bot.models import Pair, Participant, Program, Workspace
from bot.services import agreements, enrollments, hosts, impact, matching, programs
from bot.services import cards as learning_cards
from bot.services import notes as note_space
from bot.services import rhythm as weekly_rhythm


def tandems_of(session: Session, *, participant: Participant, pairs: list[Pair] | None = None) -> list[Tandem]:
    """The person's active pairs with their partners' names, oldest first (``pairs``: ``matching.pairs_of``, when
    the caller has them)."""
    pairs = matching.pairs_of(session, participant=participant) if pairs is None else pairs
    partner_ids = {p.participant_b_id if p.participant_a_id == participant.id else p.participant_a_id for p in pairs}
    names = dict(
        session.execute(select(Participant.id, Participant.display_name).where(Participant.id.in_(partner_ids)))
        .tuples()
        .all()
    )
    return [
        Tandem(
            program_id=p.program_id,
            partner=names.get(p.participant_b_id if p.participant_a_id == participant.id else p.participant_a_id, ""),
            since=p.started_at,
        )
        for p in pairs
    ]


def home_state(
    session: Session, *, participant: Participant, now: datetime, slack: hosts.HostsSlack | None = None
) -> HomeState:
    """``slack`` answers who the hosts are (they see their programs) and what the admin channel is; without it,
    the cached answer is used. While the admin channel is public, archived or shared nobody sees a host's view;
    the hosts as they were before are told why."""
    workspace = session.get(Workspace, participant.workspace_id)
    pairs = matching.pairs_of(session, participant=participant)
    hosted: list[tuple[Program, OnboardingCounts]] = []
    paused: tuple[str, ...] = ()
    if workspace is not None and workspace.admin_channel_id:
        standing = hosts.standing(session, workspace, slack=slack, now=now)
        if standing.problems and participant.slack_user_id in (workspace.admin_members or []):
            paused = tuple(str(p) for p in standing.problems)
        if participant.slack_user_id in standing.hosts:
            listed = programs.listing(session, workspace_id=workspace.id)
            counts = programs.counts(session, program_ids=[p.id for p in listed])
            hosted = [(p, counts[p.id]) for p in listed]
    return HomeState(
        participant=participant,
        now=now,
        enrollments=enrollments.of_participant(session, participant=participant),
        hosted=hosted,
        hosting_paused=paused,
        admin_channel_id=workspace.admin_channel_id if workspace else None,
        tandems=tandems_of(session, participant=participant, pairs=pairs),
        waiting=participant.waitlisted_at is not None,
        notes=note_space.home(session, participant=participant),
        pair_cards=agreements.home_items(session, participant=participant, now=now),
        rhythm=weekly_rhythm.home_info(session, participant=participant, now=now),
        impact_pairs=impact.home_items(session, pairs, now=now),
        impact_boards=impact.host_boards(session, [p for p, _ in hosted], now=now),
        cards=learning_cards.cards_of(session, participant),
        can_write_cards=bool(learning_cards.programs_for(session, participant)),
    )
