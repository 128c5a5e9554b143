"""What a person's Home tab shows, read from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.programs import OnboardingCounts
from bot.models import Enrollment, Participant, Program, Workspace
from bot.services import enrollments, hosts, programs


@dataclass(frozen=True)
class HomeState:
    participant: Participant
    now: datetime
    enrollments: list[tuple[Enrollment, Program]] = field(default_factory=list)
    hosted: list[tuple[Program, OnboardingCounts]] = field(default_factory=list)
    admin_channel_id: str | None = None


def home_state(
    session: Session, *, participant: Participant, now: datetime, members: Callable[[str], list[str]] | None = None
) -> HomeState:
    """``members`` answers who is in the admin channel (hosts see their programs); without it, the cached
    answer is used."""
    workspace = session.get(Workspace, participant.workspace_id)
    hosted: list[tuple[Program, OnboardingCounts]] = []
    if workspace is not None and workspace.admin_channel_id:
        host_ids = (
            hosts.host_ids(session, workspace, members=members, now=now)
            if members is not None
            else set(workspace.admin_members)
        )
        if participant.slack_user_id in host_ids:
            listed = programs.listing(session, workspace_id=workspace.id)
            counts = programs.counts(session, program_ids=[p.id for p in listed])
            hosted = [(p, counts[p.id]) for p in listed]
    return HomeState(
        participant=participant,
        now=now,
        enrollments=enrollments.of_participant(session, participant=participant),
        hosted=hosted,
        admin_channel_id=workspace.admin_channel_id if workspace else None,
    )
