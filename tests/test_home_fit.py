"""App Home within Slack's 100 blocks for someone in several programs and pairs: what goes first is said, and the
profile, hosting and the footer stay (an audit found them cut silently)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.blocks import home, rhythm
from bot.blocks.notes import NotesHome, NoteView, PairNotes
from bot.blocks.program_page import ProgramPage
from bot.domain.agreement import HomeGoal, HomePair
from bot.domain.notes import Visibility
from bot.domain.programs import OnboardingCounts
from bot.ids import ID
from bot.models import Enrollment, Participant, Program
from bot.sandbox.blockkit import iter_action_elements, validate_call

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def _program(i: int) -> Program:
    return Program(id=i, workspace_id=1, name=f"Program {i}", status="active", default_locale="en", timezone="UTC")


def _state(locale: str, programs: int, pairs: int) -> home.HomeState:
    person = Participant(id=1, display_name="Ana", locale=locale, tz="Europe/Berlin", role="digital")
    listed = [_program(i) for i in range(1, programs + 1)]
    enrolled = [(Enrollment(id=i, status="onboarded"), p) for i, p in enumerate(listed)]
    note = NoteView(
        id=1, pair_id=1, program="Program 1", author="Ana", mine=True, text="A note", topic=None, links=(),
        visibility=Visibility.PAIR, red=False, note_red=False, topic_red=False, can_lift=False, created_at=NOW,
    )  # fmt: skip
    notes = NotesHome(
        pairs=[
            PairNotes(pair_id=i, program="Program 1", partner="Bo", active=True, notes=[note] * 5) for i in range(pairs)
        ],
        red_topics={},
        in_program=True,
    )
    goals = tuple(HomeGoal(id=n, text="A goal", due=date(2027, 4, 1), progress=1, done_on=None) for n in range(3))
    cards = [
        HomePair(
            pair_id=i, program="Program 1", partner="Bo", status="accepted", agreement_id=1, version_id=1, goals=goals
        )
        for i in range(pairs)
    ]
    prompts = rhythm.RhythmHome(
        tz="Europe/Berlin",
        paused_until=None,
        next_prompts=[rhythm.NextPrompt(program="Program 1", partner="Bo", number=3, at=NOW)] * pairs,
    )
    pages = [
        ProgramPage(name=p.name, released_on=date(2027, 2, 22), active_pairs=9, threshold=5, cards=2, quotes=("Q",) * 3)
        for p in listed
    ]
    tandems = [home.Tandem(program_id=1, partner="Bo", since=NOW) for _ in range(pairs)]
    counts = OnboardingCounts(invited=9, pending=1, interviewing=1, onboarded=7, declined=0)
    return home.HomeState(
        participant=person,
        now=NOW,
        enrollments=enrolled,
        hosted=[(p, counts) for p in listed],
        admin_channel_id="C0ADMIN",
        tandems=tandems,
        notes=notes,
        pair_cards=cards,
        rhythm=prompts,
        program_pages=pages,
    )


@pytest.mark.parametrize("locale", ["en", "de"])
def test_a_full_home_keeps_the_profile_hosting_and_footer_and_says_what_did_not_fit(locale: str) -> None:
    view = home.home_view(_state(locale, programs=4, pairs=4))
    blocks = view["blocks"]
    assert len(blocks) <= 100 and validate_call("views.publish", {"user_id": "U1", "view": view}) == []
    actions = {el["action_id"] for _, el in iter_action_elements(blocks)}
    assert ID.PROFILE_EDIT.value in actions  # the profile stays
    assert blocks[-1]["type"] == "context"  # the footer (language, time zone) stays
    text = str(blocks)
    assert "/tandem notes" in text and ("more than fits" in text or "mehr, als" in text)
    # a Home that fits says nothing of the kind
    small = str(home.home_view(_state(locale, programs=1, pairs=1))["blocks"])
    assert "more than fits" not in small and "mehr, als" not in small
