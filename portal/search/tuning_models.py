"""What owners tune search with: synonyms, pinned results, learned boosts and the setting."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Boolean, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class SearchSynonym(db.Model):
    """Words that mean the same in one language (`k8s = kubernetes`), and how often it fired."""

    __tablename__ = "search_synonyms"
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    # The equivalent words or phrases, joined by " = " in the order the owner gave them.
    terms: Mapped[str] = mapped_column(String(500))
    hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_hit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchPin(db.Model):
    """A page shown first for one query key in one language."""

    __tablename__ = "search_pins"
    __table_args__ = (UniqueConstraint("lang", "query_key", name="uq_search_pins_lang_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(200))
    query_key: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(255))
    hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_hit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchLearned(db.Model):
    """A boost learned from readers' clicks for one page under one query key (recomputed)."""

    __tablename__ = "search_learned"
    __table_args__ = (UniqueConstraint("lang", "query_key", "slug",
                                       name="uq_search_learned_lang_key_slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    query_key: Mapped[str] = mapped_column(String(200))
    example: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(255))
    sessions: Mapped[int] = mapped_column(Integer)  # distinct sessions that opened the page
    stayed: Mapped[float] = mapped_column(Float)  # decayed sessions that stayed on it
    came_back: Mapped[float] = mapped_column(Float)  # decayed sessions straight back to search
    boost: Mapped[float] = mapped_column(Float)  # score multiplied by (1 + boost)


class SearchTuning(db.Model):
    """The one row of search settings: learning on or off, and when boosts were computed."""

    __tablename__ = "search_tuning"
    id: Mapped[int] = mapped_column(primary_key=True)
    learning: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa.true())
    learned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
