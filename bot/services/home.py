"""What a person's Home tab shows, read from the database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.blocks.home import HomeState, Tandem
from bot.domain.hosts import Scope
from bot.domain.programs import OnboardingCounts
from bot.models import Enrollment, EnrollmentStatus, Pair, PairStatus, Participant, Program, Workspace
from bot.services import agreements, enrollments, hosts, impact, matching, program_page, programs, roles
from bot.services import cards as learning_cards
from bot.services import notes as note_space
from bot.services import rhythm as weekly_rhythm


def tandems_of(participant: Participant, pairs: list[Pair], names: Mapping[int, str]) -> list[Tandem]:
    """The person's active pairs (``matching.pairs_of``, oldest first) with their partners' names."""
    return [
        Tandem(
            program_id=p.program_id,
            partner=names.get(p.participant_b_id if p.participant_a_id == participant.id else p.participant_a_id, ""),
            since=p.started_at,
        )
        for p in pairs
    ]


_PROGRAMS = select(Program).where(Program.id.in_(bindparam("ids", expanding=True)))


def home_state(
    session: Session, *, participant: Participant, now: datetime, slack: hosts.HostsSlack | None = None
) -> HomeState:
    """``slack`` answers who the hosts are (they see their programs) and what the admin channel is; without it,
    the cached answer is used. While the admin channel is public, archived or shared nobody sees a host's view;
    the hosts as they were before are told why.

    What several parts show is read once and handed to each: the person's pairs (past ones too, for learning
    cards) with the partners of the active ones, their programs, and the active pairs' weeks."""
    workspace = session.get(Workspace, participant.workspace_id)
    rows = matching.pairs_with_partners(session, participant=participant)
    every_pair = [pair for pair, _ in rows]  # past ones too, oldest first
    pairs = [p for p in every_pair if p.status == PairStatus.ACTIVE]  # what pairs_of gives
    people = {participant.id: participant} | {partner.id: partner for _, partner in rows if partner is not None}
    enrolled = enrollments.of_participant(session, participant=participant)
    programs_by_id = {program.id: program for _, program in enrolled}
    missing = {p.program_id for p in every_pair} - programs_by_id.keys()
    if missing:
        programs_by_id.update((p.id, p) for p in session.scalars(_PROGRAMS, {"ids": list(missing)}))
    names = {i: p.display_name for i, p in people.items()}
    program_names = {i: p.name for i, p in programs_by_id.items()}
    weeks, answered = weekly_rhythm.weeks_of(session, [p.id for p in pairs], now=now)
    hosted: list[tuple[Program, OnboardingCounts]] = []
    scope = Scope()
    paused: tuple[str, ...] = ()
    if workspace is not None and workspace.admin_channel_id:
        standing = hosts.standing(session, workspace, slack=slack, now=now)
        if standing.problems and participant.slack_user_id in (workspace.admin_members or []):
            paused = tuple(str(p) for p in standing.problems)
        scope = roles.scope(session, workspace_id=workspace.id, user_id=participant.slack_user_id)
        if participant.slack_user_id in standing.hosts and scope.any:
            listed = programs.listing(session, workspace_id=workspace.id, scope=scope)
            counts = programs.counts(session, program_ids=[p.id for p in listed])
            hosted = [(p, counts[p.id]) for p in listed]
    return HomeState(
        participant=participant,
        now=now,
        enrollments=enrolled,
        hosted=hosted,
        hosting_paused=paused,
        admin_channel_id=workspace.admin_channel_id if workspace else None,
        tandems=tandems_of(participant, pairs, names),
        waiting=participant.waitlisted_at is not None,
        notes=note_space.home(
            session,
            participant=participant,
            pairs=pairs,
            names=names,
            program_names=program_names,
            member_programs=note_space.member_programs([e for e, _ in enrolled], every_pair),
        ),
        pair_cards=agreements.home_items(
            session, participant=participant, pairs=pairs, names=names, programs=programs_by_id, now=now
        ),
        rhythm=weekly_rhythm.home_info(
            participant=participant, pairs=pairs, people=people, programs=programs_by_id, weeks=weeks, now=now
        ),
        impact_pairs=impact.home_items(
            session, pairs, programs_by_id=programs_by_id, weeks=weeks, answered=answered, now=now
        ),
        impact_boards=impact.host_boards(session, [p for p, _ in hosted], now=now, viewer=scope),
        cards=learning_cards.cards_of(session, participant),
        can_write_cards=bool(learning_cards.programs_of_pairs(every_pair, programs_by_id.get)),
        program_pages=program_page.pages(session, _member_of(enrolled, every_pair, programs_by_id), now=now),
    )


def _member_of(
    enrolled: list[tuple[Enrollment, Program]], pairs: list[Pair], programs_by_id: Mapping[int, Program]
) -> list[Program]:
    """The programs a person is in: onboarded there, or in a pair of it (past ones too), in the order Home lists
    them."""
    ids = [p.id for e, p in enrolled if e.status == EnrollmentStatus.ONBOARDED]
    ids += [pair.program_id for pair in pairs]
    return [programs_by_id[i] for i in dict.fromkeys(ids) if i in programs_by_id]
