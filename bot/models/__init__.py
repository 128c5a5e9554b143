"""SQLAlchemy 2.0 typed models, one module per aggregate. Importing this package registers them all."""

from bot.models.agreement import Agreement, AgreementAcceptance, AgreementVersion
from bot.models.base import Base
from bot.models.cancellation import CancelKind, Cancellation
from bot.models.card import LearningCard
from bot.models.clock import ClockTick
from bot.models.enrollment import Enrollment, EnrollmentStatus, InviteSource
from bot.models.escalation import Escalation, EscalationKind
from bot.models.event import SlackEvent
from bot.models.followup import FollowUp
from bot.models.goal import Goal
from bot.models.host_role import HostConfirmation, HostRoleRow
from bot.models.impact import KpiSnapshot, Metric, MetricReporter, MetricValue, ReleaseCell
from bot.models.invite_batch import BatchStatus, InviteBatch
from bot.models.kickoff import KickoffKit, PeerCircle
from bot.models.live import LiveSession, LiveStatus
from bot.models.matching import MatchProposal, MatchRound, RoundStatus
from bot.models.note import Note, NoteSource, NoteVisibility, RedTopic
from bot.models.outbox import OutboxMessage, OutboxStatus, OutboxSubject
from bot.models.pair import Pair, PairStatus
from bot.models.participant import Participant, TandemRole
from bot.models.poll import PollBallot, PollReceipt, PollResponse, PollRound
from bot.models.program import Program, ProgramStatus, Rhythm
from bot.models.reporting import ReportingLine
from bot.models.retro import Retro, RetroAnswer
from bot.models.rhythm import PairWeek, WeekAnswer, WeekPartner, WeekPrep, WeekStatus
from bot.models.speed import SpeedIntro, SpeedRound, SpeedStatus
from bot.models.trial import TrialCheck, TrialOutcome
from bot.models.workspace import Workspace

__all__ = [
    "Agreement",
    "AgreementAcceptance",
    "AgreementVersion",
    "Base",
    "BatchStatus",
    "CancelKind",
    "Cancellation",
    "ClockTick",
    "Enrollment",
    "EnrollmentStatus",
    "Escalation",
    "EscalationKind",
    "FollowUp",
    "Goal",
    "HostConfirmation",
    "HostRoleRow",
    "InviteBatch",
    "InviteSource",
    "KickoffKit",
    "KpiSnapshot",
    "LearningCard",
    "LiveSession",
    "LiveStatus",
    "MatchProposal",
    "MatchRound",
    "Metric",
    "MetricReporter",
    "MetricValue",
    "Note",
    "NoteSource",
    "NoteVisibility",
    "OutboxMessage",
    "OutboxStatus",
    "OutboxSubject",
    "Pair",
    "PairStatus",
    "PairWeek",
    "Participant",
    "PeerCircle",
    "PollBallot",
    "PollReceipt",
    "PollResponse",
    "PollRound",
    "Program",
    "ProgramStatus",
    "RedTopic",
    "ReleaseCell",
    "ReportingLine",
    "Retro",
    "RetroAnswer",
    "Rhythm",
    "RoundStatus",
    "SlackEvent",
    "SpeedIntro",
    "SpeedRound",
    "SpeedStatus",
    "TandemRole",
    "TrialCheck",
    "TrialOutcome",
    "WeekAnswer",
    "WeekPartner",
    "WeekPrep",
    "WeekStatus",
    "Workspace",
]
