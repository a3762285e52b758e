"""In-app notifications: assignments, @mentions, replies and due dates.

Each notification has a per-user `key`; storing one that exists already is a no-op, so
generating due-date notifications every time the count is read never duplicates them.
"""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.comments.markup import mentioned_names
from portal.tasks.models import Notification, Task
from portal.timeutil import utcnow

DUE_SOON = timedelta(hours=24)


def notify(session, user, kind, key, actor=None, task=None, comment=None):
    """Store a notification for `user` unless one with `key` exists or `user` is the actor."""
    if user is None or (actor is not None and user.id == actor.id):
        return None
    exists = session.scalar(select(Notification.id).where(
        Notification.user_id == user.id, Notification.key == key))
    if exists:
        return None
    note = Notification(user_id=user.id, kind=kind, key=key, actor_id=actor.id if actor else None,
                        task_id=task.id if task else None,
                        comment_id=comment.id if comment else None)
    try:
        with session.begin_nested():
            session.add(note)
    except IntegrityError:  # a concurrent request stored the same key first
        return None
    return note


def users_mentioned(session, text):
    """Active users named by `@name` in `text`: by display name or by email local part."""
    names = mentioned_names(text)
    if not names:
        return []
    # Accounts are few (the team, not the readers), so matching in Python stays cheap and
    # works the same on every database.
    found = [user for user in session.scalars(select(User).where(User.active.is_(True)))
             if (user.name or "").lower() in names or user.email.split("@")[0].lower() in names]
    return sorted(found, key=lambda u: u.id)


def notify_mentions(session, text, actor, key_prefix, task=None, comment=None):
    """Notify everyone `@mentioned` in `text` (once per `key_prefix`)."""
    for user in users_mentioned(session, text):
        notify(session, user, "mention", f"{key_prefix}:mention", actor, task=task, comment=comment)


def refresh_due(session, user, now=None):
    """Create due-soon and overdue notifications for `user`'s open tasks (idempotent)."""
    now = now or utcnow()
    soon = (now + DUE_SOON).date()
    tasks = session.scalars(select(Task).where(
        Task.assignee_id == user.id, Task.status != "done", Task.due.is_not(None),
        Task.due <= soon)).all()
    for task in tasks:
        kind = "overdue" if task.due < now.date() else "due"
        notify(session, user, kind, f"{kind}:{task.id}:{task.due.isoformat()}", task=task)
    return len(tasks)


def refresh_all_due(session, now=None):
    """Due-date notifications for every assignee with open tasks; returns how many tasks were due."""
    ids = session.scalars(select(Task.assignee_id).where(
        Task.assignee_id.is_not(None), Task.status != "done", Task.due.is_not(None)).distinct()).all()
    return sum(refresh_due(session, session.get(User, uid), now) for uid in ids)


def unread_count(session, user):
    """How many notifications `user` has not read."""
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_for(session, user, limit=200):
    """`user`'s notifications, newest first."""
    return session.scalars(select(Notification).where(Notification.user_id == user.id)
                           .order_by(Notification.created_at.desc(), Notification.id.desc())
                           .limit(limit)).all()


def mark_read(session, user, note_id=None):
    """Mark one notification (or, without `note_id`, all) of `user` read; returns how many."""
    query = select(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if note_id is not None:
        query = query.where(Notification.id == note_id)
    notes = session.scalars(query).all()
    for note in notes:
        note.read_at = utcnow()
    return len(notes)
