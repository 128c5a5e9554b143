"""The weekly rhythm in the database (rules in ``bot.domain.rhythm``), in two parts:

- ``weekly_round``: the clock's job for every pair at once (``due``): each week that has come (prompt, skip note,
  or nothing when cancelled), the DM nudges that are due, and the pairs silent for too long;
- ``pair_week``: one pair's week: posting in its group DM and thread, answers, "what we agreed", cancelling and
  moving weeks, pauses, and what App Home shows of the rhythm.

What callers use is re-exported here (``from bot.services import rhythm``; ``rhythm.due``, ``rhythm.answer``...).
"""

from bot.services.rhythm.pair_week import (
    NOT_YOURS,
    PAIR_ENDED,
    POSTED,
    PROMPT_KEY,
    PROMPTED,
    UNAVAILABLE,
    WEEK_OVER,
    Found,
    MoveResult,
    Tandem,
    agree,
    answer,
    cancel,
    choices,
    current_pause,
    find,
    home_info,
    move,
    record_reply,
    replying_partner,
    resolve_thread,
    schedule_of,
    set_pause,
    superseded,
    tandem_of,
    week_of_thread,
)
from bot.services.rhythm.weekly_round import (
    LOAD_CHUNK,
    OUTBOX_CHUNK,
    TANDEM_FIELDS,
    SilentPair,
    Tick,
    active_tandems,
    due,
)

__all__ = [
    "LOAD_CHUNK",
    "NOT_YOURS",
    "OUTBOX_CHUNK",
    "PAIR_ENDED",
    "POSTED",
    "PROMPTED",
    "PROMPT_KEY",
    "TANDEM_FIELDS",
    "UNAVAILABLE",
    "WEEK_OVER",
    "Found",
    "MoveResult",
    "SilentPair",
    "Tandem",
    "Tick",
    "active_tandems",
    "agree",
    "answer",
    "cancel",
    "choices",
    "current_pause",
    "due",
    "find",
    "home_info",
    "move",
    "record_reply",
    "replying_partner",
    "resolve_thread",
    "schedule_of",
    "set_pause",
    "superseded",
    "tandem_of",
    "week_of_thread",
]
