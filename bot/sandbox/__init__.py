"""A faithful local Slack ("the sandbox") for tests and the demo: Web API, signed deliveries (or Socket Mode envelopes),
personas."""

from bot.sandbox.blockkit import (
    check_call,
    decode_args,
    load_methods,
    validate_blocks,
    validate_call,
    validate_view,
)
from bot.sandbox.personas import Persona
from bot.sandbox.server import Delivery, Sandbox, SlackError

__all__ = [
    "Delivery",
    "Persona",
    "Sandbox",
    "SlackError",
    "check_call",
    "decode_args",
    "load_methods",
    "validate_blocks",
    "validate_call",
    "validate_view",
]
