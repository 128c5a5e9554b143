"""The data inventory: for every table and column Tandem's database holds, what it is for, who can see it in Slack,
how long it is kept, and what kind of data it is. ``tandem data-inventory`` writes DATA.md from it (``bot.inventory``);
a test fails when a table or column of the models or migrations has no entry here, or an entry names one that is gone.

Data, not models: kept apart from ``bot.models`` so that they stay readable; the key of a column is
``"table.column"`` as in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------- kinds of data
IDENTIFIER = "identifier"  # who someone is: a Slack user id, or a link to a participant row
PROFILE = "profile"  # what a person said about themselves (or Slack says about them), about them
FREE_TEXT = "free text"  # words a person wrote
ACTIVITY = "activity"  # what a person did and when, linked to them
AGGREGATE = "aggregate"  # counts and averages, or answers that are linked to nobody
PROGRAM = "program"  # a program's set-up, written by its hosts
OPERATIONAL = "operational"  # how Tandem works: ids of Slack objects, states, timestamps of its own work
SECRET = "secret"  # a credential

KINDS: dict[str, str] = {
    IDENTIFIER: "who someone is: a Slack user id, or the link to a person's row",
    PROFILE: "what a person told Tandem about themselves in the interview (or what Slack says: name, zone, language)",
    FREE_TEXT: "words a person wrote: notes, weekly answers, goals, retro answers, cards, comments",
    ACTIVITY: "what a person did and when (answered, accepted, cancelled), linked to them",
    AGGREGATE: "counts, rates and averages, or answers linked to nobody (the anonymous pulse)",
    PROGRAM: "a program's set-up and settings, written by its hosts",
    OPERATIONAL: "how Tandem works: ids of Slack messages and channels, states, times of its own work",
    SECRET: "a credential (a bot token): encrypted at rest with TANDEM_SECRET_KEY, never shown, never logged",
}

# ---------------------------------------------------------------------------------------------- who sees it
ME = "the person"
PAIR = "the person and their partner"
HOSTS = "hosts"
NOBODY = "nobody in Slack (Tandem itself)"
IN_REASONS = "the person; their partner and hosts as far as it appears in the match reasons"

# ---------------------------------------------------------------------------------------------- how long
# A program's data is deleted by the clock `retention_months` (default 12) after the program ends
# (bot.domain.retention, bot.services.retention: its table of what happens to each table); forget-me
# (`/tandem forget-me`, bot.services.privacy.forget) deletes or empties a person's own data at once, whenever they ask.
RETENTION = "the program's retention ends (by default 12 months after the program)"
R_PROGRAM = "deleted when " + RETENTION
R_PROGRAM_TEXT = R_PROGRAM + "; forget-me deletes or empties the person's own words at once"
R_PROGRAM_LINK = R_PROGRAM + "; after forget-me it points to an anonymous placeholder, not to the person"
R_KEPT = "for good, also after " + RETENTION + ": counts and settings, nobody's data"
R_HOST_AT_RETENTION = "emptied when " + RETENTION + "; forget-me of that host empties it earlier"
R_PERSON = (
    "while a program whose data is kept has the person (they joined it); when the last one's retention ends, or at "
    "once on forget-me, the profile is emptied and only an anonymous placeholder row stays. Someone who never joins "
    "a program: 30 days after declining an invitation, 60 days after an invitation nobody answered, 30 days after a "
    "help request or a break they asked for (the clock, daily); someone who only asks Tandem something is never "
    "stored"
)
R_WORKSPACE = "for good (after an uninstall too, so that a reinstall finds it)"
R_EVENTS = "2 days (the clock deletes older rows)"
R_OUTBOX = (
    "the row after sending too (the exactly-once record), but what a call says (the payload) only until Slack has "
    "it: emptied on sending, and a day after Slack refused it for good (a person's data export at once); a "
    "program's calls (about it, its pairs, its rows) are deleted when "
    + RETENTION
    + "; forget-me deletes every call to the person or about their pairs, and every call naming them that still "
    "says something, found by these references (never by searching the text), and so does the clock for someone "
    "who never joined a program; the rest stay, emptied once sent (answers to someone in no program, and the "
    "welcome DM, are sent directly and never stored)"
)
R_SCHEMA = "as long as the database exists"


@dataclass(frozen=True)
class Column:
    purpose: str
    kind: str
    seen_by: str | None = None  # None: the table's
    retention: str | None = None  # None: the table's


@dataclass(frozen=True)
class Table:
    description: str
    seen_by: str
    retention: str
    columns: dict[str, Column] = field(default_factory=dict)
    source: str = "bot.models"  # where the table is defined


def c(purpose: str, kind: str = OPERATIONAL, seen_by: str | None = None, retention: str | None = None) -> Column:
    return Column(purpose, kind, seen_by, retention)


ID = c("row id", OPERATIONAL, seen_by=NOBODY)
CREATED = c("when the row was written", OPERATIONAL)
UPDATED = c("when the row last changed", OPERATIONAL)


def _program_fk() -> Column:
    return c("the program it belongs to", OPERATIONAL)


def _pair_fk() -> Column:
    return c("the pair it belongs to", OPERATIONAL)


def _host_id(purpose: str, seen_by: str | None = None) -> Column:
    return c(purpose, IDENTIFIER, seen_by=seen_by, retention="as the row; forget-me of that person empties it")


def _person(what: str = "the participant") -> Column:
    return c(f"{what} (link to their participant row)", IDENTIFIER)


TABLES: dict[str, Table] = {
    # ------------------------------------------------------------------------------------------ workspace & people
    "workspace": Table(
        "A Slack workspace where Tandem is installed, its admin channel and who its hosts are.",
        HOSTS,
        R_WORKSPACE,
        {
            "id": ID,
            "team_id": c("Slack's id of the workspace", OPERATIONAL),
            "name": c("the workspace's name, as Slack says", OPERATIONAL),
            "bot_user_id": c("Tandem's own Slack user id in the workspace", OPERATIONAL),
            "admin_channel_id": c("the private channel whose members are the hosts", OPERATIONAL),
            "admin_members": c(
                "Slack user ids of the admin channel's members (the hosts), as Slack last said (a one-minute cache)",
                IDENTIFIER,
                retention="replaced every minute it is needed (kept as it was while the admin channel is public, "
                "archived or shared); forget-me removes the person's id",
            ),
            "admin_members_fetched_at": c("when Slack was last asked who the hosts are and what the admin channel is"),
            "admin_channel_problems": c(
                "what was wrong with the admin channel at that moment (public, archived, shared with another "
                "workspace or organisation); while set, nobody is a host",
                OPERATIONAL,
            ),
            "admin_channel_warned_at": c(
                "when the hosts were told by DM how to fix the admin channel (cleared once it is fine again)",
            ),
            "people_checked_on": c("the day the clock last forgot the people who never joined a program"),
            "uninstalled_at": c("when the workspace removed Tandem or revoked its token (None: installed)"),
            "manager_field_id": c(
                "the custom Slack profile field that names each person's manager, when hosts map one "
                "(/tandem admin orgchart)",
                OPERATIONAL,
            ),
            "created_at": CREATED,
        },
    ),
    "host_role": Table(
        "Who hosts what: a Tandem admin of the workspace (every program, and who hosts what), or a host or co-host of "
        "one program. Being a member of the private admin channel is needed as well. Set by `/tandem admin setup` "
        "(everyone in the channel then), `/tandem admin hosts` and the alumni invitation of a new cohort.",
        HOSTS,
        "while the role holds: `/tandem admin hosts` removes it, the program's deletion deletes its roles, forget-me "
        "deletes the person's roles",
        {
            "id": ID,
            "workspace_id": c("the workspace it belongs to"),
            "program_id": c("the program hosted or co-hosted (none: a Tandem admin)", OPERATIONAL),
            "slack_user_id": c("the Slack user id of the admin, host or co-host", IDENTIFIER),
            "role": c("admin, host or co-host", OPERATIONAL),
            "granted_by": c("the Slack user id of who gave the role (none: set up or carried over)", IDENTIFIER),
            "granted_at": c("when the role was given"),
        },
    ),
    "host_confirmation": Table(
        "An action that deletes or closes (removing a person and their data, closing a program), asked for by one "
        "host and waiting for a second host of the program to confirm or decline it.",
        HOSTS,
        "until a second host decides (then deleted) or 7 days pass (the next click finds it expired and deletes it); "
        "forget-me deletes the requests about the person and empties the ones they asked for",
        {
            "id": ID,
            "workspace_id": c("the workspace it belongs to"),
            "program_id": c("the program it concerns (none: a person in several programs, for the Tandem admins)"),
            "kind": c("what is asked: remove (a person) or close (a program)"),
            "target": c("the Slack user id of the person to remove, or the program's id", IDENTIFIER),
            "requested_by": c("the Slack user id of the host who asked", IDENTIFIER),
            "created_at": CREATED,
        },
    ),
    "reporting_line": Table(
        "Who reports to whom, by Slack user id, one row per person and source: `orgchart` (the CSV a host imported "
        "with /tandem admin orgchart; the next import replaces all of them), `slack_profile` (the workspace's mapped "
        "profile field, read for everyone in a program when a host saves the mapping, and again for the people to be "
        "paired whenever a host runs matching) or `interview` (what the person named in the interview or their "
        "profile). For a person the org chart counts before the Slack "
        "profile field, and that before the interview. Matching keeps everyone up to the program's number of levels "
        "above a person, and people with the same direct manager, apart; hosts see only how many pairs all private "
        "rules together ruled out. Rows may name people who never joined a program: a skip-level manager need not "
        "take part. E-mail addresses in an org chart are only looked up in Slack, never stored.",
        NOBODY,
        "org chart rows until the next import replaces them or a host removes the import; profile-field rows until "
        "the mapping changes or is removed; interview rows until the person changes them; forget-me (and the end of "
        "the last retention that keeps the person) deletes the person's own rows and puts an anonymous placeholder "
        "where they are someone's manager, so that the line above stays apart",
        {
            "id": ID,
            "workspace_id": c("the workspace", OPERATIONAL),
            "person_slack_id": c("the person whose manager the row names", IDENTIFIER),
            "manager_slack_id": c(
                "their manager (after that manager's forget-me: an anonymous placeholder)",
                IDENTIFIER,
                seen_by="the person, for an interview row (their own answer; and in their data export)",
            ),
            "source": c("where the line comes from: orgchart, slack_profile or interview", OPERATIONAL),
            "created_at": CREATED,
        },
    ),
    "participant": Table(
        "A person who met Tandem in a workspace, with the profile the onboarding interview fills. Matching reads the "
        "profile. Hosts see a person's name and, in the matching preview, the reasons two people fit (\"Ana can "
        'teach short video, Jörg wants to learn it · different departments · shared value: curiosity"); the '
        "partner sees the same reasons and the self-description in the introduction; speed-dating candidates see "
        "name, department and self-description. Nobody else sees the profile: the person edits it on App Home.",
        ME,
        R_PERSON,
        {
            "id": ID,
            "workspace_id": c("the workspace", OPERATIONAL),
            "slack_user_id": c(
                "the person's Slack user id (after forget-me: a random placeholder)",
                IDENTIFIER,
                seen_by="the person, their partner and hosts (as a name in Slack)",
            ),
            "display_name": c("name from Slack", PROFILE, seen_by="the person, their partner and hosts"),
            "tz": c("time zone (from Slack, correctable): prompts come at the person's local time", PROFILE),
            "locale": c("language, English or German (from Slack, correctable)", PROFILE),
            "role": c(
                "role in the tandem: brings digital skills, brings context, or both",
                PROFILE,
                seen_by="the person, and hosts in the matching preview",
            ),
            "self_description": c(
                "a few words the person wrote about themselves",
                FREE_TEXT,
                seen_by="the person; their partner (introduction) and speed-dating candidates",
            ),
            "curiosity": c("what the person is curious about", PROFILE, seen_by=IN_REASONS),
            "can_teach": c("what the person can teach", PROFILE, seen_by=IN_REASONS),
            "want_to_learn": c("what the person wants to learn", PROFILE, seen_by=IN_REASONS),
            "learning_style": c("how the person likes to learn", PROFILE, seen_by=IN_REASONS),
            "preferences": c("ways of working and wishes for a partner", PROFILE, seen_by=IN_REASONS),
            "values": c("up to three values", PROFILE, seen_by=IN_REASONS),
            "department": c(
                "field or department",
                PROFILE,
                seen_by="the person and speed-dating candidates; hosts and the partner only whether two people's "
                "differ (match reasons)",
            ),
            "hours_per_week": c(
                "availability in hours a week", PROFILE, seen_by="the person; others only the overlap in match reasons"
            ),
            "preferred_days": c("preferred weekdays", PROFILE, seen_by="the person (matching uses it)"),
            "country": c("country whose public holidays keep prompts away (from the interview)", PROFILE),
            "region": c("region whose public holidays keep prompts away (from the interview)", PROFILE),
            "working_days": c(
                "the person's own working days, the only days prompts and reminders reach them (from the interview; "
                "empty: the program's)",
                PROFILE,
            ),
            "consented_at": c("when the person agreed to the basics of the working agreement", ACTIVITY),
            "settings_confirmed": c("the person confirmed or corrected time zone and language", OPERATIONAL),
            "avoid": c(
                "Slack ids of people this person asked not to be paired with (interview or profile; at most 10)",
                IDENTIFIER,
                seen_by="the person only (matching respects it; a host who tries to pair them by hand learns only that "
                "the two can't be paired, not why nor who asked)",
            ),
            "waitlisted_at": c("waiting for a partner since (first in line next round)", ACTIVITY, seen_by=HOSTS),
            "welcomed_at": c(
                "unused, always empty: whether Tandem welcomed someone is read from Slack's DM history", OPERATIONAL
            ),
            "paused_until": c("on a break up to this day (/tandem pause): prompts skip it", ACTIVITY, seen_by=PAIR),
            "created_at": CREATED,
            "updated_at": UPDATED,
        },
    ),
    # ------------------------------------------------------------------------------------------ programs
    "program": Table(
        "A program (cohort) and its set-up, as hosts wrote it in the program modal.",
        "hosts; participants see its name, rhythm and focus question",
        "for good, also after its retention ends (name, settings, dates, the digest's counts): then the clock "
        "closes it, sets expired_at and deletes its people's data (see the other tables)",
        {
            "id": ID,
            "workspace_id": c("the workspace", OPERATIONAL),
            "name": c("the program's name", PROGRAM),
            "status": c("draft, active, paused or closed", PROGRAM),
            "default_locale": c("language for people without one", PROGRAM),
            "learning_fields": c("learning fields / topic paths", PROGRAM),
            "start_date": c("first day", PROGRAM),
            "duration_weeks": c("length in weeks", PROGRAM),
            "rhythm": c("weekly or fortnightly", PROGRAM),
            "prompt_weekday": c("weekday of the weekly prompt", PROGRAM),
            "prompt_hour": c("local hour of the weekly prompt", PROGRAM),
            "working_days": c("weekdays prompts and reminders may reach people on", PROGRAM),
            "trial_weeks": c("length of the trial period", PROGRAM),
            "focus_question": c("the question each week asks", PROGRAM),
            "bold_goals": c("example bold goals", PROGRAM),
            "signup_open": c("anyone may join with /tandem join", PROGRAM),
            "timezone": c("the program's zone: digests at 09:00 there", PROGRAM),
            "created_by": _host_id("Slack id of the host who created it"),
            "last_digest_on": c("the day of the last onboarding digest"),
            "digest_snapshot": c("the counts the last digest reported", AGGREGATE),
            "matching_weights": c("weights overriding matching's defaults", PROGRAM),
            "match_on": c("the day matching is scheduled for", PROGRAM),
            "match_ran_on": c("the scheduled matching day already handled"),
            "agreement_template": c("the working agreement's text for new pairs", PROGRAM),
            "kickoff_texts": c("the kick-off kit's lesson texts the hosts wrote for new pairs", PROGRAM),
            "peer_circle": c("the peer circle: none, a private channel per side, or a thread per side", PROGRAM),
            "peer_channel_id": c("the channel the hosts picked for the peer circle's threads", PROGRAM),
            "retro_every_weeks": c("retro cycle length", PROGRAM),
            "community_channel_id": c("the channel consented quotes and published cards go to", PROGRAM),
            "poll_every_weeks": c("pulse rhythm (0: no pulse)", PROGRAM),
            "poll_threshold": c("fewest answers a pulse round needs before hosts see anything of it", PROGRAM),
            "series_id": c("the first program of its topic path (cohorts of one path)", PROGRAM),
            "retention_months": c("months after the end the program's data is kept (default 12)", PROGRAM),
            "reporting_levels": c(
                "how many levels up a reporting line matching keeps people apart (default 2: manager and skip-level)",
                PROGRAM,
            ),
            "closed_at": c("when a host closed it (a closed program ends then)", PROGRAM),
            "expired_at": c("when its retention ended and the clock deleted its data", OPERATIONAL),
            "privacy_controller": c(
                "who is responsible for the program's data (the controller), as the hosts wrote it for the privacy "
                "notice",
                PROGRAM,
                seen_by="hosts and everyone invited to the program",
            ),
            "privacy_contact": c(
                "whom participants ask about their data (e.g. the data-protection officer), for the privacy notice",
                PROGRAM,
                seen_by="hosts and everyone invited to the program",
            ),
            "legal_basis": c(
                "the program's legal basis: consent or a works agreement", PROGRAM, seen_by="hosts and participants"
            ),
            "named_silence": c("whether hosts are told by name which pair went silent (off: counts only)", PROGRAM),
            "late_cancel_log": c(
                "whether hosts get a request they can answer per person who cancelled late repeatedly, without a name"
                " (off: counts only)",
                PROGRAM,
            ),
            "streaks": c("whether participants see their pair's streak of answered weeks", PROGRAM),
            "created_at": CREATED,
            "updated_at": UPDATED,
        },
    ),
    "enrollment": Table(
        "One person in one program: the invitation, their answer and where they are in the onboarding interview.",
        "the person; hosts see counts (invited, onboarded, matched), and the matching preview names who waits for "
        "a partner",
        R_PROGRAM_LINK
        + "; a declined invitation points to it 30 days after the answer, one nobody answered 60 days after it was "
        "sent",
        {
            "id": ID,
            "program_id": _program_fk(),
            "participant_id": _person(),
            "status": c("invited, declined, interviewing, onboarded or left", ACTIVITY),
            "source": c("how they came: a host's list, a channel, or /tandem join", OPERATIONAL),
            "invited_by": _host_id("Slack id of the inviting host"),
            "invited_at": c("when invited", ACTIVITY),
            "responded_at": c("when they answered the invitation", ACTIVITY),
            "interview_step": c("the interview step they are on", ACTIVITY, seen_by=ME),
            "interview_started_at": c("when the interview began", ACTIVITY, seen_by=ME),
            "completed_at": c("when the interview was done", ACTIVITY),
            "last_activity_at": c("their last interview answer: reminders count from it", ACTIVITY, seen_by=NOBODY),
            "reminders_sent": c("reminders sent (2 at most, then silence)", OPERATIONAL),
            "last_reminder_at": c("the last reminder", OPERATIONAL),
            "step_message": c("where the current step's DM is, to update it", OPERATIONAL, seen_by=NOBODY),
        },
    ),
    "invite_batch": Table(
        "A host's request to invite people (picked, or everyone in a channel), worked through by the clock.",
        HOSTS,
        "for good (the channel and the counts); the Slack ids in it are emptied when " + RETENTION,
        {
            "id": ID,
            "program_id": _program_fk(),
            "requested_by": c("Slack id of the host", IDENTIFIER, retention=R_HOST_AT_RETENTION),
            "user_ids": c(
                "Slack ids of the people picked",
                IDENTIFIER,
                retention="emptied as soon as the invitations are out (the enrollments hold who was invited)",
            ),
            "channel_id": c("the channel whose members were invited"),
            "status": c("pending, processing or done"),
            "created_at": CREATED,
            "claimed_at": c("when the clock took it"),
            "processed_at": c("when it was done"),
            "summary": c("counts: invited, already invited, skipped", AGGREGATE),
        },
    ),
    # ------------------------------------------------------------------------------------------ matching
    "speed_round": Table(
        "An optional speed-dating round before matching.",
        HOSTS,
        R_KEPT,
        {
            "id": ID,
            "program_id": _program_fk(),
            "status": c("preparing, open or closed"),
            "created_by": c("Slack id of the host", IDENTIFIER, retention=R_HOST_AT_RETENTION),
            "created_at": CREATED,
            "closes_at": c("deadline"),
            "reminded_at": c("when the one reminder went"),
            "closed_at": c("when it closed"),
            "stats": c("counts: people, intros, people without a candidate", AGGREGATE),
        },
    ),
    "speed_intro": Table(
        "One candidate shown to one person in a speed-dating round, and their private answer. Only the combined "
        'level of both answers reaches matching; a "no" is never shown to anyone.',
        "the person (their own candidates and answers)",
        R_PROGRAM + "; forget-me deletes every intro to or about the person",
        {
            "id": ID,
            "round_id": c("the round"),
            "participant_id": _person("who was shown the candidate"),
            "candidate_id": _person("the candidate"),
            "position": c("order on the person's card"),
            "reasons": c("why they might fit (matching reasons)", PROFILE),
            "answer": c("yes, maybe or no", ACTIVITY, seen_by="the person only"),
            "answered_at": c("when they answered", ACTIVITY, seen_by=NOBODY),
            "rank": c(
                "their ranking of the candidate, 1 to 3; hosts never see it; two people matched who ranked each other "
                "read so in their introduction",
                ACTIVITY,
                seen_by="the person only",
            ),
        },
    ),
    "match_round": Table(
        "One run of matching for a program: a preview hosts adjust, then approve.",
        HOSTS,
        R_KEPT,
        {
            "id": ID,
            "program_id": _program_fk(),
            "status": c("preview, approved or discarded"),
            "created_by": c("Slack id of the host (None: scheduled)", IDENTIFIER, retention=R_HOST_AT_RETENTION),
            "created_at": CREATED,
            "approved_by": c("Slack id of the approving host", IDENTIFIER, retention=R_HOST_AT_RETENTION),
            "approved_at": c("when approved"),
            "stats": c("total score, pool size, score distribution, solver time", AGGREGATE),
        },
    ),
    "match_proposal": Table(
        "A proposed pair in a matching round, or someone left unmatched with the reason.",
        HOSTS,
        R_PROGRAM + "; forget-me takes the person out of a preview and empties the reasons elsewhere",
        {
            "id": ID,
            "round_id": c("the round"),
            "participant_a_id": _person("one partner"),
            "participant_b_id": _person("the other partner (None: unmatched)"),
            "score": c("how well they fit", AGGREGATE),
            "reasons": c("why they fit, from both profiles", PROFILE),
            "locked": c("a host locked the pair"),
            "unmatched_reason": c("why someone is left over", OPERATIONAL),
        },
    ),
    "pair": Table(
        "Two people of a program learning together in their own group DM with Tandem.",
        "the two partners and hosts",
        R_PROGRAM_LINK,
        {
            "id": ID,
            "program_id": _program_fk(),
            "participant_a_id": _person("one partner"),
            "participant_b_id": _person("the other partner"),
            "status": c("active or ended", ACTIVITY),
            "channel_id": c("the pair's group DM"),
            "thread_ts": c("the current week's thread"),
            "round_id": c("the matching round that made it"),
            "score": c("matching score", AGGREGATE),
            "reasons": c(
                "why they were matched, from both profiles",
                PROFILE,
                retention=R_PROGRAM + "; forget-me empties it",
            ),
            "started_at": c("when they were introduced", ACTIVITY),
            "ended_at": c("when it ended", ACTIVITY),
            "end_reason": c(
                "why it ended (switch after the trial: never who asked; program closed; left)",
                ACTIVITY,
                seen_by="the two partners; hosts see counts",
            ),
        },
    ),
    "trial_check": Table(
        'The end-of-trial question "continue or switch?" for a pair. It holds no answer of a person: a switch '
        "sets the flag, a continue writes nothing, so nobody (not even someone reading the database) can tell who "
        "asked to switch.",
        "hosts see counts per program",
        R_PROGRAM,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "program_id": _program_fk(),
            "asked_at": c("when both were asked"),
            "closes_at": c("deadline"),
            "switch_requested": c("someone in the pair asked to switch (never who)", AGGREGATE, seen_by=NOBODY),
            "resolved_at": c("when the outcome was settled"),
            "outcome": c("continue or switch", ACTIVITY, seen_by="the two partners; hosts see counts"),
            "reported_at": c("when the hosts' summary counted it"),
        },
    ),
    # ------------------------------------------------------------------------------------------ a pair's weeks
    "agreement": Table(
        "A pair's working agreement.",
        "the two partners; hosts see counts (agreements accepted)",
        R_PROGRAM,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "locale": c("the pair's common language"),
            "created_at": CREATED,
            "agreed_at": c("when both first accepted a version", ACTIVITY),
            "reminders_a": c("reminders to one partner"),
            "reminders_b": c("reminders to the other partner"),
            "reminded_a_at": c("the last reminder to one partner"),
            "reminded_b_at": c("the last reminder to the other partner"),
        },
    ),
    "agreement_version": Table(
        "One version of a pair's agreement text: the program's template, or a change a partner proposed.",
        "the two partners",
        R_PROGRAM,
        {
            "id": ID,
            "agreement_id": c("the agreement"),
            "number": c("version number"),
            "sections": c(
                "the agreement's text by section (a proposed change is the proposer's words)",
                FREE_TEXT,
                retention=R_PROGRAM_TEXT,
            ),
            "note": c("the proposer's note to the partner", FREE_TEXT, retention=R_PROGRAM_TEXT),
            "proposed_by": _person("who proposed it (None: the template)"),
            "created_at": CREATED,
            "agreed_at": c("when both accepted it", ACTIVITY),
            "superseded_at": c("when a newer version replaced it"),
            "channel_id": c("where it was posted"),
            "message_ts": c("the message showing it"),
        },
    ),
    "agreement_acceptance": Table(
        "A partner accepted a version of the agreement.",
        "the two partners",
        R_PROGRAM_LINK,
        {
            "id": ID,
            "version_id": c("the version"),
            "participant_id": _person("who accepted"),
            "accepted_at": c("when", ACTIVITY),
        },
    ),
    "goal": Table(
        "A pair's bold goal (1 to 3), with progress.",
        "the two partners; hosts see counts (goals set and done)",
        R_PROGRAM,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "position": c("order in the pair's list"),
            "text": c("the goal, in the pair's words", FREE_TEXT, retention=R_PROGRAM_TEXT),
            "due_on": c("optional due date", ACTIVITY),
            "progress": c("0, 25, 50, 75 or 100 percent", ACTIVITY),
            "done_at": c("when it was done", ACTIVITY),
            "accepted_at": c("when the partner accepted it (empty while it is only proposed)", ACTIVITY),
            "created_by": _person("who set it"),
            "updated_by": _person("who last changed it"),
            "created_at": CREATED,
            "updated_at": UPDATED,
        },
    ),
    "pair_week": Table(
        "One week of a pair's rhythm: its day, the prompt in the pair's thread, the method card, and how it ended.",
        "the two partners",
        R_PROGRAM,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "number": c("week number"),
            "day": c("the schedule's day"),
            "moved_to": c("a partner moved it to this day", ACTIVITY),
            "status": c("scheduled, open, closed, skipped, cancelled or missed", ACTIVITY),
            "method": c("the method card of the week"),
            "thread_at": c("when its prompt went"),
            "handled_at": c("when the clock dealt with it"),
            "channel_id": c("the pair's group DM"),
            "thread_ts": c("the week's thread"),
            "agreed_homework": c('"what we agreed": homework', FREE_TEXT, retention=R_PROGRAM_TEXT),
            "agreed_next_step": c('"what we agreed": the smallest next step', FREE_TEXT, retention=R_PROGRAM_TEXT),
            "agreed_by": _person("who wrote it"),
            "agreed_at": c("when", ACTIVITY),
            "silence_flagged_at": c(
                "when hosts were told the pair has been quiet for weeks (their names and the week numbers, never "
                "content; only a count when the program has named silence flags off)",
                ACTIVITY,
                seen_by="the hosts (the pair's names and the quiet weeks, or only how many pairs went quiet)",
            ),
            "created_at": CREATED,
        },
    ),
    "week_partner": Table(
        "One partner's side of a week: their prompt moment, the nudges, whether they answered.",
        NOBODY,
        R_PROGRAM_LINK,
        {
            "id": ID,
            "week_id": c("the week"),
            "participant_id": _person(),
            "prompt_at": c("the program's hour on the week's day, on their clock"),
            "nudge_at": c("the DM linking to the thread (later partners)"),
            "nudge_sent_at": c("when it went"),
            "midweek_at": c("the one mid-week nudge"),
            "midweek_sent_at": c("when it went"),
            "answered_at": c("when they answered that week", ACTIVITY, seen_by=PAIR),
        },
    ),
    "week_answer": Table(
        "What a partner wrote for a week (a reply in the week's thread, or the Answer modal). Hosts never see it.",
        "the two partners",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "week_id": c("the week"),
            "participant_id": _person("the author"),
            "text": c("the answer", FREE_TEXT),
            "slack_ts": c("the thread reply"),
            "source": c("thread or modal"),
            "created_at": c("when it was written", ACTIVITY),
        },
    ),
    "week_prep": Table(
        "One partner's preparation for a week, asked by DM the evening before its prompt: what they bring and what "
        "they need from their partner; it goes into the pair's thread when the week opens. Hosts never see it.",
        "the two partners (once it is in their thread)",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "week_number": c("the week it prepares"),
            "participant_id": _person("the author"),
            "due_at": c("when the DM is due (empty: it never goes)"),
            "asked_at": c("when the DM was sent", ACTIVITY),
            "bring": c("what I bring", FREE_TEXT),
            "need": c("what I need from you", FREE_TEXT),
            "filled_at": c("when it was written", ACTIVITY),
            "posted_at": c("when it went into the pair's thread", ACTIVITY),
        },
    ),
    "cancellation": Table(
        "A partner cancelled or moved a week, or cancelled a live session. Less than 24 hours ahead counts as late; "
        "a pattern of late ones reaches the hosts with counts only, and hosts see weekly counts by side (digital, "
        "context) from at least the threshold of people.",
        "the two partners; hosts only counts, when a pattern escalates, and counts by side",
        R_PROGRAM_LINK,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "participant_id": _person("who cancelled or moved"),
            "week_number": c("the week"),
            "kind": c("cancel or move a week, or cancel a live session", ACTIVITY),
            "moved_to": c("the new day", ACTIVITY),
            "late": c("less than 24 hours ahead", ACTIVITY),
            "created_at": c("when", ACTIVITY),
            "escalated_at": c("when an escalation counted it"),
        },
    ),
    "live_session": Table(
        "A pair's live session: the three slots Tandem proposed in the pair's group DM, the one a partner accepted "
        "(once, or every week until the program's end) and when its next reminder is due. Forget-me of either "
        "partner deletes the pair's sessions.",
        PAIR,
        R_PROGRAM + "; forget-me of either partner deletes them at once",
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "starts_at": c("when it starts (UTC); a weekly series' first time", ACTIVITY),
            "minutes": c("how long it lasts"),
            "weekly": c("every week at this time", ACTIVITY),
            "until": c("a weekly series' end: the program's end"),
            "status": c("proposed, accepted, dropped or cancelled", ACTIVITY),
            "sequence": c("the calendar file's version (raised by a cancellation)"),
            "proposed_at": c("when the slots were proposed", ACTIVITY),
            "accepted_by": _person("who accepted it"),
            "accepted_at": c("when it was accepted", ACTIVITY),
            "remind_at": c("when the next reminder is due"),
        },
    ),
    "note": Table(
        "A note in a pair's note space. Its visibility (private, pair, hosts, program) decides who reads it; a red "
        "note, or one under a red topic, never leaves the pair, and a hosts or program note leaves it only once the "
        "author's partner agreed.",
        "as its visibility says: only the author (private), the pair, the pair and hosts, or everyone in the program "
        "(the last two only once both partners agreed); a red note: only the pair",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "program_id": _program_fk(),
            "author_id": _person("the author"),
            "text": c("the note", FREE_TEXT),
            "links": c("links in it, or to a saved message and its files", FREE_TEXT),
            "topic": c("topic as typed", FREE_TEXT),
            "topic_key": c("topic, normalized", FREE_TEXT),
            "visibility": c("private, pair, hosts or program"),
            "share_state": c("hosts and program notes: asked, agreed or declined by the author's partner"),
            "red": c("stays inside the pair"),
            "red_by": _person("who marked it red"),
            "source": c("command, message shortcut or button"),
            "created_at": c("when it was written", ACTIVITY),
        },
    ),
    "red_topic": Table(
        "A topic a pair marked red: every note of the pair under it stays inside the pair.",
        "the two partners",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "topic_key": c("topic, normalized", FREE_TEXT),
            "topic": c("topic as typed", FREE_TEXT),
            "created_by": _person("who marked it"),
            "created_at": CREATED,
        },
    ),
    "escalation": Table(
        "Something that reached the hosts privately: a request for help (only what the person chose to share) or a "
        "pattern of late cancellations (the program and a count, never a name).",
        "hosts, and the person who asked for help",
        R_PROGRAM_TEXT + " (a help request outside any program: with its author, 30 days after it at the earliest)",
        {
            "id": ID,
            "workspace_id": c("the workspace"),
            "kind": c("a request for help, or a pattern of late cancellations"),
            "participant_id": _person("who a host's answer goes to (hosts see it only if the person shared it)"),
            "pair_id": _pair_fk(),
            "program_id": _program_fk(),
            "shared": c("exactly what the hosts were shown", FREE_TEXT),
            "created_at": CREATED,
            "answers": c("how often a host answered"),
            "answered_at": c("the latest answer"),
            "answered_by": _host_id("Slack id of the answering host"),
        },
    ),
    # ------------------------------------------------------------------------------------------ pulse and retros
    "poll_round": Table(
        "One round of a program's anonymous pulse.",
        HOSTS,
        R_KEPT,
        {
            "id": ID,
            "program_id": _program_fk(),
            "number": c("round number"),
            "opens_on": c("opening day"),
            "closes_on": c("closing day"),
            "threshold": c("fewest answers before hosts see anything", PROGRAM),
            "questions": c("the two rotating questions asked", PROGRAM),
            "closed": c("closed: no more answers; its results reach the hosts with the next weekly release"),
        },
    ),
    "poll_receipt": Table(
        "Someone was asked in a pulse round, and whether they answered: never what, and no time (the database's own "
        "history says when the row changed). It cannot be tied to a ballot's content or a response (see the pulse "
        "section above).",
        "nobody (hosts see the response rate, at or above the threshold)",
        R_PROGRAM_LINK,
        {
            "round_id": c("the round"),
            "participant_id": _person("who was asked"),
            "answered": c("they answered (so they cannot answer twice)", ACTIVITY),
        },
    ),
    "poll_ballot": Table(
        "One answer to a pulse round that is still open, sealed with the app's secret key (TANDEM_SECRET_KEY): no "
        "person, no time, a random key, and the same length as every other ballot. When the round closes with at "
        "least its threshold of ballots they are opened, shuffled and written as responses, all at once; with "
        "fewer they are deleted unopened.",
        NOBODY,
        "until its round closes, 5 days after it opened (then it becomes a response or is deleted unopened); any "
        "left of a program are deleted when " + RETENTION,
        {
            "id": c("a random key (not a counter)", AGGREGATE),
            "round_id": c("the round", AGGREGATE),
            "sealed": c(
                "mood, the two questions' answers and the optional comment, encrypted (AES-GCM) and padded to one "
                "length; only the app's key opens it",
                FREE_TEXT,
            ),
        },
    ),
    "poll_response": Table(
        "One anonymous pulse answer of a closed round: no person, no time, a random key; written with all the other "
        "answers of its round at its close, in shuffled order.",
        "hosts, only as averages, distributions and shuffled comments of a round at or above the threshold",
        "for good (linked to nobody), also after " + RETENTION + "; the comment is emptied then",
        {
            "id": c("a random key (not a counter)", AGGREGATE),
            "round_id": c("the round", AGGREGATE),
            "mood": c("mood 1 to 5", AGGREGATE),
            "answers": c("the two questions' answers, 1 to 5", AGGREGATE),
            "comment": c("an optional comment, linked to nobody", FREE_TEXT, retention="emptied when " + RETENTION),
        },
    ),
    "retro": Table(
        "A pair's retro at the end of a cycle and of the program.",
        "the two partners; hosts see counts",
        R_PROGRAM,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "program_id": _program_fk(),
            "cycle": c("cycle number"),
            "last_week": c("the week that ended the cycle"),
            "final": c("the program's end"),
            "locale": c("language"),
            "opened_at": c("when it opened"),
            "channel_id": c("the pair's group DM"),
            "thread_ts": c("the retro's thread"),
            "summary_at": c("when both had filled it in", ACTIVITY),
        },
    ),
    "retro_answer": Table(
        "One partner's retro: what went well, what they learned, what they change, talk share, and a quote they "
        "would share. The quote reaches hosts only when both partners agreed.",
        "the two partners; hosts see counts and consented quotes",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "retro_id": c("the retro"),
            "participant_id": _person("the author"),
            "went_well": c("what went well", FREE_TEXT),
            "learned": c("what they learned", FREE_TEXT),
            "change": c("what they change", FREE_TEXT),
            "talk_share": c("how balanced the talk was, 1 to 5", ACTIVITY),
            "themes": c(
                "what the retro was about, tagged from a short list (hosts see released counts only)", ACTIVITY
            ),
            "quote": c(
                "a quote they would share",
                FREE_TEXT,
                seen_by="the two partners; hosts and the community channel once both agreed",
            ),
            "author_consent_at": c("the proposer confirmed sharing it", ACTIVITY),
            "partner_consent_at": c("the partner agreed", ACTIVITY),
            "declined_at": c("either said no: never shared", ACTIVITY),
            "posted_at": c("a host posted it to the community channel"),
            "posted_channel": c("where"),
            "posted_by": _host_id("Slack id of the host"),
            "created_at": CREATED,
            "updated_at": UPDATED,
        },
    ),
    "follow_up": Table(
        "One partner's follow-up question 30 or 90 days after their pair ended (\"Is what we learned still in use? "
        'What exactly?"): when it was asked, their answer (yes, partly or no), an optional text and whether they '
        "said they may be quoted. Hosts see the answers only counted, as released weekly; the text only with that "
        "consent, without a name.",
        "the person; hosts and the program's participants see counts, and the text only where the person consented",
        R_PROGRAM_TEXT,
        {
            "id": ID,
            "pair_id": _pair_fk(),
            "program_id": _program_fk(),
            "participant_id": _person("the person asked"),
            "days": c("30 or 90 days after the pair ended"),
            "asked_at": c("when the question was queued", ACTIVITY),
            "closes_at": c("until when an answer counts"),
            "answer": c("yes, partly or no", ACTIVITY),
            "text": c(
                "what exactly is still in use",
                FREE_TEXT,
                seen_by="the person; hosts and the program page on App Home, without a name, once they said it may "
                "be quoted",
            ),
            "quote_ok": c("the person said they may be quoted (without their name)", ACTIVITY),
            "answered_at": c("when they answered", ACTIVITY),
        },
    ),
    "learning_card": Table(
        'A participant\'s "what I learned" card: a draft in their DM until they press Publish (their consent), then '
        "in the program's community channel and Tandem's card library, with or without their name.",
        "the author; once published, the community channel, and the workspace's participants and hosts in the card "
        "library",
        R_PROGRAM_TEXT + " (and takes a published card out of the community channel; when the program's retention "
        "ends, a published card stays there)",
        {
            "id": ID,
            "program_id": _program_fk(),
            "participant_id": _person("the author"),
            "title": c("title", FREE_TEXT),
            "text": c("the card", FREE_TEXT),
            "show_name": c("publish with the author's name"),
            "created_at": CREATED,
            "updated_at": UPDATED,
            "published_at": c("when the author published it (None: a draft)", ACTIVITY),
            "channel_id": c("where it was posted"),
            "in_library": c("published with the consent that names the card library (cards published before it: no)"),
        },
    ),
    "kickoff_kit": Table(
        "The kick-off kit a partner got by DM before their pair's first week: the side of the pair it was for and "
        'the lessons they marked "Got it".',
        ME,
        R_PROGRAM + "; forget-me deletes it at once",
        {
            "id": ID,
            "program_id": _program_fk(),
            "participant_id": _person("whom it was sent to"),
            "pair_id": _pair_fk(),
            "side": c("digital or context: whose lessons it holds", ACTIVITY),
            "locale": c("the language it was sent in"),
            "sent_at": c("when it was queued (it arrives in the person's working time)", ACTIVITY),
            "read": c('the lessons the person marked "Got it"', ACTIVITY),
        },
    ),
    "peer_circle": Table(
        "The peer circle of one side of a program: the private channel Tandem created or the thread in the hosts' "
        "channel, whom Tandem invited, and the day of the last monthly prompt.",
        "the people of that side (and whoever is in the hosts' channel, for a thread)",
        R_PROGRAM + "; forget-me removes the person from the channel and from the list at once",
        {
            "id": ID,
            "program_id": _program_fk(),
            "side": c("digital or context"),
            "channel_id": c("the channel (created by Tandem, or the hosts')"),
            "thread_ts": c("the side's thread in the hosts' channel"),
            "members": c("Slack ids of the people Tandem invited (so it removes only them)", IDENTIFIER),
            "last_prompt_on": c("the day of the last monthly prompt"),
            "created_at": CREATED,
        },
    ),
    # ------------------------------------------------------------------------------------------ impact
    "metric": Table(
        "A metric hosts defined for a program, with baseline and target range.",
        "hosts; pairs see the metrics they report",
        "for good (the hosts' definitions)",
        {
            "id": ID,
            "program_id": _program_fk(),
            "name": c("name", PROGRAM),
            "unit": c("unit", PROGRAM),
            "baseline": c("baseline", PROGRAM),
            "target_low": c("target range, low", PROGRAM),
            "target_high": c("target range, high", PROGRAM),
            "reporter": c("logged by hosts or by each pair", PROGRAM),
            "created_by": _host_id("Slack id of the host"),
            "created_at": CREATED,
            "archived_at": c("when archived"),
        },
    ),
    "metric_value": Table(
        "One logged value of a metric: the program's (hosts) or a pair's own.",
        "a pair's value: the pair; hosts see only weekly averages of at least the threshold of pairs (the release "
        "rule)",
        "a pair's values are deleted when " + RETENTION + "; the hosts' program-level values are kept",
        {
            "id": ID,
            "metric_id": c("the metric"),
            "pair_id": _pair_fk(),
            "value": c("the value", ACTIVITY),
            "day": c("the day it describes"),
            "logged_by": c("Slack id of who logged it", IDENTIFIER, seen_by=NOBODY, retention=R_HOST_AT_RETENTION),
            "created_at": CREATED,
        },
    ),
    "release_cell": Table(
        "One released figure of a program (the release rule above): written by the weekly release from the "
        "contributions of at least the threshold of distinct people or pairs that settled since the series' last "
        "cell, and never changed afterwards. Every figure hosts see that is built from other people's contributions "
        "is read from these cells.",
        HOSTS,
        "for good: sums and counts over at least the threshold of contributors, nobody's data",
        {
            "id": ID,
            "program_id": _program_fk(),
            "series": c(
                "which figure: a metric, the focus-prompt answers, active pairs, agreements, goals, the trial, "
                "retros, a pulse round"
            ),
            "released_on": c("the release's day (program time)"),
            "through": c("the window's end: what settled later goes into the series' next cell"),
            "contributors": c("how many distinct people or pairs stand behind it (at least the threshold)", AGGREGATE),
            "num": c("the sum of their contributions", AGGREGATE),
            "den": c("how many contributions (a mean or rate is the sum divided by it)", AGGREGATE),
            "data": c(
                "further sums (goals done, talk-share ratings); for a pulse round its result (averages and "
                "distributions, no comment), or only that it is hidden",
                AGGREGATE,
            ),
            "created_at": CREATED,
        },
    ),
    "kpi_snapshot": Table(
        "The program's built-in KPIs as the weekly digest showed them: counts and rates only.",
        HOSTS,
        "for good: counts and rates only, the program's record after its people's data is gone",
        {
            "id": ID,
            "program_id": _program_fk(),
            "taken_on": c("the digest's day"),
            "data": c("counts and rates", AGGREGATE),
            "created_at": CREATED,
        },
    ),
    # ------------------------------------------------------------------------------------------ operations
    "outbox": Table(
        "Every Slack Web API call Tandem makes from its workers (messages, DMs, uploads), written with the change that "
        "caused it, so each is sent exactly once. A message's payload is a copy of what it says to whom.",
        "nobody in Slack (the recipients see the message itself)",
        R_OUTBOX,
        {
            "id": ID,
            "workspace_id": c("the workspace"),
            "method": c("the Web API method"),
            "channel_key": c("the conversation (a channel id, or a person's Slack id for a DM)", IDENTIFIER),
            "payload": c(
                "the call's arguments: the message, its recipient (until Slack has it; then emptied)", FREE_TEXT
            ),
            "dedupe_key": c("what caused it (so it is queued once)", OPERATIONAL),
            "status": c("pending, sending, sent or parked"),
            "attempts": c("tries so far"),
            "not_before": c("not to be sent before"),
            "claimed_at": c("when a worker took it"),
            "claimed_by": c("which worker"),
            "sent_at": c("when Slack accepted it"),
            "last_error": c("Slack's last error code"),
            "parked_at": c("when Tandem gave up on it (hosts hear counts)"),
            "result": c("Slack's answer: the message's channel and ts", OPERATIONAL),
            "in_doubt": c("a try may have reached Slack: look it up before trying again"),
            "created_at": CREATED,
            "program_id": c("the program the call is about (retention deletes the program's calls by it)"),
            "pair_id": c("the pair the call is about (forget-me of either partner deletes it)"),
            "emptied_at": c("when the payload was emptied (on sending; a day after it was parked)"),
        },
    ),
    "outbox_subject": Table(
        "The people a stored Slack call is to or about (a matching preview names many), so that forget-me finds "
        "every call about a person by reference.",
        NOBODY,
        "as the call; forget-me deletes the person's rows (and the calls that still say something)",
        {
            "outbox_id": c("the stored call"),
            "participant_id": _person("a person the call is to or about"),
        },
    ),
    "slack_event": Table(
        "Slack events already handled (by Slack's event id), so a redelivery is not handled twice.",
        NOBODY,
        R_EVENTS,
        {
            "event_id": c("Slack's event id"),
            "team_id": c("the workspace"),
            "received_at": c("when it arrived"),
            "done_at": c("when its handling finished"),
        },
    ),
    "clock_tick": Table(
        "One row a minute the clock acted: a second tick for the same minute does nothing.",
        NOBODY,
        "for good (a small row a minute, with counts only)",
        {
            "minute": c("the minute"),
            "ran_at": c("when it ran"),
            "summary": c("how many things each job did", AGGREGATE),
        },
    ),
}

# ---------------------------------------------------------------------------------------------- not in bot.models
_SLACK = "slack_sdk's OAuth store (migration 0015)"
R_INSTALL = "while the workspace has Tandem installed: an uninstall or a revoked token deletes it"
_INSTALL_COMMON: dict[str, Column] = {
    "id": ID,
    "client_id": c("the Slack app's client id"),
    "app_id": c("the Slack app's id"),
    "enterprise_id": c("Enterprise Grid org id (unused)"),
    "enterprise_name": c("Enterprise Grid org name (unused)"),
    "team_id": c("the workspace"),
    "team_name": c("the workspace's name"),
    "bot_token": c(
        "the workspace's bot token (xoxb-): Tandem acts in the workspace with it; encrypted with TANDEM_SECRET_KEY",
        SECRET,
        seen_by=NOBODY,
    ),
    "bot_id": c("Tandem's bot id"),
    "bot_user_id": c("Tandem's Slack user id"),
    "bot_scopes": c("the permissions the workspace granted"),
    "bot_refresh_token": c("refresh token, when token rotation is on (off); encrypted", SECRET, seen_by=NOBODY),
    "bot_token_expires_at": c("token expiry, when token rotation is on (off)"),
    "is_enterprise_install": c("an org-wide install (unsupported)"),
}
EXTRA: dict[str, Table] = {
    "slack_installations": Table(
        "Each installation of Tandem to a workspace over OAuth (several workspaces only), from "
        + _SLACK
        + ". Tandem asks for no user scopes, so no user token is stored.",
        NOBODY,
        R_INSTALL,
        {
            **_INSTALL_COMMON,
            "enterprise_url": c("Enterprise Grid org URL (unused)"),
            "user_id": c(
                "Slack id of who installed it: emptied as soon as the installation is stored (Tandem never reads it)",
                IDENTIFIER,
                retention="emptied right after the install",
            ),
            "user_token": c("a user token (Tandem asks for none: empty); encrypted", SECRET),
            "user_scopes": c("user scopes (none)"),
            "user_refresh_token": c("user refresh token (none); encrypted", SECRET),
            "user_token_expires_at": c("user token expiry (none)"),
            "incoming_webhook_url": c("an incoming webhook (Tandem asks for none)", SECRET),
            "incoming_webhook_channel": c("incoming webhook channel (none)"),
            "incoming_webhook_channel_id": c("incoming webhook channel id (none)"),
            "incoming_webhook_configuration_url": c("incoming webhook settings (none)"),
            "token_type": c("bot"),
            "installed_at": c("when it was installed"),
        },
        source=_SLACK,
    ),
    "slack_bots": Table(
        "The current bot token of each workspace (several workspaces only), from " + _SLACK + ".",
        NOBODY,
        R_INSTALL,
        {**_INSTALL_COMMON, "installed_at": c("when it was installed")},
        source=_SLACK,
    ),
    "slack_oauth_states": Table(
        "The one-time state of each install link, so an install can't be forged (several workspaces only), from "
        + _SLACK
        + ".",
        NOBODY,
        "10 minutes: used up by the install, or expired",
        {"id": ID, "state": c("a random one-time value"), "expire_at": c("when it expires")},
        source=_SLACK,
    ),
    "alembic_version": Table(
        "The database schema's version (alembic's migrations).",
        NOBODY,
        R_SCHEMA,
        {"version_num": c("the migration the database is at")},
        source="alembic",
    ),
}


def all_tables() -> dict[str, Table]:
    """Every table, the models' and the others, by name."""
    return {**TABLES, **EXTRA}
