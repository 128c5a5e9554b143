"""Topic paths with several cohorts, end to end: a closed program's card offers *Start the next cohort*; the
program modal comes prefilled with its setup, a new name and no start date; saving copies the setup and the
metrics' definitions (never people or values) and links the cohort to its path; the announcement offers its
alumni as co-hosts; only alumni can be picked; Tandem invites them into the admin channel, where they are hosts;
the impact dashboard compares the cohorts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.ids import ID
from bot.models import Metric, MetricValue, Program
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.stack import LocalStack
from bot.services import impact
from tests.helpers import POLL_PEOPLE, admin_channel, create_program, match, onboard, persona


def _with(messages: list[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
    for message in reversed(messages):
        if any(el.get("action_id") == action_id for _, el in iter_action_elements(message.get("blocks") or [])):
            return message
    return None


def _block(view: dict[str, Any], block_id: ID) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id.value)


def test_next_cohort_copies_the_setup_and_alumni_become_co_hosts(stack: LocalStack) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: "2027-01-04", ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, POLL_PEOPLE)
    match(stack, hanna, channel)
    with stack.session_factory() as s:
        first = s.scalars(select(Program)).one()
        first.agreement_template = {"confidentiality": "What is said in the tandem stays in the tandem."}
        first.poll_threshold, first.retro_every_weeks = 6, 3
        metric = Metric(
            program_id=first.id,
            name="Approval lead time",
            unit="days",
            baseline=12,
            target_high=5,
            reporter="host",
            created_by=hanna.id,
            created_at=stack.clock.now(),
        )
        s.add(metric)
        s.flush()
        assert first.start_date is not None
        s.add(
            MetricValue(
                metric_id=metric.id, value=9, day=first.start_date, logged_by=hanna.id, created_at=stack.clock.now()
            )
        )
        s.commit()
        first_id, fields = first.id, list(first.learning_fields)

    # the card of the program (closed now) offers the next cohort
    hanna.slash("admin programs", channel_id=channel)
    stack.settle()
    card = _with(hanna.ephemeral_messages(), ID.PROGRAM_CLOSE)
    assert card is not None
    hanna.click(ID.PROGRAM_CLOSE, message=card)
    stack.settle()
    hanna.slash("admin programs", channel_id=channel)
    stack.settle()
    card = _with(hanna.ephemeral_messages(), ID.COHORT_NEXT)
    assert card is not None
    hanna.click(ID.COHORT_NEXT, message=card)
    stack.settle()
    view = hanna.open_views()[-1]
    assert _block(view, ID.PROGRAM_NAME)["element"]["initial_value"] == "Pilot 2027 · Cohort 2"
    assert "initial_date" not in _block(view, ID.PROGRAM_START)["element"]
    assert _block(view, ID.PROGRAM_FIELDS)["element"]["initial_value"] == "\n".join(fields)
    # a start date is needed: the modal stays open, nothing is created
    missing = hanna.submit(view["id"], {ID.PROGRAM_START.value: None}).json()
    assert missing["response_action"] == "errors" and ID.PROGRAM_START.value in missing["errors"]
    with stack.session_factory() as s:
        assert len(s.scalars(select(Program)).all()) == 1
    hanna.submit(view["id"], {ID.PROGRAM_START.value: "2027-04-05"})
    stack.settle()
    with stack.session_factory() as s:
        second = s.scalars(select(Program).where(Program.id != first_id)).one()
        assert second.name == "Pilot 2027 · Cohort 2" and second.series_id == first_id
        assert second.agreement_template == {"confidentiality": "What is said in the tandem stays in the tandem."}
        assert (second.poll_threshold, second.retro_every_weeks) == (6, 3)
        metrics = s.scalars(select(Metric).where(Metric.program_id == second.id)).all()
        assert [(m.name, m.baseline, m.target_high) for m in metrics] == [("Approval lead time", 12, 5)]
        assert s.scalars(select(MetricValue).where(MetricValue.metric_id == metrics[0].id)).all() == []

    announcement = _with(stack.sandbox.messages(channel), ID.COHORT_ALUMNI)
    assert announcement is not None
    text = json.dumps(announcement, ensure_ascii=False)
    assert "the next cohort after *Pilot 2027*" in text and "6 alumni" in text

    # alumni as co-hosts: only the path's alumni are offered; picking none is refused
    hanna.click(ID.COHORT_ALUMNI, message=announcement)
    stack.settle()
    alumni_view = hanna.open_views()[-1]
    offered = {o["value"] for o in _block(alumni_view, ID.COHORT_ALUMNI_PICK)["element"]["options"]}
    assert offered == {p.id for p in people.values()}
    empty = hanna.submit(alumni_view["id"], {ID.COHORT_ALUMNI_PICK.value: []}).json()
    assert empty["errors"] == {ID.COHORT_ALUMNI_PICK.value: "Please pick at least one person."}
    ana, lea = people["Ana"], people["Lea"]
    assert ana.slash("admin programs", channel_id=channel).ok
    stack.settle()
    assert _with(ana.ephemeral_messages(), ID.COHORT_NEXT) is None  # not a host yet
    hanna.submit(alumni_view["id"], {ID.COHORT_ALUMNI_PICK.value: [ana.id, lea.id]})
    stack.settle()
    invites = [c for c in stack.sandbox.calls if c["method"] == "conversations.invite"]
    assert len(invites) == 1 and set(invites[0]["args"]["users"].split(",")) == {ana.id, lea.id}
    assert {ana.id, lea.id} <= set(stack.sandbox.conversation(channel)["members"])
    assert any(
        "co-host" in json.dumps(m) or "mitzubetreuen" in json.dumps(m, ensure_ascii=False) for m in ana.dm_messages()
    )
    # now Ana is a host: the admin commands work for her
    ana.slash("admin programs", channel_id=channel)
    stack.settle()
    assert _with(ana.ephemeral_messages(), ID.COHORT_NEXT) is not None

    # the dashboard of the new cohort compares the path's cohorts
    hanna.slash("admin impact Pilot 2027 · Cohort 2", channel_id=channel)
    stack.settle()
    board = json.dumps(hanna.ephemeral_messages()[-1], ensure_ascii=False)
    assert "Cohorts of this topic path" in board and "Pilot 2027: matched 6" in board
    assert "Pilot 2027 · Cohort 2 (this one): matched 0" in board
    # the program list narrowed by a part of a name
    hanna.slash("admin programs cohort 2", channel_id=channel)
    stack.settle()
    narrowed = hanna.ephemeral_messages()[-1]
    assert narrowed["text"] == "Pilot 2027 · Cohort 2"
    # Ana co-hosts the new cohort only: its dashboard opens for her, without the earlier cohort's figures
    ana.slash("admin impact Pilot 2027 · Cohort 2", channel_id=channel)
    stack.settle()
    hers = json.dumps(ana.ephemeral_messages()[-1], ensure_ascii=False)
    assert "Pilot 2027 · Cohort 2" in hers and "doesn't exist" not in hers
    assert "Cohorts of this topic path" not in hers and "matched 6" not in hers
    with stack.session_factory() as s:  # nor in the digest for the admin channel, which she reads too
        second = s.scalars(select(Program).where(Program.name == "Pilot 2027 · Cohort 2")).one()
        assert impact.dashboard(s, second, now=stack.clock.now()).cohorts == []
