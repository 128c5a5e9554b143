"""Data rights end to end: ``/tandem privacy`` says what is stored, who sees it and how long; ``/tandem
export-my-data`` sends everything stored about the person (JSON and Markdown) and no one else's private data, and
the stored copy of the upload is emptied once sent; ``/tandem forget-me`` deletes the person's personal data and
free text everywhere — a test reads every table afterwards and finds none of it — while the anonymous counts stay
and the partner's own words stay; a host removes a participant the same way, and nobody else can."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.ids import ID
from bot.models import (
    Agreement,
    AgreementVersion,
    Cancellation,
    Enrollment,
    EnrollmentStatus,
    Escalation,
    Goal,
    LearningCard,
    Metric,
    MetricValue,
    Note,
    OutboxMessage,
    Pair,
    PairStatus,
    PairWeek,
    Participant,
    Program,
    ReportingLine,
    Retro,
    RetroAnswer,
    SpeedIntro,
    SpeedRound,
    WeekAnswer,
    Workspace,
)
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import impact, privacy
from tests.helpers import (
    PRIVACY_PEOPLE,
    PRIVACY_START,
    admin_channel,
    create_program,
    onboard,
    pair_of,
    participant_of,
    persona,
    privacy_setup,
    reply_in_thread,
)

WEEK_1 = datetime(2027, 1, 11, 7, 50, tzinfo=UTC)  # just before the first prompts (09:00 Berlin on Monday)
# Ana's words, each with a marker nothing else contains
ANA = {
    "private": "zq-ana-private-note",
    "pair": "zq-ana-pair-note",
    "hosts": "zq-ana-hosts-note",
    "program": "zq-ana-program-note",
    "red": "zq-ana-red-note",
    "topic": "zq-ana-secret-topic",
    "answer": "zq-ana-week-answer",
    "goal": "zq-ana-goal-text",
    "agreed": "zq-ana-agreed-homework",
    "proposal": "zq-ana-agreement-change",
    "retro": "zq-ana-retro-learned",
    "quote": "zq-ana-retro-quote",
    "card": "zq-ana-card-text",
    "help": "zq-ana-help-request",
}
PARTNER = {"pair": "zq-partner-pair-note", "private": "zq-partner-private-note", "answer": "zq-partner-answer"}


def _last(p: Persona) -> str:
    return json.dumps(p.ephemeral_messages()[-1], ensure_ascii=False)


def _ana_writes(stack: LocalStack, ana: Persona, partner: Persona) -> None:
    """Ana's words through Tandem's own commands and thread, and the rest of what a program stores about her."""
    for flag, marker in (("#private", "private"), ("", "pair"), ("#hosts", "hosts"), ("#program", "program")):
        assert ana.slash(f"note {ANA[marker]} {flag}".strip()).ok
    assert ana.slash(f"note {ANA['red']} #red").ok
    assert ana.slash(f"note [{ANA['topic']}] about the topic #hosts").ok
    assert ana.slash(f"notes red {ANA['topic']}").ok
    assert partner.slash(f"note {PARTNER['pair']}").ok
    assert partner.slash(f"note {PARTNER['private']} #private").ok
    stack.settle()
    # week 1: both answer in the pair's thread
    stack.advance(WEEK_1 - stack.clock.now())
    stack.advance(timedelta(hours=2))
    reply_in_thread(stack, ana, ANA["answer"])
    reply_in_thread(stack, partner, PARTNER["answer"])
    now = stack.clock.now()
    with stack.session_factory() as s:
        me = participant_of(s, ana)
        pair, other = pair_of(s, me)
        program = s.get(Program, pair.program_id)
        week = s.scalars(select(PairWeek).where(PairWeek.pair_id == pair.id)).first()
        week.agreed_homework, week.agreed_by, week.agreed_at = ANA["agreed"], me.id, now
        s.add(Goal(pair_id=pair.id, position=0, text=ANA["goal"], created_by=me.id, created_at=now, updated_at=now))
        agreement = s.scalars(select(Agreement).where(Agreement.pair_id == pair.id)).one()
        s.add(
            AgreementVersion(
                agreement_id=agreement.id,
                number=9,
                sections={"confidentiality": ANA["proposal"]},
                note=ANA["proposal"] + " note",
                proposed_by=me.id,
                created_at=now,
            )
        )
        retro = Retro(pair_id=pair.id, program_id=program.id, cycle=1, last_week=1, opened_at=now)
        s.add(retro)
        s.flush()
        s.add(
            RetroAnswer(
                retro_id=retro.id,
                participant_id=me.id,
                went_well="fine",
                learned=ANA["retro"],
                change="less",
                talk_share=3,
                quote=ANA["quote"],
                author_consent_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        s.add(
            LearningCard(
                program_id=program.id,
                participant_id=me.id,
                title="What I learned",
                text=ANA["card"],
                created_at=now,
                updated_at=now,
            )
        )
        s.add(Cancellation(pair_id=pair.id, participant_id=me.id, week_number=2, late=True, created_at=now))
        s.add(
            Escalation(
                workspace_id=me.workspace_id,
                participant_id=me.id,
                pair_id=pair.id,
                program_id=program.id,
                shared={"text": ANA["help"]},
                created_at=now,
            )
        )
        speed = SpeedRound(program_id=program.id, status="closed", created_by=ana.id, created_at=now, closes_at=now)
        s.add(speed)
        s.flush()
        s.add(SpeedIntro(round_id=speed.id, participant_id=me.id, candidate_id=other.id, answer="yes"))
        s.add(SpeedIntro(round_id=speed.id, participant_id=other.id, candidate_id=me.id, answer="no"))
        metric = Metric(
            program_id=program.id,
            name="Days to first test",
            unit="days",
            baseline=30,
            reporter="pair",
            created_by=stack.sandbox.bot_user_id,
            created_at=now,
        )
        s.add(metric)
        s.flush()
        s.add(
            MetricValue(
                metric_id=metric.id, pair_id=pair.id, value=12, day=date(2027, 1, 11), logged_by=ana.id, created_at=now
            )
        )
        # someone else's lists name her; she named a manager and someone to avoid; the org chart has her
        jon = s.scalars(select(Participant).where(Participant.display_name == "Jonathan Wibble")).one()
        jon.avoid = [ana.id]
        me.avoid = [jon.slack_user_id]
        for person, manager, source in (
            (jon.slack_user_id, ana.id, "interview"),  # Jon says she is his manager
            (ana.id, "U0ANASBOSS", "interview"),  # she says who hers is
            (ana.id, "U0ANASLEAD", "orgchart"),
            ("U0HERREPORT", ana.id, "orgchart"),
        ):
            s.add(
                ReportingLine(
                    workspace_id=program.workspace_id,
                    person_slack_id=person,
                    manager_slack_id=manager,
                    source=source,
                    created_at=now,
                )
            )
        s.commit()


def test_privacy_says_what_is_stored_who_sees_it_and_how_long(stack: LocalStack) -> None:
    world = privacy_setup(stack)
    ana = world["ana"]
    # /tandem privacy: what, who, how long (the program's retention), and the two rights
    assert ana.slash("privacy").ok
    overview = _last(ana)
    assert "Was Tandem speichert" in overview and "Pilot 2027" in overview and "12 Monate" in overview
    assert ID.PRIVACY_EXPORT.value in overview and ID.PRIVACY_FORGET.value in overview
    # someone Tandem never met is told so, and stays unknown
    stranger = persona(stack, "Stranger")
    assert stranger.slash("privacy").ok
    assert "nothing about you" in _last(stranger)
    with stack.session_factory() as s:
        assert s.scalar(select(func.count()).where(Participant.slack_user_id == stranger.id)) == 0


def test_export_and_forget_me_leave_nothing_of_the_person(stack: LocalStack, engine: Engine) -> None:
    world = privacy_setup(stack)
    ana, partner, hanna = world["ana"], world["partner"], world["hanna"]
    _ana_writes(stack, ana, partner)

    # -- /tandem export-my-data: everything about her, the partner's private note not
    assert ana.slash("export-my-data").ok
    stack.settle()
    files = {f["name"]: f for f in stack.sandbox.files.values() if f["name"].startswith("tandem-my-data")}
    [json_file] = [f for n, f in files.items() if n.endswith(".json")]
    [md_file] = [f for n, f in files.items() if n.endswith(".md")]
    assert json_file["shares"][0]["channel"] == stack.sandbox.dm_channel(ana.id)
    data = json.loads(json_file["content"].decode())
    markdown = md_file["content"].decode()
    for text in (json.dumps(data, ensure_ascii=False), markdown):
        for marker in ANA.values():
            assert marker in text, marker
        assert PARTNER["pair"] in text and PARTNER["answer"] not in text  # the partner's answer is theirs
        assert PARTNER["private"] not in text
        assert "Anabel Zwirnfaden" in text
    assert data["profile"]["self_description"] == "I am Anabel Zwirnfaden."
    # what she told Tandem in confidence, and the lines that name her manager (not whom she manages)
    with stack.session_factory() as s:
        jon_id = s.scalars(select(Participant.slack_user_id).where(Participant.display_name == "Jonathan Wibble")).one()
    assert data["profile"]["please_not_with"] == [jon_id]
    assert data["reporting_lines"] == [
        {"source": "interview", "manager": "U0ANASBOSS"},
        {"source": "orgchart", "manager": "U0ANASLEAD"},
    ]
    # the stored copy of the upload was emptied once Slack had it
    with stack.session_factory() as s:
        uploads = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("my-data:%"))).all()
        assert len(uploads) == 1 and uploads[0].status == "sent" and uploads[0].payload == {}

    with stack.session_factory() as s:
        program = s.scalars(select(Program)).one()
        before = impact.kpis(s, program, now=stack.clock.now())
    partner_dms = len(partner.dm_messages())

    # -- /tandem forget-me: the question, then the button
    assert ana.slash("forget-me").ok
    question = ana.ephemeral_messages()[-1]
    assert "Euer Tandem endet jetzt" in json.dumps(question, ensure_ascii=False)
    assert ana.click(ID.PRIVACY_FORGET, message=question).ok
    stack.settle()
    assert "Tandem hat deine Daten gelöscht" in _last(ana)
    assert "Tandem hat deine Daten gelöscht" in json.dumps(ana.home(), ensure_ascii=False)

    # every table, every column: nothing of her
    needles = [ana.id, "Anabel Zwirnfaden", "I am Anabel", *ANA.values()]
    assert privacy.traces(engine, needles) == []
    # her reporting lines are gone; where she was someone's manager a placeholder keeps the line above apart
    with stack.session_factory() as s:
        lines = {(r.person_slack_id, r.source): r.manager_slack_id for r in s.scalars(select(ReportingLine))}
    assert set(lines) == {(jon_id, "interview"), ("U0HERREPORT", "orgchart")}
    assert lines[(jon_id, "interview")].startswith("forgotten-") and lines[("U0HERREPORT", "orgchart")].startswith(
        "forgotten-"
    )
    assert lines[(jon_id, "interview")] == lines[("U0HERREPORT", "orgchart")]  # one placeholder for one person
    # the partner's own words stay, the partner is told in neutral words and is first in line
    assert privacy.traces(engine, [PARTNER["pair"], PARTNER["private"], PARTNER["answer"]]) != []
    stack.advance(timedelta(hours=12))
    news = partner.dm_messages()[partner_dms:]
    assert any("has left" in m.get("text", "") or "verlassen" in m.get("text", "") for m in news)
    assert all("Anabel" not in json.dumps(m, ensure_ascii=False) for m in news)
    with stack.session_factory() as s:
        other = participant_of(s, partner)
        assert other.waitlisted_at is not None
        pair = s.scalars(
            select(Pair).where((Pair.participant_a_id == other.id) | (Pair.participant_b_id == other.id))
        ).one()
        assert pair.status == PairStatus.ENDED and pair.end_reason == "left"
        # the counts are anonymous aggregates and stay: invited, onboarded, matched
        after = impact.kpis(s, program, now=stack.clock.now())
        assert (after.invited, after.onboarded, after.matched) == (before.invited, before.onboarded, before.matched)
        assert s.scalar(select(func.count()).select_from(WeekAnswer)) == 1  # the partner's
        assert s.scalar(select(func.count()).select_from(Note).where(Note.red)) >= 0
        tomb = s.scalars(select(Participant).where(Participant.slack_user_id.like("forgotten-%"))).one()
        enrollment = s.scalars(select(Enrollment).where(Enrollment.participant_id == tomb.id)).one()
        assert enrollment.status == EnrollmentStatus.LEFT
    # asked again, Tandem knows nothing about her, and registers nothing
    assert ana.slash("privacy").ok
    assert "speichert über dich nichts" in _last(ana)
    assert privacy.traces(engine, [ana.id]) == []
    del hanna


def test_forget_me_keeps_the_partners_notes_under_a_topic_she_made_red(stack: LocalStack) -> None:
    world = privacy_setup(stack)
    ana, partner = world["ana"], world["partner"]
    assert ana.slash("notes red budget").ok
    assert partner.slash("note [budget] zq-partner-budget #hosts").ok
    stack.settle()
    ana.slash("forget-me")
    ana.click(ID.PRIVACY_FORGET, message=ana.ephemeral_messages()[-1])
    stack.settle()
    with stack.session_factory() as s:
        note = s.scalars(select(Note).where(Note.text.contains("zq-partner-budget"))).one()
        assert note.red  # the topic is gone with her, the note stays inside the pair
    world["hanna"].slash("admin notes", channel_id=world["channel"])
    stack.settle()
    assert "zq-partner-budget" not in _last(world["hanna"])


def test_a_host_removes_a_participant_and_nobody_else_can(stack: LocalStack, engine: Engine) -> None:
    world = privacy_setup(stack)
    hanna, channel, karl, lea = world["hanna"], world["channel"], world["karl"], world["lea"]
    assert karl.slash("note zq-karl-note").ok
    stack.settle()
    # not a host: the command is refused
    assert lea.slash(f"admin remove <@{karl.id}>", channel_id=channel).ok
    assert "zq-karl-note" not in _last(lea)
    # the host asks; the question names Karl and has the button
    assert hanna.slash("admin remove", channel_id=channel).ok
    assert "admin remove @" in _last(hanna)
    # asking about someone Tandem stores in no program (here: met once, asked for help) answers exactly as about
    # someone it never met: no host can probe who is stored at all
    with stack.session_factory() as s:
        ws = s.scalars(select(Workspace)).one()
        now = stack.clock.now()
        for user in ("U0STRANGER", "U0HELPED"):
            s.add(Participant(workspace_id=ws.id, slack_user_id=user, created_at=now, updated_at=now))
        s.flush()
        helped = s.scalars(select(Participant).where(Participant.slack_user_id == "U0HELPED")).one()
        s.add(Escalation(workspace_id=ws.id, participant_id=helped.id, shared={}, created_at=stack.clock.now()))
        s.commit()
    answers = []
    for user in ("U0STRANGER", "U0HELPED", "U0NEVERMET"):
        assert hanna.slash(f"admin remove <@{user}>", channel_id=channel).ok
        shown = hanna.ephemeral_messages()[-1]
        answers.append(json.dumps([shown.get("text"), shown.get("blocks")]).replace(user, "X"))
    assert answers[0] == answers[1] == answers[2] and "only someone in a program can be removed" in answers[0]
    assert ID.PRIVACY_REMOVE.value not in json.dumps(hanna.ephemeral_messages()[-1])
    assert hanna.slash(f"admin remove <@{karl.id}|karl>", channel_id=channel).ok
    question = hanna.ephemeral_messages()[-1]
    assert ID.PRIVACY_REMOVE.value in json.dumps(question)
    before = privacy.every_row(engine)
    # Lea presses the host's button (a forged click): refused, nothing changed
    lea.click(ID.PRIVACY_REMOVE, message=question)
    stack.settle()
    after = privacy.every_row(engine)
    assert {k: v for k, v in after.items() if k not in ("slack_event", "workspace")} == {
        k: v for k, v in before.items() if k not in ("slack_event", "workspace")
    }
    # the host presses it: Karl is forgotten and told directly (no stored copy)
    karl_dms = len(karl.dm_messages())
    assert hanna.click(ID.PRIVACY_REMOVE, message=question).ok
    stack.settle()
    assert "removed a participant" in _last(hanna)
    assert any(
        "removed you" in m.get("text", "") or "entfernt" in m.get("text", "") for m in karl.dm_messages()[karl_dms:]
    )
    assert privacy.traces(engine, [karl.id, "Karlheinz Quappe", "zq-karl-note"]) == []


def test_someone_who_leaves_during_a_matching_preview_is_never_paired(stack: LocalStack, engine: Engine) -> None:
    hanna = persona(stack, "Hanna", is_admin=True)
    channel = admin_channel(stack, hanna)
    create_program(stack, hanna, channel, **{ID.PROGRAM_START.value: PRIVACY_START, ID.PROGRAM_TRIAL.value: "0"})
    people = onboard(stack, PRIVACY_PEOPLE)
    hanna.slash("admin match", channel_id=channel)
    stack.settle()
    preview = [m for m in stack.sandbox.messages(channel) if m.get("text", "").startswith("Matching preview")][-1]
    ana = people["Ana"]
    ana.slash("forget-me")
    ana.click(ID.PRIVACY_FORGET, message=ana.ephemeral_messages()[-1])
    stack.settle()
    hanna.click(ID.MATCH_APPROVE, message=preview)
    stack.settle()
    with stack.session_factory() as s:
        tomb = s.scalars(select(Participant).where(Participant.slack_user_id.like("forgotten-%"))).one()
        pairs = s.scalars(select(Pair)).all()
        assert len(pairs) == 1 and tomb.id not in {pairs[0].participant_a_id, pairs[0].participant_b_id}
        paired = {pairs[0].participant_a_id, pairs[0].participant_b_id}
        [left_alone] = [
            p
            for p in s.scalars(select(Participant)).all()
            if p.id not in paired and p.id != tomb.id and p.slack_user_id in {x.id for x in people.values()}
        ]
    alone = next(p for p in people.values() if p.id == left_alone.slack_user_id)
    stack.advance(timedelta(hours=24))
    assert any("first in line" in m.get("text", "") or "zuerst dran" in m.get("text", "") for m in alone.dm_messages())
    assert privacy.traces(engine, [ana.id, "Anabel Zwirnfaden"]) == []
