"""Hosts' surfaces: refusals, the program card, the program and invite modals, summaries and the digest."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import ConfirmObject

from bot import i18n
from bot.blocks import inputs, kit
from bot.blocks.programs import date_text, fields_text, local_day_text, rhythm_text, status_text, weekday_text
from bot.domain import monitoring, orgchart, retention
from bot.domain.programs import FOCUS_MAX, NAME_MAX, OnboardingCounts
from bot.ids import ID
from bot.models import Program, ProgramStatus


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    """A one-section message from templates/<locale>/admin.j2."""
    text = i18n.text(locale, "admin", block, **context)
    return kit.message(text, [kit.section(text)])


def problems_text(locale: str, problems: Iterable[str]) -> str:
    """What is wrong with the admin channel, in words: "public and archived"."""
    words = [i18n.plain(locale, "admin", f"problem_{p}") for p in problems]
    if len(words) <= 1:
        return "".join(words)
    return i18n.plain(locale, "admin", "problem_and", first=", ".join(words[:-1]), last=words[-1])


def channel_unsafe(locale: str, *, channel: str, problems: Iterable[str]) -> dict[str, Any]:
    """The refusal of a host action while the admin channel is public, archived or shared."""
    return note(locale, "channel_unsafe", channel=channel, what=problems_text(locale, problems))


def channel_unsafe_dm(locale: str, *, channel: str, problems: Iterable[str]) -> dict[str, Any]:
    """The hosts' DM, once, when the admin channel is first seen public, archived or shared: how to fix it."""
    problems = [str(p) for p in problems]
    text = i18n.text(locale, "admin", "unsafe_dm", channel=channel, what=problems_text(locale, problems))
    steps = i18n.text(locale, "admin", "unsafe_dm_fix", problems=problems)
    return kit.message(text, [kit.section(text), kit.section(steps)])


def channel_restored(locale: str, *, joined: list[str]) -> dict[str, Any]:
    """In the admin channel when it is private, not archived and not shared again."""
    text = i18n.text(locale, "admin", "channel_restored", joined=joined)
    return kit.message(text, [kit.section(text)])


def admin_help(locale: str, *, preface: str | None = None) -> dict[str, Any]:
    text = i18n.text(locale, "admin", "help_title") + "\n" + i18n.text(locale, "admin", "help_lines")
    blocks = [kit.section(preface)] if preface else []
    return kit.message(text, [*blocks, kit.section(text)])


def counts_text(locale: str, counts: OnboardingCounts) -> str:
    return i18n.text(locale, "admin", "counts", **counts.as_dict())


def _program_blocks(locale: str, program: Program, counts: OnboardingCounts) -> list[kit.Block]:
    signup = i18n.plain(locale, "admin", "signup_on") if program.signup_open else ""
    details = i18n.text(
        locale,
        "admin",
        "card_details",
        fields=fields_text(program),
        start=date_text(locale, program.start_date),
        weeks=program.duration_weeks,
        rhythm=rhythm_text(locale, program.rhythm),
        weekday=weekday_text(locale, program.prompt_weekday),
        hour=f"{program.prompt_hour:02d}",
        trial=program.trial_weeks,
        retention=program.retention_months,
        signup=signup,
    )
    if program.match_on is not None and program.match_ran_on != program.match_on:
        details += "\n" + i18n.text(
            locale, "admin", "card_match_on", date=date_text(locale, program.match_on), tz=program.timezone
        )
    blocks = [
        kit.section(
            i18n.text(locale, "admin", "card", name=program.name, status=status_text(locale, program.status))
            + "\n"
            + details
        ),
        kit.context(counts_text(locale, counts)),
    ]
    buttons = _program_buttons(locale, program)
    if buttons:
        blocks.append(kit.actions(*buttons))
    return blocks


def _program_buttons(locale: str, program: Program) -> list[Any]:
    value = str(program.id)
    label = lambda key: i18n.plain(locale, "admin", key)  # noqa: E731
    if program.status == ProgramStatus.CLOSED:
        return [kit.button(label("btn_next_cohort"), ID.COHORT_NEXT, value=value)]
    buttons = []
    if program.status == ProgramStatus.ACTIVE:
        buttons.append(kit.button(label("btn_invite"), ID.PROGRAM_INVITE, value=value, style="primary"))
        buttons.append(kit.button(label("btn_speed"), ID.SPEED_START, value=value))
        buttons.append(kit.button(label("btn_match"), ID.MATCH_RUN, value=value))
        buttons.append(kit.button(label("btn_weights"), ID.MATCH_WEIGHTS, value=value))
    buttons.append(kit.button(label("btn_edit"), ID.PROGRAM_EDIT, value=value))
    buttons.append(kit.button(label("btn_agreement"), ID.AGREEMENT_TEMPLATE, value=value))
    buttons.append(kit.button(i18n.plain(locale, "kickoff", "btn_texts"), ID.KIT_TEXTS, value=value))
    buttons.append(kit.button(i18n.plain(locale, "kickoff", "btn_circle"), ID.CIRCLE_SETTINGS, value=value))
    buttons.append(kit.button(label("btn_impact"), ID.METRICS_OPEN, value=value))
    buttons.append(kit.button(label("btn_next_cohort"), ID.COHORT_NEXT, value=value))
    buttons.append(kit.button(label("btn_retro"), ID.RETRO_SETTINGS, value=value))
    buttons.append(kit.button(label("btn_pulse"), ID.POLL_SETTINGS, value=value))
    buttons.append(kit.button(label("btn_notice"), ID.PROGRAM_NOTICE, value=value))
    buttons.append(kit.button(label("btn_works_agreement"), ID.PROGRAM_WORKS_AGREEMENT, value=value))
    if program.status == ProgramStatus.ACTIVE:
        buttons.append(
            kit.button(
                label("btn_signup_close" if program.signup_open else "btn_signup_open"), ID.PROGRAM_SIGNUP, value=value
            )
        )
        buttons.append(kit.button(label("btn_pause"), ID.PROGRAM_PAUSE, value=value))
    else:
        buttons.append(kit.button(label("btn_resume"), ID.PROGRAM_RESUME, value=value))
    close = kit.button(label("btn_close"), ID.PROGRAM_CLOSE, value=value, style="danger")
    close.confirm = ConfirmObject(
        title=label("close_confirm_title"),
        text=label("close_confirm_text"),
        confirm=label("close_confirm_yes"),
        deny=label("close_confirm_no"),
    )
    buttons.append(close)
    return buttons


def program_event(locale: str, block: str, *, program: Program, host_id: str, counts: OnboardingCounts) -> dict:
    """An announcement in the admin channel (created, updated, paused, ...) with the program card."""
    headline = i18n.text(locale, "admin", block, host=host_id, name=program.name)
    return kit.message(headline, [kit.section(headline), *_program_blocks(locale, program, counts)])


def program_list(locale: str, programs: list[tuple[Program, OnboardingCounts]]) -> dict[str, Any]:
    if not programs:
        return note(locale, "no_programs")
    blocks: list[kit.Block] = []
    shown = 0
    for program, counts in programs:
        card = [kit.divider()] if blocks else []
        card += _program_blocks(locale, program, counts)
        if len(blocks) + len(card) > kit.MESSAGE_BLOCKS_MAX - 1:  # one left for the line about the rest
            break
        blocks += card
        shown += 1
    if shown < len(programs):
        blocks.append(kit.context(i18n.text(locale, "admin", "list_more", n=len(programs) - shown)))
    return kit.message(", ".join(p.name for p, _ in programs), blocks)


def _hours(locale: str) -> list[dict[str, Any]]:
    return [inputs.option(f"{h:02d}:00", str(h)) for h in range(6, 22)]


def program_modal(
    locale: str, *, program: Program | None, default_focus: str, private_metadata: dict[str, Any]
) -> dict[str, Any]:
    """Create (program=None) or edit a program."""
    t = lambda key: i18n.plain(locale, "program", key)  # noqa: E731
    p = program
    rhythms = [inputs.option(i18n.plain(locale, "admin", f"rhythm_{r}"), r) for r in ("weekly", "biweekly")]
    weekdays = [inputs.option(i18n.weekday(d, locale), str(d)) for d in range(7)]
    languages = [inputs.option(i18n.plain(locale, "common", f"lang_{lang}"), lang) for lang in ("en", "de")]
    signup_option = [inputs.option(t("signup_option"), "open")]
    switches = [
        inputs.option(t(f"monitoring_{s}"), s, description=t(f"monitoring_{s}_what")) for s in monitoring.SWITCHES
    ]
    # a new program: all on, as before the switches existed (the model's defaults)
    on = monitoring.ticked(
        named_silence=p.named_silence if p else True,
        late_cancel_log=p.late_cancel_log if p else True,
        streaks=p.streaks if p else True,
    )
    blocks = [
        kit.context(i18n.text(locale, "program", "intro")),
        inputs.input_block(
            ID.PROGRAM_NAME,
            t("name"),
            inputs.text_input(initial=p.name if p else None, max_length=NAME_MAX, placeholder=t("name_placeholder")),
        ),
        inputs.input_block(
            ID.PROGRAM_FIELDS,
            t("fields"),
            inputs.text_input(initial="\n".join(p.learning_fields) if p else None, multiline=True, max_length=800),
            hint=t("fields_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_START,
            t("start"),
            inputs.date_input(initial=p.start_date.isoformat() if p and p.start_date else None),
        ),
        inputs.input_block(
            ID.PROGRAM_MATCH_ON,
            t("match_on"),
            inputs.date_input(
                initial=p.match_on.isoformat() if p and p.match_on and p.match_ran_on != p.match_on else None
            ),
            hint=t("match_on_hint"),
            optional=True,
        ),
        inputs.input_block(
            ID.PROGRAM_WEEKS,
            t("weeks"),
            inputs.number_input(initial=p.duration_weeks if p else 12, minimum=1, maximum=104),
        ),
        inputs.input_block(
            ID.PROGRAM_RHYTHM, t("rhythm"), inputs.static_select(rhythms, initial=p.rhythm if p else "weekly")
        ),
        inputs.input_block(
            ID.PROGRAM_WEEKDAY,
            t("weekday"),
            inputs.static_select(weekdays, initial=str(p.prompt_weekday) if p else "0"),
        ),
        inputs.input_block(
            ID.PROGRAM_WORKING_DAYS,
            t("working_days"),
            # a program not yet stored (the next cohort's, copied) has no column default yet: Monday to Friday
            inputs.checkboxes(
                weekdays, checked=[str(d) for d in (p.working_days if p and p.working_days is not None else range(5))]
            ),
            hint=t("working_days_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_HOUR, t("hour"), inputs.static_select(_hours(locale), initial=str(p.prompt_hour) if p else "9")
        ),
        inputs.input_block(
            ID.PROGRAM_TRIAL,
            t("trial"),
            inputs.number_input(initial=p.trial_weeks if p else 4, minimum=0, maximum=52),
            hint=t("trial_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_RETENTION,
            t("retention"),
            inputs.number_input(
                initial=p.retention_months if p else retention.DEFAULT_MONTHS,
                minimum=retention.MIN_MONTHS,
                maximum=retention.MAX_MONTHS,
            ),
            hint=t("retention_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_REPORTING_LEVELS,
            t("reporting_levels"),
            inputs.number_input(
                initial=p.reporting_levels if p else orgchart.LEVELS_DEFAULT,
                minimum=orgchart.LEVELS_MIN,
                maximum=orgchart.LEVELS_MAX,
            ),
            hint=t("reporting_levels_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_FOCUS,
            t("focus"),
            inputs.text_input(
                initial=(p.focus_question if p and p.focus_question else default_focus), max_length=FOCUS_MAX
            ),
            hint=t("focus_hint"),
            optional=True,
        ),
        inputs.input_block(
            ID.PROGRAM_GOALS,
            t("goals"),
            inputs.text_input(
                initial="\n".join(p.bold_goals) if p else t("goals_default"), multiline=True, max_length=800
            ),
            hint=t("goals_hint"),
            optional=True,
        ),
        inputs.input_block(
            ID.PROGRAM_LOCALE,
            t("locale"),
            inputs.static_select(languages, initial=p.default_locale if p else locale),
            hint=t("locale_hint"),
        ),
        inputs.input_block(
            ID.PROGRAM_SIGNUP_OPEN,
            t("signup"),
            inputs.checkboxes(signup_option, checked=["open"] if p and p.signup_open else []),
            optional=True,
        ),
        inputs.input_block(
            ID.PROGRAM_MONITORING,
            t("monitoring"),
            inputs.checkboxes(switches, checked=on),
            hint=t("monitoring_hint"),
            optional=True,
        ),
    ]
    return kit.modal(
        title=t("title_edit" if p else "title_new"),
        close=t("close"),
        submit=t("submit"),
        blocks=blocks,
        callback_id=ID.PROGRAM_MODAL,
        private_metadata=json.dumps(private_metadata),
    )


# program form field -> the block that shows its error
PROGRAM_FIELD_BLOCKS = {
    "name": ID.PROGRAM_NAME,
    "fields": ID.PROGRAM_FIELDS,
    "start_date": ID.PROGRAM_START,
    "match_on": ID.PROGRAM_MATCH_ON,
    "duration_weeks": ID.PROGRAM_WEEKS,
    "rhythm": ID.PROGRAM_RHYTHM,
    "weekday": ID.PROGRAM_WEEKDAY,
    "working_days": ID.PROGRAM_WORKING_DAYS,
    "hour": ID.PROGRAM_HOUR,
    "trial_weeks": ID.PROGRAM_TRIAL,
    "retention_months": ID.PROGRAM_RETENTION,
    "reporting_levels": ID.PROGRAM_REPORTING_LEVELS,
    "focus_question": ID.PROGRAM_FOCUS,
    "goals": ID.PROGRAM_GOALS,
    "locale": ID.PROGRAM_LOCALE,
    "monitoring": ID.PROGRAM_MONITORING,
}


def program_errors(locale: str, errors: dict[str, str]) -> dict[str, str]:
    """``{field: error_key}`` -> ``{block_id: message}`` for ``response_action: errors``."""
    return {
        PROGRAM_FIELD_BLOCKS[f].value: i18n.plain(locale, "program", "err_" + key.replace(".", "_"))
        for f, key in errors.items()
    }


def invite_modal(
    locale: str, *, programs: list[Program], selected: int | None, private_metadata: dict[str, Any]
) -> dict[str, Any]:
    t = lambda key: i18n.plain(locale, "invite", key)  # noqa: E731
    options = [inputs.option(p.name, str(p.id)) for p in programs]
    blocks = [
        inputs.input_block(
            ID.INVITE_PROGRAM,
            t("program"),
            inputs.static_select(
                options, initial=str(selected) if selected else (options[0]["value"] if len(options) == 1 else None)
            ),
        ),
        inputs.input_block(ID.INVITE_USERS, t("users"), inputs.users_select(), optional=True, hint=t("users_hint")),
        inputs.input_block(ID.INVITE_CHANNEL, t("channel"), inputs.conversation_select(), optional=True),
    ]
    return kit.modal(
        title=t("modal_title"),
        close=t("modal_close"),
        submit=t("modal_submit"),
        blocks=blocks,
        callback_id=ID.INVITE_MODAL,
        private_metadata=json.dumps(private_metadata),
    )


def invite_summary(locale: str, *, program: Program, host_id: str, summary: dict[str, int]) -> dict[str, Any]:
    text = i18n.text(
        locale,
        "admin",
        "invite_summary",
        host=host_id,
        name=program.name,
        invited=summary.get("invited", 0),
        already=summary.get("already", 0),
        skipped=summary.get("skipped", 0),
    )
    blocks = [kit.section(text)]
    if summary.get("channel_unreadable"):
        blocks.append(kit.context(i18n.text(locale, "admin", "invite_channel_unreadable")))
    return kit.message(text, blocks)


def digest(locale: str, *, program: Program, counts: OnboardingCounts, changes: dict[str, int] | None) -> dict:
    header = i18n.plain(locale, "admin", "digest_header", name=program.name)
    lines = [counts_text(locale, counts)]
    changes_text = (
        i18n.text(locale, "admin", "digest_changes", **changes)
        if changes is not None
        else i18n.text(locale, "admin", "digest_first")
    )
    return kit.message(
        i18n.plain(locale, "admin", "digest_fallback", name=program.name),
        [kit.header(header), kit.section("\n".join(lines)), kit.context(changes_text)],
    )


# -- the host playbook ----------------------------------------------------------------------------------------------
PLAYBOOK_PROGRAMS_MAX = 45  # one section each, within a message's 50 blocks


def playbook(locale: str, weeks: Iterable[Any]) -> dict[str, Any]:
    """``/tandem admin playbook``: per program (``bot.services.playbook.ProgramWeek``) what to do this week."""
    weeks = list(weeks)
    title = i18n.plain(locale, "admin", "playbook_title")
    if not weeks:
        return note(locale, "playbook_none")
    out: list[kit.Block] = [kit.header(title)]
    for week in weeks[:PLAYBOOK_PROGRAMS_MAX]:
        out.append(kit.section(_playbook_program(locale, week)[:3000]))
    if len(weeks) > PLAYBOOK_PROGRAMS_MAX:
        out.append(kit.context(i18n.text(locale, "admin", "playbook_more", n=len(weeks) - PLAYBOOK_PROGRAMS_MAX)))
    return kit.message(title, out)


def _playbook_program(locale: str, week: Any) -> str:
    program, counts = week.program, week.counts
    status = status_text(locale, program.status)
    lines = [i18n.text(locale, "admin", "playbook_program", name=program.name, status=status)]
    if week.welcome:
        names = ", ".join(week.welcome)
        lines.append(i18n.text(locale, "admin", "playbook_welcome", names=names, more=week.welcome_more))
    if week.waiting:
        lines.append(i18n.text(locale, "admin", "playbook_waiting", n=week.waiting, name=program.name))
    if counts.pending or counts.interviewing:
        lines.append(
            i18n.text(locale, "admin", "playbook_pending", pending=counts.pending, interviewing=counts.interviewing)
        )
    if week.silent or week.escalations:
        as_of = ""
        if week.silent_as_of is not None:  # named silence flags off: the last release's count, as the hosts were told
            as_of = local_day_text(locale, week.silent_as_of, program.timezone)
        attention = {"silent": week.silent, "escalations": week.escalations, "as_of": as_of}
        lines.append(i18n.text(locale, "admin", "playbook_attention", name=program.name, **attention))
    if week.retros_open:
        lines.append(i18n.text(locale, "admin", "playbook_retros", n=week.retros_open, name=program.name))
    sides = week.sides
    if sides.silent is not None or sides.late is not None:
        silent = sides.silent or {}
        late = sides.late or {}
        lines.append(
            i18n.text(
                locale,
                "admin",
                "playbook_sides",
                silent=sides.silent is not None,
                late=sides.late is not None,
                d_silent=silent.get("digital", (0, 0))[0],
                c_silent=silent.get("context", (0, 0))[0],
                d_late=late.get("digital", (0, 0))[0],
                c_late=late.get("context", (0, 0))[0],
                name=program.name,
            )
        )
    if len(lines) == 1:
        lines.append(i18n.text(locale, "admin", "playbook_calm"))
    return "\n".join(lines)
