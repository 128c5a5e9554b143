"""Event entries: App Home opened, direct messages and replies in a week's thread, Tandem joining a channel, the
admin channel changing, and Slack saying Tandem was uninstalled."""

from __future__ import annotations

import logging

from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.blocks.common import dm_reply, joined_channel
from bot.flows import rhythm as rhythm_flow
from bot.flows.result import Result
from bot.handlers.request import Request
from bot.services import conversations, hosts, installs, people
from bot.slack import direct

log = logging.getLogger(__name__)


def app_home_opened(req: Request) -> Result:
    participant = req.caller  # nothing is stored about someone in no program (a guest)
    if req.event.get("tab") != "home":  # the Messages tab: someone Tandem never wrote to gets the welcome DM
        if people.is_guest(participant):
            direct.welcome_once(
                req.client,
                user_id=participant.slack_user_id,
                bot_user_id=req.bot_user_id,
                locale=participant.locale,
                name=participant.display_name,
                channel=req.event.get("channel") or None,
            )
        return Result()
    return Result(home=participant)


def message(req: Request) -> Result:
    event = req.event
    if rhythm_flow.is_thread_reply(event):  # a reply in a pair's week thread may be an answer
        rhythm_flow.thread_reply(req.session, team_id=req.team_id, event=event, now=req.now)
        return Result()
    # Edits, joins and bot posts carry a subtype or bot_id (or no user); only a person's new message gets an answer.
    if event.get("subtype") or event.get("bot_id") or not event.get("user") or event.get("channel_type") != "im":
        return Result()
    participant = req.caller
    if people.is_guest(participant):  # answered at once: the outbox would keep who it went to
        return Result(notices=[(str(event.get("channel")), dm_reply(participant.locale))])
    conversations.reply_in_dm(
        req.session,
        participant=participant,
        message=dm_reply(participant.locale),
        cause=f"dm:{event.get('channel')}:{event.get('ts')}",
        now=req.now,
    )
    return Result()


def member_left_channel(req: Request) -> Result:
    event = req.event
    hosts.forget_members(req.session, team_id=req.team_id, channel_id=event.get("channel", ""), left=event.get("user"))
    return Result()


def member_joined_channel(req: Request) -> Result:
    event = req.event
    # someone joined: who the hosts are is asked again now (a channel turned public is found when anyone joins it)
    hosts.recheck(req.session, team_id=req.team_id, channel_id=event.get("channel", ""), slack=req.slack, now=req.now)
    if event.get("user") != req.bot_user_id:
        return Result()
    inviter = event.get("inviter")
    locale = "en"
    if inviter:
        locale = people.locale_of(req.session, team_id=req.team_id, user_id=inviter, lookup=req.lookup)
    conversations.post_to_channel(
        req.session,
        team_id=req.team_id,
        bot_user_id=req.bot_user_id,
        channel_id=event["channel"],
        message=joined_channel(locale),
        cause=f"joined:{event['channel']}:{event.get('event_ts')}",
        now=req.now,
    )
    return Result()


# Slack's events about a channel changing: archived, unarchived, shared with another workspace or organisation, no
# longer shared. (Slack sends none when a private channel is made public: that is found at the next check.)
CHANNEL_CHANGES = (
    "channel_archive",
    "group_archive",
    "channel_unarchive",
    "group_unarchive",
    "channel_shared",
    "channel_unshared",
)


def channel_change(req: Request) -> Result:
    """The admin channel may have become public, archived or shared (or fine again): ask Slack now, so the hosts are
    told at once and host authority follows what the channel is."""
    hosts.recheck(
        req.session, team_id=req.team_id, channel_id=str(req.event.get("channel") or ""), slack=req.slack, now=req.now
    )
    return Result()


# -- uninstalled ------------------------------------------------------------------------------------------------
# With several workspaces (OAuth) the workspace's installation leaves the installation store, as Bolt's own
# token-revocation listeners do it, and Tandem stops acting there (``bot.services.installs``) until a reinstall.
# With one workspace (SLACK_BOT_TOKEN) there is nothing to clean up: the event is logged and acknowledged.
def _gone(req: Request, why: str) -> None:
    store = req.context.get("tandem_installation_store")
    if store is None:
        log.warning("%s: the bot token of this workspace no longer works; set a new SLACK_BOT_TOKEN", why)
        return
    TokenRevocationListeners(store).handle_app_uninstalled_events(req.context)  # every installation and bot token
    parked = installs.uninstalled(req.session, team_id=req.team_id, now=req.now)
    log.info("%s: installation removed, %d queued messages parked", why, parked)


def app_uninstalled(req: Request) -> Result:
    _gone(req, "app uninstalled")
    return Result()


def tokens_revoked(req: Request) -> Result:
    tokens = req.event.get("tokens") or {}
    if tokens.get("bot"):  # without its bot token Tandem can do nothing here: as good as uninstalled
        _gone(req, "bot token revoked")
    else:
        store = req.context.get("tandem_installation_store")
        if store is not None:
            TokenRevocationListeners(store).handle_tokens_revoked_events(req.event, req.context)  # user tokens
    return Result()
