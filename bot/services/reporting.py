"""Reporting lines (``reporting_line``): what each source says, the line that counts per person
(``bot.domain.orgchart``: the org chart over the Slack profile field over the interview), each person's chain for
matching, an org-chart import that replaces the previous one in one transaction, and forgetting people."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import orgchart as rules
from bot.domain.privacy import forgotten_id
from bot.models import Participant, ReportingLine

CHUNK = 500


def rows(session: Session, *, workspace_id: int) -> list[tuple[str, str, str]]:
    """Every line of the workspace as ``(person, manager, source)``."""
    return [
        (str(p), str(m), str(s))
        for p, m, s in session.execute(
            select(ReportingLine.person_slack_id, ReportingLine.manager_slack_id, ReportingLine.source).where(
                ReportingLine.workspace_id == workspace_id
            )
        )
    ]


def lines(session: Session, *, workspace_id: int) -> dict[str, str]:
    """Person -> the manager that counts (the first source of ``bot.domain.orgchart.SOURCES`` that names one)."""
    return rules.effective_lines(rows(session, workspace_id=workspace_id))


def chains(session: Session, *, workspace_id: int, people: Iterable[str], levels: int) -> dict[str, tuple[str, ...]]:
    """Each person's chain upwards, direct manager first, ``levels`` long at most (people without one left out)."""
    return rules.chains(lines(session, workspace_id=workspace_id), people, rules.clamp_levels(levels))


def own_manager(session: Session, *, participant: Participant) -> str | None:
    """The manager the person named themselves (interview or profile), or None."""
    return session.scalar(
        select(ReportingLine.manager_slack_id).where(
            ReportingLine.workspace_id == participant.workspace_id,
            ReportingLine.person_slack_id == participant.slack_user_id,
            ReportingLine.source == rules.INTERVIEW,
        )
    )


def set_own_manager(session: Session, *, participant: Participant, manager: str | None, now: datetime) -> None:
    """What the person says about their manager (None: nobody, or no answer). Does not commit."""
    _set(session, participant.workspace_id, rules.INTERVIEW, participant.slack_user_id, manager, now)


def _set(session: Session, workspace_id: int, source: str, person: str, manager: str | None, now: datetime) -> None:
    row = session.scalar(
        select(ReportingLine).where(
            ReportingLine.workspace_id == workspace_id,
            ReportingLine.source == source,
            ReportingLine.person_slack_id == person,
        )
    )
    if manager is None or manager == person:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            ReportingLine(
                workspace_id=workspace_id,
                person_slack_id=person,
                manager_slack_id=manager,
                source=source,
                created_at=now,
            )
        )
    elif row.manager_slack_id != manager:
        row.manager_slack_id = manager
        row.created_at = now


def set_profile_managers(session: Session, *, workspace_id: int, found: Mapping[str, str | None], now: datetime) -> int:
    """What the mapped Slack profile field says for these people (None: it names nobody). Returns how many name
    a manager. Does not commit."""
    for person, manager in found.items():
        _set(session, workspace_id, rules.SLACK_PROFILE, person, manager, now)
    return sum(1 for m in found.values() if m)


@dataclass(frozen=True)
class ProfileRead:
    found: dict[str, str | None]  # person -> the manager their profile field names (None: nothing usable)
    unreadable: int = 0  # fields that name neither a person nor an e-mail address


def read_profiles(
    people: Iterable[str],
    field_id: str,
    *,
    value: Callable[[str, str], str | None],
    lookup_email: Callable[[str], str | None],
) -> ProfileRead:
    """What the custom profile field ``field_id`` says for each person (``value(person, field_id)``, from Slack's
    users.profile.get): a member id (a "user" field) or an e-mail address (looked up once each). Whatever the
    Slack calls raise when Slack does not answer goes to the caller."""
    found: dict[str, str | None] = {}
    unreadable = 0
    emails: dict[str, str | None] = {}
    for person in people:
        text = value(person, field_id)
        ref = rules.parse_ref(text.split(",")[0]) if text else None
        if text and ref is None:
            unreadable += 1
        manager: str | None = None
        if ref is not None and ref.kind == "id":
            manager = ref.value
        elif ref is not None:
            if ref.value not in emails:
                emails[ref.value] = lookup_email(ref.value)
            manager = emails[ref.value]
        found[person] = manager if manager != person else None
    return ProfileRead(found, unreadable)


def drop_source(session: Session, *, workspace_id: int, source: str) -> int:
    """Delete every line of one source (an org chart removed, a profile field no longer mapped). Does not commit."""
    done = session.execute(
        delete(ReportingLine).where(ReportingLine.workspace_id == workspace_id, ReportingLine.source == source)
    )
    return done.rowcount or 0


def replace_orgchart(session: Session, *, workspace_id: int, chart: Mapping[str, str], now: datetime) -> int:
    """The imported org chart replaces the previous one, whole, in the caller's transaction: nothing is half
    imported. Returns how many lines it has. Does not commit."""
    drop_source(session, workspace_id=workspace_id, source=rules.ORGCHART)
    values = [
        {
            "workspace_id": workspace_id,
            "person_slack_id": person,
            "manager_slack_id": manager,
            "source": rules.ORGCHART,
            "created_at": now,
        }
        for person, manager in chart.items()
    ]
    for start in range(0, len(values), CHUNK):
        session.execute(insert(ReportingLine), values[start : start + CHUNK])
    return len(values)


@dataclass(frozen=True)
class Summary:
    """What hosts see about the stored lines: how many the org chart and the profile field gave, and when the org
    chart was imported (never how many people named their own manager)."""

    orgchart: int = 0
    slack_profile: int = 0
    imported_at: datetime | None = None


def summary(session: Session, *, workspace_id: int) -> Summary:
    counts = dict(
        session.execute(
            select(ReportingLine.source, func.count())
            .where(ReportingLine.workspace_id == workspace_id)
            .group_by(ReportingLine.source)
        ).all()
    )
    imported_at = session.scalar(
        select(func.max(ReportingLine.created_at)).where(
            ReportingLine.workspace_id == workspace_id, ReportingLine.source == rules.ORGCHART
        )
    )
    return Summary(
        orgchart=int(counts.get(rules.ORGCHART, 0)),
        slack_profile=int(counts.get(rules.SLACK_PROFILE, 0)),
        imported_at=imported_at,
    )


def about(session: Session, *, participant: Participant) -> list[dict[str, str]]:
    """The lines that name the person as the one who reports (for their data export): source and manager."""
    return [
        {"source": source, "manager": manager}
        for manager, source in session.execute(
            select(ReportingLine.manager_slack_id, ReportingLine.source)
            .where(
                ReportingLine.workspace_id == participant.workspace_id,
                ReportingLine.person_slack_id == participant.slack_user_id,
            )
            .order_by(ReportingLine.source)
        )
    ]


def forget(session: Session, *, workspace_id: int, users: Iterable[str]) -> None:
    """These people leave reporting_line: their own lines are deleted; where they are someone's manager, an
    anonymous placeholder (one per person) takes their place, so the people below them stay apart from the line
    above. Does not commit."""
    users = sorted(set(users))
    for start in range(0, len(users), CHUNK):
        chunk = users[start : start + CHUNK]
        session.execute(
            delete(ReportingLine).where(
                ReportingLine.workspace_id == workspace_id, ReportingLine.person_slack_id.in_(chunk)
            )
        )
        managing = session.scalars(
            select(ReportingLine.manager_slack_id)
            .where(ReportingLine.workspace_id == workspace_id, ReportingLine.manager_slack_id.in_(chunk))
            .distinct()
        ).all()
        for user in managing:
            session.execute(
                update(ReportingLine)
                .where(ReportingLine.workspace_id == workspace_id, ReportingLine.manager_slack_id == user)
                .values(manager_slack_id=forgotten_id(secrets.token_hex(8)))
            )


def mentions(session: Session, *, workspace_id: int, user: str) -> bool:
    """Whether any line still names ``user`` (tests and the forget-me check)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ReportingLine)
            .where(
                ReportingLine.workspace_id == workspace_id,
                or_(ReportingLine.person_slack_id == user, ReportingLine.manager_slack_id == user),
            )
        )
        or 0
    ) > 0
