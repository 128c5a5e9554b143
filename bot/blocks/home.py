"""App Home: programs and invitations, the interview, the profile, and, for hosts, their programs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import i18n
from bot.blocks import agreement as agreement_blocks
from bot.blocks import cards as card_blocks
from bot.blocks import impact as impact_blocks
from bot.blocks import kit
from bot.blocks import notes as notes_blocks
from bot.blocks import program_page as program_page_blocks
from bot.blocks import rhythm as rhythm_blocks
from bot.blocks.admin import counts_text, problems_text
from bot.blocks.notes import NotesHome
from bot.blocks.programs import date_text, status_text
from bot.blocks.rhythm import RhythmHome
from bot.domain.agreement import HomePair
from bot.domain.programs import OnboardingCounts
from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, Participant, Program, ProgramStatus

HOME_BLOCKS_MAX = 100


@dataclass(frozen=True)
class Tandem:
    """One of the person's current pairs, as Home shows it."""

    program_id: int
    partner: str
    since: datetime


@dataclass(frozen=True)
class HomeState:
    """What a person's Home tab shows (``bot.services.home.home_state`` reads it from the database)."""

    participant: Participant
    now: datetime
    enrollments: list[tuple[Enrollment, Program]] = field(default_factory=list)
    hosted: list[tuple[Program, OnboardingCounts]] = field(default_factory=list)
    admin_channel_id: str | None = None
    # A host's view is paused while the admin channel is public, archived or shared: what is wrong, shown to the
    # hosts as they were before (nobody else)
    hosting_paused: tuple[str, ...] = ()
    tandems: list[Tandem] = field(default_factory=list)
    # First in line for a partner in the next matching round (unmatched last time, or the pair did not go on).
    waiting: bool = False
    # Notes in the person's pairs (only what they may see) and whether "I need help" applies: bot.services.notes
    notes: NotesHome | None = None
    # Per active pair: the working agreement's status for the person and the pair's goals.
    pair_cards: list[HomePair] = field(default_factory=list)
    # The weekly rhythm: each tandem's next prompt on the person's clock, and their break (bot.services.rhythm).
    rhythm: RhythmHome | None = None
    # Impact: per active pair its streak and metrics to log; for hosts, their active programs' dashboards.
    impact_pairs: list[Any] = field(default_factory=list)  # bot.services.impact.PairImpact
    impact_boards: list[Any] = field(default_factory=list)  # bot.services.impact.Dashboard
    # Learning cards: the person's own (drafts and published), and whether they may write one (in or after a pair).
    cards: list[Any] = field(default_factory=list)  # (LearningCard, Program), newest first
    can_write_cards: bool = False
    # The program page of each program the person is in: released figures and consented content only.
    program_pages: list[Any] = field(default_factory=list)  # bot.blocks.program_page.ProgramPage


def _profile_lines(locale: str, state: HomeState) -> list[str]:
    p = state.participant
    t = lambda block, **kw: i18n.text(locale, "home", block, **kw)  # noqa: E731
    lines = []
    if p.role:
        lines.append(t("profile_role", role=i18n.plain(locale, "home", f"role_{p.role}")))
    if p.self_description:
        lines.append(t("profile_about", text=p.self_description))
    if p.department:
        lines.append(t("profile_department", text=p.department))
    if p.curiosity:
        lines.append(t("profile_curiosity", text=", ".join(map(str, p.curiosity))))
    if p.can_teach:
        lines.append(t("profile_teach", text=", ".join(map(str, p.can_teach))))
    if p.want_to_learn:
        lines.append(t("profile_learn", text=", ".join(map(str, p.want_to_learn))))
    return lines


def _enrollment_text(locale: str, state: HomeState, enrollment: Enrollment, program: Program) -> str:
    """A program's line: the person's tandem partner(s) there, else where they stand. Neutral about pairs that
    did not go on: a person waiting for a partner reads only that they come first next round."""
    t = lambda block, **kw: i18n.text(locale, "home", block, **kw)  # noqa: E731
    zone = ZoneInfo(state.participant.tz)
    tandems = [x for x in state.tandems if x.program_id == program.id]
    if tandems:
        return "\n".join(
            t(
                "tandem",
                program=program.name,
                partner=x.partner,
                since=date_text(locale, x.since.astimezone(zone).date()),
            )
            for x in tandems
        )
    if enrollment.status == EnrollmentStatus.ONBOARDED and state.waiting:
        return t("enrollment_waiting", program=program.name)
    return t(f"enrollment_{enrollment.status}", program=program.name)


def home_view(state: HomeState) -> dict[str, Any]:
    p = state.participant
    locale = p.locale
    t = lambda block, **kw: i18n.text(locale, "home", block, **kw)  # noqa: E731
    local_time = state.now.astimezone(ZoneInfo(p.tz)).strftime("%H:%M")
    blocks: list[kit.Block] = [
        kit.header(i18n.plain(locale, "home", "header", name=p.display_name)),
        kit.section(t("intro")),
        kit.actions(kit.button(i18n.plain(locale, "home", "help_button"), ID.HOME_HELP)),
        kit.divider(),
    ]
    if not state.enrollments:
        blocks.append(kit.section(t("status")))
    else:
        blocks.append(kit.section(t("programs_title")))
        for enrollment, program in state.enrollments[:15]:
            suffix = ""
            if program.status == ProgramStatus.PAUSED:
                suffix = i18n.plain(locale, "home", "program_paused")
            elif program.status == ProgramStatus.CLOSED:
                suffix = i18n.plain(locale, "home", "program_closed")
            blocks.append(kit.section(_enrollment_text(locale, state, enrollment, program) + suffix))
            live = program.status == ProgramStatus.ACTIVE
            if enrollment.status == EnrollmentStatus.INVITED and live:
                blocks.append(
                    kit.actions(
                        kit.button(
                            i18n.plain(locale, "invite", "join"),
                            ID.INVITE_JOIN,
                            value=str(enrollment.id),
                            style="primary",
                        ),
                        kit.button(
                            i18n.plain(locale, "invite", "decline"), ID.INVITE_DECLINE, value=str(enrollment.id)
                        ),
                    )
                )
            elif enrollment.status == EnrollmentStatus.INTERVIEWING and live:
                blocks.append(
                    kit.actions(
                        kit.button(
                            i18n.plain(locale, "home", "continue_button"),
                            ID.INTERVIEW_CONTINUE,
                            value=str(enrollment.id),
                            style="primary",
                        )
                    )
                )
    # the person's own sections, by name: the first to go (in DROPPED order) when Home would pass Slack's 100 blocks
    sections: dict[str, list[kit.Block]] = {
        "rhythm": list(rhythm_blocks.home_section(locale, state.rhythm)),  # next prompts, the break and its button
        "agreements": list(agreement_blocks.home_section(locale, state.pair_cards)),  # agreements and goals
        "impact": list(impact_blocks.home_section(locale, state.impact_pairs, [])),  # our streak, our metrics
        "cards": (
            list(card_blocks.home_section(locale, state.cards, can_write=state.can_write_cards))
            if state.can_write_cards or state.cards
            else []
        ),
        "library": (  # the library: participants, hosts
            [card_blocks.library_button(locale)]
            if state.can_write_cards or state.cards or state.enrollments or state.hosted
            else []
        ),
        "notes": list(notes_blocks.home_section(locale, state.notes, tz=p.tz)),  # the notes, "I need help"
        "pages": list(program_page_blocks.section(locale, state.program_pages)),  # each program, as released
    }
    head = blocks
    blocks = []
    if state.enrollments:
        blocks.append(kit.divider())
        lines = _profile_lines(locale, state)
        blocks.append(kit.section(t("profile_title") + "\n" + ("\n".join(lines) if lines else t("profile_empty"))))
        blocks.append(kit.actions(kit.button(i18n.plain(locale, "home", "edit_profile"), ID.PROFILE_EDIT)))
    if state.hosted:
        blocks.append(kit.divider())
        blocks.append(kit.section(t("hosted_title")))
        for program, counts in state.hosted[:10]:
            blocks.append(
                kit.section(
                    t("hosted_program", name=program.name, status=status_text(locale, program.status))
                    + "\n"
                    + counts_text(locale, counts)
                )
            )
        if state.admin_channel_id:
            blocks.append(kit.context(t("hosted_manage", channel=state.admin_channel_id)))
        blocks += impact_blocks.home_section(locale, [], state.impact_boards)  # the hosts' dashboard
    if state.hosting_paused and state.admin_channel_id:
        blocks.append(kit.divider())
        what = problems_text(locale, state.hosting_paused)
        blocks.append(kit.section(t("hosting_paused", channel=state.admin_channel_id, what=what)))
    blocks.append(
        kit.context(
            t("profile", language=i18n.plain(locale, "common", f"lang_{locale}"), tz=p.tz, local_time=local_time)
        )
    )
    return kit.home(blocks=_fitted(locale, head, sections, blocks))


# What goes first when a Home would pass Slack's 100 blocks (someone in several programs and pairs): the programs at a
# glance, the streaks and metrics, the card list; the rest (prompts, agreements, notes with "I need help", the
# profile, hosting, the footer) stays, and a line says where the rest is.
DROPPED = ("pages", "impact", "cards", "agreements", "notes", "rhythm")


def _fitted(
    locale: str, head: list[kit.Block], sections: dict[str, list[kit.Block]], tail: list[kit.Block]
) -> list[kit.Block]:
    def total() -> int:
        return len(head) + sum(len(s) for s in sections.values()) + len(tail)

    dropped = []
    for name in DROPPED:
        if total() <= HOME_BLOCKS_MAX:
            break
        if sections[name]:
            sections[name] = []
            dropped.append(name)
    middle = [b for s in sections.values() for b in s]
    if dropped:
        middle.append(kit.context(i18n.text(locale, "home", "too_much")))
    return (head + middle + tail)[:HOME_BLOCKS_MAX]
