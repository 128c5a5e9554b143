"""Learning cards as people meet them: ``/tandem card`` and the *Write a learning card* button (App Home too), the
card modal, and the draft's Publish / Edit / Delete buttons in the author's DM (or App Home).

Only the author decides about a card, and their *Publish* is the consent to share it: anyone else is refused and
nothing changes. Without a community channel, or with Tandem not in it, the card stays a draft and the author is
told kindly. Bad input keeps the modal open with field errors and changes nothing. Each function returns what to
show; the handler shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import cards as blocks
from bot.blocks.inputs import state_values
from bot.domain import cards as rules
from bot.flows.common import Lookup
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.common import who as _who
from bot.flows.host import AdminSlack
from bot.flows.result import Result
from bot.ids import ID
from bot.models import LearningCard, Participant, Program
from bot.services import cards, people, roles


def _tandem_in(slack: AdminSlack, bot_user_id: str | None, channel: str) -> bool:
    return bool(bot_user_id) and bot_user_id in slack.members(channel)


def _say(
    session: Session, participant: Participant | None, message: dict[str, Any], *, in_view: bool, now: datetime
) -> Result:
    """A note for the person: ephemeral under the clicked message, or by DM for a click in App Home (where an
    ephemeral answer has nowhere to go)."""
    if in_view and participant is not None:
        cards.tell(session, participant, message, now=now)
        session.commit()
        return Result(home=participant)
    return Result(message=message)


# -- writing ------------------------------------------------------------------------------------------------
def command(session: Session, *, participant: Participant) -> dict[str, Any]:
    """``/tandem card``: the *Write a learning card* button, or that cards come with a tandem."""
    if not cards.programs_for(session, participant):
        return blocks.note(participant.locale, "no_pair")
    return blocks.command(participant.locale)


def open_form(session: Session, *, team_id: str, user_id: str, in_view: bool, lookup: Lookup) -> Result:
    """*Write a learning card*: the modal, with a program select when the person is or was in several programs."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    choices = [(p.id, p.name) for p in cards.programs_for(session, participant)]
    if not choices:
        return Result(message=blocks.note(locale, "no_pair"))
    return Result(view=blocks.modal(locale, programs=choices, from_home=in_view))


def open_edit(session: Session, *, team_id: str, user_id: str, value: str, in_view: bool, lookup: Lookup) -> Result:
    """*Edit* (``value``: the card id): the modal on the author's draft."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    found = cards.own_card(session, card_id=_int(value))
    if found is None:
        return Result(message=blocks.note(locale, "answer_missing"))
    card, program, author = found
    refused = rules.refusal(
        rules.Act.EDIT,
        is_author=participant is not None and participant.id == author.id,
        published=card.published_at is not None,
    )
    if refused is not None:
        return Result(message=blocks.note(locale, f"answer_{refused}"))
    return Result(view=blocks.modal(locale, programs=[(program.id, program.name)], card=card, from_home=in_view))


def submit_form(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The card modal: a new draft, or the draft changed, and its preview by DM. Anything wrong is said on its
    field, the modal stays open and nothing changes."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    values = state_values(view)
    meta = _meta(view)
    form, errors = rules.parse_form({key: values.get(blocks.FIELD_IDS[key].value) for key in rules.FORM_FIELDS})
    first = ID.CARD_TITLE.value
    card: LearningCard | None = None
    program: Program | None = None
    card_id = _int(meta.get("card_id"))
    if card_id is not None:  # an edit: is it still the author's draft?
        found = cards.own_card(session, card_id=card_id)
        if found is None:
            return Result(errors={first: i18n.plain(locale, "cards", "answer_missing")})
        card, program, author = found
        refused = rules.refusal(
            rules.Act.EDIT,
            is_author=participant is not None and participant.id == author.id,
            published=card.published_at is not None,
        )
        if refused is not None:
            return Result(errors={first: i18n.plain(locale, "cards", f"answer_{refused}")})
    else:
        allowed = {p.id: p for p in cards.programs_for(session, participant)}
        picked = ID.CARD_PROGRAM.value in values
        program_id = rules.parse_program(
            values.get(ID.CARD_PROGRAM.value) if picked else meta.get("program_id"), allowed
        )
        if program_id is None and not picked:  # the one program the modal was for is no longer theirs
            return Result(errors={first: i18n.plain(locale, "cards", "no_pair")})
        if program_id is None:
            errors = {**errors, "program": rules.CHOOSE_PROGRAM}
        else:
            program = allowed[program_id]
    if form is None or program is None or participant is None or errors:
        return Result(errors=blocks.form_errors(locale, errors))
    cards.save_draft(session, author=participant, program=program, form=form, now=now, card=card)
    session.commit()
    return Result(home=participant if meta.get("home") else None)


# -- the draft's buttons ------------------------------------------------------------------------------------
def _checked(
    session: Session,
    act: rules.Act,
    participant: Participant | None,
    locale: str,
    *,
    value: str,
    in_view: bool,
    now: datetime,
) -> tuple[LearningCard, Program, Participant] | Result:
    """The card a draft button names, if ``participant`` may ``act`` on it; else the Result that says why not."""
    found = cards.own_card(session, card_id=_int(value))
    if found is None:
        return _say(session, participant, blocks.note(locale, "answer_missing"), in_view=in_view, now=now)
    card, _program, author = found
    refused = rules.refusal(
        act,
        is_author=participant is not None and participant.id == author.id,
        published=card.published_at is not None,
    )
    if refused is not None:
        return _say(session, participant, blocks.note(locale, f"answer_{refused}"), in_view=in_view, now=now)
    return found


def publish(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    value: str,
    bot_user_id: str | None,
    slack: AdminSlack,
    in_view: bool,
    lookup: Lookup,
    now: datetime,
) -> Result:
    """*Publish* (``value``: the card id): the author's consent. The card goes to the program's community channel
    only when Tandem is in it; otherwise it stays a draft and the author hears why."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    checked = _checked(session, rules.Act.PUBLISH, participant, locale, value=value, in_view=in_view, now=now)
    if isinstance(checked, Result):
        return checked
    card, program, author = checked
    channel = program.community_channel_id
    blocked = rules.publish_blocker(
        channel_id=channel, tandem_in_channel=bool(channel) and _tandem_in(slack, bot_user_id, str(channel))
    )
    if blocked is not None:
        message = blocks.note(locale, f"answer_{blocked}", program=program.name, channel=channel)
        return _say(session, participant, message, in_view=in_view, now=now)
    cards.publish(session, card, author=author, program=program, now=now)
    session.commit()
    return Result(home=participant if in_view else None)


def delete(
    session: Session, *, team_id: str, user_id: str, value: str, in_view: bool, lookup: Lookup, now: datetime
) -> Result:
    """*Delete* (``value``: the card id): only the author's draft; its preview says it is gone."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    checked = _checked(session, rules.Act.DELETE, participant, locale, value=value, in_view=in_view, now=now)
    if isinstance(checked, Result):
        return checked
    card, _program, author = checked
    cards.delete_draft(session, card, author=author, now=now)
    session.commit()
    return Result(home=participant if in_view else None)


# -- the library ----------------------------------------------------------------------------------------------
def _may_browse(session: Session, *, team_id: str, user_id: str) -> int | None:
    """The workspace id, when the person is one Tandem stores (a participant) or holds a host role there."""
    workspace = people.find_workspace(session, team_id=team_id)
    if workspace is None:
        return None
    if people.find_participant(session, team_id=team_id, user_id=user_id) is not None:
        return workspace.id
    scope = roles.scope(session, workspace_id=workspace.id, user_id=user_id)
    return workspace.id if scope.admin or scope.hosts or scope.cohosts else None


def library(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    lookup: Lookup,
    choice: str | None = None,
    page: int = 0,
    update: bool = False,
) -> Result:
    """``/tandem cards`` and *Browse learning cards*: the library modal on ``choice`` (a topic path or program; the
    first offered when None or not one of this workspace's) at ``page``. ``update``: a click inside the modal (its
    select or paging), which replaces it. Only published cards; the author named only where the card carries it."""
    _participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    workspace_id = _may_browse(session, team_id=team_id, user_id=user_id)
    if workspace_id is None:
        return Result(message=blocks.note(locale, "lib_not_known"))
    choices = cards.library_choices(session, workspace_id=workspace_id)
    offered = {value for value, _name, _n in choices}
    chosen = choice if choice in offered else (choices[0][0] if choices else None)
    parsed = rules.parse_choice(chosen) if chosen else None
    found = cards.library_cards(session, workspace_id=workspace_id, choice=parsed) if parsed else []
    page, first, pages = rules.page_of(len(found), page)
    items = [
        (card, author.display_name if card.show_name else "", program.name)
        for card, author, program in found[first : first + rules.PAGE_SIZE]
    ]
    view = blocks.library_modal(locale, choices=choices, chosen=chosen, page=page, pages=pages, items=items)
    return Result(update=view) if update else Result(view=view)


def library_pick(session: Session, *, team_id: str, user_id: str, selected: str, lookup: Lookup) -> Result:
    """The library's select: the first page of the topic path or program picked."""
    return library(session, team_id=team_id, user_id=user_id, lookup=lookup, choice=selected, update=True)


def library_page(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup) -> Result:
    """A paging button (``value``: ``<choice>|<page>``)."""
    parsed = rules.parse_page(value)
    choice, page = parsed if parsed else (None, 0)
    return library(session, team_id=team_id, user_id=user_id, lookup=lookup, choice=choice, page=page, update=True)
