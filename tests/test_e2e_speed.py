"""Speed dating end to end: a host starts a round, everyone gets a card of candidates by DM, answers until the
deadline, one reminder, the round closes with counts for hosts, and matching weighs the answers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.ids import ID
from bot.models import MatchProposal, MatchRound, Participant, SpeedIntro, SpeedRound, SpeedStatus
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from tests.helpers import START, admin_channel, create_program, matching_preview, onboard, onboard_profiles, persona


def _card(stack: LocalStack, who: Persona) -> dict[str, Any] | None:
    cards = [
        m
        for m in who.dm_messages()
        if m.get("user") == stack.sandbox.bot_user_id
        and any(el["action_id"] == ID.SPEED_YES for _, el in iter_action_elements(m.get("blocks", [])))
    ]
    return cards[-1] if cards else None


def _buttons(card: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Candidate name -> {answer action_id: intro id}, read from the card's blocks in order."""
    out: dict[str, dict[str, str]] = {}
    name = None
    for block in card["blocks"]:
        if block["type"] == "section" and block["text"]["text"].startswith("*"):
            name = block["text"]["text"].split("*")[1]
        if block["type"] == "actions" and name:
            out[name] = {el["action_id"]: el["value"] for _, el in iter_action_elements([block])}
    return out


def _start_round(stack: LocalStack, host: Persona, channel: str, closes_on: str) -> Any:
    host.slash("admin speed", channel_id=channel)
    view = host.open_views()[-1]
    assert view["callback_id"] == ID.SPEED_MODAL
    delivery = host.submit(view["id"], {ID.SPEED_CLOSES_ON.value: closes_on})
    stack.advance(timedelta(minutes=1))  # the clock's next tick picks the intros and queues the cards
    return delivery


def test_a_round_from_start_to_matching(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)

    # a bad deadline is refused in the modal and nothing is stored
    answer = _start_round(stack, hanna, channel, START.date().isoformat()).json()
    assert answer["response_action"] == "errors"
    assert "after today" in answer["errors"][ID.SPEED_CLOSES_ON.value]
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SpeedRound)) == 0

    closes_on = (START + timedelta(days=3)).date().isoformat()  # Thursday 7 January, 18:00 Berlin
    assert not _start_round(stack, hanna, channel, closes_on).body
    started = stack.sandbox.messages(channel)[-1]["text"]
    assert "started speed dating for *Pilot 2027*: 7 people" in started and "Thursday 7 January, 18:00" in started

    # a second round while one is open is refused
    again = _start_round(stack, hanna, channel, closes_on).json()
    assert "already open" in again["errors"][ID.SPEED_PROGRAM.value]

    with stack.session_factory() as s:
        intros = list(s.scalars(select(SpeedIntro)))
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
    shown = {(names[i.participant_id], names[i.candidate_id]) for i in intros}
    assert all((b, a) in shown for a, b in shown)  # mutual
    # everyone got a card by DM, in their language, in their own daytime (New York: at 09:00 local)
    assert _card(stack, people["Olivia"]) is None and _card(stack, people["Wei"]) is not None
    stack.advance(timedelta(hours=6))  # 14:00 UTC, 09:00 in New York
    for name, who in people.items():
        card = _card(stack, who)
        assert card is not None, name
        text = json.dumps(card, ensure_ascii=False)
        assert ("Speed-Dating" in text) == (who.locale.startswith("de")), name
    wei_card = json.dumps(_card(stack, people["Wei"]), ensure_ascii=False)
    assert "Friday 8 January, 01:00" in wei_card  # 18:00 in Berlin is 01:00 the next day in Singapore

    # Ana and Jorg say yes to each other; Lena says no to someone who wanted her
    ana_buttons = _buttons(_card(stack, people["Ana"]))
    jorg_buttons = _buttons(_card(stack, people["Jorg"]))
    assert "Jorg" in ana_buttons and "Ana" in jorg_buttons
    people["Ana"].click(ID.SPEED_YES, message=_card(stack, people["Ana"]), value=ana_buttons["Jorg"][ID.SPEED_YES])
    people["Jorg"].click(ID.SPEED_YES, message=_card(stack, people["Jorg"]), value=jorg_buttons["Ana"][ID.SPEED_YES])
    lena_buttons = _buttons(_card(stack, people["Lena"]))
    refused = next(iter(lena_buttons))
    people["Lena"].click(ID.SPEED_NO, message=_card(stack, people["Lena"]), value=lena_buttons[refused][ID.SPEED_NO])
    # the card shows the choice in place
    ana_card = json.dumps(_card(stack, people["Ana"]), ensure_ascii=False)
    assert "✓ Ja" in ana_card or "✓ Yes" in ana_card

    # someone else's card button changes nothing
    people["Kenji"].click(ID.SPEED_NO, message=_card(stack, people["Kenji"]), value=ana_buttons["Jorg"][ID.SPEED_YES])
    assert "belongs to someone else" in json.dumps(people["Kenji"].ephemeral_messages()[-1])
    with stack.session_factory() as s:
        said = {
            (names[i.participant_id], names[i.candidate_id]): i.answer
            for i in s.scalars(select(SpeedIntro).where(SpeedIntro.answer.is_not(None)))
        }
    assert said == {("Ana", "Jorg"): "yes", ("Jorg", "Ana"): "yes", ("Lena", refused): "no"}

    # one reminder a day before closing, only to those who answered nothing, each in their own daytime
    before = {name: len(who.dm_messages()) for name, who in people.items()}
    stack.advance(timedelta(days=2, hours=3, minutes=30))  # Wed 17:30 UTC
    after = {name: len(who.dm_messages()) for name, who in people.items()}
    silent = {"Wei", "Olivia", "Priya", "Kenji"}  # Ana, Jorg and Lena answered; Kenji's click was refused
    assert {n for n in people if after[n] == before[n] + 1} == silent - {"Wei", "Priya", "Kenji"}
    assert "Reminder" in json.dumps(_card(stack, people["Olivia"]))
    stack.advance(timedelta(hours=6))  # Wed 23:30 UTC: 07:30 in Singapore
    assert {n for n in people if len(people[n].dm_messages()) == before[n] + 1} == {"Olivia"}
    stack.advance(timedelta(hours=2))  # 09:30 in Singapore
    after = {name: len(who.dm_messages()) for name, who in people.items()}
    assert {n for n in people if after[n] == before[n] + 1} == silent
    stack.advance(timedelta(hours=4))
    assert {name: len(who.dm_messages()) for name, who in people.items()} == after

    # the deadline passes: closed, counts for hosts with a button to run matching
    stack.advance(timedelta(hours=11))  # Thu 16:30 UTC: still open
    with stack.session_factory() as s:
        assert s.scalars(select(SpeedRound)).one().status == SpeedStatus.OPEN
    # while it is open, no matching preview: it would read the answers given so far (a pair gone, one more pair
    # "ruled out for private reasons", would show a host someone's "no" as it is given)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    said = json.dumps(hanna.ephemeral_messages()[-1])
    assert "is open until" in said and "matching runs once it has closed" in said
    with stack.session_factory() as s:
        assert s.scalars(select(MatchRound)).all() == []
    stack.advance(timedelta(hours=1))  # Thu 17:30 UTC, past 18:00 in Berlin
    with stack.session_factory() as s:
        round_ = s.scalars(select(SpeedRound)).one()
        assert round_.status == SpeedStatus.CLOSED
    closed = next(m for m in reversed(stack.sandbox.messages(channel)) if "has closed" in m.get("text", ""))
    assert "1 pair said yes to each other" in closed["text"]
    assert "Lena" not in json.dumps(closed) and refused not in json.dumps(closed)
    assert any(el["action_id"] == ID.MATCH_RUN for _, el in iter_action_elements(closed["blocks"]))
    # answering after the deadline is refused with the reason, and nothing changes
    people["Ana"].click(ID.SPEED_NO, message=_card(stack, people["Ana"]), value=ana_buttons["Jorg"][ID.SPEED_NO])
    assert "closed" in json.dumps(people["Ana"].ephemeral_messages()[-1]) or "beendet" in json.dumps(
        people["Ana"].ephemeral_messages()[-1], ensure_ascii=False
    )
    with stack.session_factory() as s:
        ana = s.scalars(select(Participant).where(Participant.display_name == "Ana")).one()
        jorg = s.scalars(select(Participant).where(Participant.display_name == "Jorg")).one()
        intro = s.scalars(
            select(SpeedIntro).where(SpeedIntro.participant_id == ana.id, SpeedIntro.candidate_id == jorg.id)
        ).one()
        assert intro.answer == "yes"

    # matching weighs it: Ana and Jorg are paired for mutual interest; Lena is never paired with her "no"
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = json.dumps(matching_preview(stack, channel), ensure_ascii=False)
    assert "*Ana* × *Jorg*" in preview or "*Jorg* × *Ana*" in preview
    # the mutual yes counts, but hosts see no pair's answers (only the counts at closing): not in the preview
    assert "said yes in speed dating" not in preview
    with stack.session_factory() as s:
        proposals = s.scalars(select(MatchProposal)).all()
        assert any(r.get("key") == "mutual_interest" for m in proposals for r in m.reasons)
    assert f"*Lena* × *{refused}*" not in preview and f"*{refused}* × *Lena*" not in preview


def test_non_hosts_cannot_start_a_round(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    onboard_profiles(stack)
    mallory.slash("admin speed", channel_id=channel)
    stack.settle()
    assert mallory.open_views() == []
    assert "only program hosts" in json.dumps(mallory.ephemeral_messages()[-1])
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SpeedRound)) == 0


def test_the_program_card_button_opens_the_modal_for_that_program(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    onboard_profiles(stack)
    card = next(
        m
        for m in reversed(stack.sandbox.messages(channel))
        if any(el["action_id"] == ID.SPEED_START for _, el in iter_action_elements(m.get("blocks", [])))
    )
    mallory.click(ID.SPEED_START, message=card)
    assert mallory.open_views() == []
    hanna.click(ID.SPEED_START, message=card)
    view = hanna.open_views()[-1]
    assert view["callback_id"] == ID.SPEED_MODAL
    picker = next(b for b in view["blocks"] if b.get("block_id") == ID.SPEED_PROGRAM)
    assert picker["element"]["initial_option"]["text"]["text"] == "Pilot 2027"
    hanna.submit(view["id"], {ID.SPEED_CLOSES_ON.value: (START + timedelta(days=2)).date().isoformat()})
    stack.advance(timedelta(minutes=1))
    with stack.session_factory() as s:
        round_ = s.scalars(select(SpeedRound)).one()
        assert round_.created_by == hanna.id and round_.stats["people"] == 7


def test_a_pool_where_nobody_fits_anybody_gets_no_cards_and_the_hosts_hear_why(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    closes_on = (START + timedelta(days=2)).date().isoformat()
    # nobody waiting at all: the modal says so and nothing is stored
    answer = _start_round(stack, hanna, channel, closes_on).json()
    assert "Nobody in this program is waiting" in answer["errors"][ID.SPEED_PROGRAM.value]
    # two people on the same side: the round is prepared, finds nobody to introduce, and closes
    both_digital = {
        name: ("digital", "en-GB", "Europe/Berlin", name, dept, ["no-code"], ["budgeting"], ["trust"])
        for name, dept in (("Lena", "Marketing"), ("Mia", "Design"))
    }
    people = onboard(stack, both_digital)
    assert not _start_round(stack, hanna, channel, closes_on).body
    assert "nobody waiting for a partner can be introduced" in stack.sandbox.messages(channel)[-1]["text"]
    assert all(_card(stack, p) is None for p in people.values())
    with stack.session_factory() as s:
        round_ = s.scalars(select(SpeedRound)).one()
        assert (round_.status, round_.stats["people"], round_.stats["pool"]) == (SpeedStatus.CLOSED, 0, 2)
