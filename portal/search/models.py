"""The search log: every search a reader made and the results they clicked."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class SearchLog(db.Model):
    """One search: the query as typed (trimmed), its normalised key, and how many results."""

    __tablename__ = "search_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    # The query normalised with the language's analyzer, so spellings of one query group.
    query_key: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    results: Mapped[int] = mapped_column(Integer)
    # The beacon's random 32-hex session id; no other personal data is kept.
    session: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The page the search was made from (header box on a doc page), when known.
    from_page: Mapped[str | None] = mapped_column(String(255))
    # A return to a results page (another page of results, a filter, going back): logged
    # for the reader's path, never counted as a search.
    is_return: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    clicks: Mapped[list["SearchClick"]] = relationship(
        back_populates="search", cascade="all, delete-orphan", passive_deletes=True)


class SearchClick(db.Model):
    """A click on a search result: which search, at which rank, to which page."""

    __tablename__ = "search_clicks"
    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(
        ForeignKey("search_log.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(255))
    lang: Mapped[str] = mapped_column(String(16))
    session: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    search: Mapped[SearchLog] = relationship(back_populates="clicks")
