"""Every callback_id, action_id and block_id Tandem uses, in one place."""

from __future__ import annotations

import enum


class ID(enum.StrEnum):
    # App Home
    HOME_VIEW = "home"
    REFUSED_MODAL = "refused.modal"  # callback_id of what a refused modal turns into when it has no field to mark
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
    # the privacy notice hosts complete, and the draft works agreement (issue 18, item 2)
    PROGRAM_NOTICE = "program.notice"  # button: open the privacy notice modal
    NOTICE_MODAL = "notice.modal"
    NOTICE_CONTROLLER = "notice.f.controller"
    NOTICE_CONTACT = "notice.f.contact"
    NOTICE_BASIS = "notice.f.basis"
    PROGRAM_WORKS_AGREEMENT = "program.works_agreement"  # button: the draft works agreement, as files by DM
    # program modal fields (block_id and action_id alike)
    PROGRAM_NAME = "program.f.name"
    PROGRAM_FIELDS = "program.f.fields"
    PROGRAM_START = "program.f.start_date"
    PROGRAM_WEEKS = "program.f.duration_weeks"
    PROGRAM_RHYTHM = "program.f.rhythm"
    PROGRAM_WEEKDAY = "program.f.weekday"
    PROGRAM_WORKING_DAYS = "program.f.working_days"  # checkboxes: the days prompts and reminders may reach people
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
    MATCH_WEIGHTS = "match.weights"  # program card button: open the matching weights modal; value: program id
    MATCH_WEIGHTS_MODAL = "match.weights.modal"  # callback_id (program id in private_metadata)
    # the weights modal's number inputs, one per bot.domain.matching.WEIGHT_NAMES (block_id and action_id alike)
    MATCH_W_BASE = "match.w.base"
    MATCH_W_TOPICS = "match.w.topics"
    MATCH_W_CURIOSITY = "match.w.curiosity"
    MATCH_W_FIELDS = "match.w.fields"
    MATCH_W_VALUES = "match.w.values"
    MATCH_W_LEARNING_STYLE = "match.w.learning_style"
    MATCH_W_BEHAVIOUR = "match.w.behaviour"
    MATCH_W_OVERLAP = "match.w.overlap"
    MATCH_W_LANGUAGE = "match.w.language"
    MATCH_W_INTEREST_YES = "match.w.interest_yes"
    MATCH_W_INTEREST_MAYBE = "match.w.interest_maybe"
    MATCH_W_RANKED_BOTH = "match.w.ranked_both"
    MATCH_W_RANKED_ONE = "match.w.ranked_one"
    MATCH_W_MIN_OVERLAP_HOURS = "match.w.min_overlap_hours"
    MATCH_W_FAIRNESS_MARGIN = "match.w.fairness_margin"

    # Speed dating (hosts start it; participants answer by DM)
    SPEED_START = "speed.start"  # program card button: open the speed-dating modal; value: program id
    SPEED_MODAL = "speed.modal"
    SPEED_PROGRAM = "speed.f.program"
    SPEED_CLOSES_ON = "speed.f.closes_on"
    SPEED_YES = "speed.yes"  # answers on a person's card; value: the intro id
    SPEED_MAYBE = "speed.maybe"
    SPEED_NO = "speed.no"
    SPEED_RANK_1 = "speed.rank.1"  # ranks on a person's card (1st to 3rd choice); value: the intro id
    SPEED_RANK_2 = "speed.rank.2"
    SPEED_RANK_3 = "speed.rank.3"

    # Trial check-in "continue or switch?" (participants, by DM)
    TRIAL_CONTINUE = "trial.continue"  # value: the TrialCheck id
    TRIAL_SWITCH = "trial.switch"  # value: the TrialCheck id; a confirm dialog first

    # Working agreement and goals (the pair's group DM, App Home; hosts edit the template per program)
    AGREEMENT_ACCEPT = "agreement.accept"  # value: the agreement version id
    AGREEMENT_PROPOSE = "agreement.propose"  # open the change modal; value: the agreement id
    AGREEMENT_MODAL = "agreement.modal"  # callback_id of the change modal (agreement id in private_metadata)
    AGREEMENT_NOTE = "agreement.note"  # change modal: an optional note to the partner
    AGREEMENT_TEMPLATE = "agreement.template"  # program card button: edit the program's template; value: program id
    AGREEMENT_TEMPLATE_MODAL = "agreement.template.modal"  # callback_id (program id in private_metadata)
    # one section's input in both modals (block_id and action_id alike): "agreement.f." + a key of
    # bot.domain.agreement.SECTIONS
    AGREEMENT_F_CONFIDENTIALITY = "agreement.f.confidentiality"
    AGREEMENT_F_PREPARATION = "agreement.f.preparation"
    AGREEMENT_F_REACHABILITY = "agreement.f.reachability"
    AGREEMENT_F_SENSITIVE_TOPICS = "agreement.f.sensitive_topics"
    AGREEMENT_F_GUIDING_QUESTIONS = "agreement.f.guiding_questions"
    AGREEMENT_F_AGENDA = "agreement.f.agenda"
    AGREEMENT_F_TALK_SHARE = "agreement.f.talk_share"
    AGREEMENT_F_EMAIL = "agreement.f.email"
    AGREEMENT_F_SUCCESSES = "agreement.f.successes"
    AGREEMENT_F_CONFLICTS = "agreement.f.conflicts"
    GOAL_OPEN = "goal.open"  # open the goals modal; value: the pair id ("" from /tandem goals: the caller's pair)
    GOAL_MODAL = "goal.modal"  # callback_id (pair id and the goal in each slot in private_metadata)
    GOAL_TEXT_1 = "goal.f.text.1"  # goals modal: slot n's text and due date (block_id and action_id alike)
    GOAL_TEXT_2 = "goal.f.text.2"
    GOAL_TEXT_3 = "goal.f.text.3"
    GOAL_DUE_1 = "goal.f.due.1"
    GOAL_DUE_2 = "goal.f.due.2"
    GOAL_DUE_3 = "goal.f.due.3"
    GOAL_SUGGESTIONS = "goal.f.suggestions"  # goals modal: pick from the program's example goals
    GOAL_PROGRESS_25 = "goal.progress.25"  # App Home: set a goal's progress; value: the goal id
    GOAL_PROGRESS_50 = "goal.progress.50"
    GOAL_PROGRESS_75 = "goal.progress.75"
    GOAL_DONE = "goal.done"
    GOAL_REOPEN = "goal.reopen"  # a done goal is not done after all
    GOAL_ACCEPT = "goal.accept"  # the group DM, App Home: accept the goal the partner proposed; value: the goal id
    GOAL_WITHDRAW = "goal.withdraw"  # App Home: take back one's own proposed goal; value: the goal id

    # The weekly rhythm: focus prompt, answers, closing the week, nudges, pauses
    RHYTHM_ANSWER = "rhythm.answer"  # prompt button: open the Answer modal; value: the week id
    RHYTHM_AGREED = "rhythm.agreed"  # prompt button: open "What we agreed" (closes the week); value: the week id
    RHYTHM_CANCEL = "rhythm.cancel"  # prompt button: open the cancel modal; value: the week id
    RHYTHM_MOVE = "rhythm.move"  # prompt button: open the move modal; value: the week id
    # live sessions across time zones (issue 20, part 3)
    LIVE_FIND = "live.find"  # prompt button (live / mixed pairs): propose three slots; value: the pair id
    LIVE_ACCEPT = "live.accept"  # a proposed slot, once; value: the slot's live_session id
    LIVE_ACCEPT_WEEKLY = "live.accept_weekly"  # a proposed slot, every week until the program's end; value: its id
    LIVE_CANCEL = "live.cancel"  # the accepted session's button; value: its live_session id
    RHYTHM_CARD = "rhythm.card"  # prompt button: choose the week's method card instead of the rotation; value: week id
    RHYTHM_ANSWER_MODAL = "rhythm.answer.modal"  # callback_ids (the week id in private_metadata)
    RHYTHM_AGREED_MODAL = "rhythm.agreed.modal"
    RHYTHM_CANCEL_MODAL = "rhythm.cancel.modal"
    RHYTHM_MOVE_MODAL = "rhythm.move.modal"
    RHYTHM_CARD_MODAL = "rhythm.card.modal"
    RHYTHM_ANSWER_TEXT = "rhythm.f.answer"  # modal fields (block_id and action_id alike)
    RHYTHM_HOMEWORK = "rhythm.f.homework"
    RHYTHM_NEXT_STEP = "rhythm.f.next_step"
    RHYTHM_WEEK = "rhythm.f.week"  # cancel / move modal: which week (value: its number)
    RHYTHM_MOVE_TO = "rhythm.f.move_to"  # move modal: the new day
    RHYTHM_CARD_PICK = "rhythm.f.card"  # method card modal: the card (value: its key, bot.domain.rhythm.METHOD_CARDS)
    PREP_OPEN = "prep.open"  # the preparation DM's button: open its modal; value: the WeekPrep id
    PREP_MODAL = "prep.modal"  # callback_id (the WeekPrep id in private_metadata)
    PREP_BRING = "prep.f.bring"  # preparation modal: what I bring (block_id and action_id alike)
    PREP_NEED = "prep.f.need"  # preparation modal: what I need from you
    RHYTHM_PAUSE = "rhythm.pause"  # Home button: open the pause modal
    RHYTHM_RESUME = "rhythm.resume"  # Home button: end my pause now
    RHYTHM_PAUSE_MODAL = "rhythm.pause.modal"
    RHYTHM_PAUSE_UNTIL = "rhythm.f.pause_until"  # pause modal: the last day away

    # Notes (visibility, red zones), cancellations and escalations
    NOTE_ADD = "note.add"  # button "Add a note": open the note modal; value: the pair id
    NOTE_SHORTCUT = "note.shortcut"  # message shortcut "Save to Tandem notes" (manifest.yml)
    NOTE_MODAL = "note.modal"  # callback_id of the note modal (source and pair in private_metadata)
    NOTE_PAIR = "note.f.pair"  # note modal fields (block_id and action_id alike)
    NOTE_TEXT = "note.f.text"
    NOTE_TOPIC = "note.f.topic"
    NOTE_LINKS = "note.f.links"
    NOTE_VISIBILITY = "note.f.visibility"
    NOTE_RED = "note.f.red"
    NOTE_TOGGLE_RED = "note.red"  # button on a note: mark it red / lift red; value: the note id
    NOTE_SHARE_YES = "note.share.yes"  # the author's partner agrees that a note leaves the pair; value: the note id
    NOTE_SHARE_NO = "note.share.no"  # ... or keeps it in the pair for good
    NOTES_EXPORT = "notes.export"  # button: my notes as a Markdown file by DM
    HELP_ME = "help_me.open"  # button "I need help": open the help-me modal
    HELP_ME_MODAL = "help_me.modal"
    HELP_ME_TEXT = "help_me.f.text"  # help-me modal fields
    HELP_ME_SHARE = "help_me.f.share"  # checkboxes: my name, my partner's name, my program
    ESCALATION_ANSWER = "escalation.answer"  # hosts' button on an escalation: answer; value: the escalation id
    ESCALATION_ANSWER_MODAL = "escalation.answer.modal"
    ESCALATION_ANSWER_TEXT = "escalation.answer.f.text"
    ESCALATION_ANSWER_SIGN = "escalation.answer.f.sign"  # checkbox: show my name to the person

    # Anonymous mood polls (participants by DM; results for hosts)
    POLL_OPEN = "poll.open"  # pulse DM button "Answer the pulse": open the modal; value: the round id (same for all)
    POLL_MODAL = "poll.modal"  # callback_id of the pulse modal (the round id in private_metadata, same for all)
    POLL_MOOD = "poll.f.mood"  # pulse modal fields (block_id and action_id alike)
    POLL_Q1 = "poll.f.q1"  # the round's first rotating question
    POLL_Q2 = "poll.f.q2"  # the round's second rotating question
    POLL_COMMENT = "poll.f.comment"
    POLL_DONE_MODAL = "poll.done.modal"  # callback_id of the thank-you view the pulse modal turns into
    POLL_SETTINGS = "poll.settings"  # program card button "Pulse settings": rhythm and threshold; value: program id
    POLL_SETTINGS_MODAL = "poll.settings.modal"  # callback_id (program id in private_metadata)
    POLL_EVERY = "poll.f.every_weeks"  # settings modal fields (block_id and action_id alike)
    POLL_THRESHOLD = "poll.f.threshold"

    # Retro rituals and consented quotes (pair threads; hosts)
    RETRO_OPEN = "retro.open"  # thread button "Fill in our retro": open the retro modal; value: the retro id
    RETRO_MODAL = "retro.modal"  # callback_id of the retro modal (the retro id in private_metadata)
    RETRO_WENT_WELL = "retro.f.went_well"  # retro modal fields (block_id and action_id alike)
    RETRO_LEARNED = "retro.f.learned"
    RETRO_CHANGE = "retro.f.change"
    RETRO_TALK_SHARE = "retro.f.talk_share"
    RETRO_QUOTE = "retro.f.quote"
    RETRO_THEMES = "retro.f.themes"  # checkboxes: what the retro was about (optional)
    # Learning that lasts: the follow-up question 30 and 90 days after a pair ended (a person's DM)
    FOLLOWUP_OPEN = "followup.open"  # button "Answer": open the modal; value: the follow-up id
    FOLLOWUP_MODAL = "followup.modal"  # callback_id (the follow-up id in private_metadata)
    FOLLOWUP_DONE_MODAL = "followup.done.modal"  # callback_id of the thank-you view the modal turns into
    FOLLOWUP_ANSWER = "followup.f.answer"  # modal fields (block_id and action_id alike)
    FOLLOWUP_TEXT = "followup.f.text"
    FOLLOWUP_QUOTE = "followup.f.quote"
    RETRO_CONSENT_YES = "retro.consent.yes"  # a quote's consent card in the thread; value: the retro answer id
    RETRO_CONSENT_NO = "retro.consent.no"
    RETRO_POST_QUOTE = "retro.quote.post"  # hosts: post a consented quote to the community channel; value: answer id
    RETRO_SETTINGS = "retro.settings"  # program card button: cycle length and community channel; value: program id
    RETRO_SETTINGS_MODAL = "retro.settings.modal"  # callback_id (program id in private_metadata)
    RETRO_EVERY = "retro.f.every_weeks"  # settings modal fields (block_id and action_id alike)
    RETRO_CHANNEL = "retro.f.channel"

    # Impact: metrics, the dashboard, the export (hosts; pairs log their own metrics)
    METRICS_OPEN = "impact.metrics"  # program card button "Impact": metrics and dashboard; value: program id
    METRIC_ADD = "impact.metric.add"  # hosts: open the new-metric modal; value: program id
    METRIC_MODAL = "impact.metric.modal"  # callback_id (program id in private_metadata)
    METRIC_NAME = "impact.f.name"  # metric modal fields (block_id and action_id alike)
    METRIC_UNIT = "impact.f.unit"
    METRIC_BASELINE = "impact.f.baseline"
    METRIC_TARGET_LOW = "impact.f.target_low"
    METRIC_TARGET_HIGH = "impact.f.target_high"
    METRIC_REPORTER = "impact.f.reporter"
    METRIC_LOG = "impact.log"  # open the log-a-value modal; value: "host:<program id>" or "pair:<pair id>"
    METRIC_LOG_MODAL = "impact.log.modal"  # callback_id (scope in private_metadata)
    METRIC_LOG_DONE = "impact.log.done"  # callback_id of the confirmation the log modal turns into
    METRIC_WHICH = "impact.f.which"  # log modal fields
    METRIC_VALUE = "impact.f.value"
    METRIC_DAY = "impact.f.day"
    IMPACT_EXPORT = "impact.export"  # hosts: send me the export (CSV and Markdown); value: program id

    # Learning cards (participants; published with consent to the program's community channel); add ids below
    CARD_OPEN = "card.open"  # App Home / `/tandem card` button "Write a learning card": open the modal; value: ""
    CARD_MODAL = "card.modal"  # callback_id of the card modal (card id, or program id, in private_metadata)
    CARD_PROGRAM = "card.f.program"  # card modal fields (block_id and action_id alike); the program select
    CARD_TITLE = "card.f.title"
    CARD_TEXT = "card.f.text"
    CARD_SHOW_NAME = "card.f.show_name"  # radio buttons: with my name / without it
    CARD_PUBLISH = "card.publish"  # the draft's preview (DM): publish it (the author's consent); value: the card id
    CARD_EDIT = "card.edit"  # open the card modal on the draft; value: the card id
    CARD_DELETE = "card.delete"  # delete the draft; value: the card id
    # the learning-card library (issue 20, section 5): published cards by topic path and program
    CARDS_BROWSE = "cards.browse"  # App Home button: open the library modal; value: ""
    CARDS_MODAL = "cards.modal"  # callback_id of the library modal (`/tandem cards` opens it too)
    CARDS_PICK = "cards.pick"  # the library's select: "path:<series id>" or "program:<program id>"
    CARDS_PAGE = "cards.page"  # the library's paging buttons; value: "<choice>|<page>"

    # The kick-off kit before a pair's first week (issue 20, section 2), by DM to each partner
    KIT_GOT_IT = "kit.got_it"  # a lesson's "Got it"; value: "<kit id>:<lesson key>"
    KIT_ASK = "kit.ask"  # a lesson's "Ask the hosts": the help-me modal; value: "<kit id>:<lesson key>"
    KIT_TEXTS = "kit.texts"  # program card button: the hosts' kit texts modal; value: program id
    KIT_TEXTS_MODAL = "kit.texts.modal"  # callback_id (program id in private_metadata)
    CIRCLE_SETTINGS = "circle.settings"  # program card button: the peer circle modal; value: program id
    CIRCLE_MODAL = "circle.modal"  # callback_id (program id in private_metadata)
    CIRCLE_MODE = "circle.f.mode"  # radio buttons: off, channels, thread (block_id and action_id alike)
    CIRCLE_CHANNEL = "circle.f.channel"  # conversations_select: the channel for the threads
    # the texts modal's fields (block_id and action_id alike): "kit.f.<locale>.<lesson key>"
    KIT_TEXT_EN_TEACH_UP = "kit.f.en.teach_up"
    KIT_TEXT_EN_SAY_NO = "kit.f.en.say_no"
    KIT_TEXT_EN_CONCRETE = "kit.f.en.concrete"
    KIT_TEXT_EN_ASK = "kit.f.en.ask"
    KIT_TEXT_EN_THANK = "kit.f.en.thank"
    KIT_TEXT_EN_FOLLOW = "kit.f.en.follow"
    KIT_TEXT_DE_TEACH_UP = "kit.f.de.teach_up"
    KIT_TEXT_DE_SAY_NO = "kit.f.de.say_no"
    KIT_TEXT_DE_CONCRETE = "kit.f.de.concrete"
    KIT_TEXT_DE_ASK = "kit.f.de.ask"
    KIT_TEXT_DE_THANK = "kit.f.de.thank"
    KIT_TEXT_DE_FOLLOW = "kit.f.de.follow"

    # Cohorts of a topic path and alumni as hosts (hosts); add ids below
    COHORT_NEXT = "cohort.next"  # program card button "Start the next cohort"; value: program id
    COHORT_ALUMNI = "cohort.alumni"  # "Invite alumni as co-hosts" on a new cohort's card; value: program id
    COHORT_ALUMNI_MODAL = "cohort.alumni.modal"  # callback_id (program id in private_metadata)
    COHORT_ALUMNI_PICK = "cohort.f.alumni"  # multi-select of the path's alumni

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
    INTERVIEW_SKIP = "interview.skip"  # an optional step's "skip" (manager, "please not"); value: "<enrollment>:<step>"
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
    PROFILE_REGION = "profile.region"  # static_select: the region whose public holidays count (optional)
    PROFILE_WORKING_DAYS = "profile.working_days"  # checkboxes: the person's own working days (optional)
    PROFILE_MANAGER = "profile.manager"  # users_select: who the person's manager is (private)
    PROFILE_AVOID = "profile.avoid"  # multi_users_select: people they'd rather not be paired with (private)

    # -- data rights (/tandem privacy, export-my-data, forget-me; /tandem admin remove) --------------------------
    PRIVACY_EXPORT = "privacy.export"  # button: send me everything stored about me
    PRIVACY_FORGET = "privacy.forget"  # button (with Slack's confirm dialog): delete my data
    PRIVACY_REMOVE = "privacy.remove"  # hosts' button (with confirm): remove a participant and delete their data
    HOST_CONFIRM = "host.confirm"  # a second host confirms a removal or a closing another host asked for
    HOST_DECLINE = "host.decline"  # ... or declines it

    # -- data retention (issue 9) ------------------------------------------------------------------------------
    PROGRAM_RETENTION = "program.f.retention_months"  # program modal: months the data is kept after the end

    # -- reporting lines (issue 16): the org chart hosts import, the Slack profile field they map ----------------
    PROGRAM_REPORTING_LEVELS = "program.f.reporting_levels"  # program modal: levels up matching keeps apart

    # -- works council (issue 18): features that may count as monitoring, switched per program -------------------
    PROGRAM_MONITORING = "program.f.monitoring"  # program modal: checkboxes, one per bot.domain.programs.MONITORING
    ORGCHART_MODAL = "orgchart.modal"  # /tandem admin orgchart: callback_id of the import modal
    ORGCHART_FILE = "orgchart.f.file"  # file_input: the CSV (block_id and action_id alike)
    ORGCHART_FIELD = "orgchart.f.field"  # static_select: the custom profile field that names the manager
    ORGCHART_REMOVE = "orgchart.f.remove"  # checkboxes: remove the imported org chart
