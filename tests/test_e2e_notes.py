"""Notes end to end: saving them (command, modal, "Add a note", the message shortcut), and the visibility and
red-zone rules everywhere a note can appear: each person's App Home and ``/tandem notes``, the hosts' listing,
the program listing, the export file, and the admin channel (escalations)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.domain.rhythm import WeekStatus
from bot.ids import ID
from bot.models import Escalation, Note, OutboxMessage, Pair, PairStatus, PairWeek, Participant, RedTopic, WeekAnswer
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.server import Delivery
from bot.sandbox.stack import LocalStack
from bot.services import notes, rhythm
from tests.helpers import (
    OTHERS,
    PAIR,
    admin_channel,
    answer_share,
    create_program,
    deliver_asks,
    match,
    note_id_of,
    onboard,
    persona,
)

# Wei's notes, each with a marker no other marker contains (written by Wei, the author; Jorg is the partner).
WEI_NOTES = {
    "note-01": "[Ideas] note-01 only for me #private",
    "note-02": "note-02 for the two of us",
    "note-03": "note-03 for the hosts too #hosts",
    "note-04": "note-04 for the whole program #program",
    "note-05": "note-05 private and red #private #red",
    "note-06": "note-06 pair and red #red",
    "note-07": "note-07 hosts but red #hosts #red",
    "note-08": "note-08 program but red #program #red",
    "note-09": "[Budget] note-09 hosts, under a topic that turns red #hosts",
    "note-10": "[budget] note-10 program, under a topic that turns red #program",
}
JORG_PRIVATE = "note-11"
EVERY_MARKER = [*WEI_NOTES, JORG_PRIVATE]
NOT_PRIVATE = [m for m in WEI_NOTES if m not in ("note-01", "note-05")]


# -- helpers ------------------------------------------------------------------------------------------------------
def _setup(stack: LocalStack) -> dict[str, Any]:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel)
    people = onboard(stack, {**PAIR, **OTHERS})
    match(stack, hanna, channel)
    assert _partners(stack, people["Wei"]) == people["Jorg"].id
    olaf = persona(stack, "Olaf")  # in no program at all
    return {"hanna": hanna, "channel": channel, "olaf": olaf, **{k.lower(): v for k, v in people.items()}}


def _partners(stack: LocalStack, p: Persona) -> str | None:
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == p.id)).one()
        pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
        other = pair.participant_b_id if pair.participant_a_id == me.id else pair.participant_a_id
        return s.get(Participant, other).slack_user_id  # type: ignore[union-attr]


def _last_ephemeral(p: Persona) -> dict[str, Any]:
    return p.ephemeral_messages()[-1]


def _dump(thing: Any) -> str:
    return json.dumps(thing, ensure_ascii=False)


def _shown(text: str) -> set[str]:
    return {m for m in EVERY_MARKER if m in text}


def _home(p: Persona) -> str:
    assert p.open_home().ok
    return _dump(p.home())


def save_from_shortcut(stack: LocalStack, p: Persona, message: dict[str, Any]) -> Delivery:
    """The message shortcut "Save to Tandem notes" on ``message``, as Slack delivers it (``message_action``)."""
    sandbox = stack.sandbox
    return sandbox.send_interaction(
        {
            "type": "message_action",
            "callback_id": ID.NOTE_SHORTCUT.value,
            "trigger_id": sandbox.issue_trigger(p.id),
            "action_ts": sandbox.next_ts(),
            "user": {"id": p.id, "name": p.name, "username": p.name, "team_id": sandbox.team_id},
            "channel": {"id": message["channel"], "name": sandbox.channel_name(message["channel"])},
            "message_ts": message["ts"],
            "message": {k: v for k, v in message.items() if k != "channel"},
            "response_url": sandbox.issue_response_url(message["channel"], p.id),
        }
    )


def _export(stack: LocalStack, p: Persona) -> str:
    """``/tandem notes export`` and the file that arrives in the person's DM."""
    before = set(stack.sandbox.files)
    p.slash("notes export")
    assert "Markdown" in _last_ephemeral(p)["text"]
    stack.settle()
    new = [f for f in stack.sandbox.files if f not in before]
    assert len(new) == 1
    info = stack.sandbox.files[new[0]]
    assert info["completed"] and info["name"].startswith("tandem-notes-") and info["name"].endswith(".md")
    shared = [m for m in p.dm_messages() if m.get("subtype") == "file_share"]
    assert [f["id"] for f in shared[-1]["files"]] == new
    assert [s["channel"] for s in info["shares"]] == [p.dm]
    return info["content"].decode("utf-8")


# -- the matrix ---------------------------------------------------------------------------------------------------
def test_visibility_and_red_zones_hold_everywhere_a_note_can_appear(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, ana, hanna, olaf, channel = w["wei"], w["jorg"], w["ana"], w["hanna"], w["olaf"], w["channel"]

    def save(markers: list[str]) -> None:
        for marker in markers:
            wei.slash(f"note {WEI_NOTES[marker]}")
            assert "Saved to your notes with" in _last_ephemeral(wei)["text"], marker

    # App Home shows each pair's 5 newest notes: first the five that are not red (and Jörg's private one) ...
    save(["note-01", "note-02", "note-03", "note-04"])
    jorg.slash(f"note {JORG_PRIVATE} is mine alone #private")
    save(["note-05"])
    homes = {p.name: _shown(_home(p)) for p in (wei, jorg, hanna, ana, olaf)}
    assert homes == {
        "Wei": {"note-01", "note-02", "note-03", "note-04", "note-05"},  # the author: all, his private ones too
        "Jorg": {"note-02", "note-03", "note-04", JORG_PRIVATE},  # the partner: all but Wei's private ones
        "Hanna": set(),  # a host
        "Ana": set(),  # someone else in the program
        "Olaf": set(),  # someone outside it
    }
    # ... then the red ones; the partner marks a topic red (it covers "Budget" and "budget" alike)
    save(["note-06", "note-07", "note-08", "note-09", "note-10"])
    jorg.slash("notes red [Budget]")  # Jörg's Slack speaks German
    assert "ist jetzt rot" in _last_ephemeral(jorg)["text"]
    stack.settle()
    newest = {"note-06", "note-07", "note-08", "note-09", "note-10"}
    homes = {p.name: _shown(_home(p)) for p in (wei, jorg, hanna, ana, olaf)}
    assert homes == {"Wei": newest, "Jorg": newest, "Hanna": set(), "Ana": set(), "Olaf": set()}

    wei_sees = set(WEI_NOTES)
    jorg_sees = {*NOT_PRIVATE, JORG_PRIVATE}
    for_hosts = {"note-03", "note-04"}  # hosts or program visibility, not red, not under the red topic
    for_program = {"note-04"}

    # red ones are marked red where they may appear
    home = wei.home()
    assert home is not None
    red_lines = [b["text"]["text"] for b in home["blocks"] if b.get("type") == "section" and ":red_circle:" in _dump(b)]
    assert {m for line in red_lines for m in EVERY_MARKER if m in line} == {
        "note-06",
        "note-07",
        "note-08",
        "note-09",
        "note-10",
    }

    # /tandem notes: the same, only for the reader
    wei.slash("notes")
    assert _shown(_dump(_last_ephemeral(wei))) == wei_sees
    jorg.slash("notes")
    assert _shown(_dump(_last_ephemeral(jorg))) == jorg_sees
    olaf.slash("notes")
    assert _shown(_dump(_last_ephemeral(olaf))) == set()

    # a hosts or program note leaves the pair only once the partner agreed: Jörg was asked about the four that are
    # not red (in German, his Slack's language), never about a red one; until he answers, hosts see nothing
    asks = deliver_asks(stack, jorg)
    asked = {m for m in EVERY_MARKER if any(m in _dump(a) for a in asks.values())}
    assert asked == {"note-03", "note-04", "note-09", "note-10"}
    assert all("möchte diese Notiz aus eurem Tandem" in _dump(a) for a in asks.values())
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == set()
    ana.slash("notes program")
    assert _shown(_dump(_last_ephemeral(ana))) == set()
    for marker in ("note-03", "note-04", "note-09", "note-10"):
        assert answer_share(stack, jorg, marker).ok

    # the hosts' listing: only hosts/program notes that are not red, in the admin channel only
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == for_hosts
    hanna.slash("admin notes pilot 2027", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == for_hosts
    hanna.slash("admin notes Nope", channel_id=channel)
    assert "no program called Nope" in _last_ephemeral(hanna)["text"]
    # non-hosts get a polite refusal and no notes, wherever they ask
    for p in (wei, ana, olaf):
        p.slash("admin notes")
        reply = _last_ephemeral(p)
        assert ("only program hosts" in reply["text"] or "nur Programm-Hosts" in reply["text"]) and not _shown(
            _dump(reply)
        )
    hanna.slash("admin notes")  # a host outside the admin channel
    assert "only in the admin channel" in _last_ephemeral(hanna)["text"]

    # the program listing: program notes that are not red, for people in the program
    for p in (ana, wei, jorg):
        p.slash("notes program")
        assert _shown(_dump(_last_ephemeral(p))) == for_program
    for p in (olaf, hanna):  # not in the program
        p.slash("notes program")
        reply = _last_ephemeral(p)
        assert "aren't in a program" in reply["text"] and _shown(_dump(reply)) == set()

    # the export: everything the reader may see (red included: it goes to their own DM), nothing else
    wei_file = _export(stack, wei)
    assert _shown(wei_file) == wei_sees
    assert "RED" in wei_file and "Red topics: Budget" in wei_file
    jorg_file = _export(stack, jorg)
    assert _shown(jorg_file) == jorg_sees
    olaf.slash("notes export")
    assert "no notes to export" in _last_ephemeral(olaf)["text"]

    # an escalation reaches the admin channel without any note
    ana.slash("help-me")
    view = ana.open_views()[-1]
    ana.submit(view["id"], {ID.HELP_ME_TEXT.value: "We keep missing each other", ID.HELP_ME_SHARE.value: ["name"]})
    stack.settle()
    admin_text = _dump(stack.sandbox.messages(channel))
    assert "We keep missing each other" in admin_text
    assert _shown(admin_text) == set()
    # nothing anywhere in the workspace outside the pair ever carried a red note (DMs, channels, group DMs); the
    # partner's question about a note that turned red after it was asked stays in the pair (Jörg's own DM)
    red = {"note-05", "note-06", "note-07", "note-08", "note-09", "note-10"}
    inside = {jorg.dm, jorg.id, wei.dm, wei.id}
    for call in stack.sandbox.calls:
        if call["method"] in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if call["args"].get("channel") in inside:
                assert not _shown(_dump(call["args"])) & (red - {"note-09", "note-10"}), call["method"]
                continue
            assert not _shown(_dump(call["args"])) & red, call["method"]

    # a note for the hosts saved under the red topic: the answer says the topic holds it back, not only the OK
    wei.slash("note [BUDGET] zq-after-red for the hosts #hosts")
    assert "and its topic is no longer red" in _dump(_last_ephemeral(wei))

    # lifting the red topic (only who marked it may) brings its notes back to hosts and program
    wei.slash("notes unred [budget]")
    assert "Only whoever marked" in _last_ephemeral(wei)["text"]
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == for_hosts
    jorg.slash("notes unred [BUDGET]")
    assert "nicht mehr rot" in _last_ephemeral(jorg)["text"]
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == {*for_hosts, "note-09", "note-10"}
    ana.slash("notes program")
    assert _shown(_dump(_last_ephemeral(ana))) == {"note-04", "note-10"}


def test_marking_a_note_red_from_home_hides_it_from_hosts_and_only_the_marker_lifts_it(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, hanna, ana, channel = w["wei"], w["jorg"], w["hanna"], w["ana"], w["channel"]
    wei.slash("note note-03 shared with hosts #hosts")
    wei.slash("note note-04 shared with the program #program")
    answer_share(stack, jorg, "note-03")
    answer_share(stack, jorg, "note-04")
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == {"note-03", "note-04"}

    # Jorg (the partner) marks Wei's hosts note red on his Home
    note_id = note_id_of(stack, "note-03")
    jorg.open_home()
    buttons = [el for _, el in iter_action_elements(jorg.home()["blocks"]) if el["action_id"] == ID.NOTE_TOGGLE_RED]  # type: ignore[index]
    assert {b["value"] for b in buttons} == {str(note_id), str(note_id_of(stack, "note-04"))}
    assert jorg.click(ID.NOTE_TOGGLE_RED, value=str(note_id)).ok
    home = _dump(jorg.home())
    assert ":red_circle: note-03" in home and "Rot aufheben" in home  # Jörg's Slack speaks German
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == {"note-04"}

    # Wei wrote it, but Jorg marked it red: Wei's Home offers no lift, and a forged click changes nothing
    wei.open_home()
    wei_buttons = {
        el["value"] for _, el in iter_action_elements(wei.home()["blocks"]) if el["action_id"] == ID.NOTE_TOGGLE_RED
    }  # type: ignore[index]
    assert wei_buttons == {str(note_id_of(stack, "note-04"))}
    wei.slash("notes")
    listing = _last_ephemeral(wei)
    assert wei.click(ID.NOTE_TOGGLE_RED, message=listing["ts"], value=str(note_id)).ok
    assert "Only whoever marked this note red" in _last_ephemeral(wei)["text"]
    # someone outside the pair cannot touch it at all
    ana.slash("notes")
    wei.slash("notes")
    assert ana.click(ID.NOTE_TOGGLE_RED, message=_last_ephemeral(wei)["ts"], value=str(note_id)).ok
    assert "kannst du nicht sehen" in _last_ephemeral(ana)["text"]  # Ana's Slack speaks German
    with stack.session_factory() as s:
        note = s.get(Note, note_id)
        assert note is not None and note.red

    # Jorg lifts it: hosts see it again
    jorg.open_home()
    assert jorg.click(ID.NOTE_TOGGLE_RED, value=str(note_id)).ok
    hanna.slash("admin notes", channel_id=channel)
    assert _shown(_dump(_last_ephemeral(hanna))) == {"note-03", "note-04"}


def test_escaping_user_text_is_harmless_everywhere(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, hanna, channel = w["wei"], w["jorg"], w["hanna"], w["channel"]
    wei.slash("note <!channel> please read <https://evil.example|bank> and <@U999|boss> #hosts")
    reply = _last_ephemeral(wei)
    assert "Saved" in reply["text"]
    for surface in (_home(wei), _home(jorg)):
        assert "<!channel>" not in surface and "&lt;!channel&gt;" in surface
        assert "|bank>" not in surface and "bank (https:\\/\\/evil.example)" in surface.replace("/", "\\/")
        assert "<https://evil.example>" in surface  # the link Tandem renders shows its real target
    ask = deliver_asks(stack, jorg)  # the question to the partner shows the note harmlessly too
    asked = _dump(list(ask.values()))
    assert "<!channel>" not in asked and "&lt;!channel&gt;" in asked and "|bank>" not in asked
    answer_share(stack, jorg, "please read")
    news = _dump(wei.dm_messages()[-1])
    assert "<!channel>" not in news and "&lt;!channel&gt;" in news and "|bank>" not in news
    hanna.slash("admin notes", channel_id=channel)
    hosts = _dump(_last_ephemeral(hanna))
    assert "<!channel>" not in hosts and "&lt;!channel&gt;" in hosts and "|bank>" not in hosts
    exported = _export(stack, wei)
    assert r"\<!channel\>" in exported and "[bank]" not in exported
    assert "- <https://evil.example>" in exported


def test_bad_notes_change_nothing_and_come_back_to_the_writer(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, olaf = w["wei"], w["olaf"]
    wei.slash("note half a thought #hosts #private")
    reply = _dump(_last_ephemeral(wei))
    assert "Pick one visibility" in reply and "half a thought #hosts #private" in reply
    wei.slash("note #red")
    assert "Write something or add a link" in _last_ephemeral(wei)["text"]
    wei.slash("note " + "x" * 1990 + " https://a.example/" + "y" * 30)
    olaf.slash("note my idea for later")
    reply = _dump(_last_ephemeral(olaf))
    assert "don't have a tandem partner yet" in reply and "my idea for later" in reply
    with stack.session_factory() as s:
        assert s.scalars(select(Note.text)).all() == ["x" * 1990 + " https://a.example/" + "y" * 30]
    # the modal refuses a bad link and an empty note, keeping what was typed
    wei.slash("note")
    view = wei.open_views()[-1]
    wei.submit(view["id"], {ID.NOTE_TEXT.value: "kept text", ID.NOTE_LINKS.value: "https://ok.example\nnot a link"})
    assert stack.sandbox.view_errors(view["id"]) == {ID.NOTE_LINKS.value: "This isn't an http(s) link: not a link"}
    wei.submit(view["id"], {ID.NOTE_TEXT.value: None, ID.NOTE_LINKS.value: None})
    assert stack.sandbox.view_errors(view["id"]) == {ID.NOTE_TEXT.value: "Write something or add a link."}
    with stack.session_factory() as s:
        assert len(s.scalars(select(Note)).all()) == 1
    wei.slash("notes frobnicate")
    assert "I don't know `/tandem notes frobnicate`" in _dump(_last_ephemeral(wei))
    wei.slash("notes red")
    assert "Which topic?" in _last_ephemeral(wei)["text"]


def test_the_message_shortcut_saves_a_message_with_its_links_and_files(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg, hanna, channel = w["wei"], w["jorg"], w["hanna"], w["channel"]
    general = stack.sandbox.create_channel("general", members=[wei.id, jorg.id, w["ana"].id])
    posted = stack.sandbox.post_as(jorg.id, general, "Screencast of the <https://tool.example|new tool> flow")
    file_link = "https://tandem-sandbox.slack.com/files/U0/F123/screencast.mp4"
    message = {**posted, "files": [{"id": "F123", "name": "screencast.mp4", "permalink": file_link}]}

    assert save_from_shortcut(stack, wei, message).ok
    modal = wei.open_views()[-1]
    assert modal["callback_id"] == ID.NOTE_MODAL
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs[ID.NOTE_TEXT]["initial_value"] == "Screencast of the new tool (https://tool.example) flow"
    permalink = f"https://tandem-sandbox.slack.com/archives/{general}/p{posted['ts'].replace('.', '')}"
    assert inputs[ID.NOTE_LINKS]["initial_value"] == f"{permalink}\n{file_link}"
    assert ID.NOTE_PAIR not in inputs  # one tandem: no picker
    wei.submit(
        modal["id"],
        {ID.NOTE_TOPIC.value: "Tools", ID.NOTE_VISIBILITY.value: "hosts", ID.NOTE_RED.value: ["red"]},
    )
    assert stack.sandbox.view_errors(modal["id"]) is None
    saved = wei.open_views()[-1]
    assert saved["id"] == modal["id"] and "red: it never leaves your pair" in _dump(saved)
    with stack.session_factory() as s:
        note = s.scalars(select(Note)).one()
        assert (note.source, note.visibility, note.red, note.topic) == ("shortcut", "hosts", True, "Tools")
        assert note.links == [permalink, file_link, "https://tool.example"]
    # red, so never for hosts, though shared with hosts
    hanna.slash("admin notes", channel_id=channel)
    assert "Screencast" not in _dump(_last_ephemeral(hanna))
    assert "Screencast" in _home(jorg)

    # someone without a tandem gets a kind modal instead
    olaf = w["olaf"]
    stack.sandbox.invite(general, olaf.id)
    assert save_from_shortcut(stack, olaf, message).ok
    assert "don't have a tandem partner yet" in _dump(olaf.open_views()[-1])


def test_add_a_note_from_home_and_with_two_tandems_a_picker(stack: LocalStack) -> None:
    w = _setup(stack)
    wei, jorg = w["wei"], w["jorg"]
    wei.open_home()
    assert wei.click(ID.NOTE_ADD).ok
    modal = wei.open_views()[-1]
    wei.submit(modal["id"], {ID.NOTE_TEXT.value: "note-02 from home", ID.NOTE_VISIBILITY.value: "pair"})
    assert "note-02" in _dump(wei.home())  # Home shows it right away
    assert "note-02" in _home(jorg)

    # Wei gets a second tandem (another program): /tandem note asks which one, keeping the text
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == wei.id)).one()
        other = s.scalars(select(Participant).where(Participant.slack_user_id == w["priya"].id)).one()
        first = s.scalars(select(Pair)).first()
        assert first is not None
        s.add(
            Pair(
                program_id=first.program_id,
                participant_a_id=me.id,
                participant_b_id=other.id,
                status="active",
                started_at=first.started_at,
                reasons=[],
            )
        )
        s.commit()
    wei.slash("note note-04 which pair? #program #red")
    modal = wei.open_views()[-1]
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs[ID.NOTE_TEXT]["initial_value"] == "note-04 which pair?"
    assert inputs[ID.NOTE_VISIBILITY]["initial_option"]["value"] == "program"
    assert [o["value"] for o in inputs[ID.NOTE_RED]["initial_options"]] == ["red"]
    assert len(inputs[ID.NOTE_PAIR]["options"]) == 2
    wei.submit(modal["id"], {})
    assert stack.sandbox.view_errors(modal["id"]) == {ID.NOTE_PAIR.value: "Pick one of your tandems."}
    priya_pair = inputs[ID.NOTE_PAIR]["options"][1]["value"]
    wei.submit(modal["id"], {ID.NOTE_PAIR.value: priya_pair})
    assert stack.sandbox.view_errors(modal["id"]) is None
    assert "note-04" in _home(w["priya"]) and "note-04" not in _home(jorg)
    # typed in the pair's group DM, the note goes to that pair at once
    with stack.session_factory() as s:
        intros = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("pair-intro:"))).all()
        # sent: what it said is gone, its conversation key (the two people) and Slack's answer stay
        group_dm = next(m.result["channel"] for m in intros if set(m.channel_key.split(",")) == {wei.id, jorg.id})
    wei.slash("note note-05 typed in our thread", channel_id=group_dm)
    assert "Saved to your notes with *Jörg*" in _dump(_last_ephemeral(wei)["blocks"])
    with stack.session_factory() as s:
        assert s.scalars(select(RedTopic)).all() == [] and s.scalars(select(Escalation)).all() == []


def test_notes_help(stack: LocalStack) -> None:
    w = _setup(stack)
    w["wei"].slash("notes help")
    text = _dump(_last_ephemeral(w["wei"]))
    assert "#private" in text and "/tandem notes export" in text and "/tandem help-me" in text


def test_a_note_leaves_the_pair_only_when_both_agree_and_one_no_is_final(stack: LocalStack) -> None:
    """The working agreement says "we pass something on only when both of us agree": a hosts or program note waits
    for the partner; a "no" keeps it in the pair for good; nobody but the partner can answer, and only once."""
    w = _setup(stack)
    wei, jorg, ana, hanna, channel = w["wei"], w["jorg"], w["ana"], w["hanna"], w["channel"]
    wei.slash("note note-21 the approval board is the bottleneck #program")
    saved = _dump(_last_ephemeral(wei))
    assert "visible to your pair for now: it reaches everyone in the program once Jörg agrees too" in saved
    note_id = str(note_id_of(stack, "note-21"))
    ask = deliver_asks(stack, jorg)[note_id]
    # the author, someone else in the program and a host cannot answer for Jörg: refused, nothing changes
    for p in (wei, ana, hanna):
        assert p.click(ID.NOTE_SHARE_YES, message=ask, value=note_id).ok
        assert "nothing changed" in _dump(_last_ephemeral(p)) or "nichts geändert" in _dump(_last_ephemeral(p))
    with stack.session_factory() as s:
        assert s.scalars(select(Note.share_state).where(Note.id == int(note_id))).one() == "asked"
    wei.slash("notes")
    assert "until your partner agrees to share it with everyone in the program" in _dump(_last_ephemeral(wei))

    # Jörg keeps it in the pair: final, Wei hears it, hosts and the program never see it
    assert answer_share(stack, jorg, "note-21", yes=False).ok
    assert "bleibt für immer in eurem Tandem" in _dump(stack.sandbox.find_message(ask["ts"], ask["channel"]))
    assert "would rather keep this note in your tandem" in _dump(wei.dm_messages()[-1])
    with stack.session_factory() as s:  # a second answer (a stale copy of the question, a double click) changes nothing
        me = s.scalars(select(Participant).where(Participant.slack_user_id == jorg.id)).one()
        outcome, _ = notes.answer_share(s, participant=me, note_id=int(note_id), yes=True, now=stack.clock.now())
        assert outcome is notes.ShareOutcome.ALREADY
        assert s.scalars(select(Note.share_state).where(Note.id == int(note_id))).one() == "declined"
    hanna.slash("admin notes", channel_id=channel)
    ana.slash("notes program")
    assert "note-21" not in _dump(_last_ephemeral(hanna)) + _dump(_last_ephemeral(ana))
    wei.slash("notes")
    assert "your partner kept it in the pair" in _dump(_last_ephemeral(wei))


def test_a_former_partner_can_neither_send_the_old_pairs_notes_on_nor_lift_their_red_nor_answer_in_its_thread(
    stack: LocalStack,
) -> None:
    """Once a pair has ended (a switch after the trial, a partner who left), its buttons and threads change nothing
    any more: the partner's old "share it?" question, lifting red, a reply in an old week's thread."""
    w = _setup(stack)
    wei, jorg, hanna, channel = w["wei"], w["jorg"], w["hanna"], w["channel"]
    wei.slash("note zq-ended-hosts for the hosts #hosts")
    wei.slash("note zq-ended-red for the hosts #hosts #red")
    nid = str(note_id_of(stack, "zq-ended-hosts"))
    ask = deliver_asks(stack, jorg)[nid]
    now = stack.clock.now()
    with stack.session_factory() as s:
        me = s.scalars(select(Participant).where(Participant.slack_user_id == wei.id)).one()
        pair = s.scalars(select(Pair).where((Pair.participant_a_id == me.id) | (Pair.participant_b_id == me.id))).one()
        pair.status, pair.ended_at = PairStatus.ENDED, now
        week = PairWeek(pair_id=pair.id, number=1, day=now.date(), status=WeekStatus.OPEN, created_at=now)
        week.channel_id, week.thread_ts = "G0OLDPAIR", "1700000000.000100"
        s.add(week)
        s.commit()
    # Jörg's old question: refused, the note stays in the (ended) pair, the hosts never see it
    jorg.click(ID.NOTE_SHARE_YES, message=ask, value=nid)
    stack.settle()
    assert "nicht mehr aktiv" in _dump(jorg.ephemeral_messages()[-1:])  # Jörg reads German
    hanna.slash("admin notes", channel_id=channel)
    assert "zq-ended-hosts" not in _dump(_last_ephemeral(hanna))
    with stack.session_factory() as s:
        assert s.get(Note, int(nid)).share_state == "asked"  # type: ignore[union-attr]
        # Wei cannot lift red from the old pair's note, nor answer in its old thread
        me = s.scalars(select(Participant).where(Participant.slack_user_id == wei.id)).one()
        red_id = note_id_of(stack, "zq-ended-red")
        outcome, _ = notes.toggle_red(s, participant=me, note_id=red_id, now=now)
        assert outcome is notes.RedOutcome.PAIR_ENDED and s.get(Note, red_id).red  # type: ignore[union-attr]
        replied = rhythm.record_reply(
            s,
            team_id="T0TANDEM",
            channel_id="G0OLDPAIR",
            thread_ts="1700000000.000100",
            user_id=wei.id,
            text="zq written after the pair ended",
            ts="1700000100.000200",
            now=now,
        )
        assert replied is False and s.scalars(select(WeekAnswer)).all() == []
        assert (
            rhythm.replying_partner(
                s, team_id="T0TANDEM", channel_id="G0OLDPAIR", thread_ts="1700000000.000100", user_id=wei.id
            )
            is None
        )
