"""Publishing App Home: the one place that renders and sends a person's Home tab."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.home import home_view
from bot.models import Participant
from bot.services import home
from bot.slack.admin_port import SlackAdmin


def publish_home(client: WebClient, session: Session, *, participant: Participant, now: datetime) -> None:
    """Render ``participant``'s Home tab from the database and publish it (a direct call: they are looking)."""
    state = home.home_state(session, participant=participant, now=now, slack=SlackAdmin(client))
    client.views_publish(user_id=participant.slack_user_id, view=home_view(state))
