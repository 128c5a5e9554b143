"""Live sessions end to end, on the sandbox and a simulated clock: a Berlin–Singapore pair (a German and an English
partner) who work live or mixed find *Find a live slot* in their weekly prompt, get three slots in their group DM in
each partner's own time, accept one weekly (the other slots go away; a second click changes nothing and says why),
get the calendar file through Slack's file upload, the reminder an hour before in each one's language and time, and
cancel right after the reminder: a late cancellation, and a calendar cancellation with the same UID. Someone else's
click changes nothing. SQLite only: the same queries run on both databases in ``test_live_service.py``; this one is
about what Slack sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.ids import ID
from bot.models import CancelKind, Cancellation, LiveSession, LiveStatus, Participant
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, dump, forged_click, match, onboard, pair_group_dm, persona

pytestmark = pytest.mark.sqlite_only

PEOPLE = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Wei": ("context", "en-GB", "Asia/Singapore", "Wei", "Risk", ["budgeting"], ["short video"], ["trust"]),
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _values(message: dict[str, Any], action_id: str) -> list[str]:
    return [el["value"] for _, el in iter_action_elements(message.get("blocks") or []) if el["action_id"] == action_id]


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _ics(stack: LocalStack) -> list[str]:
    files = [f for f in stack.sandbox.files.values() if f["name"].endswith(".ics") and f.get("content")]
    return [f["content"].decode("utf-8") for f in files]


def test_find_accept_weekly_remind_and_cancel_late(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: "2027-01-11", ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, PEOPLE)
    ana, wei = people["Ana"], people["Wei"]
    with stack.session_factory() as s:
        for p, mode in ((ana, "mixed"), (wei, "live")):
            row = s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()
            row.preferences = {**row.preferences, "mode": mode}
        s.commit()
    match(stack, hanna, channel)
    group = pair_group_dm(stack, ana, wei)

    # week 1's prompt (Monday 11 Jan, 09:00 in Singapore) offers *Find a live slot*
    stack.clock.set(utc(2027, 1, 11, 0, 50))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=20))
    [prompt] = [m for m in stack.sandbox.messages(group) if _values(m, ID.RHYTHM_ANSWER)]
    assert _values(prompt, ID.LIVE_FIND)

    ana.click(ID.LIVE_FIND, message=prompt)
    stack.settle()
    [proposal] = [m for m in stack.sandbox.messages(group) if _values(m, ID.LIVE_ACCEPT)]
    slots = _values(proposal, ID.LIVE_ACCEPT)
    assert len(slots) == 3 and _values(proposal, ID.LIVE_ACCEPT_WEEKLY) == slots
    shown = _text(proposal)  # the pair's thread is in English (their languages differ); each in their own time
    for day in ("Mon 11 Jan", "Tue 12 Jan", "Wed 13 Jan"):
        assert f"{day}, 09:00 (Berlin)" in shown and f"{day}, 16:00 (Singapore)" in shown

    # an outsider's forged click on a slot changes nothing
    mallory = persona(stack, "Mallory")
    before = dump(stack.engine)
    forged_click(stack, mallory, ID.LIVE_ACCEPT, slots[0])
    assert dump(stack.engine) == before

    wei.click(ID.LIVE_ACCEPT_WEEKLY, message=proposal, value=slots[1])  # Tuesday 12 Jan, every week
    stack.settle()
    accepted = stack.sandbox.find_message(proposal["ts"], group)
    assert not _values(accepted, ID.LIVE_ACCEPT) and _values(accepted, ID.LIVE_CANCEL) == [slots[1]]
    assert "every week at this time until" in _text(accepted)
    [invitation] = _ics(stack)
    # a plain calendar object (no iTIP METHOD: REQUEST and CANCEL would need an organizer and attendees)
    assert "METHOD" not in invitation and "STATUS:CONFIRMED" in invitation and "DTSTART:20270112T080000Z" in invitation
    assert "RRULE:FREQ=WEEKLY;UNTIL=" in invitation and "SEQUENCE:0" in invitation
    [event] = Calendar.from_ical(invitation).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tandem: live session / Tandem: Live-Sitzung"  # both partners' languages
    assert "Eure Tandem-Sitzung" in str(event["DESCRIPTION"]) and "Your 30-minute" in str(event["DESCRIPTION"])
    unfolded = invitation.replace("\r\n ", "")
    assert not [w for w in ("Ana", "Wei", ana.id, wei.id, group, "Pilot") if w in unfolded]  # nothing about the pair

    # a second click on another slot of the same proposal changes nothing, and says who accepted
    before = dump(stack.engine)
    forged_click(stack, ana, ID.LIVE_ACCEPT, slots[2], channel=group)  # her copy from before the replace
    assert dump(stack.engine) == before
    assert f"<@{wei.id}> hat schon einen dieser Termine zugesagt" in ana.ephemeral_messages()[-1]["text"]

    # the reminder an hour before, each in their own language and time
    stack.advance(utc(2027, 1, 12, 7, 5) - stack.clock.now())  # the clock ticks on to the reminder
    assert "In einer Stunde" in ana.dm_messages()[-1]["text"] and "09:00 Uhr (Berlin)" in ana.dm_messages()[-1]["text"]
    assert "In an hour" in wei.dm_messages()[-1]["text"] and "16:00 (Singapore)" in wei.dm_messages()[-1]["text"]
    with stack.session_factory() as s:
        row = s.get(LiveSession, int(slots[1]))
        assert row is not None and row.remind_at == utc(2027, 1, 19, 7, 0)  # next week's occurrence

    # Ana cancels the series right after the reminder, less than an hour ahead: late, and the calendar is told
    ana.click(ID.LIVE_CANCEL, message=proposal["ts"])
    stack.settle()
    with stack.session_factory() as s:
        row = s.get(LiveSession, int(slots[1]))
        assert row is not None and (row.status, row.sequence, row.remind_at) == (LiveStatus.CANCELLED, 1, None)
        [cancelled] = s.scalars(select(Cancellation).where(Cancellation.kind == CancelKind.LIVE)).all()
        assert cancelled.late
    first, cancel = _ics(stack)
    uid = next(line for line in first.splitlines() if line.startswith("UID:"))
    assert uid in cancel and "METHOD" not in cancel and "SEQUENCE:1" in cancel and "STATUS:CANCELLED" in cancel
    assert not _values(stack.sandbox.find_message(proposal["ts"], group), ID.LIVE_CANCEL)  # the button is gone
    again = dump(stack.engine)
    forged_click(stack, wei, ID.LIVE_CANCEL, slots[1], channel=group)  # an old copy of the button
    assert dump(stack.engine) == again
    assert "already cancelled" in wei.ephemeral_messages()[-1]["text"]
