"""Pages, one translation per language, and immutable revisions."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Page(db.Model):
    """A documentation page: one slug, placed in the navigation by section and order."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    # Slug of the parent page in the navigation (or a plain label); "" for top level.
    section: Mapped[str] = mapped_column(String(255), default="")
    order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    translations: Mapped[list["Translation"]] = relationship(
        back_populates="page", cascade="all, delete-orphan")


class Translation(db.Model):
    """A page in one language; points at its current revision."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("page_id", "lang"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(500))
    published: Mapped[bool] = mapped_column(default=True)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_translation_current_revision"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    page: Mapped[Page] = relationship(back_populates="translations")
    current_revision: Mapped["Revision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True)
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="translation", foreign_keys="Revision.translation_id",
        order_by="Revision.number", cascade="all, delete-orphan")


class Revision(db.Model):
    """An immutable version of a translation's Markdown and front matter."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("translation_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    markdown: Mapped[str] = mapped_column(Text)
    # Front matter other than the title, kept so export gives back what was imported.
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For translations: the source-language revision number this one was made from.
    source_revision: Mapped[int | None] = mapped_column(Integer)
    # A draft is saved for writers only; the translation's current revision is always published.
    draft: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    translation: Mapped[Translation] = relationship(
        back_populates="revisions", foreign_keys=[translation_id])
    author = relationship("User")


class PageRedirect(db.Model):
    """An old slug of a moved page: `/<lang>/docs/<old_slug>` answers 301 to the page."""

    __tablename__ = "page_redirects"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(255), unique=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    page: Mapped[Page] = relationship()
