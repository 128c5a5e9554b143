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


def caller(context: BoltContext, client: WebClient, user_id: str | None = None) -> Participant:
    """The person acting: their row if Tandem stores one (they are in a program, or asked it to keep something),
    else a guest built from what Slack says now, of whom nothing is stored (``bot.services.people.guest``)."""
    user_id = user_id or context.user_id
    assert user_id and context.team_id
    return people.person(
        db(context),
        team_id=context.team_id,
        user_id=user_id,
        bot_user_id=context.bot_user_id,
        lookup=lambda uid: lookup_profile(client, uid),
        now=now(context),
    )


def registered(context: BoltContext, client: WebClient, participant: Participant | None = None) -> Participant:
    """The person acting, stored (name, time zone and language from Slack): only for what makes them part of a
    program, or what they ask Tandem to keep."""
    participant = participant or caller(context, client)
    return people.register(db(context), participant=participant, now=now(context))
