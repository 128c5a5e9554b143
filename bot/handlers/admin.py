"""Hosts' entries: ``/tandem admin <word>``, buttons on program cards and previews, and the hosts' modals. Each
host flow has one of three shapes, ``flow(session, who, args | value | view, slack=..., now=...)``; these turn a
Request into that call. The adapter checked that the caller is a host before any of them runs."""

from __future__ import annotations

from collections.abc import Callable

from bot.flows import admin as admin_flow
from bot.flows import matching as matching_flow
from bot.flows import orgchart as orgchart_flow
from bot.flows import privacy as privacy_flow
from bot.flows.result import Result
from bot.handlers.request import Request

Entry = Callable[[Request], Result]


def word(flow: Callable[..., Result]) -> Entry:
    """``/tandem admin <word> [args]``: ``flow(session, who, args, ...)``."""
    return lambda req: flow(req.session, req.host, req.args, slack=req.slack, now=req.now)


def button(flow: Callable[..., Result]) -> Entry:
    """A host's button whose value names what it acts on: ``flow(session, who, value, ...)``."""
    return lambda req: flow(req.session, req.host, req.value, slack=req.slack, now=req.now)


def modal(flow: Callable[..., Result]) -> Entry:
    """A host's modal submitted: ``flow(session, who, view, ...)``."""
    return lambda req: flow(req.session, req.host, req.view, slack=req.slack, now=req.now)


def action_button(flow: Callable[..., Result]) -> Entry:
    """A host's button whose action_id says what to do: ``flow(session, who, action_id, value, ...)``."""
    return lambda req: flow(req.session, req.host, req.name, req.value, slack=req.slack, now=req.now)


def help_word(req: Request) -> Result:
    """``/tandem admin help`` and any admin word Tandem doesn't know."""
    return admin_flow.admin_help(req.host, req.name)


def match_button(req: Request) -> Result:
    """Approve, re-run, discard, lock, swap on a matching preview: the preview is replaced where it changed."""
    return matching_flow.action(req.session, req.host, req.name, req.value, slack=req.slack, now=req.now)


def orgchart_submit(req: Request) -> Result:
    """Answered at once (refused, or "checking"); the check and the import run after, and the modal then shows
    what was saved or each bad line."""
    begun = orgchart_flow.begin(req.session, req.host, req.view, slack=req.slack, now=req.now)
    if begun.errors:
        return begun

    def finish() -> Result:
        done = orgchart_flow.finish(req.session, req.host, req.view, slack=req.slack, now=req.now)
        return Result(view=done)

    begun.then = finish
    return begun


def remove_button(req: Request) -> Result:
    """*Remove* a participant and their data (``bot.flows.privacy.remove``)."""
    return privacy_flow.remove(req.session, req.host, req.value, slack=req.slack, now=req.now)
