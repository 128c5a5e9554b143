"""Every entry point of Tandem, declared once: its surface, its ids, its access class and the entry that calls its
flow. ``bot.handlers.adapter`` turns this table into Bolt listeners and enforces each class before the entry runs;
the authorization matrix (``tests/test_authz.py``) and the fuzzer (``tests/test_fuzz.py``) read it.

Access classes (``bot.access.Access``): ADMIN (hosts: members of the private admin channel), SETUP (workspace
admins and owners, or the hosts: ``/tandem admin setup``), PAIR (a pair's things: someone Tandem stores; the flow
checks it is their pair), SELF (one person's things: someone Tandem stores; the flow checks it is theirs), OWN
(anyone, about themselves only), PUBLIC (anyone; nothing personal), SLACK (sent by Slack about the installation).

Adding an entry point: add its id to ``bot.ids.ID``, write its entry (``bot.handlers.*``: Request -> Result) and add
one line here. A route without a valid class, or an id routed twice, stops the app at start
(``bot.handlers.adapter.register``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.access import Access, Surface
from bot.flows import admin as admin_flow
from bot.flows import (
    agreement,
    cards,
    cohorts,
    escalation,
    followup,
    hosting,
    impact,
    interview,
    kickoff,
    matching,
    notes,
    notice,
    orgchart,
    polls,
    privacy,
    retro,
    second_host,
    speed,
)
from bot.flows.commands import TOO_LONG
from bot.flows.result import Result
from bot.handlers import admin as host
from bot.handlers import commands, events
from bot.handlers import participants as mine
from bot.handlers.request import Request
from bot.ids import ID

Entry = Callable[[Request], Result]
ANY = "*"  # a /tandem (or /tandem admin) word no other route names


@dataclass(frozen=True)
class Route:
    surface: Surface
    ids: tuple[str, ...]
    access: Access | Mapping[str, Access]  # one class, or a class per prefix of the value (or the modal's scope)
    entry: Entry
    words: tuple[str, ...] = field(default=())  # for the fuzzer: the words a command reads after its own
    # PAIR and SELF: what someone Tandem doesn't store is told (by locale); default: a general "not yours"
    refusal: Callable[[str], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        classes = self.access.values() if isinstance(self.access, Mapping) else [self.access]
        if not self.ids or not all(isinstance(i, str) and i for i in self.ids):
            raise ValueError(f"a route needs its ids: {self!r}")
        if not classes or not all(isinstance(c, Access) for c in classes):
            raise ValueError(f"route {self.ids} has no access class")
        if not callable(self.entry):
            raise ValueError(f"route {self.ids} has no entry")

    def access_for(self, scope: str) -> Access | None:
        """The class that applies to a request whose value (or modal scope) is ``scope``; None when a scoped route
        gets a scope it doesn't know (refused)."""
        if not isinstance(self.access, Mapping):
            return self.access
        for prefix, cls in self.access.items():
            if scope.startswith(prefix):
                return cls
        return None


def _ids(*ids: ID) -> tuple[str, ...]:
    return tuple(i.value for i in ids)


A, SETUP, P, S, OWN, U, SLACK = (
    Access.ADMIN,
    Access.SETUP,
    Access.PAIR,
    Access.SELF,
    Access.OWN,
    Access.PUBLIC,
    Access.SLACK,
)
C, AC, ACT, V, SC, EV = (
    Surface.COMMAND,
    Surface.ADMIN_COMMAND,
    Surface.ACTION,
    Surface.VIEW,
    Surface.SHORTCUT,
    Surface.EVENT,
)

ROUTES: tuple[Route, ...] = (
    # -- /tandem <word> ---------------------------------------------------------------------------------------
    Route(C, ("help", "hilfe", "?"), U, commands.show_help),
    Route(C, (ANY,), U, commands.unknown),  # a word Tandem doesn't know: the help, with what was typed
    Route(C, (TOO_LONG,), U, commands.too_long),  # any text over the limit: refused, echoed to its author alone
    Route(C, ("join",), U, commands.join),  # sign up for an open program
    Route(C, ("goals", "ziele"), OWN, commands.goals),  # the button opens the caller's own pair's goals
    Route(C, ("note",), OWN, commands.note, words=("help",)),
    Route(C, ("notes",), OWN, commands.note, words=notes.SUBWORDS),  # the caller's own notes, in their own pairs
    Route(C, ("help-me",), OWN, commands.note),
    Route(C, ("metric", "metrics", "metrik"), OWN, commands.metric),
    Route(C, ("card", "karte", "learning-card"), OWN, commands.card),
    Route(C, ("cards", "karten", "lernkarten"), OWN, commands.card_library),  # published cards: participants, hosts
    Route(C, ("pause", "pausieren"), OWN, commands.pause),
    Route(C, ("slot", "termin"), OWN, commands.slot),  # three live slots for the caller's own pair
    # data rights: what is stored about the caller, their export, the question before their data goes
    Route(C, ("privacy", "datenschutz"), OWN, commands.privacy("privacy")),
    Route(C, ("export-my-data", "meine-daten"), OWN, commands.privacy("export")),
    Route(C, ("forget-me", "vergiss-mich"), OWN, commands.privacy("forget")),
    # -- /tandem admin <word>: hosts --------------------------------------------------------------------------
    Route(AC, ("setup",), SETUP, host.word(admin_flow.setup)),
    Route(AC, ("new", "create"), A, host.word(admin_flow.new_program)),
    Route(AC, ("programs", "list"), A, host.word(admin_flow.program_list)),
    Route(AC, ("invite",), A, host.word(admin_flow.invite)),
    Route(AC, ("match",), A, host.word(matching.command)),
    Route(AC, ("speed", "speed-dating", "speeddating"), A, host.word(speed.command)),
    Route(AC, ("notes",), A, host.word(notes.host_listing)),
    Route(AC, ("retro",), A, host.word(retro.host_overview)),
    Route(AC, ("pulse", "polls", "poll"), A, host.word(polls.host_results)),
    Route(AC, ("impact", "dashboard", "metrics", "wirkung"), A, host.word(impact.host_dashboard)),
    Route(AC, ("export",), A, host.word(impact.host_export)),
    Route(AC, ("digest",), A, host.word(admin_flow.digest_now)),
    Route(AC, ("playbook",), A, host.word(admin_flow.playbook)),  # what to do this week, per program
    Route(AC, ("remove", "entfernen"), A, host.word(privacy.remove_command)),  # a participant and their data
    Route(AC, ("orgchart", "organigramm"), A, host.word(orgchart.command)),  # import the org chart, map a field
    Route(AC, ("hosts",), A, host.word(hosting.command)),  # who hosts what, and changing it
    Route(AC, ("works-agreement", "betriebsvereinbarung"), A, host.word(notice.works_agreement_command)),
    Route(AC, ("help", ANY), A, host.help_word),
    # -- hosts' buttons and modals ----------------------------------------------------------------------------
    Route(
        ACT,
        _ids(
            ID.PROGRAM_EDIT, ID.PROGRAM_PAUSE, ID.PROGRAM_RESUME, ID.PROGRAM_CLOSE, ID.PROGRAM_INVITE, ID.PROGRAM_SIGNUP
        ),
        A,
        host.action_button(admin_flow.program_action),
    ),
    Route(
        ACT,
        _ids(ID.MATCH_APPROVE, ID.MATCH_RERUN, ID.MATCH_DISCARD, ID.MATCH_LOCK, ID.MATCH_SWAP),
        A,
        host.match_button,
    ),
    Route(ACT, _ids(ID.MATCH_RUN), A, host.button(matching.run)),
    Route(ACT, _ids(ID.MATCH_WEIGHTS), A, host.button(matching.weights_button)),  # the program's matching weights
    Route(ACT, _ids(ID.SPEED_START), A, host.button(speed.program_button)),
    Route(ACT, _ids(ID.AGREEMENT_TEMPLATE), A, host.button(agreement.template_button)),
    Route(ACT, _ids(ID.ESCALATION_ANSWER), A, host.button(escalation.open_answer)),
    Route(ACT, _ids(ID.RETRO_POST_QUOTE), A, host.button(retro.post_quote)),
    Route(ACT, _ids(ID.RETRO_SETTINGS), A, host.button(retro.settings_button)),
    Route(ACT, _ids(ID.POLL_SETTINGS), A, host.button(polls.settings_button)),
    Route(ACT, _ids(ID.METRICS_OPEN), A, host.button(impact.open_button)),
    Route(ACT, _ids(ID.PROGRAM_NOTICE), A, host.button(notice.open_modal)),
    Route(ACT, _ids(ID.PROGRAM_WORKS_AGREEMENT), A, host.button(notice.works_agreement_button)),
    Route(ACT, _ids(ID.METRIC_ADD), A, host.button(impact.add_button)),
    Route(ACT, _ids(ID.IMPACT_EXPORT), A, host.button(impact.export_button)),
    Route(ACT, _ids(ID.COHORT_NEXT), A, host.button(cohorts.next_button)),
    Route(ACT, _ids(ID.COHORT_ALUMNI), A, host.button(cohorts.alumni_button)),
    Route(ACT, _ids(ID.PRIVACY_REMOVE), A, host.remove_button),  # its value is the Slack id of the person to remove
    Route(ACT, _ids(ID.HOST_CONFIRM, ID.HOST_DECLINE), A, host.action_button(second_host.decide)),  # value: request id
    Route(V, _ids(ID.PROGRAM_MODAL), A, host.modal(admin_flow.submit_program)),
    Route(V, _ids(ID.NOTICE_MODAL), A, host.modal(notice.submit)),  # the program's privacy notice
    Route(V, _ids(ID.INVITE_MODAL), A, host.modal(admin_flow.submit_invites)),
    Route(V, _ids(ID.MATCH_SWAP_MODAL), A, host.modal(matching.submit_swap)),
    Route(V, _ids(ID.MATCH_WEIGHTS_MODAL), A, host.modal(matching.submit_weights)),
    Route(V, _ids(ID.SPEED_MODAL), A, host.modal(speed.submit)),
    Route(V, _ids(ID.AGREEMENT_TEMPLATE_MODAL), A, host.modal(agreement.submit_template)),
    Route(V, _ids(ID.ESCALATION_ANSWER_MODAL), A, host.modal(escalation.submit_answer)),
    Route(V, _ids(ID.RETRO_SETTINGS_MODAL), A, host.modal(retro.submit_settings)),
    Route(V, _ids(ID.POLL_SETTINGS_MODAL), A, host.modal(polls.submit_settings)),
    Route(V, _ids(ID.METRIC_MODAL), A, host.modal(impact.submit_metric)),
    Route(V, _ids(ID.COHORT_ALUMNI_MODAL), A, host.modal(cohorts.submit_alumni)),
    Route(ACT, _ids(ID.KIT_TEXTS), A, host.button(kickoff.texts_button)),  # the kick-off kit's texts, per program
    Route(V, _ids(ID.KIT_TEXTS_MODAL), A, host.modal(kickoff.submit_texts)),
    Route(ACT, _ids(ID.CIRCLE_SETTINGS), A, host.button(kickoff.circle_button)),  # the program's peer circle
    Route(V, _ids(ID.CIRCLE_MODAL), A, host.modal(kickoff.submit_circle)),
    Route(V, _ids(ID.ORGCHART_MODAL), A, host.orgchart_submit),  # only files the host uploaded themselves
    # -- a pair's things: agreement, goals, weeks, notes, retro, logged values, trial check-in -------------------
    Route(ACT, _ids(ID.AGREEMENT_ACCEPT), P, mine.agreement_accept, refusal=mine.agreement_not_yours),
    Route(ACT, _ids(ID.AGREEMENT_PROPOSE), P, mine.agreement_propose, refusal=mine.agreement_not_yours),
    Route(V, _ids(ID.AGREEMENT_MODAL), P, mine.submitted(agreement.submit_change), refusal=mine.agreement_not_yours),
    Route(ACT, _ids(ID.GOAL_OPEN), P, mine.goals_open, refusal=mine.goals_not_yours),
    Route(V, _ids(ID.GOAL_MODAL), P, mine.submitted(agreement.submit_goals), refusal=mine.goals_not_yours),
    Route(
        ACT,
        _ids(ID.GOAL_PROGRESS_25, ID.GOAL_PROGRESS_50, ID.GOAL_PROGRESS_75, ID.GOAL_DONE, ID.GOAL_REOPEN),
        P,
        mine.goal_mark,
        refusal=mine.goals_not_yours,
    ),
    # the partner of whoever proposed the goal accepts it; its proposer withdraws it (the flow checks which)
    Route(ACT, _ids(ID.GOAL_ACCEPT, ID.GOAL_WITHDRAW), P, mine.goal_decide, refusal=mine.goals_not_yours),
    Route(
        ACT,
        _ids(ID.RHYTHM_ANSWER, ID.RHYTHM_AGREED, ID.RHYTHM_CANCEL, ID.RHYTHM_MOVE, ID.RHYTHM_CARD),
        P,
        mine.rhythm_button,
        refusal=mine.week_not_yours,
    ),
    Route(
        V,
        _ids(
            ID.RHYTHM_ANSWER_MODAL,
            ID.RHYTHM_AGREED_MODAL,
            ID.RHYTHM_CANCEL_MODAL,
            ID.RHYTHM_MOVE_MODAL,
            ID.RHYTHM_CARD_MODAL,
        ),
        P,
        mine.rhythm_submit,
        refusal=mine.week_not_yours,
    ),
    # live sessions: the prompt's *Find a live slot* (value: pair id), a slot's buttons and *Cancel* (value: its id)
    Route(ACT, _ids(ID.LIVE_FIND), P, mine.live_find, refusal=mine.live_not_yours),
    Route(
        ACT,
        _ids(ID.LIVE_ACCEPT, ID.LIVE_ACCEPT_WEEKLY, ID.LIVE_CANCEL),
        P,
        mine.live_slot,
        refusal=mine.live_not_yours,
    ),
    Route(ACT, _ids(ID.NOTE_ADD), P, mine.note_add),
    Route(ACT, _ids(ID.NOTE_TOGGLE_RED), P, mine.note_toggle_red, refusal=mine.red_not_yours),
    Route(
        ACT, _ids(ID.NOTE_SHARE_YES, ID.NOTE_SHARE_NO), P, mine.note_share, refusal=mine.note_share_not_yours
    ),  # only the author's partner
    Route(V, _ids(ID.NOTE_MODAL), P, mine.note_submit),
    Route(ACT, _ids(ID.RETRO_OPEN), P, mine.retro_open, refusal=mine.retro_not_yours),
    Route(V, _ids(ID.RETRO_MODAL), P, mine.submitted(retro.submit_form), refusal=mine.retro_not_yours),
    Route(ACT, _ids(ID.RETRO_CONSENT_YES, ID.RETRO_CONSENT_NO), P, mine.retro_consent, refusal=mine.retro_not_yours),
    # "pair:<pair id>" for a pair's partners; "host:<program id>" for hosts
    Route(ACT, _ids(ID.METRIC_LOG), {"pair:": P, "host:": A}, mine.metric_log, refusal=mine.pair_not_yours),
    Route(V, _ids(ID.METRIC_LOG_MODAL), {"pair:": P, "host:": A}, mine.metric_log_submit, refusal=mine.pair_not_yours),
    Route(
        ACT, _ids(ID.TRIAL_CONTINUE, ID.TRIAL_SWITCH), P, mine.trial_answer, refusal=mine.trial_not_yours
    ),  # each partner answers alone
    # -- one person's things: invitations, interview steps, speed-dating cards, the pulse, learning cards ---------
    Route(ACT, _ids(ID.INVITE_JOIN), S, mine.invite_join, refusal=mine.invitation_not_yours),
    Route(ACT, _ids(ID.INVITE_DECLINE), S, mine.invite_decline, refusal=mine.invitation_not_yours),
    Route(
        ACT, tuple(interview.CHOICES), S, mine.interview_choice, refusal=mine.interview_not_yours
    ),  # settings ok, role, agreement
    Route(
        ACT,
        _ids(ID.INTERVIEW_OPEN, ID.INTERVIEW_SETTINGS_CHANGE),
        S,
        mine.interview_open,
        refusal=mine.interview_not_yours,
    ),
    Route(ACT, _ids(ID.INTERVIEW_SKIP), S, mine.interview_skip, refusal=mine.interview_not_yours),
    Route(V, _ids(ID.INTERVIEW_MODAL), S, mine.interview_submit, refusal=mine.interview_not_yours),
    Route(ACT, _ids(ID.SPEED_YES, ID.SPEED_MAYBE, ID.SPEED_NO), S, mine.speed_answer, refusal=mine.speed_not_yours),
    Route(
        ACT, _ids(ID.SPEED_RANK_1, ID.SPEED_RANK_2, ID.SPEED_RANK_3), S, mine.speed_rank, refusal=mine.speed_not_yours
    ),  # the card's owner ranks their own candidates
    Route(
        ACT, _ids(ID.POLL_OPEN), S, mine.poll_open, refusal=mine.poll_not_yours
    ),  # the program's participants who were asked
    Route(V, _ids(ID.POLL_MODAL), S, mine.submitted(polls.submit_form), refusal=mine.poll_not_yours),
    # the follow-up question 30 and 90 days after a pair ended: only the person it was asked of
    Route(ACT, _ids(ID.FOLLOWUP_OPEN), S, mine.followup_open, refusal=mine.followup_not_yours),
    Route(V, _ids(ID.FOLLOWUP_MODAL), S, mine.submitted(followup.submit_form), refusal=mine.followup_not_yours),
    Route(ACT, _ids(ID.PREP_OPEN), S, mine.prep_open, refusal=mine.prep_not_yours),  # the person's own preparation
    Route(V, _ids(ID.PREP_MODAL), S, mine.prep_submit, refusal=mine.prep_not_yours),
    Route(ACT, _ids(ID.CARD_PUBLISH), S, mine.card_publish, refusal=mine.card_not_yours),
    Route(ACT, _ids(ID.CARD_EDIT), S, mine.card_edit, refusal=mine.card_not_yours),
    Route(ACT, _ids(ID.CARD_DELETE), S, mine.card_delete, refusal=mine.card_not_yours),
    Route(
        V, _ids(ID.CARD_MODAL), S, mine.submitted(cards.submit_form), refusal=mine.card_not_yours
    ),  # the author's draft, or their program
    # the kick-off kit's lessons: only the person it was sent to
    Route(ACT, _ids(ID.KIT_GOT_IT), S, mine.kit_got_it, refusal=mine.kit_not_yours),
    Route(ACT, _ids(ID.KIT_ASK), S, mine.kit_ask, refusal=mine.kit_not_yours),
    # -- about the caller only ----------------------------------------------------------------------------------
    Route(ACT, _ids(ID.HOME_HELP), U, mine.home_help),
    Route(ACT, _ids(ID.JOIN_PICK), U, mine.join_pick),  # an open program; sign-up is open to anyone
    Route(ACT, _ids(ID.PROFILE_EDIT), OWN, mine.profile_edit),
    Route(V, _ids(ID.PROFILE_MODAL), OWN, mine.profile_submit),
    Route(ACT, _ids(ID.INTERVIEW_CONTINUE), OWN, mine.interview_continue),  # picks among the caller's interviews
    Route(ACT, _ids(ID.NOTES_EXPORT), OWN, mine.notes_export),
    Route(ACT, _ids(ID.HELP_ME), OWN, mine.help_button),
    Route(V, _ids(ID.HELP_ME_MODAL), OWN, mine.help_submit),
    Route(ACT, _ids(ID.RHYTHM_PAUSE), OWN, mine.pause_button),
    Route(ACT, _ids(ID.RHYTHM_RESUME), OWN, mine.resume),
    Route(V, _ids(ID.RHYTHM_PAUSE_MODAL), OWN, mine.pause_submit),
    Route(ACT, _ids(ID.CARD_OPEN), OWN, mine.card_open),
    # the learning-card library: published cards only, for the workspace's participants and hosts (the flow checks)
    Route(ACT, _ids(ID.CARDS_BROWSE, ID.CARDS_PICK, ID.CARDS_PAGE), OWN, mine.cards_library),
    Route(ACT, _ids(ID.PRIVACY_EXPORT), OWN, mine.privacy_export),  # the clicker's own data, whatever the value says
    Route(ACT, _ids(ID.PRIVACY_FORGET), OWN, mine.privacy_forget),  # the clicker's own data only
    Route(SC, _ids(ID.NOTE_SHORTCUT), OWN, mine.note_shortcut),  # saves to the caller's own pair
    # -- events -------------------------------------------------------------------------------------------------
    Route(EV, ("app_home_opened",), OWN, events.app_home_opened),
    Route(EV, ("message",), OWN, events.message),  # a DM; a reply in a week's thread counts only from the partners
    Route(EV, ("member_joined_channel",), U, events.member_joined_channel),
    Route(EV, ("member_left_channel",), U, events.member_left_channel),
    # the admin channel is checked again; nothing is shown to anyone but the hosts' DM when it became unsafe
    Route(EV, events.CHANNEL_CHANGES, U, events.channel_change),
    Route(EV, ("app_uninstalled",), SLACK, events.app_uninstalled),
    Route(EV, ("tokens_revoked",), SLACK, events.tokens_revoked),
)


def table(routes: tuple[Route, ...] = ROUTES) -> dict[tuple[Surface, str], Route]:
    """Each (surface, id) to its route; an id routed twice is an error."""
    out: dict[tuple[Surface, str], Route] = {}
    for route in routes:
        for id_ in route.ids:
            key = (route.surface, id_)
            if key in out:
                raise ValueError(f"{route.surface.value} {id_!r} is routed twice")
            out[key] = route
    return out


def matrix(routes: tuple[Route, ...] = ROUTES) -> dict[tuple[Surface, str], Access]:
    """Every entry point, by surface and id, with its class (a scoped route: the class of its first scope)."""
    out = {}
    for key, route in table(routes).items():
        access = route.access
        out[key] = next(iter(access.values())) if isinstance(access, Mapping) else access
    return out
