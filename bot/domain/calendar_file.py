"""A live session as a calendar file (iCalendar, RFC 5545), made with the ``icalendar`` package. Pure: the words
come in, bytes go out.

The file holds the session and nothing else about the pair: a stable UID (the same for the invitation and its
cancellation), SEQUENCE, DTSTART/DTEND in UTC, for a weekly series an RRULE until the program's end (in UTC), and
SUMMARY and DESCRIPTION in the pair's language(s). No names, no attendees, no organizer: the partners' calendars
show it as their own event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Tandem//live session//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"


def uid(session_id: int, proposed_at: datetime) -> str:
    """The session's UID: the same for every file about it, and unique across installations' sessions by the
    moment it was proposed."""
    return f"tandem-live-{session_id}-{proposed_at.astimezone(UTC):%Y%m%dT%H%M%S%f}@tandem.invalid"


def invitation(
    *,
    uid: str,
    starts_at: datetime,
    minutes: int,
    summary: str,
    description: str,
    sequence: int,
    stamp: datetime,
    weekly_until: datetime | None = None,
    method: str = REQUEST,
) -> bytes:
    """The .ics file of one session (``method`` REQUEST) or of its cancellation (CANCEL, with a higher ``sequence``
    and STATUS:CANCELLED)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", starts_at.astimezone(UTC))
    event.add("dtend", (starts_at + timedelta(minutes=minutes)).astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    if weekly_until is not None:
        event.add("rrule", {"freq": "weekly", "until": weekly_until.astimezone(UTC)})
    if method == CANCEL:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()
