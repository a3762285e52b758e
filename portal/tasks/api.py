"""Doc tasks as JSON: `GET|POST /api/v1/tasks`, `GET|PATCH /api/v1/tasks/<id>` (writers and up).

Views are CSRF-exempt because they only accept `application/json`, which a cross-site form
cannot send; bearer tokens and sessions both authenticate.
"""
from flask import abort, current_app, jsonify, request
from flask_login import current_user

from portal.auth.access import requires
from portal.extensions import csrf, db
from portal.tasks import operations, queries
from portal.tasks.models import PRIORITIES, STATUSES, Task
from portal.tasks.views import bp

CREATE_FIELDS = ("title", "description", "page", "lang", "assignee", "priority", "due", "labels")
PATCH_FIELDS = CREATE_FIELDS + ("status",)


def _api_error(exc):
    if isinstance(exc, operations.TaskForbidden):
        abort(403, description="Only owners can assign a task to someone else.")
    hints = {"title": "a non-empty string of at most 200 characters",
             "description": "a string of at most 20000 characters",
             "status": "one of " + ", ".join(STATUSES),
             "priority": "one of " + ", ".join(PRIORITIES),
             "due": "a date as YYYY-MM-DD",
             "labels": "a list of up to 10 strings of at most 40 characters",
             "page": "the slug of an existing page",
             "assignee": "the email of a writer, owner or admin",
             "lang": "one of " + ", ".join(current_app.config["CONTENT_LANGUAGES"]),
             "evidence": "page:<lang>:<slug>, comment:<id>, vote:<id>, stuck:<lang>:<slug> or "
                         "search_gap:<lang>:<query_key>"}
    hint = hints.get(exc.field, "a valid value")
    abort(422, description=f"Invalid {exc.field!r} ({exc.code}): use {hint}.")


def _json_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object with Content-Type: application/json.")
    return data


@bp.get("/api/v1/tasks")
@requires("writer")
def api_list():
    """Tasks filtered by `status`, `assignee` (email or "none"), `page`, `lang`, `mine=1`."""
    args = request.args
    status = args.get("status") or None
    if status and status not in STATUSES:
        abort(422, description="Unknown status; use one of " + ", ".join(STATUSES) + ".")
    assignee = None
    if args.get("mine") in ("1", "true", "yes"):
        assignee = current_user.id
    elif args.get("assignee") == "none":
        assignee = "none"
    elif args.get("assignee"):
        try:
            assignee = operations.find_user(db.session, args["assignee"]).id
        except operations.TaskError:
            abort(422, description="Unknown assignee; use the email of a writer, owner or admin.")
    tasks = queries.list_tasks(db.session, status=status, assignee=assignee,
                               page=args.get("page") or None, lang=args.get("lang") or None,
                               sort=args.get("sort") or "updated")
    return jsonify(tasks=[queries.task_json(t) for t in tasks])


@bp.post("/api/v1/tasks")
@requires("writer")
@csrf.exempt
def api_create():
    """Create a task; 201 with its JSON."""
    data = _json_body()
    unknown = set(data) - set(CREATE_FIELDS) - {"evidence", "status"}
    if unknown:
        abort(422, description=f"Unknown fields: {', '.join(sorted(unknown))}.")
    try:
        fields = {k: data[k] for k in PATCH_FIELDS if k in data}
        clean = operations.clean_changes(db.session, fields, current_app.config["CONTENT_LANGUAGES"])
        if "title" not in clean:
            raise operations.TaskError("title", "empty")
        evidence = operations.parse_evidence(data.get("evidence"))
        task = operations.create_task(db.session, current_user, clean, evidence)
    except (operations.TaskError, operations.TaskForbidden) as exc:
        db.session.rollback()
        _api_error(exc)
    db.session.commit()
    return jsonify(queries.task_json(task)), 201


@bp.get("/api/v1/tasks/<int:task_id>")
@requires("writer")
def api_get(task_id):
    """One task with its activity log."""
    task = db.session.get(Task, task_id)
    if task is None:
        abort(404, description=f"No task {task_id}.")
    return jsonify(queries.task_json(task))


@bp.patch("/api/v1/tasks/<int:task_id>")
@requires("writer")
@csrf.exempt
def api_update(task_id):
    """Change fields; each changed field adds one activity entry; 200 with the task."""
    task = db.session.get(Task, task_id)
    if task is None:
        abort(404, description=f"No task {task_id}.")
    data = _json_body()
    unknown = set(data) - set(PATCH_FIELDS)
    if unknown:
        abort(422, description=f"Unknown fields: {', '.join(sorted(unknown))}.")
    try:
        clean = operations.clean_changes(db.session, data, current_app.config["CONTENT_LANGUAGES"])
        operations.update_task(db.session, task, current_user, clean)
    except (operations.TaskError, operations.TaskForbidden) as exc:
        db.session.rollback()
        _api_error(exc)
    db.session.commit()
    return jsonify(queries.task_json(task))
