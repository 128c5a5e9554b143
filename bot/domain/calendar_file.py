"""A live session as a calendar file (iCalendar, RFC 5545), made with the ``icalendar`` package. Pure: the words
come in, bytes go out.

The file holds the session and nothing else about the pair: a stable UID (the same for the invitation and its
cancellation), SEQUENCE, DTSTART/DTEND in UTC, for a weekly series an RRULE until the program's end (in UTC), and
SUMMARY and DESCRIPTION in the pair's language(s). No names, no attendees, no organizer: the partners' calendars
show it as their own event.

It is a plain calendar object (RFC 5545), not a scheduling message: no METHOD, since iTIP's REQUEST and CANCEL (RFC
5546) require an ORGANIZER and ATTENDEEs, which Tandem does not know (it stores no e-mail addresses). Calendars
import such a file as an event; the cancellation is the same event again, with the same UID, a higher SEQUENCE and
STATUS:CANCELLED, which replaces the imported one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Tandem//live session//EN"


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
    cancelled: bool = False,
) -> bytes:
    """The .ics file of one session, or of its cancellation (``cancelled``: a higher ``sequence`` and
    STATUS:CANCELLED)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
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
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
