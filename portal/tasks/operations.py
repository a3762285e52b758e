"""Writes for doc tasks: create, update (every change logged), comment. The caller commits."""
import re
from datetime import date

from sqlalchemy import select

from portal.auth.models import User
from portal.content.models import Page
from portal.tasks import notifications
from portal.tasks.models import (EVIDENCE_KINDS, PRIORITIES, STATUSES, Task, TaskActivity,
                                 TaskComment, TaskLabel)
from portal.timeutil import utcnow

MAX_TITLE, MAX_DESCRIPTION, MAX_COMMENT, MAX_LABEL, MAX_LABELS = 200, 20000, 5000, 40, 10
FIELDS = ("title", "description", "page", "lang", "assignee", "status", "priority", "due",
          "labels")


class TaskError(ValueError):
    """Input a task cannot take: `field` and a `code` naming why."""

    def __init__(self, field, code):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


class TaskForbidden(PermissionError):
    """The user's role does not allow this change (assigning someone else needs owner)."""


def parse_evidence(value):
    """`page:<lang>:<slug>` | `comment:<id>` | `vote:<id>` | `stuck:<lang>:<slug>` |
    `search_gap:<lang>:<query_key>` -> (kind, ref), or (None, None) for empty input."""
    value = (value or "").strip()
    if not value:
        return None, None
    kind, _, ref = value.partition(":")
    if kind not in EVIDENCE_KINDS or not ref or len(ref) > 300:
        raise TaskError("evidence", "invalid")
    if kind in ("comment", "vote") and not ref.isdigit():
        raise TaskError("evidence", "invalid")
    if kind in ("page", "stuck", "search_gap") and ref.count(":") < 1:
        raise TaskError("evidence", "invalid")
    return kind, ref


def parse_due(value):
    """A `YYYY-MM-DD` date, None for empty input."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise TaskError("due", "invalid") from None


def parse_labels(value):
    """Labels from a list or a comma-separated string: trimmed, lower-cased, unique."""
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise TaskError("labels", "invalid")
    labels = []
    for item in items:
        label = re.sub(r"\s+", " ", item).strip().lower()
        if len(label) > MAX_LABEL:
            raise TaskError("labels", "too_long")
        if label and label not in labels:
            labels.append(label)
    if len(labels) > MAX_LABELS:
        raise TaskError("labels", "too_many")
    return labels


def _clean_text(field, value, limit, required=False):
    value = (value or "").strip() if isinstance(value, (str, type(None))) else None
    if value is None:
        raise TaskError(field, "invalid")
    if required and not value:
        raise TaskError(field, "empty")
    if len(value) > limit:
        raise TaskError(field, "too_long")
    return value


def _choice(field, value, choices):
    if value not in choices:
        raise TaskError(field, "invalid")
    return value


def _display(field, value):
    """How a field's value is written in the activity log."""
    if value is None:
        return None
    if field == "assignee":
        return value.email
    if field == "page":
        return value.slug
    if field == "due":
        return value.isoformat()
    if field == "labels":
        return ", ".join(value)
    return str(value)


def _current(task, field):
    return {"page": task.page, "assignee": task.assignee,
            "labels": task.label_names}.get(field, getattr(task, field, None))


def _log(session, task, actor, field, before, after):
    session.add(TaskActivity(task_id=task.id, actor_id=actor.id if actor else None, field=field,
                             before=_display(field, before), after=_display(field, after),
                             at=utcnow()))


def clean_changes(session, data, languages):
    """Validate a dict of field -> raw value into model values; TaskError on bad input."""
    clean = {}
    if "title" in data:
        clean["title"] = _clean_text("title", data["title"], MAX_TITLE, required=True)
    if "description" in data:
        clean["description"] = _clean_text("description", data["description"], MAX_DESCRIPTION)
    if "status" in data:
        clean["status"] = _choice("status", data["status"], STATUSES)
    if "priority" in data:
        clean["priority"] = _choice("priority", data["priority"] or "normal", PRIORITIES)
    if "due" in data:
        clean["due"] = parse_due(data["due"])
    if "labels" in data:
        clean["labels"] = parse_labels(data["labels"])
    if "page" in data:
        clean["page"] = None
        if data["page"]:
            if not isinstance(data["page"], str):
                raise TaskError("page", "invalid")
            clean["page"] = session.scalar(select(Page).where(Page.slug == data["page"].strip("/")))
            if clean["page"] is None:
                raise TaskError("page", "unknown")
    if "lang" in data:
        clean["lang"] = data["lang"] or None
        if clean["lang"] is not None and clean["lang"] not in languages:
            raise TaskError("lang", "invalid")
    if "assignee" in data:
        clean["assignee"] = find_user(session, data["assignee"])
    return clean


def find_user(session, value):
    """A writer (or higher) by id or email; None for empty input; TaskError when unknown."""
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        user = session.get(User, int(value))
    elif isinstance(value, str):
        user = session.scalar(select(User).where(User.email == value.strip().lower()))
    else:
        user = None
    if user is None or not user.active or not user.has_role("writer"):
        raise TaskError("assignee", "unknown")
    return user


def check_assign(actor, assignee, current=None):
    """Writers may assign a task to themselves (or unassign themselves); owners to anyone."""
    if actor.has_role("owner"):
        return
    if assignee is not None and assignee.id != actor.id:
        raise TaskForbidden("assign_others")
    if assignee is None and current is not None and current.id != actor.id:
        raise TaskForbidden("assign_others")


def create_task(session, reporter, clean, evidence=(None, None)):
    """A new task from validated fields; logs its creation and notifies the assignee."""
    if not clean.get("title"):
        raise TaskError("title", "empty")
    if clean.get("assignee") is not None:
        check_assign(reporter, clean["assignee"])
    now = utcnow()
    task = Task(title=clean["title"], description=clean.get("description", ""),
                page=clean.get("page"), lang=clean.get("lang"), assignee=clean.get("assignee"),
                reporter_id=reporter.id, status=clean.get("status", "open"),
                priority=clean.get("priority", "normal"), due=clean.get("due"),
                evidence_kind=evidence[0], evidence_ref=evidence[1], created_at=now,
                updated_at=now, closed_at=now if clean.get("status") == "done" else None)
    task.labels = [TaskLabel(name=name) for name in clean.get("labels", [])]
    session.add(task)
    session.flush()
    _log(session, task, reporter, "created", None, task.title)
    for field in ("assignee", "status", "priority", "due", "labels", "page", "lang"):
        value = _current(task, field)
        default = {"status": "open", "priority": "normal", "labels": []}.get(field)
        if value not in (None, default):
            _log(session, task, reporter, field, None, value)
    _after_change(session, task, reporter, {"assignee": task.assignee} if task.assignee else {},
                  task.description)
    return task


def update_task(session, task, actor, clean):
    """Apply validated changes; one activity entry per field that really changed."""
    if "assignee" in clean and clean["assignee"] != task.assignee:
        check_assign(actor, clean["assignee"], task.assignee)
    changed = {}
    for field in FIELDS:
        if field not in clean:
            continue
        before, after = _current(task, field), clean[field]
        if before == after:
            continue
        _log(session, task, actor, field, before, after)
        changed[field] = after
        if field == "labels":
            task.labels = [TaskLabel(name=name) for name in after]
        else:
            setattr(task, field, after)
    if changed:
        task.updated_at = utcnow()
        if "status" in changed:
            task.closed_at = task.updated_at if changed["status"] == "done" else None
        session.flush()
        _after_change(session, task, actor, changed, changed.get("description"))
    return changed


def _after_change(session, task, actor, changed, description):
    if changed.get("assignee") is not None:
        notifications.notify(session, changed["assignee"], "assigned",
                             f"assigned:{task.id}:{utcnow().isoformat()}", actor, task=task)
    if description:
        notifications.notify_mentions(session, description, actor,
                                      f"task:{task.id}:description", task=task)


def add_task_comment(session, task, author, body):
    """A comment in a task's discussion; logged in the activity, mentions notified."""
    body = _clean_text("body", body, MAX_COMMENT, required=True)
    comment = TaskComment(task_id=task.id, author_id=author.id, body=body, created_at=utcnow())
    session.add(comment)
    session.flush()
    _log(session, task, author, "comment", None, body[:200])
    task.updated_at = utcnow()
    notifications.notify_mentions(session, body, author, f"task_comment:{comment.id}", task=task)
    if task.assignee is not None and task.assignee.id != author.id:
        notifications.notify(session, task.assignee, "task_comment",
                             f"task_comment:{comment.id}:assignee", author, task=task)
    return comment
