"""Escalations end to end: "I need help" reaches the hosts with only what the person chose to share, hosts answer
through Tandem, non-hosts can do neither, and a pattern of last-minute cancellations escalates once, unnamed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.ids import ID
from bot.models import Cancellation, Escalation, Pair, Participant
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from tests.helpers import OTHERS, PAIR, START, admin_channel, create_program, match, onboard, persona

MINUTE = timedelta(minutes=1)


def _setup(stack: LocalStack) -> dict[str, Any]:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, {**PAIR, **OTHERS})
    match(stack, hanna, channel)
    return {"hanna": hanna, "channel": channel, **{k.lower(): v for k, v in people.items()}}


def _dump(thing: Any) -> str:
    return json.dumps(thing, ensure_ascii=False)


def _escalations(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    return [
        m
        for m in stack.sandbox.messages(channel)
        if any(e.get("action_id") == ID.ESCALATION_ANSWER for b in m.get("blocks", []) for e in b.get("elements", []))
    ]


def _ask(p: Persona, text: str | None, share: list[str]) -> dict[str, Any]:
    p.slash("help-me")
    view = p.open_views()[-1]
    assert view["callback_id"] == ID.HELP_ME_MODAL
    p.submit(view["id"], {ID.HELP_ME_TEXT.value: text, ID.HELP_ME_SHARE.value: share})
    return p.sandbox.view(view["id"])  # type: ignore[return-value]


def _answer(host: Persona, escalation: dict[str, Any], text: str | None, *, sign: bool) -> str:
    assert host.click(ID.ESCALATION_ANSWER, message=escalation).ok
    modal = host.open_views()[-1]
    assert modal["callback_id"] == ID.ESCALATION_ANSWER_MODAL
    host.submit(
        modal["id"], {ID.ESCALATION_ANSWER_TEXT.value: text, ID.ESCALATION_ANSWER_SIGN.value: ["sign"] if sign else []}
    )
    return modal["id"]


def test_help_me_shares_only_what_was_chosen_and_the_host_answer_reaches_the_person(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, hanna, channel = w["wei"], w["jorg"], w["hanna"], w["channel"]
    wei.slash("note note-secret about our budget #hosts")

    sent = _ask(wei, "We keep <!channel> missing each other", ["program"])
    assert "This is all the hosts see" in _dump(sent)
    stack.settle()
    [escalation] = _escalations(stack, channel)
    shown = _dump(escalation)
    assert "We keep &lt;!channel&gt; missing each other" in shown and "<!channel>" not in shown
    assert "Pilot 2027" in shown
    for never in ("Wei", "Jörg", "Jorg", wei.id, jorg.id, "note-secret"):
        assert never not in shown
    assert _dump(sent["blocks"]).count("Pilot 2027") == 1 and "Wei" not in _dump(sent["blocks"])

    # the host answers without signing: Wei reads "your program host"
    modal_id = _answer(hanna, escalation, "Shall we find a better slot together?", sign=False)
    assert stack.sandbox.view_errors(modal_id) is None
    stack.settle()
    answer = wei.dm_messages()[-1]
    assert "Shall we find a better slot together?" in _dump(answer)
    assert "Your program host" in _dump(answer) and "Hanna" not in _dump(answer)
    assert any(e.get("action_id") == ID.HELP_ME for b in answer["blocks"] for e in b.get("elements", []))
    # a signed second answer names the host
    _answer(hanna, escalation, "I'm Hanna, by the way.", sign=True)
    stack.settle()
    assert "*Hanna* answered your request" in _dump(wei.dm_messages()[-1])
    answered = [m for m in stack.sandbox.messages(channel) if "answered request" in m.get("text", "")]
    assert len(answered) == 2 and "better slot" not in _dump(answered)
    with stack.session_factory() as s:
        row = s.scalars(select(Escalation)).one()
        assert (row.kind, row.answers, row.answered_by) == ("help", 2, hanna.id)
        assert row.shared == {"text": "We keep <!channel> missing each other", "program": "Pilot 2027"}
        assert row.pair_id is None  # the partner was not shared, so the row does not point at the pair either

    # an empty answer is refused in the modal and sends nothing
    before = len(wei.dm_messages())
    modal_id = _answer(hanna, escalation, None, sign=True)
    assert stack.sandbox.view_errors(modal_id) == {ID.ESCALATION_ANSWER_TEXT.value: "Please write an answer."}
    stack.settle()
    assert len(wei.dm_messages()) == before


def test_sharing_name_and_partner_or_nothing_at_all(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, hanna, channel = w["wei"], w["hanna"], w["channel"]
    _ask(wei, None, ["name", "partner"])
    _ask(wei, None, [])
    stack.settle()
    named, anonymous = _escalations(stack, channel)
    assert "*From:* Wei" in _dump(named) and "*Partner:* Jörg" in _dump(named)
    assert "Pilot 2027" not in _dump(named)
    assert "No details" in _dump(anonymous) and "Wei" not in _dump(anonymous) and "Jörg" not in _dump(anonymous)
    # the anonymous one can be answered all the same
    _answer(hanna, anonymous, "We're here if you need us.", sign=True)
    stack.settle()
    assert "We're here if you need us." in _dump(wei.dm_messages()[-1])


def test_the_home_button_opens_the_same_request(stack: LocalStack) -> None:
    w = _setup(stack)
    ana = w["ana"]
    ana.open_home()
    assert ana.click(ID.HELP_ME).ok
    view = ana.open_views()[-1]
    assert view["callback_id"] == ID.HELP_ME_MODAL
    share = next(b for b in view["blocks"] if b.get("block_id") == ID.HELP_ME_SHARE)
    # Ana's Slack speaks German; the choices name exactly what would be shown
    assert [o["text"]["text"] for o in share["element"]["options"]] == [
        "Meinen Namen (Ana)",
        "Mit wem ich im Tandem bin (Priya)",
        "Mein Programm (Pilot 2027)",
    ]
    assert "initial_options" not in share["element"]  # nothing is shared unless ticked


def test_non_hosts_can_neither_open_nor_send_an_answer(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, ana, hanna, channel = w["wei"], w["ana"], w["hanna"], w["channel"]
    _ask(wei, "Help please", ["name"])
    stack.settle()
    [escalation] = _escalations(stack, channel)

    assert ana.click(ID.ESCALATION_ANSWER, message=escalation).ok
    assert ana.open_views() == []
    assert "nur Programm-Hosts" in ana.ephemeral_messages()[-1]["text"]
    # even with a host's answer modal in hand, a non-host's submission is refused and sends nothing
    assert hanna.click(ID.ESCALATION_ANSWER, message=escalation).ok
    modal = hanna.open_views()[-1]
    before = len(wei.dm_messages())
    ana.submit(modal["id"], {ID.ESCALATION_ANSWER_TEXT.value: "I am not a host"})
    assert "nur Programm-Hosts" in (stack.sandbox.view_errors(modal["id"]) or {}).get(
        ID.ESCALATION_ANSWER_TEXT.value, ""
    )
    stack.settle()
    assert len(wei.dm_messages()) == before
    with stack.session_factory() as s:
        assert s.scalars(select(Escalation.answers)).one() == 0


def test_without_hosts_nothing_is_sent_and_the_text_stays(stack: LocalStack) -> None:
    olaf = persona(stack, "Olaf")
    olaf.slash("help-me")
    view = olaf.open_views()[-1]
    olaf.submit(view["id"], {ID.HELP_ME_TEXT.value: "Is anyone there?"})
    errors = stack.sandbox.view_errors(view["id"])
    assert errors is not None and "nobody to send this to" in errors[ID.HELP_ME_TEXT.value]
    assert olaf.open_views()[-1]["id"] == view["id"]  # the modal stays open with the text
    with stack.session_factory() as s:
        assert s.scalars(select(Escalation)).all() == []


# -- the pattern ----------------------------------------------------------------------------------------------------
def _cancel(stack: LocalStack, p: Persona, *, days: float, late: bool = True) -> None:
    """A week cancelled from the pair's thread, as the weekly rhythm records it."""
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()
        pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
        count = len(s.scalars(select(Cancellation)).all())
        s.add(
            Cancellation(
                pair_id=pair.id,
                participant_id=me.id,
                week_number=count + 1,
                kind="cancel",
                late=late,
                created_at=START + timedelta(days=days),
            )
        )
        s.commit()


def _patterns(stack: LocalStack, channel: str) -> list[dict[str, Any]]:
    return [m for m in _escalations(stack, channel) if "last-minute" in m.get("text", "")]


def test_repeated_late_cancellations_escalate_once_without_names(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, hanna, channel = w["wei"], w["jorg"], w["hanna"], w["channel"]
    wei.slash("note note-secret for the hosts #hosts")

    _cancel(stack, wei, days=0)
    _cancel(stack, jorg, days=0)  # one each is no pattern
    _cancel(stack, wei, days=0, late=False)  # in good time: never counts
    stack.advance(MINUTE)  # a clock tick (each minute's tick runs once)
    assert _patterns(stack, channel) == []

    _cancel(stack, wei, days=0)  # Wei's second late one within six weeks
    stack.advance(MINUTE)
    [pattern] = _patterns(stack, channel)
    shown = _dump(pattern)
    assert "Pilot 2027" in shown and "2 sessions less than 24 hours ahead within 6 weeks" in shown
    for never in ("Wei", "Jörg", "Jorg", wei.id, jorg.id, "note-secret"):
        assert never not in shown
    with stack.session_factory() as s:
        rows = s.scalars(select(Cancellation).order_by(Cancellation.id)).all()
        assert [(r.late, r.escalated_at is not None) for r in rows] == [
            (True, True),
            (True, False),
            (False, False),
            (True, True),
        ]
    # Wei is told, in his workday daytime (Singapore: it is 16:00 on a Monday there)
    notice = [m for m in wei.dm_messages() if "short notice" in m.get("text", "") or "Tandem let the hosts" in _dump(m)]
    assert len(notice) == 1 and "without your name" in _dump(notice[0])

    # later ticks change nothing; one more late cancellation alone is no new pattern
    stack.advance(timedelta(minutes=3))
    _cancel(stack, wei, days=0)
    stack.advance(timedelta(minutes=2))
    assert len(_patterns(stack, channel)) == 1
    # a host answers the person behind the pattern without knowing who it is
    _answer(hanna, pattern, "Would a fortnightly rhythm suit you better?", sign=True)
    stack.settle()
    answer = wei.dm_messages()[-1]
    assert "fortnightly rhythm" in _dump(answer) and "short-notice changes" in _dump(answer)
    assert not any("fortnightly rhythm" in _dump(m) for m in jorg.dm_messages())

    # another late one makes the next pair of them: a second escalation
    _cancel(stack, wei, days=0)
    stack.advance(MINUTE)
    assert len(_patterns(stack, channel)) == 2
    with stack.session_factory() as s:
        kinds = s.scalars(select(Escalation.kind).order_by(Escalation.id)).all()
        assert kinds == ["late_pattern", "late_pattern"]


def test_old_late_cancellations_do_not_count(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, channel = w["wei"], w["channel"]
    _cancel(stack, wei, days=0)
    stack.clock.set(START + timedelta(weeks=6, minutes=1))  # type: ignore[attr-defined]
    _cancel(stack, wei, days=42)  # six weeks and a minute after the first one
    stack.advance(MINUTE)
    assert _patterns(stack, channel) == []
    _cancel(stack, wei, days=42)  # but two within the window do
    stack.advance(MINUTE)
    assert len(_patterns(stack, channel)) == 1
