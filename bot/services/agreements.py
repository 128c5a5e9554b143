"""The working agreement of each new pair: posted in the pair's group DM right after the introduction, accepted or
changed by either partner, reminded until both first agree, and its template per program. Rules in
``bot.domain.agreement``; wording in ``bot.blocks.agreement``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.blocks import agreement as blocks
from bot.domain import agreement as rules
from bot.domain import localtime, worktime
from bot.domain.agreement import Acceptance, Card, HomeGoal, HomePair
from bot.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Goal,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    Program,
    ProgramStatus,
)
from bot.models.participant import worktime_columns
from bot.services import outbox

OPEN_CONVERSATION = "__open"  # outbox payload key: post into the group DM of these users (bot.slack.sender)
VERSION_KEY = "agreement:"  # dedupe key of a version's message in the group DM: agreement:<version id>
# Reminders are only ever considered this long after the agreement arrived (the last one is due after 5 days,
# on the next workday in the person's zone): an agreement nobody accepted is then left in peace.
REMINDER_WINDOW = timedelta(days=14)

ACCEPTED, AGREED, ALREADY, STALE, NOT_YOURS, CLOSED = "accepted", "agreed", "already", "stale", "not_yours", "closed"
PROPOSED, UNCHANGED = "proposed", "unchanged"


def local_date(when: datetime, tz: str) -> date:
    return when.astimezone(localtime.zone(tz)).date()


def partners(session: Session, pair: Pair) -> tuple[Participant, Participant]:
    a = session.get(Participant, pair.participant_a_id)
    b = session.get(Participant, pair.participant_b_id)
    assert a is not None and b is not None
    return a, b


def post_to_pair(
    session: Session,
    *,
    workspace_id: int,
    pair: Pair,
    a: Participant,
    b: Participant,
    message: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue a message in the pair's group DM, in order after the introduction (the same conversation key)."""
    return outbox.enqueue(
        session,
        workspace_id=workspace_id,
        method="chat.postMessage",
        payload={OPEN_CONVERSATION: [a.slack_user_id, b.slack_user_id], **message},
        now=now,
        about=outbox.About.of(pair=pair),
        dedupe_key=dedupe_key,
    )


# -- the template -------------------------------------------------------------------------------------------
def default_sections(program: Program, locale: str) -> dict[str, str]:
    return blocks.default_sections(locale, focus_question=program.focus_question, bold_goals=program.bold_goals)


def template_sections(program: Program, locale: str) -> dict[str, str]:
    """What a new pair of ``program`` gets in ``locale``: the host's sections where they wrote some, else the
    localized default with the program's focus question and example goals."""
    overrides = (program.agreement_template or {}).get("sections")
    return rules.complete(overrides if isinstance(overrides, dict) else None, default_sections(program, locale))


def save_template(program: Program, *, sections: Mapping[str, str], locale: str, now: datetime) -> bool:
    """Store the hosts' template: the sections that differ from the default in ``locale`` (what the modal showed
    for sections without a text of their own). Returns whether anything differs from the default. Does not
    commit."""
    changed = rules.overrides(sections, default_sections(program, locale))
    program.agreement_template = {"sections": changed} if changed else None
    program.updated_at = now
    return bool(changed)


# -- starting -----------------------------------------------------------------------------------------------
def start(session: Session, *, program: Program, pairs: Sequence[Pair], now: datetime) -> int:
    """Create each new pair's agreement from the program's template (in the pair's common language) and queue it
    in the pair's group DM, right after the introduction. Pairs that have one already are skipped. Does not
    commit. Returns how many it started."""
    started = 0
    for pair in pairs:
        if session.scalar(select(Agreement.id).where(Agreement.pair_id == pair.id)) is not None:
            continue
        a, b = partners(session, pair)
        locale = rules.common_locale(a.locale, b.locale)
        agreement = Agreement(pair_id=pair.id, locale=locale, created_at=now, reminders_a=0, reminders_b=0)
        session.add(agreement)
        session.flush()
        version = AgreementVersion(
            agreement_id=agreement.id, number=1, sections=template_sections(program, locale), created_at=now
        )
        session.add(version)
        session.flush()
        post_to_pair(
            session,
            workspace_id=program.workspace_id,
            pair=pair,
            a=a,
            b=b,
            message=blocks.card_message(
                locale, card(session, version, agreement=agreement, pair=pair, program=program)
            ),
            now=now,
            dedupe_key=f"{VERSION_KEY}{version.id}",
        )
        started += 1
    return started


# -- reading ------------------------------------------------------------------------------------------------
def versions(session: Session, agreement: Agreement) -> list[AgreementVersion]:
    return list(
        session.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement.id)
            .order_by(AgreementVersion.number)
        )
    )


def acceptances(session: Session, version: AgreementVersion) -> list[AgreementAcceptance]:
    return list(
        session.scalars(
            select(AgreementAcceptance)
            .where(AgreementAcceptance.version_id == version.id)
            .order_by(AgreementAcceptance.accepted_at, AgreementAcceptance.id)
        )
    )


def open_version(session: Session, agreement: Agreement) -> AgreementVersion | None:
    """The version waiting for acceptance, if any."""
    return session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.id,
            AgreementVersion.agreed_at.is_(None),
            AgreementVersion.superseded_at.is_(None),
        )
    )


def agreed_version(session: Session, agreement: Agreement) -> AgreementVersion | None:
    """The agreed text in force."""
    return session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.id,
            AgreementVersion.agreed_at.is_not(None),
            AgreementVersion.superseded_at.is_(None),
        )
    )


def latest_version(session: Session, agreement: Agreement) -> AgreementVersion:
    latest = session.scalar(
        select(AgreementVersion)
        .where(AgreementVersion.agreement_id == agreement.id)
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )
    assert latest is not None
    return latest


def card(session: Session, version: AgreementVersion, *, agreement: Agreement, pair: Pair, program: Program) -> Card:
    """What the version's message shows: the same for both partners."""
    a, b = partners(session, pair)
    people = {a.id: a, b.id: b}
    accepted = [x for x in acceptances(session, version) if x.participant_id in people]
    waiting = rules.waiting_for((a.id, b.id), {x.participant_id for x in accepted})
    agreed_on = None
    if version.agreed_at is not None and accepted:
        last = accepted[-1]
        agreed_on = local_date(version.agreed_at, people[last.participant_id].tz)
    if version.number == 1:
        sections, full = dict(version.sections), True
    else:
        previous = session.scalar(
            select(AgreementVersion).where(
                AgreementVersion.agreement_id == agreement.id, AgreementVersion.number == version.number - 1
            )
        )
        before = previous.sections if previous is not None else {}
        sections, full = {key: version.sections[key] for key in rules.changed(before, version.sections)}, False
    proposer = people.get(version.proposed_by) if version.proposed_by is not None else None
    return Card(
        agreement_id=agreement.id,
        version_id=version.id,
        pair_id=pair.id,
        number=version.number,
        program=program.name,
        state=rules.version_state(agreed_at=version.agreed_at, superseded_at=version.superseded_at),
        sections=sections,
        full=full,
        proposer=proposer.display_name if proposer else None,
        note=version.note,
        accepted=tuple(
            Acceptance(people[x.participant_id].display_name, local_date(x.accepted_at, people[x.participant_id].tz))
            for x in accepted
        ),
        waiting=tuple(people[pid].display_name for pid in waiting),
        agreed_on=agreed_on,
        goal_ideas=tuple(blocks.goal_ideas(agreement.locale, program.bold_goals)) if full else (),
    )


def message_ref(session: Session, version: AgreementVersion) -> tuple[str, str] | None:
    """(channel, ts) of the version's message in the group DM, once sent (then remembered on the version)."""
    if version.channel_id is None or version.message_ts is None:
        sent = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"{VERSION_KEY}{version.id}"))
        if sent is None or not sent.result or not sent.result.get("ts"):
            return None
        version.channel_id, version.message_ts = sent.result.get("channel"), sent.result.get("ts")
    return (version.channel_id, version.message_ts) if version.channel_id and version.message_ts else None


def _refresh_message(
    session: Session,
    version: AgreementVersion,
    *,
    agreement: Agreement,
    pair: Pair,
    program: Program,
    now: datetime,
) -> None:
    """Show the version's message as it is now (its status and buttons changed): queue an update of the sent
    message, or, while it still waits in the outbox, let it go out as it is now."""
    message = blocks.card_message(
        agreement.locale, card(session, version, agreement=agreement, pair=pair, program=program)
    )
    ref = message_ref(session, version)
    if ref is None:
        queued = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key == f"{VERSION_KEY}{version.id}", OutboxMessage.status == OutboxStatus.PENDING
            )
        )
        if queued is not None:
            where = {k: v for k, v in queued.payload.items() if k in (OPEN_CONVERSATION, "channel")}
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == queued.id, OutboxMessage.status == OutboxStatus.PENDING)
                .values(payload={**where, **message})
            )
        return
    outbox.enqueue(
        session,
        workspace_id=program.workspace_id,
        method="chat.update",
        payload={"channel": ref[0], "ts": ref[1], **message},
        now=now,
        about=outbox.About.of(pair=pair),
    )


@dataclass(frozen=True)
class Context:
    """An agreement a participant acts on, with its pair, program and the participant's partner."""

    agreement: Agreement
    pair: Pair
    program: Program
    me: Participant
    partner: Participant


def context_of(session: Session, *, participant: Participant | None, agreement_id: int | None) -> Context | str:
    """The agreement if ``participant`` is one of its partners and the pair is active; else NOT_YOURS or CLOSED."""
    agreement = session.get(Agreement, agreement_id) if agreement_id is not None else None
    pair = session.get(Pair, agreement.pair_id) if agreement is not None else None
    program = session.get(Program, pair.program_id) if pair is not None else None
    if agreement is None or pair is None or program is None or participant is None:
        return NOT_YOURS
    if participant.id not in (pair.participant_a_id, pair.participant_b_id):
        return NOT_YOURS
    if pair.status != PairStatus.ACTIVE:
        return CLOSED
    a, b = partners(session, pair)
    return Context(agreement, pair, program, participant, b if participant.id == a.id else a)


# -- accepting ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What a click or a proposal came to. ``message``: the version's message as it is now, when the click came
    from that very message (to replace it there); ``partner``: the clicker's partner; ``agreed_on``: for AGREED;
    ``waiting``: for ALREADY, who has not accepted yet."""

    result: str
    partner: str = ""
    message: dict[str, Any] | None = None
    agreed_on: date | None = None
    waiting: str = ""


def accept(
    session: Session,
    *,
    participant: Participant | None,
    version_id: int | None,
    clicked: tuple[str, str] | None,
    now: datetime,
) -> Outcome:
    """A partner accepts a version. Once both have, it is the agreed text (replacing an earlier agreed one) and
    the pair hears so in its group DM. The version's message is updated: replaced by the caller when the click
    came from it (``clicked``: its channel and ts), else through the outbox. Commits; changes nothing for someone
    outside the pair, an ended pair, a replaced version, or a second click."""
    version = session.get(AgreementVersion, version_id) if version_id is not None else None
    found = context_of(session, participant=participant, agreement_id=version.agreement_id if version else None)
    if isinstance(found, str) or version is None:
        session.rollback()
        return Outcome(found if isinstance(found, str) else NOT_YOURS)
    ctx = found
    session.refresh(ctx.agreement, with_for_update=True)  # one change to an agreement at a time (PostgreSQL)
    session.refresh(version)
    if rules.version_state(agreed_at=version.agreed_at, superseded_at=version.superseded_at) == rules.REPLACED:
        session.rollback()
        return Outcome(STALE, partner=ctx.partner.display_name)
    accepted = {x.participant_id for x in acceptances(session, version)}
    if ctx.me.id in accepted:
        waiting = "" if ctx.partner.id in accepted else ctx.partner.display_name
        session.rollback()
        return Outcome(ALREADY, partner=ctx.partner.display_name, waiting=waiting)
    session.add(AgreementAcceptance(version_id=version.id, participant_id=ctx.me.id, accepted_at=now))
    session.flush()
    result, agreed_on = ACCEPTED, None
    if ctx.partner.id in accepted:
        result, agreed_on = AGREED, local_date(now, ctx.me.tz)
        _agree(session, ctx, version, now=now)
    own = message_ref(session, version)
    on_message = clicked is not None and own is not None and tuple(clicked) == own
    message = None
    if on_message:
        rendered = card(session, version, agreement=ctx.agreement, pair=ctx.pair, program=ctx.program)
        message = blocks.card_message(ctx.agreement.locale, rendered)
    else:
        _refresh_message(session, version, agreement=ctx.agreement, pair=ctx.pair, program=ctx.program, now=now)
    session.commit()
    return Outcome(result, partner=ctx.partner.display_name, message=message, agreed_on=agreed_on)


def _agree(session: Session, ctx: Context, version: AgreementVersion, *, now: datetime) -> None:
    """Both accepted ``version``: it is the agreed text; an earlier agreed one is replaced; the pair hears it."""
    for earlier in session.scalars(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == ctx.agreement.id,
            AgreementVersion.id != version.id,
            AgreementVersion.superseded_at.is_(None),
        )
    ):
        earlier.superseded_at = now
        _refresh_message(session, earlier, agreement=ctx.agreement, pair=ctx.pair, program=ctx.program, now=now)
    version.agreed_at = now
    ctx.agreement.agreed_at = ctx.agreement.agreed_at or now
    a, b = partners(session, ctx.pair)
    post_to_pair(
        session,
        workspace_id=ctx.program.workspace_id,
        pair=ctx.pair,
        a=a,
        b=b,
        message=blocks.agreed_message(ctx.agreement.locale, on=local_date(now, ctx.me.tz)),
        now=now,
        dedupe_key=f"agreement-agreed:{version.id}",
    )


# -- proposing a change -------------------------------------------------------------------------------------
def current_sections(session: Session, agreement: Agreement) -> dict[str, str]:
    """The text under discussion: the latest version."""
    return dict(latest_version(session, agreement).sections)


def propose(
    session: Session,
    *,
    participant: Participant | None,
    agreement_id: int | None,
    sections: Mapping[str, str],
    note: str | None,
    now: datetime,
) -> Outcome:
    """A partner proposes ``sections`` (every section) as the new text: a new version the proposer has accepted,
    posted in the group DM for the partner; an open version it replaces gets its buttons taken away. UNCHANGED
    (nothing written) when the text is the latest version's. Commits."""
    found = context_of(session, participant=participant, agreement_id=agreement_id)
    if isinstance(found, str):
        session.rollback()
        return Outcome(found)
    ctx = found
    session.refresh(ctx.agreement, with_for_update=True)
    latest = latest_version(session, ctx.agreement)
    if not rules.changed(latest.sections, sections):
        session.rollback()
        return Outcome(UNCHANGED, partner=ctx.partner.display_name)
    version = AgreementVersion(
        agreement_id=ctx.agreement.id,
        number=latest.number + 1,
        sections=rules.complete(sections, latest.sections),
        note=note or None,
        proposed_by=ctx.me.id,
        created_at=now,
    )
    session.add(version)
    session.flush()
    session.add(AgreementAcceptance(version_id=version.id, participant_id=ctx.me.id, accepted_at=now))
    for earlier in session.scalars(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == ctx.agreement.id,
            AgreementVersion.id != version.id,
            AgreementVersion.agreed_at.is_(None),
            AgreementVersion.superseded_at.is_(None),
        )
    ):
        earlier.superseded_at = now
        _refresh_message(session, earlier, agreement=ctx.agreement, pair=ctx.pair, program=ctx.program, now=now)
    session.flush()
    a, b = partners(session, ctx.pair)
    rendered = card(session, version, agreement=ctx.agreement, pair=ctx.pair, program=ctx.program)
    post_to_pair(
        session,
        workspace_id=ctx.program.workspace_id,
        pair=ctx.pair,
        a=a,
        b=b,
        message=blocks.card_message(ctx.agreement.locale, rendered),
        now=now,
        dedupe_key=f"{VERSION_KEY}{version.id}",
    )
    session.commit()
    return Outcome(PROPOSED, partner=ctx.partner.display_name)


# -- reminders ----------------------------------------------------------------------------------------------
def _unagreed(*columns: Any) -> Select[Any]:
    """``columns`` of the agreements :func:`send_reminders` may remind about (while they are 2 to 14 days old)."""
    return (
        select(*columns)
        .select_from(Agreement)
        .join(Pair, Pair.id == Agreement.pair_id)
        .join(Program, Program.id == Pair.program_id)
        .where(
            Agreement.agreed_at.is_(None),
            or_(
                Agreement.reminders_a < len(rules.REMINDER_AFTER),
                Agreement.reminders_b < len(rules.REMINDER_AFTER),
            ),
            Pair.status == PairStatus.ACTIVE,
            Program.status == ProgramStatus.ACTIVE,
        )
    )


def send_reminders(session: Session, now: datetime) -> int:
    """Due job: until a pair first agrees, whoever has not accepted the open version gets a gentle DM 2 days after
    the agreement arrived and a last one after 5, in their workday daytime; then silence. Only active pairs of
    active programs. Does not commit (the tick does). Returns how many it queued."""
    rows = (
        session.execute(_REMINDABLE, {"until": now - rules.REMINDER_AFTER[0], "since": now - REMINDER_WINDOW})
        .tuples()
        .all()
    )
    sent = 0
    for agreement, pair, program in rows:
        version = open_version(session, agreement)
        if version is None:
            continue
        accepted = {x.participant_id for x in acceptances(session, version)}
        a, b = partners(session, pair)
        for side, person, partner in (("a", a, b), ("b", b, a)):
            if person.id in accepted:
                continue
            number = rules.reminder_due(
                started_at=agreement.created_at,
                reminders_sent=getattr(agreement, f"reminders_{side}"),
                last_reminder_at=getattr(agreement, f"reminded_{side}_at"),
                now=now,
                tz=worktime.of(person, program),
            )
            if number is None:
                continue
            setattr(agreement, f"reminders_{side}", number)
            setattr(agreement, f"reminded_{side}_at", now)
            outbox.post(
                session,
                workspace_id=program.workspace_id,
                channel=person.slack_user_id,
                message=blocks.reminder_message(
                    person.locale,
                    number=number,
                    partner=partner.display_name,
                    program=program.name,
                    agreement_id=agreement.id,
                    version_id=version.id,
                    sections=version.sections,
                ),
                now=now,
                about=outbox.About.of(pair=pair, people=[person]),
                dedupe_key=f"agreement-reminder:{agreement.id}:{person.id}:{number}",
            )
            sent += 1
    return sent


def next_reminder(session: Session, now: datetime) -> datetime | None:
    """When :func:`send_reminders` next reminds: the earliest ``rules.reminder_next``, before the agreement turns 14
    days old, of those an open version of it waits for (one query); None when there is none."""
    rows = session.execute(_WAITING, {"since": now - REMINDER_WINDOW}).all()
    moments = [
        _reminder_next(row.Agreement, side, worktime.of_row(row, f"_{side}"), now)
        for row in rows
        for side in ("a", "b")
        if getattr(row, f"waits_{side}")
    ]
    return min((m for m in moments if m is not None), default=None)


def _waits_for(person: Any) -> Any:
    """Whether an open version of the agreement (of the query around it) waits for ``person`` (a Participant, or an
    alias) to accept it."""
    accepted = (
        select(AgreementAcceptance.id)
        .where(AgreementAcceptance.version_id == AgreementVersion.id, AgreementAcceptance.participant_id == person.id)
        .correlate_except(AgreementAcceptance)
        .exists()
    )
    return (
        select(AgreementVersion.id)
        .where(
            AgreementVersion.agreement_id == Agreement.id,
            AgreementVersion.agreed_at.is_(None),
            AgreementVersion.superseded_at.is_(None),
            ~accepted,
        )
        .correlate_except(AgreementVersion)
        .exists()
    )


# Built once: the clock asks every minute (building the statement cost more CPU than the query). The agreements
# old enough for a first reminder and still in the window, with their pair and program ...
_REMINDABLE = (
    _unagreed(Agreement, Pair, Program)
    .where(Agreement.created_at <= bindparam("until"), Agreement.created_at > bindparam("since"))
    .order_by(Agreement.id)
)
# ... and, for next_reminder, those still in the window with the program's working days, what each partner's working
# time depends on, and whether an open version waits for them.
_A, _B = aliased(Participant), aliased(Participant)
_WAITING = (
    _unagreed(
        Agreement,
        Program.working_days,
        *worktime_columns(_A, "_a"),
        _waits_for(_A).label("waits_a"),
        *worktime_columns(_B, "_b"),
        _waits_for(_B).label("waits_b"),
    )
    .join(_A, _A.id == Pair.participant_a_id)
    .join(_B, _B.id == Pair.participant_b_id)
    .where(Agreement.created_at > bindparam("since"))
)


def _reminder_next(agreement: Agreement, side: str, tz: worktime.WorkingTime, now: datetime) -> datetime | None:
    """``rules.reminder_next`` for one partner (``side``), or None when it falls after the reminders' window."""
    at = rules.reminder_next(
        started_at=agreement.created_at,
        reminders_sent=getattr(agreement, f"reminders_{side}"),
        last_reminder_at=getattr(agreement, f"reminded_{side}_at"),
        now=now,
        tz=tz,
    )
    return at if at is not None and at < agreement.created_at + REMINDER_WINDOW else None


# -- App Home -----------------------------------------------------------------------------------------------
# Built once (a statement built per call costs more CPU than the query takes on the database). Each pair's agreement
# with its current versions (not superseded: the agreed text in force, the one waiting for acceptance), and whether
# the reader accepted each.
_AGREEMENTS_OF_PAIRS = (
    select(
        Agreement,
        AgreementVersion,
        exists()
        .where(
            AgreementAcceptance.version_id == AgreementVersion.id,
            AgreementAcceptance.participant_id == bindparam("participant_id"),
        )
        .label("mine"),
    )
    .outerjoin(
        AgreementVersion,
        and_(AgreementVersion.agreement_id == Agreement.id, AgreementVersion.superseded_at.is_(None)),
    )
    .where(Agreement.pair_id.in_(bindparam("pair_ids", expanding=True)))
    .order_by(AgreementVersion.id)
)
_GOALS_OF_PAIRS = (
    select(Goal).where(Goal.pair_id.in_(bindparam("pair_ids", expanding=True))).order_by(Goal.position, Goal.id)
)


def home_items(
    session: Session,
    *,
    participant: Participant,
    pairs: Sequence[Pair],
    names: Mapping[int, str],
    programs: Mapping[int, Program],
    now: datetime,
) -> list[HomePair]:
    """Per active pair of the person (``pairs``: ``matching.pairs_of``; ``names`` of the partners and ``programs`` by
    id, as Home read them): the agreement's status for them and the pair's goals. Two queries for all the pairs."""
    if not pairs:
        return []
    pair_ids = [p.id for p in pairs]
    agreements: dict[int, Agreement] = {}  # pair id -> its agreement
    pending: dict[int, tuple[AgreementVersion, bool]] = {}  # agreement id -> (open_version, accepted by the reader)
    agreed: dict[int, AgreementVersion] = {}  # agreement id -> the agreed text in force (agreed_version)
    rows = session.execute(_AGREEMENTS_OF_PAIRS, {"pair_ids": pair_ids, "participant_id": participant.id}).tuples()
    for agreement, version, mine in rows:
        agreements.setdefault(agreement.pair_id, agreement)
        if version is None:
            continue
        if version.agreed_at is not None:
            agreed.setdefault(version.agreement_id, version)
        else:
            pending.setdefault(version.agreement_id, (version, bool(mine)))
    goals: dict[int, list[Goal]] = {}
    for goal in session.scalars(_GOALS_OF_PAIRS, {"pair_ids": pair_ids}):
        goals.setdefault(goal.pair_id, []).append(goal)
    items = []
    for pair in pairs:
        program = programs.get(pair.program_id)
        partner = names[pair.participant_b_id if pair.participant_a_id == participant.id else pair.participant_a_id]
        agreement = agreements.get(pair.id)
        status, version_id, agreed_on = "none", None, None
        if agreement is not None:
            open_, mine = pending.get(agreement.id, (None, False))
            in_force = agreed.get(agreement.id)
            if open_ is not None and not mine:
                status, version_id = "waiting_you", open_.id
            elif in_force is not None and in_force.agreed_at is not None:
                status, agreed_on = "agreed", local_date(in_force.agreed_at, participant.tz)
            elif open_ is not None:
                status = "waiting_partner"
        items.append(
            HomePair(
                pair_id=pair.id,
                program=program.name if program else "",
                partner=partner,
                status=status,
                agreement_id=agreement.id if agreement else None,
                version_id=version_id,
                agreed_on=agreed_on,
                goals=tuple(
                    HomeGoal(
                        id=g.id,
                        text=g.text,
                        due=g.due_on,
                        progress=g.progress,
                        done_on=local_date(g.done_at, participant.tz) if g.done_at else None,
                        proposed=g.accepted_at is None,
                        mine=g.accepted_at is None and g.created_by == participant.id,
                    )
                    for g in goals.get(pair.id, [])
                ),
            )
        )
    return items
