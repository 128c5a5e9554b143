"""Scheduled matching: a program's "Matching on" date brings a preview to the admin channel at 09:00 in the
program's time zone, once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.ids import ID
from bot.models import MatchRound, Program, SpeedRound, SpeedStatus, Workspace
from bot.sandbox.stack import LocalStack
from tests.helpers import PROGRAM_VALUES, admin_channel, check_next_due, create_program, onboard_profiles, persona

HOUR = timedelta(hours=1)


def _previews(stack: LocalStack, channel: str) -> list[dict]:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")]


def _program(stack: LocalStack) -> tuple[date | None, date | None, int]:
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        rounds = s.scalar(select(func.count()).select_from(MatchRound))
        return program.match_on, program.match_ran_on, rounds or 0


def test_scheduled_matching_posts_one_preview_at_nine_in_the_programs_zone(stack: LocalStack) -> None:
    # The stack starts on Monday 4 January 2027 at 08:00 UTC: 16:00 in Singapore, the program's zone.
    hanna = persona(stack, "Hanna", tz="Asia/Singapore", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_MATCH_ON.value: "2027-01-05"})
    card = stack.sandbox.messages(channel)[-1]
    assert "Matching preview scheduled for 5 Jan 2027, 09:00 (Singapore)" in json.dumps(card)
    assert _program(stack) == (date(2027, 1, 5), None, 0)
    onboard_profiles(stack)

    stack.advance(16 * HOUR)  # 08:00 on the 5th in Singapore (00:00 UTC)
    stack.advance(timedelta(minutes=59))  # 08:59
    assert _previews(stack, channel) == []
    assert _program(stack) == (date(2027, 1, 5), None, 0)

    stack.advance(timedelta(minutes=1))  # 09:00 in Singapore
    previews = _previews(stack, channel)
    assert len(previews) == 1
    text = json.dumps(previews[0], ensure_ascii=False)
    assert "Scheduled matching for *Pilot 2027* (5 Jan 2027)" in text
    assert "*3 pairs* from 7 people" in text
    with stack.session_factory() as s:
        round_ = s.scalars(select(MatchRound)).one()
        assert (round_.status, round_.created_by) == ("preview", None)
    assert _program(stack) == (date(2027, 1, 5), date(2027, 1, 5), 1)

    # idempotent: the same minute again, the next minutes and the next day change nothing
    assert stack.tick() is None
    stack.advance(timedelta(minutes=3))
    stack.advance(24 * HOUR)
    assert len(_previews(stack, channel)) == 1
    assert _program(stack) == (date(2027, 1, 5), date(2027, 1, 5), 1)

    # the handled date is no longer on the card or in the edit form; a new date is scheduled again
    hanna.slash("admin programs", channel_id=channel)
    listing = hanna.ephemeral_messages()[-1]
    assert "scheduled for" not in json.dumps(listing)
    hanna.click(ID.PROGRAM_EDIT, message=listing)
    edit = hanna.open_views()[-1]
    field = next(b for b in edit["blocks"] if b.get("block_id") == ID.PROGRAM_MATCH_ON)
    assert "initial_date" not in field["element"] and field["optional"] is True
    delivery = hanna.submit(edit["id"], {ID.PROGRAM_MATCH_ON.value: "2027-01-07"})
    assert not delivery.body or "errors" not in delivery.body, delivery.body
    stack.settle()
    assert "Matching preview scheduled for 7 Jan 2027" in json.dumps(stack.sandbox.messages(channel)[-1])
    assert _program(stack) == (date(2027, 1, 7), None, 1)
    stack.advance(23 * HOUR)  # 08:03 on the 7th in Singapore
    assert len(_previews(stack, channel)) == 1
    stack.advance(HOUR)  # 09:03
    assert len(_previews(stack, channel)) == 2
    assert "Scheduled matching for *Pilot 2027* (7 Jan 2027)" in json.dumps(_previews(stack, channel)[-1])
    assert _program(stack) == (date(2027, 1, 7), date(2027, 1, 7), 2)


def test_without_an_admin_channel_the_date_is_only_marked_handled(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)  # Berlin: the stack starts at 09:00 there
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_MATCH_ON.value: "2027-01-05"})
    onboard_profiles(stack)
    with stack.session_factory() as s:
        s.scalars(select(Workspace)).one().admin_channel_id = None
        s.commit()
    posted = len(stack.sandbox.messages(channel))
    stack.advance(25 * HOUR)  # 10:00 on the 5th in Berlin
    assert _program(stack) == (date(2027, 1, 5), date(2027, 1, 5), 0)
    assert len(stack.sandbox.messages(channel)) == posted


def test_the_program_form_refuses_a_matching_date_in_the_past(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", tz="America/New_York", is_admin=True)  # 03:00 on 4 January there
    channel = admin_channel(stack, hanna)
    answer = create_program(stack, hanna, channel, **{ID.PROGRAM_MATCH_ON.value: "2027-01-03"})
    assert answer == {
        "response_action": "errors",
        "errors": {ID.PROGRAM_MATCH_ON: "Pick today or a later date for matching."},
    }
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Program)) == 0
    # today in the program's zone is fine (in UTC it is already the 4th too, in New York only just)
    view = hanna.open_views()[-1]
    delivery = hanna.submit(view["id"], {**PROGRAM_VALUES, ID.PROGRAM_MATCH_ON.value: "2027-01-04"})
    assert not delivery.body or "errors" not in delivery.body, delivery.body
    assert _program(stack) == (date(2027, 1, 4), None, 0)


def test_a_scheduled_matching_waits_until_the_programs_speed_dating_round_has_closed(stack: LocalStack) -> None:
    """A preview during an open speed-dating round would read the answers given so far (see test_e2e_speed): the
    scheduled run waits for the round's deadline, then runs at the same tick that closes the round."""
    hanna = persona(stack, "Hanna", tz="Asia/Singapore", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_MATCH_ON.value: "2027-01-05"})
    onboard_profiles(stack)
    closes = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)  # 10:00 on the 6th in Singapore, a day after the matching date
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        s.add(
            SpeedRound(program_id=program.id, status=SpeedStatus.OPEN, created_at=stack.clock.now(), closes_at=closes)
        )
        s.commit()
    assert check_next_due(stack, "matching.scheduled", until=closes + HOUR) == closes
    stack.advance(closes - stack.clock.now() - timedelta(minutes=1))  # 09:59 on the 6th: past 09:00 on the 5th
    assert _previews(stack, channel) == [] and _program(stack) == (date(2027, 1, 5), None, 0)
    stack.advance(timedelta(minutes=1))  # the deadline: the round closes, then the scheduled matching runs
    assert len(_previews(stack, channel)) == 1
    assert _program(stack) == (date(2027, 1, 5), date(2027, 1, 5), 1)
