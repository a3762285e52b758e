"""Doc tasks in the writers' workspace: list, board, my tasks, new, detail, edit, comment."""
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import requires
from portal.extensions import db
from portal.tasks import operations, queries
from portal.tasks.evidence import evidence_link, prefill
from portal.tasks.models import PRIORITIES, STATUSES, Task

bp = Blueprint("tasks", __name__, template_folder="templates")
FILTERS = ("status", "assignee", "page", "lang", "label", "priority", "overdue", "sort")


@bp.url_value_preprocessor
def _writer_language(endpoint, values):
    """Task pages speak the writer's language, also on a Korean page's timeline."""
    if values and "lang" in values:
        ui = list(current_app.config["UI_LANGUAGES"])
        g.lang = request.accept_languages.best_match(ui) or current_app.config["BABEL_DEFAULT_LOCALE"]


def status_labels():
    """Task statuses in the reader's language."""
    return {"open": _("Open"), "in_progress": _("In progress"), "in_review": _("In review"),
            "done": _("Done")}


def priority_labels():
    """Task priorities in the reader's language."""
    return {"low": _("Low"), "normal": _("Normal"), "high": _("High"), "urgent": _("Urgent")}


def error_message(exc):
    """A refusal of task input in words the writer can act on."""
    if isinstance(exc, operations.TaskForbidden):
        return _("Only owners can assign a task to someone else.")
    messages = {
        ("title", "empty"): _("Give the task a title."),
        ("title", "too_long"): _("The title can be at most %(limit)d characters long.",
                                 limit=operations.MAX_TITLE),
        ("description", "too_long"): _("The description can be at most %(limit)d characters long.",
                                       limit=operations.MAX_DESCRIPTION),
        ("body", "empty"): _("Write a comment before sending it."),
        ("body", "too_long"): _("A comment can be at most %(limit)d characters long.",
                                limit=operations.MAX_COMMENT),
        ("due", "invalid"): _("Enter the due date as YYYY-MM-DD."),
        ("labels", "too_long"): _("A label can be at most %(limit)d characters long.",
                                  limit=operations.MAX_LABEL),
        ("labels", "too_many"): _("A task can have at most %(limit)d labels.",
                                  limit=operations.MAX_LABELS),
        ("page", "unknown"): _("There is no page with that path."),
        ("assignee", "unknown"): _("Choose a writer, owner or admin as the assignee."),
        ("evidence", "invalid"): _("The evidence link is not in a known form."),
    }
    return messages.get((exc.field, exc.code), _("Check the value of %(field)s.", field=exc.field))


@bp.app_template_global()
def tasks_ui():
    """Labels and helpers the task templates share."""
    return {"statuses": STATUSES, "priorities": PRIORITIES, "status_labels": status_labels(),
            "priority_labels": priority_labels(), "is_overdue": queries.is_overdue,
            "evidence_link": evidence_link}


@bp.app_template_global()
def field_label(field):
    """The name of a task field (or activity kind) in the reader's language."""
    return {"created": _("created"), "title": _("title"), "description": _("description"),
            "page": _("page"), "lang": _("language"), "assignee": _("assignee"),
            "status": _("status"), "priority": _("priority"), "due": _("due date"),
            "labels": _("labels"), "comment": _("comment")}.get(field, field)


@bp.app_template_global()
def activity_value(field, value):
    """An activity log value as shown: statuses and priorities translated, '–' for none."""
    if value is None or value == "":
        return "–"
    if field == "status":
        return status_labels().get(value, value)
    if field == "priority":
        return priority_labels().get(value, value)
    return value


def _filters():
    args = {k: request.args.get(k, "").strip() for k in FILTERS}
    if args["status"] not in STATUSES:
        args["status"] = ""
    if args["priority"] not in PRIORITIES:
        args["priority"] = ""
    if args["assignee"] not in ("", "none") and not args["assignee"].isdigit():
        args["assignee"] = ""
    if args["lang"] not in current_app.config["CONTENT_LANGUAGES"]:
        args["lang"] = ""
    if args["sort"] not in queries.SORTS:
        args["sort"] = "updated"
    return args


def _list(args):
    return queries.list_tasks(db.session, status=args["status"] or None,
                              assignee=args["assignee"] or None, page=args["page"] or None,
                              lang=args["lang"] or None, label=args["label"] or None,
                              priority=args["priority"] or None, overdue=bool(args["overdue"]),
                              sort=args["sort"])


def _page_context():
    return {"writers": queries.writers(db.session), "labels": queries.all_labels(db.session),
            "languages": current_app.config["CONTENT_LANGUAGES"]}


@bp.get("/write/tasks")
@requires("writer")
def index():
    """The task list with filters and sorting."""
    args = _filters()
    return render_template("tasks/list.html", tasks=_list(args), args=args, view="list",
                           **_page_context())


@bp.get("/write/tasks/mine")
@requires("writer")
def mine():
    """Tasks assigned to the signed-in writer."""
    args = _filters()
    args["assignee"] = str(current_user.id)
    return render_template("tasks/list.html", tasks=_list(args), args=args, view="mine",
                           **_page_context())


@bp.get("/write/tasks/board")
@requires("writer")
def board():
    """Columns by status; cards move with a small form (JavaScript optional)."""
    args = _filters()
    args["status"] = ""
    return render_template("tasks/board.html", columns=queries.board(_list(args)), args=args,
                           view="board", **_page_context())


@bp.route("/write/tasks/new", methods=["GET", "POST"])
@requires("writer")
def new():
    """A new task; GET takes prefill parameters (page, lang, title, description, evidence)."""
    if request.method == "POST":
        return _create()
    try:
        values = prefill(db.session, request.args)
    except operations.TaskError as exc:
        flash(error_message(exc), "error")
        values = prefill(db.session, {k: v for k, v in request.args.items() if k != "evidence"})
    return render_template("tasks/new.html", values=values, **_page_context())


def _create():
    form = request.form
    data = {k: form.get(k, "") for k in ("title", "description", "page", "lang", "priority",
                                          "due", "labels", "assignee")}
    try:
        clean = operations.clean_changes(db.session, data, current_app.config["CONTENT_LANGUAGES"])
        evidence = operations.parse_evidence(form.get("evidence"))
        task = operations.create_task(db.session, current_user, clean, evidence)
    except (operations.TaskError, operations.TaskForbidden) as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        values = dict(data, evidence=form.get("evidence", ""))
        return render_template("tasks/new.html", values=values, **_page_context()), 422
    db.session.commit()
    flash(_("Task #%(id)d was created.", id=task.id), "success")
    return redirect(url_for("tasks.detail", task_id=task.id), 303)


def _task(task_id):
    return db.session.get(Task, task_id) or abort(404)


@bp.get("/write/tasks/<int:task_id>")
@requires("writer")
def detail(task_id):
    """One task: fields, evidence, before/after numbers, discussion and activity log."""
    task = _task(task_id)
    numbers = queries.before_after(db.session, task) if task.evidence_kind else None
    db.session.commit()  # rollups refreshed for the numbers
    return render_template("tasks/detail.html", task=task, numbers=numbers, **_page_context())


@bp.post("/write/tasks/<int:task_id>")
@requires("writer")
def update(task_id):
    """Save the edit form (or a board move, which sends only `status`)."""
    task = _task(task_id)
    fields = [f for f in ("title", "description", "page", "lang", "assignee", "status",
                          "priority", "due", "labels") if f in request.form]
    data = {f: request.form.get(f, "") for f in fields}
    try:
        clean = operations.clean_changes(db.session, data, current_app.config["CONTENT_LANGUAGES"])
        changed = operations.update_task(db.session, task, current_user, clean)
    except (operations.TaskError, operations.TaskForbidden) as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return redirect(_back(task), 303)
    db.session.commit()
    if changed:
        flash(_("Task #%(id)d was updated.", id=task.id), "success")
    return redirect(_back(task), 303)


def _back(task):
    target = request.form.get("next", "")
    if target.startswith("/write/tasks") and not target.startswith("//"):
        return target
    return url_for("tasks.detail", task_id=task.id)


@bp.post("/write/tasks/<int:task_id>/comments")
@requires("writer")
def comment(task_id):
    """Add a comment to a task's discussion."""
    task = _task(task_id)
    try:
        note = operations.add_task_comment(db.session, task, current_user, request.form.get("body"))
    except operations.TaskError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return redirect(url_for("tasks.detail", task_id=task.id) + "#discussion", 303)
    db.session.commit()
    return redirect(url_for("tasks.detail", task_id=task.id) + f"#task-comment-{note.id}", 303)


# Their routes live on this blueprint; commands registers `portal notify-due`.
from portal.tasks import api, commands, pages  # noqa: E402,F401
