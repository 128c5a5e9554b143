"""The access classes and surfaces of Tandem's entry points. Each entry point has one class in the route table
(``bot.routes``); the route adapter (``bot.handlers.adapter``) enforces it before the entry runs, and the flows
check that what a request names is the caller's (``own_pair``, ``pair_of``, ``context_of``, ``find``, ``mine`` ...
in the services). ``tests/test_authz.py`` plays every ADMIN, SETUP, PAIR and SELF entry as someone who may not use
it: refused in words they can read, nothing changed, nothing of anyone else's shown.
"""

from __future__ import annotations

import enum


class Access(enum.StrEnum):
    ADMIN = "admin"  # hosts only: members of the admin channel while it is private, unarchived, unshared (hosts.py)
    SETUP = "setup"  # workspace admins and owners, or the hosts: making a channel the admin channel
    PAIR = "pair"  # only the two partners of the pair its value or private_metadata names
    SELF = "self"  # only the person the thing it names was sent to or belongs to (an invitation, a card ...)
    OWN = "own"  # anyone, about themselves only: it names nothing of anyone else
    PUBLIC = "public"  # anyone in the workspace; shows nothing personal
    SLACK = "slack"  # sent by Slack about the installation, not by a person


class Surface(enum.StrEnum):
    COMMAND = "command"  # /tandem <word>
    ADMIN_COMMAND = "admin"  # /tandem admin <word>
    ACTION = "action"  # block_actions, by action_id
    VIEW = "view"  # view_submission, by callback_id
    SHORTCUT = "shortcut"  # global and message shortcuts, by callback_id
    OPTIONS = "options"  # external select options, by action_id
    EVENT = "event"  # Events API, by event type
