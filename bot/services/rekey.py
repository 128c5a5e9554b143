"""Key rotation: everything stored under ``TANDEM_SECRET_KEY`` is sealed again under its first key
(``tandem secret-key --rotate``).

Rotating a key: put a new key first in ``TANDEM_SECRET_KEY`` and keep the old one after it (``new,old``), restart
every process with that setting, run ``tandem secret-key --rotate``, and drop the old key once it reports nothing
left under it. While both are listed, the first seals and both open, so nothing is lost in between.

What is sealed, kind by kind (the keys of :func:`rotate`'s counts):

- ``pulse_ballots``: the sealed answers of the pulse rounds still open (``bot.services.polls``). A ballot no listed
  key opens stays as it is (``pulse_ballots_unopenable``); its round's close counts and drops it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import crypto
from bot.services import polls


def rotate(session: Session, ring: crypto.Keyring | None = None) -> dict[str, int]:
    """Seal everything stored under a key that is not ``ring``'s first (default: the process's keyring) again under
    the first; how many of each kind. Does not commit."""
    ring = ring or crypto.keyring()
    counts: dict[str, int] = {}
    counts["pulse_ballots"], counts["pulse_ballots_unopenable"] = polls.reseal_ballots(session, ring)
    return counts
