"""The page timeline and the notifications list (routes on the tasks blueprint)."""
import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.auth.access import requires, signed_in
from portal.database import health, is_outage
from portal.auth.models import User
from portal.comments.operations import find_page
from portal.extensions import db
from portal.tasks import notifications
from portal.tasks.models import Notification
from portal.tasks.timeline import page_timeline
from portal.tasks.views import bp

log = logging.getLogger(__name__)


@bp.get("/write/pages/<lang:lang>/<path:slug>/timeline")
@requires("writer")
def timeline(lang, slug):
    """Edits, comments, tasks and reader feedback of one page, newest first."""
    page = find_page(db.session, slug) or abort(404)
    everything = request.args.get("all") == "1"
    entries = page_timeline(db.session, page, None if everything else lang)
    title = next((t.title for t in page.translations if t.lang == lang), page.slug)
    return render_template("tasks/timeline.html", page=page, lang=lang, title=title,
                           entries=entries, everything=everything)


@bp.app_template_global()
def vote_reason_label(helpful, reason):
    """A vote's reason in the widget's own words (the same messages the reader chose from)."""
    if helpful:
        labels = {"solved": _("It solved my problem"), "easy": _("It was easy to follow"),
                  "other": _("Something else")}
    else:
        labels = {"incorrect": _("The information is incorrect"),
                  "unclear": _("It is hard to understand"),
                  "missing": _("Information I need is missing"),
                  "outdated": _("It is out of date"), "other": _("Something else")}
    return labels.get(reason, reason)


@bp.app_context_processor
def _notification_helpers():
    def count():
        if not current_user.is_authenticated:
            return 0
        # Its own session: committing here must never commit what the page's view left
        # pending (a form it refused, for instance).
        try:
            with Session(db.engine) as own:
                user = own.get(User, current_user.id)
                if user is not None and notifications.refresh_due(own, user):
                    own.commit()
        except OperationalError as exc:  # database busy: the next page view makes them
            if is_outage(exc):  # one log line per outage, not a traceback per page view
                health.failed(exc)
            else:
                log.warning("due-date notifications skipped: database busy", exc_info=True)
        return notifications.unread_count(db.session, current_user)
    return {"notification_count": count}


def message(note):
    """The notification as a sentence in the reader's language."""
    actor = note.actor.display_name if note.actor else _("Someone")
    task = note.task.title if note.task else ""
    page = note.comment.page.slug if note.comment else ""
    due = note.task.due.isoformat() if note.task and note.task.due else ""
    texts = {
        "assigned": lambda: _("%(actor)s assigned you the task “%(task)s”.", actor=actor, task=task),
        "mention": lambda: (_("%(actor)s mentioned you in a comment on %(page)s.", actor=actor,
                              page=page) if note.comment else
                            _("%(actor)s mentioned you in the task “%(task)s”.", actor=actor,
                              task=task)),
        "reply": lambda: _("%(actor)s replied to your comment on %(page)s.", actor=actor, page=page),
        "task_comment": lambda: _("%(actor)s commented on your task “%(task)s”.", actor=actor,
                                  task=task),
        "due": lambda: _("Your task “%(task)s” is due on %(date)s.", task=task, date=due),
        "overdue": lambda: _("Your task “%(task)s” is overdue: it was due on %(date)s.", task=task,
                             date=due),
    }
    return texts.get(note.kind, lambda: note.kind)()


def link(note):
    """Where a notification leads."""
    if note.comment is not None:
        return url_for("docs.page", lang=note.comment.lang, slug=note.comment.page.slug) \
            + f"#comment-{note.comment.id}"
    if note.task is not None:
        return url_for("tasks.detail", task_id=note.task.id)
    return url_for("tasks.notifications_list")


@bp.get("/notifications")
@signed_in
def notifications_list():
    """The signed-in user's notifications, unread first marked."""
    notifications.refresh_due(db.session, current_user)
    db.session.commit()
    notes = notifications.list_for(db.session, current_user)
    return render_template("tasks/notifications.html", notes=notes, message=message, link=link)


@bp.post("/notifications/<int:note_id>/read")
@signed_in
def notification_read(note_id):
    """Mark one notification read (and follow it when asked)."""
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    notifications.mark_read(db.session, current_user, note_id)
    db.session.commit()
    if request.form.get("open"):
        return redirect(link(note), 303)
    return redirect(url_for("tasks.notifications_list"), 303)


@bp.post("/notifications/read-all")
@signed_in
def notifications_read_all():
    """Mark every notification read."""
    count = notifications.mark_read(db.session, current_user)
    db.session.commit()
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.",
                   count), "success")
    return redirect(url_for("tasks.notifications_list"), 303)
