"""Drive a persona through the onboarding interview the way a person would: read the DM, click the step's
buttons, fill in its modals, and let the outbox deliver the next step (``stack.settle()``) in between.

For the end-to-end tests and the demo. Nothing here reads the database: what to do next comes from what the
persona sees in Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.interview import Step, parse_step_ref
from bot.ids import ID
from bot.sandbox.blockkit import iter_action_elements
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack

ROLE_ACTIONS = {
    "digital": ID.INTERVIEW_ROLE_DIGITAL,
    "context": ID.INTERVIEW_ROLE_CONTEXT,
    "both": ID.INTERVIEW_ROLE_BOTH,
}


@dataclass
class InterviewAnswers:
    """What a persona answers. ``tz``/``locale`` set: they correct Slack's settings in the modal."""

    tz: str | None = None
    locale: str | None = None
    role: str = "digital"
    self_description: str = "I look after our customer newsletter and love trying out new tools with the team."
    department: str = "Communications"
    curiosity: str = "AI assistants, short video"
    # Learning fields to pick (values as the program names them); None picks the first / last one offered.
    can_teach: Sequence[str] | None = None
    can_teach_other: str = ""
    want_to_learn: Sequence[str] | None = None
    want_to_learn_other: str = ""
    learning_style: str = "doing"
    mode: str = "async"
    pace: str = "steady"
    directness: str = "balanced"
    values: Sequence[str] = ("curiosity", "trust")
    hours_per_week: int = 2
    preferred_days: Sequence[int] = (1, 3)
    # The region whose public holidays count, as the availability form's option value ("DE-BY"); None: none picked.
    region: str | None = None
    # Their own working days (weekday numbers) ticked in the availability form; None: none ticked (the program's).
    working_days: Sequence[int] | None = None
    # Typed when the program offers no learning fields to pick from and nothing else was given.
    fallback_topic: str = "Working out loud"
    # The optional, private steps: their manager's Slack id and who they'd rather not be paired with (Slack ids);
    # left empty, the persona presses "skip".
    manager: str | None = None
    avoid: Sequence[str] = ()


class InterviewError(RuntimeError):
    """The interview did not go as a person would expect (a modal refused the answers, no progress)."""


def _elements(message: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return list(iter_action_elements(message.get("blocks") or []))


def _step_of(message: dict[str, Any]) -> Step | None:
    """The step a message asks, if its buttons are still there."""
    for block, element in _elements(message):
        if block.get("block_id") == ID.INTERVIEW_STEP and element.get("value"):
            ref = parse_step_ref(element["value"])
            if ref is not None:
                return ref[1]
    return None


def _is_reminder(message: dict[str, Any]) -> bool:
    return any(element.get("action_id") == ID.INTERVIEW_CONTINUE for _, element in _elements(message))


def current_step(persona: Persona) -> tuple[Step, dict[str, Any]] | None:
    """The step whose buttons are live in the persona's DM (the newest such message), or None."""
    for message in reversed(persona.dm_messages()):
        step = _step_of(message)
        if step is not None:
            return step, message
    return None


def _newest_reminder(persona: Persona) -> dict[str, Any] | None:
    for message in reversed(persona.dm_messages()):
        if _is_reminder(message):
            return message
    return None


def _ts(message: dict[str, Any]) -> float:
    return float(message["ts"])


def _open_modal(persona: Persona, action_id: str, message: dict[str, Any]) -> dict[str, Any]:
    delivery = persona.click(action_id, message=message)
    if not delivery.ok:
        raise InterviewError(f"{persona.name}: clicking {action_id} failed ({delivery.status})")
    views = [v for v in persona.open_views() if v.get("callback_id") == ID.INTERVIEW_MODAL]
    if not views:
        raise InterviewError(f"{persona.name}: {action_id} opened no modal")
    return views[-1]


def _submit(persona: Persona, step: Step, view: dict[str, Any], values: dict[str, Any]) -> None:
    present = {element["action_id"] for _, element in iter_action_elements(view.get("blocks") or [])}
    delivery = persona.submit(view["id"], {k: v for k, v in values.items() if k in present})
    answer = delivery.json() or {}
    if not delivery.ok or answer.get("response_action") == "errors":
        raise InterviewError(f"{persona.name}: step {step} was refused: {answer.get('errors') or delivery.status}")


def _options(view: dict[str, Any], action_id: str) -> list[str]:
    for _, element in iter_action_elements(view.get("blocks") or []):
        if element.get("action_id") == action_id:
            return [o["value"] for o in element.get("options", [])]
    return []


def _topics(view: dict[str, Any], answers: InterviewAnswers) -> dict[str, Any]:
    values: dict[str, Any] = {}
    sides = (
        (ID.PROFILE_CAN_TEACH, ID.PROFILE_CAN_TEACH_OTHER, answers.can_teach, answers.can_teach_other, 0),
        (
            ID.PROFILE_WANT_TO_LEARN,
            ID.PROFILE_WANT_TO_LEARN_OTHER,
            answers.want_to_learn,
            answers.want_to_learn_other,
            -1,
        ),
    )
    for pick_id, other_id, picks, other, default_index in sides:
        offered = _options(view, pick_id)
        chosen = list(picks) if picks is not None else ([offered[default_index]] if offered else [])
        if offered:
            values[pick_id] = chosen
        if not other and not (offered and chosen):
            other = answers.fallback_topic
        values[other_id] = other or None
    return values


def _answer(persona: Persona, step: Step, message: dict[str, Any], answers: InterviewAnswers) -> None:
    def click(action_id: str) -> None:
        delivery = persona.click(action_id, message=message)
        if not delivery.ok:
            raise InterviewError(f"{persona.name}: clicking {action_id} failed ({delivery.status})")

    if step is Step.SETTINGS:
        if answers.tz is None and answers.locale is None:
            click(ID.INTERVIEW_SETTINGS_OK)
            return
        view = _open_modal(persona, ID.INTERVIEW_SETTINGS_CHANGE, message)
        corrected: dict[str, Any] = {}
        if answers.tz is not None:
            corrected[ID.PROFILE_TZ] = answers.tz
        if answers.locale is not None:
            corrected[ID.PROFILE_LOCALE] = answers.locale
        _submit(persona, step, view, corrected)
    elif step is Step.ROLE:
        click(ROLE_ACTIONS[answers.role])
    elif step is Step.AGREEMENT:
        click(ID.INTERVIEW_AGREE)
    elif (step is Step.MANAGER and not answers.manager) or (step is Step.AVOID and not answers.avoid):
        click(ID.INTERVIEW_SKIP)
    else:
        view = _open_modal(persona, ID.INTERVIEW_OPEN, message)
        values: dict[str, Any]
        if step is Step.ABOUT:
            values = {
                ID.PROFILE_SELF_DESCRIPTION: answers.self_description,
                ID.PROFILE_DEPARTMENT: answers.department,
                ID.PROFILE_CURIOSITY: answers.curiosity or None,
            }
        elif step is Step.TOPICS:
            values = _topics(view, answers)
        elif step is Step.STYLE:
            values = {
                ID.PROFILE_LEARNING_STYLE: answers.learning_style,
                ID.PROFILE_MODE: answers.mode,
                ID.PROFILE_PACE: answers.pace,
                ID.PROFILE_DIRECTNESS: answers.directness,
            }
        elif step is Step.VALUES:
            values = {ID.PROFILE_VALUES: list(answers.values)}
        elif step is Step.AVAILABILITY:
            values = {
                ID.PROFILE_HOURS: str(answers.hours_per_week),
                ID.PROFILE_DAYS: [str(d) for d in answers.preferred_days],
            }
            if answers.region is not None:
                values[ID.PROFILE_REGION] = answers.region
            if answers.working_days is not None:
                values[ID.PROFILE_WORKING_DAYS] = [str(d) for d in answers.working_days]
        elif step is Step.MANAGER:
            values = {ID.PROFILE_MANAGER: answers.manager}
        elif step is Step.AVOID:
            values = {ID.PROFILE_AVOID: list(answers.avoid)}
        else:
            raise InterviewError(f"unknown step {step}")
        _submit(persona, step, view, {str(k): v for k, v in values.items()})


def answer_interview(
    stack: LocalStack,
    persona: Persona,
    answers: InterviewAnswers | None = None,
    *,
    stop_after: str | Step | None = None,
) -> Step:
    """Answer the persona's interview from the step their DM shows, up to the end or until ``stop_after``
    is answered. A reminder newer than the current step is answered with its "Continue" button first, as a
    person coming back would. Returns the step the persona is on afterwards (``Step.DONE`` when finished)."""
    answers = answers or InterviewAnswers()
    stop = Step(stop_after) if stop_after is not None else None
    stack.settle()
    clicked_reminders: set[str] = set()
    last_ts: str | None = None
    for _ in range(4 * len(Step)):
        found = current_step(persona)
        if found is None:
            return Step.DONE
        step, message = found
        reminder = _newest_reminder(persona)
        if reminder is not None and reminder["ts"] not in clicked_reminders and _ts(reminder) > _ts(message):
            clicked_reminders.add(reminder["ts"])
            persona.click(ID.INTERVIEW_CONTINUE, message=reminder)
            stack.settle()
            continue
        if message["ts"] == last_ts:
            raise InterviewError(f"{persona.name}: step {step} did not move on")
        last_ts = message["ts"]
        _answer(persona, step, message, answers)
        stack.settle()
        if stop is not None and step is stop:
            found = current_step(persona)
            return found[0] if found else Step.DONE
    raise InterviewError(f"{persona.name}: the interview did not finish")
