"""Hosts per program (issue 18, item 1): Tandem admins see every program, a program's hosts and co-hosts only
theirs; someone in the admin channel without a role sees none; a co-host changes nothing about who hosts; posts about
a program reach only those who may see it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.hosts import HostRole, Scope, audience_is_everyone, confirmers, decision_problem
from bot.ids import ID
from bot.models import HostConfirmation, HostRoleRow, OutboxMessage, Participant, Program, ProgramStatus, Workspace
from tests.helpers import admin_channel, create_program, dump, forged_click, onboard, persona

KARL = ("digital", "en-GB", "Europe/Berlin", "Karl", "Content", ["podcasts"], ["governance"], ["growth"])


def test_scope_from_roles() -> None:
    scope = Scope.of([(HostRole.HOST, 1), (HostRole.COHOST, 2), ("bogus", 3), (HostRole.HOST, None)])
    assert (scope.sees(1), scope.sees(2), scope.sees(3), scope.sees(None)) == (True, True, False, False)
    assert (scope.manages(1), scope.manages(2)) == (True, False)
    assert not Scope().any and Scope.of([(HostRole.ADMIN, None)]).sees(99)
    assert audience_is_everyone({"A", "B"}, {"A", "B", "C"}) and not audience_is_everyone({"A", "B"}, {"A"})


def _texts(who) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m.get("text")) for m in who.ephemeral_messages())


def test_a_cohost_sees_and_acts_only_on_their_program(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    cora = persona(stack, "Cora")
    channel = admin_channel(stack, hanna)
    for name in ("Alpha Pilot", "Beta Pilot"):
        create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: name})
    stack.sandbox.invite(channel, cora.id, inviter=hanna.id)  # in the channel, but no role yet
    stack.advance(timedelta(minutes=2))  # the members cache is a minute old
    assert cora.slash("admin programs", channel_id=channel).ok
    assert "don't host any program yet" in _texts(cora)

    assert hanna.slash(f"admin hosts Beta Pilot cohost <@{cora.id}|cora>", channel_id=channel).ok
    stack.settle()
    with stack.session_factory() as s:
        ids = {p.name: p.id for p in s.scalars(select(Program))}
        assert s.scalars(select(HostRoleRow.role).where(HostRoleRow.slack_user_id == cora.id)).all() == ["cohost"]
    before = dump(stack.engine)

    assert cora.slash("admin programs", channel_id=channel).ok
    listing = _texts(cora)
    assert "Beta Pilot" in listing.split("don't host")[-1]
    shown = cora.ephemeral_messages()[-1]
    assert "Alpha Pilot" not in str(shown)
    for attempt in ("admin match Alpha Pilot", "admin impact Alpha Pilot", "admin notes Alpha Pilot"):
        assert cora.slash(attempt, channel_id=channel).ok
        answer = str(cora.ephemeral_messages()[-1])
        # refused as if Alpha did not exist: at most the name she typed comes back, nothing of the program
        assert "Alpha" not in answer.replace('"Alpha Pilot"', ""), (attempt, answer)
        assert "preview" not in answer.lower() and "KPI" not in answer, (attempt, answer)
    forged_click(stack, cora, ID.PROGRAM_PAUSE.value, str(ids["Alpha Pilot"]), channel=channel)
    stack.settle()
    assert "or you don't host it" in _texts(cora)
    assert cora.slash(f"admin hosts Beta Pilot add <@{cora.id}|cora>", channel_id=channel).ok
    assert "Only a Tandem admin or a host of *Beta Pilot*" in _texts(cora)
    assert dump(stack.engine)["program"] == before["program"]
    assert dump(stack.engine)["host_role"] == before["host_role"]

    # Hanna pauses Alpha: the post about it does not reach the channel Cora reads, but Hanna's DM
    forged_click(stack, hanna, ID.PROGRAM_PAUSE.value, str(ids["Alpha Pilot"]), channel=channel)
    stack.settle()
    assert not any("Alpha Pilot" in str(m) for m in stack.sandbox.messages(channel)[-3:] if "paused" in str(m))
    assert any("paused *Alpha Pilot*" in str(m.get("text")) for m in hanna.dm_messages())
    with stack.session_factory() as s:
        to_channel = s.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.dedupe_key.like(f"program:{ids['Alpha Pilot']}:%"))
        ).all()
    assert to_channel and all(p.get("channel") != channel for p in to_channel if p)


def test_removing_a_person_and_closing_a_program_need_a_second_host(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    hugo = persona(stack, "Hugo")
    channel = admin_channel(stack, hanna, hugo)  # both in the channel at setup: both Tandem admins
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: "Pilot 2027"})
    karl = onboard(stack, {"Karl": KARL})["Karl"]
    with stack.session_factory() as s:
        program_id = s.scalars(select(Program.id)).one()
    before = dump(stack.engine)["participant"]

    # Hanna asks: nothing is removed yet; the other hosts get the question
    assert forged_click(stack, hanna, ID.PRIVACY_REMOVE.value, karl.id, channel=channel).ok
    stack.settle()
    assert dump(stack.engine)["participant"] == before
    question = next(m for m in reversed(stack.sandbox.messages(channel)) if ID.HOST_CONFIRM.value in str(m))
    assert f"<@{hanna.id}> asks to remove <@{karl.id}>" in question["text"]
    # she cannot confirm her own request
    hanna.click(ID.HOST_CONFIRM, message=question)
    stack.settle()
    assert "second host has to decide" in _texts(hanna)
    assert dump(stack.engine)["participant"] == before
    # Hugo confirms: Karl is forgotten, and told
    hugo.click(ID.HOST_CONFIRM, message=question)
    stack.settle()
    with stack.session_factory() as s:
        assert karl.id not in {p.slack_user_id for p in s.scalars(select(Participant))}
        assert s.scalars(select(HostConfirmation)).all() == []
    assert any("removed" in m.get("text", "") for m in stack.sandbox.messages(channel)[-3:])

    # closing: Hugo asks, Hanna declines (nothing changes), Hugo asks again, Hanna confirms
    forged_click(stack, hugo, ID.PROGRAM_CLOSE.value, str(program_id), channel=channel)
    stack.settle()
    question = next(m for m in reversed(stack.sandbox.messages(channel)) if ID.HOST_DECLINE.value in str(m))
    hanna.click(ID.HOST_DECLINE, message=question)
    stack.settle()
    with stack.session_factory() as s:
        assert s.get(Program, program_id).status != ProgramStatus.CLOSED
    forged_click(stack, hugo, ID.PROGRAM_CLOSE.value, str(program_id), channel=channel)
    stack.settle()
    question = next(m for m in reversed(stack.sandbox.messages(channel)) if ID.HOST_CONFIRM.value in str(m))
    asked = next(el["value"] for b in question["blocks"] for el in b.get("elements", []) if "value" in el)
    hanna.click(ID.HOST_CONFIRM, message=question)
    stack.settle()
    with stack.session_factory() as s:
        assert s.get(Program, program_id).status == ProgramStatus.CLOSED
    # a second click on the decided request changes nothing
    forged_click(stack, hugo, ID.HOST_CONFIRM.value, asked, channel=channel)
    assert "already decided" in _texts(hugo)


def test_a_request_lapses_after_a_week() -> None:
    assert decision_problem(requester="A", decider="B", age_days=7.5) == "expired"
    assert decision_problem(requester="A", decider="A", age_days=0) == "self"
    assert decision_problem(requester="A", decider="B", age_days=6.9) is None
    assert confirmers({"A", "B", "C"}, {"A", "B"}, "A") == {"B"}  # C is not in the channel


def test_lowering_the_pulse_threshold_waits_for_a_second_host(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    hugo = persona(stack, "Hugo")
    channel = admin_channel(stack, hanna, hugo)
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: "Pilot 2027"})
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        program_id, before = program.id, program.poll_threshold
    forged_click(stack, hanna, ID.POLL_SETTINGS.value, str(program_id), channel=channel)
    assert not hanna.submit(hanna.open_views()[-1]["id"], {ID.POLL_THRESHOLD.value: "3"}).body
    stack.settle()
    with stack.session_factory() as s:
        assert s.get(Program, program_id).poll_threshold == before == 5  # unchanged until someone confirms
    question = next(m for m in reversed(stack.sandbox.messages(channel)) if ID.HOST_CONFIRM.value in str(m))
    assert "from 5 to 3 answers" in question["text"]
    hugo.click(ID.HOST_CONFIRM, message=question)
    stack.settle()
    with stack.session_factory() as s:
        assert s.get(Program, program_id).poll_threshold == 3
    # raising it needs nobody: fewer results shown is never a risk
    forged_click(stack, hugo, ID.POLL_SETTINGS.value, str(program_id), channel=channel)
    assert not hugo.submit(hugo.open_views()[-1]["id"], {ID.POLL_THRESHOLD.value: "6"}).body
    with stack.session_factory() as s:
        assert s.get(Program, program_id).poll_threshold == 6


def test_a_cohost_cannot_make_herself_an_admin_with_a_channel_of_her_own(stack) -> None:  # type: ignore[no-untyped-def]
    hanna = persona(stack, "Hanna", is_admin=True)
    cora = persona(stack, "Cora")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: "Beta Pilot"})
    stack.sandbox.invite(channel, cora.id, inviter=hanna.id)
    assert hanna.slash(f"admin hosts Beta Pilot cohost <@{cora.id}|cora>", channel_id=channel).ok
    stack.settle()
    own = stack.sandbox.create_channel("coras-hosts", is_private=True, members=[cora.id])
    stack.sandbox.invite(own, stack.sandbox.bot_user_id, inviter=cora.id)
    assert cora.slash("admin setup", channel_id=own).ok
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Workspace.admin_channel_id)).one() == channel
        assert s.scalars(select(HostRoleRow.role).where(HostRoleRow.slack_user_id == cora.id)).all() == ["cohost"]


def test_posts_for_the_hosts_are_routed_alike_everywhere(session) -> None:  # type: ignore[no-untyped-def]
    """``outbox.enqueue``, ``outbox.enqueue_many`` and ``hosts.post_to_hosts`` route a post about a program meant for
    the admin channel the same way: DMs to those who may see it while someone else is in the channel, the channel
    itself while the channel is unsafe (the post waits there, as every post to it does)."""
    from datetime import UTC, date, datetime

    from bot.services import hosts, outbox

    now = datetime(2027, 1, 4, 9, tzinfo=UTC)
    ws = Workspace(team_id="T0ROUTE", admin_channel_id="C0HOSTS", admin_members=["UHANNA", "UCORA"], created_at=now)
    session.add(ws)
    session.flush()
    program = Program(workspace_id=ws.id, name="Alpha", start_date=date(2027, 1, 4), created_at=now, updated_at=now)
    session.add(program)
    session.flush()
    session.add(HostRoleRow(workspace_id=ws.id, slack_user_id="UHANNA", role="admin", granted_at=now))
    session.flush()
    about = outbox.About.of(program=program)

    def channels() -> list[str]:
        return [m.payload["channel"] for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]

    message = {"text": "about Alpha"}
    outbox.enqueue(
        session,
        workspace_id=ws.id,
        method="chat.postMessage",
        payload={"channel": "C0HOSTS", **message},
        now=now,
        about=about,
    )
    outbox.enqueue_many(
        session,
        [
            {
                "workspace_id": ws.id,
                "method": "chat.postMessage",
                "payload": {"channel": "C0HOSTS", **message},
                "about": about,
            }
        ],
        now=now,
    )
    hosts.post_to_hosts(
        session, ws, program_id=program.id, message=lambda _l: message, now=now, cause="c1", about=about
    )
    assert channels() == ["UHANNA", "UHANNA", "UHANNA"]  # Cora, in the channel, hosts no Alpha
    ws.admin_channel_problems = "public"
    hosts.post_to_hosts(
        session, ws, program_id=program.id, message=lambda _l: message, now=now, cause="c2", about=about
    )
    assert channels()[-1] == "C0HOSTS" and len(channels()) == 4  # held with the channel's other posts, no DM
