"""Learning cards end to end: a participant writes a card; it stays a draft in their DM until they press *Publish*
(their consent); without a community channel, or with Tandem not in it, it stays a draft and they hear why; once
the hosts chose the channel it is posted there once, escaped, with their name or without it as they chose; nobody
else can publish, edit or delete it; bad input keeps the modal open and saves nothing; a published card can't be
edited; a German participant gets German wording."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.blocks import cards as card_blocks
from bot.blocks import kit
from bot.ids import ID
from bot.models import LearningCard, Participant, Program
from bot.sandbox.blockkit import validate_call
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import cards as card_service
from tests.helpers import admin_channel, assert_calls_ok, create_program, match, onboard, persona

EN_PAIR = {
    "Ana": (
        "digital",
        "en-GB",
        "Europe/Berlin",
        "Ana Rivera",
        "Social Media",
        ["short video"],
        ["budgeting"],
        ["trust"],
    ),
    "Karl": ("context", "en-GB", "Europe/Berlin", "Karl Brandt", "Risk", ["budgeting"], ["short video"], ["trust"]),
}
DE_PAIR = {
    "Greta": ("digital", "de-DE", "Europe/Berlin", "Greta Vogel", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Dieter": ("context", "de-DE", "Europe/Berlin", "Dieter Lang", "Legal", ["governance"], ["podcasts"], ["growth"]),
}
TITLE = "Reels need a hook"
TEXT = "<!channel> A short video needs a hook in its first second & a story <@U0ALL>"
PROGRAM = "Pilot 2027"


def _dump(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _with(messages: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [m for m in messages if action_id in json.dumps(m.get("blocks") or [])]


def _posted(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    """Learning cards in ``channel`` (Tandem also says hello when it is invited)."""
    return [m for m in stack.sandbox.messages(channel) if "A learning card" in _dump([m])]


def _cards(stack: LocalStack) -> list[LearningCard]:
    with stack.session_factory() as s:
        return list(s.scalars(select(LearningCard).order_by(LearningCard.id)))


def _write(stack: LocalStack, who: Persona, values: dict[str, Any], command: str = "card") -> Any:
    """``/tandem <command>``, the button, the modal submitted with ``values``; returns the delivery."""
    who.slash(command)
    stack.settle()
    [answer] = _with(who.ephemeral_messages()[-1:], ID.CARD_OPEN)
    who.click(ID.CARD_OPEN, message=answer)
    stack.settle()
    view = who.open_views()[-1]
    assert view["callback_id"] == ID.CARD_MODAL
    delivery = who.submit(view["id"], values)
    stack.settle()
    return delivery


def _ok(delivery: Any) -> None:
    assert not delivery.body or "errors" not in delivery.json()


def _setup(stack: LocalStack) -> tuple[Persona, str, dict[str, Persona]]:
    hanna = persona(stack, "Hanna", is_admin=True)
    admin = admin_channel(stack, hanna)
    create_program(
        stack,
        hanna,
        admin,
        **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_WEEKS.value: "8", ID.PROGRAM_TRIAL.value: "0"},
    )
    people = onboard(stack, EN_PAIR)
    match(stack, hanna, admin)
    people.update(onboard(stack, DE_PAIR))
    match(stack, hanna, admin)
    return hanna, admin, people


def _set_community_channel(stack: LocalStack, hanna: Persona, admin: str, channel: str) -> None:
    """The program card's *Retro settings* modal, as hosts choose the community channel."""
    hanna.slash("admin programs", channel_id=admin)
    stack.settle()
    card = _with(hanna.ephemeral_messages(), ID.RETRO_SETTINGS)[-1]
    hanna.click(ID.RETRO_SETTINGS, message=card)
    stack.settle()
    settings = hanna.open_views()[-1]
    saved = hanna.submit(settings["id"], {ID.RETRO_EVERY.value: "4", ID.RETRO_CHANNEL.value: channel})
    _ok(saved)
    stack.settle()


def test_a_card_is_a_draft_until_its_author_publishes_it_escaped_and_with_or_without_name(stack: LocalStack) -> None:
    hanna, admin, people = _setup(stack)
    ana, karl = people["Ana"], people["Karl"]
    community = stack.sandbox.create_channel("community-of-practice", is_private=False, members=[hanna.id, ana.id])

    # someone without a tandem: cards come with one
    wei = persona(stack, "Wei", tz="Asia/Singapore")
    wei.slash("card")
    stack.settle()
    assert "once you're in a tandem" in _dump(wei.ephemeral_messages()[-1:])
    assert not _with(wei.ephemeral_messages(), ID.CARD_OPEN)
    # the help mentions the command
    ana.slash("help")
    stack.settle()
    assert "/tandem card" in _dump(ana.ephemeral_messages()[-1:])

    # an empty title keeps the modal open with an error on its field and saves nothing
    bad = _write(stack, ana, {ID.CARD_TITLE.value: "   ", ID.CARD_TEXT.value: TEXT})
    assert bad.json()["response_action"] == "errors" and set(bad.json()["errors"]) == {ID.CARD_TITLE.value}
    assert "Please write a few words" in bad.json()["errors"][ID.CARD_TITLE.value]
    assert _cards(stack) == [] and not _with(ana.dm_messages(), ID.CARD_PUBLISH)
    view = ana.open_views()[-1]
    assert view["callback_id"] == ID.CARD_MODAL
    # the same modal, now filled in: a draft and its preview in Ana's DM, nothing in the channel
    _ok(ana.submit(view["id"], {ID.CARD_TITLE.value: f"  {TITLE} ", ID.CARD_TEXT.value: TEXT}))
    stack.settle()
    [draft] = _cards(stack)
    assert (draft.title, draft.text, draft.show_name, draft.published_at) == (TITLE, TEXT, True, None)
    [preview] = _with(ana.dm_messages(), ID.CARD_PUBLISH)
    shown = _dump([preview])
    assert "a draft only you can see" in shown and "Ana Rivera, Pilot 2027" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown and "<@U0ALL>" not in shown
    assert stack.sandbox.messages(community) == []

    # Publish without a community channel: a kind word, still a draft, nothing posted
    ana.click(ID.CARD_PUBLISH, message=preview)
    stack.settle()
    told = _dump(ana.ephemeral_messages()[-1:])
    assert "still a draft; nothing is lost" in told and "no community channel yet" in told
    assert _cards(stack)[0].published_at is None and stack.sandbox.messages(community) == []

    # the hosts choose the community channel (Tandem must be in it) under Retro settings
    stack.sandbox.invite(community, stack.sandbox.bot_user_id, inviter=hanna.id)
    _set_community_channel(stack, hanna, admin, community)

    # Karl (Ana's partner) clicks Ana's Publish: refused, nothing posted, still a draft
    karl.click(ID.CARD_PUBLISH, message=preview)
    stack.settle()
    assert "belongs to someone else" in _dump(karl.ephemeral_messages()[-1:])
    assert _posted(stack, community) == [] and _cards(stack)[0].published_at is None
    karl.click(ID.CARD_DELETE, message=preview)
    stack.settle()
    assert len(_cards(stack)) == 1 and "belongs to someone else" in _dump(karl.ephemeral_messages()[-1:])

    # Ana publishes: one post in the channel, escaped, with her name; the preview says where it went
    ana.click(ID.CARD_PUBLISH, message=preview)
    stack.settle()
    [post] = _posted(stack, community)
    posted = _dump([post])
    assert TITLE in posted and "Ana Rivera, Pilot 2027" in posted
    assert "&lt;!channel&gt;" in posted and "<!channel>" not in posted and "&lt;@U0ALL&gt;" in posted
    [card] = _cards(stack)
    assert card.published_at is not None and card.channel_id == community
    now_preview = stack.sandbox.find_message(preview["ts"], preview["channel"])
    assert "Published in" in _dump([now_preview]) and not _with([now_preview], ID.CARD_PUBLISH)

    # a second card without her name; she opens Edit, publishes, then the edit can't be saved any more
    _ok(
        _write(
            stack,
            ana,
            {
                ID.CARD_TITLE.value: "Stakeholders first",
                ID.CARD_TEXT.value: "Ask who decides.",
                ID.CARD_SHOW_NAME.value: "anonymous",
            },
        )
    )
    second_preview = _with(ana.dm_messages(), ID.CARD_PUBLISH)[-1]
    assert "a participant of Pilot 2027" in _dump([second_preview])
    ana.click(ID.CARD_EDIT, message=second_preview)
    stack.settle()
    edit = ana.open_views()[-1]
    assert edit["callback_id"] == ID.CARD_MODAL and "Stakeholders first" in _dump([edit])
    ana.click(ID.CARD_PUBLISH, message=second_preview)
    stack.settle()
    posts = _posted(stack, community)
    assert len(posts) == 2
    anonymous = _dump(posts[-1:])
    assert "Stakeholders first" in anonymous and "a participant of Pilot 2027" in anonymous
    assert "Ana" not in anonymous and "Rivera" not in anonymous
    refused = ana.submit(edit["id"], {ID.CARD_TITLE.value: "Changed afterwards"})
    assert refused.json()["response_action"] == "errors"
    assert "already published" in refused.json()["errors"][ID.CARD_TITLE.value]
    stack.settle()
    assert [c.title for c in _cards(stack)] == [TITLE, "Stakeholders first"]
    assert "Changed afterwards" not in _dump(stack.sandbox.messages(community))
    assert not _with([stack.sandbox.find_message(second_preview["ts"])], ID.CARD_EDIT)

    # a third card: edited as a draft (the preview follows), then deleted (gone, nothing shared)
    _ok(_write(stack, ana, {ID.CARD_TITLE.value: "Draft one", ID.CARD_TEXT.value: "Not sure yet."}))
    third = _with(ana.dm_messages(), ID.CARD_PUBLISH)[-1]
    ana.click(ID.CARD_EDIT, message=third)
    stack.settle()
    _ok(ana.submit(ana.open_views()[-1]["id"], {ID.CARD_TITLE.value: "Draft two"}))
    stack.settle()
    assert "Draft two" in _dump([stack.sandbox.find_message(third["ts"])])
    assert [c.title for c in _cards(stack)][-1] == "Draft two"
    ana.click(ID.CARD_DELETE, message=third)
    stack.settle()
    assert "You deleted the draft" in _dump([stack.sandbox.find_message(third["ts"])])
    assert [c.title for c in _cards(stack)] == [TITLE, "Stakeholders first"]
    assert len(_posted(stack, community)) == 2
    # a new card after the delete gets a preview of its own (even where SQLite hands out the deleted id again)
    before = len(_with(ana.dm_messages(), ID.CARD_PUBLISH))
    _ok(_write(stack, ana, {ID.CARD_TITLE.value: "Fresh start", ID.CARD_TEXT.value: "Again."}))
    fresh = _with(ana.dm_messages(), ID.CARD_PUBLISH)
    assert len(fresh) == before + 1 and "Fresh start" in _dump(fresh[-1:])

    # hosts: the program's published cards and their count (drafts never count); Ana's own cards, newest first
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == PROGRAM)).one()
        assert card_service.published_count(s, program) == 2
        assert [c.title for c, _ in card_service.published_cards(s, program)] == [TITLE, "Stakeholders first"]
        own = card_service.cards_of(s, _participant(s, ana))
        assert [c.title for c, _ in own] == ["Fresh start", "Stakeholders first", TITLE]
        # the App Home section built from it: buttons only on the draft, and a view Slack accepts
        home = card_blocks.home_section("en", own, can_write=True)
        assert [b["elements"][0]["value"] for b in home if b["type"] == "actions"] == [str(own[0][0].id)]
        assert _dump(home).count("published in") == 2 and "draft · Pilot 2027" in _dump(home)
        assert validate_call("views.publish", {"user_id": ana.id, "view": kit.home(blocks=home)}) == []
        assert [c.title for c, _ in card_service.cards_of(s, _participant(s, karl))] == []

    # forget-me: her published cards leave the community channel too (the forget-me text says so)
    assert ana.slash("forget-me").ok
    question = ana.ephemeral_messages()[-1]
    assert "taken out of the community channel" in _dump([question])
    ana.click(ID.PRIVACY_FORGET, message=question)
    stack.settle()
    assert _posted(stack, community) == [] and _cards(stack) == []
    assert [c["method"] for c in stack.sandbox.calls].count("chat.delete") == 2
    assert_calls_ok(stack)  # every call, the two chat.delete included, as Slack accepts it


def test_german_wording_and_a_community_channel_without_tandem(stack: LocalStack) -> None:
    _hanna, _admin, people = _setup(stack)
    greta = people["Greta"]
    greta.slash("karte")
    stack.settle()
    answer = _dump(greta.ephemeral_messages()[-1:])
    assert "Lernkarte schreiben" in answer and "Veröffentlichen" in answer
    bad = _write(stack, greta, {ID.CARD_TITLE.value: "Podcasts", ID.CARD_TEXT.value: " "}, command="karte")
    assert bad.json()["errors"] == {ID.CARD_TEXT.value: "Bitte schreib hier ein paar Worte."}
    view = greta.open_views()[-1]
    assert view["title"]["text"] == "Lernkarte" and "Meinen Namen auf der Karte zeigen?" in _dump([view])
    _ok(greta.submit(view["id"], {ID.CARD_TITLE.value: "Podcasts", ID.CARD_TEXT.value: "Kurze Folgen <b>wirken</b>."}))
    stack.settle()
    [preview] = _with(greta.dm_messages(), ID.CARD_PUBLISH)
    shown = _dump([preview])
    assert "Deine Lernkarte" in shown and "Greta Vogel, Pilot 2027" in shown and "Bearbeiten" in shown
    assert "&lt;b&gt;wirken&lt;/b&gt;" in shown and "noch keinen Community-Channel" in shown

    # the program's channel is one Tandem is not (or no longer) in: still a draft, and Greta hears why in German
    elsewhere = stack.sandbox.create_channel("elsewhere", is_private=False, members=[greta.id])
    with stack.session_factory() as s:
        s.scalars(select(Program).where(Program.name == PROGRAM)).one().community_channel_id = elsewhere
        s.commit()
    greta.click(ID.CARD_PUBLISH, message=preview)
    stack.settle()
    told = _dump(greta.ephemeral_messages()[-1:])
    assert "Deine Karte bleibt ein Entwurf" in told and "Ich bin noch nicht in" in told
    assert stack.sandbox.messages(elsewhere) == []
    with stack.session_factory() as s:
        assert s.scalar(select(func.count(LearningCard.id)).where(LearningCard.published_at.is_not(None))) == 0


def test_modal_with_several_programs_has_a_program_select_slack_accepts() -> None:
    view = card_blocks.modal("en", programs=[(1, "Pilot 2027"), (2, "Pilot 2028")])
    [select_block] = [b for b in view["blocks"] if b.get("block_id") == ID.CARD_PROGRAM]
    assert [o["value"] for o in select_block["element"]["options"]] == ["1", "2"]
    assert json.loads(view["private_metadata"]) == {}
    assert validate_call("views.open", {"trigger_id": "1.2.3", "view": view}) == []


def _participant(session: Any, who: Persona) -> Any:
    return session.scalars(select(Participant).where(Participant.slack_user_id == who.id)).one()
