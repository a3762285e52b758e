"""Reader behaviour: append-only raw events, helpful votes, daily rollups, survey settings."""
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; elsewhere events get 64-bit ids.
EventId = BigInteger().with_variant(Integer, "sqlite")


class Event(db.Model):
    """One reader event as received; rows are only ever inserted."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_day_page_lang", "day", "page", "lang"),
                      Index("ix_events_day_session", "day", "session"))
    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)
    # Looked up by (day, session) only: no index of its own (migration 0016).
    session: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)  # order inside its batch
    type: Mapped[str] = mapped_column(String(16))
    page: Mapped[str] = mapped_column(String(255))
    lang: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the reader acted: the browser's `t` (ms since the epoch) moved by the batch's
    # clock skew; None for events stored before it was kept (order by received_at then).
    at: Mapped[int | None] = mapped_column(BigInteger)


class Vote(db.Model):
    """A reader's helpful / not helpful answer; one per page, section and session."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("session", "page", "lang", "section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session: Mapped[str] = mapped_column(String(32))
    page: Mapped[str] = mapped_column(String(255), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    section: Mapped[str] = mapped_column(String(200), default="")  # "" is the whole page
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class IngestDrop(db.Model):
    """Events dropped on purpose (e.g. from bots), counted per day and reason."""

    __tablename__ = "ingest_drops"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    events: Mapped[int] = mapped_column(Integer, default=0)


class EventBatch(db.Model):
    """An event batch id a client sent, so a batch sent again (a retry, another node) is
    stored once; kept two days (pruned by the change-log follower, portal/sync.py)."""

    __tablename__ = "event_batches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DirtyDay(db.Model):
    """A day whose rollups are behind its raw events."""

    __tablename__ = "rollup_dirty_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class PageDay(db.Model):
    """Rollup of one page in one language on one day; reports read these, not raw events."""

    __tablename__ = "page_days"
    # Covering index of the reports' sums over a window (the rows hold JSON; this does not).
    __table_args__ = (Index("ix_page_days_day_totals", "day", "page", "lang", "views", "sessions",
                            "engaged_seconds", "exits", "votes_yes", "votes_no"),)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    page: Mapped[str] = mapped_column(String(255), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    engaged_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    exits: Mapped[int] = mapped_column(Integer, default=0)  # sessions whose last page view it was
    search_entries: Mapped[int] = mapped_column(Integer, default=0)
    copies: Mapped[int] = mapped_column(Integer, default=0)
    outbound: Mapped[int] = mapped_column(Integer, default=0)
    # Sessions by deepest scroll: [0-24, 25-49, 50-74, 75-99, 100] percent.
    scroll_histogram: Mapped[list] = mapped_column(JSON, default=list)
    # Sessions that reached each section (heading id -> sessions).
    section_reach: Mapped[dict] = mapped_column(JSON, default=dict)
    votes_yes: Mapped[int] = mapped_column(Integer, default=0)
    votes_no: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)  # "no:unclear" -> votes


class SurveySetting(db.Model):
    """Whether a micro-survey is shown, and to what share of sessions."""

    __tablename__ = "survey_settings"
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # ces | csat | nps
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_rate: Mapped[float] = mapped_column(Float, default=0.1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
