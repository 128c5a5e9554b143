"""Who may use each of Tandem's entry points: the authorization matrix, in one place.

Every slash subcommand, button (action_id), modal (view callback_id), shortcut and event a person can reach is
listed here with its class. ``tests/test_authz.py`` fails when a listener is registered (or a ``/tandem``
subcommand is parsed) that is not in this matrix, and plays every ADMIN, PAIR and SELF entry as someone who may
not use it: refused in words they can read, nothing changed, nothing of anyone else's shown.

The checks themselves live where the rule is known (``bot.services.hosts.authorize`` through
``bot.flows.admin.authorize_host`` for hosts; ``own_pair``, ``pair_of``, ``context_of``, ``find``, ``mine`` ...
in the services for pairs and people); this table says which rule each entry point must follow.

Adding an entry point: add its id to ``bot.ids.ID``, register its listener, and add it here with its class.
"""

from __future__ import annotations

import enum

from bot.ids import ID


class Access(enum.StrEnum):
    ADMIN = "admin"  # hosts only: members of the admin channel while it is private, unarchived, unshared (hosts.py)
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


_A, _P, _S, _O, _U = Access.ADMIN, Access.PAIR, Access.SELF, Access.OWN, Access.PUBLIC

# /tandem <word> (aliases listed one by one; "admin" is the next table)
COMMANDS: dict[str, Access] = {
    **dict.fromkeys(("help", "hilfe", "?"), _U),
    "join": _U,  # sign up for an open program
    **dict.fromkeys(("goals", "ziele"), _O),  # the button opens the caller's own pair's goals
    **dict.fromkeys(("note", "notes"), _O),  # the caller's own notes, in the caller's own pairs
    "help-me": _O,
    **dict.fromkeys(("metric", "metrics", "metrik"), _O),
    **dict.fromkeys(("card", "karte", "learning-card"), _O),
    **dict.fromkeys(("pause", "pausieren"), _O),
    # data rights: what is stored about the caller, their export, the question before their data goes
    **dict.fromkeys(("privacy", "datenschutz", "export-my-data", "meine-daten", "forget-me", "vergiss-mich"), _O),
    " too long": _U,  # any text over the limit (bot.flows.commands.TOO_LONG): refused, echoed to its author alone
}

# /tandem admin <word>: every one is for hosts; ``setup`` also for workspace admins and owners
ADMIN_COMMANDS: dict[str, Access] = dict.fromkeys(
    (
        "setup",
        "new",
        "create",
        "programs",
        "list",
        "invite",
        "match",
        "speed",
        "speed-dating",
        "speeddating",
        "notes",
        "retro",
        "pulse",
        "polls",
        "poll",
        "impact",
        "dashboard",
        "metrics",
        "wirkung",
        "export",
        "digest",
        "remove",  # a participant and their data (bot.flows.privacy)
        "entfernen",
        "help",
    ),
    _A,
)

ACTIONS: dict[ID, Access] = {
    ID.HOME_HELP: _U,
    # hosts: program cards, matching previews, speed dating, agreement template, retro, pulse, impact, cohorts
    ID.PROGRAM_EDIT: _A,
    ID.PROGRAM_PAUSE: _A,
    ID.PROGRAM_RESUME: _A,
    ID.PROGRAM_CLOSE: _A,
    ID.PROGRAM_INVITE: _A,
    ID.PROGRAM_SIGNUP: _A,
    ID.MATCH_APPROVE: _A,
    ID.MATCH_RERUN: _A,
    ID.MATCH_DISCARD: _A,
    ID.MATCH_LOCK: _A,
    ID.MATCH_SWAP: _A,
    ID.MATCH_RUN: _A,
    ID.SPEED_START: _A,
    ID.AGREEMENT_TEMPLATE: _A,
    ID.ESCALATION_ANSWER: _A,
    ID.RETRO_POST_QUOTE: _A,
    ID.RETRO_SETTINGS: _A,
    ID.POLL_SETTINGS: _A,
    ID.METRICS_OPEN: _A,
    ID.METRIC_ADD: _A,
    ID.IMPACT_EXPORT: _A,
    ID.COHORT_NEXT: _A,
    ID.COHORT_ALUMNI: _A,
    ID.PRIVACY_REMOVE: _A,  # its value is the Slack id of the person to remove
    # a pair's things: agreement, goals, weeks, notes, retro, logged values, trial check-in
    ID.AGREEMENT_ACCEPT: _P,
    ID.AGREEMENT_PROPOSE: _P,
    ID.GOAL_OPEN: _P,
    ID.GOAL_PROGRESS_25: _P,
    ID.GOAL_PROGRESS_50: _P,
    ID.GOAL_PROGRESS_75: _P,
    ID.GOAL_DONE: _P,
    ID.GOAL_REOPEN: _P,
    ID.RHYTHM_ANSWER: _P,
    ID.RHYTHM_AGREED: _P,
    ID.RHYTHM_CANCEL: _P,
    ID.RHYTHM_MOVE: _P,
    ID.NOTE_ADD: _P,
    ID.NOTE_TOGGLE_RED: _P,
    ID.RETRO_OPEN: _P,
    ID.RETRO_CONSENT_YES: _P,
    ID.RETRO_CONSENT_NO: _P,
    ID.METRIC_LOG: _P,  # "pair:<pair id>"; "host:<program id>" is checked as ADMIN
    ID.TRIAL_CONTINUE: _P,  # one question per pair, each partner answers it alone
    ID.TRIAL_SWITCH: _P,
    # one person's things: invitations, interview steps, speed-dating cards, the pulse, learning cards
    ID.INVITE_JOIN: _S,
    ID.INVITE_DECLINE: _S,
    ID.INTERVIEW_SETTINGS_OK: _S,
    ID.INTERVIEW_SETTINGS_CHANGE: _S,
    ID.INTERVIEW_ROLE_DIGITAL: _S,
    ID.INTERVIEW_ROLE_CONTEXT: _S,
    ID.INTERVIEW_ROLE_BOTH: _S,
    ID.INTERVIEW_OPEN: _S,
    ID.INTERVIEW_AGREE: _S,
    ID.SPEED_YES: _S,
    ID.SPEED_MAYBE: _S,
    ID.SPEED_NO: _S,
    ID.POLL_OPEN: _S,  # the program's participants who were asked
    ID.CARD_PUBLISH: _S,
    ID.CARD_EDIT: _S,
    ID.CARD_DELETE: _S,
    # about the caller only
    ID.JOIN_PICK: _U,  # an open program; sign-up is open to anyone
    ID.PROFILE_EDIT: _O,
    ID.INTERVIEW_CONTINUE: _O,  # its value only picks among the caller's own interviews
    ID.NOTES_EXPORT: _O,
    ID.HELP_ME: _O,
    ID.RHYTHM_PAUSE: _O,
    ID.RHYTHM_RESUME: _O,
    ID.CARD_OPEN: _O,
    ID.PRIVACY_EXPORT: _O,  # the clicker's own data, whatever the value says
    ID.PRIVACY_FORGET: _O,  # the clicker's own data only
}

VIEWS: dict[ID, Access] = {
    ID.PROGRAM_MODAL: _A,
    ID.INVITE_MODAL: _A,
    ID.MATCH_SWAP_MODAL: _A,
    ID.SPEED_MODAL: _A,
    ID.AGREEMENT_TEMPLATE_MODAL: _A,
    ID.ESCALATION_ANSWER_MODAL: _A,
    ID.RETRO_SETTINGS_MODAL: _A,
    ID.POLL_SETTINGS_MODAL: _A,
    ID.METRIC_MODAL: _A,
    ID.COHORT_ALUMNI_MODAL: _A,
    ID.AGREEMENT_MODAL: _P,
    ID.GOAL_MODAL: _P,
    ID.RHYTHM_ANSWER_MODAL: _P,
    ID.RHYTHM_AGREED_MODAL: _P,
    ID.RHYTHM_CANCEL_MODAL: _P,
    ID.RHYTHM_MOVE_MODAL: _P,
    ID.NOTE_MODAL: _P,
    ID.RETRO_MODAL: _P,
    ID.METRIC_LOG_MODAL: _P,  # scope "pair:<pair id>"; "host:<program id>" is checked as ADMIN
    ID.INTERVIEW_MODAL: _S,
    ID.POLL_MODAL: _S,
    ID.CARD_MODAL: _S,  # the author's draft, or a program the author is in
    ID.PROFILE_MODAL: _O,
    ID.HELP_ME_MODAL: _O,
    ID.RHYTHM_PAUSE_MODAL: _O,
}

SHORTCUTS: dict[ID, Access] = {
    ID.NOTE_SHORTCUT: _O,  # saves to the caller's own pair
}

OPTIONS: dict[ID, Access] = {}

EVENTS: dict[str, Access] = {
    "app_home_opened": _O,
    "message": _O,  # a DM to Tandem; a reply in a week's thread counts only from the pair's partners
    "member_joined_channel": _U,
    "member_left_channel": _U,
    # a channel archived, unarchived, shared or no longer shared: the admin channel is checked again
    # (bot.services.hosts); nothing is shown to anyone but the hosts' DM when it became public, archived or shared
    **dict.fromkeys(("channel_archive", "group_archive", "channel_unarchive", "group_unarchive"), _U),
    **dict.fromkeys(("channel_shared", "channel_unshared"), _U),
    "app_uninstalled": Access.SLACK,
    "tokens_revoked": Access.SLACK,
}


def matrix() -> dict[tuple[Surface, str], Access]:
    """Every entry point, by surface and name."""
    out: dict[tuple[Surface, str], Access] = {}
    out.update({(Surface.COMMAND, k): v for k, v in COMMANDS.items()})
    out.update({(Surface.ADMIN_COMMAND, k): v for k, v in ADMIN_COMMANDS.items()})
    out.update({(Surface.ACTION, k.value): v for k, v in ACTIONS.items()})
    out.update({(Surface.VIEW, k.value): v for k, v in VIEWS.items()})
    out.update({(Surface.SHORTCUT, k.value): v for k, v in SHORTCUTS.items()})
    out.update({(Surface.OPTIONS, k.value): v for k, v in OPTIONS.items()})
    out.update({(Surface.EVENT, k): v for k, v in EVENTS.items()})
    return out
