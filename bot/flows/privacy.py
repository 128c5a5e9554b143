"""Data rights: ``/tandem privacy``, ``/tandem export-my-data``, ``/tandem forget-me`` and, for hosts,
``/tandem admin remove @person``. What is stored and forgotten is ``bot.services.privacy``; this says what to
answer and what to send."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import hosting as hosting_blocks
from bot.blocks import notice as notice_blocks
from bot.blocks import privacy as blocks
from bot.blocks.privacy import forgotten_home
from bot.domain import localtime, worktime
from bot.domain import notes as note_rules
from bot.domain import privacy as rules
from bot.domain.hosts import Confirmable
from bot.domain.retention import ends_on, expires_on, stranger_until
from bot.flows.host import AdminSlack, Caller, authorize_host, scope_of
from bot.flows.result import Result
from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Escalation,
    Note,
    Pair,
    PairStatus,
    Participant,
    Program,
    Workspace,
)
from bot.services import confirmations, hosts, outbox, people, privacy

MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")


JOINED = (EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED)


def overview(session: Session, *, participant: Participant, now: datetime) -> dict[str, Any]:
    """``/tandem privacy``: in plain words what is stored, who sees it, and how long for each program they joined;
    someone who joined none, until when the clock keeps them (``bot.domain.retention.stranger_until``)."""
    lines = []
    notices: list[str] = []
    invited: list[datetime] = []
    declined: list[datetime] = []
    for enrollment, program in session.execute(
        select(Enrollment, Program)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.participant_id == participant.id, Enrollment.status != EnrollmentStatus.LEFT)
        .order_by(Program.created_at, Program.id)
    ).tuples():
        if enrollment.status == EnrollmentStatus.INVITED:
            invited.append(enrollment.invited_at)
        elif enrollment.status == EnrollmentStatus.DECLINED:
            declined.append(enrollment.responded_at or enrollment.invited_at)
        if enrollment.status != EnrollmentStatus.DECLINED:
            notice = notice_blocks.for_participants(participant.locale, program)
            if notice:
                notices.append(notice)
        if enrollment.status not in JOINED:
            continue
        end = ends_on(program, today=now.astimezone(localtime.zone(program.timezone)).date())
        until = expires_on(program, end) if end is not None else None
        shown = i18n.date_short(until, participant.locale) if until is not None else None
        lines.append({"name": program.name, "months": program.retention_months, "until": shown})
    helped = session.scalars(select(Escalation.created_at).where(Escalation.participant_id == participant.id)).all()
    forgotten = stranger_until(
        first_contact=participant.created_at, invited=invited, declined=declined, helped=list(helped)
    )
    return blocks.overview(
        participant.locale,
        programs=lines,
        notices=notices,
        stored=True,
        forgotten_on=i18n.date_short(
            max(forgotten, now).astimezone(localtime.zone(participant.tz)).date(), participant.locale
        ),
    )


def nothing_stored(locale: str) -> dict[str, Any]:
    return blocks.note(locale, "nothing_stored")


def _may_see(viewer: Participant) -> Any:
    """Which notes of a pair a partner may read in their own export (the pair's own place)."""

    def check(note: Note, pair: Pair) -> bool:
        relation = note_rules.Viewer.AUTHOR if note.author_id == viewer.id else note_rules.Viewer.PARTNER
        return note_rules.may_see(
            note_rules.Visibility(note.visibility), red=bool(note.red), viewer=relation, place=note_rules.Place.EXPORT
        )

    return check


def export(session: Session, *, participant: Participant, now: datetime) -> dict[str, Any]:
    """``/tandem export-my-data``: everything stored about the person as a JSON and a Markdown file in their DM
    with Tandem (one upload through the outbox, whose stored copy is emptied once Slack has it). Commits."""
    data = privacy.stored_about(session, participant=participant, may_see=_may_see(participant))
    day = now.astimezone(localtime.zone(participant.tz)).date()
    outbox.upload_to_dm(
        session,
        workspace_id=participant.workspace_id,
        user_id=participant.slack_user_id,
        files=[
            {
                "content": blocks.export_json(data),
                "filename": f"tandem-my-data-{day.isoformat()}.json",
                "title": i18n.plain(
                    participant.locale, "privacy", "file_json", day=i18n.date_short(day, participant.locale)
                ),
            },
            {
                "content": blocks.export_markdown(participant.locale, data, day=day),
                "filename": f"tandem-my-data-{day.isoformat()}.md",
                "title": i18n.plain(
                    participant.locale, "privacy", "file_md", day=i18n.date_short(day, participant.locale)
                ),
            },
        ],
        comment=blocks.phrase(participant.locale, "export_comment", day=i18n.date_short(day, participant.locale)),
        now=now,
        # about them and everyone it names (partners, whose notes to the pair are in it; speed-dating candidates)
        about=outbox.About.of(people=[participant, *privacy.named_in(session, participant=participant)]),
        dedupe_key=f"my-data:{participant.id}:{now.isoformat()}",
        scrub=True,
    )
    session.commit()
    return blocks.note(participant.locale, "export_queued")


def _active_pairs(session: Session, participant: Participant) -> int:
    return len(
        session.scalars(
            select(Pair.id).where(
                Pair.status == PairStatus.ACTIVE,
                or_(Pair.participant_a_id == participant.id, Pair.participant_b_id == participant.id),
            )
        ).all()
    )


def forget_question(session: Session, *, participant: Participant) -> dict[str, Any]:
    """``/tandem forget-me``: what will go, with the button that does it (Slack asks once more)."""
    return blocks.forget_question(participant.locale, pairs=_active_pairs(session, participant))


def _tell_partner(
    session: Session, *, pair: Pair, partner: Participant, program: Program | None, now: datetime
) -> None:
    outbox.post(
        session,
        workspace_id=partner.workspace_id,
        channel=partner.slack_user_id,
        message=blocks.partner_left(partner.locale, program=program.name if program else ""),
        now=now,
        about=outbox.About.of(pair=pair, people=[partner]),
        dedupe_key=f"partner-left:{pair.id}",
        not_before=worktime.of(partner, program).next_working(now),
    )


def forget(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict[str, Any]:
    """The forget-me button: the clicker's data goes (only ever the clicker's). The answer is the only trace
    left, and it is not stored. Commits."""
    person = people.find_participant(session, team_id=team_id, user_id=user_id)
    if person is None or rules.is_forgotten(person.slack_user_id):
        return nothing_stored("en")
    locale = person.locale
    done = privacy.forget(session, participant=person, now=now, end_pair=_tell_partner)
    return blocks.forgotten(locale, done)


# -- hosts ------------------------------------------------------------------------------------------------------
def remove_command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin remove @person``: the question, with the button that removes them."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    found = MENTION.search(args)
    if found is None:
        return Result(message=blocks.note(who.locale, "remove_usage"))
    user_id = found.group(1)
    person = people.find_participant(session, team_id=who.team_id, user_id=user_id)
    # the same answer whether Tandem stores nothing about them or they are in no program the host sees: else any host
    # could ask about anyone and learn who is in other programs, or who is stored at all (a help request, a break)
    if person is None or not may_remove(session, workspace, who, user_id):
        return Result(message=blocks.note(who.locale, "remove_unknown", person=user_id))
    return Result(message=blocks.remove_question(who.locale, person=user_id, pairs=_active_pairs(session, person)))


def may_remove(session: Session, workspace: Workspace | None, who: Caller, user_id: str) -> bool:
    """Removing deletes the person's data in every program: only a host who may see each of their programs (a
    Tandem admin, or a host of their one program) may ask for it or confirm it, and only for someone in a program
    (someone in none is forgotten by the clock within 30 to 60 days, and whether Tandem stores them is nobody's
    business)."""
    if workspace is None:
        return False
    scope = scope_of(session, workspace, who)
    found = confirmations.person_programs(session, workspace_id=workspace.id, user_id=user_id)
    return bool(found) and (scope.admin or all(scope.sees(p) for p in found))


def remove(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    """The hosts' *Remove* button: asks a second host of the person's program to confirm (``bot.flows.second_host``);
    with nobody else to ask, removes them at once and tells the hosts."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    if not MENTION.fullmatch(f"<@{value}>"):
        return Result(message=blocks.note(who.locale, "remove_usage"))
    person = people.find_participant(session, team_id=who.team_id, user_id=value)
    if person is None or not may_remove(session, workspace, who, value):
        return Result(message=blocks.note(who.locale, "remove_unknown", person=value))
    asked = confirmations.ask(session, workspace, kind=Confirmable.REMOVE, target=value, requester=who.user_id, now=now)
    if asked is not None:
        hosts.post_to_hosts(
            session,
            workspace,
            program_id=asked.program_id,
            message=lambda locale: hosting_blocks.ask(
                locale, kind="remove", by=who.user_id, person=value, confirmation_id=asked.id
            ),
            now=now,
            cause=f"host-confirm:{asked.id}:{secrets.token_hex(6)}",
            about=outbox.About.of(program_id=asked.program_id, people=[person], users=[who.user_id]),
        )
        session.commit()
        return Result(replace=hosting_blocks.note(who.locale, "waiting"))
    program_id = confirmations.program_of(session, kind=Confirmable.REMOVE, workspace_id=workspace.id, target=value)
    hosts.post_to_hosts(
        session,
        workspace,
        program_id=program_id,
        message=lambda locale: hosting_blocks.note(locale, "alone_remove", by=who.user_id),
        now=now,
        cause=f"host-alone-remove:{person.id}:{now.isoformat()}",
        about=outbox.About.of(program_id=program_id, users=[who.user_id]),  # names nobody removed
    )
    return remove_now(session, who, person, now=now)


def remove_now(session: Session, who: Caller, person: Participant, *, now: datetime) -> Result:
    """Forget the person. The host's message is replaced; the person is told by a DM sent directly (no stored copy of
    it may stay) and their Home tab is replaced."""
    value = person.slack_user_id
    locale = person.locale
    privacy.forget(session, participant=person, now=now, end_pair=_tell_partner)
    told = blocks.removed_dm(locale)
    return Result(
        replace=blocks.removed(who.locale, host=who.user_id),
        notices=[(value, told)],
        homes=[(value, forgotten_home(told))],
    )
