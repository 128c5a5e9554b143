"""Every callback_id, action_id and block_id Tandem uses, in one place."""

from __future__ import annotations

import enum


class ID(enum.StrEnum):
    # App Home
    HOME_VIEW = "home"
    HOME_HELP = "home.help"  # button: open the help modal
    # Help
    HELP_MODAL = "help.modal"
    HELP_BLOCK_COMMANDS = "help.commands"
