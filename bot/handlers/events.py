"""Events: App Home opened, direct messages, Tandem joining a channel."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import dm_reply, joined_channel
from bot.flows import rhythm as rhythm_flow
from bot.handlers.context import caller, db, now
from bot.handlers.home import publish_home
from bot.handlers.rhythm import on_thread_reply
from bot.services import conversations, hosts, people
from bot.slack import direct
from bot.slack.admin_port import SlackAdmin
from bot.slack.profiles import lookup_profile


def on_app_home_opened(event: dict, context: BoltContext, client: WebClient) -> None:
    participant = caller(context, client)  # nothing is stored about someone in no program (a guest)
    if event.get("tab") != "home":  # the Messages tab: someone Tandem never wrote to gets the welcome DM
        if people.is_guest(participant):
            direct.welcome_once(
                client,
                user_id=participant.slack_user_id,
                bot_user_id=context.bot_user_id,
                locale=participant.locale,
                name=participant.display_name,
                channel=event.get("channel") or None,
            )
        return
    publish_home(client, db(context), participant=participant, now=now(context))


def on_message(event: dict, context: BoltContext, client: WebClient) -> None:
    if rhythm_flow.is_thread_reply(event):  # a reply in a pair's week thread may be an answer
        on_thread_reply(event, context)
        return
    # Edits, joins and bot posts carry a subtype or bot_id (or no user); only a person's new message gets an answer.
    if event.get("subtype") or event.get("bot_id") or not event.get("user") or event.get("channel_type") != "im":
        return
    participant = caller(context, client)
    if people.is_guest(participant):  # answered at once: the outbox would keep who it went to
        direct.answer(client, channel=str(event.get("channel")), message=dm_reply(participant.locale))
        return
    conversations.reply_in_dm(
        db(context),
        participant=participant,
        message=dm_reply(participant.locale),
        cause=f"dm:{event.get('channel')}:{event.get('ts')}",
        now=now(context),
    )


def on_member_left_channel(event: dict, context: BoltContext) -> None:
    hosts.forget_members(db(context), team_id=context.team_id or "", channel_id=event.get("channel", ""))


def on_member_joined_channel(event: dict, context: BoltContext, client: WebClient) -> None:
    # someone joined: who the hosts are is asked again now (a channel turned public is found when anyone joins it)
    hosts.recheck(
        db(context),
        team_id=context.team_id or "",
        channel_id=event.get("channel", ""),
        slack=SlackAdmin(client),
        now=now(context),
    )
    if event.get("user") != context.bot_user_id:
        return
    inviter = event.get("inviter")
    locale = "en"
    if inviter:
        locale = people.locale_of(
            db(context),
            team_id=context.team_id or "",
            user_id=inviter,
            lookup=lambda uid: lookup_profile(client, uid),
        )
    conversations.post_to_channel(
        db(context),
        team_id=context.team_id or "",
        bot_user_id=context.bot_user_id,
        channel_id=event["channel"],
        message=joined_channel(locale),
        cause=f"joined:{event['channel']}:{event.get('event_ts')}",
        now=now(context),
    )


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


def on_channel_change(event: dict, context: BoltContext, client: WebClient) -> None:
    """The admin channel may have become public, archived or shared (or fine again): ask Slack now, so the hosts are
    told at once and host authority follows what the channel is."""
    hosts.recheck(
        db(context),
        team_id=context.team_id or "",
        channel_id=str(event.get("channel") or ""),
        slack=SlackAdmin(client),
        now=now(context),
    )


def register(app: App) -> None:
    app.event("app_home_opened")(on_app_home_opened)
    app.event("message")(on_message)
    app.event("member_joined_channel")(on_member_joined_channel)
    app.event("member_left_channel")(on_member_left_channel)
    for change in CHANNEL_CHANGES:
        app.event(change)(on_channel_change)
