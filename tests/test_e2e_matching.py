"""Matching from the admin channel, end to end: preview, lock, run again, approve, introductions in group DMs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, MatchProposal, MatchRound, Pair, Participant, Program
from bot.sandbox.blockkit import validate_call
from bot.sandbox.stack import LocalStack
from tests.admin_helpers import admin_channel, create_program, persona
from tests.e2e import make_stack

PROFILES = {
    # name: (role, locale, tz, department, can_teach, want_to_learn, values)
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Social Media", ["short video"], ["stakeholder maps"], ["curiosity"]),
    "Lena": ("digital", "de-DE", "Europe/Berlin", "Marketing", ["no-code"], ["budgeting"], ["trust"]),
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jorg": ("context", "de-DE", "Europe/Berlin", "Finance", ["budgeting"], ["short video"], ["curiosity"]),
    "Olivia": ("context", "en-US", "America/New_York", "Strategy", ["stakeholder maps"], ["no-code"], ["trust"]),
    "Priya": ("context", "en-GB", "Asia/Singapore", "Risk", ["governance"], ["podcasts"], ["growth"]),
    "Kenji": ("context", "en-US", "Asia/Singapore", "Legal", ["contracts"], ["podcasts"], ["clarity"]),
}


@pytest.fixture
def stack(database_url: str, session_factory) -> Iterator[LocalStack]:
    s = make_stack(database_url).start()
    yield s
    for i, call in enumerate(s.sandbox.calls):
        assert validate_call(call["method"], call["args"]) == [], f"call {i} {call['method']} invalid"
    assert s.sandbox.problems == []
    s.stop()


def _onboard(stack: LocalStack, program_name: str = "Pilot 2027") -> dict[str, object]:
    """Seven people who finished the interview (written straight to the database: the interview has its own
    end-to-end tests)."""
    people = {}
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == program_name)).one()
        for name, (role, locale, tz, dept, teach, learn, values) in PROFILES.items():
            p = persona(stack, name, tz=tz, locale=locale)
            people[name] = p
            participant = Participant(
                workspace_id=program.workspace_id,
                slack_user_id=p.id,
                display_name=name,
                tz=tz,
                locale=locale[:2],
                role=role,
                self_description=f"I am {name}.",
                department=dept,
                can_teach=teach,
                want_to_learn=learn,
                curiosity=[],
                values=values,
                learning_style="doing",
                preferences={"mode": "async", "pace": "steady", "directness": "balanced"},
                hours_per_week=2,
                preferred_days=[1, 3],
                created_at=stack.clock.now(),
                updated_at=stack.clock.now(),
            )
            s.add(participant)
            s.flush()
            s.add(
                Enrollment(
                    program_id=program.id,
                    participant_id=participant.id,
                    status=EnrollmentStatus.ONBOARDED,
                    source="list",
                    invited_at=stack.clock.now(),
                    last_activity_at=stack.clock.now(),
                    reminders_sent=0,
                    step_message={},
                )
            )
        s.commit()
    return people


def _preview(stack: LocalStack, channel: str) -> dict:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]


def test_a_host_previews_locks_reruns_and_approves_and_pairs_are_introduced(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = _onboard(stack)

    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = _preview(stack, channel)
    text = json.dumps(preview, ensure_ascii=False)
    assert "*3 pairs* from 7 people" in text
    assert "Ana can teach short video, Jorg wants to learn it" in text or "Jorg can teach" in text
    assert "Kenji: " in text  # the odd one out is named, with a reason

    # lock the best pair, run again: it stays
    lock_buttons = [
        b["accessory"] for b in preview["blocks"] if b.get("accessory", {}).get("action_id") == ID.MATCH_LOCK
    ]
    hanna.click(ID.MATCH_LOCK, message=preview, value=lock_buttons[0]["value"])
    with stack.session_factory() as s:
        locked_pairs = {
            frozenset((m.participant_a_id, m.participant_b_id))
            for m in s.scalars(select(MatchProposal).where(MatchProposal.locked.is_(True)))
        }
    assert len(locked_pairs) == 1
    hanna.click(ID.MATCH_RERUN, message=_preview(stack, channel))
    stack.settle()
    assert ":lock:" in json.dumps(_preview(stack, channel), ensure_ascii=False)

    hanna.click(ID.MATCH_APPROVE, message=_preview(stack, channel))
    stack.settle()
    with stack.session_factory() as s:
        pairs = list(s.scalars(select(Pair)))
        assert len(pairs) == 3
        assert {frozenset((p.participant_a_id, p.participant_b_id)) for p in pairs} >= locked_pairs
        kenji = s.scalars(select(Participant).where(Participant.display_name == "Kenji")).one()
        assert kenji.waitlisted_at is not None
    # each pair has a group DM with Tandem and an introduction saying why
    for name in ("Ana", "Lena", "Wei"):
        person = people[name]
        groups = [
            c for c in stack.sandbox.calls if c["method"] == "conversations.open" and person.id in c["args"]["users"]
        ]
        assert len(groups) == 1
    intros = [
        json.dumps(c["args"], ensure_ascii=False)
        for c in stack.sandbox.calls
        if c["method"] == "chat.postMessage" and c["args"].get("channel", "").startswith("G")
    ]
    assert len(intros) == 3
    assert all("Meet your tandem" in i or "Euer Tandem" in i for i in intros)
    assert "approved 3 pairs" in stack.sandbox.messages(channel)[-1]["text"]

    # a second run never re-pairs anyone who has a partner
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    assert "*0 pairs* from 1 people" in json.dumps(_preview(stack, channel), ensure_ascii=False)


def test_a_non_host_cannot_match_or_use_preview_buttons(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    _onboard(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = _preview(stack, channel)
    mallory.open_home()
    stack.settle()
    with stack.session_factory() as s:
        before = (
            s.scalar(select(func.count()).select_from(MatchRound)),
            s.scalar(select(func.count()).select_from(Pair)),
        )
    mallory.slash("admin match", channel_id=channel)
    for action in (ID.MATCH_APPROVE, ID.MATCH_RERUN, ID.MATCH_DISCARD):
        mallory.click(action, message=preview)
    stack.settle()
    with stack.session_factory() as s:
        after = (
            s.scalar(select(func.count()).select_from(MatchRound)),
            s.scalar(select(func.count()).select_from(Pair)),
        )
    assert after == before
    assert all("only program hosts" in json.dumps(m) for m in mallory.ephemeral_messages()[-4:])
