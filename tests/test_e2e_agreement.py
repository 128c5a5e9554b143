"""The working agreement and the pair's goals, end to end: the agreement arrives in the pair's group DM right after
the introduction, in the pair's language; both accept it or one proposes a change the other accepts; reminders
until both have; hosts edit the template per program; 1–3 bold goals with one-click progress in App Home."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.blocks import agreement as agreement_blocks
from bot.domain import agreement as rules
from bot.ids import ID
from bot.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Goal,
    Pair,
    Participant,
    Program,
)
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import goals as goal_service
from tests.helpers import START, admin_channel, create_program, dump, match, onboard, persona

# name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
EN_PAIR = {  # different languages: the pair's agreement is in English
    "Wei": ("digital", "en-GB", "Asia/Singapore", "Wei", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Jorg": ("context", "de-DE", "America/New_York", "Jörg", "Finance", ["governance"], ["podcasts"], ["growth"]),
}
DE_PAIR = {  # both German
    "Ana": ("digital", "de-DE", "Europe/Berlin", "Ana", "Social Media", ["short video"], ["budgeting"], ["trust"]),
    "Karl": ("context", "de-DE", "Europe/Berlin", "Karl", "Risk", ["budgeting"], ["short video"], ["trust"]),
}
PROGRAM = "Pilot 2027"
TITLES_EN = (
    "Confidentiality",
    "Preparation",
    "Reachability",
    "Sensitive topics",
    "Guiding questions",
    "Agenda",
    "No e-mail flood",
    "Making successes visible",
    "When things get stuck",
)

FIVE = timedelta(minutes=5)


# -- helpers ------------------------------------------------------------------------------------------------


def _setup(stack: LocalStack, people: dict[str, tuple]) -> tuple[Persona, str, dict[str, Persona]]:
    """A host, the admin channel, the program, ``people`` onboarded and matched (at START)."""
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    personas = onboard(stack, people, PROGRAM)
    match(stack, hanna, channel)
    return hanna, channel, personas


def _group(stack: LocalStack, a: Persona, b: Persona) -> str:
    """The group DM of two partners and Tandem."""
    [channel] = [
        cid
        for cid, conv in stack.sandbox._convs.items()
        if conv["kind"] == "mpim" and {a.id, b.id} <= set(conv["members"])
    ]
    return channel


def _has(message: dict[str, Any] | None, action_id: str) -> bool:
    blocks = (message or {}).get("blocks") or []
    return any(el.get("action_id") == action_id for _, el in iter_action_elements(blocks))


def _text(message: dict[str, Any] | None) -> str:
    message = message or {}
    return json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)


def _now(stack: LocalStack, message: dict[str, Any]) -> dict[str, Any]:
    """The message as it is now."""
    return stack.sandbox.find_message(message["ts"], message["channel"])


def _run_to(stack: LocalStack, until: datetime, *, start: datetime | None = None) -> None:
    """Jump the clock to ``start`` (nothing ticks on the way), then on to ``until`` as the clock ticks."""
    if start is not None:
        stack.clock.set(start)  # type: ignore[attr-defined]
    stack.advance(until - stack.clock.now())


def _local(message: dict[str, Any], tz: str) -> str:
    return datetime.fromtimestamp(float(message["ts"]), UTC).astimezone(ZoneInfo(tz)).strftime("%a %H:%M")


def _agreement_of(s: Any, person: Persona) -> Agreement:
    participant = s.scalars(select(Participant).where(Participant.slack_user_id == person.id)).one()
    pair = s.scalars(
        select(Pair).where((Pair.participant_a_id == participant.id) | (Pair.participant_b_id == participant.id))
    ).one()
    return s.scalars(select(Agreement).where(Agreement.pair_id == pair.id)).one()


def _versions(s: Any, agreement: Agreement) -> list[AgreementVersion]:
    return list(
        s.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement.id)
            .order_by(AgreementVersion.number)
        )
    )


def _accepted(s: Any, version: AgreementVersion) -> list[tuple[str, datetime]]:
    """Who accepted the version (display names) and when."""
    rows = s.execute(
        select(Participant.display_name, AgreementAcceptance.accepted_at)
        .join(Participant, Participant.id == AgreementAcceptance.participant_id)
        .where(AgreementAcceptance.version_id == version.id)
        .order_by(AgreementAcceptance.accepted_at)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _ephemeral(p: Persona) -> str:
    return p.ephemeral_messages()[-1]["text"]


# -- the agreement arrives and both accept -------------------------------------------------------------------
def test_the_agreement_follows_the_intro_in_the_pairs_language_and_both_accept(stack: LocalStack) -> None:
    _, _, people = _setup(stack, {**EN_PAIR, **DE_PAIR})
    wei, jorg, ana, karl = people["Wei"], people["Jorg"], people["Ana"], people["Karl"]

    # right after the introduction, in the group DM: English for Wei and Jörg (no common language), German for
    # Ana and Karl
    intro, card = stack.sandbox.messages(_group(stack, wei, jorg))
    assert (intro["text"], card["text"]) == ("Meet your Tandem partner", "Your working agreement for Pilot 2027")
    text = _text(card)
    assert all(f"*{title}*" in text for title in TITLES_EN)
    assert "Every week starts from “What moves us forward by next week?”" in text  # the program's focus question
    assert "We answer within 48 hours on workdays." in text
    assert "At most 3 topics a week." in text
    assert "ideas: A pilot channel on a new platform; A simpler approval process; A tangible prototype" in text
    assert ":hourglass_flowing_sand: Waiting for Wei and Jörg" in text
    assert all(_has(card, a) for a in (ID.AGREEMENT_ACCEPT, ID.AGREEMENT_PROPOSE, ID.GOAL_OPEN))
    de_intro, de_card = stack.sandbox.messages(_group(stack, ana, karl))
    assert (de_intro["text"], de_card["text"]) == (
        "Lerne deine:n Tandem-Partner:in kennen",
        "Eure Tandem-Spielregeln für Pilot 2027",
    )
    assert "*Vertraulichkeit*" in _text(de_card) and "„Was bringt uns bis nächste Woche voran?“" in _text(de_card)
    with stack.session_factory() as s:
        agreement = _agreement_of(s, wei)
        [version] = _versions(s, agreement)
        assert (agreement.locale, agreement.created_at, agreement.agreed_at) == ("en", START, None)
        assert set(version.sections) == set(rules.SECTIONS)  # JSON on PostgreSQL keeps no key order
        assert version.sections["agenda"] == "At most 3 topics a week. Anything more goes on the list for next week."
        assert _agreement_of(s, ana).locale == "de"

    # Wei accepts: the message shows it to both, and still waits for Jörg
    assert wei.click(ID.AGREEMENT_ACCEPT, message=card).ok
    now = _now(stack, card)
    assert ":white_check_mark: Accepted by Wei (4 Jan 2027) · :hourglass_flowing_sand: Waiting for Jörg" in _text(now)
    assert _has(now, ID.AGREEMENT_ACCEPT)
    assert wei.click(ID.AGREEMENT_ACCEPT, message=card).ok  # a second click changes nothing
    assert _ephemeral(wei) == "You already accepted this version; it's waiting for Jörg."

    # an hour later (04:00 in New York) Jörg accepts: agreed, for both; the pair hears it
    stack.clock.set(START + timedelta(hours=1))  # type: ignore[attr-defined]
    assert jorg.click(ID.AGREEMENT_ACCEPT, message=card).ok
    now = _now(stack, card)
    assert ":handshake: Agreed on 4 Jan 2027: accepted by Wei (4 Jan 2027) and Jörg (4 Jan 2027)" in _text(now)
    assert not _has(now, ID.AGREEMENT_ACCEPT) and _has(now, ID.AGREEMENT_PROPOSE) and _has(now, ID.GOAL_OPEN)
    stack.settle()
    agreed = stack.sandbox.messages(_group(stack, wei, jorg))[-1]
    assert agreed["blocks"][0]["text"]["text"] == (
        ":handshake: You both accepted: your working agreement is agreed on 4 Jan 2027. It stays here in your "
        "conversation, and either of you can propose a change at any time."
    )
    with stack.session_factory() as s:
        agreement = _agreement_of(s, wei)
        [version] = _versions(s, agreement)
        assert (agreement.agreed_at, version.agreed_at) == (START + timedelta(hours=1),) * 2
        assert _accepted(s, version) == [("Wei", START), ("Jörg", START + timedelta(hours=1))]

    # App Home: agreed, for both, each in their language
    for p in (wei, jorg, ana):
        p.open_home()
    stack.settle()
    assert "*Working agreement with Jörg* (Pilot 2027): :handshake: agreed on 4 Jan 2027" in _text(wei.home())
    assert "*Tandem-Spielregeln mit Wei* (Pilot 2027): :handshake: vereinbart am 4.1.2027" in _text(jorg.home())
    # Ana has not accepted yet: Home asks her, with the button; accepting there updates the group DM's message
    assert "*Tandem-Spielregeln mit Karl* (Pilot 2027): warten auf dein OK." in _text(ana.home())
    assert ana.click(ID.AGREEMENT_ACCEPT).ok
    assert "Du hast angenommen; sie warten noch auf Karl." in _text(ana.home())
    assert not _has(ana.home(), ID.AGREEMENT_ACCEPT)
    stack.settle()
    assert "Angenommen von Ana (4.1.2027) · :hourglass_flowing_sand: Wartet auf Karl" in _text(_now(stack, de_card))


def test_accepting_in_home_before_the_agreement_went_out_shows_in_the_message(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, DE_PAIR, PROGRAM)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]
    hanna.click(ID.MATCH_APPROVE, message=preview)  # queued, not sent yet
    ana = people["Ana"]
    ana.open_home()
    assert ana.click(ID.AGREEMENT_ACCEPT).ok
    stack.settle()
    _, card = stack.sandbox.messages(_group(stack, ana, people["Karl"]))
    assert "Angenommen von Ana (4.1.2027) · :hourglass_flowing_sand: Wartet auf Karl" in _text(card)
    assert not any(c["method"] == "chat.update" for c in stack.sandbox.calls)  # it went out as it is now


# -- a proposed change -------------------------------------------------------------------------------------
def test_a_proposed_change_accepted_by_the_partner_becomes_the_agreed_text(stack: LocalStack) -> None:
    _, _, people = _setup(stack, DE_PAIR)
    ana, karl = people["Ana"], people["Karl"]
    group = _group(stack, ana, karl)
    _, card = stack.sandbox.messages(group)

    assert ana.click(ID.AGREEMENT_PROPOSE, message=card).ok
    view = ana.open_views()[-1]
    assert view["callback_id"] == ID.AGREEMENT_MODAL
    with stack.session_factory() as s:
        [v1] = _versions(s, _agreement_of(s, ana))
        v1_id, v1_sections = v1.id, dict(v1.sections)
    shown = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert shown == {**{f"agreement.f.{k}": v1_sections[k] for k in rules.SECTIONS}, ID.AGREEMENT_NOTE: None}

    def submit(values: dict[str, Any]) -> dict[str, Any]:
        delivery = ana.submit(view["id"], values)
        return delivery.json() if delivery.body else {}

    # nothing changed, or a section emptied: said on the field, and nothing is stored
    assert submit({})["errors"] == {
        ID.AGREEMENT_F_CONFIDENTIALITY: "Noch hat sich nichts geändert: Bearbeite einen Abschnitt oder nimm die "
        "Spielregeln einfach an, wie sie sind."
    }
    assert submit({ID.AGREEMENT_F_AGENDA.value: "   "})["errors"] == {
        ID.AGREEMENT_F_AGENDA: "Bitte lass hier eine Zeile stehen, zum Beispiel „Brauchen wir nicht.“"
    }
    with stack.session_factory() as s:
        assert len(_versions(s, _agreement_of(s, ana))) == 1

    proposed_at = START + timedelta(minutes=30)
    stack.clock.set(proposed_at)  # type: ignore[attr-defined]
    changed = "Wir antworten an Arbeitstagen innerhalb von 24 Stunden."
    assert (
        submit({ID.AGREEMENT_F_REACHABILITY.value: changed, ID.AGREEMENT_NOTE.value: "48 h sind zu lang <!here>"}) == {}
    )
    stack.settle()
    proposal = stack.sandbox.messages(group)[-1]
    text = _text(proposal)
    assert proposal["text"] == "Ana schlägt eine Änderung eurer Tandem-Spielregeln vor"
    assert "*Ana* schlägt diese Änderung vor. *Karl*, bitte nimm sie an oder schlag eine andere vor." in text
    assert "*Notiz von Ana:* 48 h sind zu lang &lt;!here&gt;" in text  # escaped: notifies nobody
    assert f"*Erreichbarkeit*\\n{changed}" in text and "*Vertraulichkeit*" not in text
    assert "Alles andere bleibt, wie es ist." in text
    assert "Angenommen von Ana (4.1.2027) · :hourglass_flowing_sand: Wartet auf Karl" in text
    # the first version's message lost its buttons: a newer one replaced it
    old = _now(stack, card)
    assert "Ersetzt durch eine neuere Fassung weiter unten." in _text(old) and not _has(old, ID.AGREEMENT_ACCEPT)

    # accepting the replaced version changes nothing
    before = dump(stack.engine)
    assert karl.click(ID.AGREEMENT_ACCEPT, message=proposal, value=str(v1_id)).ok
    assert _ephemeral(karl).startswith(
        "Diese Fassung wurde durch eine neuere ersetzt, deshalb habe ich nichts geändert."
    )
    assert dump(stack.engine) == before

    # Karl accepts the proposal: it is the agreed text, stored with who accepted it when
    agreed_at = START + timedelta(hours=2)
    stack.clock.set(agreed_at)  # type: ignore[attr-defined]
    assert karl.click(ID.AGREEMENT_ACCEPT, message=proposal).ok
    assert ":handshake: Vereinbart am 4.1.2027: angenommen von Ana (4.1.2027) und Karl (4.1.2027)" in _text(
        _now(stack, proposal)
    )
    stack.settle()
    assert "Ihr habt beide angenommen: Eure Tandem-Spielregeln gelten seit dem 4.1.2027." in _text(
        stack.sandbox.messages(group)[-1]
    )
    with stack.session_factory() as s:
        agreement = _agreement_of(s, ana)
        v1, v2 = _versions(s, agreement)
        assert (v1.superseded_at, v1.agreed_at) == (proposed_at, None)
        assert (v2.number, v2.agreed_at, v2.superseded_at, v2.note) == (2, agreed_at, None, "48 h sind zu lang <!here>")
        assert v2.sections == {**v1_sections, "reachability": changed}
        ana_id = s.scalars(select(Participant.id).where(Participant.slack_user_id == ana.id)).one()
        assert v2.proposed_by == ana_id
        assert _accepted(s, v2) == [("Ana", proposed_at), ("Karl", agreed_at)]
        assert _accepted(s, v1) == []
        assert agreement.agreed_at == agreed_at

    # a later proposal leaves the agreed text in force until the partner accepts it
    assert karl.click(ID.AGREEMENT_PROPOSE, message=proposal).ok
    view = karl.open_views()[-1]
    shown = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert shown[ID.AGREEMENT_F_REACHABILITY] == changed  # the text as it stands now
    assert karl.submit(view["id"], {ID.AGREEMENT_F_AGENDA.value: "Zwei Themen pro Woche."}).ok
    stack.settle()
    ana.open_home()
    stack.settle()
    assert "*Tandem-Spielregeln mit Karl* (Pilot 2027): warten auf dein OK." in _text(ana.home())
    with stack.session_factory() as s:
        v1, v2, v3 = _versions(s, _agreement_of(s, ana))
        assert (v2.agreed_at, v2.superseded_at) == (agreed_at, None)
        assert (v3.agreed_at, v3.superseded_at) == (None, None)
        assert v3.sections == {**v2.sections, "agenda": "Zwei Themen pro Woche."}


# -- reminders ----------------------------------------------------------------------------------------------
WED = START + timedelta(days=2)  # Wednesday 08:00 UTC: 16:00 in Singapore, 03:00 in New York
WED_NEW_YORK = datetime(2027, 1, 6, 14, 0, tzinfo=UTC)  # 09:00 there
MON_SINGAPORE = datetime(2027, 1, 11, 1, 0, tzinfo=UTC)  # five days on is a Saturday: Monday 09:00 in Singapore
MON_NEW_YORK = datetime(2027, 1, 11, 14, 0, tzinfo=UTC)


def _reminders(p: Persona) -> list[dict[str, Any]]:
    return [m for m in p.dm_messages() if _has(m, ID.AGREEMENT_ACCEPT) or "Thanks, you accepted" in m.get("text", "")]


@pytest.mark.sqlite_only  # when in local time, not what is asked of the database: the reminders' queries run on
# PostgreSQL in tests/test_next_due_reminders.py and in the authorization and fuzz worlds
def test_reminders_after_two_and_five_days_in_local_daytime_then_none(stack: LocalStack) -> None:
    _, _, people = _setup(stack, EN_PAIR)
    wei, jorg = people["Wei"], people["Jorg"]
    _, card = stack.sandbox.messages(_group(stack, wei, jorg))

    _run_to(stack, WED - FIVE, start=WED - timedelta(minutes=30))
    assert _reminders(wei) == _reminders(jorg) == []
    _run_to(stack, WED + FIVE)
    [first] = _reminders(wei)
    assert _local(first, "Asia/Singapore") == "Wed 16:00"
    assert first["blocks"][0]["text"]["text"] == (
        "A gentle nudge: your working agreement with *Jörg* in *Pilot 2027* is waiting for your OK. Accept it as it "
        "is, or propose a change; it takes a minute."
    )
    assert all(f"*{title}*" in _text(first) for title in TITLES_EN)  # the whole text, to read right there
    assert _reminders(jorg) == []  # 03:00 in New York
    _run_to(stack, WED_NEW_YORK - FIVE, start=WED_NEW_YORK - timedelta(minutes=30))
    assert _reminders(jorg) == []
    _run_to(stack, WED_NEW_YORK + FIVE)
    [first_jorg] = _reminders(jorg)
    assert _local(first_jorg, "America/New_York") == "Wed 09:00"
    assert first_jorg["blocks"][0]["text"]["text"].startswith(
        "Kleine Erinnerung: Die Tandem-Spielregeln mit *Wei* in *Pilot 2027* warten auf dein OK."
    )

    # Wei accepts from the reminder: it turns into a thank-you; the message in the group DM shows it
    assert wei.click(ID.AGREEMENT_ACCEPT, message=first).ok
    assert _now(stack, first)["text"] == (
        ":white_check_mark: Thanks, you accepted your working agreement with *Jörg*. Now it's Jörg's turn."
    )
    stack.settle()
    assert "Accepted by Wei (6 Jan 2027) · :hourglass_flowing_sand: Waiting for Jörg" in _text(_now(stack, card))

    # the last reminder goes to Jörg alone, on Monday morning his time (day five was a Saturday)
    _run_to(stack, MON_SINGAPORE + FIVE, start=MON_SINGAPORE - timedelta(minutes=30))
    assert len(_reminders(wei)) == 1 and len(_reminders(jorg)) == 1
    _run_to(stack, MON_NEW_YORK - FIVE, start=MON_NEW_YORK - timedelta(minutes=30))
    assert len(_reminders(jorg)) == 1
    _run_to(stack, MON_NEW_YORK + FIVE)
    _, last = _reminders(jorg)
    assert _local(last, "America/New_York") == "Mon 09:00"
    assert last["blocks"][0]["text"]["text"].startswith("Eine letzte Erinnerung, dann frage ich nicht mehr:")

    # then silence, however long it stays open
    _run_to(stack, START + timedelta(days=20), start=MON_NEW_YORK + timedelta(hours=1))
    assert len(_reminders(wei)) == 1 and len(_reminders(jorg)) == 2
    with stack.session_factory() as s:
        agreement = _agreement_of(s, wei)
        pair = s.get(Pair, agreement.pair_id)
        wei_id = s.scalars(select(Participant.id).where(Participant.slack_user_id == wei.id)).one()
        wei_side, jorg_side = ("a", "b") if pair.participant_a_id == wei_id else ("b", "a")
        assert getattr(agreement, f"reminders_{wei_side}") == 1
        assert getattr(agreement, f"reminders_{jorg_side}") == 2
        assert getattr(agreement, f"reminded_{jorg_side}_at") == MON_NEW_YORK
        assert agreement.agreed_at is None


# -- the hosts' template --------------------------------------------------------------------------------------
def test_hosts_edit_the_template_and_new_pairs_get_it(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    mallory = persona(stack, "Mallory")
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    program_card = [m for m in stack.sandbox.messages(channel) if _has(m, ID.AGREEMENT_TEMPLATE)][-1]

    mallory.open_home()
    stack.settle()
    assert mallory.click(ID.AGREEMENT_TEMPLATE, message=program_card).ok
    assert mallory.open_views() == [] and "only program hosts" in _ephemeral(mallory)

    assert hanna.click(ID.AGREEMENT_TEMPLATE, message=program_card).ok
    view = hanna.open_views()[-1]
    assert view["callback_id"] == ID.AGREEMENT_TEMPLATE_MODAL
    shown = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert shown[ID.AGREEMENT_F_REACHABILITY] == (
        "We answer within 48 hours on workdays. When one of us is away or swamped, we say so here."
    )
    answer = hanna.submit(view["id"], {ID.AGREEMENT_F_REACHABILITY.value: "x" * (rules.SECTION_MAX + 1)}).json()
    assert answer["errors"] == {ID.AGREEMENT_F_REACHABILITY: "Please keep this to 1000 characters."}

    custom = "We answer within 24 hours on workdays, and within the hour when something burns."
    # a cleared section goes back to the default
    assert hanna.submit(view["id"], {ID.AGREEMENT_F_REACHABILITY.value: custom, ID.AGREEMENT_F_AGENDA.value: None}).ok
    stack.settle()
    assert stack.sandbox.messages(channel)[-1]["text"] == (
        f"<@{hanna.id}> updated the working agreement for *Pilot 2027*: new pairs get it from now on; pairs who "
        "already have one keep theirs."
    )
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == PROGRAM)).one()
        assert program.agreement_template == {"sections": {"reachability": custom}}

    # new pairs get it: the host's words as written, the other sections in each pair's language
    people = onboard(stack, {**EN_PAIR, **DE_PAIR}, PROGRAM)
    match(stack, hanna, channel)
    _, en_card = stack.sandbox.messages(_group(stack, people["Wei"], people["Jorg"]))
    _, de_card = stack.sandbox.messages(_group(stack, people["Ana"], people["Karl"]))
    assert f"*Reachability*\\n{custom}" in _text(en_card) and "At most 3 topics a week." in _text(en_card)
    assert f"*Erreichbarkeit*\\n{custom}" in _text(de_card) and "Höchstens 3 Themen pro Woche." in _text(de_card)

    # the modal shows the template; saving the default text again sets it back to the default
    assert hanna.click(ID.AGREEMENT_TEMPLATE, message=program_card).ok
    view = hanna.open_views()[-1]
    shown = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert shown[ID.AGREEMENT_F_REACHABILITY] == custom
    default = agreement_blocks.default_sections("en", focus_question=None, bold_goals=[])["reachability"]
    assert hanna.submit(view["id"], {ID.AGREEMENT_F_REACHABILITY.value: default}).ok
    stack.settle()
    assert stack.sandbox.messages(channel)[-1]["text"] == (
        f"<@{hanna.id}> set the working agreement for *Pilot 2027* back to the default."
    )
    with stack.session_factory() as s:
        assert s.scalars(select(Program).where(Program.name == PROGRAM)).one().agreement_template is None


# -- goals --------------------------------------------------------------------------------------------------
def test_goals_one_to_three_with_one_click_progress_shown_in_home(stack: LocalStack) -> None:
    _, _, people = _setup(stack, EN_PAIR)
    wei, jorg = people["Wei"], people["Jorg"]
    group = _group(stack, wei, jorg)
    _, card = stack.sandbox.messages(group)

    assert wei.click(ID.GOAL_OPEN, message=card).ok
    view = wei.open_views()[-1]
    assert view["callback_id"] == ID.GOAL_MODAL
    [ideas] = [b for b in view["blocks"] if b.get("block_id") == ID.GOAL_SUGGESTIONS]
    assert [o["value"] for o in ideas["element"]["options"]] == [
        "A pilot channel on a new platform",
        "A simpler approval process",
        "A tangible prototype",
    ]

    def submit(values: dict[str, Any]) -> dict[str, str]:
        delivery = wei.submit(view["id"], values)
        return (delivery.json() if delivery.body else {}).get("errors", {})

    assert submit({}) == {ID.GOAL_TEXT_1: "Set at least one goal: write one, or pick an idea."}
    assert submit({ID.GOAL_DUE_1.value: "2027-03-01"}) == {
        ID.GOAL_TEXT_1: "Give this goal a few words, or clear its date."
    }
    assert submit({ID.GOAL_TEXT_1.value: "One", ID.GOAL_DUE_1.value: "2027-01-03"}) == {
        ID.GOAL_DUE_1: "Please pick today or a later day."
    }
    four = {
        ID.GOAL_TEXT_1.value: "One",
        ID.GOAL_TEXT_2.value: "Two",
        ID.GOAL_SUGGESTIONS.value: ["A simpler approval process", "A tangible prototype"],
    }
    assert submit(four) == {ID.GOAL_SUGGESTIONS: "At most 3 open goals at a time. Mark one done or clear one first."}
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Goal)) == 0

    assert (
        submit(
            {
                ID.GOAL_TEXT_1.value: "<!channel> win",
                ID.GOAL_DUE_1.value: "2027-03-01",
                ID.GOAL_SUGGESTIONS.value: ["A tangible prototype"],
            }
        )
        == {}
    )
    stack.settle()
    posted = stack.sandbox.messages(group)[-1]
    # Wei's goals are proposed until Jörg accepts them: shown so, with an Accept button each
    assert posted["blocks"][0]["text"]["text"] == (
        "*Wei* set your bold goals:\n"
        "• _&lt;!channel&gt; win_ · due 1 Mar 2027 · proposed, waiting to be accepted\n"
        "• _A tangible prototype_ · proposed, waiting to be accepted"
    )
    assert [b["elements"][0]["action_id"] for b in posted["blocks"][-2:]] == [ID.GOAL_ACCEPT, ID.GOAL_ACCEPT]
    # both see them in App Home, escaped, each in their language: Wei may withdraw, Jörg accept
    jorg.open_home()
    stack.settle()
    assert "• _&lt;!channel&gt; win_ · due 1 Mar 2027 · proposed, waiting to be accepted" in _text(wei.home())
    assert "• _&lt;!channel&gt; win_ · fällig am 1.3.2027 · vorgeschlagen" in _text(jorg.home())
    assert "<!channel>" not in _text(wei.home()) + _text(jorg.home())
    assert _has(wei.home(), ID.GOAL_WITHDRAW) and not _has(wei.home(), ID.GOAL_ACCEPT)
    assert _has(jorg.home(), ID.GOAL_ACCEPT) and not _has(jorg.home(), ID.GOAL_WITHDRAW)
    with stack.session_factory() as s:
        first, second = s.scalars(select(Goal).order_by(Goal.position)).all()
        wei_id = s.scalars(select(Participant.id).where(Participant.slack_user_id == wei.id)).one()
        assert (first.text, first.due_on, first.progress, first.created_by, first.accepted_at) == (
            "<!channel> win",
            date(2027, 3, 1),
            0,
            wei_id,
            None,
        )
        assert (second.text, second.due_on, second.accepted_at) == ("A tangible prototype", None, None)
        pair = s.get(Pair, first.pair_id)
    first_id, second_id = first.id, second.id
    # the proposer can't accept their own goal, nor mark progress before it is accepted; Jörg can't withdraw it
    before = dump(stack.engine)
    assert wei.click(ID.GOAL_ACCEPT, message=posted, value=str(first_id)).ok
    assert not _has(wei.home(), ID.GOAL_PROGRESS_50)  # no progress before it is accepted
    with stack.session_factory() as s:
        wei_row = s.get(Participant, wei_id)
        jorg_row = s.scalars(select(Participant).where(Participant.slack_user_id == jorg.id)).one()
        assert goal_service.mark(s, participant=wei_row, goal_id=first_id, progress=50, now=START) == "proposed"
        assert goal_service.withdraw(s, participant=jorg_row, goal_id=first_id, now=START) == "not_yours"
    assert dump(stack.engine) == before
    assert wei.ephemeral_messages()[-1]["text"] == "You proposed this goal yourself: your partner accepts it."
    # Jörg accepts one in the group DM, the other in App Home; the pair hears each
    assert jorg.click(ID.GOAL_ACCEPT, message=posted, value=str(first_id)).ok
    assert jorg.click(ID.GOAL_ACCEPT, value=str(second_id)).ok
    stack.settle()
    assert ":handshake: *Jörg* accepted the goal *A tangible prototype*" in _text(stack.sandbox.messages(group)[-1])
    with stack.session_factory() as s:
        assert s.get(Goal, first_id).accepted_at == START and s.get(Goal, second_id).accepted_at == START
    wei.open_home()
    stack.settle()

    # progress and done: one click in App Home
    assert wei.click(ID.GOAL_PROGRESS_50, value=str(first_id)).ok
    assert "• *&lt;!channel&gt; win* · due 1 Mar 2027 · ▰▰▱▱ 50%" in _text(wei.home())
    assert jorg.click(ID.GOAL_DONE, value=str(second_id)).ok
    assert "• :white_check_mark: ~A tangible prototype~ · erreicht am 4.1.2027" in _text(jorg.home())
    stack.settle()
    assert stack.sandbox.messages(group)[-1]["text"] == "Jörg marked a goal done"
    assert ":tada: *Jörg* marked a goal done: *A tangible prototype*" in _text(stack.sandbox.messages(group)[-1])
    with stack.session_factory() as s:
        done = s.get(Goal, second_id)
        assert (done.progress, done.done_at) == (100, START)
        assert s.get(Goal, first_id).progress == 50
    # a mis-click is undone in one click too
    assert jorg.click(ID.GOAL_REOPEN, value=str(second_id)).ok
    with stack.session_factory() as s:
        assert (s.get(Goal, second_id).progress, s.get(Goal, second_id).done_at) == (75, None)
    assert jorg.click(ID.GOAL_DONE, value=str(second_id)).ok

    # /tandem goals: its button opens the pair's goals, the open ones in their slots
    assert wei.slash("goals").ok
    reply = wei.ephemeral_messages()[-1]
    assert _has(reply, ID.GOAL_OPEN)
    assert wei.click(ID.GOAL_OPEN, message=reply).ok
    view = wei.open_views()[-1]
    shown = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert shown[ID.GOAL_TEXT_1]["initial_value"] == "<!channel> win"
    assert shown[ID.GOAL_DUE_1]["initial_date"] == "2027-03-01"
    assert "initial_value" not in shown[ID.GOAL_TEXT_2]

    # a fourth: while Wei's form is open, Jörg sets two more; Wei's new one would make four
    assert jorg.click(ID.GOAL_OPEN).ok  # from his App Home
    jorg_view = jorg.open_views()[-1]
    assert jorg.submit(jorg_view["id"], {ID.GOAL_TEXT_2.value: "A newsletter", ID.GOAL_TEXT_3.value: "A workshop"}).ok
    assert submit({ID.GOAL_TEXT_2.value: "A fourth goal"}) == {
        ID.GOAL_TEXT_2: "At most 3 open goals at a time. Mark one done or clear one first."
    }

    # the goals as plain data for the weekly thread, open ones first, Jörg's two still proposed
    with stack.session_factory() as s:
        pair = s.get(Pair, pair.id)
        context = goal_service.goals_context(s, pair)
    assert [(g["text"], g["due"], g["progress"], g["done"], g["proposed"]) for g in context] == [
        ("<!channel> win", date(2027, 3, 1), 50, False, False),
        ("A newsletter", None, 0, False, True),
        ("A workshop", None, 0, False, True),
        ("A tangible prototype", None, 100, True, False),
    ]
    [section] = agreement_blocks.goals_section("en", context)
    assert "• *&lt;!channel&gt; win* · due 1 Mar 2027 · ▰▰▱▱ 50%" in section["text"]["text"]
    assert "• _A workshop_ · proposed, waiting to be accepted" in section["text"]["text"]

    # Jörg withdraws a proposal of his: it is gone, and the pair hears it
    with stack.session_factory() as s:
        workshop = s.scalars(select(Goal.id).where(Goal.text == "A workshop")).one()
    assert jorg.click(ID.GOAL_WITHDRAW, value=str(workshop)).ok
    stack.settle()
    assert stack.sandbox.messages(group)[-1]["text"] == "Jörg withdrew a proposed goal"
    with stack.session_factory() as s:
        assert s.get(Goal, workshop) is None
    # /tandem goals shows Wei the goal Jörg proposed, with Accept
    assert wei.slash("goals").ok
    reply = wei.ephemeral_messages()[-1]
    assert "*Jörg* proposed: _A newsletter_" in _text(reply)
    assert wei.click(ID.GOAL_ACCEPT, message=reply).ok
    with stack.session_factory() as s:
        assert s.scalars(select(Goal.accepted_at).where(Goal.text == "A newsletter")).one() == START


# -- outsiders ----------------------------------------------------------------------------------------------
def test_outsiders_clicks_are_refused_and_change_nothing(stack: LocalStack) -> None:
    hanna, _, people = _setup(stack, {**EN_PAIR, **DE_PAIR})
    wei, jorg, ana, karl = people["Wei"], people["Jorg"], people["Ana"], people["Karl"]
    mallory = persona(stack, "Mallory", locale="de-DE")  # Tandem has never met her
    _, card = stack.sandbox.messages(_group(stack, wei, jorg))
    for p, goal in ((wei, "Wei's goal"), (ana, "Ana's goal")):  # each pair has a goal
        p.click(ID.GOAL_OPEN, message=stack.sandbox.messages(_group(stack, p, jorg if p is wei else karl))[1])
        assert p.submit(p.open_views()[-1]["id"], {ID.GOAL_TEXT_1.value: goal}).ok
    stack.settle()
    with stack.session_factory() as s:
        wei_goal = s.scalars(select(Goal.id).where(Goal.text == "Wei's goal")).one()
    ana.open_home()
    karl.open_home()
    stack.settle()
    before = dump(stack.engine)

    for outsider in (hanna, ana, mallory):
        assert outsider.click(ID.AGREEMENT_ACCEPT, message=card).ok
        assert outsider.click(ID.AGREEMENT_PROPOSE, message=card).ok
        assert outsider.click(ID.GOAL_OPEN, message=card).ok
        assert outsider.open_views() == []
    assert [m["text"] for m in hanna.ephemeral_messages()[-3:]] == [
        "This isn't your tandem's working agreement, so I changed nothing.",
        "This isn't your tandem's working agreement, so I changed nothing.",
        "These aren't your tandem's goals, so I changed nothing.",
    ]
    assert _ephemeral(mallory) == "Das sind nicht die Ziele eures Tandems, deshalb habe ich nichts geändert."
    # Ana's Home has her own proposal's Withdraw, Karl's its Accept; pointed at Wei's goal they change nothing
    assert ana.click(ID.GOAL_WITHDRAW, value=str(wei_goal)).ok
    assert karl.click(ID.GOAL_ACCEPT, value=str(wei_goal)).ok
    for value in ("999999", "abc", ""):
        assert wei.click(ID.AGREEMENT_ACCEPT, message=card, value=value).ok
    assert _ephemeral(wei) == "This isn't your tandem's working agreement, so I changed nothing."
    stack.settle()
    after = dump(stack.engine)
    assert {name for name in before if before[name] != after[name]} <= {"clock_tick"}
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).where(Participant.slack_user_id == mallory.id)) == 0
