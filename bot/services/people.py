"""Workspaces and the people Tandem meets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.i18n import locale_from_slack
from bot.models import Participant, Workspace


@dataclass(frozen=True)
class SlackProfile:
    """What Slack's users.info tells us about a person."""

    name: str
    tz: str | None
    slack_locale: str | None


def valid_tz(tz: str | None) -> str:
    """Slack's IANA zone if Python knows it, else UTC."""
    if not tz:
        return "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return tz


def find_workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.team_id == team_id))


def get_or_create_workspace(session: Session, *, team_id: str, bot_user_id: str | None, now: datetime) -> Workspace:
    """The workspace row for ``team_id``, created on first contact."""
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if workspace is None:
        try:
            with session.begin_nested():
                workspace = Workspace(team_id=team_id, bot_user_id=bot_user_id, created_at=now)
                session.add(workspace)
        except IntegrityError:  # another process created it first
            workspace = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one()
    else:
        _new_bot_user(workspace, bot_user_id)
    return workspace


def _new_bot_user(workspace: Workspace, bot_user_id: str | None) -> bool:
    """Keep the bot user Slack names now; True when it changed (the row is then to be written)."""
    if bot_user_id and workspace.bot_user_id != bot_user_id:
        workspace.bot_user_id = bot_user_id
        return True
    return False


def find_participant(session: Session, *, team_id: str, user_id: str) -> Participant | None:
    return session.scalar(
        select(Participant).join(Workspace).where(Workspace.team_id == team_id, Participant.slack_user_id == user_id)
    )


def locale_of(session: Session, *, team_id: str, user_id: str, lookup: Callable[[str], SlackProfile]) -> str:
    """The language to address ``user_id`` in: their stored choice, else their Slack locale."""
    found = find_participant(session, team_id=team_id, user_id=user_id)
    if found is not None:
        return found.locale
    return locale_from_slack(lookup(user_id).slack_locale)


GUEST_ID = 0  # the id of someone Tandem does not store: no row has it, so nothing of anyone else's matches it


def guest(workspace: Workspace, *, user_id: str, profile: SlackProfile, now: datetime) -> Participant:
    """Someone who is in no program, as Slack describes them right now: never added to the session, so nothing
    about them is stored. Anything that would write a row about them fails (no participant has ``GUEST_ID``)."""
    return Participant(
        id=GUEST_ID,
        workspace_id=workspace.id,
        slack_user_id=user_id,
        display_name=profile.name,
        tz=valid_tz(profile.tz),
        locale=locale_from_slack(profile.slack_locale),
        role=None,
        self_description=None,
        curiosity=[],
        can_teach=[],
        want_to_learn=[],
        learning_style=None,
        preferences={},
        values=[],
        department=None,
        hours_per_week=None,
        preferred_days=[],
        consented_at=None,
        settings_confirmed=False,
        avoid=[],
        waitlisted_at=None,
        welcomed_at=None,
        paused_until=None,
        created_at=now,
        updated_at=now,
    )


def is_guest(participant: Participant) -> bool:
    """Someone Tandem does not store (see :func:`guest`)."""
    return participant.id == GUEST_ID or participant.id is None


def _stored(session: Session, workspace: Workspace, user_id: str) -> Participant | None:
    return session.scalar(
        select(Participant).where(Participant.workspace_id == workspace.id, Participant.slack_user_id == user_id)
    )


# The workspace and the person's row in one round trip (built once: a statement built per call costs more CPU than
# the query takes on the database).
_WORKSPACE_AND_PERSON = (
    select(Workspace, Participant)
    .outerjoin(
        Participant,
        and_(Participant.workspace_id == Workspace.id, Participant.slack_user_id == bindparam("user_id")),
    )
    .where(Workspace.team_id == bindparam("team_id"))
)


def person(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    bot_user_id: str | None,
    lookup: Callable[[str], SlackProfile],
    now: datetime,
) -> Participant:
    """The person behind ``user_id``: their row if Tandem stores one, else a :func:`guest` from what Slack says
    now (nothing about them is written). Commits when it wrote (the workspace row, on first contact) and before
    asking Slack about a guest; a stored person in a known workspace is one query and no commit."""
    return person_in_workspace(
        session, team_id=team_id, user_id=user_id, bot_user_id=bot_user_id, lookup=lookup, now=now
    )[0]


def person_in_workspace(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    bot_user_id: str | None,
    lookup: Callable[[str], SlackProfile],
    now: datetime,
) -> tuple[Participant, Workspace]:
    """:func:`person`, with their workspace's row (read in the same query)."""
    row = session.execute(_WORKSPACE_AND_PERSON, {"team_id": team_id, "user_id": user_id}).tuples().first()
    if row is None:  # first contact: the workspace row is created (or found, made a moment ago by another request)
        workspace = get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
        found = _stored(session, workspace, user_id)
    else:
        workspace, found = row
        if not _new_bot_user(workspace, bot_user_id) and found is not None:
            return found, workspace  # nothing was written: nothing to commit
    session.commit()
    if found is not None:
        return found, workspace
    return guest(workspace, user_id=user_id, profile=lookup(user_id), now=now), workspace


def get_or_register(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    bot_user_id: str | None,
    lookup: Callable[[str], SlackProfile],
    now: datetime,
) -> Participant:
    """The person behind ``user_id``, stored: on first contact their name, time zone and language come from Slack.
    Only for what makes them part of a program (an invitation, joining) or what they ask Tandem to keep (a help
    request): someone who never joins a program is forgotten 30 days later (``bot.services.retention``). Commits."""
    workspace = get_or_create_workspace(session, team_id=team_id, bot_user_id=bot_user_id, now=now)
    participant = _stored(session, workspace, user_id)
    if participant is not None:
        session.commit()
        return participant
    profile = lookup(user_id)
    participant = Participant(
        workspace_id=workspace.id,
        slack_user_id=user_id,
        display_name=profile.name,
        tz=valid_tz(profile.tz),
        locale=locale_from_slack(profile.slack_locale),
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(participant)
    except IntegrityError:  # registered concurrently by another request
        session.commit()
        found = find_participant(session, team_id=team_id, user_id=user_id)
        assert found is not None
        return found
    session.commit()
    return participant


def register(session: Session, *, participant: Participant, now: datetime) -> Participant:
    """Store a :func:`guest` (what Slack said of them a moment ago); a stored participant is returned as it is.
    Commits."""
    if not is_guest(participant):
        return participant
    workspace = session.get(Workspace, participant.workspace_id)
    assert workspace is not None
    profile = SlackProfile(name=participant.display_name, tz=participant.tz, slack_locale=participant.locale)
    return get_or_register(
        session,
        team_id=workspace.team_id,
        user_id=participant.slack_user_id,
        bot_user_id=workspace.bot_user_id,
        lookup=lambda _uid: profile,
        now=now,
    )
