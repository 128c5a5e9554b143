"""The worker's side of invitations: expand a host's request with what Slack knows (channel members,
who is a bot, each person's language and time zone), then invite each person once."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.models import InviteBatch, InviteSource, Program, ProgramStatus
from bot.services import enrollments, people
from bot.services.people import SlackProfile

log = logging.getLogger(__name__)


def channel_members(client: WebClient, channel_id: str) -> list[str]:
    """Every member of a channel, following Slack's pagination."""
    members: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        members.extend(page.get("members", []))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor or len(members) >= enrollments.BATCH_USERS_MAX:
            return members[: enrollments.BATCH_USERS_MAX]


def expand(
    session: Session, client: WebClient, batch: InviteBatch, *, team_id: str, bot_user_id: str | None, now: datetime
) -> dict[str, int]:
    """Invite everyone in ``batch``. Each person is committed on their own, so a crash mid-way loses nothing
    and a re-run skips who was already invited."""
    summary: Counter[str] = Counter()
    program = session.get(Program, batch.program_id)
    if program is None or program.status != ProgramStatus.ACTIVE:
        summary["program_not_active"] += 1
        return dict(summary)
    user_ids = list(batch.user_ids)
    source = InviteSource.LIST
    if batch.channel_id:
        source = InviteSource.CHANNEL if not user_ids else InviteSource.LIST
        try:
            user_ids += channel_members(client, batch.channel_id)
        except SlackApiError as exc:
            log.warning("invite batch %s: cannot read channel members (%s)", batch.id, exc.response.get("error"))
            summary["channel_unreadable"] += 1
    seen: set[str] = set()
    for user_id in user_ids[: enrollments.BATCH_USERS_MAX]:
        if user_id in seen or user_id == bot_user_id:
            continue
        seen.add(user_id)
        try:
            user = client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError:
            summary["skipped"] += 1
            continue
        if user.get("is_bot") or user.get("deleted") or user_id == "USLACKBOT":
            summary["skipped"] += 1
            continue
        profile = user.get("profile") or {}
        slack_profile = SlackProfile(
            name=profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user_id,
            tz=user.get("tz"),
            slack_locale=user.get("locale"),
        )
        participant = people.get_or_register(
            session,
            team_id=team_id,
            user_id=user_id,
            bot_user_id=bot_user_id,
            lookup=lambda _uid, p=slack_profile: p,
            now=now,
        )
        enrollment = enrollments.invite(
            session, program=program, participant=participant, invited_by=batch.requested_by, source=source, now=now
        )
        session.commit()
        summary["invited" if enrollment is not None else "already"] += 1
    return dict(summary)
