"""A program's privacy notice (hosts complete it; participants read it in the invitation and in ``/tandem privacy``)
and the draft works agreement (``/tandem admin works-agreement [program]``, the program card's button, and
``tandem works-agreement PROGRAM``), written from the program's settings as they are. Bad input keeps the modal
open and changes nothing."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import admin as admin_blocks
from bot.blocks import notice as blocks
from bot.blocks.inputs import state_values
from bot.blocks.programs import date_text, rhythm_text
from bot.domain import localtime
from bot.domain import privacy_notice as rules
from bot.domain import release as release_rules
from bot.domain.hosts import HostRole
from bot.domain.polls import THRESHOLD_MIN
from bot.domain.rhythm import SILENCE_WEEKS
from bot.domain.text import file_slug
from bot.flows.host import (
    AdminSlack,
    Caller,
    announce,
    commanded_program,
    host_program,
    modal_program,
)
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Program
from bot.services import outbox, roles

FIELDS = {"controller": ID.NOTICE_CONTROLLER, "contact": ID.NOTICE_CONTACT, "basis": ID.NOTICE_BASIS}
LANGUAGES = ("de", "en")  # the draft comes in both, German first (the works council's)


def open_modal(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return Result(view=blocks.modal(who.locale, program=program))


def submit(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    first = ID.NOTICE_CONTROLLER.value
    workspace, program, refusal = modal_program(session, who, view, field=first, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    values = state_values(view)
    notice, errors = rules.parse(
        values.get(ID.NOTICE_CONTROLLER.value), values.get(ID.NOTICE_CONTACT.value), values.get(ID.NOTICE_BASIS.value)
    )
    if notice is None:
        return Result(errors={FIELDS[field].value: blocks.error_text(who.locale, key) for field, key in errors.items()})
    program.privacy_controller, program.privacy_contact, program.legal_basis = (
        notice.controller,
        notice.contact,
        notice.legal_basis,
    )
    program.updated_at = now
    announce(
        session,
        workspace,
        blocks.note(who.locale, "saved" if notice.complete else "cleared", host=who.user_id, program=program.name),
        cause=f"privacy-notice:{program.id}:{secrets.token_hex(6)}",
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),
    )
    session.commit()
    return Result()


# -- the draft works agreement -----------------------------------------------------------------------------------
def draft(session: Session, program: Program, *, locale: str, now: datetime) -> str:
    """The draft works agreement in ``locale``, as Markdown, from the program's settings and roles now."""
    held = roles.of_program(session, workspace_id=program.workspace_id, program_id=program.id)
    notice = rules.Notice.of(program)
    today = now.astimezone(localtime.zone(program.timezone)).date()
    days = sorted(set(program.working_days or []))
    return blocks.document(
        locale,
        program=program.name,
        today=i18n.date_short(today, locale),
        fields=", ".join(program.learning_fields) or "–",
        start=date_text(locale, program.start_date),
        weeks=program.duration_weeks,
        rhythm=rhythm_text(locale, program.rhythm),
        trial_weeks=program.trial_weeks,
        hosts=len(held[HostRole.HOST]),
        cohosts=len(held[HostRole.COHOST]),
        admins=len(roles.admins(session, workspace_id=program.workspace_id)),
        k=release_rules.threshold(program.poll_threshold),
        poll_threshold=max(program.poll_threshold, THRESHOLD_MIN),
        silence_weeks=SILENCE_WEEKS,
        named_silence=program.named_silence,
        late_cancel_log=program.late_cancel_log,
        streaks=program.streaks,
        peer_circle=program.peer_circle,
        working_days=", ".join(i18n.weekday(d, locale) for d in days) or "–",
        retention_months=program.retention_months,
        controller=notice.controller,
        contact=notice.contact,
        basis=notice.legal_basis,
        data_md="DATA.de.md" if locale == "de" else "DATA.md",
    )


def queue_draft(session: Session, who: Caller, program: Program, *, now: datetime) -> Result:
    """Both drafts as files in the host's DM with Tandem (one upload). Commits."""
    day = now.astimezone(localtime.zone(program.timezone)).date()
    outbox.upload_to_dm(
        session,
        workspace_id=program.workspace_id,
        user_id=who.user_id,
        files=[
            {
                "content": draft(session, program, locale=language, now=now),
                "filename": f"works-agreement-{file_slug(program.name)}-{day.isoformat()}.{language}.md",
                "title": i18n.plain(
                    who.locale, "notice", "agreement_title", program=program.name, language=language.upper()
                ),
            }
            for language in LANGUAGES
        ],
        comment=i18n.text(who.locale, "notice", "agreement_comment", program=program.name),
        now=now,
        about=outbox.About.of(program=program, users=[who.user_id]),  # the program's settings, nobody's data
        dedupe_key=f"works-agreement:{program.id}:{who.user_id}:{secrets.token_hex(6)}",
    )
    session.commit()
    return Result(message=blocks.note(who.locale, "agreement_queued", program=program.name))


def works_agreement_button(session: Session, who: Caller, value: str, *, slack: AdminSlack, now: datetime) -> Result:
    _workspace, program, refusal = host_program(session, who, value, slack=slack, now=now)
    if refusal is not None or program is None:
        return refusal or Result()
    return queue_draft(session, who, program, now=now)


def works_agreement_command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin works-agreement [program]``."""
    program, refusal = commanded_program(session, who, args, slack=slack, now=now, note=admin_blocks.note)
    if program is None:
        return refusal or Result()
    return queue_draft(session, who, program, now=now)
