"""Features a works council may count as monitoring (§87(1) no. 6 BetrVG), each a switch of the program (its column
of the same name, on by default, as before the switches existed). No I/O.

- ``named_silence``: hosts are told by name which pair went silent. Off: how many pairs went silent, no names.
- ``late_cancel_log``: hosts get one request per person with repeated late cancellations (without a name) and may
  write to that person through Tandem. Off: how many people did, no request and no way to reach them.
- ``streaks``: participants see their pair's streak of answered weeks in App Home. Off: no streak.
"""

from __future__ import annotations

SWITCHES = ("named_silence", "late_cancel_log", "streaks")


def parse(raw: object) -> frozenset[str] | None:
    """The switches ticked in the program form; None (leave them as they are) when the form had no such field
    (``raw`` None) or sent something no form sends (not a list, or a value that is no switch)."""
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) and x in SWITCHES for x in raw):
        return None
    return frozenset(raw)


def ticked(*, named_silence: bool, late_cancel_log: bool, streaks: bool) -> list[str]:
    """The switches that are on, in form order (what the program form pre-selects)."""
    on = {"named_silence": named_silence, "late_cancel_log": late_cancel_log, "streaks": streaks}
    return [s for s in SWITCHES if on[s]]
