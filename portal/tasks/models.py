"""Doc tasks with labels, comments and an activity log; in-app notifications."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

STATUSES = ("open", "in_progress", "in_review", "done")
PRIORITIES = ("low", "normal", "high", "urgent")
EVIDENCE_KINDS = ("page", "comment", "vote", "stuck", "search_gap")


class Task(db.Model):
    """A piece of doc work, optionally about one page (and language), linked to its evidence."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), index=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    due: Mapped[date | None] = mapped_column(Date)
    evidence_kind: Mapped[str | None] = mapped_column(String(16))
    evidence_ref: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    page = relationship("Page")
    assignee = relationship("User", foreign_keys=[assignee_id])
    reporter = relationship("User", foreign_keys=[reporter_id])
    labels: Mapped[list["TaskLabel"]] = relationship(
        cascade="all, delete-orphan", order_by="TaskLabel.name")
    comments: Mapped[list["TaskComment"]] = relationship(
        cascade="all, delete-orphan", order_by="TaskComment.id")
    activity: Mapped[list["TaskActivity"]] = relationship(
        cascade="all, delete-orphan", order_by="TaskActivity.id")

    @property
    def label_names(self):
        """The task's labels as plain strings, sorted."""
        return [label.name for label in self.labels]


class TaskLabel(db.Model):
    """One label on one task."""

    __tablename__ = "task_labels"
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)


class TaskComment(db.Model):
    """A comment in a task's discussion."""

    __tablename__ = "task_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author = relationship("User")


class TaskActivity(db.Model):
    """One change to a task: who changed which field from what to what, and when."""

    __tablename__ = "task_activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor = relationship("User")


class Notification(db.Model):
    """Something a user should see: an assignment, a mention, a reply or a due date.

    `key` makes each notification unique per user (e.g. `due:12:2026-11-30`), so one
    generated again is not stored twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),
                      Index("ix_notifications_user_read", "user_id", "read_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # assigned | mention | reply | due | overdue
    key: Mapped[str] = mapped_column(String(120))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("page_comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor = relationship("User", foreign_keys=[actor_id])
    task = relationship("Task")
    comment = relationship("PageComment")
