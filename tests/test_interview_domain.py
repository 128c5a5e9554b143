"""The interview's pure rules: step order, validation, cleaning what people type, the reminder schedule;
and the renderers' output against Slack's limits in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import i18n
from bot.blocks import interview as blocks
from bot.domain import interview as rules
from bot.domain.interview import Field, Profile, Step
from bot.ids import ID
from bot.models import TandemRole
from bot.sandbox.blockkit import validate_blocks, validate_view
from tests.helpers import SWITCH_ZONES, check_first, moments

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday


# -- steps --------------------------------------------------------------------------------------------------
def test_steps_run_in_order_and_end_in_done() -> None:
    # 7 or 8 steps everyone answers, and the two private ones anybody may skip (manager, "please not")
    assert 7 <= len([s for s in rules.STEPS if s not in rules.SKIPPABLE]) <= 8
    assert {Step.MANAGER, Step.AVOID} == rules.SKIPPABLE and rules.SKIPPABLE <= rules.MODAL_STEPS
    assert rules.STEPS[-1] is Step.AGREEMENT  # consent stays the last step
    walked = [rules.first_step()]
    while walked[-1] is not Step.DONE:
        walked.append(rules.next_step(walked[-1]))
    assert walked == [*rules.STEPS, Step.DONE]
    assert [rules.step_number(s) for s in rules.STEPS] == list(range(1, len(rules.STEPS) + 1))
    assert rules.next_step(Step.DONE) is Step.DONE
    assert rules.answered_before(Step.SETTINGS, Step.ROLE) and not rules.answered_before(Step.ROLE, Step.ROLE)


def test_every_form_field_has_an_id_and_roles_match_the_model() -> None:
    assert {blocks.field_id(f).value for f in Field} <= {i.value for i in ID}
    assert set(rules.ROLES) == {r.value for r in TandemRole}
    assert set(rules.PROFILE_FIELDS) == set(Field)
    assert set(rules.STEP_FIELDS) >= rules.MODAL_STEPS


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(list(Step)))
def test_step_refs_round_trip(enrollment_id: int, step: Step) -> None:
    assert rules.parse_step_ref(rules.step_ref(enrollment_id, step)) == (enrollment_id, step)


@pytest.mark.parametrize("value", [None, "", "12", "x:role", "12:nope", ":role"])
def test_bad_step_refs_are_none(value: str | None) -> None:
    assert rules.parse_step_ref(value) is None


# -- cleaning -----------------------------------------------------------------------------------------------
def test_split_topics_trims_dedupes_and_keeps_order() -> None:
    assert rules.split_topics(" TikTok, canva;\n- Canva \n\n* no-code ,, ") == ["TikTok", "canva", "no-code"]
    assert rules.split_topics(None) == []


@given(st.text(max_size=300))
def test_split_topics_never_yields_blank_or_duplicate_topics(text: str) -> None:
    topics = rules.split_topics(text)
    assert all(t and t == t.strip() and "," not in t and "\n" not in t for t in topics)
    assert len({t.casefold() for t in topics}) == len(topics)
    assert rules.split_topics(", ".join(topics)) == topics


def test_merge_topics_puts_picked_fields_first_without_repeats() -> None:
    assert rules.merge_topics(["Governance"], "governance, Canva") == ["Governance", "Canva"]
    assert rules.split_chosen(["governance", "Canva"], ["Governance", "Creator skills"]) == (["Governance"], ["Canva"])


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/lisbon ", "Europe/Lisbon"),
        ("New York", "America/New_York"),
        ("singapore", "Asia/Singapore"),
        ("UTC", "UTC"),
        ("Mars/Olympus", None),
        ("", None),
        ("x" * 100, None),
    ],
)
def test_normalize_tz_accepts_names_and_cities(typed: str, zone: str | None) -> None:
    assert rules.normalize_tz(typed) == zone


# -- validation ---------------------------------------------------------------------------------------------
def test_settings_need_a_known_zone_and_a_language() -> None:
    assert rules.validate_settings(tz="Berlin", locale="de") == {}
    assert rules.validate_settings(tz="Atlantis", locale="fr") == {"tz": "unknown_tz", "locale": "choose"}
    assert rules.validate_settings(tz="  ", locale="en") == {"tz": "required"}


@pytest.mark.parametrize(
    ("description", "department", "curiosity", "errors"),
    [
        ("x" * 20, "IT", "", {}),
        ("x" * 600, "x" * 120, ", ".join(f"t{i}" for i in range(10)), {}),
        ("", "", "", {"self_description": "required", "department": "required"}),
        ("  " + "x" * 19 + "  ", "I", "", {"self_description": "too_short", "department": "too_short"}),
        ("x" * 601, "x" * 121, "", {"self_description": "too_long", "department": "too_long"}),
        ("x" * 20, "IT", ", ".join(f"t{i}" for i in range(11)), {"curiosity": "too_many_topics"}),
        ("x" * 20, "IT", "y" * 61, {"curiosity": "topic_too_long"}),
    ],
)
def test_about_lengths(description: str, department: str, curiosity: str, errors: dict[str, str]) -> None:
    assert rules.validate_about(self_description=description, department=department, curiosity=curiosity) == errors


def test_topics_need_one_on_each_side_from_the_list_or_typed() -> None:
    ok = rules.validate_topics(
        can_teach=["Governance"], can_teach_other="", want_to_learn=[], want_to_learn_other="TikTok", offered=True
    )
    assert ok == {}
    missing = rules.validate_topics(
        can_teach=[], can_teach_other=" , ", want_to_learn=[], want_to_learn_other=None, offered=True
    )
    assert missing == {"can_teach": "need_a_topic", "want_to_learn": "need_a_topic"}
    no_list = rules.validate_topics(
        can_teach=[], can_teach_other="", want_to_learn=[], want_to_learn_other="x" * 61, offered=False
    )
    assert no_list == {"can_teach_other": "need_a_topic", "want_to_learn_other": "topic_too_long"}


def test_picked_fields_must_be_offered() -> None:
    form = {Field.CAN_TEACH: ["Not offered"], Field.WANT_TO_LEARN: ["Governance"]}
    errors = rules.validate_step(Step.TOPICS, form, offered=["Governance"])
    assert errors == {"can_teach": "need_a_topic"}
    answers = rules.answers_of(Step.TOPICS, {**form, Field.CAN_TEACH_OTHER: "Canva"}, offered=["Governance"])
    assert answers == {"can_teach": ["Canva"], "want_to_learn": ["Governance"]}


@given(st.lists(st.sampled_from(rules.VALUES), unique=True, max_size=6))
def test_one_to_three_known_values(values: list[str]) -> None:
    errors = rules.validate_values(values=values)
    assert (errors == {}) == (1 <= len(values) <= 3)


def test_unknown_values_are_refused_and_answers_are_stable_keys() -> None:
    assert rules.validate_values(values=["Neugier"]) == {"values": "values_count"}
    form = {Field.VALUES: ["trust", "curiosity"]}
    assert rules.answers_of(Step.VALUES, form) == {"values": ["curiosity", "trust"]}


def test_style_and_availability_need_a_choice() -> None:
    assert rules.validate_style(learning_style="doing", mode="live", pace="steady", directness="gentle") == {}
    assert rules.validate_style(learning_style=None, mode="x", pace=None, directness=None) == {
        "learning_style": "choose",
        "mode": "choose",
        "pace": "choose",
        "directness": "choose",
    }
    assert rules.validate_availability(hours="2", days=["1", "3"]) == {}
    assert rules.validate_availability(hours="9", days=["8"]) == {
        "hours_per_week": "choose",
        "preferred_days": "choose",
    }
    assert rules.answers_of(Step.AVAILABILITY, {Field.HOURS: "5", Field.DAYS: ["4", "0", "4"]}) == {
        "hours_per_week": 5,
        "preferred_days": [0, 4],
    }


def test_own_working_days_are_optional_and_only_the_days_offered() -> None:
    base = {Field.HOURS: "2", Field.DAYS: ["1"]}
    for ticked in (None, [], ["5", "1", "5"], [str(d) for d in rules.WEEKDAYS]):
        assert rules.validate_step(Step.AVAILABILITY, {**base, Field.WORKING_DAYS: ticked}) == {}, ticked
    for forged in (["7"], ["1", "x"], ["-1"], "1", [None], 3):
        assert rules.validate_step(Step.AVAILABILITY, {**base, Field.WORKING_DAYS: forged}) == {
            "working_days": "working_days"
        }, forged
    answers = lambda form: rules.answers_of(Step.AVAILABILITY, {**base, **form})  # noqa: E731
    assert answers({Field.WORKING_DAYS: ["5", "1", "5"]})["working_days"] == [1, 5]
    assert answers({Field.WORKING_DAYS: []})["working_days"] is None  # none ticked: the program's days
    assert "working_days" not in answers({})  # a form without the question leaves them as they are


def test_own_working_days_are_named_by_babel_in_the_persons_language() -> None:
    for locale, monday, saturday in (("en", "Monday", "Saturday"), ("de", "Montag", "Samstag")):
        view = blocks.step_modal(locale, step=Step.AVAILABILITY, profile=FULL, offered=[], metadata={})
        [block] = [b for b in view["blocks"] if b.get("block_id") == ID.PROFILE_WORKING_DAYS]
        assert block["optional"] is True and block["element"]["type"] == "checkboxes"
        options = [(o["value"], o["text"]["text"]) for o in block["element"]["options"]]
        assert options[0] == ("0", monday) and options[5] == ("5", saturday) and len(options) == 7
        assert [o["value"] for o in block["element"]["initial_options"]] == ["1", "2", "3", "4", "5"]
        summary = str(blocks.summary_message(locale, profile=FULL, program="P")["blocks"])
        assert saturday in summary
    assert "the program's" in str(blocks.summary_message("en", profile=Profile(), program="P")["blocks"])
    assert blocks.error_messages("de", {"working_days": "working_days"}) == {
        "profile.working_days": "Bitte kreuze nur die angezeigten Tage an."
    }


def test_profile_validation_is_every_step_at_once() -> None:
    errors = rules.validate_profile({}, offered=["Governance"])
    assert set(errors) == {
        "self_description",
        "department",
        "can_teach",
        "want_to_learn",
        "learning_style",
        "mode",
        "pace",
        "directness",
        "values",
        "hours_per_week",
        "preferred_days",
        "tz",
        "locale",
    }


def test_the_private_steps_are_optional_and_nobody_names_themselves() -> None:
    assert rules.validate_step(Step.MANAGER, {}, me="U1") == {}  # nothing named: fine
    assert rules.validate_step(Step.AVOID, {Field.AVOID: []}, me="U1") == {}
    assert rules.validate_step(Step.MANAGER, {Field.MANAGER: "U1"}, me="U1") == {Field.MANAGER: "not_yourself"}
    assert rules.validate_step(Step.AVOID, {Field.AVOID: ["U2", "U1"]}, me="U1") == {Field.AVOID: "not_yourself"}
    many = [f"U{i}" for i in range(2, 3 + rules.AVOID_MAX)]
    assert rules.validate_step(Step.AVOID, {Field.AVOID: many}, me="U1") == {Field.AVOID: "too_many_people"}
    assert rules.answers_of(Step.MANAGER, {Field.MANAGER: "U9"}) == {"manager": "U9"}
    assert rules.answers_of(Step.MANAGER, {}) == {"manager": None}
    assert rules.answers_of(Step.AVOID, {Field.AVOID: ["U3", "U2", "U3", 7]}) == {"avoid": ["U3", "U2"]}
    # the profile editor checks them with everything else; an empty answer is no error
    assert not {Field.MANAGER, Field.AVOID} & set(rules.validate_profile({}, me="U1"))


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_private_steps_can_be_skipped_explain_who_sees_them_and_never_name_anyone(locale: str) -> None:
    profile = Profile(name="Ana", manager="U0BOSS", avoid=("U0X", "U0Y"))
    for step in (Step.MANAGER, Step.AVOID):
        message = blocks.step_message(locale, step=step, enrollment_id=7, profile=profile, program="P", now=NOW)
        actions = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [e["action_id"] for e in actions] == [ID.INTERVIEW_OPEN, ID.INTERVIEW_SKIP]
        assert {e["value"] for e in actions} == {f"7:{step}"}
        assert ":lock:" in str(message["blocks"])  # who sees it, and what it does
        answered = str(blocks.answered_message(locale, step=step, profile=profile))
        assert "U0BOSS" not in answered and "U0X" not in answered
    modal = blocks.step_modal(locale, step=Step.AVOID, profile=profile, offered=[], metadata={"e": 7, "s": "avoid"})
    element = next(b["element"] for b in modal["blocks"] if b["type"] == "input")
    assert element["type"] == "multi_users_select" and element["initial_users"] == ["U0X", "U0Y"]
    assert element["max_selected_items"] == rules.AVOID_MAX
    modal = blocks.step_modal(locale, step=Step.MANAGER, profile=profile, offered=[], metadata={})
    assert next(b["element"] for b in modal["blocks"] if b["type"] == "input")["initial_user"] == "U0BOSS"


# -- reminders ----------------------------------------------------------------------------------------------
ZONES = ["Europe/Berlin", "Europe/Lisbon", "America/New_York", "Asia/Singapore", "Asia/Kathmandu", "Pacific/Chatham"]


def test_reminders_after_two_and_five_days_in_local_daytime() -> None:
    quiet = NOW  # Monday 08:00 UTC; New York is at 03:00
    due = dict(last_activity_at=quiet, reminders_sent=0, last_reminder_at=None, tz="America/New_York")
    assert rules.reminder_due(now=quiet + timedelta(days=2) - timedelta(minutes=1), **due) is None
    assert rules.reminder_due(now=quiet + timedelta(days=2), **due) is None  # 03:00 in New York
    assert rules.reminder_due(now=quiet + timedelta(days=2, hours=6), **due) == 1  # 09:00 there
    first = quiet + timedelta(days=2, hours=6)
    second = dict(last_activity_at=quiet, reminders_sent=1, last_reminder_at=first, tz="America/New_York")
    assert rules.reminder_due(now=quiet + timedelta(days=4, hours=6), **second) is None
    assert rules.reminder_due(now=quiet + timedelta(days=5, hours=6), **second) == 2
    done = dict(last_activity_at=quiet, reminders_sent=2, last_reminder_at=first, tz="America/New_York")
    assert rules.reminder_due(now=quiet + timedelta(days=30, hours=6), **done) is None


def test_a_late_first_reminder_keeps_a_day_before_the_last() -> None:
    quiet = NOW
    late = quiet + timedelta(days=6, hours=2)  # the first one went out only on day 6 (10:00 Berlin)
    after = dict(last_activity_at=quiet, reminders_sent=1, last_reminder_at=late, tz="Europe/Berlin")
    assert rules.reminder_due(now=late + timedelta(hours=3), **after) is None
    assert rules.reminder_due(now=late + timedelta(days=1), **after) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
)
def test_a_quiet_person_gets_exactly_two_reminders_both_in_daytime(tz: str, start: datetime) -> None:
    quiet = start.replace(tzinfo=UTC)
    sent: list[datetime] = []
    now = quiet
    while now < quiet + timedelta(days=12):
        number = rules.reminder_due(
            last_activity_at=quiet,
            reminders_sent=len(sent),
            last_reminder_at=sent[-1] if sent else None,
            now=now,
            tz=tz,
        )
        if number is not None:
            assert number == len(sent) + 1
            sent.append(now)
        now += timedelta(minutes=15)
    assert len(sent) == 2
    for at in sent:
        local = at.astimezone(ZoneInfo(tz)).time()
        assert rules.DAYTIME_START <= local < rules.DAYTIME_END
    assert timedelta(days=2) <= sent[0] - quiet < timedelta(days=3)
    assert sent[1] - quiet >= timedelta(days=5) and sent[1] - sent[0] >= rules.REMINDER_MIN_GAP


@given(st.sampled_from(ZONES), st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_never_due_at_night(tz: str, moment: datetime) -> None:
    now = moment.replace(tzinfo=UTC)
    due = rules.reminder_due(
        last_activity_at=now - timedelta(days=10), reminders_sent=0, last_reminder_at=None, now=now, tz=tz
    )
    assert (due is not None) == rules.is_local_daytime(now, tz)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SWITCH_ZONES),
    moments(),
    st.integers(-1, 3),
    st.one_of(st.none(), st.integers(-3 * 86400, 8 * 86400)),
    st.integers(-86400, 10 * 86400),
    st.data(),
)
def test_reminder_next_is_the_first_moment_a_reminder_is_due(
    tz: str, quiet: datetime, sent: int, reminded: int | None, later: int, data: st.DataObject
) -> None:
    last = None if reminded is None else quiet + timedelta(seconds=reminded)
    due = dict(last_activity_at=quiet, reminders_sent=sent, last_reminder_at=last, tz=tz)
    now = quiet + timedelta(seconds=later)
    first = rules.reminder_next(now=now, **due)
    check_first(data, lambda when: rules.reminder_due(now=when, **due), now=now, first=first)
    assert (first is None) == (not 0 <= sent < len(rules.REMINDER_AFTER))


# -- rendering in both languages ----------------------------------------------------------------------------
FULL = Profile(
    name="<!channel> Ana",
    tz="Europe/Berlin",
    locale="en",
    role="both",
    self_description="I *love* <https://evil.example|links> & trying things",
    department="Comms & PR",
    curiosity=("AI <agents>",),
    can_teach=("Governance", "Canva"),
    want_to_learn=("Creator skills",),
    learning_style="talking",
    preferences={"mode": "mixed", "pace": "ambitious", "directness": "gentle"},
    values=("curiosity", "trust", "humour"),
    hours_per_week=5,
    preferred_days=(0, 6),
    working_days=(1, 2, 3, 4, 5),
    manager="U0BOSS",
    avoid=("U0X",),
)
OFFERED = ["Governance", "Creator skills", "x" * 60]


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_message_and_modal_is_valid_for_slack(locale: str) -> None:
    for step in rules.STEPS:
        message = blocks.step_message(locale, step=step, enrollment_id=7, profile=FULL, program="P" * 80, now=NOW)
        assert validate_blocks(message["blocks"], surface="message") == [], step
        assert (
            validate_blocks(blocks.answered_message(locale, step=step, profile=FULL)["blocks"], surface="message") == []
        )
        assert validate_blocks(blocks.moved_message(locale, step=step)["blocks"], surface="message") == []
        for number in (1, 2):
            reminder = blocks.reminder_message(
                locale, number=number, name="Ana", program="P", step=step, enrollment_id=7
            )
            assert validate_blocks(reminder["blocks"], surface="message") == []
    for step in rules.STEP_FIELDS:
        for offered in (OFFERED, []):
            view = blocks.step_modal(locale, step=step, profile=FULL, offered=offered, metadata={"e": 7, "s": step})
            assert validate_view(view) == [], step
    assert validate_view(blocks.profile_modal(locale, profile=FULL, offered=OFFERED, metadata={"p": 1})) == []
    assert validate_view(blocks.profile_modal(locale, profile=Profile(), offered=[], metadata={})) == []
    assert validate_blocks(blocks.summary_message(locale, profile=FULL, program="P")["blocks"], surface="message") == []


def test_the_summary_escapes_what_people_typed() -> None:
    text = str(blocks.summary_message("en", profile=FULL, program="<!here>")["blocks"])
    assert "<!channel>" not in text and "<!here>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; Ana" in text and "Comms &amp; PR" in text and "AI &lt;agents&gt;" in text


def test_every_error_key_has_wording_in_both_languages() -> None:
    keys = {"required", "choose", "too_short", "too_long", "unknown_tz", "too_many_topics", "topic_too_long"}
    keys |= {"need_a_topic", "values_count", "not_yourself", "too_many_people", "working_days"}
    for locale in ("en", "de"):
        for field in Field:
            for key in keys:
                assert blocks.error_messages(locale, {field: key})[blocks.field_id(field).value]
        assert "3" in blocks.error_messages(locale, {"values": "values_count"})["profile.values"]
        assert "20" in blocks.error_messages(locale, {"self_description": "too_short"})["profile.self_description"]
    assert i18n.template_blocks("en")["interview"] == i18n.template_blocks("de")["interview"]


def test_read_form_maps_state_to_fields() -> None:
    view = {
        "state": {
            "values": {
                "profile.tz": {"profile.tz": {"type": "plain_text_input", "value": "Berlin"}},
                "profile.values": {
                    "profile.values": {"type": "multi_static_select", "selected_options": [{"value": "trust"}]}
                },
                "other.block": {"x": {"type": "plain_text_input", "value": "ignored"}},
            }
        }
    }
    assert blocks.read_form(view) == {Field.TZ: "Berlin", Field.VALUES: ["trust"]}
