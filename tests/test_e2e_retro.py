"""Retro rituals end to end: after week 4 each pair gets a retro in its group DM in its language; both fill it in;
the summary goes into the thread; a quote is shared only with both partners' consent (never after a "no"); hosts
see counts (released weekly, never of fewer pairs than the threshold) and consented quotes, pick a community channel
and post a quote there, escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.ids import ID
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, match, onboard, pair_group_dm, persona

DE_PAIR = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Karl": ("context", "de-DE", "Europe/Berlin", "Karl", "Risk", ["budgeting"], ["short video"], ["trust"]),
}
QUOTE = "<!channel> Reverse mentoring rocks & rolls"
SECRET = "Karls geheimes Zitat"
FREE_TEXT = "Wir haben Reels ausprobiert"


def _dump(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _with(messages: list[dict], action_id: str) -> list[dict]:
    return [m for m in messages if action_id in json.dumps(m.get("blocks") or [])]


def test_retro_after_week_four_consent_hosts_and_community_channel(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    admin = admin_channel(stack, hanna)
    create_program(
        stack,
        hanna,
        admin,
        **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "8", ID.PROGRAM_TRIAL.value: "0"},
    )
    people = onboard(stack, DE_PAIR)
    match(stack, hanna, admin)
    ana, karl = people["Ana"], people["Karl"]
    wei = persona(stack, "Wei", tz="Asia/Singapore")
    group = pair_group_dm(stack, ana, karl)
    # week 4 is Monday 1 February; the retro comes on Thursday at 10:00 Berlin
    stack.clock.set(datetime(2027, 2, 4, 8, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=50))
    assert not _with(stack.sandbox.messages(group), ID.RETRO_OPEN)
    stack.advance(timedelta(minutes=20))
    [opening] = _with(stack.sandbox.messages(group), ID.RETRO_OPEN)
    assert "Zeit für eure Retro" in _dump([opening]) and "4 Wochen" in _dump([opening])

    # an outsider is refused and gets no modal
    views = len(wei.open_views())
    wei.click(ID.RETRO_OPEN, message=opening)
    stack.settle()
    assert len(wei.open_views()) == views and "belongs to another pair" in _dump(wei.ephemeral_messages())

    # Ana: an empty answer keeps the modal open with a friendly error; then she saves with a quote
    ana.click(ID.RETRO_OPEN, message=opening)
    stack.settle()
    view = ana.open_views()[-1]
    bad = ana.submit(view["id"], {ID.RETRO_WENT_WELL.value: " ", ID.RETRO_TALK_SHARE.value: "4"})
    assert bad.json()["response_action"] == "errors" and ID.RETRO_WENT_WELL.value in bad.json()["errors"]
    ok = ana.submit(
        view["id"],
        {
            ID.RETRO_WENT_WELL.value: FREE_TEXT,
            ID.RETRO_LEARNED.value: "Aha: Kurzvideos brauchen einen Haken",
            ID.RETRO_CHANGE.value: "Mehr vorbereiten",
            ID.RETRO_TALK_SHARE.value: "4",
            ID.RETRO_QUOTE.value: QUOTE,
        },
    )
    assert not ok.body or "errors" not in ok.json()
    stack.settle()
    assert not [m for m in stack.sandbox.messages(group) if "Eure Retro-Zusammenfassung" in _dump([m])]

    karl.click(ID.RETRO_OPEN, message=opening)
    stack.settle()
    karl.submit(
        karl.open_views()[-1]["id"],
        {
            ID.RETRO_WENT_WELL.value: "Ehrliches Feedback",
            ID.RETRO_LEARNED.value: "TikTok ist kein Kanal für alles",
            ID.RETRO_CHANGE.value: "Früher antworten",
            ID.RETRO_TALK_SHARE.value: "5",
            ID.RETRO_QUOTE.value: SECRET,
        },
    )
    stack.settle()
    thread = stack.sandbox.messages(group, opening["ts"])
    text = _dump(thread)
    assert "Eure Retro-Zusammenfassung" in text and FREE_TEXT in text and "Ehrliches Feedback" in text
    cards = _with(thread, ID.RETRO_CONSENT_YES)
    [ana_card] = [c for c in cards if "Reverse mentoring" in _dump([c])]
    [karl_card] = [c for c in cards if SECRET in _dump([c])]
    assert "&lt;!channel&gt;" in _dump([ana_card]) and "<!channel>" not in _dump([ana_card])

    # Ana declines Karl's quote: never shared, whatever Karl does later
    ana.click(ID.RETRO_CONSENT_NO, message=karl_card)
    stack.settle()
    # Ana confirms her own quote; not yet shared
    ana.click(ID.RETRO_CONSENT_YES, message=ana_card)
    stack.settle()
    hanna.slash("admin retro", channel_id=admin)
    stack.settle()
    overview = _dump(hanna.ephemeral_messages()[-1:])
    # counts are released weekly and only from at least the threshold (5) of pairs: one pair's retro never shows
    assert "No consented quotes yet" in overview and "filled in by both within 2 weeks: *0*" in overview
    assert "1: 0, 2: 0, 3: 0, 4: 0, 5: 0" in overview
    assert FREE_TEXT not in overview and SECRET not in overview
    # Karl agrees: now both consented, but hosts see the quote only from the next weekly release on (shown at once,
    # it would tell them this pair just finished its retro)
    karl.click(ID.RETRO_CONSENT_YES, message=ana_card)
    stack.settle()
    hanna.slash("admin retro Pilot 2027", channel_id=admin)
    stack.settle()
    assert "No consented quotes yet" in _dump(hanna.ephemeral_messages()[-1:])
    stack.advance(timedelta(days=7))  # a weekly release has come
    hanna.slash("admin retro Pilot 2027", channel_id=admin)
    stack.settle()
    last = hanna.ephemeral_messages()[-1]
    overview = _dump([last])
    assert "Reverse mentoring rocks" in overview and "&lt;!channel&gt;" in overview and "<!channel>" not in overview
    assert FREE_TEXT not in overview and SECRET not in overview and "Mehr vorbereiten" not in overview
    assert "4: 1, 5: 1" not in overview  # one pair's talk shares: never a figure of their own

    # posting needs a community channel first
    hanna.click(ID.RETRO_POST_QUOTE, message=last)
    stack.settle()
    assert "Choose a community channel first" in _dump(hanna.ephemeral_messages()[-1:])

    # the settings modal from the program card: Tandem must be in the channel
    community = stack.sandbox.create_channel("community", is_private=False, members=[hanna.id])
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = _with(hanna.ephemeral_messages(), ID.RETRO_SETTINGS)[-1]
    hanna.click(ID.RETRO_SETTINGS, message=card)
    stack.settle()
    settings = hanna.open_views()[-1]
    refused = hanna.submit(settings["id"], {ID.RETRO_EVERY.value: "4", ID.RETRO_CHANNEL.value: community})
    assert refused.json()["response_action"] == "errors" and ID.RETRO_CHANNEL.value in refused.json()["errors"]
    stack.sandbox.invite(community, stack.sandbox.bot_user_id, inviter=hanna.id)
    saved = hanna.submit(settings["id"], {ID.RETRO_EVERY.value: "4", ID.RETRO_CHANNEL.value: community})
    assert not saved.body or "errors" not in saved.json()
    stack.settle()

    hanna.click(ID.RETRO_POST_QUOTE, message=last)
    stack.settle()
    posted = _dump(stack.sandbox.messages(community))
    assert "Reverse mentoring rocks" in posted and "&lt;!channel&gt;" in posted and "<!channel>" not in posted
    assert SECRET not in posted and SECRET not in _dump(stack.sandbox.messages(admin))

    # the program's end: the hosts' program retro, counts and consented quotes only
    stack.clock.set(datetime(2027, 3, 8, 7, 55, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=10))
    report = [m for m in stack.sandbox.messages(admin) if "Program retro" in _dump([m])]
    assert len(report) == 1
    text = _dump(report)
    assert "Reverse mentoring rocks" in text and SECRET not in text and FREE_TEXT not in text
    # the one pulse round (two people asked) stays below the threshold: hidden in the report's trend too
    assert "Mood trend* (anonymous pulse): 2: hidden" in text and "0 of 1 rounds had enough answers" in text
    assert "0 retros filled in by both within 2 weeks" in text  # one pair: fewer than the threshold
