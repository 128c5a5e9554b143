"""Data rights: the privacy overview, the forget-me and remove confirmations, and the Markdown of a person's
export. Wording from templates/<locale>/privacy.j2; stored user text is escaped by ``i18n.text`` (mrkdwn) and
left as typed in the Markdown file (a file is shown as text, nothing in it notifies anyone)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import ConfirmObject

from bot import i18n
from bot.blocks import kit
from bot.ids import ID


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "privacy", block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, "privacy", block, **context)


def phrase(locale: str, block: str, **context: Any) -> str:
    """A plain phrase of privacy.j2 (a file comment, a title), no mrkdwn."""
    return _p(locale, block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def overview(
    locale: str,
    *,
    programs: list[dict[str, Any]],
    stored: bool,
    forgotten_on: str | None = None,
    notices: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """``/tandem privacy``: what is stored, who sees it, how long (``programs`` they joined: name, months, until;
    in none: ``forgotten_on``), the programs' privacy notices (as ``bot.blocks.notice.for_participants`` words
    them), the rights."""
    blocks = [
        kit.section(_t(locale, "privacy_title")),
        kit.section(_t(locale, "privacy_what")),
        kit.section(_t(locale, "privacy_who")),
        kit.section(_t(locale, "privacy_how_long", programs=programs, forgotten_on=forgotten_on)),
        *(kit.section(text) for text in notices),
        kit.section(_t(locale, "privacy_rights")),
    ]
    if stored:
        blocks.append(
            kit.actions(
                kit.button(_p(locale, "privacy_export_button"), ID.PRIVACY_EXPORT, value="export"),
                kit.button(_p(locale, "privacy_forget_button"), ID.PRIVACY_FORGET, value="forget", style="danger"),
            )
        )
        blocks[-1]["elements"][1]["confirm"] = _forget_confirm(locale)
    return kit.message(_p(locale, "privacy_fallback"), blocks)


def _confirm(locale: str, prefix: str) -> dict[str, Any]:
    return ConfirmObject(
        title=_p(locale, f"{prefix}_confirm_title"),
        text=_p(locale, f"{prefix}_confirm_text"),
        confirm=_p(locale, f"{prefix}_confirm_yes"),
        deny=_p(locale, f"{prefix}_confirm_no"),
        style="danger",
    ).to_dict()


def _forget_confirm(locale: str) -> dict[str, Any]:
    return _confirm(locale, "forget")


def forget_question(locale: str, *, pairs: int) -> dict[str, Any]:
    """``/tandem forget-me``: what will be deleted, and the button (Slack asks once more before it acts)."""
    text = _t(locale, "forget_text", pairs=pairs)
    button = kit.button(_p(locale, "privacy_forget_button"), ID.PRIVACY_FORGET, value="forget", style="danger")
    block = kit.actions(button)
    block["elements"][0]["confirm"] = _forget_confirm(locale)
    return kit.message(_p(locale, "forget_fallback"), [kit.section(text), block])


def forgotten(locale: str, counts: Any) -> dict[str, Any]:
    return note(locale, "forgotten", **_counts(counts))


def _counts(counts: Any) -> dict[str, int]:
    return {
        "notes": counts.notes,
        "answers": counts.answers,
        "texts": counts.texts_emptied + counts.cards,
        "messages": counts.messages_deleted,
    }


def partner_left(locale: str, *, program: str) -> dict[str, Any]:
    return note(locale, "partner_left", program=program)


def remove_question(locale: str, *, person: str, pairs: int) -> dict[str, Any]:
    """``/tandem admin remove @person``: what will happen, and the button (with Slack's confirm dialog)."""
    text = _t(locale, "remove_text", person=person, pairs=pairs)
    button = kit.button(_p(locale, "remove_button"), ID.PRIVACY_REMOVE, value=person, style="danger")
    block = kit.actions(button)
    block["elements"][0]["confirm"] = _confirm(locale, "remove")
    return kit.message(text, [kit.section(text), block])


def removed(locale: str, *, host: str) -> dict[str, Any]:
    """To the host who removed someone: done, without how much the person wrote (no per-person activity for hosts)."""
    return note(locale, "removed", host=host)


def removed_dm(locale: str) -> dict[str, Any]:
    return note(locale, "removed_dm")


# -- the export ------------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain, sort_keys=False)


def _value(locale: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return _p(locale, "md_empty")
    if isinstance(value, list):
        return ", ".join(str(_plain(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(_plain(value))


def _fields(locale: str, fields: dict[str, Any]) -> list[str]:
    return [f"- {key.replace('_', ' ')}: {_value(locale, value)}" for key, value in fields.items()]


def export_markdown(locale: str, data: dict[str, Any], *, day: date) -> str:
    """The readable twin of the JSON export: every value of it, in sections."""
    p = lambda block, **kw: _p(locale, block, **kw)  # noqa: E731
    profile = data["profile"]
    lines = [p("md_title", name=profile["display_name"] or profile["slack_user_id"]), ""]
    lines += [p("md_generated", day=i18n.date_short(day, locale), polls=data["mood_polls_answered"]), ""]
    lines += [p("md_profile"), "", *_fields(locale, profile), ""]
    lines += [p("md_programs"), ""]
    lines += [
        f"- {e['program']}: {_value(locale, {k: v for k, v in e.items() if k != 'program'})}" for e in data["programs"]
    ]
    lines += [p("md_none")] if not data["programs"] else []
    lines += ["", p("md_pairs"), ""]
    for pair in data["pairs"]:
        lines += [p("md_pair", partner=pair["partner"], program=pair["program"], status=pair["status"]), ""]
        lines += _fields(locale, {k: pair[k] for k in ("started_at", "ended_at", "why_we_were_matched")})
        lines += ["", p("md_goals"), ""] + [f"- {_value(locale, g)}" for g in pair["goals"]]
        lines += ["", p("md_agreement"), ""] + [f"- {_value(locale, v)}" for v in pair["agreement"]]
        lines += ["", p("md_weeks"), ""]
        for week in pair["weeks"]:
            lines.append(p("md_week", number=week["week"], day=_value(locale, week["day"]), status=week["status"]))
            lines += [p("md_my_answer", text=text) for text in week["my_answers"]]
            lines += [p("md_agreed", text=t) for t in (week["we_agreed"], week["next_step"]) if t]
        lines += ["", p("md_notes"), ""] + [f"- {_value(locale, n)}" for n in pair["notes"]]
        lines += ["", p("md_retros"), ""] + [f"- {_value(locale, r)}" for r in pair["my_retro_answers"]]
        lines += ["", p("md_live_sessions"), ""] + [f"- {_value(locale, x)}" for x in pair["live_sessions"]]
        lines += ["", p("md_cancellations"), ""] + [f"- {_value(locale, c)}" for c in pair["my_cancellations"]]
        lines.append("")
    lines += [p("md_none"), ""] if not data["pairs"] else []
    lines += [p("md_other"), ""]
    other = [f"- {_value(locale, n)}" for n in data["notes_without_pair"]]
    other += [
        p("md_speed", candidate=s["candidate"], answer=_value(locale, s["my_answer"])) for s in data["speed_dating"]
    ]
    lines_ = data.get("reporting_lines", [])
    other += [p("md_manager", source=p(f"source_{r['source']}"), manager=r["manager"]) for r in lines_]
    other += [p("md_card", title=c["title"], text=c["text"]) for c in data["learning_cards"]]
    other += [
        p("md_escalation", kind=e["kind"], day=_value(locale, e["created_at"]), shared=_value(locale, e["shared"]))
        for e in data["escalations"]
    ]
    other += [
        p("md_metric", metric=m["metric"], value=m["value"], day=_value(locale, m["day"]))
        for m in data["metric_values_i_logged"]
    ]
    lines += other or [p("md_none")]
    return "\n".join(lines).rstrip() + "\n"


def forgotten_home(message: dict[str, Any]) -> dict[str, Any]:
    """The Home tab after forget-me or removal: only what was just said (Slack would keep the old one)."""
    return kit.home(blocks=list(message["blocks"]))
