"""Retention of reader data and personal data of accounts: purge, export, deletion.

Raw reader events (`events`) and search-log rows (`search_log`, with their
`search_clicks`) are kept `EVENT_RETENTION_DAYS` / `SEARCH_LOG_RETENTION_DAYS` days
(0 keeps them forever). The daily rollups the reports read (`page_days`, `insight_*`)
are kept, so reports over purged days do not change. A day whose rollups are behind
its raw rows (a row in `rollup_dirty_days`) is never purged: its rows are still needed.
"""
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select, update

from portal.timeutil import utcnow

DELETED_USER = "deleted user"


def cutoffs(config, now=None):
    """{"events": first UTC day kept, "search_log": first UTC day kept}; None keeps all."""
    today = (now or utcnow()).date()
    out = {}
    for key, setting in (("events", "EVENT_RETENTION_DAYS"),
                         ("search_log", "SEARCH_LOG_RETENTION_DAYS")):
        days = int(config.get(setting) or 0)
        out[key] = today - timedelta(days=days) if days > 0 else None
    return out


def _dirty_days(db_session):
    from portal.feedback.models import DirtyDay
    return set(db_session.scalars(select(DirtyDay.day)))


def purge(db_session, now=None, dry_run=False, config=None):
    """Delete raw rows older than the retention; returns {"events": n, "search_log": n,
    "search_clicks": n, "kept_dirty_days": [...], "cutoffs": {...}}. With `dry_run`,
    only counts. Commits unless `dry_run`."""
    from portal.feedback.models import Event
    from portal.search.models import SearchClick, SearchLog
    config = config if config is not None else current_app.config
    limits = cutoffs(config, now)
    dirty = _dirty_days(db_session)
    result = {"events": 0, "search_log": 0, "search_clicks": 0, "kept_dirty_days": [],
              "cutoffs": {k: (v.isoformat() if v else None) for k, v in limits.items()}}
    if limits["events"] is not None:
        held = sorted(d for d in dirty if d < limits["events"])
        result["kept_dirty_days"] = [d.isoformat() for d in held]
        where = [Event.day < limits["events"]]
        if held:
            where.append(Event.day.not_in(held))
        result["events"] = db_session.scalar(select(func.count()).select_from(Event).where(*where))
        if not dry_run and result["events"]:
            db_session.execute(delete(Event).where(*where))
    if limits["search_log"] is not None:
        before = datetime.combine(limits["search_log"], time.min, tzinfo=timezone.utc)
        where = [SearchLog.created_at < before]
        for day in dirty:  # a dirty day's searches are still to be rolled up
            if day < limits["search_log"]:
                start = datetime.combine(day, time.min, tzinfo=timezone.utc)
                where.append(~((SearchLog.created_at >= start)
                               & (SearchLog.created_at < start + timedelta(days=1))))
                if day.isoformat() not in result["kept_dirty_days"]:
                    result["kept_dirty_days"].append(day.isoformat())
        ids = select(SearchLog.id).where(*where)
        result["search_log"] = db_session.scalar(select(func.count()).select_from(SearchLog)
                                                 .where(*where))
        result["search_clicks"] = db_session.scalar(
            select(func.count()).select_from(SearchClick).where(SearchClick.search_id.in_(ids)))
        if not dry_run and result["search_log"]:
            db_session.execute(delete(SearchClick).where(SearchClick.search_id.in_(ids)))
            db_session.execute(delete(SearchLog).where(*where))
    result["kept_dirty_days"].sort()
    if not dry_run:
        db_session.commit()
    return result


def _iso(value):
    return value.isoformat() if value is not None else None


def export_account(db_session, user):
    """Everything stored about `user`, as a JSON-ready dict."""
    from portal.auth.models import ApiToken
    from portal.comments.models import PageComment
    from portal.content.models import Revision
    from portal.tasks.models import Notification, Task, TaskActivity, TaskComment

    def rows(stmt):
        return list(db_session.scalars(stmt))

    return {
        "format": "signpost-account-export/1",
        "exported_at": utcnow().isoformat(),
        "profile": {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                    "active": user.active, "created_at": _iso(user.created_at),
                    "last_sign_in_at": _iso(user.last_sign_in_at),
                    "has_password": bool(user.password_hash)},
        "api_tokens": [{"id": t.id, "name": t.name, "created_at": _iso(t.created_at),
                        "last_used_at": _iso(t.last_used_at), "revoked_at": _iso(t.revoked_at)}
                       for t in rows(select(ApiToken).where(ApiToken.user_id == user.id)
                                     .order_by(ApiToken.id))],
        "page_comments": [{"id": c.id, "page": c.page.slug if c.page else None, "lang": c.lang,
                           "parent_id": c.parent_id, "body": c.body, "status": c.status,
                           "created_at": _iso(c.created_at)}
                          for c in rows(select(PageComment).where(PageComment.author_id == user.id)
                                        .order_by(PageComment.id))],
        "tasks_reported": [{"id": t.id, "title": t.title, "description": t.description,
                            "status": t.status, "created_at": _iso(t.created_at)}
                           for t in rows(select(Task).where(Task.reporter_id == user.id)
                                         .order_by(Task.id))],
        "tasks_assigned": [{"id": t.id, "title": t.title, "status": t.status}
                           for t in rows(select(Task).where(Task.assignee_id == user.id)
                                         .order_by(Task.id))],
        "task_comments": [{"id": c.id, "task_id": c.task_id, "body": c.body,
                           "created_at": _iso(c.created_at)}
                          for c in rows(select(TaskComment).where(TaskComment.author_id == user.id)
                                        .order_by(TaskComment.id))],
        "task_activity": [{"id": a.id, "task_id": a.task_id, "field": a.field,
                           "before": a.before, "after": a.after, "at": _iso(a.at)}
                          for a in rows(select(TaskActivity).where(TaskActivity.actor_id == user.id)
                                        .order_by(TaskActivity.id))],
        "revisions": [{"id": r.id, "page": r.translation.page.slug if r.translation else None,
                       "lang": r.translation.lang if r.translation else None,
                       "number": r.number, "title": r.title, "message": r.message,
                       "created_at": _iso(r.created_at)}
                      for r in rows(select(Revision).where(Revision.author_id == user.id)
                                    .order_by(Revision.id))],
        "notifications": [{"id": n.id, "kind": n.kind, "key": n.key, "task_id": n.task_id,
                           "comment_id": n.comment_id, "created_at": _iso(n.created_at),
                           "read_at": _iso(n.read_at)}
                          for n in rows(select(Notification).where(Notification.user_id == user.id)
                                        .order_by(Notification.id))],
        # Reader events, votes and searches carry only the beacon's random session id, never
        # an account: nothing there is linked to this account.
        "votes": [],
    }


class LastAdminError(Exception):
    """The account is the last active admin."""


def delete_account(db_session, user):
    """Delete `user` and its personal data. Comments, task text and page revisions stay,
    attributed to no one (shown as "deleted user"); tokens, notifications and the account
    row go. Refuses the last active admin. Commits."""
    from portal.auth.models import ApiToken, User
    from portal.comments.models import PageComment
    from portal.content.models import Revision
    from portal.feedback.models import SurveySetting
    from portal.insights.funnel_models import Funnel
    from portal.tasks.models import Notification, Task, TaskActivity, TaskComment
    if user.role == "admin" and user.active:
        admins = db_session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.active.is_(True)))
        if admins <= 1:
            raise LastAdminError(user.email)
    uid = user.id
    # Explicit, so it holds on SQLite connections without foreign-key enforcement too.
    for model, column in ((PageComment, PageComment.author_id),
                          (PageComment, PageComment.moderated_by_id),
                          (Task, Task.reporter_id), (Task, Task.assignee_id),
                          (TaskComment, TaskComment.author_id),
                          (TaskActivity, TaskActivity.actor_id),
                          (Revision, Revision.author_id),
                          (Notification, Notification.actor_id),
                          (SurveySetting, SurveySetting.updated_by_id),
                          (Funnel, Funnel.created_by_id)):
        db_session.execute(update(model).where(column == uid).values({column.key: None}))
    db_session.execute(delete(Notification).where(Notification.user_id == uid))
    db_session.execute(delete(ApiToken).where(ApiToken.user_id == uid))
    db_session.expunge(user)
    db_session.execute(delete(User).where(User.id == uid))
    db_session.commit()
