"""The kick-off kit before a pair's first week (issue 20, section 2) and the learning-card library (section 5).

Pure rules first (sides, lesson buttons, the hosts' texts); then one story on the sandbox: the kit reaches an English
and a German partner in their working time with their side's lessons, "Got it" is recorded and turns quiet, someone
else's click is refused, "Ask the hosts" opens the help-me modal whose question reaches the hosts through the help
lane, hosts edit the texts (a text over the limit keeps the modal open and stores nothing), and a new cohort of the
path sees the earlier cohort's published cards (the author named only where the card carries the name)."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import kickoff as kit_blocks
from bot.domain import kickoff as rules
from bot.domain import worktime
from bot.ids import ID
from bot.models import Escalation, Goal, KickoffKit, LearningCard, Note, Pair, Participant, PeerCircle, Program
from bot.sandbox.stack import LocalStack
from tests.helpers import admin_channel, create_program, match, onboard, persona, reply_in_thread

PAIR = {
    "Ana": ("digital", "en-GB", "Europe/Berlin", "Ana Rivera", "Media", ["short video"], ["budgeting"], ["trust"]),
    "Dieter": ("context", "de-DE", "Europe/Berlin", "Dieter Lang", "Legal", ["budgeting"], ["short video"], ["trust"]),
}


# -- pure ----------------------------------------------------------------------------------------------------------
def test_each_partner_gets_the_side_they_bring() -> None:
    assert rules.sides("digital", "context") == ("digital", "context")
    assert rules.sides("context", "digital") == ("context", "digital")
    # beside a partner who brings context only, "both" takes the digital side, whichever partner is a
    assert rules.sides("context", "both") == ("context", "digital")
    assert rules.sides("both", "context") == ("digital", "context")
    assert rules.sides("digital", "both") == ("digital", "context")
    assert rules.sides("both", "digital") == ("context", "digital")
    # roles that don't tell: the first week's moderator (partner a) takes the digital side
    assert rules.sides("both", "both") == ("digital", "context")
    assert rules.sides(None, None) == ("digital", "context")


def test_a_lesson_button_names_a_kit_and_one_of_the_six_lessons() -> None:
    assert rules.parse_value("12:say_no") == (12, "say_no")
    for bad in ("", "12", "x:say_no", "12:nope", "-1:ask", "12:say_no:x"):
        assert rules.parse_value(bad) is None, bad
    assert rules.side_of("ask") == "context" and rules.side_of("concrete") == "digital" and rules.side_of("x") is None
    assert rules.read_after(["concrete"], "teach_up") == ["teach_up", "concrete"]
    assert rules.read_after(["teach_up"], "teach_up") == ["teach_up"]  # a second click changes nothing


def test_hosts_texts_keep_only_what_differs_and_refuse_what_is_too_long() -> None:
    defaults = {locale: kit_blocks.default_texts(locale) for locale in rules.LOCALES}
    raw = {f"{loc}.{lesson}": defaults[loc][lesson] for loc in rules.LOCALES for lesson in rules.ALL_LESSONS}
    assert rules.parse_texts(raw, defaults) == ({}, {})  # the defaults as shown: nothing of the hosts' own
    raw["de.ask"] = "  Frag nach.\n"
    raw["en.say_no"] = ""  # empty: the default
    assert rules.parse_texts(raw, defaults) == ({"de": {"ask": "Frag nach."}}, {})
    raw["en.thank"] = "x" * (rules.TEXT_MAX + 1)
    assert rules.parse_texts(raw, defaults) == ({}, {"en.thank": rules.TOO_LONG})  # nothing stored at all
    assert rules.text_for({"de": {"ask": "Frag nach."}}, "de", "ask") == "Frag nach."
    assert rules.text_for({"de": {"ask": "Frag nach."}}, "en", "ask") is None
    assert rules.text_for(None, "en", "ask") is None


def test_a_kit_shows_its_side_its_marks_and_escapes_hosts_texts_and_cards() -> None:
    cards = [
        rules.EarlierCard("Hooks", "<!channel> first", "Pilot", None),
        rules.EarlierCard("Ask", "t", "Pilot", "Wei"),
    ]
    message = kit_blocks.kit_message(
        "en",
        kit_id=7,
        side="context",
        partner="Ana",
        program="Pilot",
        custom={"en": {"thank": "Say <@U1> thanks"}},
        read=["ask"],
        cards=cards,
    )
    shown = json.dumps(message)
    assert "Active asking" in shown and "Teaching upward" not in shown  # the context side only
    assert "7:ask" not in shown and "7:thank" in shown and "7:follow" in shown  # "ask" was marked: no buttons
    assert "Say &lt;@U1&gt; thanks" in shown and "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "Wei, Pilot" in shown and "a participant of Pilot" in shown


# -- on the sandbox --------------------------------------------------------------------------------------------------
def _kits(stack: LocalStack) -> dict[str, KickoffKit]:
    with stack.session_factory() as s:
        rows = s.execute(select(KickoffKit, Participant).join(Participant)).tuples()
        return {p.display_name: k for k, p in rows}


def _kit_dm(p: Any) -> dict[str, Any]:
    [found] = [m for m in p.dm_messages() if ID.KIT_GOT_IT.value in json.dumps(m.get("blocks") or [])]
    return found


@pytest.mark.sqlite_only  # its queries are plain; the library's and the circle's stories below run on PostgreSQL too
def test_the_kit_reaches_each_partner_in_working_time_and_records_only_their_own_clicks(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    admin = admin_channel(stack, hanna)
    create_program(stack, hanna, admin, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "8"})
    people = onboard(stack, PAIR)
    ana, dieter = people["Ana"], people["Dieter"]
    # hosts change one German lesson; a text over the limit keeps the modal open and stores nothing
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = [m for m in hanna.ephemeral_messages() if ID.KIT_TEXTS.value in json.dumps(m.get("blocks") or [])][-1]
    hanna.click(ID.KIT_TEXTS, message=card)
    stack.settle()
    view = hanna.open_views()[-1]
    assert view["callback_id"] == ID.KIT_TEXTS_MODAL and "Teaching upward" in json.dumps(view)
    bad = hanna.submit(view["id"], {ID.KIT_TEXT_EN_ASK.value: "x" * (rules.TEXT_MAX + 1)})
    assert bad.json()["response_action"] == "errors" and set(bad.json()["errors"]) == {ID.KIT_TEXT_EN_ASK.value}
    with stack.session_factory() as s:
        assert s.scalars(select(Program.kickoff_texts)).one() is None
    ok = hanna.submit(view["id"], {ID.KIT_TEXT_DE_ASK.value: "Frag nach: <b>immer</b>."})
    assert not ok.body or "errors" not in ok.json()
    stack.settle()
    with stack.session_factory() as s:
        assert s.scalars(select(Program.kickoff_texts)).one() == {"de": {"ask": "Frag nach: <b>immer</b>."}}

    match(stack, hanna, admin)
    kits = _kits(stack)
    assert {n: k.side for n, k in kits.items()} == {"Ana Rivera": "digital", "Dieter Lang": "context"}
    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        for name, p in (("Ana Rivera", ana), ("Dieter Lang", dieter)):
            person = s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()
            due = worktime.of(person, program).next_working(kits[name].sent_at)
            stack.clock.set(max(stack.clock.now(), due))  # type: ignore[attr-defined]
    stack.settle()
    ana_kit, dieter_kit = _kit_dm(ana), _kit_dm(dieter)
    assert "Teaching upward" in json.dumps(ana_kit) and "Active asking" not in json.dumps(ana_kit)
    shown = json.dumps(dieter_kit, ensure_ascii=False)
    assert "Aktiv fragen" in shown and "Frag nach: &lt;b&gt;immer&lt;/b&gt;." in shown
    assert "Nach oben lehren" not in shown

    # Ana marks a lesson: recorded, the lesson turns quiet; a second click changes nothing
    ana.click(ID.KIT_GOT_IT, message=ana_kit, value=f"{kits['Ana Rivera'].id}:teach_up")
    stack.settle()
    assert _kits(stack)["Ana Rivera"].read == ["teach_up"]
    now_shown = stack.sandbox.find_message(ana_kit["ts"], ana_kit["channel"])
    assert f"{kits['Ana Rivera'].id}:teach_up" not in json.dumps(now_shown) and "Got it" in json.dumps(now_shown)
    # Dieter forges a click on Ana's kit: refused, nothing recorded
    dieter.click(ID.KIT_GOT_IT, message=dieter_kit, value=f"{kits['Ana Rivera'].id}:say_no")
    stack.settle()
    assert "jemand anderem" in json.dumps(dieter.ephemeral_messages()[-1:], ensure_ascii=False)
    assert _kits(stack)["Ana Rivera"].read == ["teach_up"]

    # Dieter asks the hosts: the help-me modal, begun with the lesson; the question reaches the hosts privately
    dieter.click(ID.KIT_ASK, message=dieter_kit, value=f"{kits['Dieter Lang'].id}:thank")
    stack.settle()
    ask = dieter.open_views()[-1]
    assert ask["callback_id"] == ID.HELP_ME_MODAL and "Für Widerspruch danken" in json.dumps(ask, ensure_ascii=False)
    typed = "Zur Kick-off-Lektion „Für Widerspruch danken“: Wie mache ich das im Team-Meeting?"
    dieter.submit(ask["id"], {ID.HELP_ME_TEXT.value: typed})
    stack.settle()
    with stack.session_factory() as s:
        [escalation] = s.scalars(select(Escalation)).all()
        assert escalation.shared == {"text": typed}  # nothing else: no name unless he ticks it
    assert "Wie mache ich das im Team-Meeting?" in json.dumps(stack.sandbox.messages(admin), ensure_ascii=False)


# -- earlier cohorts' cards in the kit, and the library ------------------------------------------------------------
AUTHORS = {
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Wei Zhang", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Qyx": ("context", "de-DE", "Europe/Berlin", "Qyx Secretname", "Risk", ["governance"], ["podcasts"], ["growth"]),
}


def _library(p: Any) -> dict[str, Any]:
    view = p.open_views()[-1]
    assert view["callback_id"] == ID.CARDS_MODAL
    return view


def test_new_cohorts_see_earlier_cards_and_everyone_browses_only_published_ones(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    admin = admin_channel(stack, hanna)
    create_program(stack, hanna, admin, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "8"})
    authors = onboard(stack, AUTHORS)
    now = stack.clock.now()
    with stack.session_factory() as s:
        first = s.scalars(select(Program)).one()
        wei, qyx = (
            s.scalars(select(Participant).where(Participant.slack_user_id == authors[n].id)).one() for n in AUTHORS
        )
        for n in range(6):  # six published cards of Wei's (two pages), one without a name, one draft
            s.add(
                LearningCard(
                    program_id=first.id,
                    participant_id=wei.id,
                    title=f"Card {n}",
                    text=f"What I learned {n}",
                    show_name=n != 5,
                    created_at=now,
                    updated_at=now,
                    published_at=now + timedelta(minutes=n),
                    in_library=True,
                )
            )
        # published before the library existed: its author consented to the community channel only
        s.add(
            LearningCard(
                program_id=first.id,
                participant_id=qyx.id,
                title="Channel only",
                text="consented before the library",
                show_name=True,
                created_at=now,
                updated_at=now,
                published_at=now + timedelta(minutes=9),
            )
        )
        s.add(
            LearningCard(
                program_id=first.id,
                participant_id=qyx.id,
                title="Draft never shown",
                text="draft",
                show_name=True,
                created_at=now,
                updated_at=now,
                published_at=None,
            )
        )
        # the next cohort of the path (the earlier one is over)
        second = Program(
            workspace_id=first.workspace_id,
            name="Pilot 2027 · Cohort 2",
            status="active",
            series_id=first.id,
            start_date=first.start_date,
            created_at=now,
            updated_at=now,
        )
        first.status = "closed"
        s.add(second)
        s.commit()
    people = onboard(stack, PAIR, program_name="Pilot 2027 · Cohort 2")
    match(stack, hanna, admin)
    stack.advance(timedelta(days=1))
    shown = json.dumps(_kit_dm(people["Ana"]), ensure_ascii=False)
    # the three newest published cards of the earlier cohort; the unsigned one without its author's name
    assert "Card 5" in shown and "Card 4" in shown and "Card 3" in shown and "Card 2" not in shown
    assert "Wei Zhang, Pilot 2027" in shown and "a participant of Pilot 2027" in shown
    assert "Draft never shown" not in shown and "Channel only" not in shown

    # /tandem cards in English: the path and each program; the newest page first, paging within it
    ana = people["Ana"]
    ana.slash("cards")
    stack.settle()
    view = _library(ana)
    text = json.dumps(view, ensure_ascii=False)
    assert "Pilot 2027 · all cohorts (6)" in text and "Card 5" in text and "Card 0" not in text
    assert "Page 1 of 2" in text and "Draft never shown" not in text and "Channel only" not in text
    assert text.count("Wei Zhang") == 4  # Card 5 is unsigned: its author's name is nowhere in the view
    ana.click(ID.CARDS_PAGE, view_id=view["id"])
    stack.settle()
    text = json.dumps(_library(ana), ensure_ascii=False)
    assert "Card 0" in text and "Card 5" not in text and "Page 2 of 2" in text
    # the select: one program of the path
    ana.click(ID.CARDS_PICK, view_id=view["id"], selected_option_value=f"program:{first.id}")
    stack.settle()
    text = json.dumps(_library(ana), ensure_ascii=False)
    assert "Card 5" in text and '"initial_option": {"text": {"type": "plain_text", "text": "Pilot 2027 (6)"}' in text

    # German, from App Home's button
    dieter = people["Dieter"]
    dieter.open_home()
    stack.settle()
    dieter.click(ID.CARDS_BROWSE)
    stack.settle()
    text = json.dumps(_library(dieter), ensure_ascii=False)
    assert "alle Kohorten (6)" in text and "Seite 1 von 2" in text and "— jemand aus Pilot 2027" in text

    # someone Tandem doesn't know is told whom the library is for, and sees no card
    stranger = persona(stack, "Stranger")
    stranger.slash("cards")
    stack.settle()
    told = json.dumps(stranger.ephemeral_messages()[-1:])
    assert "participants and hosts" in told and "Card" not in told

    # the author asks to be forgotten: their cards are gone from the library
    with stack.session_factory() as s:
        from bot.services import privacy

        person = s.get(Participant, wei.id)
        privacy.forget(s, participant=person, now=stack.clock.now(), end_pair=lambda *_, **__: None)
        s.commit()
    ana.slash("cards")
    stack.settle()
    text = json.dumps(_library(ana), ensure_ascii=False)
    assert "Card" not in text and "No published learning cards yet" in text


# -- the peer circle -------------------------------------------------------------------------------------------------
def test_a_circle_channel_name_is_one_slack_accepts_and_unique_by_program() -> None:
    assert rules.channel_name(3, "Pilot 2027 · Cohort 2", "digital") == "tandem-3-pilot-2027-cohort-2-digital"
    long = rules.channel_name(12, "Ü" * 200 + "x", "context")
    assert len(long) <= rules.NAME_MAX and long.startswith("tandem-12") and long.endswith("-context")
    assert all(c.isascii() and (c.isalnum() or c == "-") and not c.isupper() for c in long)


def test_a_taken_channel_name_is_tried_again_with_another_and_a_refusal_for_good_stops_the_clock(session) -> None:
    """A name someone else took (or an earlier installation made) gets "-2", "-3" ... up to NAME_TRIES names; any other
    refusal, or the last name taken too, ends the tries, and the clock stops looking for that circle every minute."""
    from datetime import datetime

    from bot.models import OutboxMessage, OutboxStatus, ProgramStatus, Workspace
    from bot.services import peer_circle

    now = datetime(2027, 1, 5, 10, tzinfo=UTC)
    ws = Workspace(team_id="T1", bot_user_id="UB", created_at=now)
    session.add(ws)
    session.flush()
    program = Program(workspace_id=ws.id, name="Pilot", status=ProgramStatus.ACTIVE, created_at=now, updated_at=now)
    program.peer_circle = rules.CHANNELS
    session.add(program)
    session.flush()

    def creates() -> list[OutboxMessage]:
        query = select(OutboxMessage).where(OutboxMessage.method == "conversations.create").order_by(OutboxMessage.id)
        return list(session.scalars(query))

    def refuse(error: str) -> None:
        for call in creates():
            if call.status == OutboxStatus.PENDING:
                call.status, call.last_error = OutboxStatus.PARKED, error
        session.flush()

    peer_circle.due(session, now)
    base = f"tandem-{program.id}-pilot"
    assert [c.payload["name"] for c in creates()] == [f"{base}-digital", f"{base}-context"]
    peer_circle.due(session, now)  # on its way: nothing new
    assert len(creates()) == 2 and peer_circle.next_due(session, now) == now + timedelta(minutes=1)
    for _ in range(rules.NAME_TRIES):
        refuse(rules.NAME_TAKEN)
        peer_circle.due(session, now)
    names = [c.payload["name"] for c in creates() if c.payload["name"].startswith(f"{base}-digital")]
    assert names == [f"{base}-digital", *(f"{base}-digital-{n}" for n in range(2, 6))]
    # every name taken: no more tries, and nothing for the clock to come back for
    assert all(c.status == OutboxStatus.PARKED for c in creates())
    assert peer_circle.next_due(session, now) is None

    # another circle: refused for another reason (a missing scope) at its first try: not tried again
    other = Program(workspace_id=ws.id, name="Two", status=ProgramStatus.ACTIVE, created_at=now, updated_at=now)
    other.peer_circle = rules.CHANNELS
    session.add(other)
    session.flush()
    peer_circle.due(session, now)
    refuse("missing_scope")
    assert peer_circle.due(session, now) == 0 and peer_circle.next_due(session, now) is None
    # a try that went through: its channel is the circle's
    program.peer_circle = rules.OFF
    session.flush()
    [call, _] = [c for c in creates() if c.payload["name"].startswith(f"tandem-{other.id}-")]
    call.status, call.result = OutboxStatus.SENT, {"channel": {"id": "C0NEW"}}
    session.flush()
    peer_circle.due(session, now)
    circles = {
        c.side: c.channel_id for c in session.scalars(select(PeerCircle).where(PeerCircle.program_id == other.id))
    }
    assert circles == {"digital": "C0NEW", "context": None}


def test_people_are_invited_in_batches_and_only_those_tandem_invited_are_removed() -> None:
    assert rules.membership(["U1", "U2", "U3"], ["U2", "U9"]) == (["U1", "U3"], ["U9"])
    users = [f"U{n}" for n in range(2500)]
    assert [len(b) for b in rules.batches(users)] == [1000, 1000, 500]
    assert [u for batch in rules.batches(users) for u in batch] == users


def test_the_monthly_prompt_comes_on_the_first_working_day_at_nine_once() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    weekdays = worktime.working_time("Europe/Berlin").is_working_day  # Monday to Friday, German holidays
    # 1 May 2027 is a Saturday (and Labour Day), 2 May a Sunday: the first working day is Monday 3 May
    assert rules.first_working_day(2027, 5, weekdays) == rules.date(2027, 5, 3)
    assert rules.first_working_day(2027, 1, weekdays) == rules.date(2027, 1, 4)  # New Year's Day is a holiday
    monday = rules.datetime(2027, 5, 3, 9, 0, tzinfo=berlin)
    assert rules.prompt_day(monday, None, weekdays) == rules.date(2027, 5, 3)
    assert rules.prompt_day(monday - timedelta(minutes=1), None, weekdays) is None  # before nine
    assert rules.prompt_day(monday, rules.date(2027, 5, 3), weekdays) is None  # once a month
    assert rules.prompt_day(monday + timedelta(days=1), None, weekdays) is None  # only that day
    assert rules.next_prompt(monday - timedelta(hours=2), None, weekdays) == monday
    assert rules.next_prompt(monday, rules.date(2027, 5, 3), weekdays) == rules.datetime(2027, 6, 1, 9, tzinfo=berlin)
    # only while the program runs: a program of 8 weeks from 8 March 2027 ends before 3 May (the circle stays)
    until = rules.prompts_until(rules.date(2027, 3, 8), 8)
    assert until == rules.date(2027, 5, 3)
    assert rules.prompt_day(monday, None, weekdays, until) is None
    assert rules.next_prompt(monday - timedelta(days=30), rules.date(2027, 4, 1), weekdays, until) is None
    assert rules.next_prompt(monday - timedelta(days=33), None, weekdays, until) == rules.datetime(
        2027, 4, 1, 9, tzinfo=berlin
    )


def test_threads_need_a_channel_tandem_is_in() -> None:
    assert rules.circle_refusal(rules.THREAD, channel_id=None, tandem_in_channel=False) == rules.NO_CHANNEL
    assert rules.circle_refusal(rules.THREAD, channel_id="C1", tandem_in_channel=False) == rules.NOT_MEMBER
    assert rules.circle_refusal(rules.THREAD, channel_id="C1", tandem_in_channel=True) is None
    assert rules.circle_refusal(rules.CHANNELS, channel_id=None, tandem_in_channel=False) is None
    assert rules.parse_mode("channels") == rules.CHANNELS and rules.parse_mode("everyone") is None


def _circle_modal(stack: LocalStack, hanna: Any, admin: str) -> dict[str, Any]:
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = [m for m in hanna.ephemeral_messages() if ID.CIRCLE_SETTINGS.value in json.dumps(m.get("blocks") or [])][-1]
    hanna.click(ID.CIRCLE_SETTINGS, message=card)
    stack.settle()
    view = hanna.open_views()[-1]
    assert view["callback_id"] == ID.CIRCLE_MODAL
    return view


def test_the_peer_circle_gets_each_side_its_people_and_a_monthly_prompt_and_nothing_of_the_pairs(
    stack: LocalStack,
) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    admin = admin_channel(stack, hanna)
    create_program(stack, hanna, admin, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "12"})
    # threads in a channel Tandem is not in: refused, nothing changes
    lounge = stack.sandbox.create_channel("lounge", is_private=False, members=[hanna.id])
    view = _circle_modal(stack, hanna, admin)
    bad = hanna.submit(view["id"], {ID.CIRCLE_MODE.value: "thread", ID.CIRCLE_CHANNEL.value: lounge})
    assert bad.json()["response_action"] == "errors" and "isn't in that channel" in json.dumps(bad.json())
    with stack.session_factory() as s:
        assert s.scalars(select(Program.peer_circle)).one() == "off"
    ok = hanna.submit(view["id"], {ID.CIRCLE_MODE.value: "channels"})
    assert not ok.body or "errors" not in ok.json()
    stack.settle()

    people = onboard(stack, PAIR)
    ana, dieter = people["Ana"], people["Dieter"]
    match(stack, hanna, admin)
    stack.advance(timedelta(hours=1))
    now = stack.clock.now()
    with stack.session_factory() as s:
        circles = {c.side: c for c in s.scalars(select(PeerCircle))}
        pair = s.scalars(select(Pair)).one()
        author = s.scalars(select(Participant).where(Participant.slack_user_id == ana.id)).one()
        s.add(Note(pair_id=pair.id, program_id=pair.program_id, author_id=author.id, text="zqnote", created_at=now))
        s.add(Goal(pair_id=pair.id, text="zqgoal", created_at=now, updated_at=now))
        s.commit()
    digital, context = circles["digital"].channel_id, circles["context"].channel_id
    assert digital and context and digital != context
    # each side's private channel holds Tandem and that side's people only
    assert set(stack.sandbox.conversation(digital)["members"]) == {stack.sandbox.bot_user_id, ana.id}
    assert set(stack.sandbox.conversation(context)["members"]) == {stack.sandbox.bot_user_id, dieter.id}
    assert stack.sandbox.conversation(digital)["is_private"] is True
    # the kit says where the circle is and who can see it
    assert "private channel for the people on your side" in json.dumps(_kit_dm(ana))

    # the first working day of February, 09:00 Berlin: one prompt per side, in the program's language; none again
    def prompts(channel: str) -> list[dict[str, Any]]:
        return [m for m in stack.sandbox.messages(channel) if "This month's peer circle" in m.get("text", "")]

    before = {channel: len(prompts(channel)) for channel in (digital, context)}
    stack.clock.set(rules.datetime(2027, 2, 1, 7, 59, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.settle()
    reply_in_thread(stack, dieter, "zqanswer in the week")
    stack.advance(timedelta(minutes=2))
    stack.advance(timedelta(hours=3))
    for channel in (digital, context):
        assert len(prompts(channel)) == before[channel] + 1
        said = json.dumps(stack.sandbox.messages(channel), ensure_ascii=False)
        for secret in ("zqnote", "zqgoal", "zqanswer", "Ana Rivera", "Dieter Lang"):
            assert secret not in said, (channel, secret)

    # Dieter's export names his circle and his kit; then he asks to be forgotten: Tandem removes him from the channel
    with stack.session_factory() as s:
        from bot.services import privacy

        person = s.scalars(select(Participant).where(Participant.slack_user_id == dieter.id)).one()
        stored = privacy.stored_about(s, participant=person, may_see=lambda *_a, **_k: True)
        assert [(c["side"], c["channel"]) for c in stored["peer_circles"]] == [("context", context)]
        assert [k["side"] for k in stored["kickoff_kits"]] == ["context"]
        privacy.forget(s, participant=person, now=stack.clock.now(), end_pair=lambda *_, **__: None)
        s.commit()
    stack.settle()
    assert set(stack.sandbox.conversation(context)["members"]) == {stack.sandbox.bot_user_id}
    with stack.session_factory() as s:
        assert s.scalars(select(PeerCircle.members).where(PeerCircle.side == "context")).one() == []

    # the hosts switch to threads in #lounge (Tandem is in it now): one thread per side, opened once, nobody invited,
    # and March's prompt in each thread
    stack.sandbox.invite(lounge, stack.sandbox.bot_user_id, inviter=hanna.id)
    view = _circle_modal(stack, hanna, admin)
    assert not hanna.submit(view["id"], {ID.CIRCLE_MODE.value: "thread", ID.CIRCLE_CHANNEL.value: lounge}).body
    stack.clock.set(rules.datetime(2027, 3, 1, 7, 59, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(hours=2))
    heads = [m for m in stack.sandbox.messages(lounge) if "Peer circle of Pilot 2027" in m.get("text", "")]
    assert len(heads) == 2
    replies = [m for h in heads for m in stack.sandbox.messages(lounge, h["ts"]) if m["ts"] != h["ts"]]
    assert len(replies) == 2 and all("This month's peer circle" in m.get("text", "") for m in replies)
    assert set(stack.sandbox.conversation(lounge)["members"]) == {hanna.id, stack.sandbox.bot_user_id}
    said = json.dumps(stack.sandbox.messages(lounge), ensure_ascii=False)
    assert not any(secret in said for secret in ("zqnote", "zqgoal", "zqanswer", "Ana Rivera", "Dieter Lang"))
