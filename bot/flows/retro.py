"""Retro rituals as people meet them: "Fill in our retro" in the pair's thread and its modal, the quote consent
buttons; for hosts ``/tandem admin retro [program]`` (counts and consented quotes), "Post to community channel",
and the program card's "Retro settings" modal (cycle length and community channel).

Someone outside the pair (or not a host) is refused and nothing changes. Each function returns what to show; the
handler shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import retro as blocks
from bot.blocks.inputs import state_values
from bot.domain import retro as rules
from bot.flows.common import Lookup
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.common import who as _who
from bot.flows.host import (
    AdminSlack,
    Caller,
    announce,
    authorize_host,
    commanded_program,
    host_program,
    modal_program,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.services import outbox, release, retros


# -- the pair ----------------------------------------------------------------------------------------------
def open_form(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup) -> Result:
    """ "Fill in our retro" (``value``: the retro id): the modal, with what they saved before."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    found = retros.find(session, participant=participant, retro_id=_int(value))
    if isinstance(found, str):
        return Result(message=blocks.note(locale, f"answer_{found}"))
    if found.retro.summary_at is not None:
        return Result(message=blocks.note(locale, "answer_done"))
    return Result(
        view=blocks.modal(locale, retro_id=found.retro.id, partner=found.partner.display_name, mine=found.mine)
    )


def submit_form(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The retro modal: anything wrong is said on its field, the modal stays open and nothing changes."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    values = state_values(view)
    form, errors = rules.parse_form({key: values.get(block.value) for key, block in blocks.FIELD_IDS.items()})
    if form is None:
        return Result(errors=blocks.form_errors(locale, errors))
    found = retros.find(session, participant=participant, retro_id=_int(_meta(view).get("retro_id")))
    if isinstance(found, str):
        return Result(errors={ID.RETRO_WENT_WELL.value: i18n.plain(locale, "retro", f"answer_{found}")})
    result = retros.submit(session, found, form, now=now)
    if result == retros.DONE and found.retro.summary_at != now:
        return Result(errors={ID.RETRO_WENT_WELL.value: i18n.plain(locale, "retro", "answer_done")})
    session.commit()
    return Result()


def consent(
    session: Session, *, team_id: str, user_id: str, action_id: str, value: str, lookup: Lookup, now: datetime
) -> Result:
    """Yes or no to sharing a quote (``value``: the retro answer id): the card shows where it stands."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    yes = action_id == ID.RETRO_CONSENT_YES
    result, answer, tandem = retros.consent(session, participant=participant, answer_id=_int(value), yes=yes, now=now)
    if answer is None or tandem is None:
        return Result(message=blocks.note(locale, f"answer_{result}"))
    card = retros.consent_message(session, answer, tandem)
    session.commit()
    block = "answer_consent_saved" if result == retros.SAVED else f"answer_{result}"
    return Result(replace=card, message=blocks.note(locale, block))


# -- hosts -------------------------------------------------------------------------------------------------
def host_overview(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin retro [program]``: counts (never free text) and the consented quotes with a post button."""
    program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=blocks.note)
    if program is None:
        return refusal or Result()
    totals = retros.aggregate(session, program)
    quotes = retros.consented_quotes(session, program, by=release.released_at(session, program))
    return Result(message=blocks.host_overview(who.locale, program=program, totals=totals, quotes=quotes))


def settings_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's "Retro settings": the modal with the cycle length and the community channel."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(view=blocks.settings_modal(who.locale, program=program))


def _bot_in(slack: AdminSlack, who: Caller, channel: str) -> bool:
    return bool(who.bot_user_id) and who.bot_user_id in slack.members(channel)


def submit_settings(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """Save the cycle length and the community channel; Tandem must be in the channel, else nothing changes."""
    first = ID.RETRO_EVERY.value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    every = rules.parse_every(values.get(ID.RETRO_EVERY.value))
    if every is None:
        return Result(errors={first: i18n.plain(who.locale, "retro", "error_every")})
    channel = values.get(ID.RETRO_CHANNEL.value) or None
    if channel and not _bot_in(slack, who, str(channel)):
        return Result(errors={ID.RETRO_CHANNEL.value: i18n.plain(who.locale, "retro", "error_not_member")})
    program.retro_every_weeks = every
    program.community_channel_id = str(channel) if channel else None
    program.updated_at = now
    announce(
        session,
        workspace,
        blocks.note(who.locale, "settings_saved", host=who.user_id, program=program.name, every=every, channel=channel),
        cause=f"retro-settings:{program.id}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


def post_quote(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """ "Post to community channel" (``value``: the retro answer id): only a quote both partners agreed to, only
    to the program's community channel, only when Tandem is in it."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    found = retros.consented_quote(session, workspace_id=workspace.id, answer_id=_int(value))
    if found is None:
        return Result(message=blocks.note(who.locale, "post_missing"))
    answer, program = found
    channel = program.community_channel_id
    if not channel:
        return Result(message=blocks.note(who.locale, "post_no_channel"))
    if answer.posted_at is not None:
        return Result(message=blocks.note(who.locale, "post_already", channel=answer.posted_channel or channel))
    if not _bot_in(slack, who, channel):
        return Result(message=blocks.note(who.locale, "post_not_member", channel=channel))
    retros.post_quote(session, answer, program, host=who.user_id, locale=program.default_locale, now=now)
    announce(
        session,
        workspace,
        blocks.note(who.locale, "post_done", host=who.user_id, program=program.name, channel=channel),
        cause=f"retro-quote-posted:{answer.id}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()
