"""Notes in a pair's note space: who may read a note in which place, the red zones, and what people type.

One rule decides everything (``may_see``). A note has a visibility (private, pair, hosts, program); a red
note, or a note under a topic its pair marked red, never leaves the pair: not to hosts, not to the program,
not into a digest, an escalation or any summary, whatever its visibility says. Private notes reach their
author alone, red or not.

**Both agree.** A note leaves the pair (to the hosts or the program) only once the author's partner agreed as well
(``ShareState.AGREED``); until then, and for good after a "no", it is a note of the pair. This is what the working
agreement promises: "we pass something on only when both of us agree".

``/tandem note`` syntax (parsed by ``parse_note``)::

    /tandem note [topic] what we learned https://example.com #hosts #red

* ``[topic]`` at the very start files the note under a topic (at most 40 characters);
* ``#private`` / ``#pair`` / ``#hosts`` / ``#program`` set who may read it (default: ``#pair``); German
  ``#privat`` / ``#paar`` / ``#programm`` work too; two different ones are an error;
* ``#red`` (or ``#rot``) keeps it inside the pair whatever the visibility;
* links (http and https) are collected from the text; the text keeps them too.
Any other ``#word`` stays part of the text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


class Visibility(enum.StrEnum):
    PRIVATE = "private"  # the author alone
    PAIR = "pair"  # both partners (the default)
    HOSTS = "hosts"  # the pair and the program's hosts
    PROGRAM = "program"  # the pair, the hosts and everyone in the program


class ShareState(enum.StrEnum):
    """Whether the author's partner agreed that a note leaves the pair (only for hosts and program notes)."""

    ASKED = "asked"  # the partner was asked; until they answer the note stays in the pair
    AGREED = "agreed"  # both agree: the note reaches whom its visibility says
    DECLINED = "declined"  # the partner said no: the note stays in the pair for good


BEYOND_PAIR = frozenset({Visibility.HOSTS, Visibility.PROGRAM})  # visibilities that need the partner's consent


def needs_consent(visibility: Visibility | str, *, red: bool) -> bool:
    """Is the partner asked when a note is saved (or its red lifted)? Only a note that would leave the pair."""
    return Visibility(visibility) in BEYOND_PAIR and not red


class Viewer(enum.StrEnum):
    """How a reader relates to one note (a person can be several: the author may also be a host)."""

    AUTHOR = "author"
    PARTNER = "partner"  # the author's partner in the note's pair
    HOST = "host"  # a member of the admin channel
    MEMBER = "member"  # someone else in the note's program
    OUTSIDER = "outsider"  # anyone else


class Place(enum.StrEnum):
    """Where a note can appear."""

    HOME = "home"  # the reader's own views: App Home and /tandem notes
    EXPORT = "export"  # /tandem notes export, a file sent to the reader's DM
    HOST_LISTING = "host_listing"  # /tandem admin notes, for hosts in the admin channel
    PROGRAM_LISTING = "program_listing"  # /tandem notes program, for everyone in a program
    DIGEST = "digest"  # any digest or summary for hosts
    ESCALATION = "escalation"  # an escalation in the admin channel: never a note, only what a person wrote


PAIR_PLACES = frozenset({Place.HOME, Place.EXPORT})  # places that reach only the reader, inside their pair
DEFAULT_VISIBILITY = Visibility.PAIR


def may_see(visibility: Visibility, *, red: bool, viewer: Viewer, place: Place, shared: bool = False) -> bool:
    """May a reader related to a note as ``viewer`` see it in ``place``? ``red``: the note is red or under one
    of its pair's red topics; ``shared``: the partner agreed that it leaves the pair (``ShareState.AGREED``)."""
    if place in PAIR_PLACES:
        if viewer is Viewer.AUTHOR:
            return True
        return viewer is Viewer.PARTNER and visibility is not Visibility.PRIVATE
    if red or not shared:
        return False  # red never leaves the pair, nor does anything the partner did not agree to share
    if place in (Place.HOST_LISTING, Place.DIGEST):
        return viewer is Viewer.HOST and visibility in (Visibility.HOSTS, Visibility.PROGRAM)
    if place is Place.PROGRAM_LISTING:
        return viewer in (Viewer.HOST, Viewer.MEMBER) and visibility is Visibility.PROGRAM
    return False  # Place.ESCALATION: escalations carry what a person chose to write, never a note


def visible(
    visibility: Visibility, *, red: bool, viewers: Iterable[Viewer], place: Place, shared: bool = False
) -> bool:
    """``may_see`` for a reader with several relations to the note: any one of them suffices."""
    return any(may_see(visibility, red=red, viewer=v, place=place, shared=shared) for v in viewers)


# -- red topics --------------------------------------------------------------------------------------------
TOPIC_MAX = 40


def topic_key(topic: str | None) -> str | None:
    """A topic as it is compared: case and spacing do not matter, a leading ``#`` neither."""
    if topic is None:
        return None
    key = " ".join(topic.strip().lstrip("#").split()).casefold()
    return key[:TOPIC_MAX] or None


def is_red(*, note_red: bool, key: str | None, red_topics: Iterable[str]) -> bool:
    """A note is red when marked red itself or filed under one of its pair's red topics."""
    return note_red or (key is not None and key in set(red_topics))


# -- what people type ---------------------------------------------------------------------------------------
TEXT_MAX = 3000
LINKS_MAX = 10
LINK_MAX = 1000

FLAGS: dict[str, Visibility | None] = {
    "private": Visibility.PRIVATE,
    "privat": Visibility.PRIVATE,
    "pair": Visibility.PAIR,
    "paar": Visibility.PAIR,
    "hosts": Visibility.HOSTS,
    "host": Visibility.HOSTS,
    "program": Visibility.PROGRAM,
    "programm": Visibility.PROGRAM,
    "red": None,  # None: the red flag
    "rot": None,
}


class NoteError(enum.StrEnum):
    EMPTY = "empty"  # neither text nor a link
    TOO_LONG = "too_long"
    CONFLICT = "conflict"  # two different visibilities
    TOPIC_TOO_LONG = "topic_too_long"
    TOO_MANY_LINKS = "too_many_links"
    BAD_LINK = "bad_link"  # a line of the links field that is not an http(s) link


@dataclass(frozen=True)
class NoteDraft:
    text: str
    topic: str | None
    visibility: Visibility
    red: bool
    links: tuple[str, ...]


@dataclass(frozen=True)
class Parsed:
    draft: NoteDraft | None
    error: NoteError | None = None
    detail: str = ""  # e.g. the bad link, or the conflicting flags


_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|([^>]*))?>")
_SLACK_MAILTO = re.compile(r"<mailto:([^|>\s]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_URL = re.compile(r"https?://[^\s<>|\"]+")
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"]+$")
_FLAG = re.compile(r"(?<!\S)#([A-Za-z]+)(?!\S)")
_TOPIC = re.compile(r"^\s*\[([^\[\]\n]*)\]")
_TRAILING = ".,;:!?)]}'"


def _link_text(match: re.Match[str]) -> str:
    url, label = match.group(1), (match.group(2) or "").strip()
    bare = url.split("://", 1)[1]
    if not label or label in (url, bare):
        return url
    return f"{label} ({url})"  # a labelled link shows where it really goes


def from_slack(text: str) -> str:
    """Slack's message format as plain text: links show their target (``<https://x|label>`` becomes
    ``label (https://x)``, so no label can disguise where a link goes), mentions their name, and ``&lt;``,
    ``&gt;``, ``&amp;`` the characters typed. Broadcasts like ``<!channel>`` stay as typed: wherever a note is
    shown, Tandem escapes it, so it notifies nobody."""
    text = _SLACK_LINK.sub(_link_text, text)
    text = _SLACK_MAILTO.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)
    text = _SLACK_USER.sub(lambda m: "@" + ((m.group(2) or "").strip() or m.group(1)), text)
    text = _SLACK_CHANNEL.sub(lambda m: "#" + ((m.group(2) or "").strip() or m.group(1)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_safe_link(url: str) -> bool:
    """An http(s) link Tandem may render as a link: no spaces, no ``<``, ``>`` or ``|`` (which could end or
    disguise it), not too long."""
    return len(url) <= LINK_MAX and bool(_SAFE_URL.match(url))


def extract_links(text: str) -> tuple[str, ...]:
    """The http(s) links in ``text``, in order, each once, without trailing punctuation."""
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if is_safe_link(url) and url not in found:
            found.append(url)
    return tuple(found)


def _merge(*groups: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        for url in group:
            if url not in out:
                out.append(url)
    return tuple(out)


def check(*, text: str, topic: str | None, visibility: Visibility, red: bool, links: Iterable[str] = ()) -> Parsed:
    """Validate a note: text and links together, the topic, the lengths. Links found in the text are added."""
    text = text.strip()
    topic = " ".join((topic or "").split()) or None
    if topic is not None and len(topic) > TOPIC_MAX:
        return Parsed(None, NoteError.TOPIC_TOO_LONG, topic)
    if len(text) > TEXT_MAX:
        return Parsed(None, NoteError.TOO_LONG, str(len(text)))
    all_links = _merge(links, extract_links(text))
    for url in all_links:
        if not is_safe_link(url):
            return Parsed(None, NoteError.BAD_LINK, url)
    if len(all_links) > LINKS_MAX:
        return Parsed(None, NoteError.TOO_MANY_LINKS, str(len(all_links)))
    if not text and not all_links:
        return Parsed(None, NoteError.EMPTY)
    return Parsed(NoteDraft(text=text, topic=topic, visibility=visibility, red=red, links=all_links))


def parse_note(raw: str) -> Parsed:
    """``/tandem note <raw>``: topic, flags, text and links (see the module docstring)."""
    text = from_slack(raw or "")
    topic = None
    match = _TOPIC.match(text)
    if match:
        topic = match.group(1)
        text = text[match.end() :]
    chosen: list[Visibility] = []
    red = False

    def consume(m: re.Match[str]) -> str:
        nonlocal red
        word = m.group(1).lower()
        if word not in FLAGS:
            return m.group(0)
        flag = FLAGS[word]
        if flag is None:
            red = True
        elif flag not in chosen:
            chosen.append(flag)
        return ""

    text = _FLAG.sub(consume, text)
    text = "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n"))
    if len(chosen) > 1:
        return Parsed(None, NoteError.CONFLICT, " ".join(f"#{v.value}" for v in chosen))
    return check(text=text, topic=topic, visibility=chosen[0] if chosen else DEFAULT_VISIBILITY, red=red)


def parse_links_field(value: str | None) -> tuple[tuple[str, ...], str | None]:
    """The note modal's links field, one link per line: (links, the first line that is not a link)."""
    links: list[str] = []
    for line in (value or "").splitlines():
        url = from_slack(line.strip()).strip()
        if not url:
            continue
        if not is_safe_link(url):
            return tuple(links), url
        if url not in links:
            links.append(url)
    return tuple(links), None


def parse_topic_command(raw: str) -> str | None:
    """``[topic]`` (brackets optional) for ``/tandem notes red`` and ``unred``: the topic, or None if empty."""
    text = from_slack(raw or "").strip()
    match = _TOPIC.match(text)
    if match:
        text = match.group(1)
    topic = " ".join(text.split())
    return topic or None


# -- the export file ----------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def markdown_escape(text: str) -> str:
    """User text for the Markdown export: no link, image, HTML or emphasis syntax takes effect."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# -- cancellations at short notice --------------------------------------------------------------------------
LATE_WINDOW = timedelta(weeks=6)
LATE_THRESHOLD = 2


@dataclass(frozen=True)
class LateCancellation:
    id: int
    participant_id: int
    created_at: datetime
    escalated: bool


def late_patterns(rows: Iterable[LateCancellation], *, now: datetime) -> dict[int, list[int]]:
    """Participant id -> the ids of their late cancellations that make a pattern: at least ``LATE_THRESHOLD``
    within ``LATE_WINDOW`` before ``now`` that no escalation counted yet. Counted ones never count again, so a
    pattern reaches the hosts once."""
    recent: dict[int, list[int]] = {}
    for row in rows:
        if row.escalated or not (now - LATE_WINDOW < row.created_at <= now):
            continue
        recent.setdefault(row.participant_id, []).append(row.id)
    return {pid: sorted(ids) for pid, ids in recent.items() if len(ids) >= LATE_THRESHOLD}


def next_late_pattern(
    rows: Iterable[LateCancellation], *, now: datetime, ignore: Collection[int] = ()
) -> datetime | None:
    """The first moment at or after ``now`` at which :func:`late_patterns` finds a pattern of someone not in
    ``ignore``, or None. A pattern only forms when the moment of one of its cancellations comes (later, cancellations
    only leave the window), so the moments to look at are ``now`` and those after it."""
    mine: dict[int, list[LateCancellation]] = {}
    for row in rows:
        if row.participant_id not in ignore:
            mine.setdefault(row.participant_id, []).append(row)
    found: datetime | None = None
    for theirs in mine.values():
        for moment in sorted({now, *(r.created_at for r in theirs if r.created_at > now)}):
            if found is not None and moment >= found:
                break
            if late_patterns(theirs, now=moment):
                found = moment
                break
    return found


# -- asking for help ----------------------------------------------------------------------------------------
HELP_TEXT_MAX = 2000
ANSWER_TEXT_MAX = 3000


class Share(enum.StrEnum):
    """What a person asking for help may choose to show the hosts (nothing is shown unless chosen)."""

    NAME = "name"
    PARTNER = "partner"
    PROGRAM = "program"


def shared_with_hosts(
    *, text: str | None, chosen: Iterable[str], name: str, partners: Iterable[str], programs: Iterable[str]
) -> dict[str, str]:
    """Exactly what the hosts will see of a request for help: the text, and each thing the person ticked."""
    picked = {Share(c) for c in chosen if c in Share.__members__.values()}
    out: dict[str, str] = {}
    if text and text.strip():
        out["text"] = text.strip()[:HELP_TEXT_MAX]
    if Share.NAME in picked and name:
        out["name"] = name
    partner_names = ", ".join(p for p in partners if p)
    if Share.PARTNER in picked and partner_names:
        out["partner"] = partner_names
    program_names = ", ".join(p for p in programs if p)
    if Share.PROGRAM in picked and program_names:
        out["program"] = program_names
    return out
