"""Every callback_id, action_id and block_id Tandem uses, in one place."""

from __future__ import annotations

import enum


class ID(enum.StrEnum):
    # App Home
    HOME_VIEW = "home"
    HOME_HELP = "home.help"  # button: open the help modal
    # Help
    HELP_MODAL = "help.modal"
    HELP_BLOCK_COMMANDS = "help.commands"

    # Admin: programs (hosts, in the admin channel)
    PROGRAM_MODAL = "program.modal"  # create / edit a program
    PROGRAM_EDIT = "program.edit"
    PROGRAM_PAUSE = "program.pause"
    PROGRAM_RESUME = "program.resume"
    PROGRAM_CLOSE = "program.close"
    PROGRAM_INVITE = "program.invite"
    PROGRAM_SIGNUP = "program.signup"  # toggle open sign-up
    INVITE_MODAL = "invite.modal"
    # program modal fields (block_id and action_id alike)
    PROGRAM_NAME = "program.f.name"
    PROGRAM_FIELDS = "program.f.fields"
    PROGRAM_START = "program.f.start_date"
    PROGRAM_WEEKS = "program.f.duration_weeks"
    PROGRAM_RHYTHM = "program.f.rhythm"
    PROGRAM_WEEKDAY = "program.f.weekday"
    PROGRAM_HOUR = "program.f.hour"
    PROGRAM_TRIAL = "program.f.trial_weeks"
    PROGRAM_FOCUS = "program.f.focus_question"
    PROGRAM_GOALS = "program.f.goals"
    PROGRAM_LOCALE = "program.f.locale"
    PROGRAM_SIGNUP_OPEN = "program.f.signup_open"
    PROGRAM_MATCH_ON = "program.f.match_on"  # optional: scheduled matching date
    # invite modal fields
    INVITE_PROGRAM = "invite.f.program"
    INVITE_USERS = "invite.f.users"
    INVITE_CHANNEL = "invite.f.channel"
    # Invitations (participants, by DM)
    INVITE_JOIN = "invite.join"
    INVITE_DECLINE = "invite.decline"
    JOIN_PICK = "join.pick"  # /tandem join with several open programs: pick one

    # Matching (hosts, in the admin channel)
    MATCH_APPROVE = "match.approve"
    MATCH_RERUN = "match.rerun"
    MATCH_DISCARD = "match.discard"
    MATCH_LOCK = "match.lock"  # toggles a proposed pair's lock
    MATCH_RUN = "match.run"  # button (program card, summaries): run matching; value: program id
    # (swap and scheduled-matching ids go below this line)
    MATCH_SWAP = "match.swap"  # preview button: open the swap modal; value: round id
    MATCH_SWAP_MODAL = "match.swap.modal"  # callback_id of the swap modal (round id in private_metadata)
    MATCH_SWAP_PERSON = "match.swap.person"  # swap modal users_select (block_id and action_id alike)
    MATCH_SWAP_WITH = "match.swap.with"  # swap modal users_select: who trades places with the person

    # Speed dating (hosts start it; participants answer by DM)
    SPEED_START = "speed.start"  # program card button: open the speed-dating modal; value: program id
    SPEED_MODAL = "speed.modal"
    SPEED_PROGRAM = "speed.f.program"
    SPEED_CLOSES_ON = "speed.f.closes_on"
    SPEED_YES = "speed.yes"  # answers on a person's card; value: the intro id
    SPEED_MAYBE = "speed.maybe"
    SPEED_NO = "speed.no"

    # Trial check-in "continue or switch?" (participants, by DM)
    TRIAL_CONTINUE = "trial.continue"  # value: the TrialCheck id
    TRIAL_SWITCH = "trial.switch"  # value: the TrialCheck id; a confirm dialog first

    # Working agreement and goals (the pair's group DM, App Home; hosts edit the template per program)

    # The weekly rhythm: focus prompt, answers, closing the week, nudges, pauses

    # Notes (visibility, red zones), cancellations and escalations

    # Interview and profile (bot/flows/interview.py); add interview ids below this line
    INTERVIEW_CONTINUE = "interview.continue"  # re-show the current step (Home, reminders)
    PROFILE_EDIT = "profile.edit"  # Home: edit my profile
    INTERVIEW_STEP = "interview.step"  # block_id of a step message's buttons (value: "<enrollment>:<step>")
    INTERVIEW_SETTINGS_OK = "interview.settings.ok"  # time zone and language are right
    INTERVIEW_SETTINGS_CHANGE = "interview.settings.change"  # open the modal to correct them
    INTERVIEW_ROLE_DIGITAL = "interview.role.digital"
    INTERVIEW_ROLE_CONTEXT = "interview.role.context"
    INTERVIEW_ROLE_BOTH = "interview.role.both"
    INTERVIEW_OPEN = "interview.open"  # a step's one button: open its modal
    INTERVIEW_AGREE = "interview.agree"  # consent to the working agreement
    INTERVIEW_MODAL = "interview.modal"  # callback_id of every step modal (step in private_metadata)
    PROFILE_MODAL = "profile.modal"  # callback_id of the profile editor
    # form fields: each is its input's block_id and action_id ("profile." + bot.domain.interview.Field)
    PROFILE_TZ = "profile.tz"
    PROFILE_LOCALE = "profile.locale"
    PROFILE_SELF_DESCRIPTION = "profile.self_description"
    PROFILE_DEPARTMENT = "profile.department"
    PROFILE_CURIOSITY = "profile.curiosity"
    PROFILE_CAN_TEACH = "profile.can_teach"
    PROFILE_CAN_TEACH_OTHER = "profile.can_teach_other"
    PROFILE_WANT_TO_LEARN = "profile.want_to_learn"
    PROFILE_WANT_TO_LEARN_OTHER = "profile.want_to_learn_other"
    PROFILE_LEARNING_STYLE = "profile.learning_style"
    PROFILE_MODE = "profile.mode"
    PROFILE_PACE = "profile.pace"
    PROFILE_DIRECTNESS = "profile.directness"
    PROFILE_VALUES = "profile.values"
    PROFILE_HOURS = "profile.hours_per_week"
    PROFILE_DAYS = "profile.preferred_days"
