"""Hosts' org-chart modal (``/tandem admin orgchart``): the CSV upload, the Slack profile field that names managers,
each bad line of a refused file, and what was saved. Wording: templates/<locale>/orgchart.j2."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from bot import i18n
from bot.blocks import inputs, kit
from bot.domain.orgchart import ERRORS_SHOWN, LineError
from bot.ids import ID

TEMPLATE = "orgchart"
NONE = "-"  # the profile-field select's "no field" option
SECTION_CHARS = 2800  # error lines per section, under Slack's 3,000


def _t(locale: str, block: str, **context: Any) -> str:
    return i18n.text(locale, TEMPLATE, block, **context)


def _p(locale: str, block: str, **context: Any) -> str:
    return i18n.plain(locale, TEMPLATE, block, **context)


def note(locale: str, block: str, **context: Any) -> dict[str, Any]:
    """A one-section message (the admin channel's announcements)."""
    text = _t(locale, block, **context)
    return kit.message(text, [kit.section(text)])


def modal(
    locale: str,
    *,
    fields: list[tuple[str, str]] | None,
    current_field: str | None,
    counts: dict[str, int],
    imported: str | None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """The import modal. ``fields``: the workspace's custom profile fields (id, label), None or empty when there
    are none to offer; ``counts``: stored lines of the org chart and of the profile field; ``problems``: mrkdwn
    paragraphs shown first (why the last file was refused, line by line)."""
    blocks: list[kit.Block] = [kit.section(p) for p in problems or []]
    blocks += [
        kit.section(_t(locale, "intro")),
        kit.context(_t(locale, "state", imported=imported, **counts)),
        inputs.input_block(
            ID.ORGCHART_FILE,
            _p(locale, "label_file"),
            inputs.file_input(filetypes=["csv", "txt"], max_files=1),
            optional=True,
            hint=_p(locale, "hint_file"),
        ),
    ]
    if fields:
        options = [inputs.option(_p(locale, "option_none"), NONE)] + [
            inputs.option(label, field_id) for field_id, label in fields[:99]
        ]
        known = {field_id for field_id, _label in fields}
        initial = current_field if current_field in known else NONE
        blocks.append(
            inputs.input_block(
                ID.ORGCHART_FIELD,
                _p(locale, "label_field"),
                inputs.static_select(options, initial=initial),
                optional=True,
                hint=_p(locale, "hint_field"),
            )
        )
    else:
        blocks.append(kit.context(_t(locale, "no_fields")))
    if counts.get("orgchart"):
        blocks.append(
            inputs.input_block(
                ID.ORGCHART_REMOVE,
                _p(locale, "label_remove"),
                inputs.checkboxes([inputs.option(_p(locale, "option_remove"), "remove")]),
                optional=True,
            )
        )
    return kit.modal(
        title=_p(locale, "title"),
        submit=_p(locale, "submit"),
        close=_p(locale, "close"),
        blocks=blocks,
        callback_id=ID.ORGCHART_MODAL,
        private_metadata="{}",
    )


def checking(locale: str) -> dict[str, Any]:
    """What the modal shows while the file is checked (the submission is answered at once; the result follows)."""
    return kit.modal(
        title=_p(locale, "checking_title"),
        close=_p(locale, "close"),
        blocks=[kit.section(_t(locale, "checking"))],
        callback_id=ID.ORGCHART_MODAL,
    )


def done(locale: str, lines: list[str]) -> dict[str, Any]:
    """What was saved, one line each (mrkdwn from ``done_*``)."""
    return kit.modal(
        title=_p(locale, "done_title"),
        close=_p(locale, "close"),
        blocks=[kit.section("\n".join(lines))],
        callback_id=ID.ORGCHART_MODAL,
    )


def field_errors(locale: str, block: str) -> dict[str, str]:
    """``response_action: errors`` on the file input."""
    return {ID.ORGCHART_FILE.value: i18n.plain(locale, TEMPLATE, block)}


def reason(locale: str, error: LineError) -> str:
    return _t(locale, f"err_{error.key}", **error.params)


def problems(locale: str, errors: list[LineError]) -> list[str]:
    """Why a file was refused: the whole file's reason, or each bad line with its number and reason (the first
    ERRORS_SHOWN of them, then how many more), as mrkdwn paragraphs that each fit a section."""
    whole = [e for e in errors if e.line == 0]
    if whole:
        return [_t(locale, "bad_file", reason=Markup(reason(locale, whole[0])))]
    lines = [_t(locale, "line", line=e.line, reason=Markup(reason(locale, e))) for e in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append(_t(locale, "bad_more", n=len(errors) - ERRORS_SHOWN))
    bad = len({e.line for e in errors})
    paragraphs = [_t(locale, "bad_title", n=bad)]
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(c) + 1 for c in chunk) + len(line) > SECTION_CHARS:
            paragraphs.append("\n".join(chunk))
            chunk = []
        chunk.append(line[:SECTION_CHARS])
    if chunk:
        paragraphs.append("\n".join(chunk))
    return paragraphs
