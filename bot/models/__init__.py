"""SQLAlchemy 2.0 typed models, one module per aggregate. Importing this package registers them all."""

from bot.models.base import Base
from bot.models.cancellation import CancelKind, Cancellation
from bot.models.clock import ClockTick
from bot.models.enrollment import Enrollment, EnrollmentStatus, InviteSource
from bot.models.invite_batch import BatchStatus, InviteBatch
from bot.models.matching import MatchProposal, MatchRound, RoundStatus
from bot.models.outbox import OutboxMessage, OutboxStatus
from bot.models.pair import Pair, PairStatus
from bot.models.participant import Participant, TandemRole
from bot.models.program import Program, ProgramStatus, Rhythm
from bot.models.speed import SpeedIntro, SpeedRound, SpeedStatus
from bot.models.trial import TrialCheck, TrialOutcome
from bot.models.workspace import Workspace

__all__ = [
    "Base",
    "BatchStatus",
    "CancelKind",
    "Cancellation",
    "ClockTick",
    "Enrollment",
    "EnrollmentStatus",
    "InviteBatch",
    "InviteSource",
    "MatchProposal",
    "MatchRound",
    "OutboxMessage",
    "OutboxStatus",
    "Pair",
    "PairStatus",
    "Participant",
    "Program",
    "ProgramStatus",
    "Rhythm",
    "RoundStatus",
    "SpeedIntro",
    "SpeedRound",
    "SpeedStatus",
    "TandemRole",
    "TrialCheck",
    "TrialOutcome",
    "Workspace",
]
