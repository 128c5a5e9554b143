from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.notes import Visibility
from bot.models.base import Base

NoteVisibility = Visibility  # private | pair (the default) | hosts | program


class NoteSource(enum.StrEnum):
    COMMAND = "command"  # /tandem note ...
    SHORTCUT = "shortcut"  # the message shortcut "Save to Tandem notes"
    BUTTON = "button"  # "Add a note" (the pair's thread, App Home, Tandem's own messages)


class Note(Base):
    """A note in a pair's note space. Who may read it where is decided by ``bot.domain.notes.may_see`` alone:
    a red note (or one under a red topic of its pair) never leaves the pair, whatever its visibility."""

    __tablename__ = "note"
    __table_args__ = (Index("ix_note_pair_created", "pair_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    # http(s) links: typed ones, the permalink of a saved message, permalinks of its files (screencasts, ...)
    links: Mapped[list[Any]] = mapped_column(default=list)
    topic: Mapped[str | None] = mapped_column(String(40))  # as typed
    topic_key: Mapped[str | None] = mapped_column(String(40))  # normalized, to match the pair's red topics
    visibility: Mapped[str] = mapped_column(String(16), default=NoteVisibility.PAIR)
    # hosts and program notes: the author's partner was asked (bot.domain.notes.ShareState); it leaves the pair only
    # once agreed. None: nobody was asked (a private, pair or red note)
    share_state: Mapped[str | None] = mapped_column(String(16))
    red: Mapped[bool] = mapped_column(default=False)
    # who marked it red: only they may lift it (None while not red)
    red_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default=NoteSource.COMMAND)
    created_at: Mapped[datetime]


class RedTopic(Base):
    """A topic a pair marked red: every note of that pair under it stays inside the pair."""

    __tablename__ = "red_topic"
    __table_args__ = (UniqueConstraint("pair_id", "topic_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    topic_key: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(40))
    # who marked it: only they may lift it
    created_by: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
