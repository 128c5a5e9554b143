"""``/tandem admin hosts``: who hosts what, and what changed (templates/<locale>/hosts.j2)."""

from __future__ import annotations

from typing import Any

from bot import i18n
from bot.blocks import kit
from bot.ids import ID


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, "hosts", block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def overview(
    locale: str,
    *,
    admins: list[str] | None,
    programs: list[tuple[str, list[str], list[str]]],
    invited: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """The admins (None: not shown, to a host who is no admin they are not news) and each program the caller may
    see, with its hosts and co-hosts; then how to change it."""
    lines = [_t(locale, "title")]
    if admins is not None:
        lines.append(_t(locale, "admins", users=admins))
    lines += [_t(locale, "program", name=n, hosts=h, cohosts=c) for n, h, c in programs] or [_t(locale, "none")]
    if invited:
        lines.append(_t(locale, "invited", users=invited))
    text = "\n".join(lines)
    return kit.message(text, [kit.section(text), kit.context(_t(locale, "how"))])


def changed(locale: str, *, by: str, name: str, hosts: list[str], cohosts: list[str]) -> dict[str, Any]:
    return note(locale, "changed", by=by, name=name, hosts=hosts, cohosts=cohosts)


def admins_changed(locale: str, *, by: str, users: list[str]) -> dict[str, Any]:
    return note(locale, "admins_changed", by=by, users=users)


def ask(
    locale: str,
    *,
    kind: str,
    by: str,
    confirmation_id: int,
    person: str = "",
    name: str = "",
    old: int = 0,
    new: int = 0,
) -> dict[str, Any]:
    """The question to the other hosts who may see it, with Confirm and Decline."""
    text = _t(locale, f"ask_{kind}", by=by, person=person, name=name, old=old, new=new)
    confirm = kit.button(_t(locale, "confirm_button"), ID.HOST_CONFIRM, value=str(confirmation_id), style="danger")
    decline = kit.button(_t(locale, "decline_button"), ID.HOST_DECLINE, value=str(confirmation_id))
    return kit.message(text, [kit.section(text), kit.actions(confirm, decline)])
