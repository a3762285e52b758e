"""Reads for doc tasks: filtered lists, the board, JSON shape, evidence, before/after numbers."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.content.models import Page
from portal.feedback.models import PageDay
from portal.tasks.models import PRIORITIES, STATUSES, Task, TaskLabel
from portal.timeutil import utcnow

SORTS = ("updated", "created", "due", "priority", "title")
WINDOW_DAYS = 14


def is_overdue(task, today=None):
    """An unfinished task whose due date has passed."""
    today = today or utcnow().date()
    return task.status != "done" and task.due is not None and task.due < today


def _options():
    return (selectinload(Task.labels), selectinload(Task.assignee), selectinload(Task.reporter),
            selectinload(Task.page))


def list_tasks(session, status=None, assignee=None, page=None, lang=None, label=None,
               priority=None, overdue=False, sort="updated", today=None):
    """Tasks matching the filters (None means any); `assignee` is a user id or "none"."""
    query = select(Task).options(*_options())
    if status:
        query = query.where(Task.status == status)
    if assignee == "none":
        query = query.where(Task.assignee_id.is_(None))
    elif assignee:
        query = query.where(Task.assignee_id == int(assignee))
    if page:
        query = query.join(Page, Task.page_id == Page.id).where(Page.slug == page.strip("/"))
    if lang:
        query = query.where(Task.lang == lang)
    if label:
        query = query.where(Task.id.in_(select(TaskLabel.task_id).where(
            TaskLabel.name == label.strip().lower())))
    if priority:
        query = query.where(Task.priority == priority)
    if overdue:
        query = query.where(Task.status != "done", Task.due < (today or utcnow().date()))
    tasks = list(session.scalars(query).unique())
    return sort_tasks(tasks, sort)


def sort_tasks(tasks, sort):
    """Sort in Python: priority order and 'no due date last' are not plain column orders."""
    far = utcnow().date() + timedelta(days=36500)
    keys = {
        "created": (lambda t: t.created_at, True),
        "due": (lambda t: (t.due or far, t.id), False),
        "priority": (lambda t: (-PRIORITIES.index(t.priority), t.due or far), False),
        "title": (lambda t: t.title.lower(), False),
    }
    key, reverse = keys.get(sort, (lambda t: t.updated_at, True))
    return sorted(tasks, key=key, reverse=reverse)


def board(tasks):
    """Tasks grouped by status in board column order."""
    columns = {status: [] for status in STATUSES}
    for task in tasks:
        columns[task.status].append(task)
    return columns


def writers(session):
    """Accounts tasks can be assigned to (writers and up), by name."""
    users = session.scalars(select(User).where(User.active.is_(True))).all()
    return sorted((u for u in users if u.has_role("writer")), key=lambda u: u.display_name.lower())


def all_labels(session):
    """Every label in use, sorted."""
    return session.scalars(select(TaskLabel.name).distinct().order_by(TaskLabel.name)).all()


def open_task_counts(session):
    """Open (not done) tasks per page slug — for the writers' page list."""
    rows = session.execute(select(Page.slug, func.count(Task.id))
                           .join(Task, Task.page_id == Page.id)
                           .where(Task.status != "done").group_by(Page.slug)).all()
    return dict(rows)


def task_json(task):
    """The API shape of a task, users named by email."""
    return {"id": task.id, "title": task.title, "description": task.description,
            "page": task.page.slug if task.page else None, "lang": task.lang,
            "assignee": task.assignee.email if task.assignee else None,
            "reporter": task.reporter.email if task.reporter else None,
            "status": task.status, "priority": task.priority,
            "due": task.due.isoformat() if task.due else None, "labels": task.label_names,
            "overdue": is_overdue(task),
            "created_at": task.created_at.isoformat(), "updated_at": task.updated_at.isoformat(),
            "closed_at": task.closed_at.isoformat() if task.closed_at else None,
            "activity": [{"at": a.at.isoformat(), "actor": a.actor.email if a.actor else None,
                          "field": a.field, "from": a.before, "to": a.after}
                         for a in task.activity],
            "evidence": ({"kind": task.evidence_kind, "ref": task.evidence_ref}
                         if task.evidence_kind else None)}


def evidence_page(task):
    """(lang, slug) of the reader page the task's evidence is about, or None."""
    kind, ref = task.evidence_kind, task.evidence_ref or ""
    if kind in ("page", "stuck"):
        lang, _, slug = ref.partition(":")
        return lang, slug
    if kind in ("comment", "vote") and task.page is not None:
        return task.lang, task.page.slug
    return None


@dataclass
class Numbers:
    """A page's reader numbers over one window."""
    first: object
    last: object
    views: int = 0
    sessions: int = 0
    exits: int = 0
    yes: int = 0
    no: int = 0

    @property
    def helpful_rate(self):
        """Share of helpful votes, None without votes."""
        return self.yes / (self.yes + self.no) if self.yes + self.no else None

    @property
    def exit_rate(self):
        """Share of sessions that ended on the page, None without sessions."""
        return self.exits / self.sessions if self.sessions else None


def page_numbers(session, slug, lang, first, last):
    """Sums of the page's daily rollups from `first` to `last` (dates, inclusive)."""
    columns = (PageDay.views, PageDay.sessions, PageDay.exits, PageDay.votes_yes, PageDay.votes_no)
    query = select(*(func.coalesce(func.sum(c), 0) for c in columns)).where(
        PageDay.page == slug, PageDay.day >= first, PageDay.day <= last)
    if lang:
        query = query.where(PageDay.lang == lang)
    views, sessions, exits, yes, no = session.execute(query).one()
    return Numbers(first, last, int(views), int(sessions), int(exits), int(yes), int(no))


def before_after(session, task, today=None):
    """The page's numbers in equal windows before the task was created and after it was done.

    Each window is up to 14 days; while fewer days have passed since the task was closed,
    both windows shrink to that many days so the comparison stays fair. Returns None for
    tasks without a reader page.
    """
    from portal.feedback.rollup import refresh_dirty
    where = evidence_page(task) or ((task.lang, task.page.slug) if task.page else None)
    if where is None:
        return None
    lang, slug = where
    refresh_dirty(session)
    today = today or utcnow().date()
    created = task.created_at.date()
    days = WINDOW_DAYS
    if task.closed_at is not None:
        days = max(1, min(WINDOW_DAYS, (today - task.closed_at.date()).days + 1))
    before = page_numbers(session, slug, lang, created - timedelta(days=days),
                          created - timedelta(days=1))
    after = None
    if task.status == "done" and task.closed_at is not None:
        closed = task.closed_at.date()
        after = page_numbers(session, slug, lang, closed, closed + timedelta(days=days - 1))
    return {"lang": lang, "slug": slug, "days": days, "before": before, "after": after}
