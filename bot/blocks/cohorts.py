"""Cohorts of a topic path and alumni as co-hosts: the next-cohort modal (the program modal, prefilled), the
announcement with *Invite alumni as co-hosts*, its modal, the welcome DM, and the cohort comparison lines on the
impact dashboard. Wording from templates/<locale>/cohorts.j2."""

from __future__ import annotations

import json
from typing import Any

from bot import i18n
from bot.blocks import admin as admin_blocks
from bot.blocks import inputs, kit
from bot.domain.programs import OnboardingCounts
from bot.ids import ID
from bot.models import Program


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "cohorts", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "cohorts", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def next_modal(locale: str, *, source: Program, name: str, default_focus: str) -> dict[str, Any]:
    """The program modal with the source's setup, a new name and no start date."""
    view = admin_blocks.program_modal(
        locale,
        program=source,
        private_metadata={"program_id": None, "copy_from": source.id},
        default_focus=default_focus,
    )
    view["title"] = {"type": "plain_text", "text": i18n.plain(locale, "program", "title_new")}
    for block in view["blocks"]:
        element = block.get("element") or {}
        if block.get("block_id") == ID.PROGRAM_NAME.value:
            element["initial_value"] = name
        elif block.get("block_id") in (ID.PROGRAM_START.value, ID.PROGRAM_MATCH_ON.value):
            element.pop("initial_date", None)
        elif block.get("block_id") == ID.PROGRAM_SIGNUP_OPEN.value:
            element.pop("initial_options", None)
    view["blocks"].insert(0, kit.section(_t(locale, "next_intro", program=source.name)))
    return view


def created(
    locale: str, *, program: Program, source: Program, host: str, counts: OnboardingCounts, alumni: int
) -> dict[str, Any]:
    headline = _t(locale, "created", host=host, name=program.name, source=source.name)
    blocks: list[kit.Block] = [kit.section(headline), *admin_blocks._program_blocks(locale, program, counts)]
    if alumni:
        blocks.append(kit.section(_t(locale, "alumni_offer", count=alumni)))
        blocks.append(kit.actions(kit.button(_p(locale, "btn_alumni"), ID.COHORT_ALUMNI, value=str(program.id))))
    return kit.message(headline, blocks)


def alumni_modal(locale: str, *, program: Program, path: str, alumni: dict[str, str]) -> dict[str, Any]:
    options = [inputs.option(name or uid, uid) for uid, name in sorted(alumni.items(), key=lambda kv: kv[1].lower())]
    return kit.modal(
        title=_p(locale, "alumni_title"),
        submit=_p(locale, "submit"),
        close=_p(locale, "close"),
        callback_id=ID.COHORT_ALUMNI_MODAL,
        private_metadata=json.dumps({"program_id": program.id}),
        blocks=[
            kit.section(_t(locale, "alumni_intro", path=path, program=program.name)),
            inputs.input_block(ID.COHORT_ALUMNI_PICK, _p(locale, "f_alumni"), kit.multi_select(options)),
        ],
    )
