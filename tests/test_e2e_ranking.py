"""Say in the matching, end to end: participants rank their speed-dating candidates, matching honours a mutual
ranking, hosts never see a ranking (neither who ranked whom nor its points; the pair reads "both ranked each other" in
its introduction); hosts tune the program's weights in a modal, where bad input keeps the modal open and stores
nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import matching as blocks_matching
from bot.domain import matching as rules
from bot.ids import ID
from bot.models import MatchProposal, Pair, Participant, Program, SpeedIntro
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import matching as matching_service
from tests.helpers import (
    START,
    admin_channel,
    create_program,
    matching_preview,
    onboard_profiles,
    pair_group_dm,
    persona,
)


def _card(stack: LocalStack, who: Persona) -> dict[str, Any]:
    return [
        m
        for m in who.dm_messages()
        if m.get("user") == stack.sandbox.bot_user_id
        and any(el["action_id"] == ID.SPEED_YES for _, el in iter_action_elements(m.get("blocks", [])))
    ][-1]


def _rank_buttons(card: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Candidate name -> {rank action_id: intro id}."""
    out: dict[str, dict[str, str]] = {}
    name = None
    for block in card["blocks"]:
        if block["type"] == "section" and block["text"]["text"].startswith("*"):
            name = block["text"]["text"].split("*")[1]
        if block["type"] == "actions" and name:
            out[name] = {el["action_id"]: el["value"] for _, el in iter_action_elements([block])}
    return out


def test_a_mutual_ranking_pairs_two_and_hosts_never_see_a_ranking(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard_profiles(stack)
    hanna.slash("admin speed", channel_id=channel)
    closes_on = (START + timedelta(days=2)).date().isoformat()
    hanna.submit(hanna.open_views()[-1]["id"], {ID.SPEED_CLOSES_ON.value: closes_on})
    stack.advance(timedelta(hours=7))  # the cards reach everyone in their daytime

    ana, jorg = people["Ana"], people["Jorg"]
    ana_ranks, jorg_ranks = _rank_buttons(_card(stack, ana)), _rank_buttons(_card(stack, jorg))
    ana.click(ID.SPEED_RANK_1, message=_card(stack, ana), value=ana_ranks["Jorg"][ID.SPEED_RANK_1])
    jorg.click(ID.SPEED_RANK_1, message=_card(stack, jorg), value=jorg_ranks["Ana"][ID.SPEED_RANK_1])
    assert "✓ " in json.dumps(_card(stack, ana), ensure_ascii=False)  # the card shows the rank in place
    # someone else's rank button changes nothing
    people["Kenji"].click(
        ID.SPEED_RANK_1, message=_card(stack, people["Kenji"]), value=ana_ranks["Jorg"][ID.SPEED_RANK_1]
    )
    assert "belongs to someone else" in json.dumps(people["Kenji"].ephemeral_messages()[-1])
    # one-sided: someone ranks their first candidate, who does not rank them back
    lena_ranks = _rank_buttons(_card(stack, people["Lena"]))
    wanted = next(name for name in lena_ranks if name not in ("Ana", "Jorg"))
    people["Lena"].click(
        ID.SPEED_RANK_1, message=_card(stack, people["Lena"]), value=lena_ranks[wanted][ID.SPEED_RANK_1]
    )
    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        ranked = {
            (names[i.participant_id], names[i.candidate_id]): i.rank
            for i in s.scalars(select(SpeedIntro).where(SpeedIntro.rank.is_not(None)))
        }
    assert ranked == {("Ana", "Jorg"): 1, ("Jorg", "Ana"): 1, ("Lena", wanted): 1}

    stack.advance(timedelta(days=3))  # the round closes; its message to hosts has counts, no rankings
    closed = next(m for m in reversed(stack.sandbox.messages(channel)) if "has closed" in m.get("text", ""))
    assert "rank" not in json.dumps(closed).lower()
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = json.dumps(matching_preview(stack, channel), ensure_ascii=False)
    assert "*Ana* × *Jorg*" in preview or "*Jorg* × *Ana*" in preview
    # hosts see no ranking: neither a mutual one nor a one-sided one
    assert "ranked each other" not in preview and "ranked the other" not in preview and "ranked_" not in preview

    # The host probing the preview: every score hosts see is the score without the rankings' points, so a pair's
    # number says nothing about whether one of the two, or both, ranked the other.
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        proposals = [m for m in s.scalars(select(MatchProposal)) if m.participant_b_id is not None]
        round_ = matching_service.latest(s, program=program)
        assert round_ is not None
        context = matching_service.round_context(s, program=program, reference=round_.created_at)
        blind = matching_service.RoundContext(context.weights, context.past_pairs, context.interest, context.reference)
        people_by_id = {p.id: p for p in s.scalars(select(Participant))}
        for m in proposals:
            a, b = (rules.Candidate.from_participant(people_by_id[x]) for x in (m.participant_a_id, m.participant_b_id))
            scored = blind.score(a, b)
            assert scored is not None
            without_ranks = scored.total - sum(r.points for r in scored.reasons if r.key == "mutual_interest")
            assert matching_service.shown_score(m.score, m.reasons) == pytest.approx(without_ranks)
            assert f"{matching_service.shown_score(m.score, m.reasons):g}" in preview.replace(",", "")
        one_sided = [m for m in proposals if any(r["key"] == "ranked_one" for r in m.reasons)]
    assert one_sided  # Lena and the one she ranked are paired here: the probe above covered a one-sided ranking

    # Approved: the pair's own row (its introduction, the partners' data exports) holds no trace of it either.
    hanna.click(ID.MATCH_APPROVE, message=matching_preview(stack, channel))
    stack.settle()
    with stack.session_factory() as s:
        pairs = list(s.scalars(select(Pair)))
        assert pairs and not any(r["key"] == "ranked_one" for p in pairs for r in p.reasons)
        assert any(r["key"] == "ranked_both" for p in pairs for r in p.reasons)
        proposal = one_sided[0]
        pair = next(
            p
            for p in pairs
            if {p.participant_a_id, p.participant_b_id} == {proposal.participant_a_id, proposal.participant_b_id}
        )
        unspoken = sum(float(r["points"]) for r in proposal.reasons if r["key"] == "ranked_one")
        assert unspoken > 0 and pair.score == pytest.approx(proposal.score - unspoken)
    # the two who ranked each other read it in their introduction (the group DM Tandem opens for the pair)
    intro = json.dumps(stack.sandbox.messages(pair_group_dm(stack, people["Ana"], people["Jorg"])), ensure_ascii=False)
    assert "ranked each other" in intro or "gegenseitig gewählt" in intro


@pytest.mark.sqlite_only
def test_hosts_tune_the_weights_in_a_modal_and_bad_input_stores_nothing(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    onboard_profiles(stack)
    card = next(
        m
        for m in reversed(stack.sandbox.messages(channel))
        if any(el["action_id"] == ID.MATCH_WEIGHTS for _, el in iter_action_elements(m.get("blocks", [])))
    )
    mallory.click(ID.MATCH_WEIGHTS, message=card)
    assert mallory.open_views() == []
    hanna.click(ID.MATCH_WEIGHTS, message=card)
    view = hanna.open_views()[-1]
    assert view["callback_id"] == ID.MATCH_WEIGHTS_MODAL
    topics = next(b for b in view["blocks"] if b.get("block_id") == ID.MATCH_W_TOPICS)
    assert topics["element"]["initial_value"] == "3.0" and "Default: 3" in topics["hint"]["text"]
    # what speed dating adds is not the hosts' to tune (else the pairs would show who said yes to or ranked whom)
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == len(rules.HOST_WEIGHTS) == 11
    assert not any(b.get("block_id") == ID.MATCH_W_RANKED_ONE for b in view["blocks"])
    assert "Fixed, not set here: what speed dating adds" in json.dumps(view)

    bad = hanna.submit(view["id"], {ID.MATCH_W_TOPICS.value: "5", ID.MATCH_W_FAIRNESS_MARGIN.value: "abc"}).json()
    assert bad["response_action"] == "errors" and ID.MATCH_W_FAIRNESS_MARGIN.value in bad["errors"]
    with stack.session_factory() as s:
        assert s.scalars(select(Program)).one().matching_weights == {}

    # every weight a host may tune at 0, and the private ones typed in anyway: none of those is kept, and overrides
    # stored before this rule (or written into the row) count for nothing
    zeros = {name.value: "0" for name in blocks_matching.WEIGHT_FIELDS.values()}
    assert not hanna.submit(view["id"], zeros).body
    typed = {name: "0" for name in rules.HOST_WEIGHTS} | {"ranked_one": "10", "interest_yes": "10"}
    overrides, errors = rules.parse_weights(typed)
    assert errors == {} and overrides is not None and not set(overrides) & rules.PRIVATE_WEIGHTS
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        assert program.matching_weights["topics"] == 0 and not set(program.matching_weights) & rules.PRIVATE_WEIGHTS
        tuned = rules.Weights.from_overrides({**program.matching_weights, "ranked_one": 10, "interest_yes": 10})
        assert (tuned.ranked_one, tuned.interest_yes, tuned.topics) == (rules.Weights().ranked_one, 5.0, 0.0)

    assert not hanna.submit(view["id"], {ID.MATCH_W_TOPICS.value: "5", ID.MATCH_W_FAIRNESS_MARGIN.value: "2,5"}).body
    with stack.session_factory() as s:
        assert s.scalars(select(Program)).one().matching_weights == {"topics": 5.0, "fairness_margin": 2.5}
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = json.dumps(matching_preview(stack, channel), ensure_ascii=False)
    assert "the program's own weights: Topics to learn, Fairness margin (%)" in preview
    assert "Fairness floor" in preview and "weakest" in preview
