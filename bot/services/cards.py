"""Learning cards in the database (rules in ``bot.domain.cards``): a participant saves a draft and gets its preview
by DM; only their *Publish* posts it to the program's community channel; a draft can be edited or deleted, a
published card stays as the community saw it. Hosts get the program's published cards and their count.

Every Slack message goes through the outbox in the transaction that caused it. The preview is one message per card
that is kept up to date (edited, published, deleted) with ``chat.update``, or rewritten while it still waits in the
outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from bot.blocks import cards as blocks
from bot.domain import cards as rules
from bot.models import LearningCard, OutboxMessage, OutboxStatus, Pair, PairStatus, Participant, Program
from bot.services import matching, outbox

PREVIEW_KEY = "card:preview:"  # + card id + ":" + n: the preview in the author's DM (n counts previews of that id)
POST_KEY = "card:post:"  # + card id + ":" + created_at: the card in the community channel (posted once)
DELETE_KEY = "card:delete:"  # + card id: its post taken out of the community channel (forget-me)


# -- who writes for which program -------------------------------------------------------------------------
def programs_for(session: Session, participant: Participant | None) -> list[Program]:
    """The programs the person is or was in a pair of: those of active pairs first, then past ones."""
    if participant is None:
        return []
    pairs = matching.pairs_of(session, participant=participant, active_only=False)
    return programs_of_pairs(pairs, lambda program_id: session.get(Program, program_id))


def programs_of_pairs(pairs: Sequence[Pair], program: Callable[[int], Program | None]) -> list[Program]:
    """:func:`programs_for` from all the person's pairs (``matching.pairs_of``, past ones too) and where a program is
    found by id."""
    ordered = [p for p in pairs if p.status == PairStatus.ACTIVE] + [p for p in pairs if p.status != PairStatus.ACTIVE]
    out: list[Program] = []
    for pair in ordered:
        found = program(pair.program_id)
        if found is not None and found not in out:
            out.append(found)
    return out


def own_card(session: Session, *, card_id: int | None) -> tuple[LearningCard, Program, Participant] | None:
    """A card with its program and author (None: no such card, e.g. a deleted draft)."""
    card = session.get(LearningCard, card_id) if card_id else None
    if card is None:
        return None
    program = session.get(Program, card.program_id)
    author = session.get(Participant, card.participant_id)
    assert program is not None and author is not None
    return card, program, author


# -- the preview in the author's DM ---------------------------------------------------------------------------
def _preview_rows(session: Session, card: LearningCard) -> list[OutboxMessage]:
    """This card's preview messages, newest first (an id a deleted draft had may come back on SQLite, so the key
    carries a counter)."""
    prefix = f"{PREVIEW_KEY}{card.id}:"
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix)).order_by(OutboxMessage.id.desc())
        )
    )


def _show(
    session: Session, card: LearningCard, author: Participant, message: dict[str, Any], *, now: datetime, new: bool
) -> None:
    """Show ``message`` as the card's preview: update the sent one, rewrite a queued one, or post it (always for a
    ``new`` card: the newest preview of a card id is then always the current card's)."""
    rows = [] if new else _preview_rows(session, card)
    latest = rows[0] if rows else None
    if latest is not None:
        if latest.result and latest.result.get("ts"):
            outbox.enqueue(
                session,
                workspace_id=author.workspace_id,
                method="chat.update",
                payload={"channel": latest.result.get("channel"), "ts": latest.result["ts"], **message},
                now=now,
                about=outbox.About.of(program_id=card.program_id, people=[author]),
            )
            return
        if latest.status == OutboxStatus.PENDING:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == latest.id, OutboxMessage.status == OutboxStatus.PENDING)
                .values(payload={"channel": latest.payload.get("channel"), **message})
            )
            return
    outbox.post(
        session,
        workspace_id=author.workspace_id,
        channel=author.slack_user_id,
        message=message,
        now=now,
        about=outbox.About.of(program_id=card.program_id, people=[author]),
        dedupe_key=f"{PREVIEW_KEY}{card.id}:{len(_preview_rows(session, card)) + 1}",
    )


def refresh_preview(
    session: Session, card: LearningCard, *, author: Participant, program: Program, now: datetime, new: bool = False
) -> None:
    """Show the card's preview as the card is now (a draft with its buttons, or published): a new message for a
    ``new`` card, else the one sent before, updated. Does not commit."""
    message = blocks.preview(author.locale, card, name=author.display_name, program=program)
    _show(session, card, author, message, now=now, new=new)


# -- the author's acts ----------------------------------------------------------------------------------------
def save_draft(
    session: Session,
    *,
    author: Participant,
    program: Program,
    form: rules.Form,
    now: datetime,
    card: LearningCard | None = None,
) -> LearningCard:
    """A new draft (or ``card``, a draft, changed) and its preview in the author's DM. Nothing goes anywhere
    else. Does not commit; the caller checked ``bot.domain.cards.refusal`` for an existing card."""
    new = card is None
    if card is None:
        card = LearningCard(program_id=program.id, participant_id=author.id, created_at=now, show_name=True)
        session.add(card)
    assert card.published_at is None
    card.title, card.text, card.show_name = form.title, form.text, form.show_name
    card.updated_at = now
    session.flush()
    refresh_preview(session, card, author=author, program=program, now=now, new=new)
    return card


def take_down(session: Session, *, participant_id: int, now: datetime) -> int:
    """Forget-me: each of the person's published cards taken out of the community channel (``chat.delete`` of the
    post, found by Slack's answer to it, which forget-me keeps); a post not sent yet was deleted with the person's
    other pending calls and never goes. The chat.delete names nobody. Does not commit. Returns how many."""
    mine = LearningCard.participant_id == participant_id
    cards = session.scalars(select(LearningCard).where(mine, LearningCard.published_at.is_not(None))).all()
    keys = {f"{POST_KEY}{c.id}:{c.created_at.isoformat()}": c for c in cards}
    taken = 0
    for post in session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(list(keys)))):
        result = post.result or {}
        channel, ts = result.get("channel"), result.get("ts")
        if post.status != OutboxStatus.SENT or not isinstance(channel, str) or not isinstance(ts, str):
            continue
        card = keys[str(post.dedupe_key)]
        outbox.enqueue(
            session,
            workspace_id=post.workspace_id,
            method="chat.delete",
            payload={"channel": channel, "ts": ts},
            now=now,
            about=outbox.About.of(program=card.program_id),
            dedupe_key=f"{DELETE_KEY}{card.id}",
        )
        taken += 1
    return taken


def publish(session: Session, card: LearningCard, *, author: Participant, program: Program, now: datetime) -> None:
    """Post the card to the program's community channel (the caller checked the author's right and that Tandem is
    in the channel) in the program's language, and turn the preview into "published". Does not commit."""
    channel = program.community_channel_id
    assert channel and card.published_at is None
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=channel,
        message=blocks.community_post(program.default_locale, card, name=author.display_name, program=program.name),
        now=now,
        about=outbox.About.of(program=program, people=[author]),
        dedupe_key=f"{POST_KEY}{card.id}:{card.created_at.isoformat()}",
    )
    card.published_at = now
    card.in_library = True  # the confirmation the author pressed names the library
    card.channel_id = channel
    card.updated_at = now
    refresh_preview(session, card, author=author, program=program, now=now)


def delete_draft(session: Session, card: LearningCard, *, author: Participant, now: datetime) -> None:
    """Delete a draft; its preview says so. Does not commit."""
    assert card.published_at is None
    _show(session, card, author, blocks.deleted(author.locale, title=card.title), now=now, new=False)
    session.delete(card)
    session.flush()


def tell(session: Session, author: Participant, message: dict[str, Any], *, now: datetime) -> None:
    """A note to the author by DM, where an ephemeral answer has nowhere to go (a click in App Home)."""
    outbox.post(
        session,
        workspace_id=author.workspace_id,
        channel=author.slack_user_id,
        message=message,
        now=now,
        about=outbox.About.of(people=[author]),
    )


# -- listings -----------------------------------------------------------------------------------------------
_CARDS_OF = (
    select(LearningCard, Program)
    .join(Program, Program.id == LearningCard.program_id)
    .where(LearningCard.participant_id == bindparam("participant_id"))
    .order_by(LearningCard.created_at.desc(), LearningCard.id.desc())
)


def cards_of(session: Session, participant: Participant) -> list[tuple[LearningCard, Program]]:
    """The person's cards with their programs, newest first (drafts and published)."""
    return list(session.execute(_CARDS_OF, {"participant_id": participant.id}).tuples())


def published_cards(
    session: Session, program: Program, *, library: bool = False
) -> list[tuple[LearningCard, Participant]]:
    """The program's published cards with their authors, oldest first (for hosts: only what the community saw;
    ``show_name`` says whether the author may be named)."""
    rows = session.execute(
        select(LearningCard, Participant)
        .join(Participant, Participant.id == LearningCard.participant_id)
        .where(
            LearningCard.program_id == program.id,
            LearningCard.published_at.is_not(None),
            *([LearningCard.in_library.is_(True)] if library else []),
        )
        .order_by(LearningCard.published_at, LearningCard.id)
    ).tuples()
    return list(rows)


def published_count(session: Session, program: Program) -> int:
    """How many cards of the program were published (a KPI; drafts never count)."""
    return int(
        session.scalar(
            select(func.count(LearningCard.id)).where(
                LearningCard.program_id == program.id, LearningCard.published_at.is_not(None)
            )
        )
        or 0
    )


# -- the library ----------------------------------------------------------------------------------------------
def library_choices(session: Session, *, workspace_id: int) -> list[tuple[str, str, int]]:
    """What the library's select offers: each topic path with several cohorts (``path:<first program id>``, its
    first program's name) and each program (``program:<id>``), with its number of published cards; only those
    with at least one. (value, name, count), oldest first."""
    rows = session.execute(
        select(Program, func.count(LearningCard.id))
        .join(LearningCard, LearningCard.program_id == Program.id)
        .where(Program.workspace_id == workspace_id, LearningCard.in_library.is_(True))
        .group_by(Program.id)
        .order_by(Program.created_at, Program.id)
    ).tuples()
    counts = [(program, int(n)) for program, n in rows]
    paths: dict[int, list[tuple[Program, int]]] = {}
    for program, n in counts:
        paths.setdefault(program.series_id or program.id, []).append((program, n))
    several = set(
        session.scalars(
            select(Program.series_id).where(Program.workspace_id == workspace_id, Program.series_id.is_not(None))
        )
    )  # the first programs of paths with more than one cohort
    out: list[tuple[str, str, int]] = []
    for root, members in paths.items():
        first = session.get(Program, root)
        if first is not None and root in several:
            out.append((f"{rules.PATH}:{root}", first.name, sum(n for _p, n in members)))
        out += [(f"{rules.PROGRAM}:{p.id}", p.name, n) for p, n in members]
    return out


def library_cards(
    session: Session, *, workspace_id: int, choice: tuple[str, int]
) -> list[tuple[LearningCard, Participant, Program]]:
    """The published cards of a topic path or a program of the workspace, newest first, with author and program
    (``show_name`` says whether the author may be named)."""
    kind, ident = choice
    where = Program.id == ident if kind == rules.PROGRAM else or_(Program.id == ident, Program.series_id == ident)
    rows = session.execute(
        select(LearningCard, Participant, Program)
        .join(Participant, Participant.id == LearningCard.participant_id)
        .join(Program, Program.id == LearningCard.program_id)
        .where(Program.workspace_id == workspace_id, where, LearningCard.in_library.is_(True))
        .order_by(LearningCard.published_at.desc(), LearningCard.id.desc())
    ).tuples()
    return list(rows)
