"""Matching from the admin channel, end to end: preview, lock, run again, approve, introductions in group DMs."""

from __future__ import annotations

import json
import statistics
from typing import Any

from sqlalchemy import func, select

from bot.domain import matching as rules
from bot.ids import ID
from bot.models import (
    MatchProposal,
    MatchRound,
    Pair,
    PairStatus,
    Participant,
    Program,
    RoundStatus,
)
from bot.sandbox.stack import LocalStack
from tests.helpers import MATCHING_PROFILES, admin_channel, create_program, matching_preview, onboard_profiles, persona


def test_a_host_previews_locks_reruns_and_approves_and_pairs_are_introduced(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)

    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = matching_preview(stack, channel)
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
    hanna.click(ID.MATCH_RERUN, message=matching_preview(stack, channel))
    stack.settle()
    assert ":lock:" in json.dumps(matching_preview(stack, channel), ensure_ascii=False)

    hanna.click(ID.MATCH_APPROVE, message=matching_preview(stack, channel))
    stack.settle()
    with stack.session_factory() as s:
        pairs = list(s.scalars(select(Pair)))
        assert len(pairs) == 3
        assert {frozenset((p.participant_a_id, p.participant_b_id)) for p in pairs} >= locked_pairs
        kenji = s.scalars(select(Participant).where(Participant.display_name == "Kenji")).one()
        assert kenji.waitlisted_at is not None
    # the one left over hears it from Tandem, kindly, and nobody who got a partner gets that note
    waiting = [m for m in people["Kenji"].dm_messages() if "no partner for you" in m.get("text", "")]
    assert len(waiting) == 1 and "first in line for the next round" in waiting[0]["text"]
    assert not any(
        "no partner for you" in m.get("text", "")
        for name, p in people.items()
        if name != "Kenji"
        for m in p.dm_messages()
    )
    # each pair has a group DM with Tandem and an introduction saying why
    for name in ("Ana", "Lena", "Wei"):
        person = people[name]
        groups = {
            c["args"]["users"]
            for c in stack.sandbox.calls
            if c["method"] == "conversations.open" and person.id in c["args"]["users"]
        }
        assert len(groups) == 1  # every message to the pair goes to its one group DM
    firsts = [stack.sandbox.messages(cid)[0] for cid, conv in stack.sandbox._convs.items() if conv["kind"] == "mpim"]
    intros = [json.dumps(m, ensure_ascii=False) for m in firsts]
    assert len(intros) == 3
    assert all("Meet your tandem" in i or "Euer Tandem" in i for i in intros)
    assert "approved 3 pairs" in stack.sandbox.messages(channel)[-1]["text"]

    # a second run never re-pairs anyone who has a partner
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    assert "*0 pairs* from 1 people" in json.dumps(matching_preview(stack, channel), ensure_ascii=False)


def test_a_non_host_cannot_match_or_use_preview_buttons(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    onboard_profiles(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = matching_preview(stack, channel)
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


# -- swapping partners in the preview --------------------------------------------------------------------------
def _current(stack: LocalStack) -> dict[str, Any]:
    """The current preview as names: its proposals (in id order) and stats."""
    with stack.session_factory() as s:
        round_ = s.scalars(select(MatchRound).where(MatchRound.status == RoundStatus.PREVIEW)).one()
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        rows = [
            (
                m.id,
                names[m.participant_a_id],
                names.get(m.participant_b_id),
                m.score,
                m.reasons,
                m.locked,
                m.unmatched_reason,
            )
            for m in s.scalars(
                select(MatchProposal).where(MatchProposal.round_id == round_.id).order_by(MatchProposal.id)
            )
        ]
        return {"id": round_.id, "rows": rows, "stats": dict(round_.stats), "created_at": round_.created_at}


def _pairs(current: dict[str, Any]) -> dict[frozenset[str], tuple[float, bool]]:
    """{pair of names: (score, locked)}."""
    return {frozenset((r[1], r[2])): (r[3], r[5]) for r in current["rows"] if r[2] is not None}


def _unmatched(current: dict[str, Any]) -> dict[str, str]:
    return {r[1]: r[6] for r in current["rows"] if r[2] is None}


def _sides(current: dict[str, Any]) -> list[tuple[str, str]]:
    """Each proposed pair as (digital, context), in proposal order."""
    out = []
    for pair in _pairs(current):
        digital, context = sorted(pair, key=lambda name: MATCHING_PROFILES[name][0] != "digital")
        out.append((digital, context))
    return out


def _previews(stack: LocalStack, channel: str) -> list[dict]:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")]


def _expected_score(stack: LocalStack, a: str, b: str, reference) -> float:  # type: ignore[no-untyped-def]
    """What the domain scores a pair (default weights, no past pairs, no speed dating in these tests)."""
    with stack.session_factory() as s:
        people = {p.display_name: p for p in s.scalars(select(Participant).where(Participant.display_name.in_((a, b))))}
        low, high = sorted((people[a], people[b]), key=lambda p: p.id)
        scored = rules.score(
            rules.Candidate.from_participant(low), rules.Candidate.from_participant(high), reference=reference
        )
    assert scored is not None
    return round(scored.total, 2)


def _open_swap(stack: LocalStack, host, channel: str) -> dict:  # type: ignore[no-untyped-def]
    host.click(ID.MATCH_SWAP, message=_previews(stack, channel)[-1])
    view = host.open_views()[-1]
    assert view["callback_id"] == ID.MATCH_SWAP_MODAL
    return view


def test_a_host_swaps_two_people_between_pairs_then_reruns_and_approves(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    before = _current(stack)
    (d1, c1), (d2, c2) = _sides(before)[:2]
    untouched = {pair: v for pair, v in _pairs(before).items() if not pair & {c1, c2}}

    view = _open_swap(stack, hanna, channel)
    assert view["title"]["text"] == "Swap partners"
    delivery = hanna.submit(
        view["id"], {ID.MATCH_SWAP_PERSON.value: people[c1].id, ID.MATCH_SWAP_WITH.value: people[c2].id}
    )
    assert not delivery.body or "errors" not in delivery.body, delivery.body
    stack.settle()

    after = _current(stack)
    assert after["id"] == before["id"]  # the same preview, changed in place
    pairs = _pairs(after)
    # X takes Y's place and Y takes X's: (d1, c1), (d2, c2) -> (d1, c2), (d2, c1); both rescored and locked
    assert pairs[frozenset((d1, c2))] == (_expected_score(stack, d1, c2, after["created_at"]), True)
    assert pairs[frozenset((d2, c1))] == (_expected_score(stack, d2, c1, after["created_at"]), True)
    assert frozenset((d1, c1)) not in pairs and frozenset((d2, c2)) not in pairs
    assert {pair: v for pair, v in pairs.items() if not pair & {c1, c2}} == untouched
    # the stats follow the new scores
    scores = [score for score, _locked in pairs.values()]
    stats = after["stats"]
    assert (stats["pairs"], stats["unmatched"], stats["pool"]) == (3, 1, 7)
    assert stats["total"] == round(sum(scores), 1)
    assert (stats["median"], stats["min"], stats["max"]) == (
        round(statistics.median(scores), 1),
        round(min(scores), 1),
        round(max(scores), 1),
    )
    assert sum(stats["histogram"]) == 3 and len(stats["histogram"]) == len(before["stats"]["histogram"])

    # the updated preview is posted as a new message, saying who swapped whom
    previews = _previews(stack, channel)
    assert len(previews) == 2
    text = json.dumps(previews[-1], ensure_ascii=False)
    assert f"<@{hanna.id}> swapped *{c1}* and *{c2}*; both new pairs are locked." in text
    assert text.count(":lock: locked") == 2
    assert f"total score {stats['total']}" in text

    # running again keeps the swapped (locked) pairs; approving makes them real
    hanna.click(ID.MATCH_RERUN, message=previews[-1])
    stack.settle()
    rerun = _pairs(_current(stack))
    assert {frozenset((d1, c2)), frozenset((d2, c1))} <= set(rerun)
    hanna.click(ID.MATCH_APPROVE, message=_previews(stack, channel)[-1])
    stack.settle()
    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        made = {frozenset((names[p.participant_a_id], names[p.participant_b_id])) for p in s.scalars(select(Pair))}
    assert {frozenset((d1, c2)), frozenset((d2, c1))} <= made and len(made) == 3


def test_a_swap_that_breaks_a_hard_constraint_is_refused_and_changes_nothing(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    before = _current(stack)
    (d1, c1), (_d2, c2) = _sides(before)[:2]
    view = _open_swap(stack, hanna, channel)

    def swap(person: str, other: str) -> dict:
        answer = hanna.submit(view["id"], {ID.MATCH_SWAP_PERSON.value: person, ID.MATCH_SWAP_WITH.value: other}).json()
        assert answer["response_action"] == "errors"
        assert stack.sandbox.view_errors(view["id"]) == answer["errors"]
        return answer["errors"]

    # d1 taking c2's place would leave c1 with c2: two "context" people
    assert swap(people[d1].id, people[c2].id) == {
        ID.MATCH_SWAP_WITH: f"{c2} and {c1} can't be a pair: their roles don't complement each other."
    }
    assert swap(people[d1].id, people[c1].id) == {
        ID.MATCH_SWAP_WITH: "These two are already partners: pick someone from another pair."
    }
    assert swap(people[d1].id, people[d1].id) == {
        ID.MATCH_SWAP_WITH: "That's the same person twice: pick two different people."
    }
    assert swap(hanna.id, people[c2].id) == {
        ID.MATCH_SWAP_PERSON: "This person isn't in this preview: pick someone from a pair or from the unmatched list."
    }
    assert hanna.open_views(), "the modal stays open"
    stack.settle()
    # nothing changed but the count of swaps the rules refused (one: the roles), which every host is told
    after = _current(stack)
    assert after["stats"].pop("refused_swaps") == 1
    assert after == before
    assert len(_previews(stack, channel)) == 1
    told = [m["text"] for m in stack.sandbox.messages(channel) if "tried a swap" in m.get("text", "")]
    assert told == [
        f"<@{hanna.id}> tried a swap that the matching rules don't allow. Swaps refused in this preview so far: 1."
    ]

    # a past pair is refused too, in the host's language
    with stack.session_factory() as s:
        ids = {p.display_name: p.id for p in s.scalars(select(Participant))}
        program = s.scalars(select(Program)).one()
        s.add(
            Pair(
                program_id=program.id,
                participant_a_id=ids[d1],
                participant_b_id=ids[c2],
                status=PairStatus.ENDED,
                score=1.0,
                reasons=[],
                started_at=stack.clock.now(),
            )
        )
        s.commit()
    assert swap(people[c1].id, people[c2].id) == {
        ID.MATCH_SWAP_WITH: f"{c2} and {d1} can't be a pair: they have been a tandem before."
    }
    after = _current(stack)
    assert after["stats"].pop("refused_swaps") == 2
    assert after == before

    # an approved preview can no longer be changed
    hanna.click(ID.MATCH_APPROVE, message=_previews(stack, channel)[-1])
    stack.settle()
    assert swap(people[c1].id, people[c2].id) == {
        ID.MATCH_SWAP_PERSON: "This preview is no longer current; run matching again for a fresh one."
    }


def test_a_host_swaps_a_paired_person_with_an_unmatched_one(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    before = _current(stack)
    [left] = _unmatched(before)
    digital, context = next((d, c) for d, c in _sides(before) if MATCHING_PROFILES[left][0] != MATCHING_PROFILES[d][0])
    partner = digital if MATCHING_PROFILES[left][0] == "context" else context
    moved = context if partner == digital else digital

    view = _open_swap(stack, hanna, channel)
    delivery = hanna.submit(
        view["id"], {ID.MATCH_SWAP_PERSON.value: people[moved].id, ID.MATCH_SWAP_WITH.value: people[left].id}
    )
    assert not delivery.body or "errors" not in delivery.body, delivery.body
    stack.settle()

    after = _current(stack)
    assert _pairs(after)[frozenset((partner, left))] == (
        _expected_score(stack, partner, left, after["created_at"]),
        True,
    )
    assert _unmatched(after) == {moved: "swapped_out"}
    assert (after["stats"]["pairs"], after["stats"]["unmatched"]) == (3, 1)
    text = json.dumps(_previews(stack, channel)[-1], ensure_ascii=False)
    assert f"{moved}: moved out by a host" in text
    assert f"swapped *{moved}* and *{left}*" in text

    hanna.click(ID.MATCH_APPROVE, message=_previews(stack, channel)[-1])
    stack.settle()
    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        made = {frozenset((names[p.participant_a_id], names[p.participant_b_id])) for p in s.scalars(select(Pair))}
        waiting = s.scalars(select(Participant).where(Participant.display_name == moved)).one().waitlisted_at
    assert frozenset((partner, left)) in made and all(moved not in pair for pair in made)
    assert waiting is not None  # first in line next round


def test_only_hosts_can_swap(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    otto = persona(stack, "Otto")
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna, otto)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    before = _current(stack)
    (_d1, c1), (_d2, c2) = _sides(before)[:2]

    mallory.open_home()
    stack.settle()
    mallory.click(ID.MATCH_SWAP, message=_previews(stack, channel)[-1])
    assert not mallory.open_views()
    assert "only program hosts" in json.dumps(mallory.ephemeral_messages()[-1])

    # a host who opened the modal and has left the admin channel since is refused on submit
    view = _open_swap(stack, otto, channel)
    with stack.sandbox.lock:
        stack.sandbox._convs[channel]["members"].remove(otto.id)
    stack.sandbox.invite(channel, stack.sandbox.bot_user_id)  # any membership event refreshes the cache
    answer = otto.submit(
        view["id"], {ID.MATCH_SWAP_PERSON.value: people[c1].id, ID.MATCH_SWAP_WITH.value: people[c2].id}
    ).json()
    assert answer["response_action"] == "errors"
    assert "only program hosts" in answer["errors"][ID.MATCH_SWAP_PERSON]
    stack.settle()
    assert _current(stack) == before
    assert len(_previews(stack, channel)) == 1


# -- the Match button on a program card ------------------------------------------------------------------------
def test_the_match_button_on_a_program_card_posts_a_preview(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    card = stack.sandbox.messages(channel)[-1]
    assert "set up *Pilot 2027*" in card["text"]
    onboard_profiles(stack)

    mallory.open_home()
    stack.settle()
    mallory.click(ID.MATCH_RUN, message=card)
    stack.settle()
    assert "only program hosts" in json.dumps(mallory.ephemeral_messages()[-1])
    assert _previews(stack, channel) == []

    hanna.click(ID.MATCH_RUN, message=card)
    stack.settle()
    previews = _previews(stack, channel)
    assert len(previews) == 1
    assert "*3 pairs* from 7 people" in json.dumps(previews[0], ensure_ascii=False)
    with stack.session_factory() as s:
        round_ = s.scalars(select(MatchRound)).one()
        assert (round_.status, round_.created_by) == (RoundStatus.PREVIEW, hanna.id)

    # the cards of `/tandem admin programs` (shown only to the host) have it too
    hanna.slash("admin programs", channel_id=channel)
    hanna.click(ID.MATCH_RUN, message=hanna.ephemeral_messages()[-1])
    stack.settle()
    assert len(_previews(stack, channel)) == 2
    with stack.session_factory() as s:
        assert [r.status for r in s.scalars(select(MatchRound).order_by(MatchRound.id))] == [
            RoundStatus.DISCARDED,
            RoundStatus.PREVIEW,
        ]

    # a paused program's card has no Match button, and an old card's button says why nothing happens
    hanna.click(ID.PROGRAM_PAUSE, message=card)
    stack.settle()
    paused_card = stack.sandbox.messages(channel)[-1]
    assert "paused *Pilot 2027*" in paused_card["text"]
    assert ID.MATCH_RUN.value not in json.dumps(paused_card)
    hanna.click(ID.MATCH_RUN, message=card)
    assert "*Pilot 2027* isn't active" in json.dumps(hanna.ephemeral_messages()[-1])
    assert len(_previews(stack, channel)) == 2
