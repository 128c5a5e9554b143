"""Anonymous mood polls: opening a program's pulse rounds on its rhythm (a DM to each active participant in their
workday daytime), recording an answer, closing a round, and the hosts' results (each round released with the
program's weekly release after it closed, ``bot.services.release``).
Rules in ``bot.domain.polls``; the unlinkability design in ``bot.models.poll``.

**An answer is sealed until its round closes.** :func:`submit` turns the person's receipt "answered" and adds a
*ballot* in one transaction: a random key, the round, and the answer sealed with the app's key
(``crypto.keyring().seal(BALLOT_PURPOSE, ..., pad_to=BALLOT_PAD)``: every ballot has the same length, whatever
the comment). Nothing readable of the answer reaches the database, its WAL or its dead row versions while the round
is open. Nothing else is written: no outbox row, no log line, no timestamp.

**The close opens them all at once.** :func:`close_due` (the clock) locks the round, and when it has at least its
threshold of ballots opens them, shuffles them (``random.SystemRandom``) and writes them as responses with fresh
random keys in one batch, in the shuffled order, deleting the ballots: a transaction that touches no receipt. With
fewer, the ballots are deleted unopened. A ballot no listed key opens (its key was removed before the close) is
counted in a log line, without anything of its content, and dropped. Results come from closed rounds only.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from bot import crypto
from bot.blocks import polls as blocks
from bot.domain import localtime, worktime
from bot.domain import polls as rules
from bot.domain.rhythm import pause_ends_at, paused_now
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Pair,
    PairStatus,
    Participant,
    PollBallot,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import outbox, release

log = logging.getLogger(__name__)

SAVED, MISSING, NOT_YOURS, CLOSED, ANSWERED = "saved", "missing", "not_yours", "closed", "answered"


def due(session: Session, now: datetime) -> int:
    """Due job: open the rounds that are due, close the ones whose time is up. Does not commit (the tick does)."""
    return open_due(session, now=now) + close_due(session, now=now)


# -- opening -----------------------------------------------------------------------------------------------
def audience(session: Session, *, program: Program, now: datetime) -> list[Participant]:
    """Everyone onboarded in the program with an active pair in it and not on a break (``/tandem pause``), by id."""
    return [p for p in _paired(session, program=program) if not paused_now(p.paused_until, now=now, tz=p.tz)]


def _paired(session: Session, *, program: Program) -> list[Participant]:
    """Everyone onboarded in the program with an active pair in it, by id."""
    pairs = session.execute(_PAIRED_IDS, {"program_id": program.id}).all()
    paired = {pid for row in pairs for pid in row}
    if not paired:
        return []
    return list(session.scalars(_ONBOARDED, {"program_id": program.id, "ids": list(paired)}))


def last_number(session: Session, *, program_id: int) -> int:
    return session.scalar(_LAST_NUMBER, {"program_id": program_id}) or 0


# Built once: the clock runs these every minute (building a statement costs more CPU than the query).
_PAIRED_IDS = select(Pair.participant_a_id, Pair.participant_b_id).where(
    Pair.program_id == bindparam("program_id"), Pair.status == PairStatus.ACTIVE
)
_ONBOARDED = (
    select(Participant)
    .join(Enrollment, Enrollment.participant_id == Participant.id)
    .where(
        Enrollment.program_id == bindparam("program_id"),
        Enrollment.status == EnrollmentStatus.ONBOARDED,
        Participant.id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(Participant.id)
)
_LAST_NUMBER = select(func.max(PollRound.number)).where(PollRound.program_id == bindparam("program_id"))
_POLLING_PROGRAMS = (
    select(Program).where(Program.status == ProgramStatus.ACTIVE, Program.poll_every_weeks > 0).order_by(Program.id)
)
_OPEN_ROUNDS = select(PollRound).where(PollRound.closed.is_(False)).order_by(PollRound.id)
_CLOSING = (
    select(PollRound.closes_on, Program.timezone)
    .join(Program, Program.id == PollRound.program_id)
    .where(PollRound.closed.is_(False))
    .distinct()
)


def open_due(session: Session, *, now: datetime) -> int:
    opened = 0
    programs = session.scalars(_POLLING_PROGRAMS).all()
    for program in programs:
        number = rules.due_round(
            start=program.start_date,
            every_weeks=program.poll_every_weeks,
            duration_weeks=program.duration_weeks,
            last_number=last_number(session, program_id=program.id),
            tz=program.timezone,
            now=now,
        )
        if number is not None and open_round(session, program=program, number=number, now=now) is not None:
            opened += 1
    return opened


def open_round(session: Session, *, program: Program, number: int, now: datetime) -> PollRound | None:
    """Open round ``number``: a receipt (not answered) and a pulse DM for each active participant. None when nobody
    is active (no round is recorded then)."""
    people = audience(session, program=program, now=now)
    if not people:
        return None
    today = now.astimezone(localtime.zone(program.timezone)).date()
    poll = PollRound(
        program_id=program.id,
        number=number,
        opens_on=today,
        closes_on=rules.closes_on(today),
        threshold=max(program.poll_threshold, rules.THRESHOLD_MIN),
        questions=rules.questions_for(number),
        closed=False,
    )
    session.add(poll)
    session.flush()
    closes = rules.at_hour(poll.closes_on, program.timezone)
    for person in people:
        session.add(PollReceipt(round_id=poll.id, participant_id=person.id, answered=False))
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=person.slack_user_id,
            message=blocks.pulse(
                person.locale,
                round_id=poll.id,
                program=program.name,
                threshold=poll.threshold,
                deadline=blocks.deadline_text(person.locale, closes, person.tz),
            ),
            now=now,
            about=outbox.About.of(program=program, people=[person]),
            dedupe_key=f"poll:{poll.id}:ask:{person.id}",
            not_before=worktime.of(person, program).next_working(now),
        )
    session.flush()
    return poll


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act (``bot.services.ticks.NextDue``): the earliest of each program's next round to
    open (:func:`_next_open`) and of the open rounds' closing moments."""
    moments = [_next_open(session, program=program, now=now) for program in session.scalars(_POLLING_PROGRAMS).all()]
    closing = session.execute(_CLOSING).tuples()
    moments.extend(rules.at_hour(day, tz).astimezone(UTC) for day, tz in closing)
    return min((at for at in moments if at is not None), default=None)


def _next_open(session: Session, *, program: Program, now: datetime) -> datetime | None:
    """When :func:`open_due` may next open a round of ``program`` (``rules.next_opening``). A round due with nobody
    to ask (everyone paired is on a break) waits for the first break to end."""
    at = rules.next_opening(
        start=program.start_date,
        every_weeks=program.poll_every_weeks,
        duration_weeks=program.duration_weeks,
        last_number=last_number(session, program_id=program.id),
        tz=program.timezone,
        now=now,
    )
    if at is None or at > now:
        return at
    paired = _paired(session, program=program)
    if any(not paused_now(p.paused_until, now=now, tz=p.tz) for p in paired):
        return now
    return min((pause_ends_at(p.paused_until, p.tz) for p in paired if p.paused_until is not None), default=None)


# -- answering ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    round: PollRound
    program: Program


def find(session: Session, *, participant: Participant | None, round_id: int | None, now: datetime) -> Found | str:
    """The round someone may answer now, or why not (MISSING, NOT_YOURS, CLOSED, ANSWERED)."""
    poll = session.get(PollRound, round_id) if round_id is not None else None
    program = session.get(Program, poll.program_id) if poll is not None else None
    if poll is None or program is None:
        return MISSING
    if participant is None or participant.workspace_id != program.workspace_id:
        return NOT_YOURS
    receipt = session.get(PollReceipt, (poll.id, participant.id))
    if receipt is None:
        return NOT_YOURS
    if receipt.answered:
        return ANSWERED
    if not rules.is_open(closes=poll.closes_on, closed=poll.closed, tz=program.timezone, now=now):
        return CLOSED
    return Found(round=poll, program=program)


def submit(
    session: Session, *, participant: Participant | None, round_id: int | None, pulse: rules.Pulse, now: datetime
) -> str:
    """Record one answer as a sealed ballot (see the module docstring) and commit; anything else changes nothing
    (rolled back)."""
    if round_id is not None:
        # PostgreSQL: a close under way finishes first (it holds the round FOR UPDATE), and waits for this answer
        session.get(PollRound, round_id, with_for_update={"read": True}, populate_existing=True)
    found = find(session, participant=participant, round_id=round_id, now=now)
    if isinstance(found, str) or participant is None:
        session.rollback()
        return found if isinstance(found, str) else NOT_YOURS
    poll_id = found.round.id
    sealed = seal_ballot(crypto.keyring(), round_id=poll_id, pulse=pulse)
    # one statement: the receipt turns "answered" only if it was not, and only while the round is not closed (on
    # SQLite the write lock comes with this statement, so it sees a close that committed since ``find``)
    marked = session.execute(
        update(PollReceipt.__table__)
        .where(
            PollReceipt.round_id == poll_id,
            PollReceipt.participant_id == participant.id,
            PollReceipt.answered.is_(False),
            exists().where(PollRound.id == poll_id, PollRound.closed.is_(False)),
        )
        .values(answered=True)
    ).rowcount
    if marked != 1:
        session.rollback()
        again = find(session, participant=participant, round_id=round_id, now=now)
        session.rollback()
        return again if isinstance(again, str) else ANSWERED
    session.execute(insert(PollBallot.__table__).values(id=new_key(), round_id=poll_id, sealed=sealed))
    session.commit()
    return SAVED


# -- ballots -----------------------------------------------------------------------------------------------
BALLOT_PURPOSE = "pulse-ballot"


def new_key() -> str:
    """A random row key (a ballot's, a response's): 128 bits from the OS, never a counter."""
    return secrets.token_hex(16)


def _head(round_id: int, mood: int, answers: dict[str, int]) -> bytes:
    return json.dumps(
        {"round": round_id, "mood": mood, "answers": answers}, separators=(",", ":"), sort_keys=True
    ).encode("ascii")


def ballot_plaintext(*, round_id: int, pulse: rules.Pulse) -> bytes:
    """What a ballot seals: a JSON line (round, mood, answers), then the comment's UTF-8 bytes (no escaping, so a
    comment of ``COMMENT_MAX`` characters takes at most 4 bytes each)."""
    comment = (pulse.comment or "").encode("utf-8", "surrogatepass")
    return _head(round_id, pulse.mood, dict(pulse.answers)) + b"\n" + comment


def _largest_plaintext() -> int:
    questions = sorted(rules.QUESTIONS, key=len)[-rules.PER_ROUND :]
    head = _head(2**31 - 1, max(rules.SCALE), {q: max(rules.SCALE) for q in questions})
    return len(head) + 1 + 4 * rules.COMMENT_MAX


# Every ballot is sealed padded to this many bytes (crypto's 4-byte length frame included): the largest answer a
# round can get fits, so every ballot of every round has the same length (4,096 bytes, sealed 4,129).
BALLOT_PAD = -(-(4 + _largest_plaintext()) // 512) * 512


def seal_ballot(ring: crypto.Keyring, *, round_id: int, pulse: rules.Pulse) -> bytes:
    plain = ballot_plaintext(round_id=round_id, pulse=pulse)
    if 4 + len(plain) > BALLOT_PAD:  # parse_pulse never lets such a comment through
        raise ValueError("a pulse answer longer than a ballot holds")
    return ring.seal(BALLOT_PURPOSE, plain, pad_to=BALLOT_PAD)


def open_ballot(ring: crypto.Keyring, sealed: bytes, *, round_id: int) -> rules.Pulse:
    """The answer in a ballot of round ``round_id``. Raises ``crypto.CannotOpen`` when no listed key opens it, or
    what it holds is not an answer to that round."""
    plain = ring.open(BALLOT_PURPOSE, bytes(sealed))
    head, _, comment = plain.partition(b"\n")
    try:
        data = json.loads(head)
        mood, answers = data["mood"], data["answers"]
        text = comment.decode("utf-8", "surrogatepass")
    except (ValueError, KeyError, TypeError) as exc:
        raise crypto.CannotOpen("not a pulse answer") from exc
    if not (
        isinstance(data, dict)
        and data.get("round") == round_id
        and mood in rules.SCALE
        and isinstance(answers, dict)
        and all(isinstance(k, str) and v in rules.SCALE for k, v in answers.items())
    ):
        raise crypto.CannotOpen("not an answer to this round")
    return rules.Pulse(mood=mood, answers=answers, comment=text or None)


def reseal_ballots(session: Session, ring: crypto.Keyring) -> tuple[int, int]:
    """Key rotation (``bot.services.rekey``): every ballot not sealed under the first key is opened and sealed again
    under it (same padding, same row). Returns (re-sealed, no listed key opens: left as they are). Does
    not commit."""
    resealed = unopenable = 0
    rows = session.execute(select(PollBallot.id, PollBallot.round_id, PollBallot.sealed)).all()
    for key, round_id, sealed in rows:
        if ring.sealed_with_current(bytes(sealed)):
            continue
        try:
            pulse = open_ballot(ring, sealed, round_id=round_id)
        except crypto.CannotOpen:
            unopenable += 1
            continue
        session.execute(
            update(PollBallot.__table__)
            .where(PollBallot.id == key, PollBallot.sealed == sealed)
            .values(sealed=seal_ballot(ring, round_id=round_id, pulse=pulse))
        )
        resealed += 1
    return resealed, unopenable


def tally(session: Session, poll: PollRound) -> int:
    """At the close: the round's ballots become responses, all at once and shuffled, when at least the threshold of
    them open; else they are deleted unopened. Touches no receipt; does not commit. Returns how many responses it
    wrote."""
    ballots = session.scalars(select(PollBallot.sealed).where(PollBallot.round_id == poll.id)).all()
    # answers given before sealed ballots existed (migration 0017) are responses already
    earlier = session.scalar(select(func.count()).select_from(PollResponse).where(PollResponse.round_id == poll.id))
    least = max(poll.threshold, rules.THRESHOLD_MIN)
    opened: list[rules.Pulse] = []
    if ballots and len(ballots) + (earlier or 0) >= least:
        ring = crypto.keyring()
        lost = 0
        for sealed in ballots:
            try:
                opened.append(open_ballot(ring, sealed, round_id=poll.id))
            except crypto.CannotOpen:
                lost += 1
        if lost:
            log.warning(
                "pulse round %s: %d of %d ballots no listed key opens (sealed under a key no longer in "
                "TANDEM_SECRET_KEY) were dropped",
                poll.id,
                lost,
                len(ballots),
            )
        if len(opened) + (earlier or 0) < least:
            opened = []
    session.execute(delete(PollBallot.__table__).where(PollBallot.round_id == poll.id))
    if not opened:
        return 0
    random.SystemRandom().shuffle(opened)
    session.execute(
        insert(PollResponse.__table__),
        [
            {"id": new_key(), "round_id": poll.id, "mood": p.mood, "answers": dict(p.answers), "comment": p.comment}
            for p in opened
        ],
    )
    return len(opened)


# -- results -----------------------------------------------------------------------------------------------
def results(session: Session, *, program: Program, through: int | None = None) -> list[rules.Result]:
    """The program's released rounds (up to round ``through``), oldest first: each round is its own window, released
    with the weekly release after it closed (``bot.services.release``) and held to its threshold. An open round, or
    one closed since the last release, shows nothing. Comments come with shown rounds only, shuffled."""
    shown_comments = _comments(session, program=program)
    out = []
    for cell in release.pulse_cells(release.of(session, program)):
        number = int(cell.data["number"])
        if through is not None and number > through:
            continue
        comments = list(shown_comments.get(number, [])) if cell.data.get("shown") else []
        random.SystemRandom().shuffle(comments)
        out.append(rules.result_from(cell.data, comments))
    return out


def _comments(session: Session, *, program: Program) -> dict[int, list[str]]:
    rows = session.execute(
        select(PollRound.number, PollResponse.comment)
        .join(PollRound, PollRound.id == PollResponse.round_id)
        .where(PollRound.program_id == program.id, PollRound.closed.is_(True), PollResponse.comment.is_not(None))
    ).tuples()
    out: dict[int, list[str]] = {}
    for number, comment in rows:
        if comment:
            out.setdefault(number, []).append(comment)
    return {number: sorted(found) for number, found in out.items()}


def open_round_of(session: Session, *, program: Program) -> PollRound | None:
    return session.scalar(
        select(PollRound).where(PollRound.program_id == program.id, PollRound.closed.is_(False)).limit(1)
    )


def waiting_rounds(session: Session, *, program: Program) -> list[int]:
    """Rounds that closed but are not released yet (their results come with the next weekly release)."""
    released = {int(c.data["number"]) for c in release.pulse_cells(release.of(session, program))}
    closed = session.scalars(
        select(PollRound.number).where(PollRound.program_id == program.id, PollRound.closed.is_(True))
    ).all()
    return sorted(n for n in closed if n not in released)


def close_due(session: Session, *, now: datetime) -> int:
    """Close every round whose time is up: its ballots become responses (:func:`tally`). Its results go to the hosts
    with the program's next weekly release (``post_results``), never before: every figure is released on the same
    fixed weekly date."""
    closed = 0
    for poll in session.scalars(_OPEN_ROUNDS).all():
        program = session.get(Program, poll.program_id)
        if program is None or rules.is_open(closes=poll.closes_on, closed=False, tz=program.timezone, now=now):
            continue
        # PostgreSQL: answers under way finish first (they hold the round FOR SHARE), later ones find it closed
        session.get(PollRound, poll.id, with_for_update=True, populate_existing=True)
        if poll.closed:
            continue
        poll.closed = True
        closed += 1
        session.flush()
        tally(session, poll)
    session.flush()
    return closed


def post_results(
    session: Session, program: Program, workspace: Workspace, *, numbers: list[int], now: datetime
) -> None:
    """The results of rounds ``numbers``, just released, to the admin channel: each round with the trend up to it.
    Does not commit."""
    if not workspace.admin_channel_id or program.status == ProgramStatus.CLOSED:
        return
    ids = dict(
        session.execute(
            select(PollRound.number, PollRound.id).where(
                PollRound.program_id == program.id, PollRound.number.in_(numbers)
            )
        )
        .tuples()
        .all()
    )
    for number in sorted(numbers):
        outbox.post(
            session,
            workspace_id=workspace.id,
            channel=workspace.admin_channel_id,
            message=blocks.results(
                program.default_locale,
                program=program.name,
                results=results(session, program=program, through=number),
                latest_only=True,
            ),
            now=now,
            about=outbox.About.of(program=program),  # anonymous figures and comments, never linked to anyone
            dedupe_key=f"poll:{ids[number]}:results",
        )
