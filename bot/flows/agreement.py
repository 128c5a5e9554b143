"""The working agreement and the pair's goals, as people meet them: Accept and Propose a change (in the group DM,
a reminder DM or App Home), the change modal, the goals modal (from the agreement, App Home or ``/tandem goals``),
one-click progress in App Home; and the hosts' template modal from a program card.

Someone outside the pair is refused and nothing changes; Tandem does not register anyone it has never met just
because they clicked. Each function returns what to show; the handler shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import agreement as blocks
from bot.blocks.inputs import state_values
from bot.blocks.programs import date_text
from bot.domain import agreement as rules
from bot.domain import localtime
from bot.flows.common import Lookup
from bot.flows.common import as_int as _int
from bot.flows.common import view_meta as _meta
from bot.flows.common import who as _who
from bot.flows.host import AdminSlack, Caller, announce, host_program, modal_program
from bot.flows.result import Result
from bot.ids import ID
from bot.services import agreements, goals, outbox


# -- the agreement ------------------------------------------------------------------------------------------
def accept(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    value: str,
    clicked: tuple[str, str] | None,
    in_view: bool,
    lookup: Lookup,
    now: datetime,
) -> Result:
    """Accept (``value``: the version id), from the version's message, a reminder DM (``clicked``) or App Home
    (``in_view``)."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    outcome = agreements.accept(session, participant=participant, version_id=_int(value), clicked=clicked, now=now)
    answer = Result(home=participant if in_view else None)
    if outcome.result in (agreements.ACCEPTED, agreements.AGREED):
        if outcome.message is not None:
            answer.replace = outcome.message
        elif not in_view:
            on = date_text(locale, outcome.agreed_on) if outcome.agreed_on else ""
            block = "answer_agreed" if outcome.result == agreements.AGREED else "answer_accepted"
            answer.replace = blocks.note(locale, block, partner=outcome.partner, date=on)
        return answer
    answer.message = blocks.note(locale, f"answer_{outcome.result}", waiting=outcome.waiting)
    return answer


def open_change(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup) -> Result:
    """Propose a change (``value``: the agreement id): the modal with the text as it stands."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    found = agreements.context_of(session, participant=participant, agreement_id=_int(value))
    if isinstance(found, str):
        return Result(message=blocks.note(locale, f"answer_{found}", waiting=""))
    view = blocks.change_modal(
        locale,
        agreement_id=found.agreement.id,
        partner=found.partner.display_name,
        sections=agreements.current_sections(session, found.agreement),
    )
    return Result(view=view)


def submit_change(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The change modal: a new version for the partner to accept. Anything wrong is said on its field and nothing
    changes."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    values = state_values(view)
    raw = {key: values.get(block.value) for key, block in blocks.SECTION_IDS.items()}
    sections, errors = rules.parse_sections(raw, required=True)
    note = rules.clean_text(values.get(ID.AGREEMENT_NOTE.value))
    if len(note) > rules.NOTE_MAX:
        errors["note"] = "too_long"
    if errors:
        return Result(errors=blocks.section_errors(locale, errors))
    outcome = agreements.propose(
        session,
        participant=participant,
        agreement_id=_int(_meta(view).get("agreement_id")),
        sections=sections,
        note=note or None,
        now=now,
    )
    first = blocks.SECTION_IDS[rules.SECTIONS[0]].value
    if outcome.result == agreements.UNCHANGED:
        return Result(errors=blocks.section_errors(locale, {rules.SECTIONS[0]: "unchanged"}))
    if outcome.result != agreements.PROPOSED:
        return Result(errors={first: i18n.plain(locale, "agreement", f"answer_{outcome.result}", waiting="")})
    return Result()


# -- goals --------------------------------------------------------------------------------------------------
def open_goals(session: Session, *, team_id: str, user_id: str, value: str, lookup: Lookup) -> Result:
    """The goals modal of a pair (``value``: its id; empty from ``/tandem goals``: the caller's one pair, or a
    button per pair when there are several)."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    if participant is not None and not str(value or ""):
        mine = goals.pairs_of(session, participant)
        if not mine:
            return Result(message=blocks.note(locale, "no_pair"))
        if len(mine) > 1:
            options = [(p.id, goals.partner_of(session, p, participant).display_name) for p in mine]
            return Result(message=blocks.pick_pair(locale, options))
        value = str(mine[0].id)
    pair = goals.own_pair(session, participant=participant, pair_id=_int(value))
    if pair is None or participant is None:
        return Result(message=blocks.note(locale, "goal_err_not_yours", max=rules.GOAL_TEXT_MAX))
    form = goals.form(session, pair=pair, participant=participant)
    return Result(
        view=blocks.goals_modal(locale, pair_id=form.pair_id, partner=form.partner, slots=form.slots, ideas=form.ideas)
    )


def submit_goals(
    session: Session, *, team_id: str, user_id: str, view: dict[str, Any], lookup: Lookup, now: datetime
) -> Result:
    """The goals modal: 1–3 goals with optional due dates; errors on their fields, and then nothing changes."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    meta = _meta(view)
    pair = goals.own_pair(session, participant=participant, pair_id=_int(meta.get("pair_id")))
    if pair is None or participant is None:
        return Result(errors=blocks.goal_errors(locale, {"text.1": "not_yours"}))
    ids = meta.get("slots") if isinstance(meta.get("slots"), list) else []
    ids = [(i if isinstance(i, int) else None) for i in ids][: rules.SLOTS]
    ids += [None] * (rules.SLOTS - len(ids))
    values = state_values(view)
    slots = [
        (ids[n], values.get(blocks.GOAL_TEXT_IDS[n].value), values.get(blocks.GOAL_DUE_IDS[n].value))
        for n in range(rules.SLOTS)
    ]
    picked = values.get(ID.GOAL_SUGGESTIONS.value) or []
    today = now.astimezone(localtime.zone(participant.tz)).date()
    errors = goals.save(session, participant=participant, pair=pair, slots=slots, picked=picked, today=today, now=now)
    if errors:
        return Result(errors=blocks.goal_errors(locale, errors))
    return Result(home=participant)


PROGRESS = {
    ID.GOAL_PROGRESS_25.value: 25,
    ID.GOAL_PROGRESS_50.value: 50,
    ID.GOAL_PROGRESS_75.value: 75,
    ID.GOAL_DONE.value: rules.DONE,
    ID.GOAL_REOPEN.value: 0,
}


def mark_goal(
    session: Session, *, team_id: str, user_id: str, action_id: str, value: str, lookup: Lookup, now: datetime
) -> Result:
    """One click in App Home: 25 / 50 / 75 %, Done, or Not done yet (``value``: the goal id)."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    result = goals.mark(session, participant=participant, goal_id=_int(value), progress=PROGRESS[action_id], now=now)
    answer = Result(home=participant)
    if result == agreements.NOT_YOURS:
        answer.message = blocks.note(locale, "goal_err_not_yours", max=rules.GOAL_TEXT_MAX)
    elif result == goals.PROPOSED:
        answer.message = blocks.note(locale, "goal_err_proposed")
    return answer


GOAL_REFUSALS = {
    agreements.NOT_YOURS: "goal_err_not_yours",
    goals.OWN_PROPOSAL: "goal_err_own_proposal",
    goals.UNCHANGED: "goal_err_taken",
}


def decide_goal(
    session: Session, *, team_id: str, user_id: str, action_id: str, value: str, lookup: Lookup, now: datetime
) -> Result:
    """Accept the goal the partner proposed (group DM or App Home), or withdraw one's own proposal (App Home);
    ``value``: the goal id. Anything else changes nothing and says why."""
    participant, locale = _who(session, team_id=team_id, user_id=user_id, lookup=lookup)
    decide = goals.accept if action_id == ID.GOAL_ACCEPT.value else goals.withdraw
    result = decide(session, participant=participant, goal_id=_int(value), now=now)
    answer = Result(home=participant)
    if result in GOAL_REFUSALS:
        answer.message = blocks.note(locale, GOAL_REFUSALS[result], max=rules.GOAL_TEXT_MAX)
    return answer


# -- hosts: the template per program ------------------------------------------------------------------------
def template_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The program card's Agreement button: the template modal, prefilled with what new pairs get now."""
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    sections = agreements.template_sections(program, who.locale)
    return Result(view=blocks.template_modal(who.locale, program_id=program.id, name=program.name, sections=sections))


def submit_template(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The template modal: new pairs of the program get it; a cleared section goes back to the default. The
    admin channel hears who changed it."""
    first = blocks.SECTION_IDS[rules.SECTIONS[0]].value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    texts, errors = rules.parse_sections(
        {key: values.get(block.value) for key, block in blocks.SECTION_IDS.items()}, required=False
    )
    if errors:
        return Result(errors=blocks.section_errors(who.locale, errors))
    sections = rules.complete(texts, agreements.default_sections(program, who.locale))
    custom = agreements.save_template(program, sections=sections, locale=who.locale, now=now)
    event = "template_saved" if custom else "template_default"
    announce(
        session,
        workspace,
        blocks.note(who.locale, event, host=who.user_id, name=program.name),
        cause=f"agreement-template:{program.id}:{event}:{now.isoformat()}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()
