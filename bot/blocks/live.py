"""Live sessions' Block Kit and calendar texts: the three proposed slots (each in each partner's own time), the
accepted session with its *Cancel* button, the notes around it, the reminders and the calendar file's words.
Wording in templates/<locale>/live.j2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.domain.localtime import zone
from bot.ids import ID

NAME = "live"


def _t(locale: str, block: str, **kw: Any) -> str:
    return i18n.text(locale, NAME, block, **kw)


def _p(locale: str, block: str, **kw: Any) -> str:
    return i18n.plain(locale, NAME, block, **kw)


@dataclass(frozen=True)
class Person:
    """A partner as the slots are shown to them: Slack id and time zone."""

    user_id: str
    tz: str


@dataclass(frozen=True)
class Slot:
    """A slot as a button names it: its live_session id and start (UTC)."""

    id: int
    starts_at: datetime


def local_text(locale: str, when: datetime, tz: str) -> str:
    """A moment on one person's clock: "Tue 23 Mar, 09:00 (Berlin)" / "Di. 23. März, 09:00 (Berlin)"."""
    local = when.astimezone(zone(tz))
    return _p(
        locale,
        "local",
        day=i18n.weekday_day(local, locale),
        time=local.strftime("%H:%M"),
        city=i18n.tz_city(tz, locale),
    )


def _both(locale: str, when: datetime, people: Sequence[Person]) -> str:
    return _t(
        locale,
        "both",
        a=people[0].user_id,
        a_time=local_text(locale, when, people[0].tz),
        b=people[1].user_id,
        b_time=local_text(locale, when, people[1].tz),
    )


def proposal(locale: str, *, slots: Sequence[Slot], people: Sequence[Person], until: date | None) -> dict[str, Any]:
    """Three slots in the pair's group DM, each in both partners' time, each with *Take this one* and *Every week at
    this time* (value: the slot's id)."""
    blocks: list[kit.Block] = [kit.section(_t(locale, "proposal_intro", count=len(slots)))]
    for slot in slots:
        value = str(slot.id)
        blocks.append(kit.section(_both(locale, slot.starts_at, people)))
        buttons = [kit.button(_p(locale, "accept_button"), ID.LIVE_ACCEPT, value=value, style="primary")]
        if until is not None:
            buttons.append(kit.button(_p(locale, "weekly_button"), ID.LIVE_ACCEPT_WEEKLY, value=value))
        blocks.append(kit.actions(*buttons))
    blocks.append(kit.context(_t(locale, "proposal_how", weekly=until is not None)))
    return kit.message(_p(locale, "proposal_fallback"), blocks)


def accepted(
    locale: str,
    *,
    session_id: int,
    starts_at: datetime,
    people: Sequence[Person],
    by: str,
    weekly_until: date | None,
) -> dict[str, Any]:
    """The accepted session (it replaces the proposal), with *Cancel this session*."""
    until = i18n.date_short(weekly_until, locale) if weekly_until else ""
    blocks = [
        kit.section(_t(locale, "accepted", by=by, weekly=bool(weekly_until), until=until)),
        kit.section(_both(locale, starts_at, people)),
        kit.actions(kit.button(_p(locale, "cancel_button"), ID.LIVE_CANCEL, value=str(session_id))),
        kit.context(_t(locale, "accepted_how")),
    ]
    return kit.message(_p(locale, "accepted_fallback"), blocks)


def cancelled(locale: str, *, starts_at: datetime, people: Sequence[Person], by: str, late: bool) -> dict[str, Any]:
    """The note that a partner cancelled (replaces the accepted session's message, and goes to the pair)."""
    text = _t(locale, "cancelled", by=by, late=late) + "\n" + _both(locale, starts_at, people)
    return kit.message(_p(locale, "cancelled_fallback"), [kit.section(text)])


def cancelled_session(locale: str, *, starts_at: datetime, people: Sequence[Person]) -> dict[str, Any]:
    """What the accepted session's message becomes once cancelled: its times, struck through, without buttons."""
    text = _t(locale, "cancelled_session", times=_both(locale, starts_at, people))
    return kit.message(_p(locale, "cancelled_fallback"), [kit.section(text)])


def no_slot(locale: str, reason: str) -> dict[str, Any]:
    """No common slot in the next seven days, why, and that async works as well."""
    text = _t(locale, f"none_{reason}")
    return kit.message(_p(locale, f"none_{reason}"), [kit.section(text)])


def posted(locale: str) -> dict[str, Any]:
    return note(locale, "posted")


def note(locale: str, key: str, **kw: Any) -> dict[str, Any]:
    """A one-line answer to the caller (a refusal's key: ``not_yours``, ``gone``, ``taken``, ``past``, ...)."""
    text = _t(locale, f"note_{key}", **kw)
    return kit.message(_p(locale, f"note_{key}", **kw), [kit.section(text)])


def reminder(locale: str, *, starts_at: datetime, tz: str, partner: str) -> dict[str, Any]:
    """The DM an hour before, in the person's own time."""
    text = _t(locale, "reminder", partner=partner, time=local_text(locale, starts_at, tz))
    return kit.message(
        _p(locale, "reminder", partner=partner, time=local_text(locale, starts_at, tz)), [kit.section(text)]
    )


def skipped(
    locale: str, *, starts_at: datetime, tz: str, partner: str, reason: str, following: datetime | None
) -> dict[str, Any]:
    """In the reminder's place: this week's occurrence does not happen, and why (a break, a public holiday, a day
    off or outside someone's hours), and the next one."""
    kw = dict(
        partner=partner,
        time=local_text(locale, starts_at, tz),
        reason=reason,
        following=local_text(locale, following, tz) if following else "",
    )
    return kit.message(_p(locale, "skipped", **kw), [kit.section(_t(locale, "skipped", **kw))])


def upload_comment(locale: str, *, cancel: bool) -> str:
    return _p(locale, "ics_cancel_comment" if cancel else "ics_comment")


def calendar_texts(locales: Sequence[str], *, weekly: bool) -> tuple[str, str]:
    """SUMMARY and DESCRIPTION of the calendar file, in each of the pair's languages (once when they share one)."""
    langs = list(dict.fromkeys(locales))
    summary = " / ".join(_p(loc, "ics_summary") for loc in langs)
    description = "\n\n".join(_p(loc, "ics_description", weekly=weekly) for loc in langs)
    return summary, description
