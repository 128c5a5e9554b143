"""Shared steps for tests that need hosts, an admin channel and a program."""

from __future__ import annotations

from sqlalchemy import select

from bot.ids import ID
from bot.models import Enrollment, EnrollmentStatus, Participant, Program
from bot.sandbox.personas import Persona
from bot.sandbox.stack import LocalStack

PROGRAM_VALUES = {
    ID.PROGRAM_NAME.value: "Pilot 2027",
    ID.PROGRAM_FIELDS.value: "Creator skills for leaders\nEnterprise governance for young professionals",
    ID.PROGRAM_START.value: "2027-02-01",
}


def persona(stack: LocalStack, name: str, tz: str = "Europe/Berlin", locale: str = "en-US", **kw) -> Persona:
    return stack.sandbox.persona(stack.sandbox.add_user(name, real_name=f"{name} Example", tz=tz, locale=locale, **kw))


def admin_channel(stack: LocalStack, host: Persona, *others: Persona) -> str:
    """A private channel with Tandem in it, claimed by ``host`` (a workspace admin)."""
    channel = stack.sandbox.create_channel("tandem-hosts", is_private=True, members=[host.id, *(o.id for o in others)])
    stack.sandbox.invite(channel, stack.sandbox.bot_user_id, inviter=host.id)
    assert host.slash("admin setup", channel_id=channel).ok
    stack.settle()
    return channel


def create_program(stack: LocalStack, host: Persona, channel: str, **values: str) -> dict:
    """Open the program modal with /tandem admin new and submit it; returns the delivery's JSON (or {})."""
    host.slash("admin new", channel_id=channel)
    view = host.open_views()[-1]
    delivery = host.submit(view["id"], {**PROGRAM_VALUES, **values})
    stack.settle()
    return delivery.json() if delivery.body else {}


def onboard(stack: LocalStack, people: dict[str, tuple], program_name: str = "Pilot 2027") -> dict[str, Persona]:
    """People who finished the interview, written straight to the database (the interview has its own tests).

    ``people``: name -> (role, Slack locale, zone, display name, department, can teach, wants to learn, values)."""
    personas = {}
    now = stack.clock.now()
    with stack.session_factory() as s:
        program = s.scalars(select(Program).where(Program.name == program_name)).one()
        for name, (role, locale, tz, display, dept, teach, learn, values) in people.items():
            p = persona(stack, name, tz=tz, locale=locale)
            personas[name] = p
            participant = Participant(
                workspace_id=program.workspace_id,
                slack_user_id=p.id,
                display_name=display,
                tz=tz,
                locale=locale[:2],
                role=role,
                self_description=f"I am {display}.",
                department=dept,
                can_teach=teach,
                want_to_learn=learn,
                curiosity=[],
                values=values,
                learning_style="doing",
                preferences={"mode": "async", "pace": "steady", "directness": "balanced"},
                hours_per_week=2,
                preferred_days=[1, 3],
                created_at=now,
                updated_at=now,
            )
            s.add(participant)
            s.flush()
            s.add(
                Enrollment(
                    program_id=program.id,
                    participant_id=participant.id,
                    status=EnrollmentStatus.ONBOARDED,
                    source="list",
                    invited_at=now,
                    completed_at=now,  # as the interview's last step records it
                    last_activity_at=now,
                    reminders_sent=0,
                    step_message={},
                )
            )
        s.commit()
    return personas
