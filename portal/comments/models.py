"""Page comments: threaded, with soft moderation (resolved, hidden, deleted keep who and when)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

STATUSES = ("visible", "resolved", "hidden", "deleted")


class PageComment(db.Model):
    """A signed-in user's comment on one page in one language; `parent_id` makes a thread."""

    __tablename__ = "page_comments"
    __table_args__ = (Index("ix_page_comments_page_lang", "page_id", "lang"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("page_comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    page = relationship("Page")
    author = relationship("User", foreign_keys=[author_id])
    moderated_by = relationship("User", foreign_keys=[moderated_by_id])
