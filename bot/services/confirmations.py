"""A second host's confirmation (``bot.domain.hosts.Confirmable``): removing a person and their data, or closing a
program, asked for by one host and done when another host who may see it confirms. With nobody else to ask, the
caller does it at once and every host who may see it is told (``bot.services.hosts.post_to_hosts``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain.hosts import Confirmable, confirmers, decision_problem
from bot.models import Enrollment, HostConfirmation, Participant, Workspace
from bot.services import roles


def person_programs(session: Session, *, workspace_id: int, user_id: str) -> set[int]:
    """The programs a person is (or was) enrolled in."""
    return set(
        session.scalars(
            select(Enrollment.program_id)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(Participant.workspace_id == workspace_id, Participant.slack_user_id == user_id)
        )
    )


def program_of(session: Session, *, kind: Confirmable, workspace_id: int, target: str) -> int | None:
    """The program a request concerns: the program closed; for a person, their one program (None when they are in
    several or none: then it is for the Tandem admins)."""
    if kind is Confirmable.CLOSE:
        return int(target)
    if kind is Confirmable.THRESHOLD:  # "<program id>:<new threshold>"
        return int(target.split(":")[0])
    found = person_programs(session, workspace_id=workspace_id, user_id=target)
    return next(iter(found)) if len(found) == 1 else None


def who_may_confirm(session: Session, workspace: Workspace, *, program_id: int | None, requester: str) -> set[str]:
    members = set(workspace.admin_members or []) - {workspace.bot_user_id}
    return confirmers(roles.may_see(session, workspace_id=workspace.id, program_id=program_id), members, requester)


def ask(
    session: Session, workspace: Workspace, *, kind: Confirmable, target: str, requester: str, now: datetime
) -> HostConfirmation | None:
    """Record the request when someone else can confirm it (returns it; the caller posts the question), else None
    (the caller acts at once). One open request per kind and target: asking again returns it. Does not commit."""
    program_id = program_of(session, kind=kind, workspace_id=workspace.id, target=target)
    if not who_may_confirm(session, workspace, program_id=program_id, requester=requester):
        return None
    existing = session.scalar(
        select(HostConfirmation).where(
            HostConfirmation.workspace_id == workspace.id,
            HostConfirmation.kind == kind.value,
            HostConfirmation.target == target,
        )
    )
    if existing is not None:
        return existing
    if kind is Confirmable.THRESHOLD:  # one open change of a program's threshold: the latest ask replaces it
        session.execute(
            delete(HostConfirmation).where(
                HostConfirmation.workspace_id == workspace.id,
                HostConfirmation.kind == kind.value,
                HostConfirmation.program_id == program_id,
            )
        )
    row = HostConfirmation(
        workspace_id=workspace.id,
        program_id=program_id,
        kind=kind.value,
        target=target,
        requested_by=requester,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def take(
    session: Session, workspace: Workspace, *, confirmation_id: int | None, decider: str, now: datetime
) -> tuple[HostConfirmation | None, str | None]:
    """The open request ``decider`` decides on, or why not ("missing", "self", "expired": an expired one is
    deleted). The caller checks that the decider may see what it concerns. Does not commit."""
    row = session.get(HostConfirmation, confirmation_id) if confirmation_id else None
    if row is None or row.workspace_id != workspace.id:
        return None, "missing"
    problem = decision_problem(
        requester=row.requested_by, decider=decider, age_days=(now - row.created_at).total_seconds() / 86400
    )
    if problem == "expired":
        session.delete(row)
    return (None, problem) if problem else (row, None)


def forget(session: Session, *, workspace_id: int, user_id: str) -> None:
    """Forget-me: requests to remove the person go; those they asked for no longer name them."""
    session.execute(
        delete(HostConfirmation).where(
            HostConfirmation.workspace_id == workspace_id,
            HostConfirmation.kind == Confirmable.REMOVE.value,
            HostConfirmation.target == user_id,
        )
    )
    for row in session.scalars(
        select(HostConfirmation).where(
            HostConfirmation.workspace_id == workspace_id, HostConfirmation.requested_by == user_id
        )
    ):
        row.requested_by = ""
