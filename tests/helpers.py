"""The tests' shared helpers, in one module: a LocalStack per test and raw signed requests; hosts, an admin
channel, a program and onboarded people; and the steps and people several test modules share (matching a program,
answering a pulse, replying in a pair's thread, sharing a note, installing over OAuth, ...). Test modules import
from here, never from each other."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st
from sqlalchemy import Engine, Integer, or_, select, text

from bot.clock import SimulatedClock
from bot.db import SLACK_STORE_TABLES, make_engine, reflected
from bot.domain.interview import DIRECTNESS, LEARNING_STYLES, MODES, PACES, VALUES
from bot.domain.matching import Candidate, Weights
from bot.flows import interview
from bot.ids import ID
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Note,
    OutboxMessage,
    Pair,
    Participant,
    Program,
    ProgramStatus,
)
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.server import Delivery
from bot.sandbox.stack import SIGNING_SECRET, LocalStack
from bot.services import matching, people
from bot.services.people import SlackProfile

# -- a stack on the test database, signed requests --------------------------------------------------------------------
# Monday 4 January 2027, 08:00 UTC: 09:00 in Berlin, 08:00 in Lisbon, 03:00 in New York, 16:00 in Singapore.
START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


_ENGINES: dict[str, Engine] = {}


def shared_engine(database_url: str) -> Engine:
    """One engine per test database and process, for the tests and every stack on it: SQLAlchemy compiles each
    statement once per engine, not once per test. (A stack's restart still closes its connections.)"""
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _ENGINES[database_url] = make_engine(database_url, query_cache_size=3000)
    return engine


def make_stack(database_url: str) -> LocalStack:
    """On the database's shared engine. Each jump of the clock first checks that no job acts at the last tick it
    skips; with TANDEM_VERIFY_JUMPS=1 also at the first two and every few hours between."""
    verify = {"1": "full", "0": "off"}.get(os.environ.get("TANDEM_VERIFY_JUMPS", ""), "edge")
    return LocalStack(
        database_url,
        clock=SimulatedClock(START),
        migrate=False,
        verify_jumps=verify,
        engine=shared_engine(database_url),
    )


def assert_calls_ok(stack: LocalStack) -> None:
    """Every Web API call Tandem made is one Slack accepts, every interaction answer was well formed, and every
    response_url post was accepted."""
    from bot.sandbox.blockkit import validate_call

    for i, call in enumerate(stack.sandbox.calls):
        assert validate_call(call["method"], call["args"]) == [], f"call {i} {call['method']} invalid"
    assert stack.sandbox.problems == []
    assert all(post["ok"] for post in stack.sandbox.response_url_posts), stack.sandbox.response_url_posts


def signed_post(
    url: str, body: bytes, *, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> tuple[int, bytes]:
    """POST ``body`` signed as Slack signs it; returns (status, body)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def command_body(*, user_id: str, text: str, team_id: str = "T0TANDEM", channel_id: str = "D0000001") -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team_id,
            "team_domain": "tandem-sandbox",
            "channel_id": channel_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": "someone",
            "command": "/tandem",
            "text": text,
            "api_app_id": "A0TANDEM",
            "response_url": "http://127.0.0.1:9/response/none",
            "trigger_id": "1.2.3",
        }
    ).encode()


def json_body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


# -- hosts, an admin channel, a program, onboarded people -------------------------------------------------------------
PROGRAM_VALUES = {
    ID.PROGRAM_NAME.value: "Pilot 2027",
    ID.PROGRAM_FIELDS.value: "Creator skills for leaders\nEnterprise governance for young professionals",
    ID.PROGRAM_START.value: "2027-02-01",
}


def persona(stack: LocalStack, name: str, tz: str = "Europe/Berlin", locale: str = "en-US", **kw) -> Persona:
    return stack.sandbox.persona(stack.sandbox.add_user(name, real_name=f"{name} Example", tz=tz, locale=locale, **kw))


def admin_channel(stack: LocalStack, host: Persona, *others: Persona) -> str:
    """A private channel with Tandem in it, claimed by ``host`` (a workspace admin)."""
    channel = stack.sandbox.create_channel("tandem-hosts", is_private=True, members=[host.id, *(o.id for o in others)])
    stack.sandbox.invite(channel, stack.sandbox.bot_user_id, inviter=host.id)
    assert host.slash("admin setup", channel_id=channel).ok
    stack.settle()
    return channel


def create_program(stack: LocalStack, host: Persona, channel: str, **values: str) -> dict:
    """Open the program modal with /tandem admin new and submit it; returns the delivery's JSON (or {})."""
    host.slash("admin new", channel_id=channel)
    view = host.open_views()[-1]
    delivery = host.submit(view["id"], {**PROGRAM_VALUES, **values})
    stack.settle()
    return delivery.json() if delivery.body else {}


def onboard(stack: LocalStack, people: dict[str, tuple], program_name: str = "Pilot 2027") -> dict[str, Persona]:
    """People who finished the interview, written straight to the database (the interview has its own tests).

    ``people``: name -> (role, Slack locale, zone, display name, department, can teach, wants to learn, values)."""
    personas = {}
    now = stack.clock.now()
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == program_name)).one()
        for name, (role, locale, tz, display, dept, teach, learn, values) in people.items():
            p = persona(stack, name, tz=tz, locale=locale)
            personas[name] = p
            participant = Participant(
                workspace_id=program.workspace_id,
                slack_user_id=p.id,
                display_name=display,
                tz=tz,
                locale=locale[:2],
                role=role,
                self_description=f"I am {display}.",
                department=dept,
                can_teach=teach,
                want_to_learn=learn,
                curiosity=[],
                values=values,
                learning_style="doing",
                preferences={"mode": "async", "pace": "steady", "directness": "balanced"},
                hours_per_week=2,
                preferred_days=[1, 3],
                created_at=now,
                updated_at=now,
            )
            s.add(participant)
            s.flush()
            s.add(
                Enrollment(
                    program_id=program.id,
                    participant_id=participant.id,
                    status=EnrollmentStatus.ONBOARDED,
                    source="list",
                    invited_at=now,
                    completed_at=now,  # as the interview's last step records it
                    last_activity_at=now,
                    reminders_sent=0,
                    step_message={},
                )
            )
        s.commit()
    return personas


# -- steps and people several test modules share ----------------------------------------------------------------------
# name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
PAIR = {
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Wei", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jorg": ("context", "de-DE", "America/New_York", "Jörg", "Finance", ["governance"], ["podcasts"], ["growth"]),
}


OTHERS = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Priya": ("context", "en-GB", "Asia/Singapore", "Priya", "Risk", ["budgeting"], ["short video"], ["trust"]),
}


def match(stack: LocalStack, host: Persona, channel: str) -> None:
    host.slash("admin match", channel_id=channel)
    stack.settle()
    preview = [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]
    host.click(ID.MATCH_APPROVE, message=preview)
    stack.settle()


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database, with all columns but autoincrement ids (rows in key order)."""
    meta = reflected(engine)
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            key = list(table.primary_key.columns)
            autoincrement = {c.name for c in key if len(key) == 1 and isinstance(c.type, Integer)}
            columns = [c for c in table.columns if c.name not in autoincrement]
            out[table.name] = [dict(row._mapping) for row in conn.execute(select(*columns).order_by(*key))]
    return out


def pair_group_dm(stack: LocalStack, a: Persona, b: Persona) -> str:
    """The pair's group DM (known once its introduction went out)."""
    with stack.session_factory() as s:
        ids = dict(s.execute(select(Participant.slack_user_id, Participant.id)).tuples().all())
        pair = s.scalars(
            select(Pair).where(
                or_(
                    (Pair.participant_a_id == ids[a.id]) & (Pair.participant_b_id == ids[b.id]),
                    (Pair.participant_a_id == ids[b.id]) & (Pair.participant_b_id == ids[a.id]),
                )
            )
        ).one()
        channel = matching.pair_channel(s, pair)
    assert channel is not None and set(stack.sandbox.conversation(channel)["members"]) >= {a.id, b.id}
    return channel


# name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
POLL_PEOPLE = {
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social", ["short video"], ["budgeting"], ["trust"]),
    "Karl": ("context", "de-DE", "Europe/Berlin", "Karl", "Risk", ["budgeting"], ["short video"], ["trust"]),
    "Lea": ("digital", "en-GB", "Europe/Berlin", "Lea", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jon": ("context", "en-GB", "Europe/Berlin", "Jon", "Finance", ["governance"], ["podcasts"], ["growth"]),
    "Mia": ("digital", "en-US", "America/New_York", "Mia", "Design", ["no-code"], ["strategy"], ["curiosity"]),
    "Tom": ("context", "en-US", "America/New_York", "Tom", "Legal", ["strategy"], ["no-code"], ["curiosity"]),
}


def pulse_setup(stack: LocalStack) -> tuple[Persona, str, dict[str, Persona]]:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, POLL_PEOPLE)
    match(stack, hanna, channel)
    return hanna, channel, people


def has_action(message: dict[str, Any], action_id: str) -> bool:
    return any(el.get("action_id") == action_id for _, el in iter_action_elements(message.get("blocks") or []))


def pulses(p: Persona) -> list[dict[str, Any]]:
    return [m for m in p.dm_messages() if has_action(m, ID.POLL_OPEN)]


def open_pulse(stack: LocalStack, p: Persona) -> dict[str, Any] | None:
    """Click "Answer the pulse" in the latest pulse DM: the modal it opened, or None."""
    for done in p.open_views():  # the thank-you view of an earlier answer, say
        p.close(done["id"])
    p.click(ID.POLL_OPEN, message=pulses(p)[-1])
    stack.settle()
    return p.open_views()[-1] if p.open_views() else None


def pulse_values(view: dict[str, Any], mood: str | None, q1: str | None, q2: str | None, comment: str | None) -> dict:
    ids = {b.get("block_id") for b in view["blocks"]}
    values: dict[str, Any] = {ID.POLL_MOOD.value: mood, ID.POLL_COMMENT.value: comment}
    for block_id, value in ((ID.POLL_Q1.value, q1), (ID.POLL_Q2.value, q2)):
        if block_id in ids:
            values[block_id] = value
    return values


def answer_pulse(stack: LocalStack, p: Persona, mood: int, q1: int, q2: int, comment: str | None = None) -> dict:
    view = open_pulse(stack, p)
    assert view is not None
    delivery = p.submit(view["id"], pulse_values(view, str(mood), str(q1), str(q2), comment))
    stack.settle()
    return delivery.json()


def last_with_action(messages: list[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
    for message in reversed(messages):
        if any(el.get("action_id") == action_id for _, el in iter_action_elements(message.get("blocks") or [])):
            return message
    return None


def group_dm_of(stack: LocalStack, p: Persona) -> str:
    for cid, conv in stack.sandbox._convs.items():
        if conv["kind"] == "mpim" and p.id in conv["members"]:
            return cid
    raise AssertionError(f"no group DM for {p.name}")


def reply_in_thread(stack: LocalStack, who: Persona, text: str) -> None:
    dm = group_dm_of(stack, who)
    prompt = last_with_action(stack.sandbox.messages(dm), ID.RHYTHM_ANSWER)
    assert prompt is not None
    who.say(dm, text, thread_ts=prompt["ts"])
    stack.settle()


INTERVIEW_FIELDS = ["Creator skills for leaders", "Enterprise governance for young professionals", "No-code automation"]


def enroll(
    stack: LocalStack, name: str, tz: str, slack_locale: str, *, fields: list[str] | None = None
) -> tuple[Persona, int]:
    """A persona in an active program whose interview has just started (its first step delivered)."""
    sandbox = stack.sandbox
    user_id = sandbox.add_user(name, real_name=f"{name} Test", tz=tz, locale=slack_locale)
    now = stack.clock.now()
    with stack.session_factory() as s:
        workspace = people.get_or_create_workspace(s, team_id=sandbox.team_id, bot_user_id=sandbox.bot_user_id, now=now)
        program = s.scalar(select(Program).where(Program.workspace_id == workspace.id))
        if program is None:
            program = Program(
                workspace_id=workspace.id,
                name="Pilot 2027",
                status=ProgramStatus.ACTIVE,
                learning_fields=INTERVIEW_FIELDS if fields is None else fields,
                created_at=now,
                updated_at=now,
            )
            s.add(program)
            s.commit()
        participant = people.get_or_register(
            s,
            team_id=sandbox.team_id,
            user_id=user_id,
            bot_user_id=sandbox.bot_user_id,
            lookup=lambda _uid: SlackProfile(name, tz, slack_locale),
            now=now,
        )
        enrollment = Enrollment(
            program_id=program.id,
            participant_id=participant.id,
            status=EnrollmentStatus.INVITED,
            invited_at=now,
            last_activity_at=now,
        )
        s.add(enrollment)
        s.flush()
        interview.start(s, enrollment=enrollment, now=now)
        s.commit()
        enrollment_id = enrollment.id
    stack.settle()
    return sandbox.persona(user_id), enrollment_id


# display names long and odd enough that finding one anywhere means it was not forgotten
PRIVACY_PEOPLE = {
    "Ana": (
        "digital",
        "de-DE",
        "Europe/Berlin",
        "Anabel Zwirnfaden",
        "Social",
        ["short video"],
        ["budgeting"],
        ["trust"],
    ),
    "Karl": (
        "context",
        "de-DE",
        "Europe/Berlin",
        "Karlheinz Quappe",
        "Risk",
        ["budgeting"],
        ["short video"],
        ["trust"],
    ),
    "Lea": ("digital", "en-GB", "Europe/Berlin", "Leandra Murmel", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jon": (
        "context",
        "en-GB",
        "Europe/Berlin",
        "Jonathan Wibble",
        "Finance",
        ["governance"],
        ["podcasts"],
        ["growth"],
    ),
}


PRIVACY_START = "2027-01-04"


def participant_of(s: Any, p: Persona) -> Participant:
    return s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()


def pair_of(s: Any, me: Participant) -> tuple[Pair, Participant]:
    pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
    other = pair.participant_b_id if pair.participant_a_id == me.id else pair.participant_a_id
    return pair, s.get(Participant, other)


def privacy_setup(stack: LocalStack) -> dict[str, Any]:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: PRIVACY_START, ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, PRIVACY_PEOPLE)
    match(stack, hanna, channel)
    with stack.session_factory() as s:
        ana = participant_of(s, people["Ana"])
        _pair, partner = pair_of(s, ana)
        partner_persona = next(p for p in people.values() if p.id == partner.slack_user_id)
    return {"hanna": hanna, "channel": channel, "partner": partner_persona, **{k.lower(): v for k, v in people.items()}}


SECOND = "T0SECOND"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_BROWSER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def browser_get(url: str, *, cookie: str | None = None, language: str | None = None) -> tuple[int, dict[str, str], str]:
    """A browser's GET that does not follow redirects: (status, headers, body)."""
    headers = {"Cookie": cookie} if cookie else {}
    if language:
        headers["Accept-Language"] = language
    request = urllib.request.Request(url, headers=headers)
    try:
        with _BROWSER.open(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read().decode()


def start_install(stack: LocalStack, team: str | None = None) -> tuple[str, str]:
    """GET /slack/install: (the authorize URL it sends the browser to, the state cookie it sets)."""
    status, headers, _ = browser_get(f"{stack.base_url}/slack/install" + (f"?team={team}" if team else ""))
    assert status == 302, status
    return headers["Location"], headers["Set-Cookie"].split(";")[0]


def approve(authorize_url: str) -> str:
    """The person approves on the sandbox's Slack: the redirect URL back to the app (code and state)."""
    status, headers, body = browser_get(authorize_url)
    assert status == 302, body
    return headers["Location"]


def install(stack: LocalStack, team: str | None = None, language: str | None = None) -> tuple[int, str]:
    """The whole install as a browser does it: (status, body) of the app's redirect page."""
    authorize_url, cookie = start_install(stack, team)
    status, _, body = browser_get(approve(authorize_url), cookie=cookie, language=language)
    return status, body


def clear_slack_stores(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in sorted(SLACK_STORE_TABLES):
            conn.execute(text(f"DELETE FROM {table}"))


def note_id_of(stack: LocalStack, marker: str) -> int:
    with stack.session_factory() as s:
        return s.scalars(select(Note.id).where(Note.text.contains(marker))).one()


def share_asks(p: Persona) -> dict[str, dict[str, Any]]:
    """The partner's "share this note beyond your tandem?" DMs, by note id."""
    asks = {}
    for m in p.dm_messages():
        for _, el in iter_action_elements(m.get("blocks") or []):
            if el["action_id"] == ID.NOTE_SHARE_YES:
                asks[el["value"]] = m
    return asks


def deliver_asks(stack: LocalStack, partner: Persona) -> dict[str, dict[str, Any]]:
    """The questions come in the partner's daytime: jump the clock there (nothing ticks on the way) and send them."""
    with stack.session_factory() as s:
        due = s.scalars(select(OutboxMessage.not_before).where(OutboxMessage.dedupe_key.like("note:%"))).all()
    stack.clock.set(max(stack.clock.now(), *[d for d in due if d is not None]))  # type: ignore[attr-defined]
    stack.settle()
    return share_asks(partner)


def answer_share(stack: LocalStack, partner: Persona, marker: str, *, yes: bool = True) -> Delivery:
    """The author's partner answers the question about the note with ``marker``, from their DM."""
    nid = str(note_id_of(stack, marker))
    ask = deliver_asks(stack, partner)[nid]
    delivery = partner.click(ID.NOTE_SHARE_YES if yes else ID.NOTE_SHARE_NO, message=ask, value=nid)
    stack.settle()
    return delivery


MATCHING_PROFILES = {
    # name: (role, locale, tz, department, can_teach, want_to_learn, values)
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Social Media", ["short video"], ["stakeholder maps"], ["curiosity"]),
    "Lena": ("digital", "de-DE", "Europe/Berlin", "Marketing", ["no-code"], ["budgeting"], ["trust"]),
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jorg": ("context", "de-DE", "Europe/Berlin", "Finance", ["budgeting"], ["short video"], ["curiosity"]),
    "Olivia": ("context", "en-US", "America/New_York", "Strategy", ["stakeholder maps"], ["no-code"], ["trust"]),
    "Priya": ("context", "en-GB", "Asia/Singapore", "Risk", ["governance"], ["podcasts"], ["growth"]),
    "Kenji": ("context", "en-US", "Asia/Singapore", "Legal", ["contracts"], ["podcasts"], ["clarity"]),
}


def onboard_profiles(stack: LocalStack, program_name: str = "Pilot 2027") -> dict[str, Persona]:
    """The seven MATCHING_PROFILES, onboarded."""
    return onboard(stack, {name: (*p[:3], name, *p[3:]) for name, p in MATCHING_PROFILES.items()}, program_name)


def matching_preview(stack: LocalStack, channel: str) -> dict:
    return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]


REF = datetime(2027, 1, 13, 12, 0, tzinfo=UTC)  # a Wednesday in winter, everywhere on standard time


ZONES = ("Europe/Berlin", "Europe/Lisbon", "America/New_York", "Asia/Singapore", "Asia/Kolkata")


TOPICS = ("short video", "Canva", "negotiation", "budgeting", "TikTok", "strategy")


# -- a next-due rule is the first moment its due rule acts: moments to try it at ---------------------------------------
# zones with summer time north and south, half-hour and odd offsets, switches at midnight; a name ZoneInfo knows that
# bot.domain.localtime.zone does not (CET: its own zone for the daytime, UTC for the weekday); an unknown one (UTC)
SWITCH_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "CET",
    "Nowhere/Else",
)
MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)
# the days in 2027 those zones switch to or from summer time (Santiago's and Chatham's at midnight, Lord Howe's by half
# an hour)
SWITCHES = tuple(
    datetime(2027, m, d, tzinfo=UTC) for m, d in ((3, 14), (3, 28), (4, 4), (9, 5), (9, 26), (10, 3), (10, 31), (11, 7))
)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """A UTC moment in 2026-2028, half of them within four days of a summer-time switch."""
    if draw(st.booleans()):
        return draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))).replace(tzinfo=UTC)
    seconds = draw(st.integers(-4 * 86400, 4 * 86400))
    return draw(st.sampled_from(SWITCHES)) + timedelta(seconds=seconds, microseconds=draw(st.integers(0, 999_999)))


def check_first(
    data: st.DataObject,
    acts: Callable[[datetime], object],
    *,
    now: datetime,
    first: datetime | None,
    horizon: timedelta = timedelta(days=40),
) -> None:
    """``first`` is the first moment at or after ``now`` at which ``acts`` (a due rule) gives something: at moments
    drawn from [now, first), among them the microsecond, second, minute and hour before it, it gives nothing
    (None or False), and at ``first`` it does. None: nothing at moments drawn up to ``horizon``."""
    end = now + horizon if first is None else first
    assert first is None or first >= now
    tries = [now, *(end - step for step in (MICROSECOND, timedelta(seconds=1), MINUTE, timedelta(hours=1)))]
    span = int((end - now) / MICROSECOND)
    if span > 0:
        tries += [now + MICROSECOND * draw for draw in data.draw(st.lists(st.integers(0, span - 1), max_size=20))]
    for when in tries:
        if now <= when < end:
            assert acts(when) in (None, False), f"acts at {when}, before {first}"
    if first is not None:
        assert acts(first) not in (None, False), f"nothing at {first}"


def person(id: int, role: str = "digital", **kw: object) -> Candidate:
    kw.setdefault("slack_user_id", f"U{id}")
    kw.setdefault("name", f"P{id}")
    kw.setdefault("tz", "Europe/Berlin")
    return Candidate(id=id, role=role, **kw)  # type: ignore[arg-type]


@st.composite
def pools(draw: st.DrawFn, max_size: int = 10) -> dict[str, object]:
    n = draw(st.integers(0, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    slack = [f"U{i}" for i in ids]
    people = []
    for i, pid in enumerate(ids):
        above = draw(st.lists(st.sampled_from(["UBOSS1", "UBOSS2", *slack]), max_size=3, unique=True))
        people.append(
            Candidate(
                id=pid,
                slack_user_id=slack[i],
                name=f"N{pid}",
                role=draw(st.sampled_from(("digital", "digital", "context", "context", "both"))),
                can_teach=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
                want_to_learn=tuple(t.upper() for t in draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
                curiosity=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=2))),
                department=draw(st.sampled_from([None, "Sales", "HR", "IT"])),
                values=tuple(draw(st.lists(st.sampled_from(VALUES[:5]), max_size=3, unique=True))),
                learning_style=draw(st.sampled_from([None, *LEARNING_STYLES])),
                mode=draw(st.sampled_from([None, *MODES])),
                pace=draw(st.sampled_from([None, *PACES])),
                directness=draw(st.sampled_from([None, *DIRECTNESS])),
                tz=draw(st.sampled_from(ZONES)),
                locale=draw(st.sampled_from(("en", "de"))),
                preferred_days=tuple(draw(st.lists(st.integers(0, 6), max_size=3, unique=True))),
                avoid=frozenset(draw(st.lists(st.sampled_from(slack), max_size=2))) if slack else frozenset(),
                managers=tuple(x for x in above if x != slack[i]),
                waitlisted=draw(st.booleans()),
            )
        )
    pairs: list[frozenset[int]] = []
    if n >= 2:
        two = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True)
        pairs = [frozenset(p) for p in draw(st.lists(two, max_size=6))]
    interest = {p: draw(st.sampled_from(("yes", "maybe", "no"))) for p in pairs[len(pairs) // 2 :]}
    ranked = [(v, c) for p in pairs for v, c in (tuple(p), tuple(p)[::-1])]
    ranks = {vc: draw(st.sampled_from((1, 2, 3))) for vc in ranked if draw(st.booleans())}
    order = draw(st.permutations(ids)) if ids else []
    locked = [(order[t], order[t + 1]) for t in range(0, draw(st.integers(0, 2)) * 2, 2) if t + 1 < len(order)]
    weights = draw(
        st.sampled_from(
            [
                Weights(),
                Weights(base=0, overlap=0, min_overlap_hours=0),
                Weights.from_overrides({"topics": 10, "values": 0.5, "behaviour": 0}),
            ]
        )
    )
    reference = draw(st.sampled_from([REF, datetime(2027, 3, 17, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)]))
    return {
        "people": people,
        "past_pairs": set(pairs[: len(pairs) // 2]),
        "interest": interest,
        "locked": locked,
        "weights": weights,
        "reference": reference,
        "ranks": ranks,
    }


def forged_click(
    stack: LocalStack,
    who: Persona,
    action_id: str,
    value: str,
    *,
    channel: str | None = None,
    team_id: str | None = None,
) -> Delivery:
    """A click on a button ``action_id`` carrying ``value``, on a message only ``who`` sees in ``channel`` (their DM
    with Tandem by default), from ``team_id`` (the sandbox's workspace by default): what a forged or replayed button
    looks like."""
    sandbox = stack.sandbox
    channel = channel or who.dm
    ts = sandbox.next_ts()
    payload = {
        "type": "block_actions",
        "user": {"id": who.id, "username": who.name, "name": who.name, "team_id": team_id or sandbox.team_id},
        "trigger_id": sandbox.issue_trigger(who.id),
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": True},
        "channel": {"id": channel, "name": sandbox.channel_name(channel)},
        "response_url": sandbox.issue_response_url(channel, who.id, message_ts=ts, is_ephemeral=True),
        "state": {"values": {}},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "action_ts": sandbox.next_ts(),
            }
        ],
    }
    return sandbox.send_interaction(payload)


# -- the clock's jumps: a job's NEXT_DUE is a lower bound -------------------------------------------------------------
def check_next_due(
    stack: LocalStack, name: str, *, until: datetime, every: timedelta = timedelta(minutes=20)
) -> datetime | None:
    """``bot.jobs.NEXT_DUE[name]`` at the stack's now, checked: the job ``name`` run (and rolled back) every ``every``
    from the next minute up to the moment it names (or ``until``, when it names none or a later one) writes nothing.
    Returns the moment, so a test can also say the job does act there (``probe`` at it)."""
    from bot.jobs import DUE_JOBS, NEXT_DUE
    from bot.services.ticks import probe

    now = stack.clock.now()
    with stack.session_factory() as session:
        due = NEXT_DUE[name](session, now)
        session.rollback()
    end = until if due is None else min(due, until)
    when = now + timedelta(minutes=1)
    while when < end:
        writes = probe(stack.engine, stack.session_factory, DUE_JOBS[name], when)
        assert not writes, f"{name} acts at {when:%Y-%m-%d %H:%M}, before the {due} its NEXT_DUE names: {writes[0]}"
        when += every
    return due
