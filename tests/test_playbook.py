"""The host playbook (``/tandem admin playbook``, issue 20's enablement): what to do this week in each program a host
may see, in their language; a co-host of another program sees nothing of it."""

from __future__ import annotations

from datetime import timedelta

from bot.ids import ID
from tests.helpers import admin_channel, create_program, onboard, persona

KARL = ("digital", "en-GB", "Europe/Berlin", "Karl", "Content", ["podcasts"], ["governance"], ["growth"])
LIV = ("context", "de-DE", "Europe/Berlin", "Liv", "Finance", ["governance"], ["podcasts"], ["growth"])


def _last(who) -> str:  # type: ignore[no-untyped-def]
    return str(who.ephemeral_messages()[-1])


def test_the_playbook_says_what_to_do_this_week_per_program_and_only_for_ones_own(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    cora = persona(stack, "Cora", locale="de-DE")
    channel = admin_channel(stack, hanna)
    for name in ("Alpha Pilot", "Beta Pilot"):
        create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: name})
    onboard(stack, {"Karl": KARL, "Liv": LIV}, "Alpha Pilot")

    assert hanna.slash("admin playbook", channel_id=channel).ok
    shown = _last(hanna)
    alpha, beta = shown.split("Beta Pilot")
    assert (
        "*Welcome* Karl, Liv" in alpha
        and "2 people are waiting for a partner: `/tandem admin match Alpha Pilot`" in alpha
    )
    assert "Nothing needs you this week" in beta and "Karl" not in beta

    # a week later they are no longer new; named, only that program
    stack.advance(timedelta(days=8))
    assert hanna.slash("admin playbook Alpha Pilot", channel_id=channel).ok
    shown = _last(hanna)
    assert "Welcome" not in shown and "Beta Pilot" not in shown and "2 people are waiting" in shown

    # Cora co-hosts Beta only: in German, Beta alone; Alpha named is refused as if it did not exist
    stack.sandbox.invite(channel, cora.id, inviter=hanna.id)
    assert hanna.slash(f"admin hosts Beta Pilot cohost <@{cora.id}|cora>", channel_id=channel).ok
    stack.advance(timedelta(minutes=2))  # the members cache is a minute old
    assert cora.slash("admin playbook", channel_id=channel).ok
    shown = _last(cora)
    assert "Diese Woche in euren Programmen" in shown and "Beta Pilot" in shown
    assert "Alpha" not in shown and "Karl" not in shown and "Liv" not in shown
    assert cora.slash("admin playbook Alpha Pilot", channel_id=channel).ok
    answer = _last(cora)
    assert "Karl" not in answer and "warten" not in answer
