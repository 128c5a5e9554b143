"""Notes in the database: saving, red zones, and every listing a note can appear in.

Each listing goes through ``bot.domain.notes.visible`` with the reader's relations to each note; nothing
here decides visibility on its own. The SQL filters only narrow what is read (and never widen it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import note_share as note_blocks
from bot.blocks.notes import NotesHome, NoteView, PairNotes
from bot.domain import notes as rules
from bot.domain import worktime
from bot.domain.notes import Place, ShareState, Viewer, Visibility
from bot.domain.privacy import is_forgotten
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Note,
    NoteSource,
    OutboxMessage,
    Pair,
    PairStatus,
    Participant,
    Program,
    RedTopic,
)
from bot.services import matching, outbox

MEMBER_STATUSES = (EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED)


# -- pairs ---------------------------------------------------------------------------------------------------
pairs_of = matching.pairs_of


def partner_id(pair: Pair, participant_id: int) -> int:
    return pair.participant_b_id if pair.participant_a_id == participant_id else pair.participant_a_id


def in_pair(pair: Pair, participant_id: int) -> bool:
    return participant_id in (pair.participant_a_id, pair.participant_b_id)


def pair_of(session: Session, *, participant: Participant, pair_id: int | None) -> Pair | None:
    """The person's active pair with this id (None when it is not theirs or not active)."""
    pair = session.get(Pair, pair_id) if pair_id else None
    if pair is None or pair.status != PairStatus.ACTIVE or not in_pair(pair, participant.id):
        return None
    return pair


def pair_in_channel(session: Session, *, participant: Participant, channel_id: str | None) -> Pair | None:
    """The person's active pair whose group DM is ``channel_id`` (a command typed in the pair's thread)."""
    if not channel_id:
        return None
    for pair in pairs_of(session, participant=participant):
        if (pair.channel_id or _intro_channel(session, pair)) == channel_id:
            return pair
    return None


def _intro_channel(session: Session, pair: Pair) -> str | None:
    """Where the pair's introduction went (read only: nothing is written, so nothing is left to commit)."""
    from bot.services.matching import INTRO_KEY

    result = session.scalar(select(OutboxMessage.result).where(OutboxMessage.dedupe_key == f"{INTRO_KEY}{pair.id}"))
    return result.get("channel") if isinstance(result, dict) else None


def labels(session: Session, *, participant: Participant, pairs: Iterable[Pair]) -> dict[int, tuple[str, str]]:
    """Pair id -> (partner's name, program name)."""
    pairs = list(pairs)
    people = _names(session, {partner_id(p, participant.id) for p in pairs})
    programs = _program_names(session, {p.program_id for p in pairs})
    return {p.id: (people.get(partner_id(p, participant.id), ""), programs.get(p.program_id, "")) for p in pairs}


def _known(
    known: Mapping[int, str] | None, ids: set[int], read: Callable[[set[int]], Mapping[int, str]]
) -> dict[int, str]:
    """``known`` with the ids it lacks read (no query when it has them all)."""
    out = dict(known or {})
    missing = ids - out.keys()
    if missing:
        out.update(read(missing))
    return out


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Participant.id, Participant.display_name).where(Participant.id.in_(ids)))
    return dict(rows.tuples().all())


def _program_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Program.id, Program.name).where(Program.id.in_(ids))).tuples().all())


def member_program_ids(session: Session, *, participant: Participant) -> set[int]:
    """Programs the person is in: joined (interviewing or onboarded) or paired there."""
    enrolled = session.scalars(
        select(Enrollment.program_id).where(
            Enrollment.participant_id == participant.id, Enrollment.status.in_(MEMBER_STATUSES)
        )
    )
    return set(enrolled) | {p.program_id for p in pairs_of(session, participant=participant, active_only=False)}


def member_programs(enrollments: Iterable[Enrollment], pairs: Iterable[Pair]) -> set[int]:
    """:func:`member_program_ids` from the person's enrollments and all their pairs (past ones too), already read."""
    return {e.program_id for e in enrollments if e.status in MEMBER_STATUSES} | {p.program_id for p in pairs}


# -- saving --------------------------------------------------------------------------------------------------
def save(
    session: Session, *, author: Participant, pair: Pair, draft: rules.NoteDraft, source: NoteSource, now: datetime
) -> Note:
    """Save a note to ``pair``'s note space. Commits."""
    assert in_pair(pair, author.id)
    note = Note(
        pair_id=pair.id,
        program_id=pair.program_id,
        author_id=author.id,
        text=draft.text,
        links=list(draft.links),
        topic=draft.topic,
        topic_key=rules.topic_key(draft.topic),
        visibility=draft.visibility,
        red=draft.red,
        red_by=author.id if draft.red else None,
        source=source,
        created_at=now,
    )
    session.add(note)
    session.flush()
    if rules.needs_consent(draft.visibility, red=draft.red):
        _ask_partner(session, note=note, pair=pair, author=author, now=now)
    session.commit()
    return note


# -- both agree before a note leaves the pair ---------------------------------------------------------------
def _ask_partner(session: Session, *, note: Note, pair: Pair, author: Participant, now: datetime) -> None:
    """The note would leave the pair: ask the author's partner by DM (in their daytime); until they agree it stays
    in the pair. Does not commit."""
    note.share_state = ShareState.ASKED
    partner = session.get(Participant, partner_id(pair, author.id))
    if partner is None or is_forgotten(partner.slack_user_id):
        return  # nobody left to agree: the note stays in the pair
    program = session.get(Program, note.program_id)
    outbox.post(
        session,
        workspace_id=partner.workspace_id,
        channel=partner.slack_user_id,
        message=note_blocks.share_ask(
            partner.locale,
            note_id=note.id,
            author=author.display_name,
            program=program.name if program is not None else "",
            visibility=Visibility(note.visibility),
            topic=note.topic,
            text=note.text,
            links=tuple(str(u) for u in note.links or ()),
        ),
        now=now,
        dedupe_key=f"note:{note.id}:share-ask",
        about=outbox.About.of(pair=pair, people=[author, partner]),
        not_before=worktime.of(partner, program).next_working(now),
    )


class ShareOutcome(enum.StrEnum):
    AGREED = "agreed"
    AGREED_RED = "agreed_red"  # both agree, but the note is red (or under a red topic): it stays in until lifted
    DECLINED = "declined"
    ALREADY = "already"  # answered before: the first answer holds
    NOT_YOURS = "not_yours"  # not a note of the clicker's partner
    PAIR_ENDED = "pair_ended"  # the note's pair has ended: its questions are answered no more


def answer_share(
    session: Session, *, participant: Participant | None, note_id: int | None, yes: bool, now: datetime
) -> tuple[ShareOutcome, Note | None]:
    """The partner's answer to "share this note beyond the two of you?". Only the author's partner in the note's
    pair may answer, once; a "no" is final. The author hears the answer by DM. Commits when something changed."""
    note = session.get(Note, note_id, with_for_update=True) if note_id else None
    pair = session.get(Pair, note.pair_id) if note is not None else None
    if (
        note is None
        or pair is None
        or participant is None
        or note.author_id == participant.id
        or not in_pair(pair, participant.id)
    ):
        session.rollback()
        return ShareOutcome.NOT_YOURS, None
    if pair.status != PairStatus.ACTIVE:  # a former partner can't send the old pair's notes beyond it any more
        session.rollback()
        return ShareOutcome.PAIR_ENDED, None
    if note.share_state != ShareState.ASKED:
        session.rollback()
        return ShareOutcome.ALREADY, note
    note.share_state = ShareState.AGREED if yes else ShareState.DECLINED
    red = rules.is_red(note_red=note.red, key=note.topic_key, red_topics=red_topics(session, [pair.id])[pair.id])
    author = session.get(Participant, note.author_id)
    if author is not None and not is_forgotten(author.slack_user_id):
        outbox.post(
            session,
            workspace_id=author.workspace_id,
            channel=author.slack_user_id,
            message=note_blocks.share_answered_author(
                author.locale,
                partner=participant.display_name,
                agreed=yes,
                red=red,
                visibility=Visibility(note.visibility),
                text=note.text,
            ),
            now=now,
            dedupe_key=f"note:{note.id}:share-answer",
            about=outbox.About.of(pair=pair, people=[author, participant]),
        )
    session.commit()
    if not yes:
        return ShareOutcome.DECLINED, note
    return (ShareOutcome.AGREED_RED if red else ShareOutcome.AGREED), note


class RedOutcome(enum.StrEnum):
    MARKED = "marked"
    LIFTED = "lifted"
    NOT_YOURS = "not_yours"  # not a note the person may see in their pair
    ONLY_MARKER = "only_marker"  # red can be lifted only by whoever marked it
    PAIR_ENDED = "pair_ended"  # the note's pair has ended: its notes stay as they are


def toggle_red(
    session: Session, *, participant: Participant, note_id: int | None, now: datetime
) -> tuple[RedOutcome, Note | None]:
    """Mark a note red, or lift red from it. Either partner may mark a note they can see; only whoever marked it
    may lift it (the author, when it was saved red). Lifting red from a hosts or program note nobody was asked about
    asks the partner now. Commits when something changed."""
    note = session.get(Note, note_id) if note_id else None
    pair = session.get(Pair, note.pair_id) if note is not None else None
    if note is None or pair is None or not _may_see_in_pair(note, participant.id, pair):
        return RedOutcome.NOT_YOURS, None
    if pair.status != PairStatus.ACTIVE:  # an ended pair's notes stay as they were: lifting red would expose one
        return RedOutcome.PAIR_ENDED, note
    if not note.red:
        note.red = True
        note.red_by = participant.id
        session.commit()
        return RedOutcome.MARKED, note
    if _marker(note) != participant.id:
        return RedOutcome.ONLY_MARKER, note
    note.red = False
    note.red_by = None
    if note.share_state is None and rules.needs_consent(note.visibility, red=False):
        author = session.get(Participant, note.author_id)
        if author is not None:  # saved red, so nobody was asked yet: ask now, it stays in the pair until then
            _ask_partner(session, note=note, pair=pair, author=author, now=now)
    session.commit()
    return RedOutcome.LIFTED, note


def _marker(note: Note) -> int:
    return note.red_by if note.red_by is not None else note.author_id


def _may_see_in_pair(note: Note, participant_id: int, pair: Pair) -> bool:
    viewers = _viewers(note, participant_id, pair, is_host=False, programs=set())
    return rules.visible(Visibility(note.visibility), red=True, viewers=viewers, place=Place.HOME)


class TopicOutcome(enum.StrEnum):
    MARKED = "marked"
    ALREADY = "already"
    LIFTED = "lifted"
    NOT_RED = "not_red"
    ONLY_MARKER = "only_marker"


def mark_topic(session: Session, *, participant: Participant, pair: Pair, topic: str, now: datetime) -> TopicOutcome:
    """Mark ``topic`` red in ``pair``: every note of the pair under it stays inside the pair. Commits."""
    key = rules.topic_key(topic)
    assert key is not None and in_pair(pair, participant.id)
    existing = session.scalar(select(RedTopic).where(RedTopic.pair_id == pair.id, RedTopic.topic_key == key))
    if existing is not None:
        return TopicOutcome.ALREADY
    try:
        with session.begin_nested():
            session.add(
                RedTopic(
                    pair_id=pair.id,
                    topic_key=key,
                    topic=" ".join(topic.split())[: rules.TOPIC_MAX],
                    created_by=participant.id,
                    created_at=now,
                )
            )
    except IntegrityError:  # the partner marked it at the same moment
        session.rollback()
        return TopicOutcome.ALREADY
    session.commit()
    return TopicOutcome.MARKED


def lift_topic(session: Session, *, participant: Participant, pair: Pair, topic: str) -> TopicOutcome:
    """Lift red from a topic; only whoever marked it may. Commits."""
    key = rules.topic_key(topic)
    existing = session.scalar(select(RedTopic).where(RedTopic.pair_id == pair.id, RedTopic.topic_key == key))
    if existing is None:
        return TopicOutcome.NOT_RED
    if existing.created_by not in (None, participant.id):
        return TopicOutcome.ONLY_MARKER
    session.delete(existing)
    session.commit()
    return TopicOutcome.LIFTED


def red_topics(session: Session, pair_ids: Iterable[int]) -> dict[int, set[str]]:
    ids = set(pair_ids)
    out: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for pair_id, key in session.execute(
            select(RedTopic.pair_id, RedTopic.topic_key).where(RedTopic.pair_id.in_(ids))
        ).tuples():
            out[pair_id].add(key)
    return out


def topic_is_red(session: Session, *, pair_id: int, topic: str | None) -> bool:
    """Whether ``topic`` is a red topic of the pair (its notes never leave the pair while it is)."""
    key = rules.topic_key(topic)
    return key is not None and key in red_topics(session, [pair_id])[pair_id]


def red_topic_names(session: Session, *, pair_id: int) -> list[str]:
    return list(session.scalars(select(RedTopic.topic).where(RedTopic.pair_id == pair_id).order_by(RedTopic.topic)))


_RED_TOPICS_NAMED = (
    select(RedTopic.pair_id, RedTopic.topic_key, RedTopic.topic)
    .where(RedTopic.pair_id.in_(bindparam("pair_ids", expanding=True)))
    .order_by(RedTopic.topic)
)


def red_topics_named(session: Session, pair_ids: Iterable[int]) -> tuple[dict[int, set[str]], dict[int, list[str]]]:
    """:func:`red_topics` and :func:`red_topic_names` of several pairs in one query: per pair id, the keys of its red
    topics, and their names in the database's order."""
    ids = set(pair_ids)
    keys: dict[int, set[str]] = {i: set() for i in ids}
    names: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for pair_id, key, topic in session.execute(_RED_TOPICS_NAMED, {"pair_ids": list(ids)}).tuples():
            keys[pair_id].add(key)
            names[pair_id].append(topic)
    return keys, names


# -- reading -------------------------------------------------------------------------------------------------
def _viewers(note: Note, participant_id: int | None, pair: Pair, *, is_host: bool, programs: set[int]) -> set[Viewer]:
    """Every relation the reader has to the note."""
    viewers: set[Viewer] = set()
    if participant_id is not None and note.author_id == participant_id:
        viewers.add(Viewer.AUTHOR)
    elif participant_id is not None and in_pair(pair, participant_id):
        viewers.add(Viewer.PARTNER)
    if is_host:
        viewers.add(Viewer.HOST)
    if note.program_id in programs:
        viewers.add(Viewer.MEMBER)
    return viewers or {Viewer.OUTSIDER}


def _views(
    session: Session,
    notes: list[Note],
    *,
    reader_id: int | None,
    is_host: bool,
    programs: set[int],
    place: Place,
    pairs: Mapping[int, Pair] | None = None,
    reds: Mapping[int, set[str]] | None = None,
    names: Mapping[int, str] | None = None,
    program_names: Mapping[int, str] | None = None,
) -> list[NoteView]:
    """The notes the reader may see in ``place``, as views (the one gate every listing passes). What the caller
    already read is not read again: ``pairs`` (by id, every note's pair among them), ``reds`` (red topic keys of those
    pairs), ``names`` (people's names by id) and ``program_names``; names missing there are read."""
    if pairs is None:
        pair_rows = {p.id: p for p in session.scalars(select(Pair).where(Pair.id.in_({n.pair_id for n in notes})))}
    else:
        pair_rows = dict(pairs)
    if reds is None:
        reds = red_topics(session, pair_rows)
    authors = _known(names, {n.author_id for n in notes}, lambda ids: _names(session, ids))
    program_names = _known(program_names, {n.program_id for n in notes}, lambda ids: _program_names(session, ids))
    out: list[NoteView] = []
    for note in notes:
        pair = pair_rows.get(note.pair_id)
        if pair is None:
            continue
        topic_red = note.topic_key is not None and note.topic_key in reds[pair.id]
        red = rules.is_red(note_red=note.red, key=note.topic_key, red_topics=reds[pair.id])
        viewers = _viewers(note, reader_id, pair, is_host=is_host, programs=programs)
        shared = note.share_state == ShareState.AGREED
        if not rules.visible(Visibility(note.visibility), red=red, viewers=viewers, place=place, shared=shared):
            continue
        out.append(
            NoteView(
                id=note.id,
                pair_id=note.pair_id,
                program=program_names.get(note.program_id, ""),
                author=authors.get(note.author_id, ""),
                mine=note.author_id == reader_id,
                text=note.text,
                topic=note.topic,
                links=tuple(str(u) for u in note.links or ()),
                visibility=Visibility(note.visibility),
                red=red,
                note_red=note.red,
                topic_red=topic_red,
                can_lift=note.red and reader_id is not None and _marker(note) == reader_id,
                created_at=note.created_at,
                share_state=ShareState(note.share_state) if note.share_state else None,
            )
        )
    return out


_NOTES_OF_PAIRS = (
    select(Note)
    .where(Note.pair_id.in_(bindparam("pair_ids", expanding=True)))
    .order_by(Note.created_at.desc(), Note.id.desc())
)


def own_notes(
    session: Session,
    *,
    participant: Participant,
    place: Place = Place.HOME,
    active_only: bool = True,
    pairs: list[Pair] | None = None,
    names: Mapping[int, str] | None = None,
    program_names: Mapping[int, str] | None = None,
    reds: Mapping[int, set[str]] | None = None,
) -> list[PairNotes]:
    """The reader's pairs with the notes they may see (``Place.HOME`` or ``Place.EXPORT``), newest first. What the
    caller already read is not read again: ``pairs`` (``pairs_of`` with ``active_only``), people's ``names`` and
    ``program_names`` by id, the pairs' red topic keys (``reds``)."""
    assert place in rules.PAIR_PLACES
    pairs = pairs_of(session, participant=participant, active_only=active_only) if pairs is None else pairs
    if not pairs:
        return []
    notes = list(session.scalars(_NOTES_OF_PAIRS, {"pair_ids": [p.id for p in pairs]}))
    partners = {p.id: partner_id(p, participant.id) for p in pairs}
    known = {participant.id: participant.display_name, **(names or {})}
    people = _known(known, set(partners.values()) | {n.author_id for n in notes}, lambda ids: _names(session, ids))
    programs = _known(
        program_names,
        {p.program_id for p in pairs} | {n.program_id for n in notes},
        lambda ids: _program_names(session, ids),
    )
    views = _views(
        session,
        notes,
        reader_id=participant.id,
        is_host=False,
        programs=set(),
        place=place,
        pairs={p.id: p for p in pairs},
        reds=reds,
        names=people,
        program_names=programs,
    )
    return [
        PairNotes(
            pair_id=p.id,
            program=programs.get(p.program_id, ""),
            partner=people.get(partners[p.id], ""),
            active=p.status == PairStatus.ACTIVE,
            notes=[v for v in views if v.pair_id == p.id],
        )
        for p in pairs
    ]


def host_listing(session: Session, *, workspace_id: int, program_id: int | None = None, limit: int = 20) -> list:
    """Notes hosts may see (``Place.HOST_LISTING``), newest first. Call only for a host."""
    query = (
        select(Note)
        .join(Program, Program.id == Note.program_id)
        .where(
            Program.workspace_id == workspace_id,
            Note.visibility.in_((Visibility.HOSTS, Visibility.PROGRAM)),
            Note.red.is_(False),
            Note.share_state == ShareState.AGREED,
        )
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    if program_id is not None:
        query = query.where(Note.program_id == program_id)
    notes = list(session.scalars(query.limit(limit * 3)))
    views = _views(session, notes, reader_id=None, is_host=True, programs=set(), place=Place.HOST_LISTING)
    return views[:limit]


def program_listing(session: Session, *, participant: Participant, limit: int = 20) -> tuple[list[str], list]:
    """(names of the reader's programs, program notes they may see there, newest first)."""
    programs = member_program_ids(session, participant=participant)
    if not programs:
        return [], []
    notes = list(
        session.scalars(
            select(Note)
            .where(
                Note.program_id.in_(programs),
                Note.visibility == Visibility.PROGRAM,
                Note.red.is_(False),
                Note.share_state == ShareState.AGREED,
            )
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(limit * 3)
        )
    )
    views = _views(
        session, notes, reader_id=participant.id, is_host=False, programs=programs, place=Place.PROGRAM_LISTING
    )
    names = sorted(_program_names(session, programs).values())
    return names, views[:limit]


def _partners(session: Session, participant: Participant, pair_ids: Sequence[int]) -> list[int]:
    rows = session.execute(
        select(Pair.participant_a_id, Pair.participant_b_id).where(Pair.id.in_(list(pair_ids)))
    ).all()
    return [b if a == participant.id else a for a, b in rows] if pair_ids else []


# -- export --------------------------------------------------------------------------------------------------
UPLOAD_METHOD = "files.upload_v2"  # slack_sdk's upload: files.getUploadURLExternal, the bytes, completeUploadExternal


def queue_export(
    session: Session,
    *,
    participant: Participant,
    content: str,
    filename: str,
    title: str,
    comment: str,
    now: datetime,
    pair_ids: Sequence[int] = (),
) -> OutboxMessage:
    """Queue the export file for the person's DM with Tandem (opened by the worker). Commits. ``pair_ids``: the
    pairs whose notes are in it (the partners are named in it, their notes to the pair are in it).

    The worker calls slack_sdk's ``files_upload_v2`` for it, which is Slack's external upload in three steps; a
    failed attempt is retried as a whole, like any outbox message."""
    message = outbox.enqueue(
        session,
        workspace_id=participant.workspace_id,
        method=UPLOAD_METHOD,
        payload={
            "__open": [participant.slack_user_id],
            outbox.SCRUB: True,  # private: emptied at once should Slack refuse it (any call is once sent)
            "content": content,
            "filename": filename,
            "title": title,
            "initial_comment": comment,
        },
        now=now,
        about=outbox.About.of(people=[participant, *_partners(session, participant, pair_ids)]),
        dedupe_key=f"notes-export:{participant.id}:{now.isoformat()}",
    )
    session.commit()
    return message


# -- App Home ------------------------------------------------------------------------------------------------
def home(
    session: Session,
    *,
    participant: Participant,
    pairs: list[Pair],
    names: Mapping[int, str],
    program_names: Mapping[int, str],
    member_programs: set[int],
) -> NotesHome:
    """What Home shows of notes, from what Home already read: the person's active ``pairs`` (``pairs_of``), people's
    ``names`` and ``program_names`` by id, and the programs they are a member of (:func:`member_programs`)."""
    reds, red_names = red_topics_named(session, [p.id for p in pairs])
    listed = own_notes(
        session,
        participant=participant,
        place=Place.HOME,
        pairs=pairs,
        names=names,
        program_names=program_names,
        reds=reds,
    )
    return NotesHome(
        pairs=listed,
        red_topics={p.pair_id: red_names[p.pair_id] for p in listed},
        in_program=bool(listed) or bool(member_programs),
    )
