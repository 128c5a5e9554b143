"""The kick-off kit in the database (rules in ``bot.domain.kickoff``): right after a new pair is introduced and its
working agreement offered, each partner gets the kit for their side by DM, in their language, at their next working
moment (now, or their next working morning); one kit per person and program, so a rematch sends none. "Got it" is
recorded on the person's kit row and shown to nobody else. New cohorts of a topic path see up to three learning
cards published in the path's earlier cohorts (the author's name only where the card carries it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import kickoff as blocks
from bot.domain import kickoff as rules
from bot.domain import worktime
from bot.models import KickoffKit, LearningCard, Pair, Participant, Program
from bot.services import cards, cohorts, outbox

KEY = "kickoff:"  # + kit id: the kit's DM (sent once)


def earlier_cards(session: Session, program: Program) -> list[rules.EarlierCard]:
    """Up to three published learning cards of the earlier cohorts of the program's topic path, newest first."""
    path = cohorts.cohorts(session, program)
    earlier = path[: path.index(program)] if program in path else []
    found: list[tuple[LearningCard, Participant, Program]] = []
    for cohort in earlier:
        found += [(card, author, cohort) for card, author in cards.published_cards(session, cohort, library=True)]
    found.sort(key=lambda row: (row[0].published_at, row[0].id))
    return [
        rules.EarlierCard(
            title=card.title,
            text=card.text,
            program=cohort.name,
            author=author.display_name if card.show_name and author.display_name else None,
        )
        for card, author, cohort in rules.earlier(found)
    ]


def message(session: Session, kit: KickoffKit, *, program: Program, partner: str) -> dict[str, Any]:
    """The kit's DM as it is now (marked lessons quiet)."""
    return blocks.kit_message(
        kit.locale,
        kit_id=kit.id,
        side=kit.side,
        partner=partner,
        program=program.name,
        custom=program.kickoff_texts,
        read=[str(x) for x in kit.read or []],
        cards=earlier_cards(session, program),
        circle=blocks.kit_circle(
            kit.locale, mode=program.peer_circle, side=kit.side, program=program.name, channel=program.peer_channel_id
        ),
    )


def send(session: Session, *, program: Program, pairs: Sequence[Pair], now: datetime) -> int:
    """Queue each new pair's partners their kit, in their working time. Someone who already got the program's kit
    (a rematch) gets none. Does not commit. Returns how many kits it queued."""
    sent = 0
    for pair in pairs:
        a = session.get(Participant, pair.participant_a_id)
        b = session.get(Participant, pair.participant_b_id)
        if a is None or b is None:
            continue
        for person, partner, side in zip((a, b), (b, a), rules.sides(a.role, b.role), strict=True):
            had = session.scalar(
                select(KickoffKit.id).where(KickoffKit.program_id == program.id, KickoffKit.participant_id == person.id)
            )
            if had is not None:
                continue
            kit = KickoffKit(
                program_id=program.id,
                participant_id=person.id,
                pair_id=pair.id,
                side=side,
                locale=person.locale,
                sent_at=now,
                read=[],
            )
            session.add(kit)
            session.flush()
            outbox.post(
                session,
                workspace_id=program.workspace_id,
                channel=person.slack_user_id,
                message=message(session, kit, program=program, partner=partner.display_name),
                now=now,
                about=outbox.About.of(pair=pair, people=[person]),
                dedupe_key=f"{KEY}{kit.id}",
                not_before=worktime.of(person, program).next_working(now),
            )
            sent += 1
    return sent


def own_kit(session: Session, *, kit_id: int) -> tuple[KickoffKit, Program, str] | None:
    """A kit with its program and the partner's name (None: no such kit, e.g. its person was forgotten)."""
    kit = session.get(KickoffKit, kit_id)
    if kit is None:
        return None
    program = session.get(Program, kit.program_id)
    if program is None:
        return None
    partner = ""
    pair = session.get(Pair, kit.pair_id) if kit.pair_id else None
    if pair is not None:
        other = pair.participant_b_id if pair.participant_a_id == kit.participant_id else pair.participant_a_id
        person = session.get(Participant, other)
        partner = person.display_name if person is not None else ""
    return kit, program, partner


def mark_read(kit: KickoffKit, lesson: str) -> None:
    """Record "Got it" for ``lesson`` (again: nothing changes). Does not commit."""
    kit.read = rules.read_after(kit.read, lesson)


def save_texts(program: Program, texts: dict[str, dict[str, str]], *, now: datetime) -> bool:
    """Store the hosts' own lesson texts (empty: the defaults). Returns whether any own text is kept."""
    program.kickoff_texts = texts or None
    program.updated_at = now
    return bool(texts)
