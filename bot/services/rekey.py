"""Key rotation: everything stored under ``TANDEM_SECRET_KEY`` is sealed again under its first key
(``tandem secret-key --rotate``).

Rotating a key: put a new key first in ``TANDEM_SECRET_KEY`` and keep the old one after it (``new,old``), restart
every process with that setting, run ``tandem secret-key --rotate``, and drop the old key once it reports nothing
left under it. While both are listed, the first seals and both open, so nothing is lost in between.

What is sealed, kind by kind (the keys of :func:`rotate`'s counts):

- ``pulse_ballots``: the sealed answers of the pulse rounds still open (``bot.services.polls``). A ballot no listed
  key opens stays as it is (``pulse_ballots_unopenable``); its round's close counts and drops it.
- ``slack_tokens``: the bot, user and refresh tokens in the installation store (``bot.services.installs``), also
  those stored in plain text before encryption existed. A token no listed key opens stays as it is
  (``slack_tokens_unopenable``): it reads as no token, and its workspace has to install Tandem again.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import crypto
from bot.services import installs, polls


def rotate(session: Session, ring: crypto.Keyring | None = None) -> dict[str, int]:
    """Seal everything stored under a key that is not ``ring``'s first (default: the process's keyring) again under
    the first; how many of each kind. Does not commit."""
    ring = ring or crypto.keyring()
    counts: dict[str, int] = {}
    counts["pulse_ballots"], counts["pulse_ballots_unopenable"] = polls.reseal_ballots(session, ring)
    counts["slack_tokens"] = installs.reencrypt_tokens(session, ring, skip_unopenable=True)
    counts["slack_tokens_unopenable"] = installs.unopenable_tokens(session, ring)
    return counts
