"""``/tandem <word>`` entries for participants (``/tandem admin <word>`` is in ``bot.handlers.admin``)."""

from __future__ import annotations

from bot.flows import cards, commands, impact, live, notes, rhythm
from bot.flows import privacy as privacy_flow
from bot.flows.result import Result
from bot.handlers.request import Request
from bot.services import people


def show_help(req: Request) -> Result:
    """``/tandem help`` (and no word at all)."""
    return Result(message=commands.help_answer(req.caller.locale))


def goals(req: Request) -> Result:
    return Result(message=commands.goals_answer(req.session, participant=req.stored, locale=req.caller.locale))


def unknown(req: Request) -> Result:
    """A word Tandem doesn't know: the help, with what was typed."""
    return Result(message=commands.unknown_answer(req.name, locale=req.caller.locale))


def too_long(req: Request) -> Result:
    """Any text over the limit (the whole text is the request's args)."""
    return Result(message=commands.too_long_answer(req.args, locale=req.caller.locale))


def join(req: Request) -> Result:
    return Result(message=commands.join(req.session, participant=req.caller, now=req.now))


def note(req: Request) -> Result:
    """``/tandem note …``, ``/tandem notes …`` and ``/tandem help-me``."""
    return notes.command(
        req.session,
        participant=req.caller,
        name=req.name,
        args=req.args,
        channel_id=req.channel_id,
        now=req.now,
    )


def metric(req: Request) -> Result:
    return Result(message=impact.metric_command(req.session, participant=req.caller))


def card(req: Request) -> Result:
    return Result(message=cards.command(req.session, participant=req.caller))


def slot(req: Request) -> Result:
    """``/tandem slot`` (``termin``): three live slots for the caller's pair, in its group DM."""
    return live.command(req.session, participant=req.caller, channel_id=req.channel_id, now=req.now)


def card_library(req: Request) -> Result:
    return cards.library(req.session, team_id=req.team_id, user_id=req.user_id, lookup=req.lookup)


def pause(req: Request) -> Result:
    return Result(message=rhythm.pause_command(req.session, participant=req.caller, args=req.args, now=req.now))


def privacy(what: str):  # type: ignore[no-untyped-def]
    """``/tandem privacy``, ``/tandem export-my-data``, ``/tandem forget-me`` (and their German names), for someone
    Tandem knows; someone it doesn't is told so, in their Slack language, and stays unknown (asking what is stored
    must not store anything)."""

    def entry(req: Request) -> Result:
        participant = req.stored
        if participant is None:
            locale = people.locale_of(req.session, team_id=req.team_id, user_id=req.user_id, lookup=req.lookup)
            return Result(message=privacy_flow.nothing_stored(locale))
        if what == "privacy":
            return Result(message=privacy_flow.overview(req.session, participant=participant, now=req.now))
        if what == "export":
            return Result(message=privacy_flow.export(req.session, participant=participant, now=req.now))
        return Result(message=privacy_flow.forget_question(req.session, participant=participant))

    return entry
