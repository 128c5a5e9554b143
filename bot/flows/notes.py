"""Notes: ``/tandem note …``, ``/tandem notes …``, ``/tandem help-me``, the note modal (from the command, the "Add
a note" button and the message shortcut "Save to Tandem notes"), red zones, the export, and the hosts' listing.

Bad input changes nothing and says why; what the person typed comes back with the answer (or stays in the
modal), so nothing is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import note_share as share_blocks
from bot.blocks import notes as blocks
from bot.blocks.inputs import state_values
from bot.domain import notes as rules
from bot.domain.notes import NoteError, Place, Visibility
from bot.flows import escalation
from bot.flows.common import as_int, view_meta
from bot.flows.host import AdminSlack, Caller, authorize_host
from bot.flows.result import Result
from bot.ids import ID
from bot.models import NoteSource, Pair, Participant, Program
from bot.services import notes, people

COMMANDS = ("note", "notes", "help-me")
HELP_WORDS = ("help", "hilfe", "?")
# what ``/tandem notes`` reads after its own word (the fuzzer reads them from bot.routes)
SUBWORDS = ("list", "liste", "export", "program", "programm", "red", "rot", "unred", *HELP_WORDS)


# -- /tandem note, /tandem notes, /tandem help-me ---------------------------------------------------------------
def command(
    session: Session, *, participant: Participant, name: str, args: str, channel_id: str | None, now: datetime
) -> Result:
    """One of ``COMMANDS``: what to answer (a message only the person sees) or which modal to open."""
    if name == "help-me":
        return Result(view=escalation.open_help(session, participant=participant))
    if name == "note":
        return note_command(session, participant=participant, args=args, channel_id=channel_id, now=now)
    return notes_command(session, participant=participant, args=args, channel_id=channel_id, now=now)


def _pair_choices(session: Session, participant: Participant, pairs: list[Pair]) -> list[tuple[int, str, str]]:
    labels = notes.labels(session, participant=participant, pairs=pairs)
    return [(p.id, labels[p.id][0], labels[p.id][1]) for p in pairs]


def note_command(
    session: Session, *, participant: Participant, args: str, channel_id: str | None, now: datetime
) -> Result:
    """``/tandem note <text>``: saved at once for a person in one pair (or typed in the pair's group DM); with
    several pairs the modal opens prefilled, to pick one; no text opens the modal too."""
    locale = participant.locale
    if args.strip().lower() in HELP_WORDS:
        return Result(message=blocks.notes_help(locale))
    pairs = notes.pairs_of(session, participant=participant)
    if not args.strip():
        return Result(view=open_modal(session, participant=participant, source="command", pair_id=None))
    parsed = rules.parse_note(args)
    if parsed.draft is None:
        assert parsed.error is not None
        return Result(message=blocks.command_error(locale, parsed.error, parsed.detail, args))
    draft = parsed.draft
    if not pairs:
        return Result(message=blocks.no_pair(locale, typed=args))
    pair = notes.pair_in_channel(session, participant=participant, channel_id=channel_id)
    if pair is None and len(pairs) == 1:
        pair = pairs[0]
    if pair is None:
        return Result(
            view=blocks.note_modal(
                locale,
                source="command",
                pairs=_pair_choices(session, participant, pairs),
                pair_id=None,
                text=draft.text,
                topic=draft.topic,
                links=tuple(u for u in draft.links if u not in rules.extract_links(draft.text)),
                visibility=draft.visibility,
                red=draft.red,
            )
        )
    note = notes.save(session, author=participant, pair=pair, draft=draft, source=NoteSource.COMMAND, now=now)
    partner = notes.labels(session, participant=participant, pairs=[pair])[pair.id][0]
    topic_red = notes.topic_is_red(session, pair_id=pair.id, topic=draft.topic)
    return Result(
        message=blocks.note_saved(
            locale, partner=partner, draft=draft, note_id=note.id, pair_id=pair.id, topic_red=topic_red
        )
    )


def notes_command(
    session: Session, *, participant: Participant, args: str, channel_id: str | None, now: datetime
) -> Result:
    """``/tandem notes [export | program | red [topic] | unred [topic] | help]``."""
    locale = participant.locale
    sub, _, rest = args.strip().partition(" ")
    sub = sub.lower()
    if sub in ("", "list", "liste"):
        return Result(message=own_listing(session, participant=participant))
    if sub == "export":
        return Result(message=export(session, participant=participant, now=now))
    if sub in ("program", "programm"):
        names, views = notes.program_listing(session, participant=participant)
        return Result(message=blocks.program_listing(locale, views, tz=participant.tz, programs=names))
    if sub in ("red", "rot", "unred"):
        return Result(
            message=_topic(
                session, participant=participant, raw=rest, lift=sub == "unred", channel_id=channel_id, now=now
            )
        )
    if sub in HELP_WORDS:
        return Result(message=blocks.notes_help(locale))
    return Result(message=blocks.notes_help(locale, unknown=sub))


def own_listing(session: Session, *, participant: Participant) -> dict[str, Any]:
    pairs = notes.own_notes(session, participant=participant, place=Place.HOME)
    red_topics = {p.pair_id: notes.red_topic_names(session, pair_id=p.pair_id) for p in pairs}
    return blocks.own_listing(participant.locale, pairs, tz=participant.tz, red_topics=red_topics)


def _topic(
    session: Session, *, participant: Participant, raw: str, lift: bool, channel_id: str | None, now: datetime
) -> dict[str, Any]:
    """Mark a topic red, or lift it, in the pair of the group DM the command was typed in, else in every active
    pair of the person (more red is only ever more private)."""
    locale = participant.locale
    topic = rules.parse_topic_command(raw)
    if topic is None or rules.topic_key(topic) is None:
        return blocks.notice(locale, "topic_missing")
    if len(topic) > rules.TOPIC_MAX:
        return blocks.command_error(locale, NoteError.TOPIC_TOO_LONG, topic, raw)
    here = notes.pair_in_channel(session, participant=participant, channel_id=channel_id)
    pairs = [here] if here is not None else notes.pairs_of(session, participant=participant)
    if not pairs:
        return blocks.no_pair(locale)
    labels = notes.labels(session, participant=participant, pairs=pairs)
    lines = []
    for pair in pairs:
        if lift:
            outcome = notes.lift_topic(session, participant=participant, pair=pair, topic=topic)
        else:
            outcome = notes.mark_topic(session, participant=participant, pair=pair, topic=topic, now=now)
        lines.append((outcome.value, labels[pair.id][0]))
    return blocks.topic_results(locale, topic=topic, results=lines)


# -- the modal -----------------------------------------------------------------------------------------------------
def open_modal(
    session: Session,
    *,
    participant: Participant,
    source: str,
    pair_id: int | None,
    text: str = "",
    links: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The note modal for one of the person's pairs (``pair_id`` when it is theirs, else a picker)."""
    pairs = notes.pairs_of(session, participant=participant)
    if not pairs:
        return blocks.no_pair_modal(participant.locale)
    pair = notes.pair_of(session, participant=participant, pair_id=pair_id)
    return blocks.note_modal(
        participant.locale,
        source=source,
        pairs=_pair_choices(session, participant, pairs),
        pair_id=pair.id if pair is not None else None,
        text=text,
        links=links,
    )


def shortcut(
    session: Session, *, participant: Participant, message: dict[str, Any], permalink: str | None
) -> dict[str, Any]:
    """The message shortcut "Save to Tandem notes": the modal, prefilled with the message's text, its permalink
    and the permalinks of its files (screencasts, sketchnotes, ...)."""
    links = [permalink or ""] + [
        str(f.get("permalink") or "") for f in message.get("files") or [] if isinstance(f, dict)
    ]
    safe = tuple(dict.fromkeys(u for u in links if u and rules.is_safe_link(u)))[: rules.LINKS_MAX]
    text = rules.from_slack(str(message.get("text") or ""))
    return open_modal(session, participant=participant, source="shortcut", pair_id=None, text=text, links=safe)


SOURCES = {"command": NoteSource.COMMAND, "shortcut": NoteSource.SHORTCUT}
FIELD_OF_ERROR = {
    NoteError.EMPTY: ID.NOTE_TEXT,
    NoteError.TOO_LONG: ID.NOTE_TEXT,
    NoteError.CONFLICT: ID.NOTE_VISIBILITY,
    NoteError.TOPIC_TOO_LONG: ID.NOTE_TOPIC,
    NoteError.TOO_MANY_LINKS: ID.NOTE_LINKS,
    NoteError.BAD_LINK: ID.NOTE_LINKS,
}


def submit(session: Session, *, participant: Participant, view: dict[str, Any], now: datetime) -> Result:
    """The note modal was submitted: field errors, or the view that replaces it (and the person's Home again when
    it was opened there). With errors nothing is saved and the modal keeps what was typed."""
    locale = participant.locale
    meta = view_meta(view)
    source = str(meta.get("source") or "button")
    values = state_values(view)
    pair_id = meta.get("pair_id") or values.get(ID.NOTE_PAIR.value)
    pair = notes.pair_of(session, participant=participant, pair_id=as_int(pair_id))
    has_picker = any(b.get("block_id") == ID.NOTE_PAIR.value for b in view.get("blocks") or [])
    if pair is None:
        field = ID.NOTE_PAIR if has_picker else ID.NOTE_TEXT
        return Result(errors={field.value: blocks.pair_error(locale)})
    links, bad = rules.parse_links_field(values.get(ID.NOTE_LINKS.value))
    if bad is not None:
        return Result(errors={ID.NOTE_LINKS.value: blocks.error_text(locale, NoteError.BAD_LINK, bad)})
    chosen = values.get(ID.NOTE_VISIBILITY.value) or rules.DEFAULT_VISIBILITY.value
    visibility = Visibility(chosen) if chosen in Visibility.__members__.values() else rules.DEFAULT_VISIBILITY
    parsed = rules.check(
        text=values.get(ID.NOTE_TEXT.value) or "",
        topic=values.get(ID.NOTE_TOPIC.value),
        visibility=visibility,
        red="red" in (values.get(ID.NOTE_RED.value) or []),
        links=links,
    )
    if parsed.draft is None:
        assert parsed.error is not None
        field = FIELD_OF_ERROR[parsed.error]
        return Result(errors={field.value: blocks.error_text(locale, parsed.error, parsed.detail)})
    notes.save(
        session,
        author=participant,
        pair=pair,
        draft=parsed.draft,
        source=SOURCES.get(source, NoteSource.BUTTON),
        now=now,
    )
    partner = notes.labels(session, participant=participant, pairs=[pair])[pair.id][0]
    topic_red = notes.topic_is_red(session, pair_id=pair.id, topic=parsed.draft.topic)
    saved = blocks.saved_view(locale, partner=partner, draft=parsed.draft, topic_red=topic_red)
    return Result(view=saved, home=participant if source == "home" else None)


# -- red, export ---------------------------------------------------------------------------------------------------
def toggle_red(session: Session, *, participant: Participant, value: str, now: datetime) -> dict[str, Any]:
    """ "Mark red" / "Lift red" on a note: the answer to show the person."""
    outcome, note = notes.toggle_red(session, participant=participant, note_id=as_int(value), now=now)
    if outcome is notes.RedOutcome.LIFTED and note is not None:
        audience = blocks.audience_of(participant.locale, note.visibility, note.share_state)
        topic = note.topic if notes.topic_is_red(session, pair_id=note.pair_id, topic=note.topic) else ""
        return blocks.notice(participant.locale, "red_lifted", audience=audience, red_topic=topic)
    return blocks.notice(participant.locale, f"red_{outcome.value}")


def share(session: Session, *, team_id: str, user_id: str, value: str, yes: bool, locale: str, now: datetime) -> Result:
    """The partner's "Share it" / "Keep it between us": the reply replaces the question, or (not theirs, already
    answered) is shown to the clicker alone. Someone Tandem has never met is not registered by a click."""
    participant = people.find_participant(session, team_id=team_id, user_id=user_id)
    if participant is not None:
        locale = participant.locale
    outcome, note = notes.answer_share(session, participant=participant, note_id=as_int(value), yes=yes, now=now)
    if outcome in (notes.ShareOutcome.NOT_YOURS, notes.ShareOutcome.ALREADY, notes.ShareOutcome.PAIR_ENDED):
        return Result(message=share_blocks.share_reply(locale, outcome.value))
    if note is None:
        return Result(message=share_blocks.share_reply(locale, outcome.value))
    return Result(replace=share_blocks.share_reply(locale, outcome.value, visibility=Visibility(note.visibility)))


def export(session: Session, *, participant: Participant, now: datetime) -> dict[str, Any]:
    """``/tandem notes export``: everything the person may see in their pairs (red notes included: the file goes
    to their own DM with Tandem, inside the pair) as a Markdown file, through the outbox."""
    locale = participant.locale
    pairs = notes.own_notes(session, participant=participant, place=Place.EXPORT, active_only=False)
    if not any(p.notes for p in pairs):
        return blocks.notice(locale, "export_none")
    red_topics = {p.pair_id: notes.red_topic_names(session, pair_id=p.pair_id) for p in pairs}
    content = blocks.export_markdown(
        locale, name=participant.display_name, pairs=pairs, red_topics=red_topics, now=now, tz=participant.tz
    )
    notes.queue_export(
        session,
        participant=participant,
        content=content,
        filename=blocks.export_filename(now),
        title=blocks.export_title(locale),
        comment=blocks.export_comment(locale),
        now=now,
        pair_ids=[p.pair_id for p in pairs],
    )
    return blocks.notice(locale, "export_queued")


# -- hosts ---------------------------------------------------------------------------------------------------------
def host_listing(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin notes [program]``: what pairs shared with hosts or their program; never a private, pair-only
    or red note (``Place.HOST_LISTING``)."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    name = " ".join(args.split())
    program: Program | None = None
    if name:
        program = session.scalar(
            select(Program).where(Program.workspace_id == workspace.id, func.lower(Program.name) == name.lower())
        )
        if program is None:
            return Result(message=blocks.notice(who.locale, "host_unknown_program", name=name))
    views = notes.host_listing(session, workspace_id=workspace.id, program_id=program.id if program else None)
    return Result(message=blocks.host_listing(who.locale, views, tz=who.tz, program=program.name if program else None))
