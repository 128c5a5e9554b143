"""Attacker: a host probing the matching preview for people's private preferences (issue 16, item 3).

A please-not (Cara asked not to be paired with Dan), a "no" in speed dating (Dora said no to Cole), a reporting line
(the org chart says Drew reports to Cyd, through a team lead who is not in the program) and a mutual "yes" (Dora and
Cyd) are seeded. The host tries every swap of the preview, one by one. Every refusal for a private reason must read
exactly the same apart from the two names, wherever it lands; nothing the hosts see (the admin channel, their
ephemeral messages, their modals and the errors on them) may say why two named people can't be paired nor who
asked; the preview shows only counts; and the probing is not silent: every refusal is told to all hosts. Then the
please-not moves to the other side (Dan asked, not Cara) and the whole probe must read byte for byte the same.
Finally the matching itself: nobody is ever paired against these rules, a manager not with their skip-level
report either."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from bot.ids import ID
from bot.models import Pair, Participant, Program, ReportingLine, SpeedIntro, SpeedRound, SpeedStatus, Workspace
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, onboard, persona

# everyone fits everyone on the other side (same zone, async); Dan, Dora, Drew bring digital skills
PEOPLE = {
    name: (role, "en-GB", "Europe/Berlin", name, dept, teach, learn, ["trust"])
    for name, role, dept, teach, learn in (
        ("Dan", "digital", "Social", ["short video"], ["budgeting"]),
        ("Dora", "digital", "Content", ["podcasts"], ["governance"]),
        ("Drew", "digital", "Design", ["no-code"], ["contracts"]),
        ("Cara", "context", "Finance", ["budgeting"], ["short video"]),
        ("Cole", "context", "Risk", ["governance"], ["podcasts"]),
        ("Cyd", "context", "Legal", ["contracts"], ["no-code"]),
    )
}
# words that would say why, or who asked: never next to a name the hosts see
WHY = re.compile(
    r"asked|please not|bitte nicht|speed|said (no|yes)|nein|ja gesagt|reporting|berichtslinie|manager|führungskraft"
    r"|org chart|organigramm|avoid|not_interested|reporting_line",
    re.IGNORECASE,
)


def _seed(stack: LocalStack, people: dict[str, Persona], *, asker: str) -> None:
    """The private preferences: ``asker`` ("Cara" or "Dan") asked not to be paired with the other; Dora said no to
    Cole in speed dating and yes to Cyd (who said yes too); the org chart puts Drew under a team lead under Cyd."""
    other = {"Cara": "Dan", "Dan": "Cara"}[asker]
    now = stack.clock.now()
    with stack.session_factory() as s:
        ids = {p.display_name: p for p in s.scalars(select(Participant))}
        for p in ids.values():
            p.avoid = []
        ids[asker].avoid = [people[other].id]
        program = s.scalars(select(Program)).one()
        if s.scalars(select(SpeedRound)).first() is None:
            round_ = SpeedRound(
                program_id=program.id, status=SpeedStatus.CLOSED, created_at=now, closes_at=now, closed_at=now
            )
            s.add(round_)
            s.flush()
            for viewer, candidate, answer in (("Dora", "Cole", "no"), ("Dora", "Cyd", "yes"), ("Cyd", "Dora", "yes")):
                s.add(
                    SpeedIntro(
                        round_id=round_.id,
                        participant_id=ids[viewer].id,
                        candidate_id=ids[candidate].id,
                        answer=answer,
                        answered_at=now,
                    )
                )
            workspace = s.scalars(select(Workspace)).one()
            lead = stack.sandbox.add_user("lee", real_name="Lee Lead")  # not in the program
            for person, manager in ((people["Drew"].id, lead), (lead, people["Cyd"].id)):
                s.add(
                    ReportingLine(
                        workspace_id=workspace.id,
                        person_slack_id=person,
                        manager_slack_id=manager,
                        source="orgchart",
                        created_at=now,
                    )
                )
        s.commit()


def _preview(stack: LocalStack, channel: str) -> dict[str, Any]:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]


def _pairs(stack: LocalStack) -> set[frozenset[str]]:
    """The current preview's pairs, by name."""
    from bot.models import MatchProposal, MatchRound

    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        round_ = s.scalars(select(MatchRound).order_by(MatchRound.id.desc())).first()
        assert round_ is not None
        return {
            frozenset((names[m.participant_a_id], names[m.participant_b_id]))
            for m in s.scalars(select(MatchProposal).where(MatchProposal.round_id == round_.id))
            if m.participant_b_id is not None
        }


def _probe(stack: LocalStack, host: Persona, channel: str, people: dict[str, Persona]) -> list[tuple[str, str, Any]]:
    """Every swap of two people, in a fixed order; an allowed one is swapped back at once, so every try meets the
    same preview. Returns (person, other, what the modal said: its errors, or "swapped")."""
    host.click(ID.MATCH_SWAP, message=_preview(stack, channel))
    view = host.open_views()[-1]
    names = sorted(people)
    transcript = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            values = {ID.MATCH_SWAP_PERSON.value: people[a].id, ID.MATCH_SWAP_WITH.value: people[b].id}
            answer = host.submit(view["id"], values).json() or {}
            stack.settle()
            if answer.get("response_action") == "errors":
                transcript.append((a, b, answer["errors"]))
                continue
            transcript.append((a, b, "swapped"))
            host.click(ID.MATCH_SWAP, message=_preview(stack, channel))
            view = host.open_views()[-1]
            back = host.submit(view["id"], values).json() or {}
            assert back.get("response_action") != "errors", back
            stack.settle()
            host.click(ID.MATCH_SWAP, message=_preview(stack, channel))
            view = host.open_views()[-1]
    return transcript


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def _hosts_see(stack: LocalStack, host: Persona, channel: str, errors: list[Any]) -> list[str]:
    """Every sentence the hosts can see: admin-channel messages, the host's ephemeral messages, modals and the
    errors shown on them."""
    seen: list[Any] = [*stack.sandbox.messages(channel), *host.ephemeral_messages(), *errors]
    seen += [c["args"].get("view") for c in stack.sandbox.calls if c["method"] in ("views.open", "views.update")]
    return [part for text in _strings(seen) for part in re.split(r"(?<=[.!?:;])\s+|\n|·", text)]


def test_a_host_trying_every_swap_learns_neither_why_nor_who_asked(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    jonas = persona(stack, "Jonas")
    channel = admin_channel(stack, hanna, jonas)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    _seed(stack, people, asker="Cara")
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    before = _pairs(stack)
    forbidden = {frozenset(p) for p in (("Cara", "Dan"), ("Dora", "Cole"), ("Drew", "Cyd"))}
    assert not before & forbidden

    preview = json.dumps(_preview(stack, channel), ensure_ascii=False)
    # counts only: 6 pairs by roles, 3 for private reasons (please-not, the "no", Drew's skip-level manager)
    assert "rule out 9 of the 15 possible pairs in this pool: 6 by roles or working hours, 0 who were a tandem " in (
        preview
    )
    assert ", 3 for private reasons" in preview
    assert "yes in speed dating" not in preview  # the mutual yes is not shown to hosts either

    transcript = _probe(stack, hanna, channel, people)
    assert _pairs(stack) == before
    # refused by a matching rule ("already partners" is no rule, just a wrong pick)
    refusals = [(a, b, e) for a, b, e in transcript if e != "swapped" and "can't be" in next(iter(e.values()))]
    private = []
    for _a, _b, errors in refusals:
        [text] = errors.values()
        if "roles don't complement" in text:
            continue
        private.append(text)
        # the neutral wording, the same for every private reason: only the two names differ
        shape = re.sub(r"^(\w+) and (\w+) ", "X and Y ", text)
        assert (
            shape
            == "X and Y can't be paired: a matching rule keeps them apart, and Tandem doesn't say which one or why."
        )
    # each seeded pair was hit by some swap, and every one of them read alike
    hit = {frozenset(re.match(r"^(\w+) and (\w+) ", t).groups()) for t in private}  # type: ignore[union-attr]
    assert forbidden <= hit

    # nothing the hosts see names why, next to anyone's name
    for sentence in _hosts_see(stack, hanna, channel, [e for _a, _b, e in transcript]):
        if any(name in sentence for name in PEOPLE):
            assert not WHY.search(sentence), sentence

    # not silent: every refusal by the rules is told to all hosts, and the preview keeps count
    told = [m["text"] for m in stack.sandbox.messages(channel) if "tried a swap" in m.get("text", "")]
    assert len(told) == len(refusals) and all(f"<@{hanna.id}>" in t for t in told)
    assert f"Swaps refused in this preview so far: {len(refusals)}." in told[-1]
    latest = _preview(stack, channel)
    lock = next(
        b["accessory"] for b in latest["blocks"] if (b.get("accessory") or {}).get("action_id") == ID.MATCH_LOCK
    )
    hanna.click(ID.MATCH_LOCK, message=latest, value=lock["value"])  # the preview is shown again, as it stands
    shown = json.dumps(stack.sandbox.find_message(latest["ts"], channel), ensure_ascii=False)
    assert f"Swaps the matching rules refused in this preview: {len(refusals)}." in shown

    # who asked makes no difference at all: Dan asks instead of Cara, and the whole probe reads the same
    _seed(stack, people, asker="Dan")
    assert _probe(stack, hanna, channel, people) == transcript


def test_matching_never_pairs_across_the_private_rules_nor_a_manager_with_a_skip_level_report(
    stack: LocalStack,
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    _seed(stack, people, asker="Dan")
    # the only pairing that respects every rule: Dan x Cole, Dora x Cyd, Drew x Cara
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    hanna.click(ID.MATCH_APPROVE, message=_preview(stack, channel))
    stack.settle()
    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        made = {frozenset((names[p.participant_a_id], names[p.participant_b_id])) for p in s.scalars(select(Pair))}
    assert made == {frozenset(("Dan", "Cole")), frozenset(("Dora", "Cyd")), frozenset(("Drew", "Cara"))}
    # the pair told why: their own mutual yes is theirs to know
    intro = [m for m in stack.sandbox.calls_to("chat.postMessage") if "You are a tandem" in json.dumps(m["args"])]
    assert any("you both said yes in speed dating" in json.dumps(m["args"]) for m in intro)


def test_a_lock_does_not_outlive_a_please_not_added_after_it(stack: LocalStack) -> None:
    """A host locks a pair; one of the two then says "please not" in their profile. Running matching again must not
    keep the pair, and nothing says why it was let go."""
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = _preview(stack, channel)
    lock = next(
        b["accessory"] for b in preview["blocks"] if (b.get("accessory") or {}).get("action_id") == "match.lock"
    )
    hanna.click(ID.MATCH_LOCK, message=preview, value=lock["value"])
    from bot.models import MatchProposal

    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        row = s.scalars(select(MatchProposal).where(MatchProposal.locked.is_(True))).one()
        locked = frozenset((names[row.participant_a_id], names[row.participant_b_id]))
    first, second = sorted(locked)
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.display_name == first)).one()
        me.avoid = [people[second].id]
        s.commit()
    hanna.click(ID.MATCH_RERUN, message=_preview(stack, channel))
    stack.settle()
    assert locked not in _pairs(stack)
    assert ":lock:" not in json.dumps(_preview(stack, channel), ensure_ascii=False)


def test_a_please_not_added_after_the_preview_holds_at_approval(stack: LocalStack) -> None:
    """Someone adds a "please not" for the partner the preview proposed, and a host approves that same preview: the
    pair is not made, both wait first in line for the next round (told as anyone unmatched is), and the hosts get a
    count, never who or why."""
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, PEOPLE)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    previewed = _pairs(stack)
    first, second = sorted(next(iter(sorted(previewed, key=sorted))))
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.display_name == first)).one()
        me.avoid = [people[second].id]
        s.commit()
    hanna.click(ID.MATCH_APPROVE, message=_preview(stack, channel))
    stack.settle()
    with stack.session_factory() as s:
        names = {p.id: p.display_name for p in s.scalars(select(Participant))}
        made = {frozenset((names[p.participant_a_id], names[p.participant_b_id])) for p in s.scalars(select(Pair))}
        waiting = {p.display_name for p in s.scalars(select(Participant).where(Participant.waitlisted_at.is_not(None)))}
    assert made == previewed - {frozenset((first, second))}
    assert {first, second} <= waiting
    approved = [m for m in stack.sandbox.messages(channel) if "approved" in m.get("text", "")][-1]
    text = json.dumps(approved, ensure_ascii=False)
    assert f"approved {len(made)} pairs" in text and "1 previewed pair was not made" in text
    assert first not in text and second not in text and not WHY.search(text)
