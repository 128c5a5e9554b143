"""Learning that lasts on the real database (SQLite, and PostgreSQL when set), at the service level: the follow-up
question 30 and 90 days after a pair ends (asked once, in working time, answered once, counted for hosts only as
released, quoted only with consent), retro themes as released counts, and the participants' program page on App Home,
played by its attacker: a participant who reads it every day learns nothing about one pair that the release rule
would not give a host."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import home as home_blocks
from bot.blocks import program_page as program_page_blocks
from bot.domain import followup as rules
from bot.domain.privacy import FORGOTTEN_PREFIX
from bot.ids import ID
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    FollowUp,
    Goal,
    LearningCard,
    OutboxMessage,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
    Retro,
    RetroAnswer,
    Workspace,
)
from bot.sandbox.stack import LocalStack
from bot.services import followups, home, impact, release, retros
from tests.helpers import OTHERS, admin_channel, create_program, has_action, onboard, persona

START = date(2027, 1, 4)  # a Monday; four weeks: the program ends on Monday 1 February, 00:00 in Berlin
T0 = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
END = datetime(2027, 1, 31, 23, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _monday_release(day: date) -> datetime:
    """09:00 in Berlin (winter) on a Monday: the weekly release."""
    assert day.weekday() == 0
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def _world(s: Session, pairs: int, *, name: str = "Pilot") -> tuple[Program, list[tuple[Participant, Participant]]]:
    ws = s.scalar(select(Workspace)) or Workspace(team_id="T0LASTS", created_at=T0)
    s.add(ws)
    s.flush()
    program = Program(
        workspace_id=ws.id,
        name=name,
        status=ProgramStatus.ACTIVE,
        start_date=START,
        duration_weeks=4,
        prompt_weekday=0,
        timezone="Europe/Berlin",
        poll_every_weeks=0,
        poll_threshold=3,
        created_at=T0,
        updated_at=T0,
    )
    s.add(program)
    s.flush()
    out = []
    for i in range(pairs):
        people = []
        for side in "ab":
            person = Participant(
                workspace_id=ws.id,
                slack_user_id=f"U{name[:2].upper()}{i}{side}".ljust(9, "0"),
                display_name=f"Zq{name[:2]}{i}{side}",
                tz="Europe/Berlin",
                locale="en" if side == "a" else "de",
                created_at=T0,
                updated_at=T0,
            )
            s.add(person)
            s.flush()
            s.add(
                Enrollment(
                    program_id=program.id,
                    participant_id=person.id,
                    status=EnrollmentStatus.ONBOARDED,
                    invited_at=T0,
                    last_activity_at=T0,
                )
            )
            people.append(person)
        s.add(
            Pair(
                program_id=program.id,
                participant_a_id=people[0].id,
                participant_b_id=people[1].id,
                status=PairStatus.ACTIVE,
                started_at=T0 + DAY,
            )
        )
        out.append((people[0], people[1]))
    s.flush()
    return program, out


def _answer(s: Session, person: Participant, answer: str, *, text: str | None, quote: bool, now: datetime) -> str:
    found = followups.find(s, participant=person, followup_id=_item(s, person).id)
    if isinstance(found, str):
        return found
    return followups.submit(s, found, rules.Form(answer, text, quote), now=now)


def _item(s: Session, person: Participant, days: int = 30) -> FollowUp:
    return s.scalars(select(FollowUp).where(FollowUp.participant_id == person.id, FollowUp.days == days)).one()


def test_follow_up_asked_once_in_working_time_answered_once_and_counted_only_as_released(session: Session) -> None:
    s = session
    program, people = _world(s, 4)
    gone = people[3][1]
    gone.slack_user_id = f"{FORGOTTEN_PREFIX}0a1b2c"  # forgotten: never asked
    s.commit()

    assert followups.due(s, END + 29 * DAY) == 0
    assert followups.next_due(s, END + 29 * DAY) == END + 30 * DAY
    asked_at = END + 30 * DAY  # Wednesday 3 March, 00:00 in Berlin
    assert followups.due(s, asked_at) == 7
    s.commit()
    assert followups.due(s, asked_at) == 0 and followups.due(s, asked_at + DAY) == 0  # once, whatever the clock does
    sent = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"{followups.ASK_KEY}%"))).all()
    assert len(sent) == 7
    assert {m.not_before for m in sent} == {datetime(2027, 3, 3, 8, 0, tzinfo=UTC)}  # 09:00, their working time
    assert {m.payload["channel"] for m in sent} == {p.slack_user_id for pair in people for p in pair} - {
        gone.slack_user_id
    }
    german = next(m for m in sent if m.payload["channel"] == people[0][1].slack_user_id)
    assert "Nutzt du noch" in german.payload["text"]

    (a0, b0), (a1, _b1), (a2, _b2), _ = people
    answered = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
    assert _answer(s, a0, "yes", text="Zqquote: short videos for every release", quote=True, now=answered) == "saved"
    assert _answer(s, b0, "partly", text=None, quote=False, now=answered) == "saved"
    s.commit()
    assert followups.find(s, participant=b0, followup_id=_item(s, a0).id) == followups.NOT_YOURS  # the partner
    assert _answer(s, a0, "no", text="changed my mind", quote=False, now=answered + DAY) == followups.ALREADY
    assert _item(s, a0).answer == "yes"

    # a quote shows from the next release on: shown when given, it would tell hosts that one of a pair they saw end
    # has just answered
    assert impact.dashboard(s, program, now=answered + DAY).followup_quotes == []
    # two answers by the first release: below the threshold (3), nothing is counted
    assert impact.weekly_due(s, _monday_release(date(2027, 3, 8))) == 1
    s.commit()
    assert impact.dashboard(s, program, now=answered + 6 * DAY).followup_quotes == [
        "Zqquote: short videos for every release"
    ]
    assert not followups.counts(s, program).released
    assert impact.kpis(s, program, now=answered + 6 * DAY).followups == 0
    assert _answer(s, a1, "no", text="Zqsecret: not quoted", quote=False, now=datetime(2027, 3, 9, 9, tzinfo=UTC))
    late = _item(s, a2).closes_at + timedelta(minutes=1)
    assert _answer(s, a2, "yes", text=None, quote=False, now=late) == followups.CLOSED
    s.commit()
    assert _item(s, a2).answered_at is None
    assert not followups.counts(s, program).released  # between releases nothing moves
    assert impact.weekly_due(s, _monday_release(date(2027, 3, 15))) == 1
    s.commit()
    counted = followups.counts(s, program)
    assert (counted.yes, counted.partly, counted.no, counted.released) == (1, 1, 1, True)
    board = impact.dashboard(s, program, now=datetime(2027, 3, 16, tzinfo=UTC))
    assert (board.kpis.followups, board.kpis.followups_yes, board.kpis.followups_partly) == (3, 1, 1)
    assert board.followup_quotes == ["Zqquote: short videos for every release"]  # consented, without a name
    assert followups.consented_quotes(s, program, by=release.released_at(s, program)) == board.followup_quotes

    # 90 days on: the second stage, once; a program whose data retention deleted asks nobody
    assert followups.due(s, END + 90 * DAY) == 7
    s.commit()
    assert followups.due(s, END + 91 * DAY) == 0
    assert followups.next_due(s, END + 91 * DAY) is None
    program.expired_at = END + 91 * DAY
    s.execute(FollowUp.__table__.delete().where(FollowUp.days == 90))
    assert followups.due(s, END + 92 * DAY) == 0


def test_retro_themes_counted_once_per_retro_and_released_to_hosts_never_text(session: Session) -> None:
    s = session
    program, people = _world(s, 3)
    tags = [(["time", "tools"], ["tools"]), (["hierarchy"], []), ([], ["time", "other"])]
    for (a, b), (mine, yours) in zip(people, tags, strict=True):
        pair = s.scalar(select(Pair).where(Pair.participant_a_id == a.id))
        retro = Retro(
            pair_id=pair.id,
            program_id=program.id,
            cycle=1,
            last_week=2,
            opened_at=T0 + 8 * DAY,
            summary_at=T0 + 9 * DAY,
        )
        s.add(retro)
        s.flush()
        for person, themes in ((a, mine), (b, yours)):
            s.add(
                RetroAnswer(
                    retro_id=retro.id,
                    participant_id=person.id,
                    went_well="Zqtext well",
                    learned="Zqtext learned",
                    change="",
                    talk_share=4,
                    themes=themes,
                    created_at=T0 + 9 * DAY,
                    updated_at=T0 + 9 * DAY,
                )
            )
    s.commit()
    assert set(retros.aggregate(s, program).themes.values()) == {0}  # nothing released yet
    impact.weekly_due(s, _monday_release(date(2027, 2, 1)))  # the retros settle two weeks after they opened
    s.commit()
    totals = retros.aggregate(s, program)
    assert totals.themes == {"time": 2, "tools": 1, "hierarchy": 1, "confidence": 0, "customers": 0, "other": 1}
    message = retros.blocks.host_overview("en", program=program, totals=totals, quotes=[])
    text = str(message)
    assert "Time 2" in text and "Tools 1" in text and "Zqtext" not in text


def test_the_program_page_shows_as_released_and_nothing_of_one_pair(session: Session) -> None:
    s = session
    program, people = _world(s, 4)
    other, [(outsider, _)] = _world(s, 1, name="Other")
    pairs = {a.id: s.scalar(select(Pair).where(Pair.participant_a_id == a.id)) for a, _b in people}
    (a0, _b0), (a1, _b1), (a2, b2), _ = people
    for a, _b in people:
        at = T0 + DAY  # set and accepted by both (a goal only proposed counts nowhere)
        s.add(
            Goal(pair_id=pairs[a.id].id, text=f"Zqgoal {a.display_name}", created_at=at, updated_at=at, accepted_at=at)
        )
    s.commit()
    reader = a0

    def page_at(now: datetime):  # what the reader sees of the program on App Home at ``now``
        state = home.home_state(s, participant=reader, now=now)
        pages = {p.name: p for p in state.program_pages}
        assert set(pages) == {"Pilot"}  # only the programs the reader is in
        return pages["Pilot"], str(home_blocks.home_view(state))

    before, _ = page_at(T0 + 6 * DAY)
    assert before.released_on is None  # nothing before the first release
    impact.weekly_due(s, _monday_release(date(2027, 1, 11)))
    s.commit()
    first, view = page_at(datetime(2027, 1, 11, 12, tzinfo=UTC))
    board = impact.dashboard(s, program, now=datetime(2027, 1, 11, 12, tzinfo=UTC))
    assert first.active_pairs == board.kpis.active_pairs == 0  # the hosts' figure, from the same cell of 4 pairs
    shown = str(program_page_blocks.section("en", [first]) + program_page_blocks.section("de", [first]))
    assert board.kpis.goals == 4 and "goal" not in shown.lower() and "ziel" not in shown.lower()  # hosts only

    # between two releases one pair finishes a goal, another's partner publishes a card and both agree to a quote
    goal = s.scalar(select(Goal).where(Goal.pair_id == pairs[a1.id].id))
    goal.done_at = datetime(2027, 1, 12, 9, tzinfo=UTC)
    s.add(
        LearningCard(
            program_id=program.id,
            participant_id=b2.id,
            title="Zqcard",
            text="Zqcard text",
            created_at=T0 + 7 * DAY,
            updated_at=T0 + 7 * DAY,
            published_at=datetime(2027, 1, 12, 10, tzinfo=UTC),
        )
    )
    retro = Retro(pair_id=pairs[a2.id].id, program_id=program.id, cycle=1, last_week=1, opened_at=T0 + 7 * DAY)
    s.add(retro)
    s.flush()
    consented = datetime(2027, 1, 13, 9, tzinfo=UTC)
    for person, quote, partner_ok in ((a2, "Zqquote we share", consented), (b2, "Zqquote one said no to", None)):
        s.add(
            RetroAnswer(
                retro_id=retro.id,
                participant_id=person.id,
                went_well="Zqwell",
                learned="Zqlearned",
                change="Zqchange",
                talk_share=3,
                quote=quote,
                author_consent_at=consented,
                partner_consent_at=partner_ok,
                declined_at=None if partner_ok else consented,
                created_at=consented,
                updated_at=consented,
            )
        )
    s.commit()
    for day in range(12, 18):  # the attacker reads every day: nothing moves until the next release
        again, view = page_at(datetime(2027, 1, day, 17, tzinfo=UTC))
        assert again == first
        assert "Zqquote" not in view and "Zqcard" not in view
        assert f"Zqgoal {a1.display_name}" not in view and f"Zqgoal {a2.display_name}" not in view
    impact.weekly_due(s, _monday_release(date(2027, 1, 18)))
    s.commit()
    second, view = page_at(datetime(2027, 1, 18, 12, tzinfo=UTC))
    assert (second.cards, second.quotes) == (1, ("Zqquote we share",))
    assert "Zqquote we share" in view and "Zqquote one said no to" not in view and "Zqwell" not in view
    others = [p.display_name for pair in people[1:] for p in pair] + [outsider.display_name]
    assert not any(name in view for name in others)  # no other participant is named
    assert other.name not in view  # nor a program the reader is not in

    # the reader knows their own pair's part: the active pairs show only with k others besides it (k + 1 pairs)
    program.poll_threshold = 4
    s.commit()
    held, view = page_at(datetime(2027, 1, 18, 13, tzinfo=UTC))
    assert held.active_pairs is None and "shown from 5 pairs on" in view
    assert impact.kpis(s, program, now=datetime(2027, 1, 18, 13, tzinfo=UTC)).active_pairs == 0  # hosts: the cell


def test_a_closed_program_ended_when_it_was_closed_and_a_paused_one_asks_nobody(session: Session) -> None:
    s = session
    closed, _ = _world(s, 1, name="Closed")
    paused, _ = _world(s, 1, name="Paused")
    closed.status, closed.closed_at = ProgramStatus.CLOSED, T0 + 10 * DAY
    paused.status = ProgramStatus.PAUSED
    s.commit()
    assert followups.next_due(s, T0 + 11 * DAY) == T0 + 40 * DAY
    assert followups.due(s, T0 + 40 * DAY - timedelta(minutes=1)) == 0
    assert followups.due(s, T0 + 40 * DAY) == 2
    s.commit()
    assert {f.program_id for f in s.scalars(select(FollowUp))} == {closed.id}
    assert followups.due(s, END + 30 * DAY) == 0  # the paused program's pairs: not asked


@pytest.mark.sqlite_only  # Slack's side of it; the queries run on both databases in the tests above
def test_the_follow_up_through_slack_in_each_language(stack: LocalStack) -> None:
    """A pair that ended (a switch) hears 30 days later, each partner in their language and working time; a bad answer
    is refused on its field with nothing saved, a good one turns the modal into a thank-you, a second one changes
    nothing."""
    hanna = persona(stack, "Hanna", is_admin=True)
    create_program(stack, hanna, admin_channel(stack, hanna), **{ID.PROGRAM_START.value: "2027-01-11"})
    people = onboard(stack, OTHERS)
    ended = stack.clock.now()
    with stack.session_factory() as s:
        ana, priya = (
            s.scalars(select(Participant).where(Participant.slack_user_id == people[n].id)).one() for n in OTHERS
        )
        program = s.scalars(select(Program)).one()
        s.add(
            Pair(
                program_id=program.id,
                participant_a_id=ana.id,
                participant_b_id=priya.id,
                status=PairStatus.ENDED,
                started_at=ended,
                ended_at=ended,
                end_reason="switch",
            )
        )
        s.commit()
    stack.clock.set(ended + timedelta(days=30))  # type: ignore[attr-defined]  # Wednesday, 09:00 in Berlin, 16:00 in Singapore
    stack.settle()
    questions = {n: [m for m in p.dm_messages() if has_action(m, ID.FOLLOWUP_OPEN)] for n, p in people.items()}
    assert [len(q) for q in questions.values()] == [1, 1]
    assert "Nutzt du noch" in questions["Ana"][0]["text"] and "still in use" in questions["Priya"][0]["text"]
    assert "mit Priya" in questions["Ana"][0]["text"] and "with Ana" in questions["Priya"][0]["text"]  # which pair
    priya_ = people["Priya"]
    priya_.click(ID.FOLLOWUP_OPEN, message=questions["Priya"][0])
    view = priya_.open_views()[-1]
    refused = priya_.submit(view["id"], {ID.FOLLOWUP_ANSWER.value: "yes", ID.FOLLOWUP_QUOTE.value: ["quote_ok"]})
    assert ID.FOLLOWUP_QUOTE.value in refused.json()["errors"]  # nothing to quote: said on its field, nothing saved
    with stack.session_factory() as s:
        assert s.scalar(select(FollowUp.answered_at).where(FollowUp.participant_id == priya.id)) is None
    done = priya_.submit(
        view["id"],
        {ID.FOLLOWUP_ANSWER.value: "yes", ID.FOLLOWUP_TEXT.value: "Zq: videos", ID.FOLLOWUP_QUOTE.value: ["quote_ok"]},
    )
    assert done.json()["response_action"] == "update" and "Thank you" in json.dumps(done.json())
    priya_.click(ID.FOLLOWUP_OPEN, message=questions["Priya"][0])
    stack.settle()
    assert "answered this question already" in json.dumps(priya_.ephemeral_messages()[-1:] + priya_.dm_messages()[-1:])
    with stack.session_factory() as s:
        row = s.scalars(select(FollowUp).where(FollowUp.participant_id == priya.id)).one()
        assert (row.answer, row.text, row.quote_ok) == ("yes", "Zq: videos", True)
