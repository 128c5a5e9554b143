"""The onboarding interview and the profile editor: step DMs, their modals, reminders and the summary.

Pure renderers: a ``Profile`` (bot.domain.interview) and plain values in, Block Kit out. Wording comes from
``templates/<locale>/interview.j2``; everything a person typed is escaped by ``i18n.text``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain import interview as rules
from bot.domain import worktime
from bot.domain.interview import Field, Profile, Step
from bot.ids import ID

TEMPLATE = "interview"

# The button (or buttons) of each step's DM; modal steps have one button that opens their modal.
ROLE_BUTTONS = (
    ("digital", ID.INTERVIEW_ROLE_DIGITAL),
    ("context", ID.INTERVIEW_ROLE_CONTEXT),
    ("both", ID.INTERVIEW_ROLE_BOTH),
)
_FIELD_NAMES = frozenset(f.value for f in Field)


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, TEMPLATE, block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, TEMPLATE, block, **context)


def field_id(field: Field) -> ID:
    """The block_id and action_id of ``field``'s input."""
    return ID(f"profile.{field}")


# -- labels for stored keys ---------------------------------------------------------------------------------
def step_title(locale: str, step: Step) -> str:
    return _p(locale, f"title_{step}")


def language_label(locale: str, language: str) -> str:
    return _p(locale, f"lang_{language if language in rules.LOCALES else 'en'}")


def role_label(locale: str, role: str | None) -> str:
    return _p(locale, f"role_{role}") if role in rules.ROLES else "–"


def value_labels(locale: str, values: Iterable[str]) -> list[str]:
    return [_p(locale, f"value_{v}") for v in values if v in rules.VALUES]


def hours_label(locale: str, hours: int | None) -> str:
    return _p(locale, "hours", n=hours) if hours in rules.HOURS else "–"


def days_label(locale: str, days: Iterable[int]) -> str:
    return ", ".join(_p(locale, f"day_{d}") for d in days if d in rules.WEEKDAYS) or "–"


def working_days_label(locale: str, days: Iterable[int]) -> str:
    """A person's own working days, by their names in ``locale`` (Babel); none: the program's."""
    named = [i18n.weekday(d, locale) for d in sorted(set(days)) if d in rules.WEEKDAYS]
    return ", ".join(named) or _p(locale, "working_days_program")


def style_label(locale: str, profile: Profile) -> str:
    if profile.learning_style not in rules.LEARNING_STYLES:
        return "–"
    return _p(locale, f"style_{profile.learning_style}")


def preferences_label(locale: str, preferences: dict[str, str]) -> str:
    return " · ".join(
        _p(locale, f"{key}_{preferences[key]}")
        for key in rules.PREFERENCE_KEYS
        if preferences.get(key) in rules.PREFERENCE_OPTIONS[key]
    )


def _options(locale: str, prefix: str, keys: Iterable[Any]) -> list[dict[str, Any]]:
    return [inputs.option(_p(locale, f"{prefix}_{key}"), str(key)) for key in keys]


# -- the step DMs -------------------------------------------------------------------------------------------
def _heading(locale: str, step: Step) -> str:
    progress = _p(locale, "progress", n=rules.step_number(step), total=len(rules.STEPS))
    return _t(locale, "step_heading", progress=progress, title=step_title(locale, step))


def step_message(
    locale: str, *, step: Step, enrollment_id: int, profile: Profile, program: str, now: datetime
) -> dict[str, Any]:
    """The DM that asks ``step``: its question and its buttons (each carrying ``"<enrollment>:<step>"``)."""
    value = rules.step_ref(enrollment_id, step)
    heading = _heading(locale, step)
    blocks: list[kit.Block] = []
    if step is Step.SETTINGS:
        local = now.astimezone(ZoneInfo(profile.tz)).strftime("%H:%M")
        blocks += [
            kit.section(_t(locale, "settings_intro", name=profile.name, program=program, total=len(rules.STEPS))),
            kit.section(
                heading
                + "\n"
                + _t(
                    locale,
                    "settings_ask",
                    tz=profile.tz,
                    local_time=local,
                    language=language_label(locale, profile.locale),
                )
            ),
            kit.actions(
                kit.button(_p(locale, "btn_settings_ok"), ID.INTERVIEW_SETTINGS_OK, value=value, style="primary"),
                kit.button(_p(locale, "btn_settings_change"), ID.INTERVIEW_SETTINGS_CHANGE, value=value),
                block_id=ID.INTERVIEW_STEP,
            ),
            kit.context(_t(locale, "later_hint")),
        ]
    elif step is Step.ROLE:
        blocks += [
            kit.section(heading + "\n" + _t(locale, "role_ask")),
            kit.context(_t(locale, "role_hint")),
            kit.actions(
                *(kit.button(role_label(locale, role), action, value=value) for role, action in ROLE_BUTTONS),
                block_id=ID.INTERVIEW_STEP,
            ),
        ]
    elif step is Step.AGREEMENT:
        blocks += [
            kit.section(heading + "\n" + _t(locale, "agreement_ask")),
            kit.actions(
                kit.button(_p(locale, "btn_agree"), ID.INTERVIEW_AGREE, value=value, style="primary"),
                block_id=ID.INTERVIEW_STEP,
            ),
        ]
    elif step in rules.SKIPPABLE:
        blocks += [
            kit.section(heading + "\n" + _t(locale, f"{step}_ask")),
            kit.context(_t(locale, f"{step}_private")),
            kit.actions(
                kit.button(_p(locale, f"btn_{step}"), ID.INTERVIEW_OPEN, value=value, style="primary"),
                kit.button(_p(locale, f"btn_skip_{step}"), ID.INTERVIEW_SKIP, value=value),
                block_id=ID.INTERVIEW_STEP,
            ),
        ]
    elif step in rules.MODAL_STEPS:
        blocks += [
            kit.section(heading + "\n" + _t(locale, f"{step}_ask")),
            kit.actions(
                kit.button(_p(locale, f"btn_{step}"), ID.INTERVIEW_OPEN, value=value, style="primary"),
                block_id=ID.INTERVIEW_STEP,
            ),
        ]
    else:
        raise ValueError(f"no message for step {step!r}")
    fallback = _p(
        locale,
        "fallback_step",
        n=rules.step_number(step),
        total=len(rules.STEPS),
        title=step_title(locale, step),
    )
    return kit.message(fallback, blocks)


def _answer_detail(locale: str, step: Step, profile: Profile) -> str:
    if step is Step.SETTINGS:
        return _p(locale, "answered_settings", tz=profile.tz, language=language_label(locale, profile.locale))
    if step is Step.ROLE:
        return role_label(locale, profile.role)
    if step is Step.STYLE:
        return style_label(locale, profile)
    if step is Step.VALUES:
        return ", ".join(value_labels(locale, profile.values))
    if step is Step.AVAILABILITY:
        return f"{hours_label(locale, profile.hours_per_week)} · {days_label(locale, profile.preferred_days)}"
    if step is Step.AGREEMENT:
        return _p(locale, "answered_agreed")
    if step is Step.MANAGER:  # never a name here: only whether they named someone
        return _p(locale, "answered_saved" if profile.manager else "answered_nobody")
    if step is Step.AVOID:
        return _p(locale, "answered_people", n=len(profile.avoid)) if profile.avoid else _p(locale, "answered_nobody")
    return _p(locale, "answered_saved")


def answered_message(locale: str, *, step: Step, profile: Profile) -> dict[str, Any]:
    """What an answered step's DM becomes: one line, no buttons."""
    text = _t(locale, "answered", title=step_title(locale, step), detail=_answer_detail(locale, step, profile))
    return kit.message(text, [kit.section(text)])


def moved_message(locale: str, *, step: Step) -> dict[str, Any]:
    """What an earlier copy of the current step becomes when the step is shown again further down."""
    text = _t(locale, "moved")
    return kit.message(text, [kit.context(_heading(locale, step)), kit.context(text)])


def not_yours(locale: str) -> dict[str, Any]:
    """A step's button or modal that belongs to someone else's interview: said to the clicker alone."""
    text = _t(locale, "not_yours")
    return kit.message(text, [kit.section(text)])


def not_yours_errors(locale: str, view: dict[str, Any]) -> dict[str, str]:
    """The same, on the modal's first input (the modal stays open; nothing is saved)."""
    first = next((b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"), None)
    return {str(first): _p(locale, "not_yours")} if first else {}


def reminder_message(
    locale: str, *, number: int, name: str, program: str, step: Step, enrollment_id: int
) -> dict[str, Any]:
    text = _t(
        locale,
        f"reminder_{number}",
        name=name,
        program=program,
        n=rules.step_number(step),
        total=len(rules.STEPS),
    )
    return kit.message(
        _p(locale, "reminder_fallback"),
        [
            kit.section(text),
            kit.actions(
                kit.button(_p(locale, "btn_continue"), ID.INTERVIEW_CONTINUE, value=str(enrollment_id), style="primary")
            ),
        ],
    )


def nothing_to_continue(locale: str) -> dict[str, Any]:
    text = _t(locale, "nothing_to_continue")
    return kit.message(text, [kit.section(text)])


def summary_message(locale: str, *, profile: Profile, program: str) -> dict[str, Any]:
    """The warm "you're all set" with everything the person told us (escaped)."""
    summary = _t(
        locale,
        "done_summary",
        role=role_label(locale, profile.role),
        self_description=profile.self_description or "–",
        department=profile.department or "–",
        curiosity=", ".join(profile.curiosity),
        can_teach=", ".join(profile.can_teach) or "–",
        want_to_learn=", ".join(profile.want_to_learn) or "–",
        learning_style=style_label(locale, profile),
        preferences=preferences_label(locale, profile.preferences),
        values=", ".join(value_labels(locale, profile.values)) or "–",
        hours=hours_label(locale, profile.hours_per_week),
        days=days_label(locale, profile.preferred_days),
        working_days=working_days_label(locale, profile.working_days),
        tz=profile.tz,
        language=language_label(locale, profile.locale),
        manager=profile.manager,
        avoid=len(profile.avoid),
    )
    return kit.message(
        _p(locale, "done_fallback", name=profile.name),
        [
            kit.section(_t(locale, "done_intro", name=profile.name, program=program)),
            kit.section(summary),
            kit.context(_t(locale, "done_next")),
        ],
    )


# -- forms --------------------------------------------------------------------------------------------------
def _topics_hint(locale: str) -> str:
    return _p(locale, "hint_topics", max=rules.TOPICS_MAX, length=rules.TOPIC_MAX)


def _input(locale: str, field: Field, profile: Profile, offered: list[str]) -> kit.Block | None:
    """The input block for ``field``, prefilled from ``profile``; None when there is nothing to show."""
    block_id = field_id(field)
    label = _p(locale, f"label_{field}")
    if field is Field.TZ:
        element = inputs.text_input(
            initial=profile.tz, max_length=rules.TZ_TEXT_MAX, placeholder=_p(locale, "placeholder_tz")
        )
        return inputs.input_block(block_id, _p(locale, "label_tz"), element, hint=_p(locale, "hint_tz"))
    if field is Field.LOCALE:
        options = [inputs.option(language_label(locale, lang), lang) for lang in rules.LOCALES]
        return inputs.input_block(block_id, label, kit.radio_buttons(options, initial=profile.locale))
    if field is Field.SELF_DESCRIPTION:
        element = inputs.text_input(
            initial=profile.self_description, multiline=True, max_length=rules.SELF_DESCRIPTION_MAX
        )
        hint = _p(locale, "hint_self_description", min=rules.SELF_DESCRIPTION_MIN, max=rules.SELF_DESCRIPTION_MAX)
        return inputs.input_block(block_id, label, element, hint=hint)
    if field is Field.DEPARTMENT:
        element = inputs.text_input(
            initial=profile.department,
            max_length=rules.DEPARTMENT_MAX,
            placeholder=_p(locale, "placeholder_department"),
        )
        return inputs.input_block(block_id, label, element)
    if field is Field.CURIOSITY:
        element = inputs.text_input(initial=", ".join(profile.curiosity) or None, max_length=rules.TOPICS_TEXT_MAX)
        return inputs.input_block(block_id, label, element, optional=True, hint=_topics_hint(locale))
    if field in (Field.CAN_TEACH, Field.WANT_TO_LEARN):
        if not offered:
            return None
        stored = profile.can_teach if field is Field.CAN_TEACH else profile.want_to_learn
        chosen, _ = rules.split_chosen(stored, offered)
        options = [inputs.option(f, f) for f in offered]
        element = kit.multi_select(options, initial=chosen, placeholder=_p(locale, "placeholder_pick"))
        return inputs.input_block(block_id, label, element, optional=True)
    if field in (Field.CAN_TEACH_OTHER, Field.WANT_TO_LEARN_OTHER):
        stored = profile.can_teach if field is Field.CAN_TEACH_OTHER else profile.want_to_learn
        _, other = rules.split_chosen(stored, offered)
        element = inputs.text_input(initial=", ".join(other) or None, max_length=rules.TOPICS_TEXT_MAX)
        return inputs.input_block(block_id, label, element, optional=True, hint=_topics_hint(locale))
    if field is Field.LEARNING_STYLE:
        options = _options(locale, "style", rules.LEARNING_STYLES)
        return inputs.input_block(block_id, label, kit.radio_buttons(options, initial=profile.learning_style))
    if field in (Field.MODE, Field.PACE, Field.DIRECTNESS):
        options = _options(locale, str(field), rules.PREFERENCE_OPTIONS[field])
        element = kit.radio_buttons(options, initial=profile.preferences.get(field))
        return inputs.input_block(block_id, label, element)
    if field is Field.VALUES:
        options = _options(locale, "value", rules.VALUES)
        element = kit.multi_select(
            options,
            initial=list(profile.values),
            max_selected=rules.VALUES_MAX,
            placeholder=_p(locale, "placeholder_pick"),
        )
        return inputs.input_block(block_id, label, element)
    if field is Field.HOURS:
        options = [inputs.option(hours_label(locale, h), str(h)) for h in rules.HOURS]
        initial = str(profile.hours_per_week) if profile.hours_per_week else None
        element = inputs.static_select(options, initial=initial, placeholder=_p(locale, "placeholder_pick"))
        return inputs.input_block(block_id, label, element)
    if field is Field.DAYS:
        options = [inputs.option(_p(locale, f"day_{d}"), str(d)) for d in rules.WEEKDAYS]
        element = inputs.checkboxes(options, checked=[str(d) for d in profile.preferred_days])
        return inputs.input_block(block_id, label, element)
    if field is Field.WORKING_DAYS:
        options = [inputs.option(i18n.weekday(d, locale), str(d)) for d in rules.WEEKDAYS]
        element = inputs.checkboxes(options, checked=[str(d) for d in profile.working_days])
        return inputs.input_block(block_id, label, element, optional=True, hint=_p(locale, "hint_working_days"))
    if field is Field.REGION:
        country = worktime.country_of(profile.tz, profile.country)
        regions = worktime.regions(country)
        if country is None or not regions:
            return None
        options = [inputs.option(name, worktime.region_choice(country, code)) for code, name in regions]
        initial = worktime.region_choice(country, profile.region) if profile.region else None
        element = inputs.static_select(options, initial=initial, placeholder=_p(locale, "placeholder_region"))
        return inputs.input_block(block_id, label, element, optional=True, hint=_p(locale, "hint_region"))
    if field is Field.MANAGER:
        element = inputs.user_select(initial=profile.manager, placeholder=_p(locale, "placeholder_person"))
        return inputs.input_block(block_id, label, element, optional=True, hint=_p(locale, "hint_manager"))
    if field is Field.AVOID:
        element = inputs.people_select(
            initial=list(profile.avoid), max_selected=rules.AVOID_MAX, placeholder=_p(locale, "placeholder_people")
        )
        hint = _p(locale, "hint_avoid", max=rules.AVOID_MAX)
        return inputs.input_block(block_id, label, element, optional=True, hint=hint)
    raise ValueError(f"no input for {field!r}")


def _inputs(locale: str, fields: Iterable[Field], profile: Profile, offered: list[str]) -> list[kit.Block]:
    return [b for b in (_input(locale, f, profile, offered) for f in fields) if b is not None]


def step_modal(
    locale: str, *, step: Step, profile: Profile, offered: list[str], metadata: dict[str, Any]
) -> dict[str, Any]:
    """The modal of a step (SETTINGS: the correction of time zone and language), prefilled. The private steps say
    who sees the answer (nobody) and what it does."""
    blocks = [kit.section(_heading(locale, step))]
    if step in rules.SKIPPABLE:
        blocks.append(kit.context(_t(locale, f"{step}_private")))
    blocks += _inputs(locale, rules.STEP_FIELDS[step], profile, offered)
    return kit.modal(
        title=step_title(locale, step),
        submit=_p(locale, "modal_submit"),
        close=_p(locale, "modal_close"),
        blocks=blocks,
        callback_id=ID.INTERVIEW_MODAL,
        private_metadata=json.dumps(metadata, separators=(",", ":")),
    )


def profile_modal(locale: str, *, profile: Profile, offered: list[str], metadata: dict[str, Any]) -> dict[str, Any]:
    """Every answer of the interview in one modal, prefilled, for App Home's "Edit profile"; the private answers
    (manager, "please not") last, under a line that says who sees them (nobody) and what they do."""
    public = [f for f in rules.PROFILE_FIELDS if f not in rules.PRIVATE_FIELDS]
    private = [f for f in rules.PROFILE_FIELDS if f in rules.PRIVATE_FIELDS]
    blocks = [
        kit.section(_t(locale, "profile_intro")),
        *_inputs(locale, public, profile, offered),
        kit.divider(),
        kit.section(_t(locale, "profile_private")),
        *_inputs(locale, private, profile, offered),
    ]
    return kit.modal(
        title=_p(locale, "profile_title"),
        submit=_p(locale, "modal_submit"),
        close=_p(locale, "modal_close"),
        blocks=blocks,
        callback_id=ID.PROFILE_MODAL,
        private_metadata=json.dumps(metadata, separators=(",", ":")),
    )


def read_form(view: dict[str, Any]) -> dict[Field, Any]:
    """A submitted interview or profile modal as ``{Field: raw value}`` (text, option value or list)."""
    form: dict[Field, Any] = {}
    for block_id, value in inputs.state_values(view).items():
        name = block_id.removeprefix("profile.")
        if block_id.startswith("profile.") and name in _FIELD_NAMES:
            form[Field(name)] = value
    return form


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def error_messages(locale: str, errors: dict[str, str]) -> dict[str, str]:
    """``{field: error_key}`` -> ``{block_id: message}`` for ``response_action: errors``."""
    out: dict[str, str] = {}
    for name, key in errors.items():
        field = Field(name)
        low, high = rules.LIMITS.get(field, (0, 0))
        out[field_id(field).value] = _p(locale, f"error_{key}", min=low, max=high, length=rules.TOPIC_MAX)
    return out
