"""Reporting lines from what a workspace has: the org chart hosts upload (``/tandem admin orgchart``, a modal with
Slack's ``file_input``) and the custom Slack profile field they map; the interview's own step is in
``bot.flows.interview``. Only hosts, from their own uploads.

An import is all or nothing: every line is checked (its form, the e-mail addresses looked up in Slack, a person
with two managers, loops) before anything is written; with any bad line, nothing changes and the host sees each
bad line with its reason. A good file replaces the previous import in one transaction. The submission is answered
at once (the modal says it is checking; e-mail lookups take time) and the modal then shows the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import i18n
from bot.blocks import orgchart as blocks
from bot.blocks.inputs import state_values
from bot.blocks.programs import date_text
from bot.domain import orgchart as rules
from bot.flows.host import AdminSlack, Caller, SlackUnavailable, announce, authorize_host
from bot.flows.result import Result
from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, Participant, Program, ProgramStatus, Workspace
from bot.services import outbox, reporting


def _view(
    session: Session, workspace: Workspace, locale: str, slack: AdminSlack, problems: list[str] | None = None
) -> dict[str, Any]:
    summary = reporting.summary(session, workspace_id=workspace.id)
    counts = {"orgchart": summary.orgchart, "slack_profile": summary.slack_profile}  # never how many named their own
    imported = date_text(locale, summary.imported_at.date()) if summary.imported_at else None
    return blocks.modal(
        locale,
        fields=slack.profile_fields(),
        current_field=workspace.manager_field_id,
        counts=counts,
        imported=imported,
        problems=problems,
    )


def command(session: Session, who: Caller, args: str, *, slack: AdminSlack, now: datetime) -> Result:
    """``/tandem admin orgchart``: the import modal (hosts, in the admin channel)."""
    workspace, refusal = authorize_host(session, who, slack, now)
    if refusal is not None:
        return refusal
    return Result(view=_view(session, workspace, who.locale, slack))


@dataclass(frozen=True)
class Request:
    """What a submission asks for: a file to import, a profile field to map (None: unchanged; ``NONE``: none), the
    current import removed."""

    file: dict[str, Any] | None = None
    field: str | None = None
    remove: bool = False


def _request(view: dict[str, Any], workspace: Workspace) -> Request:
    values = state_values(view)
    files = values.get(ID.ORGCHART_FILE.value) or []
    chosen = values.get(ID.ORGCHART_FIELD.value) if ID.ORGCHART_FIELD.value in values else None
    current = workspace.manager_field_id or blocks.NONE
    field_change = chosen if isinstance(chosen, str) and chosen and chosen != current else None
    return Request(
        file=files[0] if files else None,
        field=field_change,
        remove="remove" in (values.get(ID.ORGCHART_REMOVE.value) or []),
    )


def begin(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> Result:
    """The modal was submitted: field errors when it is refused (not a host) or asks for nothing, else the
    "checking" view to answer with at once; :func:`finish` does the work."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    if refusal is not None:
        text = str((refusal.message or {}).get("text") or i18n.plain(who.locale, "admin", "not_host"))
        return Result(errors={ID.ORGCHART_FILE.value: text})
    asked = _request(view, workspace)
    if asked.file is not None and asked.remove:
        return Result(errors=blocks.field_errors(who.locale, "err_both"))
    if asked.file is None and asked.field is None and not asked.remove:
        return Result(errors=blocks.field_errors(who.locale, "err_nothing"))
    session.commit()
    return Result(view=blocks.checking(who.locale))


@dataclass
class _Outcome:
    done: list[str] = field(default_factory=list)  # what the result view says
    news: list[dict[str, Any]] = field(default_factory=list)  # what the admin channel hears


def finish(session: Session, who: Caller, view: dict[str, Any], *, slack: AdminSlack, now: datetime) -> dict[str, Any]:
    """Check and apply what :func:`begin` accepted; returns the view to show: what was saved, or the modal again
    with why nothing was (each bad line of the file). Commits."""
    workspace, refusal = authorize_host(session, who, slack, now, anywhere=True)
    locale = who.locale
    if refusal is not None:  # no longer a host since a moment ago
        text = str((refusal.message or {}).get("text") or i18n.text(locale, "admin", "not_host"))
        return blocks.done(locale, [text])
    asked = _request(view, workspace)
    chart: dict[str, str] | None = None
    try:
        if asked.file is not None:
            data = slack.download(asked.file, uploader=who.user_id, max_bytes=rules.MAX_BYTES)
            if data is None:
                return _view(session, workspace, locale, slack, [i18n.text(locale, "orgchart", "err_download")])
            chart, errors = check(data, slack)
            if errors:
                bad = len({e.line for e in errors}) or 1
                announce(
                    session,
                    workspace,
                    blocks.note(locale, "announce_refused", host=who.user_id, n=bad),
                    cause=f"orgchart-refused:{workspace.id}:{_key(asked)}:{now.isoformat()}",
                    now=now,
                    about=outbox.About.of(users=[who.user_id]),
                )
                session.commit()
                return _view(session, workspace, locale, slack, blocks.problems(locale, errors))
        profile: reporting.ProfileRead | None = None
        if asked.field not in (None, blocks.NONE):
            assert asked.field is not None
            people = enrolled(session, workspace_id=workspace.id)
            profile = reporting.read_profiles(
                people, asked.field, value=slack.profile_value, lookup_email=slack.lookup_email
            )
    except SlackUnavailable:
        session.rollback()
        return _view(session, workspace, locale, slack, [i18n.text(locale, "orgchart", "err_slack")])

    outcome = _Outcome()
    summary = reporting.summary(session, workspace_id=workspace.id)
    if chart is not None:
        n = reporting.replace_orgchart(session, workspace_id=workspace.id, chart=chart, now=now)
        context = {"n": n, "replaced": summary.orgchart}
        outcome.done.append(i18n.text(locale, "orgchart", "done_import", **context))
        outcome.news.append(blocks.note(locale, "announce_import", host=who.user_id, **context))
    elif asked.remove:
        n = reporting.drop_source(session, workspace_id=workspace.id, source=rules.ORGCHART)
        outcome.done.append(i18n.text(locale, "orgchart", "done_removed", n=n))
        outcome.news.append(blocks.note(locale, "announce_removed", host=who.user_id))
    if asked.field == blocks.NONE:
        workspace.manager_field_id = None
        n = reporting.drop_source(session, workspace_id=workspace.id, source=rules.SLACK_PROFILE)
        outcome.done.append(i18n.text(locale, "orgchart", "done_field_off", n=n))
        outcome.news.append(blocks.note(locale, "announce_field_off", host=who.user_id))
    elif profile is not None and asked.field is not None:
        workspace.manager_field_id = asked.field
        reporting.drop_source(session, workspace_id=workspace.id, source=rules.SLACK_PROFILE)
        named = reporting.set_profile_managers(session, workspace_id=workspace.id, found=profile.found, now=now)
        label = dict(slack.profile_fields() or []).get(asked.field, asked.field)
        context = {"label": label, "named": named, "read": len(profile.found), "unreadable": profile.unreadable}
        outcome.done.append(i18n.text(locale, "orgchart", "done_field", **context))
        outcome.news.append(blocks.note(locale, "announce_field", host=who.user_id, **context))
    for number, message in enumerate(outcome.news):
        cause = f"orgchart:{workspace.id}:{_key(asked)}:{now.isoformat()}:{number}"
        announce(session, workspace, message, cause=cause, now=now, about=outbox.About.of(users=[who.user_id]))
    session.commit()
    return blocks.done(locale, outcome.done)


def _key(asked: Request) -> str:
    """What a submission did, for its announcements' idempotency keys (each upload is a new Slack file)."""
    file_id = str((asked.file or {}).get("id") or "-")
    return f"{file_id}:{asked.field or '='}:{int(asked.remove)}"


def check(data: bytes, slack: AdminSlack) -> tuple[dict[str, str], list[rules.LineError]]:
    """The file as person -> manager, or every reason it cannot be imported (line by line). E-mail addresses are
    looked up in Slack, each once; raises SlackUnavailable when Slack does not answer."""
    lines, errors = rules.parse_csv(data)
    if any(e.line == 0 for e in errors):
        return {}, errors
    ids = {email: slack.lookup_email(email) for email in rules.emails(lines)}
    chart, more = rules.resolve(lines, ids)
    everything = sorted([*errors, *more], key=lambda e: (e.line, e.key))
    return ({} if everything else chart), everything


def enrolled(session: Session, *, workspace_id: int) -> list[str]:
    """Slack ids of everyone in one of the workspace's programs (interviewing or onboarded, program not closed)."""
    return list(
        session.scalars(
            select(Participant.slack_user_id)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .join(Program, Program.id == Enrollment.program_id)
            .where(
                Participant.workspace_id == workspace_id,
                Program.status != ProgramStatus.CLOSED,
                Enrollment.status.in_((EnrollmentStatus.INTERVIEWING, EnrollmentStatus.ONBOARDED)),
            )
            .distinct()
            .order_by(Participant.slack_user_id)
        )
    )
