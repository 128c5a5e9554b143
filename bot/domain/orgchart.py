"""Reporting lines: who reports to whom, from three sources, and the org-chart CSV hosts import. Pure: no database,
no Slack, no clock.

**Sources and precedence.** A person's manager can come from the org chart a host imported, from a custom field of
their Slack profile that the workspace maps (``users.profile.get``), or from what the person said in the interview
(or in their profile). When several say something, the first of :data:`SOURCES` wins: the org chart over the Slack
profile field over the interview. Only one manager per person counts (:func:`effective_lines`).

**Chains.** Matching keeps apart a person and everyone up to ``levels`` steps above them (their manager, the
manager's manager, ...), and people who share a direct manager. :func:`chains` follows the lines upwards through
anyone, participant or not (a skip-level manager need not take part), and stops at a loop.

**The CSV.** Two columns per line: the person and their manager, each a Slack member ID (``U012AB3CD``, also as a
mention ``<@U012AB3CD>``) or an e-mail address; commas, semicolons or tabs; an optional header line. :func:`parse_csv`
checks the form of each line, :func:`resolve` what needs the e-mail lookups done (unknown addresses, a person with
two managers, a person as their own manager, loops). Every bad line is reported with its number and reason; a file
with any bad line is not imported at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ORGCHART = "orgchart"
SLACK_PROFILE = "slack_profile"
INTERVIEW = "interview"
SOURCES = (ORGCHART, SLACK_PROFILE, INTERVIEW)  # precedence: the first that names a manager counts

LEVELS_DEFAULT = 2  # a program keeps direct and skip-level lines apart unless its hosts say otherwise
LEVELS_MIN, LEVELS_MAX = 1, 5  # a manager is never paired with their own report: at least one level

MAX_BYTES = 1 << 20  # an org chart file of at most 1 MB
MAX_LINES = 20_000
ERRORS_SHOWN = 60  # line errors listed one by one (the rest are counted)

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


# -- lines and chains ---------------------------------------------------------------------------------------------
def effective_lines(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """``(person, manager, source)`` rows -> person -> the manager of the source that comes first in SOURCES."""
    rank = {s: i for i, s in enumerate(SOURCES)}
    best: dict[str, tuple[int, str]] = {}
    for person, manager, source in rows:
        r = rank.get(source, len(SOURCES))
        if person and manager and person != manager and (person not in best or r < best[person][0]):
            best[person] = (r, manager)
    return {person: manager for person, (_r, manager) in best.items()}


def chain(lines: Mapping[str, str], person: str, levels: int) -> tuple[str, ...]:
    """The people above ``person``, direct manager first, at most ``levels`` of them; stops at a loop."""
    out: list[str] = []
    seen = {person}
    current = person
    for _ in range(max(0, levels)):
        manager = lines.get(current)
        if manager is None or manager in seen:
            break
        out.append(manager)
        seen.add(manager)
        current = manager
    return tuple(out)


def chains(lines: Mapping[str, str], people: Iterable[str], levels: int) -> dict[str, tuple[str, ...]]:
    """:func:`chain` for each of ``people`` (only those with a manager)."""
    out: dict[str, tuple[str, ...]] = {}
    for person in people:
        found = chain(lines, person, levels)
        if found:
            out[person] = found
    return out


def same_line(a: str, a_chain: tuple[str, ...], b: str, b_chain: tuple[str, ...]) -> bool:
    """Whether matching keeps ``a`` and ``b`` apart: one is above the other (within the chains' levels), or they
    share a direct manager."""
    return b in a_chain or a in b_chain or bool(a_chain and b_chain and a_chain[0] == b_chain[0])


def clamp_levels(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return LEVELS_DEFAULT
    return min(LEVELS_MAX, max(LEVELS_MIN, number))


# -- the CSV ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A person as a line names them: a Slack member ID or an e-mail address (lower-cased)."""

    kind: str  # "id" | "email"
    value: str


@dataclass(frozen=True)
class ChartLine:
    line: int  # 1-based line number in the file
    person: Ref
    manager: Ref


@dataclass(frozen=True)
class LineError:
    """Why a line (or, with ``line`` 0, the whole file) cannot be imported: a key worded in orgchart.j2 as
    ``err_<key>``, with its parameters."""

    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def parse_ref(cell: str) -> Ref | None:
    text = cell.strip().strip('"').strip()
    mention = _MENTION.match(text)
    if mention:
        return Ref("id", mention.group(1))
    if _SLACK_ID.match(text):
        return Ref("id", text)
    if _EMAIL.match(text):
        return Ref("email", text.lower())
    return None


def decode(data: bytes) -> str | None:
    """The file as text: UTF-8 (with or without a byte-order mark), else Windows-1252 as spreadsheets write it;
    None for something that is not text."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return None


def _delimiter(text: str) -> str:
    """The separator of the first lines: whichever of comma, semicolon and tab they hold most (comma by default;
    spreadsheets in German write semicolons)."""
    head = [line for line in text.splitlines()[:50] if line.strip()]
    counts = {d: sum(line.count(d) for line in head) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_csv(data: bytes) -> tuple[list[ChartLine], list[LineError]]:
    """Every line of the file with a person and a manager, and every line that has not; nothing is resolved yet."""
    if not data.strip():
        return [], [LineError(0, "empty")]
    if len(data) > MAX_BYTES:
        return [], [LineError(0, "too_big", {"max_kb": MAX_BYTES // 1024})]
    text = decode(data)
    if text is None:
        return [], [LineError(0, "not_text")]
    lines: list[ChartLine] = []
    errors: list[LineError] = []
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text), skipinitialspace=True)
    first = True
    try:
        for row in reader:
            number = reader.line_num
            if number > MAX_LINES:
                return [], [LineError(0, "too_many_lines", {"max": MAX_LINES})]
            cells = [c.strip() for c in row]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            is_first, first = first, False
            if len(cells) != 2:
                if is_first and not any(parse_ref(c) for c in cells):
                    continue  # a header line
                errors.append(LineError(number, "columns", {"found": len(cells)}))
                continue
            person, manager = parse_ref(cells[0]), parse_ref(cells[1])
            if is_first and person is None and manager is None:
                continue  # a header line
            if person is None:
                errors.append(LineError(number, "unreadable", {"value": cells[0][:80]}))
            if manager is None:
                errors.append(LineError(number, "unreadable", {"value": cells[1][:80]}))
            if person is not None and manager is not None:
                lines.append(ChartLine(number, person, manager))
    except csv.Error:
        return [], [LineError(0, "not_csv")]
    if not lines and not errors:
        return [], [LineError(0, "empty")]
    return lines, errors


def emails(lines: Iterable[ChartLine]) -> list[str]:
    """The e-mail addresses the lines name, each once, in order: what has to be looked up in Slack."""
    found: dict[str, None] = {}
    for line in lines:
        for ref in (line.person, line.manager):
            if ref.kind == "email":
                found.setdefault(ref.value, None)
    return list(found)


def resolve(
    lines: Iterable[ChartLine], ids_by_email: Mapping[str, str | None]
) -> tuple[dict[str, str], list[LineError]]:
    """Person -> manager (Slack ids), with the e-mail addresses looked up (``None``: nobody in the workspace has
    it), and every line that cannot count: an unknown address, a person as their own manager, a person given two
    different managers, lines that go round in a loop. A line repeated exactly is fine."""
    errors: list[LineError] = []
    resolved: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for line in lines:
        ids: list[str | None] = []
        for ref in (line.person, line.manager):
            if ref.kind == "id":
                ids.append(ref.value)
            else:
                user = ids_by_email.get(ref.value)
                if user is None:
                    errors.append(LineError(line.line, "unknown_email", {"email": ref.value}))
                ids.append(user)
        person, manager = ids
        if person is None or manager is None:
            continue
        if person == manager:
            errors.append(LineError(line.line, "own_manager"))
            continue
        if person in resolved:
            if resolved[person] != manager:
                errors.append(LineError(line.line, "two_managers", {"other": line_of[person]}))
            continue
        resolved[person] = manager
        line_of[person] = line.line
    for loop in _loops(resolved):
        numbers = sorted(line_of[p] for p in loop)
        for person in loop:
            errors.append(
                LineError(
                    line_of[person], "loop", {"lines": ", ".join(str(n) for n in numbers if n != line_of[person])}
                )
            )
    errors.sort(key=lambda e: (e.line, e.key))
    return resolved, errors


def _loops(lines: Mapping[str, str]) -> list[list[str]]:
    """Each loop of the person -> manager graph once (every node has at most one manager)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    loops: list[list[str]] = []
    for start in lines:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in lines and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = lines.get(node)
        if node is not None and state.get(node) == 1:
            loops.append(path[path.index(node) :])
        for p in path:
            state[p] = 2
    return loops
