"""Least data (issue 16, item 6): asking Tandem something stores nothing about someone in no program, and whoever
never joins a program leaves no profile behind.

The attacker reads a copy of the database (every table: Tandem's, the outbox, slack_sdk's, alembic's) after each
interaction and looks for the person's Slack id and name. A refused host command, ``/tandem help``, App Home, the
Messages tab, a DM, ``/tandem privacy`` and the other questions leave nothing. A host's invitation stores the person
(to word and time the invitation and its reminders); declined, it is forgotten 30 days after the answer, unanswered
60 days after it was sent, and neither keeps the person alive through its program's retention when another program
they were in expires."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import i18n
from bot.domain import retention as rules
from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, Escalation, Participant, Program, ProgramStatus, Workspace
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import outbox, programs, retention
from bot.services.privacy import traces
from tests.helpers import admin_channel, create_program, forged_click, persona

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _needles(p: Persona) -> list[str]:
    return [p.id, p.real_name]


# -- asking stores nothing -----------------------------------------------------------------------------------------
def test_refusals_help_home_and_privacy_store_nothing_about_someone_in_no_program(
    stack: LocalStack, engine: Engine
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ozzy = persona(stack, "Ozymandias", tz="America/New_York", locale="de-DE")
    own = stack.sandbox.create_channel("ozzy-hosts", is_private=True, members=[ozzy.id])
    stack.sandbox.invite(own, stack.sandbox.bot_user_id, inviter=ozzy.id)
    stack.settle()
    assert traces(engine, _needles(ozzy)) == []

    def read(what: str) -> None:
        stack.settle()
        assert traces(engine, _needles(ozzy)) == [], f"{what} stored something about him"

    # refused: not a workspace admin, not a host
    assert ozzy.slash("admin setup", channel_id=own).ok
    assert "Nur Workspace-Admins" in ozzy.ephemeral_messages()[-1]["text"]  # his Slack language, asked of Slack
    read("a refused /tandem admin setup")
    for command in ("admin notes", "admin match", f"admin remove <@{hanna.id}>", "admin programs"):
        assert ozzy.slash(command, channel_id=channel).ok
        read(f"a refused /tandem {command}")
    assert forged_click(stack, ozzy, ID.PRIVACY_REMOVE.value, hanna.id).ok
    read("a forged host button")
    # questions about Tandem and about himself
    for command in ("help", "", "privacy", "export-my-data", "forget-me", "notes", "goals", "pause", "card", "metric"):
        assert ozzy.slash(command).ok
        read(f"/tandem {command}")
    assert "speichert über dich nichts" in str(ozzy.ephemeral_messages())
    assert ozzy.open_home().ok
    home = ozzy.home()
    assert home is not None and "Willkommen bei Tandem" in str(home)
    read("App Home")
    ozzy.click(ID.HOME_HELP, view_id=home["id"])
    read("the help button")
    for _ in range(2):  # the welcome DM, once: Slack's history of the DM says whether Tandem wrote before
        assert ozzy.open_messages_tab().ok
        read("the Messages tab")
    welcomes = [m for m in ozzy.dm_messages() if "Hallo" in m.get("text", "")]
    assert len(welcomes) == 1
    assert ozzy.send_dm("Hallo, was ist das?").ok
    read("a DM")
    assert any("Danke" in m.get("text", "") for m in ozzy.dm_messages())
    assert forged_click(stack, ozzy, ID.PRIVACY_EXPORT.value, "").ok
    read("the export button")
    # joining is what stores him
    assert ozzy.slash("join").ok  # no program open for sign-up: nothing to join
    read("/tandem join without an open program")


# -- whoever never joins is forgotten ------------------------------------------------------------------------------
def _invite(stack: LocalStack, hanna: Persona, channel: str, *people: Persona) -> None:
    hanna.slash("admin invite", channel_id=channel)
    view = hanna.open_views()[-1]
    assert not hanna.submit(view["id"], {ID.INVITE_USERS.value: [p.id for p in people]}).body
    stack.settle()


def _at(stack: LocalStack, day: date) -> None:
    """The clock at 04:00 UTC on ``day`` (after the daily look at 03:30), one tick and the worker."""
    stack.clock.set(datetime.combine(day, time(4, 0), tzinfo=UTC))  # type: ignore[attr-defined]
    stack.settle()


def test_a_declined_or_unanswered_invitation_is_forgotten_after_its_time(stack: LocalStack, engine: Engine) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        program.status = ProgramStatus.ACTIVE
        s.commit()
    dean, dora = persona(stack, "Deanbert"), persona(stack, "Doralice")
    _invite(stack, hanna, channel, dean, dora)
    assert traces(engine, _needles(dean)) and traces(engine, _needles(dora)), "the invitation stores them"
    kept_by = {table for table, _ in traces(engine, [dean.id])}
    assert "invite_batch" not in kept_by, "the host's list of whom to invite is not kept once the invitations are out"
    invitation = next(m for m in dean.dm_messages() if ID.INVITE_DECLINE.value in str(m))
    dean.click(ID.INVITE_DECLINE, message=invitation)
    stack.settle()
    day0 = stack.clock.now().date()
    # /tandem privacy says until when, and it is what the clock does below
    assert dean.slash("privacy").ok
    until = i18n.date_short(day0 + timedelta(days=rules.STRANGER_DAYS), "en")
    assert f"until about {until}" in str(dean.ephemeral_messages()[-1]["blocks"])
    assert dora.slash("privacy").ok
    until = i18n.date_short(day0 + timedelta(days=rules.STRANGER_DAYS + rules.INVITATION_DAYS), "en")
    assert f"until about {until}" in str(dora.ephemeral_messages()[-1]["blocks"])

    _at(stack, day0 + timedelta(days=rules.STRANGER_DAYS - 1))
    assert traces(engine, _needles(dean)), "a decline keeps him 30 days"
    _at(stack, day0 + timedelta(days=rules.STRANGER_DAYS + 1))
    assert traces(engine, _needles(dean)) == [], "declined 31 days ago: nothing of him is left"
    assert traces(engine, _needles(dora)), "an unanswered invitation keeps her 60 days"
    _at(stack, day0 + timedelta(days=rules.INVITATION_DAYS + rules.STRANGER_DAYS + 1))
    assert traces(engine, _needles(dora)) == [], "unanswered for 61 days: nothing of her is left"
    with stack.session_factory() as s:  # the program's counts are anonymous and stay
        program = s.scalars(select(Program)).one()
        counts = programs.counts(s, program_ids=[program.id])[program.id]
        assert (counts.invited, counts.declined, counts.pending) == (2, 1, 1)
    # her old invitation's button does nothing for her now: it is nobody's
    invitation = next(m for m in dora.dm_messages() if ID.INVITE_JOIN.value in str(m))
    dora.click(ID.INVITE_JOIN, message=invitation)
    stack.settle()
    assert "no longer kept" in dora.ephemeral_messages()[-1]["text"]
    assert traces(engine, _needles(dora)) == []


# -- at the level of the service: every kind of person, both backends -------------------------------------------------
def _program(s: Session, ws: Workspace, name: str, **kw: object) -> Program:
    program = Program(
        workspace_id=ws.id,
        name=name,
        status=kw.pop("status", ProgramStatus.ACTIVE),
        start_date=kw.pop("start_date", date(2026, 1, 5)),
        duration_weeks=4,
        retention_months=1,
        timezone="UTC",
        created_at=NOW - timedelta(days=400),
        updated_at=NOW - timedelta(days=400),
        **kw,
    )
    s.add(program)
    s.flush()
    return program


def _person(s: Session, ws: Workspace, user: str, *, met: datetime) -> Participant:
    person = Participant(
        workspace_id=ws.id, slack_user_id=user, display_name=f"Name of {user}", created_at=met, updated_at=met
    )
    s.add(person)
    s.flush()
    return person


def _enrol(s: Session, program: Program, person: Participant, status: str, *, at: datetime) -> None:
    s.add(
        Enrollment(
            program_id=program.id,
            participant_id=person.id,
            status=status,
            invited_at=at,
            responded_at=None if status == EnrollmentStatus.INVITED else at,
            last_activity_at=at,
            completed_at=at if status == EnrollmentStatus.ONBOARDED else None,
        )
    )
    outbox.post(
        s,
        workspace_id=program.workspace_id,
        channel=person.slack_user_id,
        message={"text": f"Hi {person.display_name}"},
        now=at,
        dedupe_key=f"invite:{program.id}-{person.id}",
        about=outbox.About.of(program=program, people=[person]),
    )


@pytest.mark.parametrize("declined_days_ago", [40, 10])
def test_a_declined_invitation_does_not_keep_a_person_through_its_programs_retention(
    session: Session, declined_days_ago: int
) -> None:
    """Erik was in Alpha, which ended long ago and whose data expires now; he declined Beta (still running, kept for
    a year). Beta's "not now" keeps him 30 days after he said it, not for Beta's retention."""
    ws = Workspace(team_id="T1", created_at=NOW - timedelta(days=400))
    session.add(ws)
    session.flush()
    alpha = _program(session, ws, "Alpha", status=ProgramStatus.CLOSED, closed_at=NOW - timedelta(days=60))
    beta = _program(session, ws, "Beta", start_date=date(2027, 2, 1))
    beta.retention_months = 12
    erik = _person(session, ws, "UERIK", met=NOW - timedelta(days=300))
    _enrol(session, alpha, erik, EnrollmentStatus.ONBOARDED, at=NOW - timedelta(days=300))
    _enrol(session, beta, erik, EnrollmentStatus.DECLINED, at=NOW - timedelta(days=declined_days_ago))
    session.commit()
    bind = session.get_bind()

    retention.expire_due(session, now=NOW)
    session.commit()
    if declined_days_ago > rules.STRANGER_DAYS:
        assert traces(bind, ["UERIK", "Name of UERIK"]) == []
        return
    assert traces(bind, ["UERIK"]), "a decline 10 days ago still keeps him (20 days more)"
    later = NOW + timedelta(days=rules.STRANGER_DAYS - declined_days_ago + 1)
    retention.people_due(session, later.replace(hour=4))
    session.commit()
    assert traces(bind, ["UERIK", "Name of UERIK"]) == []


def test_who_is_kept_and_who_is_forgotten(session: Session) -> None:
    """Every kind of person the daily look meets, 03:30 UTC once a day."""
    ws = Workspace(team_id="T1", created_at=NOW - timedelta(days=400))
    session.add(ws)
    session.flush()
    running = _program(session, ws, "Running", start_date=date(2027, 2, 1))
    long_ago = NOW - timedelta(days=100)
    recent = NOW - timedelta(days=10)
    kinds = {
        "UJOINED": (EnrollmentStatus.ONBOARDED, long_ago, True),  # in a running program: kept
        "UINTERVIEW": (EnrollmentStatus.INTERVIEWING, long_ago, True),  # joined, interview under way: kept
        "UDECLOLD": (EnrollmentStatus.DECLINED, long_ago, False),
        "UDECLNEW": (EnrollmentStatus.DECLINED, recent, True),
        "UINVOLD": (EnrollmentStatus.INVITED, NOW - timedelta(days=61), False),
        "UINVNEW": (EnrollmentStatus.INVITED, NOW - timedelta(days=59), True),
        "UNONEOLD": (None, long_ago, False),  # asked for help (or is left over): nothing keeps them
        "UNONENEW": (None, recent, True),
    }
    for user, (status, at, _) in kinds.items():
        person = _person(session, ws, user, met=at)
        if status is not None:
            _enrol(session, running, person, status, at=at)
    # long known, asked for help: kept 30 days after the request (its hosts may still answer), not after
    helped = {"UHELPNEW": (recent, True), "UHELPOLD": (NOW - timedelta(days=31), False)}
    for user, (at, kept) in helped.items():
        person = _person(session, ws, user, met=long_ago)
        session.add(Escalation(workspace_id=ws.id, participant_id=person.id, shared={}, created_at=at))
        kinds[user] = (None, at, kept)
        until = rules.stranger_until(first_contact=long_ago, helped=[at])
        assert (until > NOW) is kept
    # a host who is in no program, stored by an older Tandem: the profile goes, what they did as a host stays
    _person(session, ws, "UHOST", met=long_ago)
    running.created_by = "UHOST"
    ws.admin_members = ["UHOST"]
    outbox.post(
        session,
        workspace_id=ws.id,
        channel="C0ADMIN",
        message={"text": "<@UHOST> paused it"},
        now=NOW,
        about=outbox.About.of(program=running, users=["UHOST"]),
    )
    session.commit()
    bind = session.get_bind()

    assert retention.people_due(session, NOW.replace(hour=3, minute=29)) == 0  # not yet today
    assert retention.people_due(session, NOW.replace(hour=3, minute=30)) == 5
    session.commit()
    for user, (_, _, kept) in kinds.items():
        assert bool(traces(bind, [user])) is kept, user
    assert retention.people_due(session, NOW.replace(hour=23)) == 0  # once a day
    assert session.scalar(select(Participant.id).where(Participant.slack_user_id == "UHOST")) is None
    assert {table for table, _ in traces(bind, ["UHOST"])} == {"program", "workspace", "outbox"}
    # the enrollments stay, linked to anonymous rows: the program's counts do not change
    counts = programs.counts(session, program_ids=[running.id])[running.id]
    assert (counts.invited, counts.declined, counts.pending) == (6, 2, 2)
