"""The attacker with a copy of the database files: the pulse stays unlinkable in the storage's *history*, not only in
its live rows.

Someone who gets copies of the database files at any moment (SQLite's file with its ``-wal``, PostgreSQL's heap
pages with their dead row versions), but not the app's secret key, tries to tie a pulse answer to a person or to a
time finer than its round: a commit (transaction) that turns a receipt "answered" and adds a readable answer; an
answer's words anywhere in any byte before the round closed; the order or row ids of the answers against the order
in which people answered; a ballot's key reused by its answer; the close touching a receipt. None of it works:
an open round's answers exist only as sealed ballots of one length, and the close writes all of a round's answers
at once, shuffled, without touching a receipt. The same scenario runs on SQLite (the app's engine, WAL mode) and on
PostgreSQL (``pageinspect``: every tuple, live or dead, with the transactions that wrote and deleted it).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from bot import crypto
from bot.db import make_engine, make_session_factory, upgrade
from bot.domain import polls as rules
from bot.flows import polls as polls_flow
from bot.ids import ID
from bot.jobs import DUE_JOBS
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Pair,
    Participant,
    PollBallot,
    PollReceipt,
    PollResponse,
    PollRound,
    Program,
    ProgramStatus,
    Workspace,
)
from bot.services import polls, release, ticks
from tests.conftest import backends

TEAM = "T0ATTACK"
START = date(2027, 1, 4)  # a Monday; round 1 opens two weeks later, 09:00 in Berlin
OPENS = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)
CLOSES = datetime(2027, 1, 23, 8, 0, tzinfo=UTC)
PEOPLE = 10
# The k-th answer: (mood, first question, second question, comment); each comment carries a marker the attacker
# looks for in every byte. Answer k is given by person ORDER[k].
ANSWERS: list[tuple[int, int, int, str | None]] = [
    (5, 4, 3, "QX1-MARK first: my manager listens"),
    (1, 2, 2, "QX2-MARK second: I feel left out"),
    (3, 3, 5, None),
    (4, 5, 1, "QX4-MARK fourth 🦊 in the middle"),
    (2, 1, 4, "QX5-MARK fifth"),
    (5, 5, 5, None),
    (1, 1, 1, "QX7-MARK seventh, angry"),
    (3, 2, 4, "QX8-MARK" + " long" * 150),
    (4, 4, 2, "QX9-MARK ninth"),
    (2, 3, 3, "QX10-MARK tenth"),
]
ORDER = [3, 7, 0, 9, 1, 5, 8, 2, 6, 4]
MARKERS = [c.split(" ")[0] for _, _, _, c in ANSWERS if c]


# -- the world: one program, ten people in five pairs, one pulse round ----------------------------------------
@dataclass
class World:
    engine: Engine
    url: str
    people: list[str] = field(default_factory=list)  # Slack ids, person i
    round_id: int = 0


def _world(url: str, *, people: int = PEOPLE, threshold: int = 5) -> World:
    """Pulse ballots on the migrated database at ``url``."""
    engine = make_engine(url)  # the app's engine: WAL mode on a SQLite file
    at = datetime(2027, 1, 1, tzinfo=UTC)
    world = World(engine=engine, url=url, people=[f"UATK{i:04d}" for i in range(people)])
    with make_session_factory(engine)() as s:
        ws = Workspace(team_id=TEAM, name="Attack", bot_user_id="UBOT", admin_channel_id="CADMIN", created_at=at)
        s.add(ws)
        s.flush()
        program = Program(
            workspace_id=ws.id,
            name="Pulse 2027",
            status=ProgramStatus.ACTIVE,
            start_date=START,
            duration_weeks=12,
            timezone="Europe/Berlin",
            poll_every_weeks=2,
            poll_threshold=threshold,
            trial_weeks=0,
            created_at=at,
            updated_at=at,
        )
        s.add(program)
        s.flush()
        ids = []
        for i, slack_id in enumerate(world.people):
            person = Participant(
                workspace_id=ws.id,
                slack_user_id=slack_id,
                display_name=f"Person {i}",
                tz="Europe/Berlin",
                role="digital" if i % 2 == 0 else "context",
                consented_at=at,
                settings_confirmed=True,
                welcomed_at=at,
                created_at=at,
                updated_at=at,
            )
            s.add(person)
            s.flush()
            ids.append(person.id)
            s.add(
                Enrollment(
                    program_id=program.id,
                    participant_id=person.id,
                    status=EnrollmentStatus.ONBOARDED,
                    invited_at=at,
                    completed_at=at,
                    last_activity_at=at,
                )
            )
        for k in range(0, people - 1, 2):
            s.add(
                Pair(
                    program_id=program.id,
                    participant_a_id=ids[k],
                    participant_b_id=ids[k + 1],
                    channel_id=f"GATK{k:04d}",
                    started_at=at,
                )
            )
        s.commit()
    _tick(world, OPENS)
    with make_session_factory(engine)() as s:
        world.round_id = s.scalars(select(PollRound.id)).one()
    return world


def _tick(world: World, now: datetime) -> None:
    """The clock's tick, as ``tandem clock`` runs it (every due job, one transaction)."""
    with make_session_factory(world.engine)() as s:
        assert ticks.tick(s, now=now, jobs=DUE_JOBS) is not None


def _view(round_id: int, mood: int, q1: int, q2: int, comment: str | None) -> dict[str, Any]:
    def radio(value: int) -> dict[str, Any]:
        return {"x": {"type": "radio_buttons", "selected_option": {"value": str(value)}}}

    values = {ID.POLL_MOOD.value: radio(mood), ID.POLL_Q1.value: radio(q1), ID.POLL_Q2.value: radio(q2)}
    values[ID.POLL_COMMENT.value] = {"x": {"type": "plain_text_input", "value": comment}}
    return {"private_metadata": json.dumps({"round_id": round_id}), "state": {"values": values}}


def _answer(world: World, k: int, now: datetime) -> None:
    """Answer k, by person ORDER[k], through the pulse modal's flow (what the listener calls)."""
    mood, q1, q2, comment = ANSWERS[k]
    with make_session_factory(world.engine)() as s:
        done = polls_flow.submit_form(
            s,
            team_id=TEAM,
            user_id=world.people[ORDER[k]],
            view=_view(world.round_id, mood, q1, q2, comment),
            lookup=lambda uid: None,  # type: ignore[arg-type,return-value]  # registered: never looked up
            now=now,
        )
    assert done.view is not None and not done.errors, done.errors


def _play(world: World, copy: Callable[[str], None], answers: int = len(ANSWERS)) -> None:
    """The round: a copy of the storage before the first answer, after each answer and after the close."""
    copy("opened")
    for k in range(answers):
        _answer(world, k, OPENS + timedelta(hours=3, minutes=37 * k))
        copy(f"answer {k}")
    _tick(world, CLOSES)
    copy("closed")


def _key_of(mood: int, answers: dict[str, int], comment: str | None) -> int:
    """Which of ANSWERS a readable answer is (the attacker knows the answers, and wants to know whose they are)."""
    found = [k for k, (m, *_r, c) in enumerate(ANSWERS) if (m, c) == (mood, comment)]
    assert len(found) == 1, (mood, answers, comment)
    return found[0]


def _assert_shuffled(order_in_storage: list[int]) -> None:
    """The answers as the storage lays them out, against the order in which they were given (0, 1, 2, ...): not
    that order, nor its reverse (with ten answers a random order is one of them with odds of 1 in 1.8 million)."""
    given = list(range(len(order_in_storage)))
    assert sorted(order_in_storage) == given
    assert order_in_storage not in (given, given[::-1]), order_in_storage


# -- SQLite: the file and its -wal, frame by frame -----------------------------------------------------------
@dataclass
class Copy:
    label: str
    main: bytes
    wal: bytes


@dataclass
class State:
    """The database as it was right after one commit (or the main file alone), as the attacker reconstructs it."""

    receipts: dict[int, bool]  # participant id -> answered
    responses: list[
        tuple[int, str, int, dict[str, int], str | None]
    ]  # rowid order: (rowid, id, mood, answers, comment)
    ballots: dict[str, bytes]
    pages_of: dict[str, set[int]]  # table -> the pages of its b-trees (the table's and its indexes')
    written: set[int] = field(default_factory=set)  # pages this commit wrote


def _read_copy(path: Path, label: str) -> Copy:
    wal = Path(f"{path}-wal")
    return Copy(label, path.read_bytes(), wal.read_bytes() if wal.exists() else b"")


def _btree_pages(image: bytes, page_size: int, root: int) -> set[int]:
    """Every page of the b-tree rooted at ``root``: its interior and leaf pages (a receipt needs no overflow page)."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        pgno = todo.pop()
        if pgno in seen or pgno < 1 or pgno * page_size > len(image):
            continue
        seen.add(pgno)
        base = (pgno - 1) * page_size
        header = base + (100 if pgno == 1 else 0)
        kind = image[header]
        cells = struct.unpack(">H", image[header + 3 : header + 5])[0]
        if kind in (0x02, 0x05):  # interior: a right-most child, and a left child in each cell
            todo.append(struct.unpack(">I", image[header + 8 : header + 12])[0])
            pointers = header + 12
            for i in range(cells):
                cell = base + struct.unpack(">H", image[pointers + 2 * i : pointers + 2 * i + 2])[0]
                todo.append(struct.unpack(">I", image[cell : cell + 4])[0])
    return seen


def _state(image: bytes, page_size: int, written: set[int]) -> State:
    with tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False) as f:
        f.write(image)
        name = f.name
    try:
        conn = sqlite3.connect(f"file:{name}?mode=ro&immutable=1", uri=True)
        try:
            receipts = {p: bool(a) for p, a in conn.execute("SELECT participant_id, answered FROM poll_receipt")}
            responses = [
                (rowid, rid, mood, json.loads(answers), comment)
                for rowid, rid, mood, answers, comment in conn.execute(
                    "SELECT rowid, id, mood, answers, comment FROM poll_response ORDER BY rowid"
                )
            ]
            ballots = dict(conn.execute("SELECT id, sealed FROM poll_ballot"))
            pages_of: dict[str, set[int]] = {}
            for table, root in conn.execute("SELECT tbl_name, rootpage FROM sqlite_master WHERE rootpage > 0"):
                pages_of.setdefault(table, set()).update(_btree_pages(image, page_size, root))
        finally:
            conn.close()
    finally:
        os.unlink(name)
    return State(receipts, responses, ballots, pages_of, written)


def _replay(copy: Copy) -> list[State]:
    """The database after each commit in the copy's WAL: the main file, then the WAL's frames applied onto it up to
    each commit frame (frames of an older WAL generation, with other salts, end the log as SQLite's recovery does)."""
    page_size = struct.unpack(">H", copy.main[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    states = [_state(copy.main, page_size, set())]
    if len(copy.wal) < 32:
        return states
    salts = copy.wal[16:24]
    assert struct.unpack(">I", copy.wal[8:12])[0] == page_size
    image = bytearray(copy.main)
    pending: dict[int, bytes] = {}
    at = 32
    while at + 24 + page_size <= len(copy.wal):
        pgno, size = struct.unpack(">II", copy.wal[at : at + 8])
        if copy.wal[at + 8 : at + 16] != salts:
            break
        pending[pgno] = copy.wal[at + 24 : at + 24 + page_size]
        if size:  # a commit frame: the database's size in pages after the commit
            for p, data in pending.items():
                end = p * page_size
                if len(image) < end:
                    image.extend(b"\0" * (end - len(image)))
                image[end - page_size : end] = data
            del image[size * page_size :]
            states.append(_state(bytes(image), page_size, set(pending)))
            pending = {}
        at += 24 + page_size
    return states


def _readable(state: State) -> set[tuple[int, str | None]]:
    return {(mood, comment) for _, _, mood, _, comment in state.responses}


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "tandem.sqlite3"


def test_sqlite_wal_replayed_commit_by_commit_ties_no_answer_to_anyone(sqlite_file: Path) -> None:
    url = f"sqlite:///{sqlite_file}"
    upgrade(url)  # migrated in place: the file and its WAL are this test's alone from the first page
    world = _world(url)
    copies: list[Copy] = []
    try:
        _play(world, lambda label: copies.append(_read_copy(sqlite_file, label)))
        with make_session_factory(world.engine)() as s:
            by_person = {p.slack_user_id: p.id for p in s.scalars(select(Participant))}
    finally:
        world.engine.dispose()
    assert world.engine.dialect.name == "sqlite" and any(c.wal for c in copies), "the app's engine writes a WAL"
    participant_of = [by_person[world.people[ORDER[k]]] for k in range(len(ANSWERS))]

    # 1. before the close, not one byte of any copy (main file, WAL, free pages, stale frames) holds an answer's words
    before = [c for c in copies if c.label != "closed"]
    leaks = [(c.label, m) for c in before for m in MARKERS if m.encode() in c.main or m.encode() in c.wal]
    assert not leaks, f"an answer's words in the copied files before the close: {leaks}"

    # 2. replay every copy's WAL commit by commit
    histories = [(c.label, _replay(c)) for c in copies]
    ballot_ids: set[str] = set()
    closes = 0
    for label, states in histories:
        for prev, state in itertools.pairwise(states):
            ballot_ids |= set(state.ballots)
            receipts_changed = prev.receipts != state.receipts
            new_answers = _readable(state) - _readable(prev)
            # no commit both turns a receipt "answered" and adds a readable answer
            assert not (receipts_changed and new_answers), (label, "a commit ties a receipt to an answer")
            if new_answers:
                closes += 1
                # the commit that makes answers readable is the close: all of them at once, no receipt page touched
                assert label == "closed" and len(state.responses) == len(ANSWERS), label
                receipt_pages = state.pages_of.get("poll_receipt", set()) | prev.pages_of.get("poll_receipt", set())
                assert not (state.written & receipt_pages), "the close wrote a page of poll_receipt"
                assert not state.ballots, "the ballots went with the close"
            turned = [p for p, a in state.receipts.items() if a and not prev.receipts.get(p)]
            if turned:  # an answer: exactly one receipt turned "answered", with one ballot nobody can read
                assert len(turned) == 1 and len(state.ballots) == len(prev.ballots) + 1, label
        # while the round is open, no state of any copy has a readable answer at all
        if label != "closed":
            assert all(not s.responses for s in states), label
    assert closes >= 1, "the attacker saw the close commit"

    # 3. the answers in the end: in an order (and with row ids) that says nothing of who answered when, and keys
    # that are not their ballots'
    final = histories[-1][1][-1]
    in_storage = [_key_of(mood, answers, comment) for _, _, mood, answers, comment in final.responses]
    _assert_shuffled(in_storage)
    assert not {rid for _, rid, *_ in final.responses} & ballot_ids
    assert all(final.receipts[p] for p in participant_of)


# -- PostgreSQL: every tuple of the heap, live and dead, with the transactions that wrote and deleted it ------
@dataclass
class Tuple:
    table: str
    ctid: str
    xmin: int
    xmax: int
    data: bytes


def _heap(conn: Any, table: str) -> list[Tuple]:
    blocks = conn.execute(
        text("SELECT pg_relation_size(CAST(:t AS regclass)) / current_setting('block_size')::int"), {"t": table}
    ).scalar_one()
    out = []
    for block in range(int(blocks)):
        rows = conn.execute(
            text(
                "SELECT lp, t_xmin::text::bigint, t_xmax::text::bigint, t_data FROM heap_page_items("
                "get_raw_page(:t, :b)) WHERE t_data IS NOT NULL"
            ),
            {"t": table, "b": block},
        )
        out += [Tuple(table, f"({block},{lp})", xmin, xmax, bytes(data)) for lp, xmin, xmax, data in rows]
    return out


def _tables(conn: Any) -> list[str]:
    """Every table of the schema, and the TOAST table of each that has one (where long values go, a ballot too)."""
    tables = list(
        conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).scalars()
    )
    toast = conn.execute(
        text(
            "SELECT t.reltoastrelid::regclass::text FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = 'public' AND t.relkind = 'r' AND t.reltoastrelid <> 0 ORDER BY 1"
        )
    ).scalars()
    return tables + list(toast)


@pytest.fixture
def pg_url(scratch: Any) -> str:
    if "postgresql" not in backends():
        pytest.skip("TANDEM_TEST_DATABASE_URL is not set: no PostgreSQL to attack")
    url = scratch.migrated("postgresql")
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except Exception as exc:  # no superuser, or the contrib package is not installed
        pytest.skip(f"pageinspect cannot be created here: {type(exc).__name__}")
    finally:
        admin.dispose()
    return url


def test_postgresql_dead_tuples_tie_no_answer_to_anyone(pg_url: str) -> None:
    world = _world(pg_url)
    inspector = make_engine(pg_url, isolation_level="AUTOCOMMIT")
    heaps: list[tuple[str, dict[str, list[Tuple]]]] = []
    try:
        with inspector.connect() as conn:
            # the attacker's best case: nothing vacuumed away
            for table in ("poll_receipt", "poll_ballot", "poll_response", "poll_round"):
                conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))

            def copy(label: str) -> None:
                heaps.append((label, {t: _heap(conn, t) for t in _tables(conn)}))

            _play(world, copy)
            with make_session_factory(world.engine)() as s:
                answered = s.scalar(select(func.count()).select_from(PollReceipt).where(PollReceipt.answered))
    finally:
        inspector.dispose()
        world.engine.dispose()
    assert answered == len(ANSWERS)

    # 1. before the close, no tuple of any table, live or dead, holds an answer's words
    for label, heap in heaps[:-1]:
        leaks = [
            (t.table, t.ctid, m) for tuples in heap.values() for t in tuples for m in MARKERS if m.encode() in t.data
        ]
        assert not leaks, f"{label}: an answer's words in a tuple before the close: {leaks}"
        assert not heap["poll_response"], (label, "a response tuple while the round is open")
    assert len(heaps[-2][1]["poll_ballot"]) == len(ANSWERS), "the answers were there, sealed"
    assert any(name.startswith("pg_toast.") and tuples for name, tuples in heaps[-2][1].items()), "TOAST was read"

    # 2. after the close: no readable answer shares a transaction with any change of a receipt (its insert, its
    # update to "answered", its dead versions), nor with a ballot's insert
    _, final = heaps[-1]
    receipt_xids = {x for t in final["poll_receipt"] for x in (t.xmin, t.xmax)} - {0}
    ballot_xids = {t.xmin for t in final["poll_ballot"]}
    response_xids = {t.xmin for t in final["poll_response"]}
    assert len(final["poll_response"]) == len(ANSWERS)
    assert not response_xids & receipt_xids, "an answer was written by a transaction that changed a receipt"
    assert not response_xids & ballot_xids, "an answer was written by the transaction that wrote its ballot"
    assert len(response_xids) == 1, "the answers were written in one transaction"
    assert len(ballot_xids) == len(ANSWERS) and all(t.xmax in response_xids for t in final["poll_ballot"])

    # 3. in physical order the answers say nothing of who answered when
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT mood, answers, comment FROM poll_response ORDER BY ctid")).all()
    finally:
        engine.dispose()
    _assert_shuffled([_key_of(mood, answers, comment) for mood, answers, comment in rows])


# -- without the key: nothing opens, and every ballot looks the same -------------------------------------------
@pytest.fixture(params=backends())
def fresh(request: pytest.FixtureRequest, scratch: Any) -> Iterator[World]:
    world = _world(scratch.migrated(request.param), people=6, threshold=5)
    yield world
    world.engine.dispose()


def _ballots(world: World) -> list[bytes]:
    with make_session_factory(world.engine)() as s:
        return list(s.scalars(select(PollBallot.sealed).where(PollBallot.round_id == world.round_id)))


def _submit(world: World, k: int, comment: str | None, mood: int = 3) -> str:
    with make_session_factory(world.engine)() as s:
        person = s.scalars(select(Participant).where(Participant.slack_user_id == world.people[k])).one()
        questions = s.get(PollRound, world.round_id).questions  # type: ignore[union-attr]
        pulse = rules.Pulse(mood=mood, answers={q: 4 for q in questions}, comment=comment)
        return polls.submit(s, participant=person, round_id=world.round_id, pulse=pulse, now=OPENS + timedelta(hours=2))


def test_without_the_key_no_ballot_opens_and_all_have_one_length(fresh: World) -> None:
    longest = "🦊" * rules.COMMENT_MAX  # 1,000 characters of 4 bytes each in UTF-8
    for k, comment in enumerate((None, "a", "QX-MARK a middling comment", longest, "\x07" * rules.COMMENT_MAX)):
        assert _submit(fresh, k, comment, mood=k + 1) == polls.SAVED
    sealed = _ballots(fresh)
    assert len(sealed) == 5 and len({len(b) for b in sealed}) == 1  # the comment's length shows nowhere
    stranger = crypto.Keyring.from_text(crypto.new_key())
    for ballot in sealed:
        with pytest.raises(crypto.CannotOpen):
            stranger.open(polls.BALLOT_PURPOSE, ballot)
        assert b"QX-MARK" not in ballot and "🦊".encode() not in ballot
    # the app's key opens them (only at the close, in bot.services.polls)
    opened = sorted(polls.open_ballot(crypto.keyring(), b, round_id=fresh.round_id).comment or "" for b in sealed)
    assert opened == sorted(["", "a", "QX-MARK a middling comment", longest, "\x07" * rules.COMMENT_MAX])


def test_below_the_threshold_the_ballots_are_deleted_unopened(fresh: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in range(4):  # four of six: below 5
        assert _submit(fresh, k, f"QX-MARK {k}") == polls.SAVED
    opened: list[bytes] = []
    real_open = crypto.Keyring.open
    monkeypatch.setattr(crypto.Keyring, "open", lambda self, p, v: opened.append(v) or real_open(self, p, v))
    _tick(fresh, CLOSES)
    with make_session_factory(fresh.engine)() as s:
        assert s.get(PollRound, fresh.round_id).closed  # type: ignore[union-attr]
        assert not s.scalars(select(PollBallot)).all() and not s.scalars(select(PollResponse)).all()
        assert sum(r.answered for r in s.scalars(select(PollReceipt))) == 4
        program = s.scalars(select(Program)).one()
        release.release(s, program, now=CLOSES)  # the weekly release shows the round as hidden, for good
        [result] = polls.results(s, program=program)
    assert opened == [] and not result.shown


@pytest.mark.parametrize("lost", [1, 2])
def test_ballots_no_listed_key_opens_are_counted_and_dropped_without_their_content(
    fresh: World, lost: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Ballots sealed under a key that was removed before the close: counted in a log line, dropped. When the rest
    is below the threshold (six answered, threshold 5, two lost), no answer of the round is written at all."""
    app_key = crypto.keyring()
    try:
        crypto.use(crypto.Keyring.from_text(crypto.new_key()))  # a key that is removed before the close
        for k in range(lost):
            assert _submit(fresh, k, f"QX-LOST {k}") == polls.SAVED
        crypto.use(app_key)
        for k in range(lost, 6):
            assert _submit(fresh, k, f"QX-KEPT {k}") == polls.SAVED
        with caplog.at_level(logging.INFO, logger="bot.services.polls"):
            _tick(fresh, CLOSES)
    finally:
        crypto.use(app_key)
    with make_session_factory(fresh.engine)() as s:
        comments = sorted(c or "" for c in s.scalars(select(PollResponse.comment)))
        assert not s.scalars(select(PollBallot)).all()
    assert comments == ([f"QX-KEPT {k}" for k in range(lost, 6)] if 6 - lost >= 5 else [])
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.services.polls"]
    assert any(f"{lost} of 6 ballots no listed key opens" in line for line in lines), lines
    assert not any("QX-" in line for line in lines)


def test_rotation_reseals_open_ballots_under_the_new_key(fresh: World) -> None:
    from bot.services import rekey

    app_key = crypto.keyring()
    old_key, new_key = crypto.new_key(), crypto.new_key()
    try:
        crypto.use(crypto.Keyring.from_text(old_key))
        for k in range(5):
            assert _submit(fresh, k, f"QX-ROT {k}") == polls.SAVED
        before = _ballots(fresh)
        both = crypto.Keyring.from_text(f"{new_key},{old_key}")  # the new key first, the old one still listed
        crypto.use(both)
        with make_session_factory(fresh.engine)() as s:
            assert rekey.rotate(s) == {
                "pulse_ballots": 5,
                "pulse_ballots_unopenable": 0,
                "slack_tokens": 0,
                "slack_tokens_unopenable": 0,
            }
            s.commit()
        after = _ballots(fresh)
        assert not set(after) & set(before) and len({len(b) for b in after + before}) == 1
        assert all(both.sealed_with_current(b) for b in after)
        with make_session_factory(fresh.engine)() as s:  # a second run has nothing left to do
            assert rekey.rotate(s)["pulse_ballots"] == 0
        crypto.use(crypto.Keyring.from_text(new_key))  # the old key removed: the close still opens every ballot
        _tick(fresh, CLOSES)
        with make_session_factory(fresh.engine)() as s:
            assert sorted(c or "" for c in s.scalars(select(PollResponse.comment))) == [f"QX-ROT {k}" for k in range(5)]
    finally:
        crypto.use(app_key)


def test_nothing_but_the_receipt_and_the_ballot_changes_when_someone_answers(fresh: World) -> None:
    """What a submit writes, table by table: the receipt turns "answered" and one ballot appears; nothing else (no
    outbox row, no event, no timestamp anywhere, no enrollment or profile touched)."""
    from bot.services.privacy import every_row

    before = every_row(fresh.engine)
    assert _submit(fresh, 0, "QX-WHAT") == polls.SAVED
    after = every_row(fresh.engine)
    assert {t for t in after if sorted(after[t]) != sorted(before[t])} == {"poll_receipt", "poll_ballot"}
    assert len(after["poll_ballot"]) == len(before["poll_ballot"]) + 1
    assert not any("QX-WHAT" in row for rows in after.values() for row in rows)
    # a second answer by the same person changes nothing
    assert _submit(fresh, 0, "QX-AGAIN") == polls.ANSWERED
    assert every_row(fresh.engine) == after


def test_the_app_key_is_not_in_the_database(fresh: World) -> None:
    assert _submit(fresh, 0, "QX-KEY") == polls.SAVED
    with make_session_factory(fresh.engine)() as s:
        rows = json.dumps([list(r) for r in s.execute(select(PollBallot.id, PollBallot.round_id)).all()], default=str)
    key_text = os.environ["TANDEM_SECRET_KEY"].split(",")[0]
    assert key_text not in rows
    url = make_url(fresh.url)
    if url.get_backend_name() == "sqlite":
        data = Path(str(url.database)).read_bytes() + Path(f"{url.database}-wal").read_bytes()
        assert key_text.encode() not in data and crypto.parse_keys(key_text)[0] not in data


def test_tandem_secret_key_rotate_reseals_what_an_older_key_sealed(fresh: World) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    app_key = crypto.keyring()
    old_key, new_key, gone_key = crypto.new_key(), crypto.new_key(), crypto.new_key()
    try:
        crypto.use(crypto.Keyring.from_text(gone_key))  # a key already removed from the setting: that ballot is lost
        assert _submit(fresh, 0, "QX-GONE") == polls.SAVED
        crypto.use(crypto.Keyring.from_text(old_key))
        for k in range(1, 4):
            assert _submit(fresh, k, f"QX-CLI {k}") == polls.SAVED
    finally:
        crypto.use(app_key)
    env = {"DATABASE_URL": fresh.url, "TANDEM_SECRET_KEY": f"{new_key},{old_key}"}
    done = CliRunner().invoke(main, ["secret-key", "--rotate"], env=env)
    assert done.exit_code == 0, done.output
    assert "pulse_ballots: 3" in done.output and "pulse_ballots_unopenable: 1" in done.output
    assert "1 stored value(s) no listed key opens" in done.output
    new_ring = crypto.Keyring.from_text(new_key)
    assert sum(new_ring.sealed_with_current(b) for b in _ballots(fresh)) == 3
    assert new_key not in done.output and old_key not in done.output
    again = CliRunner().invoke(main, ["secret-key", "--rotate"], env=env)
    assert again.exit_code == 0 and "pulse_ballots: 0" in again.output
    # without --rotate it prints a new key, as before
    printed = CliRunner().invoke(main, ["secret-key"])
    assert printed.exit_code == 0 and len(crypto.parse_keys(printed.output.strip())) == 1


def test_export_and_forget_me_with_an_open_ballot(fresh: World) -> None:
    """Export-my-data shows only that someone answered; forget-me leaves the sealed ballot alone (it names nobody),
    and it is counted with the others at the close, as every anonymous answer is."""
    from bot.services import privacy

    assert _submit(fresh, 0, "QX-FORGOTTEN answer", mood=1) == polls.SAVED
    with make_session_factory(fresh.engine)() as s:
        person = s.scalars(select(Participant).where(Participant.slack_user_id == fresh.people[0])).one()
        mine = privacy.stored_about(s, participant=person, may_see=lambda *_: True)
        assert mine["mood_polls_answered"] == 1 and "QX-FORGOTTEN" not in json.dumps(mine, default=str)
        privacy.forget(s, participant=person, now=OPENS + timedelta(hours=3), end_pair=lambda *_, **__: None)
    assert privacy.traces(fresh.engine, [fresh.people[0], "Person 0"]) == []
    assert len(_ballots(fresh)) == 1
    for k in range(1, 5):
        assert _submit(fresh, k, None, mood=3) == polls.SAVED
    _tick(fresh, CLOSES)
    with make_session_factory(fresh.engine)() as s:
        assert sorted(s.scalars(select(PollResponse.mood))) == [1, 3, 3, 3, 3]
        assert not s.scalars(select(PollBallot)).all()
