"""What listeners share: the per-request database session, the clock, and the caller as a participant."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.models import Participant
from bot.services import people
from bot.slack.profiles import lookup_profile


def db(context: BoltContext) -> Session:
    return context["db"]


def now(context: BoltContext) -> datetime:
    clock: Clock = context["clock"]
    return clock.now()


def caller(context: BoltContext, client: WebClient, user_id: str | None = None, *, welcome: bool = True) -> Participant:
    """The person acting, registered on first contact (name, time zone and language from Slack). The first
    contact queues a welcome DM unless ``welcome`` is False (when the action itself starts something)."""
    user_id = user_id or context.user_id
    assert user_id and context.team_id
    return people.get_or_register(
        db(context),
        team_id=context.team_id,
        user_id=user_id,
        bot_user_id=context.bot_user_id,
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
        welcome=welcome,
    )
