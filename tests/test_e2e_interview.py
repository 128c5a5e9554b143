"""The onboarding interview end to end: personas click and submit through signed requests to the real Bolt
app; the outbox worker and the clock tick run on the simulated clock; assertions read the sandbox's record
of Web API calls and the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain.interview import Step
from bot.flows import interview
from bot.ids import ID
from bot.jobs import DUE_JOBS
from bot.models import Enrollment, EnrollmentStatus, OutboxMessage, Participant
from bot.sandbox.blockkit import validate_call
from bot.sandbox.interview_driver import InterviewAnswers, answer_interview, current_step
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack
from bot.services import ticks
from tests.helpers import INTERVIEW_FIELDS, START, enroll, make_stack


@pytest.fixture
def stack(database_url: str, session_factory) -> Iterator[LocalStack]:
    s = make_stack(database_url).start()
    yield s
    s.stop()
    # Every call Tandem made in the test is one Slack would accept, and every modal answer was well formed.
    problems = [p for c in s.sandbox.calls for p in validate_call(c["method"], c["args"])]
    assert problems == [] and s.sandbox.problems == []
    assert [c for c in s.sandbox.calls if not c["ok"]] == []


def _state(stack: LocalStack, enrollment_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(enrollment columns, participant columns) as plain dicts."""
    with stack.session_factory() as s:
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment is not None
        participant = s.get(Participant, enrollment.participant_id)
        assert participant is not None
        cols = lambda row: {c.key: getattr(row, c.key) for c in row.__table__.columns}  # noqa: E731
        return cols(enrollment), cols(participant)


def _outbox_count(stack: LocalStack) -> int:
    with stack.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _bot_posts(stack: LocalStack, persona: Persona) -> list[dict[str, Any]]:
    return [m for m in persona.dm_messages() if m.get("user") == stack.sandbox.bot_user_id]


def _click(persona: Persona, action_id: str, message: dict[str, Any]) -> None:
    assert persona.click(action_id, message=message).ok


def _step_message(persona: Persona, step: Step) -> dict[str, Any]:
    found = current_step(persona)
    assert found is not None and found[0] is step, found
    return found[1]


def _open(persona: Persona, action_id: str, step: Step) -> dict[str, Any]:
    _click(persona, action_id, _step_message(persona, step))
    return persona.open_views()[-1]


# ------------------------------------------------------------------------------------------------------------
def test_a_full_interview_in_english_stores_every_answer(stack: LocalStack) -> None:
    ben, enrollment_id = enroll(stack, "Ben", "America/New_York", "en-US")
    first = _text(_bot_posts(stack, ben)[-1])
    assert "Step 1 of 10" in first and "New York" in first and "English" in first  # the zone as its city
    assert "03:00" in first  # 08:00 UTC is 03:00 in New York

    answers = InterviewAnswers(
        role="context",
        self_description="Twenty years in procurement <!channel>; I want to understand short video.",
        department="Procurement & Legal",
        curiosity="TikTok, AI assistants",
        can_teach=["Enterprise governance for young professionals"],
        can_teach_other="Negotiation, Stakeholder maps",
        want_to_learn=["Creator skills for leaders", "No-code automation"],
        learning_style="examples",
        mode="mixed",
        pace="relaxed",
        directness="direct",
        values=("reliability", "humour", "clarity"),
        hours_per_week=1,
        preferred_days=(0, 4),
    )
    assert answer_interview(stack, ben, answers) is Step.DONE

    enrollment, person = _state(stack, enrollment_id)
    now = stack.clock.now()
    assert (enrollment["status"], enrollment["interview_step"]) == (EnrollmentStatus.ONBOARDED, "done")
    assert enrollment["completed_at"] == now and enrollment["interview_started_at"] == START
    assert person["settings_confirmed"] is True and person["consented_at"] == now
    assert (person["tz"], person["locale"], person["role"]) == ("America/New_York", "en", "context")
    assert person["self_description"] == answers.self_description
    assert person["department"] == "Procurement & Legal"
    assert person["curiosity"] == ["TikTok", "AI assistants"]
    assert person["can_teach"] == ["Enterprise governance for young professionals", "Negotiation", "Stakeholder maps"]
    assert person["want_to_learn"] == ["Creator skills for leaders", "No-code automation"]
    assert person["learning_style"] == "examples"
    assert person["preferences"] == {"mode": "mixed", "pace": "relaxed", "directness": "direct"}
    assert person["values"] == ["reliability", "humour", "clarity"]  # stable keys, in the list's order
    assert (person["hours_per_week"], person["preferred_days"]) == (1, [0, 4])

    posts = _bot_posts(stack, ben)
    summary = _text(posts[-1])
    assert "all set, Ben" in summary and "Reliability, Humour, Clarity" in summary
    assert "&lt;!channel&gt;" in summary and "<!channel>" not in summary  # what Ben typed is escaped
    assert "Procurement &amp; Legal" in summary
    # every step's DM was answered in place: no buttons left, one "answered" line each
    assert current_step(ben) is None
    answered = [m for m in posts if m["text"].startswith(":white_check_mark:")]
    assert len(answered) == 10 and all(m.get("edited") for m in answered)
    assert "Context and experience" in _text(answered[1])


def test_a_full_interview_in_german(stack: LocalStack) -> None:
    jorg, enrollment_id = enroll(stack, "Jorg", "Europe/Berlin", "de-DE")
    assert "Schritt 1 von 10" in _text(_bot_posts(stack, jorg)[-1])
    answers = InterviewAnswers(
        role="both",
        self_description="Ich leite das Controlling und möchte Reels verstehen.",
        department="Controlling",
        curiosity="",
        can_teach=[],
        can_teach_other="Budgetplanung",
        want_to_learn=None,
        values=("courage",),
        preferred_days=(2,),
    )
    assert answer_interview(stack, jorg, answers) is Step.DONE
    enrollment, person = _state(stack, enrollment_id)
    assert enrollment["status"] == EnrollmentStatus.ONBOARDED
    assert person["locale"] == "de" and person["role"] == "both" and person["curiosity"] == []
    assert person["can_teach"] == ["Budgetplanung"] and person["want_to_learn"] == ["No-code automation"]
    assert person["values"] == ["courage"] and person["preferred_days"] == [2]
    texts = _text(_bot_posts(stack, jorg))
    for german in ("Alles erledigt, Jorg", "Mut", "Etwa 2 Stunden pro Woche", "Mittwoch", "Deine Rolle"):
        assert german in texts
    assert "Step " not in texts and "all set" not in texts
    modals = [c["args"]["view"] for c in stack.sandbox.calls_to("views.open")]
    assert len(modals) == 5 and all(v["submit"]["text"] == "Speichern" for v in modals)


def test_invalid_answers_come_back_as_errors_in_german_and_change_nothing(stack: LocalStack) -> None:
    ana, enrollment_id = enroll(stack, "Ana", "Europe/Berlin", "de-DE")
    assert answer_interview(stack, ana, stop_after="role") is Step.ABOUT
    view = _open(ana, ID.INTERVIEW_OPEN, Step.ABOUT)
    before_db, before_outbox = _state(stack, enrollment_id), _outbox_count(stack)
    assert {"step", "outbox_id", "channel", "ts"} <= set(before_db[0]["step_message"])  # the open step's DM
    delivery = ana.submit(
        view["id"],
        {
            ID.PROFILE_SELF_DESCRIPTION: "Zu kurz.",
            ID.PROFILE_DEPARTMENT: "x" * 121,
            ID.PROFILE_CURIOSITY: ", ".join(f"Thema {i}" for i in range(11)),
        },
    )
    assert delivery.json() == {
        "response_action": "errors",
        "errors": {
            "profile.self_description": "Bitte schreib mindestens 20 Zeichen.",
            "profile.department": "Bitte höchstens 120 Zeichen.",
            "profile.curiosity": "Bitte höchstens 10 Themen.",
        },
    }
    assert ana.open_views()[-1]["id"] == view["id"]  # the modal stays open with what she typed
    assert stack.sandbox.view_errors(view["id"]) == delivery.json()["errors"]
    stack.settle()
    assert _state(stack, enrollment_id) == before_db and _outbox_count(stack) == before_outbox

    ok = ana.submit(
        view["id"],
        {ID.PROFILE_SELF_DESCRIPTION: "Ich arbeite im Vertrieb.", ID.PROFILE_DEPARTMENT: "Vertrieb"},
    )
    assert ok.json() is None and ana.open_views() == []
    stack.settle()

    view = _open(ana, ID.INTERVIEW_OPEN, Step.TOPICS)
    delivery = ana.submit(view["id"], {ID.PROFILE_CAN_TEACH_OTHER: "y" * 61})
    assert delivery.json()["errors"] == {
        "profile.can_teach_other": "Bitte höchstens 60 Zeichen pro Thema, getrennt durch Kommas.",
        "profile.want_to_learn": "Bitte wähle oder schreib mindestens ein Thema.",
    }
    enrollment, person = _state(stack, enrollment_id)
    assert enrollment["interview_step"] == "topics" and person["can_teach"] == []
    assert ana.submit(
        view["id"], {ID.PROFILE_CAN_TEACH_OTHER: "Reels", ID.PROFILE_WANT_TO_LEARN: [INTERVIEW_FIELDS[0]]}
    ).ok
    stack.settle()

    answer_interview(stack, ana, stop_after="style")
    view = _open(ana, ID.INTERVIEW_OPEN, Step.VALUES)
    four = ["trust", "courage", "respect", "growth"]
    assert ana.submit(view["id"], {ID.PROFILE_VALUES: four}).json()["errors"] == {
        "profile.values": "Bitte wähle zwischen 1 und 3 Werten."
    }
    assert ana.submit(view["id"], {ID.PROFILE_VALUES: None}).json()["errors"] == {
        "profile.values": "Bitte wähle zwischen 1 und 3 Werten."
    }
    assert _state(stack, enrollment_id)[1]["values"] == []
    assert ana.submit(view["id"], {ID.PROFILE_VALUES: ["trust"]}).json() is None
    stack.settle()
    view = _open(ana, ID.INTERVIEW_OPEN, Step.AVAILABILITY)
    assert ana.submit(view["id"], {}).json()["errors"] == {
        "profile.hours_per_week": "Bitte wähle etwas aus.",
        "profile.preferred_days": "Bitte wähle etwas aus.",
    }
    assert _state(stack, enrollment_id)[0]["interview_step"] == "availability"


def test_time_zone_and_language_can_be_corrected(stack: LocalStack) -> None:
    joana, enrollment_id = enroll(stack, "Joana", "Europe/Lisbon", "en-GB")
    view = _open(joana, ID.INTERVIEW_SETTINGS_CHANGE, Step.SETTINGS)
    tz_input = next(b for b in view["blocks"] if b.get("block_id") == "profile.tz")
    assert tz_input["element"]["initial_value"] == "Europe/Lisbon"
    refused = joana.submit(view["id"], {ID.PROFILE_TZ: "Mars/Olympus"})
    assert refused.json()["errors"] == {
        "profile.tz": "I don't know that time zone. Try a name like Europe/Berlin, or a city such as Lisbon."
    }
    assert _state(stack, enrollment_id)[1]["settings_confirmed"] is False

    assert joana.submit(view["id"], {ID.PROFILE_TZ: "singapore", ID.PROFILE_LOCALE: "de"}).json() is None
    stack.settle()
    enrollment, person = _state(stack, enrollment_id)
    assert (person["tz"], person["locale"], person["settings_confirmed"]) == ("Asia/Singapore", "de", True)
    assert enrollment["interview_step"] == "role"
    posts = _bot_posts(stack, joana)
    assert "Singapur · Deutsch" in posts[-2]["text"]  # the first step, answered, in her new language
    assert "Schritt 2 von 10" in _text(posts[-1])  # and the interview goes on in German


def test_the_interview_resumes_after_a_restart_days_later(stack: LocalStack) -> None:
    wei, enrollment_id = enroll(stack, "Wei", "Asia/Singapore", "en-GB")
    assert answer_interview(stack, wei, InterviewAnswers(role="both"), stop_after="topics") is Step.STYLE
    wei.open_home()  # "Continue" on Home shows the current step again at the bottom of the DM
    assert wei.click(ID.INTERVIEW_CONTINUE).ok
    stack.settle()
    assert len([m for m in _bot_posts(stack, wei) if "Step 5 of 10" in _text(m)]) == 2
    stack.restart()  # a deploy: nothing survives in memory
    stack.clock.advance(timedelta(days=1, hours=3))  # type: ignore[attr-defined]
    assert answer_interview(stack, wei, InterviewAnswers(role="digital")) is Step.DONE
    enrollment, person = _state(stack, enrollment_id)
    assert enrollment["status"] == EnrollmentStatus.ONBOARDED
    assert person["role"] == "both"  # answered before the restart, kept
    assert person["values"] == ["curiosity", "trust"] and person["consented_at"] == stack.clock.now()
    with stack.session_factory() as s:
        keys = s.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.method == "chat.postMessage")).all()
    steps_posted = sorted(k for k in keys if k and k.startswith(f"interview:{enrollment_id}:") and k.count(":") == 2)
    assert steps_posted == sorted(f"interview:{enrollment_id}:{s}" for s in [*Step])  # each step once, then done
    # starting again (a second "Join") leaves a finished interview alone
    outbox_rows = _outbox_count(stack)
    with stack.session_factory() as s:
        enrollment_row = s.get(Enrollment, enrollment_id)
        assert enrollment_row is not None
        interview.start(s, enrollment=enrollment_row, now=stack.clock.now())
        s.commit()
    assert _outbox_count(stack) == outbox_rows and _state(stack, enrollment_id)[0] == enrollment


@pytest.mark.sqlite_only  # when in local time, not what is asked of the database: the reminders' queries run on
# PostgreSQL in tests/test_next_due_reminders.py and in the authorization and fuzz worlds
def test_reminders_after_two_and_five_days_in_working_time_then_silence(stack: LocalStack) -> None:
    ben, enrollment_id = enroll(stack, "Ben", "America/New_York", "en-US")
    answer_interview(stack, ben, stop_after="settings")  # Monday 08:00 UTC, 03:00 in New York
    clock = stack.clock

    def reminders() -> list[dict[str, Any]]:
        return [m for m in _bot_posts(stack, ben) if "Continue" in _text(m)]

    clock.set(START + timedelta(days=2))  # type: ignore[attr-defined]
    stack.settle()
    assert reminders() == []  # two days, but 03:00 in New York
    clock.set(START + timedelta(days=2, hours=5, minutes=50))  # type: ignore[attr-defined]
    stack.advance(timedelta(minutes=20))  # 08:50 to 09:10 New York time, minute by minute
    assert len(reminders()) == 1
    sent = stack.sandbox.calls_to("chat.postMessage")[-1]
    assert sent["at"].startswith("2027-01-06T14:00")  # 09:00 in New York
    assert "waiting at step 2 of 10" in _text(reminders()[0])

    # the job on its own, twice for the same minute: nothing more
    with stack.session_factory() as s:
        assert interview.send_reminders(s, clock.now()) == 0
        s.commit()
        assert ticks.tick(s, now=clock.now(), jobs=DUE_JOBS) is None  # the tick for this minute already ran
    assert _state(stack, enrollment_id)[0]["reminders_sent"] == 1

    # five days quiet is Saturday: no working day in New York, so the last one waits for Monday 09:00 there
    for hour in range(0, 24, 3):
        clock.set(START + timedelta(days=5, hours=hour))  # type: ignore[attr-defined]
        stack.settle()
    clock.set(START + timedelta(days=7, hours=5, minutes=59))  # type: ignore[attr-defined]
    stack.settle()
    assert len(reminders()) == 1
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    stack.settle()
    assert len(reminders()) == 2 and "last nudge" in _text(reminders()[-1])
    assert stack.sandbox.calls_to("chat.postMessage")[-1]["at"].startswith("2027-01-11T14:00")

    for day in (8, 10, 20):  # then silence, at every hour of the day
        for hour in range(0, 24, 3):
            clock.set(START + timedelta(days=day, hours=hour))  # type: ignore[attr-defined]
            stack.settle()
    assert len(reminders()) == 2
    enrollment, _ = _state(stack, enrollment_id)
    assert enrollment["reminders_sent"] == 2 and enrollment["status"] == EnrollmentStatus.INTERVIEWING

    # "Continue" shows the current step again (twice in a minute: once); the old copy loses its buttons
    old = _step_message(ben, Step.ROLE)
    _click(ben, ID.INTERVIEW_CONTINUE, reminders()[-1])
    _click(ben, ID.INTERVIEW_CONTINUE, reminders()[-1])
    stack.settle()
    again = _step_message(ben, Step.ROLE)
    assert again["ts"] != old["ts"] and again["ts"] == _bot_posts(stack, ben)[-1]["ts"]
    assert "further down" in _text(stack.sandbox.find_message(old["ts"]))
    assert len([m for m in _bot_posts(stack, ben) if "Step 2 of 10" in _text(m)]) == 2
    enrollment, _ = _state(stack, enrollment_id)
    assert enrollment["reminders_sent"] == 0 and enrollment["last_activity_at"] == clock.now()
    assert answer_interview(stack, ben) is Step.DONE
    # Finished: "Continue" on an old reminder only says so, to Ben alone, and nothing is stored for it
    posts = len(_bot_posts(stack, ben))
    _click(ben, ID.INTERVIEW_CONTINUE, reminders()[0])
    stack.settle()
    assert "already complete" in _text(ben.ephemeral_messages()[-1])
    assert len(_bot_posts(stack, ben)) == posts


def test_old_buttons_clicked_again_change_nothing(stack: LocalStack) -> None:
    ana, enrollment_id = enroll(stack, "Ana", "Europe/Berlin", "en-GB")
    settings_message = _step_message(ana, Step.SETTINGS)
    settings_click = ana.click(ID.INTERVIEW_SETTINGS_OK, message=settings_message)
    stack.settle()
    role_message = _step_message(ana, Step.ROLE)
    # a double click before the worker has replaced the message: the second answer is stale
    _click(ana, ID.INTERVIEW_ROLE_DIGITAL, role_message)
    _click(ana, ID.INTERVIEW_ROLE_CONTEXT, role_message)
    stack.settle()
    enrollment, person = _state(stack, enrollment_id)
    assert (person["role"], enrollment["interview_step"]) == ("digital", "about")
    assert "Digital and creator skills" in stack.sandbox.find_message(role_message["ts"])["text"]
    assert len([m for m in _bot_posts(stack, ana) if "Step 3 of 10" in _text(m)]) == 1

    before_db, before_outbox = _state(stack, enrollment_id), _outbox_count(stack)
    replayed = json.loads(json.dumps(settings_click.payload))  # the same click arrives again, much later
    stack.clock.advance(timedelta(hours=5))  # type: ignore[attr-defined]
    assert stack.sandbox.send_interaction(replayed).ok
    role_payload = json.loads(json.dumps(settings_click.payload))
    role_payload["actions"][0].update(action_id=ID.INTERVIEW_ROLE_BOTH.value, value=f"{enrollment_id}:role")
    role_payload["container"]["message_ts"] = role_message["ts"]
    assert stack.sandbox.send_interaction(role_payload).ok
    stack.settle()
    assert _state(stack, enrollment_id) == before_db
    assert _outbox_count(stack) == before_outbox  # not even the answered line is queued twice

    # the "open" button of an answered step opens nothing
    answer_interview(stack, ana, stop_after="about")
    about_open = json.loads(json.dumps(settings_click.payload))
    about_open["actions"][0].update(action_id=ID.INTERVIEW_OPEN.value, value=f"{enrollment_id}:about")
    about_open["trigger_id"] = stack.sandbox.issue_trigger(ana.id)
    opened = len(stack.sandbox.calls_to("views.open"))
    assert stack.sandbox.send_interaction(about_open).ok
    assert len(stack.sandbox.calls_to("views.open")) == opened

    # a button carrying someone else's enrollment changes nothing for them
    _, bens = enroll(stack, "Ben", "America/New_York", "en-US")
    bens_before = _state(stack, bens)
    foreign = json.loads(json.dumps(settings_click.payload))
    foreign["actions"][0].update(value=f"{bens}:settings")
    assert stack.sandbox.send_interaction(foreign).ok
    stack.settle()
    assert _state(stack, bens) == bens_before and bens_before[1]["settings_confirmed"] is False

    assert answer_interview(stack, ana) is Step.DONE
    done_db, done_outbox = _state(stack, enrollment_id), _outbox_count(stack)
    stack.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert stack.sandbox.send_interaction(json.loads(json.dumps(settings_click.payload))).ok
    stack.settle()
    assert _state(stack, enrollment_id) == done_db and _outbox_count(stack) == done_outbox


def test_the_profile_editor_from_home(stack: LocalStack) -> None:
    lena, enrollment_id = enroll(stack, "Lena", "Europe/Berlin", "en-GB")
    answer_interview(stack, lena, InterviewAnswers(values=("trust",), department="Marketing"))
    lena.open_home()
    assert lena.click(ID.PROFILE_EDIT).ok
    view = lena.open_views()[-1]
    assert view["callback_id"] == ID.PROFILE_MODAL
    by_block = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_block["profile.department"]["element"]["initial_value"] == "Marketing"
    assert [o["value"] for o in by_block["profile.values"]["element"]["initial_options"]] == ["trust"]
    assert by_block["profile.learning_style"]["element"]["initial_option"]["value"] == "doing"
    assert by_block["profile.locale"]["element"]["initial_option"]["value"] == "en"
    assert [o["value"] for o in by_block["profile.can_teach"]["element"]["initial_options"]] == [INTERVIEW_FIELDS[0]]

    before = _state(stack, enrollment_id)
    refused = lena.submit(view["id"], {ID.PROFILE_DEPARTMENT: "", ID.PROFILE_TZ: "Nowhere"})
    assert refused.json()["errors"] == {
        "profile.department": "Please fill this in.",
        "profile.tz": "I don't know that time zone. Try a name like Europe/Berlin, or a city such as Lisbon.",
    }
    assert _state(stack, enrollment_id) == before

    publishes = len(stack.sandbox.calls_to("views.publish"))
    saved = lena.submit(
        view["id"],
        {
            ID.PROFILE_DEPARTMENT: "Legal",
            ID.PROFILE_VALUES: ["courage", "clarity"],
            ID.PROFILE_TZ: "Asia/Singapore",
            ID.PROFILE_LOCALE: "de",
            ID.PROFILE_WANT_TO_LEARN_OTHER: "Podcasts",
            ID.PROFILE_PACE: "ambitious",
        },
    )
    assert saved.json() is None
    enrollment, person = _state(stack, enrollment_id)
    assert (person["department"], person["values"], person["tz"], person["locale"]) == (
        "Legal",
        ["courage", "clarity"],
        "Asia/Singapore",
        "de",
    )
    assert person["want_to_learn"] == [INTERVIEW_FIELDS[-1], "Podcasts"]
    assert person["preferences"] == {"mode": "async", "pace": "ambitious", "directness": "balanced"}
    assert person["self_description"] == before[1]["self_description"]
    assert enrollment == before[0]
    assert len(stack.sandbox.calls_to("views.publish")) == publishes + 1
    home = lena.home()
    # German now: the zone shown as its city
    assert home is not None and "Legal" in _text(home) and "Zeitzone Singapur" in _text(home)


def test_the_region_for_public_holidays_is_asked_where_it_matters_and_edited_in_the_profile(
    stack: LocalStack,
) -> None:
    # Berlin: Germany's regions keep different holidays, so the availability form offers them (optional)
    ana, enrollment_id = enroll(stack, "Ana", "Europe/Berlin", "de-DE")
    answer_interview(stack, ana, InterviewAnswers(), stop_after=Step.VALUES)
    view = _open(ana, ID.INTERVIEW_OPEN, Step.AVAILABILITY)
    [region] = [b for b in view["blocks"] if b.get("block_id") == ID.PROFILE_REGION]
    assert region["optional"] is True and region["label"]["text"] == "Deine Region (für Feiertage)"
    options = {o["value"]: o["text"]["text"] for o in region["element"]["options"]}
    assert options["DE-BY"] == "Bayern" and options["DE-BE"] == "Berlin" and len(options) >= 16
    assert answer_interview(stack, ana, InterviewAnswers(region="DE-BY")) is Step.DONE
    _, person = _state(stack, enrollment_id)
    assert (person["country"], person["region"]) == ("DE", "BY")

    # the profile editor shows it; a value the form did not offer changes nothing; nothing picked clears it
    def edit(region: str | None) -> tuple[str | None, str | None]:
        ana.open_home()
        assert ana.click(ID.PROFILE_EDIT).ok
        view = ana.open_views()[-1]
        assert ana.submit(view["id"], {ID.PROFILE_REGION: region}).ok
        _, person = _state(stack, enrollment_id)
        return person["country"], person["region"]

    ana.open_home()
    assert ana.click(ID.PROFILE_EDIT).ok
    by_block = {b["block_id"]: b for b in ana.open_views()[-1]["blocks"] if b["type"] == "input"}
    assert by_block[ID.PROFILE_REGION]["element"]["initial_option"]["value"] == "DE-BY"
    assert edit("DE-BE") == ("DE", "BE")
    assert edit(None) == (None, None)

    # Lisbon: no region to ask for
    lena, _ = enroll(stack, "Lena", "Europe/Lisbon", "en-GB")
    answer_interview(stack, lena, InterviewAnswers(), stop_after=Step.VALUES)
    view = _open(lena, ID.INTERVIEW_OPEN, Step.AVAILABILITY)
    assert ID.PROFILE_REGION.value not in [b.get("block_id") for b in view["blocks"]]


def test_own_working_days_are_asked_saved_and_edited_in_the_profile(stack: LocalStack) -> None:
    # optional checkboxes in the availability form, the days named in the person's language
    ana, enrollment_id = enroll(stack, "Ana", "Europe/Berlin", "de-DE")
    answer_interview(stack, ana, InterviewAnswers(), stop_after=Step.VALUES)
    view = _open(ana, ID.INTERVIEW_OPEN, Step.AVAILABILITY)
    [days] = [b for b in view["blocks"] if b.get("block_id") == ID.PROFILE_WORKING_DAYS]
    assert days["optional"] is True and days["label"]["text"] == "Meine Arbeitstage"
    assert [o["text"]["text"] for o in days["element"]["options"]][-2:] == ["Samstag", "Sonntag"]
    assert "nur an den Tagen, die du ankreuzt" in days["hint"]["text"]
    assert answer_interview(stack, ana, InterviewAnswers(working_days=(5, 1, 2, 3, 4))) is Step.DONE
    _, person = _state(stack, enrollment_id)
    assert person["working_days"] == [1, 2, 3, 4, 5]

    # the profile editor shows them ticked; ticking none gives the program's days back (NULL)
    ana.open_home()
    assert ana.click(ID.PROFILE_EDIT).ok
    view = ana.open_views()[-1]
    [days] = [b for b in view["blocks"] if b.get("block_id") == ID.PROFILE_WORKING_DAYS]
    assert [o["value"] for o in days["element"]["initial_options"]] == ["1", "2", "3", "4", "5"]
    assert ana.submit(view["id"], {ID.PROFILE_WORKING_DAYS: ["6"]}).ok
    assert _state(stack, enrollment_id)[1]["working_days"] == [6]
    ana.open_home()
    assert ana.click(ID.PROFILE_EDIT).ok
    assert ana.submit(ana.open_views()[-1]["id"], {ID.PROFILE_WORKING_DAYS: None}).ok
    assert _state(stack, enrollment_id)[1]["working_days"] is None
    with stack.session_factory() as s:  # SQL NULL, not JSON null
        assert s.scalar(select(func.count()).where(Participant.working_days.is_(None))) == 1


def test_own_working_days_not_offered_are_refused_and_change_nothing(stack: LocalStack) -> None:
    # (Slack sends only offered options; a forged submission gets the form's error, and nothing is saved)
    ana, enrollment_id = enroll(stack, "Ana", "Europe/Berlin", "en-GB")
    answer_interview(stack, ana, InterviewAnswers(working_days=(1, 2)))

    def submit(*ticked: str) -> dict[str, str]:
        state = {
            "profile.hours_per_week": {"x": {"type": "static_select", "selected_option": {"value": "3"}}},
            "profile.preferred_days": {"x": {"type": "checkboxes", "selected_options": [{"value": "2"}]}},
            "profile.working_days": {"x": {"type": "checkboxes", "selected_options": [{"value": v} for v in ticked]}},
        }
        view = {"private_metadata": json.dumps({"e": enrollment_id, "s": "availability"}), "state": {"values": state}}
        with stack.session_factory() as s:
            person = s.scalar(select(Participant).where(Participant.slack_user_id == ana.id))
            assert person is not None
            return interview.submit_step(s, participant=person, view=view, now=stack.clock.now()).errors

    for forged in (("1", "7"), ("Saturday",), ("-1",)):
        assert submit(*forged) == {"profile.working_days": "Please tick only the days shown."}, forged
        _, person = _state(stack, enrollment_id)
        assert (person["working_days"], person["hours_per_week"]) == ([1, 2], 2)
    assert not submit("3", "2")
    _, person = _state(stack, enrollment_id)
    assert (person["working_days"], person["hours_per_week"]) == ([2, 3], 3)


@pytest.mark.parametrize("hostile", ["AT-9", "DE-XX", "DE", "BY", "DE-BY-1", 7, ["DE-BY"]])
def test_a_region_the_form_did_not_offer_changes_nothing(hostile: Any) -> None:
    # (Slack sends only offered options; a forged submission is refused here; tests/test_fuzz.py sends more)
    person = Participant(tz="Europe/Berlin", country="DE", region="BE")
    interview._save_region(person, hostile)
    assert (person.country, person.region) == ("DE", "BE")
    lisbon = Participant(tz="Europe/Lisbon", country=None, region=None)
    interview._save_region(lisbon, "DE-BY")  # not offered: Lisbon has no regions to pick
    assert (lisbon.country, lisbon.region) == (None, None)


def test_the_driver_comes_back_through_the_reminder(stack: LocalStack) -> None:
    """As in the demo: stop half way, get the reminder, press "Continue", finish."""
    wei, enrollment_id = enroll(stack, "Wei", "Asia/Singapore", "en-GB")
    assert answer_interview(stack, wei, stop_after="about") is Step.TOPICS
    stack.clock.set(START + timedelta(days=2, hours=2))  # type: ignore[attr-defined]  # 18:00 in Singapore
    stack.settle()
    assert [m for m in _bot_posts(stack, wei) if "Continue" in _text(m)] == []
    stack.clock.set(START + timedelta(days=3, hours=1))  # type: ignore[attr-defined]  # 17:00 in Singapore
    stack.settle()
    assert answer_interview(stack, wei) is Step.DONE
    topics_posts = [m for m in _bot_posts(stack, wei) if "Your topics" in _text(m)]
    assert len(topics_posts) == 2  # shown again by "Continue", the first copy moved below
    enrollment, _ = _state(stack, enrollment_id)
    assert enrollment["status"] == EnrollmentStatus.ONBOARDED and enrollment["reminders_sent"] == 0


def _lines_of(stack: LocalStack, person: str) -> list[tuple[str, str]]:
    from bot.models import ReportingLine

    with stack.session_factory() as s:
        return [
            (r.source, r.manager_slack_id)
            for r in s.scalars(select(ReportingLine).where(ReportingLine.person_slack_id == person))
        ]


def test_the_private_steps_name_a_manager_and_a_please_not_skip_resume_and_edit_in_the_profile(
    stack: LocalStack,
) -> None:
    """The two optional, private steps: Ben names his manager and someone to avoid (after a refused try to name
    himself), coming back to them later; Ada skips both; Ben changes both in his profile. Nobody else hears of it."""
    boss = stack.sandbox.add_user("boss", real_name="Bea Boss")
    rival = stack.sandbox.add_user("rival", real_name="Rico Rival")
    ben, enrollment_id = enroll(stack, "Ben", "Europe/Berlin", "en-GB")
    assert answer_interview(stack, ben, stop_after=Step.AVAILABILITY) is Step.MANAGER  # a meeting starts
    step = _step_message(ben, Step.MANAGER)
    assert "Optional: who is your manager?" in _text(step) and "Nobody sees your answer" in _text(step)
    assert "Step 8 of 10" in _text(step) and ID.INTERVIEW_SKIP.value in _text(step)

    view = _open(ben, ID.INTERVIEW_OPEN, Step.MANAGER)
    refused = ben.submit(view["id"], {ID.PROFILE_MANAGER: ben.id}).json()
    assert refused["errors"] == {"profile.manager": "You can't name yourself here."}
    assert _lines_of(stack, ben.id) == []
    ben.close(view["id"])

    answers = InterviewAnswers(manager=boss, avoid=(rival,))
    assert answer_interview(stack, ben, answers) is Step.DONE  # carries on where he stopped
    _, person = _state(stack, enrollment_id)
    assert person["avoid"] == [rival]
    assert _lines_of(stack, ben.id) == [("interview", boss)]
    posts = _bot_posts(stack, ben)
    answered = [_text(m) for m in posts if m["text"].startswith(":white_check_mark:")]
    assert any("Your manager" in a and "saved" in a for a in answered)
    assert any("Rather not paired with" in a and "1 person (private)" in a for a in answered)
    assert not any(rival in a or boss in a for a in answered)  # the answered lines name nobody
    assert f"<@{boss}>" in _text(posts[-1]) and "*Rather not paired with (private):* 1 person" in _text(posts[-1])

    ada, ada_enrollment = enroll(stack, "Ada", "Europe/Berlin", "en-GB")
    assert answer_interview(stack, ada, InterviewAnswers()) is Step.DONE  # "skip" twice
    assert _state(stack, ada_enrollment)[1]["avoid"] == [] and _lines_of(stack, ada.id) == []
    assert any("nobody named" in _text(m) for m in _bot_posts(stack, ada))

    # his profile shows both, explained; he names someone else as his manager and clears his list
    ben.open_home()
    assert ben.click(ID.PROFILE_EDIT).ok
    view = ben.open_views()[-1]
    by_block = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_block["profile.manager"]["element"]["initial_user"] == boss
    assert by_block["profile.avoid"]["element"]["initial_users"] == [rival]
    assert "Private, only for matching." in _text(view)
    new_boss = stack.sandbox.add_user("newboss", real_name="Nia Newboss")
    assert ben.submit(view["id"], {ID.PROFILE_MANAGER: new_boss, ID.PROFILE_AVOID: None}).json() is None
    assert _state(stack, enrollment_id)[1]["avoid"] == []
    assert _lines_of(stack, ben.id) == [("interview", new_boss)]

    # nothing of it reached anyone but Ben: no message to anybody else names the people he named
    for call in stack.sandbox.calls:
        if call["method"] in ("chat.postMessage", "chat.update", "views.publish"):
            to = str(call["args"].get("channel") or call["args"].get("user_id") or "")
            if to not in (ben.id, ben.dm):
                assert rival not in _text(call["args"]) and boss not in _text(call["args"]), call
    assert stack.sandbox.dm_channel(boss) is None and stack.sandbox.dm_channel(rival) is None
