"""The works council's switches (issue 18, ``bot.domain.monitoring``): each one off leaves hosts counts only, or
participants without a streak. Service and block level; the program modal's round trip is in test_e2e_admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.blocks import impact as impact_blocks
from bot.domain.rhythm import WeekStatus
from bot.models import Pair, PairWeek, Program
from bot.services import impact
from bot.services.impact import PairImpact

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


# -- streaks ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("streaks", [True, False])
def test_home_items_count_a_streak_only_when_the_program_has_streaks_on(session: Session, streaks: bool) -> None:
    program = Program(id=1, name="Pilot", streaks=streaks)
    pair = Pair(id=1, program_id=1)
    weeks = [
        PairWeek(id=10 + n, pair_id=1, number=n, status=WeekStatus.CLOSED, thread_at=NOW - timedelta(weeks=3 - n))
        for n in (1, 2, 3)
    ]
    [item] = impact.home_items(
        session, [pair], programs_by_id={1: program}, weeks={1: weeks}, answered={11, 12, 13}, now=NOW
    )
    assert item.streak == (3 if streaks else None)


def _home_text(items: list[PairImpact]) -> str:
    return "\n".join(b["text"]["text"] for b in impact_blocks.home_section("en", items, []) if b.get("text"))


def test_app_home_shows_no_streak_for_a_program_with_streaks_off() -> None:
    on = PairImpact(pair_id=1, program="Pilot", streak=3, metrics=[])
    off = PairImpact(pair_id=2, program="Quiet", streak=None, metrics=[])
    assert "Your streak: *3* weeks" in _home_text([on])
    assert impact_blocks.home_section("en", [off], []) == []  # nothing to show, nothing shown
    assert impact_blocks.home_section("de", [off], []) == []
    # with pair metrics, *Log a value* stays, without a streak
    [section] = impact_blocks.home_section("en", [PairImpact(2, "Quiet", None, ["Reach"])], [])
    assert "streak" not in section["text"]["text"].lower() and "*Quiet*" in section["text"]["text"]
    assert section["accessory"]["text"]["text"] == "Log a value"
