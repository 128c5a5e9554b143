"""The peer circle (rules in ``bot.domain.kickoff``): per program, hosts choose none, one private channel per side
that Tandem creates, or one thread per side in a channel they pick. The clock keeps it: it creates each side's
channel (``conversations.create``, private) and invites that side's people in batches within Slack's limit, people
who come later too, and removes with ``conversations.kick`` those it invited who are no longer of the side (someone
forgotten is removed at once, ``forget_member``); in thread mode it opens each side's thread. Once a month, on the
program's first working day at 09:00 program time, it posts a prompt for swapping experiences there.

A side's people are those who got that side's kick-off kit in the program. Nothing from pairs is ever posted in a
circle: its messages are built from the program's name and its language only, never from a note, an answer, a goal
or a partner's name. Every call goes through the outbox; the next tick reads Slack's answer (the new channel's id,
the thread's ts) from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import kickoff as blocks
from bot.domain import kickoff as rules
from bot.domain import worktime
from bot.domain.localtime import zone
from bot.models import KickoffKit, OutboxMessage, OutboxStatus, Participant, PeerCircle, Program, ProgramStatus
from bot.services import outbox
from bot.services.ticks import MINUTE

CREATE_KEY = "peer:create:"  # + circle id (+ ":" + try, from the second name on): the private channel
THREAD_KEY = "peer:thread:"  # + circle id + ":" + channel: the side's thread in the hosts' channel
PROMPT_KEY = "peer:prompt:"  # + circle id + ":" + day: the monthly prompt


@dataclass
class _Program:
    """One program with a circle, as one tick sees it: its circles by side and how many kits each side got."""

    program: Program
    circles: dict[str, PeerCircle]
    kits: dict[str, int]


def _state(session: Session) -> list[_Program]:
    """Every active program with a peer circle, its circles and its kit counts per side (three queries)."""
    programs = list(
        session.scalars(
            select(Program)
            .where(Program.status == ProgramStatus.ACTIVE, Program.peer_circle != rules.OFF)
            .order_by(Program.id)
        )
    )
    if not programs:
        return []
    ids = [p.id for p in programs]
    circles: dict[int, dict[str, PeerCircle]] = {}
    for circle in session.scalars(select(PeerCircle).where(PeerCircle.program_id.in_(ids))):
        circles.setdefault(circle.program_id, {})[circle.side] = circle
    kits: dict[int, dict[str, int]] = {}
    counted = session.execute(
        select(KickoffKit.program_id, KickoffKit.side, func.count(KickoffKit.id))
        .where(KickoffKit.program_id.in_(ids))
        .group_by(KickoffKit.program_id, KickoffKit.side)
    ).tuples()
    for program_id, side, n in counted:
        kits.setdefault(program_id, {})[side] = int(n)
    return [_Program(p, circles.get(p.id, {}), kits.get(p.id, {})) for p in programs]


def _out_of_step(program: Program, circle: PeerCircle, kits: int) -> bool:
    """Whether the side's people may differ from whom Tandem invited: a side's people are its kits' holders, and a
    kit goes only when its holder is forgotten (``forget_member`` takes them off the list then), so equal counts
    mean equal sets."""
    return program.peer_circle == rules.CHANNELS and circle.channel_id is not None and kits != len(circle.members or [])


def _sent(session: Session, key: str) -> tuple[bool, dict[str, Any]]:
    """Whether the call with ``key`` was queued, and what Slack answered (empty until it was sent)."""
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == key))
    return row is not None, dict((row.result if row is not None else None) or {})


def _create_key(circle: PeerCircle, attempt: int) -> str:
    return f"{CREATE_KEY}{circle.id}" + (f":{attempt}" if attempt else "")


def _create_tries(session: Session, circle: PeerCircle) -> list[OutboxMessage]:
    """The calls queued to create the side's channel, in the order they were tried (one per name)."""
    keys = [_create_key(circle, n) for n in range(rules.NAME_TRIES)]
    found = {m.dedupe_key: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)))}
    return [found[k] for k in keys if k in found]


def _created(tries: list[OutboxMessage]) -> str | None:
    """The channel a try created, from Slack's answer to it (None: none did, or not yet)."""
    for tried in tries:
        channel = (tried.result or {}).get("channel")
        if isinstance(channel, dict) and channel.get("id"):
            return str(channel["id"])
    return None


def _creating(session: Session, circle: PeerCircle) -> bool:
    """Whether the clock has something to do or read for the side's channel: a try to queue, or one on its way."""
    tries = _create_tries(session, circle)
    on_its_way = bool(tries) and tries[-1].status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
    return (
        on_its_way
        or _created(tries) is not None
        or rules.next_create([(t.status, t.last_error) for t in tries]) is not None
    )


def desired(session: Session, program: Program, side: str) -> list[str]:
    """The Slack ids of the side's people: who got that side's kick-off kit in the program (forget-me deletes it)."""
    return sorted(
        session.scalars(
            select(Participant.slack_user_id)
            .join(KickoffKit, KickoffKit.participant_id == Participant.id)
            .where(KickoffKit.program_id == program.id, KickoffKit.side == side)
        )
    )


def is_working_day(program: Program) -> Any:
    tz = program.timezone or "UTC"
    return worktime.working_time(tz, program_days=program.working_days).is_working_day


def _ready(session: Session, program: Program, circle: PeerCircle, now: datetime) -> int:
    """Create the side's channel or open its thread (or read Slack's answer to that); 1 when it changed something."""
    if program.peer_circle == rules.CHANNELS:
        if circle.channel_id is not None:
            return 0
        tries = _create_tries(session, circle)
        channel = _created(tries)
        if channel is not None:
            circle.channel_id = channel
            return 1
        attempt = rules.next_create([(t.status, t.last_error) for t in tries])
        if attempt is None:
            return 0  # Slack has not answered yet, or refused for good
        outbox.enqueue(
            session,
            workspace_id=program.workspace_id,
            method="conversations.create",
            payload={"name": rules.channel_name(program.id, program.name, circle.side, attempt), "is_private": True},
            now=now,
            about=outbox.About.of(program=program),
            dedupe_key=_create_key(circle, attempt),
        )
        return 1
    channel = program.peer_channel_id
    if not channel:
        return 0
    if circle.channel_id != channel:  # the hosts picked another channel: a new thread there
        circle.channel_id, circle.thread_ts = channel, None
    if circle.thread_ts is not None:
        return 0
    key = f"{THREAD_KEY}{circle.id}:{channel}"
    queued, result = _sent(session, key)
    if not queued:
        outbox.post(
            session,
            workspace_id=program.workspace_id,
            channel=channel,
            message=blocks.circle_head(program.default_locale, side=circle.side, program=program.name),
            now=now,
            about=outbox.About.of(program=program),
            dedupe_key=key,
        )
        return 1
    if not result.get("ts"):
        return 0
    circle.thread_ts = str(result["ts"])
    return 1


def _members(session: Session, program: Program, circle: PeerCircle, now: datetime) -> int:
    """Invite the side's people Tandem has not invited yet, in batches; remove those it invited who left."""
    if program.peer_circle != rules.CHANNELS or circle.channel_id is None:
        return 0
    invite, kick = rules.membership(desired(session, program, circle.side), [str(u) for u in circle.members or []])
    for batch in rules.batches(invite):
        outbox.enqueue(
            session,
            workspace_id=program.workspace_id,
            method="conversations.invite",
            payload={"channel": circle.channel_id, "users": ",".join(batch)},
            now=now,
            about=outbox.About.of(program=program, users=batch),
        )
    for user in kick:
        _kick(session, program.workspace_id, circle, user, now=now, program=program)
    if invite or kick:
        circle.members = sorted((set(circle.members or []) | set(invite)) - set(kick))
    return len(invite) + len(kick)


def _kick(
    session: Session, workspace_id: int, circle: PeerCircle, user: str, *, now: datetime, program: Any = None
) -> None:
    outbox.enqueue(
        session,
        workspace_id=workspace_id,
        method="conversations.kick",
        payload={"channel": circle.channel_id, "user": user},
        now=now,
        about=outbox.About.of(program=program if program is not None else circle.program_id),
    )


def _until(program: Program) -> date | None:
    return rules.prompts_until(program.start_date, program.duration_weeks)


def _prompt(session: Session, program: Program, circle: PeerCircle, now: datetime) -> int:
    if circle.channel_id is None or (program.peer_circle == rules.THREAD and circle.thread_ts is None):
        return 0
    local = now.astimezone(zone(program.timezone or "UTC"))
    day = rules.prompt_day(local, circle.last_prompt_on, is_working_day(program), _until(program))
    if day is None:
        return 0
    message = blocks.circle_prompt(program.default_locale, side=circle.side, program=program.name)
    if program.peer_circle == rules.THREAD:
        message = {**message, "thread_ts": circle.thread_ts}
    outbox.post(
        session,
        workspace_id=program.workspace_id,
        channel=circle.channel_id,
        message=message,
        now=now,
        about=outbox.About.of(program=program),
        dedupe_key=f"{PROMPT_KEY}{circle.id}:{day.isoformat()}",
    )
    circle.last_prompt_on = day
    return 1


def due(session: Session, now: datetime) -> int:
    """Due job: each active program's peer circles created or opened, their people in step, the monthly prompt.
    Idempotent: a second tick in the same minute changes nothing. Does not commit. Returns how much it did."""
    done = 0
    for seen in _state(session):
        program = seen.program
        for side in rules.SIDES:
            circle = seen.circles.get(side)
            if circle is None:
                circle = PeerCircle(program_id=program.id, side=side, members=[], created_at=now)
                session.add(circle)
                session.flush()
            done += _ready(session, program, circle, now)
            if _out_of_step(program, circle, seen.kits.get(side, 0)):
                done += _members(session, program, circle, now)
            done += _prompt(session, program, circle, now)
    return done


def next_due(session: Session, now: datetime) -> datetime | None:
    """When :func:`due` may next act: the next minute while a circle waits for Slack's answer or its people are out
    of step; else the next monthly prompt of any program; None without circles (or with only channels Slack refused
    to create for good)."""
    moments: list[datetime] = []
    for seen in _state(session):
        program = seen.program
        local = now.astimezone(zone(program.timezone or "UTC"))
        for side in rules.SIDES:
            circle = seen.circles.get(side)
            waiting = circle is None or circle.channel_id is None
            to_create = waiting and circle is not None and program.peer_circle == rules.CHANNELS
            if to_create and circle is not None and not _creating(session, circle):
                continue  # refused for good: no channel, no prompt, nothing to do until a host changes something
            if circle is not None and program.peer_circle == rules.THREAD:
                waiting = waiting or circle.thread_ts is None or circle.channel_id != program.peer_channel_id
            if circle is not None and _out_of_step(program, circle, seen.kits.get(side, 0)):
                waiting = True
            if waiting or circle is None:
                moments.append(now + MINUTE)
                continue
            prompt = rules.next_prompt(local, circle.last_prompt_on, is_working_day(program), _until(program))
            if prompt is not None:
                moments.append(prompt)
    return min(moments, default=None)


def forget_member(session: Session, *, workspace_id: int, user_id: str, now: datetime) -> int:
    """Forget-me: the person removed from every circle Tandem invited them to, and their id from its list."""
    gone = 0
    circles = session.scalars(
        select(PeerCircle)
        .join(Program, Program.id == PeerCircle.program_id)
        .where(Program.workspace_id == workspace_id)
    )
    for circle in circles:
        if user_id in (circle.members or []):
            _kick(session, workspace_id, circle, user_id, now=now)
            circle.members = [u for u in circle.members if u != user_id]
            gone += 1
    return gone


def set_mode(session: Session, program: Program, *, mode: str, channel_id: str | None, now: datetime) -> None:
    """The hosts' choice. A change of mode starts afresh (the circles are built again; channels Tandem created stay
    in Slack). Does not commit."""
    if mode != program.peer_circle:
        for circle in session.scalars(select(PeerCircle).where(PeerCircle.program_id == program.id)):
            session.delete(circle)
    program.peer_circle = mode
    program.peer_channel_id = channel_id if mode == rules.THREAD else None
    program.updated_at = now
    session.flush()
