"""Hosts run programs from a private admin channel: end to end through signed requests to the real app."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, InviteBatch, OutboxMessage, Program, ProgramStatus, Workspace
from bot.sandbox.stack import LocalStack
from tests.helpers import PROGRAM_VALUES, admin_channel, create_program, persona

STEP = timedelta(hours=1)  # long spans tick hourly (production: every minute; due work is due at or before now)


def _text(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _snapshot(stack: LocalStack) -> tuple:
    """Everything an admin action could change."""
    with stack.session_factory() as s:
        programs = [(p.id, p.name, p.status, p.signup_open, p.duration_weeks) for p in s.scalars(select(Program))]
        ws = [(w.team_id, w.admin_channel_id) for w in s.scalars(select(Workspace))]
        counts = tuple(s.scalar(select(func.count()).select_from(t)) for t in (Enrollment, InviteBatch, OutboxMessage))
    return programs, ws, counts


def test_setup_needs_a_workspace_admin_and_a_private_channel(stack: LocalStack) -> None:
    ada = persona(stack, "Ada", is_admin=True)
    bob = persona(stack, "Bob")
    public = stack.sandbox.create_channel("general", members=[ada.id, bob.id])
    stack.sandbox.invite(public, stack.sandbox.bot_user_id, inviter=ada.id)
    private = stack.sandbox.create_channel("hosts", is_private=True, members=[ada.id, bob.id])
    before = _snapshot(stack)

    bob.slash("admin setup", channel_id=private)  # private channel, but Tandem isn't in it yet
    assert "add Tandem" in _text(bob.ephemeral_messages()[-1])
    stack.sandbox.invite(private, stack.sandbox.bot_user_id, inviter=ada.id)
    bob.slash("admin setup", channel_id=private)  # not an admin, not a host
    assert "Only a workspace admin" in _text(bob.ephemeral_messages()[-1])
    ada.slash("admin setup", channel_id=public)  # admin, but a public channel
    assert "must be private" in _text(ada.ephemeral_messages()[-1])
    stack.settle()
    assert _snapshot(stack)[1] == [("T0TANDEM", None)]
    assert _snapshot(stack)[0] == before[0]

    ada.slash("admin setup", channel_id=private)
    stack.settle()
    assert _snapshot(stack)[1] == [("T0TANDEM", private)]
    announcement = stack.sandbox.messages(private)[-1]
    assert "admin channel" in announcement["text"] and "(2 so far)" in announcement["text"]
    # now Bob is a host too (a member of the admin channel) and may move it
    ada.slash("admin setup", channel_id=private)
    assert "already" in _text(ada.ephemeral_messages()[-1])


def test_a_host_creates_a_program_in_a_modal_with_validation(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", locale="de-DE", is_admin=True)
    channel = admin_channel(stack, hanna)
    hanna.slash("admin new", channel_id=channel)
    view = hanna.open_views()[-1]
    assert view["title"]["text"] == "Neues Programm"
    # bad input: errors per field, in German, and nothing is stored
    delivery = hanna.submit(
        view["id"],
        {
            ID.PROGRAM_NAME.value: "",
            ID.PROGRAM_FIELDS.value: "",
            ID.PROGRAM_WEEKS.value: "6",
            ID.PROGRAM_TRIAL.value: "8",
        },
    )
    answer = delivery.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ID.PROGRAM_NAME, ID.PROGRAM_FIELDS, ID.PROGRAM_START, ID.PROGRAM_TRIAL}
    assert answer["errors"][ID.PROGRAM_TRIAL] == "Die Probezeit muss kürzer als das Programm sein."
    assert hanna.open_views(), "the modal stays open with what was typed"
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Program)) == 0

    delivery = hanna.submit(view["id"], {**PROGRAM_VALUES, ID.PROGRAM_WEEKS.value: "16", ID.PROGRAM_TRIAL.value: "4"})
    assert not delivery.body or "errors" not in delivery.body
    stack.settle()
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        assert (program.name, program.duration_weeks, program.trial_weeks, program.status) == (
            "Pilot 2027",
            16,
            4,
            ProgramStatus.ACTIVE,
        )
        assert program.learning_fields == [
            "Creator skills for leaders",
            "Enterprise governance for young professionals",
        ]
        assert program.focus_question is None  # the default: each person sees it in their language
        assert program.timezone == "Europe/Berlin" and program.default_locale == "de"
        assert program.bold_goals[0] == "Ein Pilot-Channel auf einer neuen Plattform"
    card = stack.sandbox.messages(channel)[-1]
    assert "hat *Pilot 2027* eingerichtet" in card["text"]

    # the same name again is refused
    hanna.slash("admin new", channel_id=channel)
    again = hanna.submit(hanna.open_views()[-1]["id"], PROGRAM_VALUES).json()
    assert again["errors"] == {ID.PROGRAM_NAME: "Ein anderes Programm heißt schon so."}


def test_edit_pause_resume_close_from_the_program_card(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    card = stack.sandbox.messages(channel)[-1]

    hanna.click(ID.PROGRAM_EDIT, message=card)
    edit = hanna.open_views()[-1]
    assert edit["title"]["text"] == "Edit program"
    hanna.submit(edit["id"], {ID.PROGRAM_WEEKS.value: "20"})  # everything else stays as it was
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Program)).one().duration_weeks == 20

    hanna.click(ID.PROGRAM_PAUSE, message=stack.sandbox.messages(channel)[-1])
    stack.settle()
    assert "paused *Pilot 2027*" in stack.sandbox.messages(channel)[-1]["text"]
    hanna.click(ID.PROGRAM_RESUME, message=stack.sandbox.messages(channel)[-1])
    stack.settle()
    hanna.click(ID.PROGRAM_CLOSE, message=stack.sandbox.messages(channel)[-1])
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Program.status)).one() == ProgramStatus.CLOSED
    # a closed program's old buttons change nothing
    hanna.click(ID.PROGRAM_PAUSE, message=card)
    assert "already closed" in _text(hanna.ephemeral_messages()[-1]) or "Only an active" in _text(
        hanna.ephemeral_messages()[-1]
    )


def test_the_programs_working_days_are_set_in_the_program_modal(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)  # the form's default: Monday to Friday
    with stack.session_factory() as s:
        assert s.scalars(select(Program.working_days)).one() == [0, 1, 2, 3, 4]
    card = stack.sandbox.messages(channel)[-1]
    hanna.click(ID.PROGRAM_EDIT, message=card)
    edit = hanna.open_views()[-1]
    [days] = [b for b in edit["blocks"] if b.get("block_id") == ID.PROGRAM_WORKING_DAYS]
    assert days["label"]["text"] == "Working days"
    assert [o["value"] for o in days["element"]["initial_options"]] == ["0", "1", "2", "3", "4"]
    # the prompt day (Monday) must be a working day; nothing changes while the form is refused
    refused = hanna.submit(edit["id"], {ID.PROGRAM_WORKING_DAYS.value: ["1", "2", "3", "4"]})
    assert refused.json()["errors"] == {ID.PROGRAM_WEEKDAY.value: "Pick a prompt day that is one of the working days."}
    refused = hanna.submit(edit["id"], {ID.PROGRAM_WORKING_DAYS.value: []})
    assert refused.json()["errors"] == {ID.PROGRAM_WORKING_DAYS.value: "Pick at least one working day."}
    with stack.session_factory() as s:
        assert s.scalars(select(Program.working_days)).one() == [0, 1, 2, 3, 4]
    hanna.submit(edit["id"], {ID.PROGRAM_WORKING_DAYS.value: ["0", "1", "2", "3"]})
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Program.working_days)).one() == [0, 1, 2, 3]


def _switches(stack: LocalStack) -> tuple[bool, bool, bool]:
    with stack.session_factory() as s:
        return s.execute(select(Program.named_silence, Program.late_cancel_log, Program.streaks)).one()._tuple()


def test_the_monitoring_switches_round_trip_through_the_program_modal(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)  # a new program: all on, as before the switches existed
    assert _switches(stack) == (True, True, True)

    def edit() -> dict:
        hanna.click(ID.PROGRAM_EDIT, message=stack.sandbox.messages(channel)[-1])
        return hanna.open_views()[-1]

    def ticked(view: dict) -> list[str]:
        [block] = [b for b in view["blocks"] if b.get("block_id") == ID.PROGRAM_MONITORING]
        assert [o["value"] for o in block["element"]["options"]] == ["named_silence", "late_cancel_log", "streaks"]
        assert all(o["description"]["text"] for o in block["element"]["options"])
        return [o["value"] for o in block["element"].get("initial_options", [])]

    view = edit()
    assert ticked(view) == ["named_silence", "late_cancel_log", "streaks"]
    hanna.submit(view["id"], {ID.PROGRAM_MONITORING.value: ["streaks"]})
    stack.settle()
    assert _switches(stack) == (False, False, True)
    view = edit()
    assert ticked(view) == ["streaks"]
    hanna.submit(view["id"], {ID.PROGRAM_WEEKS.value: "20"})  # an edit of something else keeps them
    stack.settle()
    assert _switches(stack) == (False, False, True)
    view = edit()
    hanna.submit(view["id"], {ID.PROGRAM_MONITORING.value: None})  # nothing ticked: all off
    stack.settle()
    assert _switches(stack) == (False, False, False)
    assert ticked(edit()) == []


def test_several_programs_can_run_at_once(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: "Cohort B"})
    hanna.slash("admin programs", channel_id=channel)
    listing = _text(hanna.ephemeral_messages()[-1])
    assert "Pilot 2027" in listing and "Cohort B" in listing


ADMIN_COMMANDS = ["admin new", "admin programs", "admin invite", "admin digest", "admin help", "admin"]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
def test_a_non_host_is_refused_every_admin_command_and_nothing_changes(stack: LocalStack, command: str) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    stack.sandbox.invite(stack.sandbox.create_channel("random", members=[mallory.id]), stack.sandbox.bot_user_id)
    mallory.open_home()  # she has looked at Tandem before (which stores nothing about her)
    stack.settle()
    before = _snapshot(stack)
    views_before = len(stack.sandbox.view_ids())
    for where in (channel, mallory.dm):  # even a command run in the admin channel by a non-member
        delivery = mallory.slash(command, channel_id=where)
        assert delivery.status == 200
        assert "only program hosts" in _text(mallory.ephemeral_messages()[-1])
    stack.settle()
    assert _snapshot(stack) == before
    assert len(stack.sandbox.view_ids()) == views_before and not mallory.open_views()


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
def test_a_host_outside_the_admin_channel_is_sent_there(stack: LocalStack, command: str) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    before = _snapshot(stack)
    hanna.slash(command)  # in her DM with Tandem
    assert f"<#{channel}>" in _text(hanna.ephemeral_messages()[-1])
    stack.settle()
    assert _snapshot(stack) == before


@pytest.mark.parametrize(
    "action", [ID.PROGRAM_EDIT, ID.PROGRAM_PAUSE, ID.PROGRAM_CLOSE, ID.PROGRAM_INVITE, ID.PROGRAM_SIGNUP]
)
def test_a_non_host_cannot_use_program_buttons(stack: LocalStack, action: ID) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    card = stack.sandbox.messages(channel)[-1]
    mallory.open_home()
    stack.settle()
    before = _snapshot(stack)
    mallory.click(action, message=card)  # e.g. a forwarded card, or a removed host
    stack.settle()
    assert _snapshot(stack) == before
    assert not mallory.open_views()
    assert "only program hosts" in _text(mallory.ephemeral_messages()[-1])


def test_a_removed_host_loses_access_within_the_cache_window(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    otto = persona(stack, "Otto")
    channel = admin_channel(stack, hanna, otto)
    otto.slash("admin programs", channel_id=channel)
    assert "No programs yet" in _text(otto.ephemeral_messages()[-1])
    with stack.sandbox.lock:
        stack.sandbox._convs[channel]["members"].remove(otto.id)  # left without an event reaching us
    stack.clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
    otto.slash("admin programs", channel_id=channel)
    assert "only program hosts" in _text(otto.ephemeral_messages()[-1])


def test_a_non_host_cannot_submit_the_program_modal(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    otto = persona(stack, "Otto")
    channel = admin_channel(stack, hanna, otto)
    otto.slash("admin new", channel_id=channel)
    view = otto.open_views()[-1]
    with stack.sandbox.lock:
        stack.sandbox._convs[channel]["members"].remove(otto.id)
    stack.sandbox.invite(channel, stack.sandbox.bot_user_id)  # any membership event refreshes the cache
    answer = otto.submit(view["id"], PROGRAM_VALUES).json()
    assert answer["response_action"] == "errors"
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Program)) == 0


def _invite(stack: LocalStack, host, channel: str, *, users=(), from_channel: str | None = None) -> None:
    host.slash("admin invite", channel_id=channel)
    view = host.open_views()[-1]
    values = {ID.INVITE_USERS.value: list(users)}
    if from_channel:
        values[ID.INVITE_CHANNEL.value] = from_channel
    delivery = host.submit(view["id"], values)
    assert not delivery.body or "errors" not in delivery.body, delivery.body
    stack.settle()


def test_invitations_by_list_and_by_channel_reach_each_person_once_in_their_language(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ana = persona(stack, "Ana", locale="de-DE")
    ben = persona(stack, "Ben", tz="America/New_York")
    wei = persona(stack, "Wei", tz="Asia/Singapore")
    bot = stack.sandbox.add_user("helper-bot", is_bot=True)
    team = stack.sandbox.create_channel("team", members=[ana.id, ben.id, wei.id, bot])
    stack.sandbox.invite(team, stack.sandbox.bot_user_id, inviter=hanna.id)

    _invite(stack, hanna, channel, users=[ana.id, ben.id])
    _invite(stack, hanna, channel, from_channel=team)  # Ana and Ben again, plus Wei; the bot is skipped
    ana_invites = [m for m in ana.dm_messages() if "Pilot 2027" in m.get("text", "")]
    assert len(ana_invites) == 1 and "Du bist zu Pilot 2027 eingeladen" in ana_invites[0]["text"]
    assert len([m for m in ben.dm_messages() if "invited to Pilot 2027" in m.get("text", "")]) == 1
    assert len([m for m in wei.dm_messages() if "invited to Pilot 2027" in m.get("text", "")]) == 1
    assert stack.sandbox.dm_channel(bot) is None
    summaries = [m["text"] for m in stack.sandbox.messages(channel) if "invited people" in m["text"]]
    assert summaries[-1].endswith("1 invited, 2 invited before, 1 skipped (bots or deactivated accounts).")
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 3


def test_invite_modal_needs_people_or_a_channel(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    hanna.slash("admin invite", channel_id=channel)
    answer = hanna.submit(hanna.open_views()[-1]["id"], {}).json()
    assert answer == {"response_action": "errors", "errors": {ID.INVITE_USERS: "Pick people or a channel."}}


def test_not_now_means_no_further_messages(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ben = persona(stack, "Ben")
    _invite(stack, hanna, channel, users=[ben.id])
    invitation = [m for m in ben.dm_messages() if "Pilot 2027" in m.get("text", "")][-1]
    ben.click(ID.INVITE_DECLINE, message=invitation)
    stack.settle()
    assert "won't message you about *Pilot 2027* again" in _text(ben.dm_messages())
    seen = len(ben.dm_messages())
    _invite(stack, hanna, channel, users=[ben.id])  # invited again: still nothing
    stack.advance(timedelta(days=8))  # no reminders either
    assert len(ben.dm_messages()) == seen
    with stack.session_factory() as s:
        assert s.scalars(select(Enrollment.status)).one() == EnrollmentStatus.DECLINED


def test_someone_cannot_answer_another_persons_invitation(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ben, eve = persona(stack, "Ben"), persona(stack, "Eve")
    _invite(stack, hanna, channel, users=[ben.id])
    invitation = [m for m in ben.dm_messages() if "Pilot 2027" in m.get("text", "")][-1]
    eve.click(ID.INVITE_DECLINE, message=invitation)
    assert "isn't yours" in _text(eve.ephemeral_messages()[-1])
    with stack.session_factory() as s:
        assert s.scalars(select(Enrollment.status)).one() == EnrollmentStatus.INVITED


def test_open_signup_with_tandem_join(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    joana = persona(stack, "Joana", tz="Europe/Lisbon")
    joana.slash("join")
    assert "No program is open for sign-up" in _text(joana.ephemeral_messages()[-1])
    hanna.click(ID.PROGRAM_SIGNUP, message=stack.sandbox.messages(channel)[-1])
    stack.settle()
    assert "opened sign-up" in stack.sandbox.messages(channel)[-1]["text"]
    joana.slash("join")
    assert "You're in *Pilot 2027*" in _text(joana.ephemeral_messages()[-1])
    joana.slash("join")
    assert "already in *Pilot 2027*" in _text(joana.ephemeral_messages()[-1])
    with stack.session_factory() as s:
        enrollment = s.scalars(select(Enrollment)).one()
        assert (enrollment.source, enrollment.status) == ("signup", EnrollmentStatus.INTERVIEWING)


def test_daily_digest_once_a_day_at_nine_and_only_when_something_changed(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)  # Berlin: the program's zone
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ben = persona(stack, "Ben")
    _invite(stack, hanna, channel, users=[ben.id])

    def digests() -> list[dict]:
        return [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Onboarding summary")]

    assert digests() == []  # 09:00 Berlin has passed today already? the stack starts at 09:00 Berlin
    stack.advance(timedelta(hours=24))
    assert len(digests()) == 1
    assert "1 invited" in _text(digests()[-1]) and "1 not answered yet" in _text(digests()[-1])
    stack.advance(timedelta(hours=24))  # nothing changed: quiet
    assert len(digests()) == 1
    invitation = [m for m in ben.dm_messages() if "Pilot 2027" in m.get("text", "")][-1]
    ben.click(ID.INVITE_DECLINE, message=invitation)
    stack.advance(timedelta(hours=24))
    assert len(digests()) == 2 and "+1 said not now" in _text(digests()[-1])


def test_hosts_see_their_programs_with_counts_on_home(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    ben = persona(stack, "Ben")
    _invite(stack, hanna, channel, users=[ben.id])
    hanna.open_home()
    home = _text(hanna.home())
    assert "Programs you host" in home and "Pilot 2027" in home and "1 invited" in home
    ben.open_home()
    ben_home = _text(ben.home())
    assert "Programs you host" not in ben_home and "you're invited" in ben_home


@pytest.mark.sqlite_only  # when in local time, not what is asked of the database: the reminders' queries run on
# PostgreSQL in tests/test_next_due_reminders.py and in the authorization and fuzz worlds
def test_an_unanswered_invitation_is_reminded_twice_in_daytime_then_silence(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    wei = persona(stack, "Wei", tz="Asia/Singapore")
    _invite(stack, hanna, channel, users=[wei.id])

    def from_tandem() -> list[dict]:
        return [m for m in wei.dm_messages() if m.get("user") == stack.sandbox.bot_user_id]

    assert len(from_tandem()) == 1
    stack.advance(timedelta(days=1, hours=23))
    assert len(from_tandem()) == 1
    stack.advance(timedelta(days=1))
    reminders = from_tandem()[1:]
    assert len(reminders) == 1 and "gentle reminder" in _text(reminders[0])
    sent_at = stack.sandbox.calls_to("chat.postMessage")[-1]["at"]
    local_hour = (
        __import__("datetime")
        .datetime.fromisoformat(sent_at)
        .astimezone(__import__("zoneinfo").ZoneInfo("Asia/Singapore"))
        .hour
    )
    assert 9 <= local_hour < 18
    stack.advance(timedelta(days=4))
    assert "Last reminder" in _text(from_tandem()[-1]) and len(from_tandem()) == 3
    stack.advance(timedelta(days=10))
    assert len(from_tandem()) == 3
    # the reminder's own buttons work
    wei.click(ID.INVITE_JOIN, message=from_tandem()[-1])
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Enrollment.status)).one() == EnrollmentStatus.INTERVIEWING
