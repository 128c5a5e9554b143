"""Shared steps for tests that need hosts, an admin channel and a program."""

from __future__ import annotations

from bot.ids import ID
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack

PROGRAM_VALUES = {
    ID.PROGRAM_NAME.value: "Pilot 2027",
    ID.PROGRAM_FIELDS.value: "Creator skills for leaders\nEnterprise governance for young professionals",
    ID.PROGRAM_START.value: "2027-02-01",
}


def persona(stack: LocalStack, name: str, tz: str = "Europe/Berlin", locale: str = "en-US", **kw) -> Persona:
    return stack.sandbox.persona(stack.sandbox.add_user(name, real_name=f"{name} Example", tz=tz, locale=locale, **kw))


def admin_channel(stack: LocalStack, host: Persona, *others: Persona) -> str:
    """A private channel with Tandem in it, claimed by ``host`` (a workspace admin)."""
    channel = stack.sandbox.create_channel("tandem-hosts", is_private=True, members=[host.id, *(o.id for o in others)])
    stack.sandbox.invite(channel, stack.sandbox.bot_user_id, inviter=host.id)
    assert host.slash("admin setup", channel_id=channel).ok
    stack.settle()
    return channel


def create_program(stack: LocalStack, host: Persona, channel: str, **values: str) -> dict:
    """Open the program modal with /tandem admin new and submit it; returns the delivery's JSON (or {})."""
    host.slash("admin new", channel_id=channel)
    view = host.open_views()[-1]
    delivery = host.submit(view["id"], {**PROGRAM_VALUES, **values})
    stack.settle()
    return delivery.json() if delivery.body else {}
