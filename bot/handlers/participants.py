"""Participants' entries: a person's own things and their pair's (agreement, goals, weeks, notes, retro, pulse,
learning cards, trial check-in, speed-dating cards, invitations, the interview and the profile, data rights).
Each turns a Request into its flow's call and the flow's answer into a Result. The adapter checked the class of
the entry point first (a pair's or a person's things only for someone Tandem stores); the flows check that what
the value names is the caller's."""

from __future__ import annotations

from bot.blocks import agreement as agreement_blocks
from bot.blocks import cards as card_blocks
from bot.blocks import followup as followup_blocks
from bot.blocks import impact as impact_blocks
from bot.blocks import interview as interview_blocks
from bot.blocks import invite as invite_blocks
from bot.blocks import kickoff as kickoff_blocks
from bot.blocks import live as live_blocks
from bot.blocks import note_share as note_share_blocks
from bot.blocks import notes as note_blocks
from bot.blocks import polls as poll_blocks
from bot.blocks import privacy as privacy_blocks
from bot.blocks import retro as retro_blocks
from bot.blocks import rhythm as rhythm_blocks
from bot.blocks import speed as speed_blocks
from bot.blocks import trial as trial_blocks
from bot.blocks.help import help_modal
from bot.domain.agreement import GOAL_TEXT_MAX
from bot.flows import (
    agreement,
    cards,
    escalation,
    followup,
    impact,
    interview,
    kickoff,
    live,
    notes,
    polls,
    retro,
    rhythm,
    speed,
    trial,
)
from bot.flows import privacy as privacy_flow
from bot.flows.commands import JOIN_OUTCOME
from bot.flows.common import as_int
from bot.flows.interview import MessageRef
from bot.flows.result import Result
from bot.handlers.request import Request
from bot.i18n import locale_from_slack
from bot.ids import ID
from bot.models import Program
from bot.services import enrollments, people, programs
from bot.services.rhythm import NOT_YOURS


# -- what someone Tandem doesn't store is told on a pair's or a person's thing (the adapter refuses them before the
# entry runs; each in the words its flow uses for "not yours") ------------------------------------------------------
def agreement_not_yours(locale: str) -> dict:
    return agreement_blocks.note(locale, "answer_not_yours", waiting="")


def goals_not_yours(locale: str) -> dict:
    return agreement_blocks.note(locale, "goal_err_not_yours", max=GOAL_TEXT_MAX)


def kit_not_yours(locale: str) -> dict:
    return kickoff_blocks.note(locale, "answer_not_yours")


def week_not_yours(locale: str) -> dict:
    return rhythm_blocks.note(locale, NOT_YOURS)


def live_not_yours(locale: str) -> dict:
    return live_blocks.note(locale, "not_yours")


def retro_not_yours(locale: str) -> dict:
    return retro_blocks.note(locale, "answer_not_yours")


def pair_not_yours(locale: str) -> dict:
    return impact_blocks.note(locale, "pair_not_yours")


def invitation_not_yours(locale: str) -> dict:
    return invite_blocks.note(locale, "not_yours")


def speed_not_yours(locale: str) -> dict:
    return speed_blocks.note(locale, "not_yours")


def poll_not_yours(locale: str) -> dict:
    return poll_blocks.note(locale, "answer_not_yours")


def trial_not_yours(locale: str) -> dict:
    return trial_blocks.not_yours(locale)


def interview_not_yours(locale: str) -> dict:
    return interview_blocks.not_yours(locale)


def note_share_not_yours(locale: str) -> dict:
    return note_share_blocks.share_reply(locale, "not_yours")


def red_not_yours(locale: str) -> dict:
    return note_blocks.notice(locale, "red_not_yours")


def card_not_yours(locale: str) -> dict:
    return card_blocks.note(locale, "answer_not_yours")


# -- help ----------------------------------------------------------------------------------------------------
def home_help(req: Request) -> Result:
    return Result(view=help_modal(req.caller.locale))


# -- invitations -----------------------------------------------------------------------------------------------
def _answered(req: Request, message: dict) -> Result:
    """Replace the invitation in the DM, or refresh Home when the button was there."""
    if req.in_view:
        return Result(home=req.caller)
    return Result(replace=message)


def _own_enrollment(req: Request):  # type: ignore[no-untyped-def]
    enrollment_id = as_int(req.value)
    if enrollment_id is None:
        return None
    return enrollments.mine(req.session, participant=req.caller, enrollment_id=enrollment_id)


def invite_join(req: Request) -> Result:
    enrollment = _own_enrollment(req)
    if enrollment is None:
        return Result(message=invite_blocks.note(req.caller.locale, "not_yours"))
    program = req.session.get(Program, enrollment.program_id)
    outcome = enrollments.join(req.session, enrollment=enrollment, now=req.now)
    name = program.name if program else ""
    return _answered(req, invite_blocks.answer(req.caller.locale, JOIN_OUTCOME[outcome], program=name))


def invite_decline(req: Request) -> Result:
    enrollment = _own_enrollment(req)
    if enrollment is None:
        return Result(message=invite_blocks.note(req.caller.locale, "not_yours"))
    program = req.session.get(Program, enrollment.program_id)
    declined = enrollments.decline(req.session, enrollment=enrollment, now=req.now)
    name = program.name if program else ""
    block = "declined" if declined else "already"
    return _answered(req, invite_blocks.answer(req.caller.locale, block, program=name))


def join_pick(req: Request) -> Result:
    participant = req.caller
    open_programs = {p.id: p for p in programs.open_for_signup(req.session, workspace_id=participant.workspace_id)}
    program = open_programs.get(as_int(req.value) or 0)
    if program is None:
        return Result(replace=invite_blocks.note(participant.locale, "no_open"))
    participant = req.registered()  # joining: now they are stored
    _, outcome = enrollments.signup(req.session, program=program, participant=participant, now=req.now)
    return Result(replace=invite_blocks.answer(participant.locale, JOIN_OUTCOME[outcome], program=program.name))


# -- the interview and the profile ------------------------------------------------------------------------------
def _clicked_ref(req: Request) -> MessageRef | None:
    clicked = req.clicked
    return MessageRef.of({"channel": clicked[0], "ts": clicked[1]}) if clicked else None


def interview_choice(req: Request) -> Result:
    return interview.choose(
        req.session, participant=req.caller, action_id=req.name, value=req.value, clicked=_clicked_ref(req), now=req.now
    )


def interview_skip(req: Request) -> Result:
    return interview.skip(req.session, participant=req.caller, value=req.value, clicked=_clicked_ref(req), now=req.now)


def interview_open(req: Request) -> Result:
    return interview.open_step(
        req.session, participant=req.caller, value=req.value, clicked=_clicked_ref(req), now=req.now
    )


def interview_continue(req: Request) -> Result:
    result = interview.continue_interview(
        req.session, participant=req.caller, value=req.action.get("value"), now=req.now
    )
    if result.message is not None and not req.can_respond:  # from App Home: a DM, sent at once (nothing stored)
        return Result(dm=result.message)
    return result  # from a message: shown to the clicker alone


def interview_submit(req: Request) -> Result:
    return interview.submit_step(req.session, participant=req.caller, view=req.view, now=req.now)


def profile_edit(req: Request) -> Result:
    return Result(view=interview.profile_form(req.session, participant=req.caller))


def profile_submit(req: Request) -> Result:
    return interview.save_profile(req.session, participant=req.caller, view=req.view, now=req.now)


# -- the working agreement and goals -----------------------------------------------------------------------------
def agreement_accept(req: Request) -> Result:
    return agreement.accept(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        value=req.value,
        clicked=req.clicked,
        in_view=req.in_view,
        lookup=req.lookup,
        now=req.now,
    )


def agreement_propose(req: Request) -> Result:
    return agreement.open_change(
        req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, lookup=req.lookup
    )


def goals_open(req: Request) -> Result:
    return agreement.open_goals(
        req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, lookup=req.lookup
    )


def goal_mark(req: Request) -> Result:
    return agreement.mark_goal(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        action_id=req.name,
        value=req.value,
        lookup=req.lookup,
        now=req.now,
    )


def goal_decide(req: Request) -> Result:
    return agreement.decide_goal(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        action_id=req.name,
        value=req.value,
        lookup=req.lookup,
        now=req.now,
    )


def submitted(flow):  # type: ignore[no-untyped-def]
    """A participant's modal whose flow reads ``(session, team_id=, user_id=, view=, lookup=, now=)``."""

    def entry(req: Request) -> Result:
        return flow(
            req.session, team_id=req.team_id, user_id=req.user_id, view=req.view, lookup=req.lookup, now=req.now
        )

    return entry


# -- the weekly rhythm and breaks ------------------------------------------------------------------------------
def rhythm_button(req: Request) -> Result:
    """Someone Tandem has never met is not registered by a click: a click on a pair that is not theirs changes
    nothing at all."""
    participant = req.stored
    locale = participant.locale if participant else locale_from_slack(req.lookup(req.user_id).slack_locale)
    return rhythm.open_modal(
        req.session, participant=participant, locale=locale, action_id=req.name, value=req.value, now=req.now
    )


def live_find(req: Request) -> Result:
    """*Find a live slot* in a week's prompt: a click on another pair's prompt changes nothing."""
    participant = req.stored
    locale = participant.locale if participant else locale_from_slack(req.lookup(req.user_id).slack_locale)
    return live.find_button(req.session, participant=participant, locale=locale, value=req.value, now=req.now)


def live_slot(req: Request) -> Result:
    """A proposed slot's buttons and the accepted session's *Cancel*."""
    participant = req.stored
    locale = participant.locale if participant else locale_from_slack(req.lookup(req.user_id).slack_locale)
    return live.slot_button(
        req.session, participant=participant, locale=locale, action_id=req.name, value=req.value, now=req.now
    )


def rhythm_submit(req: Request) -> Result:
    return rhythm.submit(req.session, participant=req.caller, callback_id=req.name, view=req.view, now=req.now)


def prep_open(req: Request) -> Result:
    """A click on someone else's preparation changes nothing, and registers nobody."""
    participant = req.stored
    locale = participant.locale if participant else locale_from_slack(req.lookup(req.user_id).slack_locale)
    return rhythm.prep_open(req.session, participant=participant, locale=locale, value=req.value)


def prep_submit(req: Request) -> Result:
    return rhythm.prep_submit(req.session, participant=req.caller, view=req.view, now=req.now)


def prep_not_yours(locale: str) -> dict:
    return rhythm_blocks.note(locale, "err_prep_not_yours")


def pause_button(req: Request) -> Result:
    return Result(view=rhythm.pause_modal(req.caller, now=req.now))


def pause_submit(req: Request) -> Result:
    return rhythm.submit_pause(req.session, participant=req.caller, view=req.view, now=req.now)


def resume(req: Request) -> Result:
    participant = req.caller
    rhythm.resume(req.session, participant=participant, now=req.now)
    return Result(home=participant)


# -- notes and help requests -----------------------------------------------------------------------------------
def note_add(req: Request) -> Result:
    view = notes.open_modal(
        req.session,
        participant=req.caller,
        source="home" if req.in_view else "button",
        pair_id=as_int(req.value),
    )
    return Result(view=view)


def note_shortcut(req: Request) -> Result:
    message = req.shortcut.get("message") or {}
    channel = (req.shortcut.get("channel") or {}).get("id")
    permalink = req.permalink(channel, message.get("ts") or req.shortcut.get("message_ts"))
    return Result(view=notes.shortcut(req.session, participant=req.caller, message=message, permalink=permalink))


def note_submit(req: Request) -> Result:
    return notes.submit(req.session, participant=req.caller, view=req.view, now=req.now)


def note_toggle_red(req: Request) -> Result:
    participant = req.caller
    message = notes.toggle_red(req.session, participant=participant, value=req.value, now=req.now)
    return Result(home=participant) if req.in_view else Result(message=message)


def note_share(req: Request) -> Result:
    return notes.share(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        value=req.value,
        yes=req.name == ID.NOTE_SHARE_YES.value,
        locale=locale_from_slack((req.body.get("user") or {}).get("locale")),
        now=req.now,
    )


def notes_export(req: Request) -> Result:
    message = notes.export(req.session, participant=req.caller, now=req.now)
    return Result() if req.in_view else Result(message=message)


def help_button(req: Request) -> Result:
    return Result(view=escalation.open_help(req.session, participant=req.caller))


def help_submit(req: Request) -> Result:
    return escalation.submit_help(req.session, participant=req.caller, view=req.view, now=req.now)


# -- the kick-off kit --------------------------------------------------------------------------------------------
def kit_got_it(req: Request) -> Result:
    return kickoff.got_it(req.session, participant=req.caller, value=req.value, now=req.now)


def kit_ask(req: Request) -> Result:
    return kickoff.ask(req.session, participant=req.caller, value=req.value)


# -- retro, pulse, learning cards --------------------------------------------------------------------------------
def followup_not_yours(locale: str) -> dict:
    return followup_blocks.note(locale, "not_yours")


def followup_open(req: Request) -> Result:
    return followup.open_form(
        req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, lookup=req.lookup, now=req.now
    )


def retro_open(req: Request) -> Result:
    return retro.open_form(req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, lookup=req.lookup)


def retro_consent(req: Request) -> Result:
    return retro.consent(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        action_id=req.name,
        value=req.value,
        lookup=req.lookup,
        now=req.now,
    )


def poll_open(req: Request) -> Result:
    return polls.open_form(
        req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, lookup=req.lookup, now=req.now
    )


def card_open(req: Request) -> Result:
    return cards.open_form(
        req.session, team_id=req.team_id, user_id=req.user_id, in_view=req.in_view, lookup=req.lookup
    )


def cards_library(req: Request) -> Result:
    """*Browse learning cards* (App Home), and inside the library: its select and paging buttons."""
    who = {"team_id": req.team_id, "user_id": req.user_id, "lookup": req.lookup}
    if req.name == ID.CARDS_PICK:
        selected = str((req.action.get("selected_option") or {}).get("value") or "")
        return cards.library_pick(req.session, selected=selected, **who)
    if req.name == ID.CARDS_PAGE:
        return cards.library_page(req.session, value=req.value, **who)
    return cards.library(req.session, **who)


def card_edit(req: Request) -> Result:
    return cards.open_edit(
        req.session, team_id=req.team_id, user_id=req.user_id, value=req.value, in_view=req.in_view, lookup=req.lookup
    )


def card_publish(req: Request) -> Result:
    return cards.publish(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        value=req.value,
        bot_user_id=req.bot_user_id,
        slack=req.slack,
        in_view=req.in_view,
        lookup=req.lookup,
        now=req.now,
    )


def card_delete(req: Request) -> Result:
    return cards.delete(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        value=req.value,
        in_view=req.in_view,
        lookup=req.lookup,
        now=req.now,
    )


# -- impact: logging a value (pairs; hosts with "host:<program>") -----------------------------------------------
def metric_log(req: Request) -> Result:
    if req.value.startswith("host:"):
        return impact.host_log_button(req.session, req.host, req.value, slack=req.slack, now=req.now)
    result = impact.pair_log_view(req.session, participant=req.caller, value=req.value, now=req.now)
    if not req.trigger_id:
        result.view = None
    return result


def metric_log_submit(req: Request) -> Result:
    host = str(req.meta.get("scope") or "").startswith("host:")
    return impact.submit_log(
        req.session,
        view=req.view,
        participant=None if host else req.caller,
        host=req.host if host else None,
        slack=req.slack if host else None,
        now=req.now,
    )


# -- speed dating and the trial ------------------------------------------------------------------------------------
def speed_answer(req: Request) -> Result:
    return speed.answer(req.session, req.caller, req.name, req.value, now=req.now)


def speed_rank(req: Request) -> Result:
    return speed.rank(req.session, req.caller, req.name, req.value, now=req.now)


def trial_answer(req: Request) -> Result:
    return trial.click(
        req.session,
        team_id=req.team_id,
        user_id=req.user_id,
        switch=req.name == ID.TRIAL_SWITCH.value,
        value=req.value,
        lookup=req.lookup,
        now=req.now,
    )


# -- data rights: what is stored, the export, forget-me -------------------------------------------------------------
def privacy_export(req: Request) -> Result:
    participant = req.caller
    if people.is_guest(participant):  # nothing stored, nothing to send
        return Result(message=privacy_flow.nothing_stored(participant.locale))
    return Result(message=privacy_flow.export(req.session, participant=participant, now=req.now))


def privacy_forget(req: Request) -> Result:
    """Only ever the clicker's own data: whatever the button carries, it names nobody. Slack keeps the last
    published Home tab: it is replaced, without registering the person again."""
    user_id = str((req.body.get("user") or {}).get("id") or "")
    message = privacy_flow.forget(req.session, team_id=req.team_id, user_id=user_id, now=req.now)
    return Result(replace=message, homes=[(user_id, privacy_blocks.forgotten_home(message))])
