"""Thin Bolt listeners, one module per surface. ``register_all`` wires them into an App."""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.handlers import (
    actions,
    admin,
    agreement,
    cards,
    cohorts,
    commands,
    errors,
    events,
    impact,
    installs,
    interview,
    invitations,
    middleware,
    notes,
    polls,
    privacy,
    retro,
    rhythm,
    speed,
    trial,
)


def register_all(app: App, *, session_factory: sessionmaker[Session], clock: Clock) -> None:
    middleware.register(app, session_factory=session_factory, clock=clock)
    errors.register(app, session_factory=session_factory)
    commands.register(app)
    events.register(app)
    installs.register(app)
    actions.register(app)
    admin.register(app)
    invitations.register(app)
    interview.register(app)
    speed.register(app)
    trial.register(app)
    agreement.register(app)
    notes.register(app)
    rhythm.register(app)
    retro.register(app)
    impact.register(app)
    cohorts.register(app)
    polls.register(app)
    cards.register(app)
    privacy.register(app)
