"""The authorization matrix, end to end: every entry point in ``bot.access`` is classified, and every ADMIN, PAIR
and SELF one is played by someone who may not use it, with real ids of someone else's things in its value or
private_metadata, as signed requests through the sandbox. Each attempt must be refused in words the person can
read, change nothing in the database, and show nothing of pair A (its goals, notes, answers, names).

One program is built once per backend: a host (Hanna), two matched pairs (A: Alma and Arne; B: Bela and Bodo), Otto
who is in no program, Cleo halfway through her interview, Cato with an unanswered invitation, Hugo who was a host
until he left the admin channel, and Tess who hosts Tandem in another workspace; pair A has goals, notes, a proposed
agreement, an answered week, a retro with a quote, a trial check-in, a logged value, a learning card draft and an
escalation. Hosts' things are tried by Alma, Otto, Tess and Hugo; a pair's by Bela, Otto and Hanna (hosts see no
pair's data); a person's by someone else in the program, Otto and Hanna. What is about the caller only (OWN,
PUBLIC) is played by Otto, who may change only his own rows.

Every case runs on SQLite. On PostgreSQL the matrix plays a cover of them: each route once and each attacker once
(the first such case). Who may do what is decided the same way on both backends, in Python, from the same rows; what
PostgreSQL could do differently is how a refused request's transaction is rolled back and what the guard sees loaded
on the way, and each route played once there shows that."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, select

from bot import routes
from bot.access import Access, Surface
from bot.blocks import cohorts as cohort_blocks
from bot.blocks import impact as impact_blocks
from bot.blocks import matching as matching_blocks
from bot.db import reflected
from bot.domain.kickoff import LESSONS
from bot.ids import ID
from bot.models import (
    Agreement,
    AgreementVersion,
    Base,
    Enrollment,
    Escalation,
    FollowUp,
    Goal,
    KickoffKit,
    LearningCard,
    MatchProposal,
    MatchRound,
    Metric,
    Note,
    Pair,
    PairWeek,
    Participant,
    PollRound,
    Program,
    Retro,
    RetroAnswer,
    SpeedIntro,
    SpeedRound,
    SpeedStatus,
    TrialCheck,
    WeekPrep,
    Workspace,
)
from bot.sandbox.personas import Persona
from bot.sandbox.server import Delivery
from bot.sandbox.stack import LocalStack
from bot.services import live, matching
from bot.services.rhythm import tandem_of
from tests.conftest import on_sqlite_only
from tests.helpers import admin_channel, assert_calls_ok, create_program, forged_click, make_stack, onboard, persona

# name: (role, Slack locale, zone, display name, department, can teach, wants to learn, values)
PEOPLE = {
    "Alma": ("digital", "en-GB", "Europe/Berlin", "Alma", "Content", ["podcasts"], ["governance"], ["growth"]),
    "Arne": ("context", "de-DE", "Europe/Berlin", "Arne", "Finance", ["governance"], ["podcasts"], ["growth"]),
    "Bela": ("digital", "en-GB", "Europe/Berlin", "Bela", "Social", ["short video"], ["budgeting"], ["trust"]),
    "Bodo": ("context", "en-GB", "Europe/Berlin", "Bodo", "Risk", ["budgeting"], ["short video"], ["trust"]),
}
# what pair A wrote: none of it may reach anyone else
GOAL = "zq7goal Record a first podcast together"
NOTE = "zq7note the budget talk went well"
CHANGE = "zq7agreement we meet on Tuesdays instead"
ANSWER = "zq7answer we tried a podcast app"
RETRO = "zq7retro the podcast episode"
QUOTE = "zq7quote Reverse mentoring made me curious"
CARD = "zq7card What a podcast taught me"
HELP = "zq7help we are stuck"
MARKERS = ("zq7", "Alma", "Arne")
PROGRAM = "Ypsilon Pilot"  # no other workspace's host may see its name
OTHER_PROGRAM = "Zeta Pilot"  # the program Cora co-hosts
BOOKKEEPING = {"slack_event", "clock_tick"}  # not what a person changes
# hosts.authorize refreshes it for anyone
WORKSPACE_CACHE = {"admin_members", "admin_members_fetched_at", "admin_channel_problems", "admin_channel_warned_at"}


OTHER_TEAM = "T0OTHER"  # a second workspace with Tandem installed, and a host of its own
TEAMS: dict[str, str] = {}  # Slack user id -> the workspace they act from (the sandbox's own by default)


# -- sending what Slack would send, with any value ---------------------------------------------------------------
@contextmanager
def from_team(stack: LocalStack, who: Persona) -> Iterator[None]:
    """Interactions (clicks, submissions) of ``who`` come from their own workspace."""
    team = TEAMS.get(who.id)
    sandbox = stack.sandbox
    if team is None:
        yield
        return
    send = sandbox.send_interaction

    def send_from_team(payload: dict[str, Any]) -> Delivery:
        user = {**payload["user"], "team_id": team}
        changed = {**payload, "user": user, "team": {"id": team, "domain": "other"}}
        if "view" in payload:  # a modal Tandem opened in her workspace
            changed["view"] = {**payload["view"], "team_id": team, "app_installed_team_id": team}
        return send(changed)

    sandbox.send_interaction = send_from_team  # type: ignore[method-assign]
    try:
        yield
    finally:
        sandbox.send_interaction = send  # type: ignore[method-assign]


def slash(stack: LocalStack, who: Persona, text: str, *, channel: str | None = None) -> Delivery:
    """``/tandem <text>`` from ``who``'s workspace (the answer is the delivery's body)."""
    team = TEAMS.get(who.id)
    if team is None:
        return who.slash(text, channel_id=channel)
    sandbox = stack.sandbox
    channel = channel or who.dm
    form = {
        "token": "legacy",
        "team_id": team,
        "team_domain": "other",
        "channel_id": channel,
        "channel_name": sandbox.channel_name(channel),
        "user_id": who.id,
        "user_name": who.name,
        "command": "/tandem",
        "text": text,
        "api_app_id": sandbox.app_id,
        "response_url": sandbox.issue_response_url(channel, who.id),
        "trigger_id": sandbox.issue_trigger(who.id),
    }
    status, body, headers, _ = sandbox.post_to_app(urlencode(form).encode(), "application/x-www-form-urlencoded")
    delivery = Delivery(kind="command", payload=form)
    delivery.status, delivery.body, delivery.headers = status, body, headers
    return delivery


def act(stack: LocalStack, who: Persona, action_id: str, value: str, *, channel: str | None = None) -> Delivery:
    """A forged or replayed click (``tests.helpers.forged_click``) from ``who``'s own workspace."""
    return forged_click(stack, who, action_id, value, channel=channel, team_id=TEAMS.get(who.id))


def opened(stack: LocalStack, who: Persona, action_id: str, value: str, *, channel: str | None = None) -> dict:
    """``who`` clicks a button that opens a modal: the modal."""
    before = {v["id"] for v in who.open_views()}
    assert act(stack, who, action_id, value, channel=channel).ok
    new = [v for v in who.open_views() if v["id"] not in before]
    assert new, f"{action_id} {value!r} opened no modal for {who.name}: {who.ephemeral_messages()[-1:]}"
    return new[-1]


def _texts(delivery: Delivery) -> str:
    return delivery.body or ""


# -- the world ---------------------------------------------------------------------------------------------------
@dataclass
class World:
    stack: LocalStack
    channel: str  # the admin channel
    group_a: str  # pair A's group DM
    people: dict[str, Persona]
    ids: dict[str, Any]
    views: dict[str, dict[str, Any]]  # callback_id -> a modal Tandem opened for someone entitled to it
    submit: dict[str, dict[str, Any]]  # callback_id -> values a real submission would carry
    tables: list[Any] = field(default_factory=list)
    baseline: dict[str, list[tuple]] = field(default_factory=dict)


def _one(stack: LocalStack, query: Any) -> Any:
    with stack.session_factory() as s:
        return s.scalars(query).first()


def _speed_status(stack: LocalStack, status: SpeedStatus) -> None:
    with stack.session_factory() as s:
        for round_ in s.scalars(select(SpeedRound)):
            round_.status = status
        s.commit()


def _participant_id(stack: LocalStack, p: Persona) -> int:
    return _one(stack, select(Participant.id).where(Participant.slack_user_id == p.id))


def _build(stack: LocalStack) -> World:
    hanna = persona(stack, "Hanna", is_admin=True)
    hugo = persona(stack, "Hugo")  # a host until he leaves the admin channel, below
    channel = admin_channel(stack, hanna, hugo)
    create_program(
        stack,
        hanna,
        channel,
        **{
            ID.PROGRAM_NAME.value: PROGRAM,
            ID.PROGRAM_START.value: "2027-01-04",
            ID.PROGRAM_WEEKS.value: "8",
            ID.PROGRAM_TRIAL.value: "4",
            ID.PROGRAM_SIGNUP_OPEN.value: ["open"],
        },
    )
    people = onboard(stack, PEOPLE, PROGRAM)
    alma, arne, bela = people["Alma"], people["Arne"], people["Bela"]
    otto = persona(stack, "Otto")  # in no program: Tandem stores nothing about him (he asked for help once)
    assert otto.slash("help").ok
    program_id = _one(stack, select(Program.id))
    views: dict[str, dict[str, Any]] = {}
    submit: dict[str, dict[str, Any]] = {}

    # speed dating first (cards for everyone onboarded), then matching: Alma with Arne, Bela with Bodo
    views[ID.SPEED_MODAL] = opened(stack, hanna, ID.SPEED_START, str(program_id), channel=channel)
    assert not hanna.submit(views[ID.SPEED_MODAL]["id"]).body
    stack.advance(timedelta(minutes=1))
    # matching waits for an open round (bot.flows.matching._speed_open): closed for the match, open again after it,
    # so the world holds an open round's cards as before
    _speed_status(stack, SpeedStatus.CLOSED)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]
    hanna.click(ID.MATCH_APPROVE, message=preview)
    stack.settle()
    _speed_status(stack, SpeedStatus.OPEN)
    ids: dict[str, Any] = {"program": program_id}
    with stack.session_factory() as s:
        pid = {p.slack_user_id: p.id for p in s.scalars(select(Participant))}
        pairs = {frozenset((p.participant_a_id, p.participant_b_id)): p for p in s.scalars(select(Pair))}
        pair_a = pairs[frozenset((pid[alma.id], pid[arne.id]))]
        pair_b = pairs[frozenset((pid[bela.id], pid[people["Bodo"].id]))]
        ids.update(pair_a=pair_a.id, pair_b=pair_b.id, participants=pid, arne_user=arne.id)
        group_a = matching.pair_channel(s, pair_a)
        assert group_a
        round_ = s.scalars(select(MatchRound)).one()
        ids["round"] = round_.id
        ids["proposal"] = s.scalars(select(MatchProposal.id).where(MatchProposal.round_id == round_.id)).first()
        ids["agreement"] = s.scalars(select(Agreement.id).where(Agreement.pair_id == pair_a.id)).one()
        ids["intro"] = s.scalars(select(SpeedIntro.id).where(SpeedIntro.participant_id == pid[alma.id])).first()
    assert ids["intro"] is not None

    # pair A writes: goals, a note, a change to the agreement; Alma asks the hosts for help; drafts a card
    views[ID.GOAL_MODAL] = opened(stack, alma, ID.GOAL_OPEN, str(ids["pair_a"]))
    submit[ID.GOAL_MODAL] = {ID.GOAL_TEXT_1.value: GOAL}
    assert not alma.submit(views[ID.GOAL_MODAL]["id"], submit[ID.GOAL_MODAL]).body
    assert alma.slash(f"note {NOTE}").ok
    assert alma.slash(f"note {NOTE} for the program #program").ok
    assert alma.slash(f"note {NOTE} for the hosts #hosts").ok
    views[ID.AGREEMENT_MODAL] = opened(stack, alma, ID.AGREEMENT_PROPOSE, str(ids["agreement"]))
    submit[ID.AGREEMENT_MODAL] = {ID.AGREEMENT_F_AGENDA.value: CHANGE, ID.AGREEMENT_NOTE.value: CHANGE}
    assert not alma.submit(views[ID.AGREEMENT_MODAL]["id"], submit[ID.AGREEMENT_MODAL]).body
    submit[ID.AGREEMENT_MODAL] = {ID.AGREEMENT_F_AGENDA.value: CHANGE + " and Fridays"}
    views[ID.HELP_ME_MODAL] = opened(stack, alma, ID.HELP_ME, "")
    submit[ID.HELP_ME_MODAL] = {ID.HELP_ME_TEXT.value: HELP}
    assert alma.submit(views[ID.HELP_ME_MODAL]["id"], submit[ID.HELP_ME_MODAL]).ok
    views[ID.CARD_MODAL] = opened(stack, alma, ID.CARD_OPEN, "")
    submit[ID.CARD_MODAL] = {ID.CARD_TITLE.value: CARD, ID.CARD_TEXT.value: CARD}
    assert alma.submit(views[ID.CARD_MODAL]["id"], submit[ID.CARD_MODAL]).ok
    # the hosts add a metric the pairs report; Cleo signs up (her interview starts), Cato is invited
    views[ID.METRIC_MODAL] = opened(stack, hanna, ID.METRIC_ADD, str(program_id), channel=channel)
    submit[ID.METRIC_MODAL] = {
        ID.METRIC_NAME.value: "Podcasts published",
        ID.METRIC_UNIT.value: "episodes",
        ID.METRIC_REPORTER.value: "pair",
        ID.METRIC_BASELINE.value: "0",
        ID.METRIC_TARGET_LOW.value: "4",
    }
    assert not hanna.submit(views[ID.METRIC_MODAL]["id"], submit[ID.METRIC_MODAL]).body
    submit[ID.METRIC_MODAL] = {**submit[ID.METRIC_MODAL], ID.METRIC_NAME.value: "Videos"}
    cleo, cato = persona(stack, "Cleo"), persona(stack, "Cato")
    assert cleo.slash("join").ok
    views[ID.INVITE_MODAL] = opened(stack, hanna, ID.PROGRAM_INVITE, str(program_id), channel=channel)
    submit[ID.INVITE_MODAL] = {ID.INVITE_USERS.value: [cato.id]}
    assert not hanna.submit(views[ID.INVITE_MODAL]["id"], submit[ID.INVITE_MODAL]).body
    submit[ID.INVITE_MODAL] = {ID.INVITE_USERS.value: [otto.id]}
    stack.settle()

    # four weeks on: the week's prompt, the trial check-in and the pulse (Monday 1 February, 09:00 in Berlin)
    stack.clock.set(datetime(2027, 2, 1, 7, 50, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=30))
    with stack.session_factory() as s:
        week = s.scalars(
            select(PairWeek)
            .where(PairWeek.pair_id == ids["pair_a"], PairWeek.status == "open")
            .order_by(PairWeek.number.desc())
        ).first()
        assert week is not None, "no week prompt for pair A"
        ids["week"] = week.id
        ids["trial"] = s.scalars(select(TrialCheck.id).where(TrialCheck.pair_id == ids["pair_a"])).one()
        ids["poll"] = s.scalars(select(PollRound.id).order_by(PollRound.id.desc())).first()
        ids["metric"] = s.scalars(select(Metric.id)).one()
    assert ids["poll"] is not None
    with stack.session_factory() as s:  # pair A's live sessions: one accepted, and three slots proposed after it
        now = stack.clock.now()
        tandem = tandem_of(s, s.get(Pair, ids["pair_a"]))
        first = live.propose(s, tandem=tandem, now=now)
        assert isinstance(first, list)
        alma_row = s.get(Participant, ids["participants"][alma.id])
        assert live.accept(s, participant=alma_row, session_id=first[0].id, weekly=True, now=now).message
        ids["live_accepted"] = first[0].id
        again = live.propose(s, tandem=tandem_of(s, s.get(Pair, ids["pair_a"])), now=now)
        assert isinstance(again, list)
        ids["live_slot"] = again[0].id
    views[ID.RHYTHM_ANSWER_MODAL] = opened(stack, alma, ID.RHYTHM_ANSWER, str(ids["week"]))
    submit[ID.RHYTHM_ANSWER_MODAL] = {ID.RHYTHM_ANSWER_TEXT.value: ANSWER}
    assert not alma.submit(views[ID.RHYTHM_ANSWER_MODAL]["id"], submit[ID.RHYTHM_ANSWER_MODAL]).body
    views[ID.RHYTHM_AGREED_MODAL] = opened(stack, alma, ID.RHYTHM_AGREED, str(ids["week"]))
    submit[ID.RHYTHM_AGREED_MODAL] = {ID.RHYTHM_HOMEWORK.value: ANSWER, ID.RHYTHM_NEXT_STEP.value: ANSWER}
    views[ID.RHYTHM_CANCEL_MODAL] = opened(stack, alma, ID.RHYTHM_CANCEL, str(ids["week"]))
    submit[ID.RHYTHM_CANCEL_MODAL] = {}
    views[ID.RHYTHM_MOVE_MODAL] = opened(stack, alma, ID.RHYTHM_MOVE, str(ids["week"]))
    submit[ID.RHYTHM_MOVE_MODAL] = {ID.RHYTHM_MOVE_TO.value: "2027-02-10"}
    views[ID.RHYTHM_CARD_MODAL] = opened(stack, alma, ID.RHYTHM_CARD, str(ids["week"]))
    submit[ID.RHYTHM_CARD_MODAL] = {ID.RHYTHM_CARD_PICK.value: "tool_swap"}
    with stack.session_factory() as s:  # Alma was asked to prepare the next week
        number = s.get(PairWeek, ids["week"]).number + 1
        planned = s.scalars(
            select(WeekPrep).where(WeekPrep.pair_id == ids["pair_a"], WeekPrep.participant_id == pid[alma.id])
        ).all()
        prep = next((p for p in planned if p.week_number == number), None)
        if prep is None:
            prep = WeekPrep(pair_id=ids["pair_a"], week_number=number, participant_id=pid[alma.id])
            s.add(prep)
        prep.asked_at = prep.due_at = stack.clock.now()
        s.commit()
        ids["prep"] = prep.id
    views[ID.PREP_MODAL] = opened(stack, alma, ID.PREP_OPEN, str(ids["prep"]))
    submit[ID.PREP_MODAL] = {ID.PREP_BRING.value: ANSWER, ID.PREP_NEED.value: ANSWER}
    views[ID.METRIC_LOG_MODAL] = opened(stack, alma, ID.METRIC_LOG, f"pair:{ids['pair_a']}")
    submit[ID.METRIC_LOG_MODAL] = {ID.METRIC_WHICH.value: str(ids["metric"]), ID.METRIC_VALUE.value: "3"}
    assert not alma.submit(views[ID.METRIC_LOG_MODAL]["id"], submit[ID.METRIC_LOG_MODAL]).json().get("errors")
    views[ID.POLL_MODAL] = opened(stack, alma, ID.POLL_OPEN, str(ids["poll"]))
    submit[ID.POLL_MODAL] = {ID.POLL_MOOD.value: "4"}

    # the retro after week 4 (Thursday 10:00 in Berlin): both fill it in, Alma with a quote
    stack.clock.set(datetime(2027, 2, 4, 8, 50, tzinfo=UTC))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=20))
    ids["retro"] = _one(stack, select(Retro.id).where(Retro.pair_id == ids["pair_a"]))
    assert ids["retro"] is not None
    form = {
        ID.RETRO_WENT_WELL.value: RETRO,
        ID.RETRO_LEARNED.value: RETRO,
        ID.RETRO_CHANGE.value: RETRO,
        ID.RETRO_TALK_SHARE.value: "4",
        ID.RETRO_QUOTE.value: QUOTE,
    }
    views[ID.RETRO_MODAL] = opened(stack, alma, ID.RETRO_OPEN, str(ids["retro"]))
    assert not alma.submit(views[ID.RETRO_MODAL]["id"], form).body
    submit[ID.RETRO_MODAL] = form
    stack.settle()

    # Alma's follow-up question, as the clock writes it 30 days after a pair ends: only she may answer it
    with stack.session_factory() as s:
        now = stack.clock.now()
        followup = FollowUp(
            pair_id=ids["pair_a"],
            program_id=program_id,
            participant_id=ids["participants"][alma.id],
            days=30,
            asked_at=now,
            closes_at=now + timedelta(days=14),
            quote_ok=False,
        )
        s.add(followup)
        s.commit()
        ids["followup"] = followup.id
    views[ID.FOLLOWUP_MODAL] = opened(stack, alma, ID.FOLLOWUP_OPEN, str(ids["followup"]))
    submit[ID.FOLLOWUP_MODAL] = {ID.FOLLOWUP_ANSWER.value: "yes", ID.FOLLOWUP_TEXT.value: ANSWER}

    with stack.session_factory() as s:
        ids["goal"] = s.scalars(select(Goal.id).where(Goal.pair_id == ids["pair_a"])).first()
        ids["note"], ids["note_program"], ids["note_hosts"] = s.scalars(
            select(Note.id).where(Note.pair_id == ids["pair_a"]).order_by(Note.id)
        ).all()[:3]
        ids["version"] = s.scalars(
            select(AgreementVersion.id).where(AgreementVersion.agreement_id == ids["agreement"])
        ).all()[-1]
        ids["retro_answer"] = s.scalars(select(RetroAnswer.id).where(RetroAnswer.retro_id == ids["retro"])).first()
        ids["escalation"] = s.scalars(select(Escalation.id)).one()
        ids["card"] = s.scalars(select(LearningCard.id)).one()
        alma_kit = s.scalars(
            select(KickoffKit).join(Participant).where(Participant.slack_user_id == alma.id)
        ).one()  # the kick-off kit Alma got when pair A was introduced: only she may mark its lessons
        ids["kit"] = f"{alma_kit.id}:{LESSONS[alma_kit.side][0]}"
        enrollment = {
            e.participant_id: e.id for e in s.scalars(select(Enrollment).where(Enrollment.program_id == program_id))
        }
        pid = {p.slack_user_id: p.id for p in s.scalars(select(Participant))}
        ids["enrollment_cleo"] = enrollment[pid[cleo.id]]
        ids["enrollment_cato"] = enrollment[pid[cato.id]]
        ids["participants"] = pid
    assert None not in ids.values(), ids

    # modals hosts open (their callback's private_metadata names the program, the round, the escalation)
    for action_id, callback_id in (
        (ID.PROGRAM_EDIT, ID.PROGRAM_MODAL),
        (ID.AGREEMENT_TEMPLATE, ID.AGREEMENT_TEMPLATE_MODAL),
        (ID.RETRO_SETTINGS, ID.RETRO_SETTINGS_MODAL),
        (ID.POLL_SETTINGS, ID.POLL_SETTINGS_MODAL),
        (ID.PROGRAM_NOTICE, ID.NOTICE_MODAL),
        (ID.KIT_TEXTS, ID.KIT_TEXTS_MODAL),
        (ID.CIRCLE_SETTINGS, ID.CIRCLE_MODAL),
        (ID.MATCH_WEIGHTS, ID.MATCH_WEIGHTS_MODAL),
    ):
        views[callback_id] = opened(stack, hanna, action_id, str(program_id), channel=channel)
    submit[ID.PROGRAM_MODAL] = {ID.PROGRAM_NAME.value: "Renamed by someone"}
    submit[ID.AGREEMENT_TEMPLATE_MODAL] = {ID.AGREEMENT_F_AGENDA.value: "An agenda nobody asked for"}
    submit[ID.RETRO_SETTINGS_MODAL] = {ID.RETRO_EVERY.value: "2"}
    submit[ID.KIT_TEXTS_MODAL] = {ID.KIT_TEXT_EN_ASK.value: "A lesson nobody asked for"}
    submit[ID.CIRCLE_MODAL] = {ID.CIRCLE_MODE.value: "channels"}
    submit[ID.POLL_SETTINGS_MODAL] = {ID.POLL_THRESHOLD.value: "3"}
    submit[ID.NOTICE_MODAL] = {
        ID.NOTICE_CONTROLLER.value: "Someone Else GmbH",
        ID.NOTICE_CONTACT.value: "nobody@example.com",
        ID.NOTICE_BASIS.value: "consent",
    }
    submit[ID.SPEED_MODAL] = {}
    submit[ID.MATCH_WEIGHTS_MODAL] = {ID.MATCH_W_TOPICS.value: "9"}
    views[ID.ESCALATION_ANSWER_MODAL] = opened(
        stack, hanna, ID.ESCALATION_ANSWER, str(ids["escalation"]), channel=channel
    )
    submit[ID.ESCALATION_ANSWER_MODAL] = {ID.ESCALATION_ANSWER_TEXT.value: "Not a host's answer"}
    with stack.session_factory() as s:
        program = s.get(Program, program_id)
        metric = s.get(Metric, ids["metric"])
        assert program is not None and metric is not None
        views[ID.COHORT_ALUMNI_MODAL] = cohort_blocks.alumni_modal(
            "en", program=program, path="Pilot", alumni={alma.id: "Alma"}
        )
        host_log = impact_blocks.log_modal(
            "en", scope=f"host:{program_id}", program=PROGRAM, metrics=[metric], today=date(2027, 2, 4), pair=False
        )
    submit[ID.COHORT_ALUMNI_MODAL] = {ID.COHORT_ALUMNI_PICK.value: [alma.id]}
    views["host:" + ID.METRIC_LOG_MODAL] = host_log
    submit["host:" + ID.METRIC_LOG_MODAL] = {ID.METRIC_WHICH.value: str(ids["metric"]), ID.METRIC_VALUE.value: "3"}
    # Tess hosts Tandem in another workspace: a host there, nobody here
    tess = persona(stack, "Tess", is_admin=True)
    TEAMS[tess.id] = OTHER_TEAM
    tess_channel = stack.sandbox.create_channel("other-hosts", is_private=True, members=[tess.id])
    stack.sandbox.invite(tess_channel, stack.sandbox.bot_user_id, inviter=tess.id)
    assert slash(stack, tess, "admin setup", channel=tess_channel).ok
    with stack.session_factory() as s:
        other = s.scalars(select(Workspace).where(Workspace.team_id == OTHER_TEAM)).one()
        assert other.admin_channel_id == tess_channel and tess.id in other.admin_members
    ids["tess_channel"] = tess_channel
    # Cora co-hosts another program from the same admin channel: program A is none of hers
    create_program(stack, hanna, channel, **{ID.PROGRAM_NAME.value: OTHER_PROGRAM})
    cora = persona(stack, "Cora")
    stack.sandbox.invite(channel, cora.id, inviter=hanna.id)
    assert hanna.slash(f"admin hosts {OTHER_PROGRAM} cohost <@{cora.id}|cora>", channel_id=channel).ok
    stack.settle()
    # a private channel of Otto's with Tandem in it, where he tries to make himself a host
    otto_channel = stack.sandbox.create_channel("otto-hosts", is_private=True, members=[otto.id])
    stack.sandbox.invite(otto_channel, stack.sandbox.bot_user_id, inviter=otto.id)
    ids["otto_channel"] = otto_channel
    views[ID.MATCH_SWAP_MODAL] = matching_blocks.swap_modal("en", round_id=ids["round"], program_name=PROGRAM)
    # the hosts' org-chart import, with a file a host uploaded: nobody else may import it, nor anything
    hanna.slash("admin orgchart", channel_id=channel)
    views[ID.ORGCHART_MODAL] = hanna.open_views()[-1]
    chart = f"{alma.id},{arne.id}\n".encode()
    submit[ID.ORGCHART_MODAL] = {ID.ORGCHART_FILE.value: [stack.sandbox.upload_as(hanna.id, "chart.csv", chart)]}
    submit[ID.MATCH_SWAP_MODAL] = {ID.MATCH_SWAP_PERSON.value: alma.id, ID.MATCH_SWAP_WITH.value: bela.id}
    # the interview step Cleo is at: its modal
    views[ID.INTERVIEW_MODAL] = _interview_modal(stack, cleo, ids["enrollment_cleo"])
    submit[ID.INTERVIEW_MODAL] = {}
    views[ID.NOTE_MODAL] = opened(stack, alma, ID.NOTE_ADD, str(ids["pair_a"]))
    submit[ID.NOTE_MODAL] = {ID.NOTE_TEXT.value: NOTE + " again"}
    views[ID.CARD_MODAL] = opened(stack, alma, ID.CARD_EDIT, str(ids["card"]))
    submit[ID.CARD_MODAL] = {ID.CARD_TITLE.value: CARD + " edited"}
    # Hugo was a host and opened the program's modal; then he left the admin channel
    views["hugo:" + ID.PROGRAM_MODAL] = opened(stack, hugo, ID.PROGRAM_EDIT, str(program_id), channel=channel)
    stack.sandbox.leave(channel, hugo.id)
    stack.settle()
    for p in (*people.values(), hanna, otto, cleo, cato, hugo, cora):
        for view in p.open_views():
            p.close(view["id"])
    return World(
        stack=stack,
        channel=channel,
        group_a=group_a,
        people={
            **{k.lower(): v for k, v in people.items()},
            **{"hanna": hanna, "otto": otto, "cleo": cleo, "cato": cato, "tess": tess, "hugo": hugo, "cora": cora},
        },
        ids=ids,
        views=views,
        submit=submit,
    )


def _interview_modal(stack: LocalStack, cleo: Persona, enrollment_id: int) -> dict[str, Any]:
    """Cleo goes through her interview's first steps until one opens a modal; that modal."""
    for _ in range(4):
        message = next(
            (m for m in reversed(cleo.dm_messages()) if ID.INTERVIEW_OPEN.value in json.dumps(m.get("blocks"))),
            None,
        )
        if message is not None:
            cleo.click(ID.INTERVIEW_OPEN, message=message)
            return cleo.open_views()[-1]
        step = next(m for m in reversed(cleo.dm_messages()) if ID.INTERVIEW_STEP.value in json.dumps(m.get("blocks")))
        for action in (ID.INTERVIEW_SETTINGS_OK, ID.INTERVIEW_ROLE_DIGITAL):
            if action.value in json.dumps(step.get("blocks")):
                cleo.click(action, message=step)
                stack.settle()
                break
    raise AssertionError(f"no interview modal for enrollment {enrollment_id}")


# -- one stack per backend ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(database_url: str, engine: Engine) -> Iterator[World]:
    stack = make_stack(database_url).start()
    try:
        w = _build(stack)
        meta = reflected(engine)
        w.tables = [t for t in meta.sorted_tables if t.name not in BOOKKEEPING]
        w.baseline = _dump(engine, w.tables)
        yield w
        assert_calls_ok(stack)
    finally:
        stack.stop()
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


def _dump(engine: Engine, tables: list[Any]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in tables:
            columns = [c for c in table.columns if not (table.name == "workspace" and c.name in WORKSPACE_CACHE)]
            rows = conn.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(map(_plain, row)) for row in rows]
    return out


def _plain(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict | list) else value


def _changes(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, Any]:
    found = {}
    for name in after:
        old, new = set(before.get(name, [])), set(after[name])
        if old != new:
            found[name] = {"gone": sorted(old - new, key=repr)[:3], "new": sorted(new - old, key=repr)[:3]}
    return found


# -- the cases ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    surface: Surface
    name: str  # the matrix key: action_id, callback_id, command word, event type
    attacker: str  # a key of World.people
    value: str = ""  # a button's value, a command's arguments: "{pair_a}" is filled from World.ids
    view: str = ""  # for a view: the key of World.views whose modal is replayed
    channel: str = ""  # "admin", "group_a", "otto_channel", or the attacker's DM

    @property
    def id(self) -> str:
        variant = f"[{self.value}]" if self.value and self.surface is not Surface.ADMIN_COMMAND else ""
        view = f"[{self.view.split(':')[0]}]" if ":" in self.view else ""
        return f"{self.surface.value}:{self.name}{variant}{view}-as-{self.attacker}"


ADMIN_VALUES: dict[ID, str] = {
    ID.MATCH_APPROVE: "{round}",
    ID.MATCH_RERUN: "{round}",
    ID.MATCH_DISCARD: "{round}",
    ID.MATCH_SWAP: "{round}",
    ID.MATCH_LOCK: "[{round}, {proposal}]",
    ID.ESCALATION_ANSWER: "{escalation}",
    ID.RETRO_POST_QUOTE: "{retro_answer}",
    ID.PRIVACY_REMOVE: "{arne_user}",  # Alma would remove her own partner
}
PAIR_VALUES: dict[ID, str] = {
    ID.AGREEMENT_ACCEPT: "{version}",
    ID.AGREEMENT_PROPOSE: "{agreement}",
    ID.GOAL_OPEN: "{pair_a}",
    **dict.fromkeys((ID.GOAL_PROGRESS_25, ID.GOAL_PROGRESS_50, ID.GOAL_PROGRESS_75, ID.GOAL_DONE), "{goal}"),
    ID.GOAL_REOPEN: "{goal}",
    ID.GOAL_ACCEPT: "{goal}",  # Alma's goal, proposed: Arne's to accept
    ID.GOAL_WITHDRAW: "{goal}",
    **dict.fromkeys((ID.RHYTHM_ANSWER, ID.RHYTHM_AGREED, ID.RHYTHM_CANCEL, ID.RHYTHM_MOVE, ID.RHYTHM_CARD), "{week}"),
    ID.NOTE_ADD: "{pair_a}",
    ID.LIVE_FIND: "{pair_a}",
    ID.LIVE_ACCEPT: "{live_slot}",
    ID.LIVE_ACCEPT_WEEKLY: "{live_slot}",
    ID.LIVE_CANCEL: "{live_accepted}",
    ID.NOTE_TOGGLE_RED: "{note}",
    ID.NOTE_SHARE_YES: "{note_hosts}",  # waiting for Arne's OK: nobody else may give it
    ID.NOTE_SHARE_NO: "{note_hosts}",
    ID.RETRO_OPEN: "{retro}",
    ID.RETRO_CONSENT_YES: "{retro_answer}",
    ID.RETRO_CONSENT_NO: "{retro_answer}",
    ID.METRIC_LOG: "pair:{pair_a}",
    ID.TRIAL_CONTINUE: "{trial}",
    ID.TRIAL_SWITCH: "{trial}",
}
SELF_VALUES: dict[ID, str] = {
    ID.INVITE_JOIN: "{enrollment_cato}",
    ID.INVITE_DECLINE: "{enrollment_cato}",
    ID.INTERVIEW_SETTINGS_OK: "{enrollment_cleo}:settings",
    ID.INTERVIEW_SETTINGS_CHANGE: "{enrollment_cleo}:settings",
    ID.INTERVIEW_ROLE_DIGITAL: "{enrollment_cleo}:role",
    ID.INTERVIEW_ROLE_CONTEXT: "{enrollment_cleo}:role",
    ID.INTERVIEW_ROLE_BOTH: "{enrollment_cleo}:role",
    ID.INTERVIEW_OPEN: "{enrollment_cleo}:about",
    ID.INTERVIEW_AGREE: "{enrollment_cleo}:agreement",
    ID.INTERVIEW_SKIP: "{enrollment_cleo}:avoid",
    ID.SPEED_YES: "{intro}",
    ID.SPEED_MAYBE: "{intro}",
    ID.SPEED_NO: "{intro}",
    ID.POLL_OPEN: "{poll}",
    ID.FOLLOWUP_OPEN: "{followup}",
    ID.CARD_PUBLISH: "{card}",
    ID.CARD_EDIT: "{card}",
    ID.CARD_DELETE: "{card}",
    ID.KIT_GOT_IT: "{kit}",
    ID.KIT_ASK: "{kit}",
    ID.PREP_OPEN: "{prep}",
}
# who may not: hosts' things are tried by a pair member and an outsider; a pair's by a member of the other pair, an
# outsider and a host (hosts see no pair's data); a person's by someone else in the program, an outsider and a host
# (the pulse: by Cleo, who was not asked)
ATTACKERS = {
    # Tess: a host of another workspace; Hugo: a host no more; Cora: co-host of another program, in the admin channel
    Access.ADMIN: ("alma", "otto", "tess", "hugo", "cora"),
    Access.PAIR: ("bela", "otto", "hanna"),
    Access.SELF: ("arne", "otto", "hanna"),
}
SELF_ATTACKERS = {ID.POLL_OPEN: ("cleo", "otto", "hanna"), ID.POLL_MODAL: ("cleo", "otto", "hanna")}
# views whose modal an entitled person opened; the OWN ones each attacker opens for themselves
OWN_VALUES = {ID.HELP_ME_MODAL.value: {ID.HELP_ME_TEXT.value: "zq8 Otto would like to talk"}}
OWN_VIEW_OPENER = {
    ID.PROFILE_MODAL: ID.PROFILE_EDIT,
    ID.HELP_ME_MODAL: ID.HELP_ME,
    ID.RHYTHM_PAUSE_MODAL: ID.RHYTHM_PAUSE,
}


MATRIX = routes.matrix()
ACTIONS = {ID(k[1]): cls for k, cls in MATRIX.items() if k[0] is Surface.ACTION}
VIEWS = {ID(k[1]): cls for k, cls in MATRIX.items() if k[0] is Surface.VIEW}
ADMIN_WORDS = [k[1] for k in MATRIX if k[0] is Surface.ADMIN_COMMAND]
WORDS = [k[1] for k in MATRIX if k[0] is Surface.COMMAND]


def _typed(word: str) -> str:
    """What to type for a route's word (any word the table doesn't name: one nobody routes)."""
    return "zq8nonsense" if word == routes.ANY else word


def _cases() -> list[Case]:
    cases: list[Case] = []
    values = {**ADMIN_VALUES, **PAIR_VALUES, **SELF_VALUES}
    for action_id, cls in ACTIONS.items():
        if cls in ATTACKERS:
            channel = "admin" if cls is Access.ADMIN else ""
            value = values.get(action_id, "{program}")
            for who in SELF_ATTACKERS.get(action_id, ATTACKERS[cls]):
                cases.append(Case(Surface.ACTION, action_id.value, who, value=value, channel=channel))
    for who in ATTACKERS[Access.ADMIN]:
        cases.append(Case(Surface.ACTION, ID.METRIC_LOG.value, who, value="host:{program}", channel="admin"))
    # notes others may read (the program's, the hosts') are still only the pair's to mark red
    for note in ("{note_program}", "{note_hosts}"):
        for who in ATTACKERS[Access.PAIR]:
            cases.append(Case(Surface.ACTION, ID.NOTE_TOGGLE_RED.value, who, value=note))
    for callback_id, cls in VIEWS.items():
        if cls in ATTACKERS:
            for who in SELF_ATTACKERS.get(callback_id, ATTACKERS[cls]):
                cases.append(Case(Surface.VIEW, callback_id.value, who, view=callback_id.value))
    for who in ATTACKERS[Access.ADMIN]:
        cases.append(Case(Surface.VIEW, ID.METRIC_LOG_MODAL.value, who, view="host:" + ID.METRIC_LOG_MODAL.value))
    # the very modal Hugo opened while he was a host
    cases.append(Case(Surface.VIEW, ID.PROGRAM_MODAL.value, "hugo", view="hugo:" + ID.PROGRAM_MODAL.value))
    for word in ADMIN_WORDS:
        for who in ATTACKERS[Access.ADMIN][:3]:
            cases.append(Case(Surface.ADMIN_COMMAND, word, who, value="admin " + _typed(word)))
    cases.append(Case(Surface.ADMIN_COMMAND, "setup", "otto", value="admin setup", channel="otto_channel"))
    # Cora names program A in every host command that takes a program, in the admin channel she works in
    for word in ADMIN_WORDS:
        if word not in ("setup", routes.ANY, "help", "new", "create"):
            cases.append(Case(Surface.ADMIN_COMMAND, word, "cora", value=f"admin {word} {PROGRAM}", channel="admin"))
    # a reply in pair A's week thread counts only from its partners
    for who in ATTACKERS[Access.PAIR]:
        cases.append(Case(Surface.EVENT, "message", who, value="thread", channel="group_a"))
    # about themselves: played by Otto, typed in pair A's group DM where a channel matters
    for word in WORDS:
        if word != "join":
            cases.append(Case(Surface.COMMAND, word, "otto", value=_typed(word), channel="group_a"))
    for word, args in (("note", "note zq8 typed in their DM"), ("notes", "notes red zq8"), ("notes", "notes program")):
        cases.append(Case(Surface.COMMAND, word, "otto", value=args, channel="group_a"))
    for action_id, cls in ACTIONS.items():
        if cls in (Access.OWN, Access.PUBLIC) and action_id is not ID.JOIN_PICK:
            cases.append(Case(Surface.ACTION, action_id.value, "otto", value="{pair_a}"))
    for callback_id in OWN_VIEW_OPENER:
        cases.append(Case(Surface.VIEW, callback_id.value, "otto", view=callback_id.value))
    cases.append(Case(Surface.VIEW, ID.CARD_MODAL.value, "otto", view="program:" + ID.CARD_MODAL.value))
    cases.append(Case(Surface.SHORTCUT, ID.NOTE_SHORTCUT.value, "otto"))
    cases.append(Case(Surface.EVENT, "app_home_opened", "otto"))
    # last: Otto is in the program after these
    cases.append(Case(Surface.ACTION, ID.JOIN_PICK.value, "otto", value="{program}"))
    cases.append(Case(Surface.COMMAND, "join", "otto", value="join"))
    return cases


CASES = _cases()
GUARDED = (Access.ADMIN, Access.SETUP, Access.PAIR, Access.SELF)


def _fill(template: str, ids: dict[str, Any]) -> str:
    return template.format(**ids) if template else ""


@dataclass
class Seen:
    """What one attempt showed the attacker, and everything Tandem sent anywhere meanwhile."""

    dms: list[dict[str, Any]]
    ack: str
    ephemeral: list[dict[str, Any]]
    views: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    responses: list[dict[str, Any]]

    def text(self) -> str:
        everything = [self.ack, self.ephemeral, self.views, self.calls, self.responses, self.dms]
        return json.dumps(everything, ensure_ascii=False)


def _play(w: World, case: Case) -> Seen:
    stack, sandbox = w.stack, w.stack.sandbox
    who = w.people[case.attacker]
    places = {"admin": w.channel, "group_a": w.group_a, "otto_channel": w.ids.get("otto_channel", "")}
    if case.attacker == "tess" and case.channel == "admin":
        places["admin"] = w.ids["tess_channel"]  # her own admin channel
    channel = places.get(case.channel, "")
    calls, posts, ephemeral = len(sandbox.calls), len(sandbox.response_url_posts), len(who.ephemeral_messages())
    views_before = {v["id"] for v in who.open_views()}
    dms = len(who.dm_messages())
    if case.surface is Surface.ACTION:
        delivery = act(stack, who, case.name, _fill(case.value, w.ids), channel=channel or None)
    elif case.surface in (Surface.COMMAND, Surface.ADMIN_COMMAND):
        if case.attacker == "tess" and case.surface is Surface.ADMIN_COMMAND:
            channel = w.ids["tess_channel"]
        delivery = slash(stack, who, _fill(case.value, w.ids), channel=channel or None)
    elif case.surface is Surface.VIEW:
        if case.name in {v.value for v in OWN_VIEW_OPENER}:
            spec = opened(stack, who, OWN_VIEW_OPENER[ID(case.name)], "")
        elif case.view.startswith("program:"):  # a new card for a program Otto is not in
            spec = copy.deepcopy(w.views[ID.CARD_MODAL])
            spec["private_metadata"] = json.dumps({"program_id": w.ids["program"]})
        else:
            spec = w.views[case.view]
        forged = sandbox.forge_view(who.id, spec)
        views_before.add(forged["id"])
        if case.name in {v.value for v in OWN_VIEW_OPENER}:
            values = OWN_VALUES.get(case.name, {})
        elif case.view.startswith("program:"):
            values = w.submit[ID.CARD_MODAL]
        else:
            values = w.submit.get(case.view) or w.submit.get(case.view.split(":")[-1], {})
        delivery = who.submit(forged["id"], values)
    elif case.surface is Surface.SHORTCUT:
        delivery = sandbox.send_interaction(
            {
                "type": "message_action",
                "callback_id": case.name,
                "trigger_id": sandbox.issue_trigger(who.id),
                "action_ts": sandbox.next_ts(),
                "user": {"id": who.id, "name": who.name, "username": who.name, "team_id": sandbox.team_id},
                "channel": {"id": who.dm, "name": "directmessage"},
                "message_ts": sandbox.next_ts(),
                "message": {"type": "message", "user": who.id, "text": "save this", "ts": sandbox.next_ts()},
                "response_url": sandbox.issue_response_url(who.dm, who.id),
            }
        )
    elif case.name == "message":  # a reply in pair A's week thread
        thread_ts = _one(stack, select(PairWeek.thread_ts).where(PairWeek.id == w.ids["week"]))
        delivery = sandbox.deliver_event(
            {
                "type": "message",
                "user": who.id,
                "text": "zq8 an answer that is not mine to give",
                "channel": w.group_a,
                "channel_type": "mpim",
                "ts": sandbox.next_ts(),
                "thread_ts": thread_ts or sandbox.next_ts(),
            }
        )
    else:
        delivery = who.open_home()
    assert delivery.ok, (delivery.status, delivery.body)
    if not (delivery.body or who.ephemeral_messages()[ephemeral:] or len(who.open_views()) > len(views_before)):
        stack.settle()  # an answer by DM goes through the outbox
    return Seen(
        dms=who.dm_messages()[dms:],
        ack=_texts(delivery),
        ephemeral=who.ephemeral_messages()[ephemeral:],
        views=[v for v in who.open_views() if v["id"] not in views_before],
        calls=sandbox.calls[calls:],
        responses=sandbox.response_url_posts[posts:],
    )


def _own_rows_dropped(w: World, dump: dict[str, list[tuple]], who: Persona) -> dict[str, list[tuple]]:
    """The dump without the rows that are the attacker's own (their participant row, enrollments, outbox DMs ...).
    Their participant ids are the one they had and the one they have now: after the forget-me button the first is
    a tombstone and they are somebody new to Tandem."""
    now = _one(w.stack, select(Participant.id).where(Participant.slack_user_id == who.id))
    pids = {w.ids["participants"].get(who.id), now} - {None}
    mine = {who.id, who.dm}
    out = {}
    for table in w.tables:
        names = [c.name for c in table.columns if not (table.name == "workspace" and c.name in WORKSPACE_CACHE)]
        keys = [i for i, n in enumerate(names) if n in ("participant_id", "author_id")]
        is_participant = table.name == "participant"
        out[table.name] = [
            row
            for row in dump[table.name]
            if not (
                # the hosts hear of it (help-me): in the admin channel, or by DM to the Tandem admin while a co-host
                # of another program is in the channel
                (table.name == "outbox" and (w.channel in row or w.people["hanna"].id in row))
                or mine & {v for v in row if isinstance(v, str)}
                or any(isinstance(v, str) and who.id in v for v in row)
                or any(row[i] in pids for i in keys)
                or (is_participant and row[names.index("id")] in pids)
            )
        ]
    return out


def _opened_for_target(view: dict[str, Any], value: str) -> bool:
    """A modal whose private_metadata names the thing the forged value named."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return False
    flat = json.dumps(meta)
    wanted = {value, *value.replace(":", " ").split()} - {"pair", "host", "settings", "role", "about", "agreement"}
    return any(f'": {v}' in flat or f'": "{v}"' in flat for v in wanted if v)


def _play_from_team(w: World, case: Case) -> Seen:
    with from_team(w.stack, w.people[case.attacker]):
        return _play(w, case)


def _params(cases: list[Case], *, by: Any) -> list[Any]:
    """The cases as parameters: on SQLite all of them; on PostgreSQL the first case of each route and of each ``by``
    (see the module's docstring)."""
    seen: set[Any] = set()
    params = []
    for case in cases:
        keys = {(case.surface, case.name), ("by", by(case))}
        params.append(pytest.param(case, id=case.id) if keys - seen else on_sqlite_only(case, id=case.id))
        seen |= keys
    return params


@pytest.mark.parametrize("case", _params(CASES, by=lambda c: c.attacker))
def test_refused_unchanged_and_nothing_shown(world: World, case: Case) -> None:
    _refused(world, case)


def _refused(w: World, case: Case, *, because: str | None = None) -> None:
    """Play ``case``: refused in words the attacker can read (``because`` among them), nothing changed, nothing of
    anyone else's shown."""
    cls = MATRIX[(case.surface, case.name)]
    problems = len(w.stack.sandbox.problems)
    who = w.people[case.attacker]
    after = None
    try:
        seen = _play_from_team(w, case)
        after = _dump(w.stack.engine, w.tables)
        guarded = cls in GUARDED or case.value.startswith("host:") or case.view.startswith(("host:", "program:"))
        if guarded or (case.surface is Surface.EVENT and case.name == "message"):
            assert _changes(w.baseline, after) == {}, "something changed"
        else:  # about themselves: nothing of anyone else changed
            mine_before, mine_after = _own_rows_dropped(w, w.baseline, who), _own_rows_dropped(w, after, who)
            assert _changes(mine_before, mine_after) == {}, "something of someone else changed"
        markers = (*MARKERS, PROGRAM, "Hanna") if case.attacker == "tess" else MARKERS
        if because is not None:  # a host no more: not even the program's name
            markers = (*MARKERS, PROGRAM)
        leaked = [m for m in markers if m in seen.text()]
        assert not leaked, f"{leaked} shown: {seen.text()[:2000]}"
        assert w.stack.sandbox.problems[problems:] == []
        assert all(post["ok"] for post in seen.responses), seen.responses
        if case.surface is Surface.EVENT:
            return
        homes = [c for c in seen.calls if c["method"] == "views.publish" and c["args"].get("user_id") == who.id]
        shown = [
            seen.ack,
            *(m.get("text") for m in seen.ephemeral),
            *(json.dumps(v) for v in seen.views),
            *homes,
            *seen.dms,
        ]
        assert any(shown), "no answer the person can read"
        if because is not None:
            assert because in seen.text(), f"not refused because {because!r}: {seen.text()[:1000]}"
        if guarded and case.surface is Surface.VIEW:
            answer = json.loads(seen.ack) if seen.ack else {}
            assert answer.get("response_action") in ("errors", "update"), f"the modal just closed: {seen.ack!r}"
            assert all(answer.get("errors", {}).values())
        if guarded and case.surface is Surface.ACTION:
            value = _fill(case.value, w.ids)
            entitled = [v["callback_id"] for v in seen.views if _opened_for_target(v, value)]
            assert not entitled, f"opened {entitled} on someone else's {value}"
    finally:
        # the next case starts from here: what was just read (only checks ran since), or read again after a failure
        w.baseline = after if after is not None else _dump(w.stack.engine, w.tables)
        for view in who.open_views():
            who.close(view["id"])


# -- the matrix is complete ----------------------------------------------------------------------------------------
class _Recorder:
    """Stands in for the Bolt app in ``register_all``: records what each listener is registered for."""

    installation_store = None

    def __init__(self) -> None:
        self.seen: set[tuple[Surface, str]] = set()

    def _on(self, surface: Surface):  # type: ignore[no-untyped-def]
        def register(key: Any, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
            assert isinstance(key, str), f"{surface} registered with a non-string matcher {key!r}"
            self.seen.add((surface, key))
            return lambda listener: listener

        return register

    def __getattr__(self, name: str) -> Any:
        surfaces = {
            "action": Surface.ACTION,
            "block_action": Surface.ACTION,
            "view": Surface.VIEW,
            "view_submission": Surface.VIEW,
            "shortcut": Surface.SHORTCUT,
            "global_shortcut": Surface.SHORTCUT,
            "message_shortcut": Surface.SHORTCUT,
            "options": Surface.OPTIONS,
            "block_suggestion": Surface.OPTIONS,
            "event": Surface.EVENT,
            "command": Surface.COMMAND,
        }
        if name in surfaces:
            return self._on(surfaces[name])
        if name in ("middleware", "error", "use"):
            return lambda listener: listener
        if name == "dispatch":
            return lambda request: None
        raise AttributeError(name)


def test_every_listener_comes_from_the_route_table() -> None:
    """Every listener the app registers is a route of ``bot.routes`` (one ``/tandem`` listener reads the words of the
    table), so every entry point has a class the adapter enforces; and every guarded one is played below by someone
    who may not use it."""
    from bot.handlers.adapter import register_all

    recorder = _Recorder()
    register_all(recorder, session_factory=None, clock=None)  # type: ignore[arg-type]
    routed = {key for key in MATRIX if key[0] not in (Surface.COMMAND, Surface.ADMIN_COMMAND)}
    assert recorder.seen == routed | {(Surface.COMMAND, "/tandem")}
    played = {(c.surface, c.name) for c in CASES}
    guarded = {key for key, cls in MATRIX.items() if cls in GUARDED}
    assert sorted(guarded - played) == []


def test_a_route_without_a_class_stops_the_app() -> None:
    """A route must have a class (or a class per scope), an id routed once, and the table a route for any other
    word: otherwise the app refuses to start."""
    from bot.handlers import adapter
    from bot.handlers.participants import home_help

    with pytest.raises(ValueError, match="no access class"):
        routes.Route(Surface.ACTION, ("x",), None, home_help)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no access class"):
        routes.Route(Surface.ACTION, ("x",), {"pair:": "pair"}, home_help)  # type: ignore[dict-item]
    twice = (*routes.ROUTES, routes.Route(Surface.ACTION, (ID.GOAL_DONE.value,), Access.PUBLIC, home_help))
    with pytest.raises(ValueError, match="routed twice"):
        adapter.register(_Recorder(), twice)  # type: ignore[arg-type]
    without_any = tuple(r for r in routes.ROUTES if routes.ANY not in r.ids)
    with pytest.raises(ValueError, match="any other"):
        adapter.register(_Recorder(), without_any)  # type: ignore[arg-type]
    scoped = routes.table()[(Surface.ACTION, ID.METRIC_LOG.value)]
    assert scoped.access_for("host:3") is Access.ADMIN
    assert scoped.access_for("pair:3") is Access.PAIR
    assert scoped.access_for("3") is None  # a scope the route doesn't know: refused


# -- while the admin channel is public: nobody is a host ---------------------------------------------------------------
PAUSED = "Host actions are paused"
# every host entry point once (as Alma plays it), by Hanna, a host until a workspace admin made the admin channel
# public, in the admin channel; the admin commands also by Mallory, who joined it then
UNSAFE_CASES = [
    Case(c.surface, c.name, who, value=c.value, view=c.view, channel="admin")
    for c in CASES
    if c.attacker == "alma"
    and (MATRIX[(c.surface, c.name)] is Access.ADMIN or c.value.startswith("host:") or c.view.startswith("host:"))
    for who in (("hanna", "mallory") if c.surface is Surface.ADMIN_COMMAND else ("hanna",))
]


@pytest.fixture(scope="module")
def public_channel(world: World) -> Iterator[World]:
    """The admin channel turned public (Slack sends no event), and Mallory joins it: from then on nobody is a host.
    Afterwards it is private again, without her."""
    stack, sandbox = world.stack, world.stack.sandbox
    mallory = persona(stack, "Mallory")
    world.people["mallory"] = mallory
    sandbox.set_private(world.channel, False)
    sandbox.invite(world.channel, mallory.id)  # member_joined_channel: Tandem looks at the channel again
    stack.settle()
    world.baseline = _dump(stack.engine, world.tables)
    try:
        yield world
    finally:
        sandbox.leave(world.channel, mallory.id)
        sandbox.set_private(world.channel, True)
        world.people["hanna"].slash("admin setup", channel_id=world.channel)  # asks Slack again at once
        stack.settle()


@pytest.mark.parametrize("case", _params(UNSAFE_CASES, by=lambda c: (c.surface, c.attacker)))
def test_no_host_while_the_admin_channel_is_public(public_channel: World, case: Case) -> None:
    _refused(public_channel, case, because=PAUSED)


def test_no_host_view_on_app_home_while_the_admin_channel_is_public(public_channel: World) -> None:
    hanna = public_channel.people["hanna"]
    assert hanna.open_home().ok
    home = json.dumps(hanna.home(), ensure_ascii=False)
    assert PROGRAM not in home and "zq7" not in home
    assert "Programs you host*: paused" in home
