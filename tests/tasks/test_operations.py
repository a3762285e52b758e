"""Task operations: validation, activity log, permissions, notifications."""
from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.tasks import notifications, operations
from portal.tasks.models import Notification
from portal.timeutil import utcnow

LANGS = ("en", "ko")


def _create(user, **data):
    clean = operations.clean_changes(db.session, dict({"title": "Fix install"}, **data), LANGS)
    task = operations.create_task(db.session, user, clean)
    db.session.commit()
    return task


def test_creation_is_logged_with_its_initial_fields(app, docs, make_user):
    owner, writer = make_user("owner"), make_user("writer")
    task = _create(owner, page="guide/install", lang="ko", assignee=writer.email,
                   priority="high", due="2030-01-02", labels="Docs, ko ,docs")
    assert task.label_names == ["docs", "ko"]
    fields = [(a.field, a.before, a.after) for a in task.activity]
    assert fields[0] == ("created", None, "Fix install")
    assert ("assignee", None, writer.email) in fields and ("priority", None, "high") in fields
    assert ("due", None, "2030-01-02") in fields and ("page", None, "guide/install") in fields


def test_every_changed_field_gets_one_entry_and_unchanged_fields_none(app, docs, make_user):
    owner = make_user("owner")
    task = _create(owner)
    before = len(task.activity)
    clean = operations.clean_changes(db.session, {"title": "Fix install", "status": "in_progress",
                                                  "priority": "normal", "labels": ["a"]}, LANGS)
    changed = operations.update_task(db.session, task, owner, clean)
    db.session.commit()
    assert set(changed) == {"status", "labels"}
    new = [(a.field, a.before, a.after, a.actor_id) for a in task.activity[before:]]
    assert new == [("status", "open", "in_progress", owner.id), ("labels", "", "a", owner.id)]


def test_done_sets_and_reopen_clears_closed_at(app, docs, make_user):
    owner = make_user("owner")
    task = _create(owner)
    operations.update_task(db.session, task, owner, {"status": "done"})
    assert task.closed_at is not None
    operations.update_task(db.session, task, owner, {"status": "open"})
    assert task.closed_at is None


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"status": "later"}, "status"),
    ({"priority": "meh"}, "priority"), ({"due": "30/01/2030"}, "due"), ({"page": "nope"}, "page"),
    ({"lang": "fr"}, "lang"), ({"labels": ["x" * 41]}, "labels"), ({"labels": [1]}, "labels"),
    ({"labels": [str(i) for i in range(11)]}, "labels"), ({"assignee": "nobody@x.org"}, "assignee")])
def test_bad_input_names_the_field(app, docs, data, field):
    with pytest.raises(operations.TaskError) as info:
        operations.clean_changes(db.session, data, LANGS)
    assert info.value.field == field


def test_readers_cannot_be_assigned(app, docs, make_user):
    reader = make_user("reader")
    with pytest.raises(operations.TaskError):
        operations.clean_changes(db.session, {"assignee": reader.email}, LANGS)


def test_writers_assign_only_themselves_owners_anyone(app, docs, make_user):
    writer, other, owner = make_user("writer"), make_user("writer"), make_user("owner")
    task = _create(owner)
    with pytest.raises(operations.TaskForbidden):
        operations.update_task(db.session, task, writer, {"assignee": other})
    operations.update_task(db.session, task, writer, {"assignee": writer})
    assert task.assignee_id == writer.id
    operations.update_task(db.session, task, owner, {"assignee": other})
    with pytest.raises(operations.TaskForbidden):  # nor unassign someone else
        operations.update_task(db.session, task, writer, {"assignee": None})


@pytest.mark.parametrize("value, expected", [
    ("page:ko:guide/install", ("page", "ko:guide/install")), ("comment:12", ("comment", "12")),
    ("vote:3", ("vote", "3")), ("stuck:en:a/b", ("stuck", "en:a/b")),
    ("search_gap:ko:설치 오류", ("search_gap", "ko:설치 오류")), ("", (None, None))])
def test_evidence_forms(value, expected):
    assert operations.parse_evidence(value) == expected


@pytest.mark.parametrize("value", ["comment:x", "vote:", "page:guide", "other:1", "nothing"])
def test_bad_evidence_is_refused(value):
    with pytest.raises(operations.TaskError):
        operations.parse_evidence(value)


def test_assignment_mention_and_comment_notify_but_not_the_actor(app, docs, make_user):
    owner = make_user("owner", email="olga@example.com")
    writer = make_user("writer", email="wes@example.com")
    task = _create(owner, assignee=writer.email, description="@olga and @wes please look")
    kinds = sorted((n.user_id, n.kind) for n in db.session.scalars(db.select(Notification)))
    assert kinds == sorted([(writer.id, "assigned"), (writer.id, "mention")])
    operations.add_task_comment(db.session, task, owner, "done? @wes")
    db.session.commit()
    kinds = [n.kind for n in db.session.scalars(db.select(Notification)
                                               .where(Notification.user_id == writer.id))]
    assert sorted(kinds) == ["assigned", "mention", "mention", "task_comment"]
    assert task.activity[-1].field == "comment"


def test_due_notifications_are_generated_once(app, docs, make_user):
    writer, owner = make_user("writer"), make_user("owner")
    today = utcnow().date()
    _create(owner, title="soon", assignee=writer.email, due=(today + timedelta(days=1)).isoformat())
    _create(owner, title="late", assignee=writer.email, due=(today - timedelta(days=2)).isoformat())
    _create(owner, title="later", assignee=writer.email, due=(today + timedelta(days=9)).isoformat())
    _create(owner, title="no date", assignee=writer.email)
    for _ in range(3):
        notifications.refresh_due(db.session, writer)
    db.session.commit()
    due = sorted(n.kind for n in db.session.scalars(db.select(Notification).where(
        Notification.user_id == writer.id, Notification.kind.in_(("due", "overdue")))))
    assert due == ["due", "overdue"]
    assert notifications.unread_count(db.session, writer) == 6  # 4 assignments + 2 due dates
    assert notifications.mark_read(db.session, writer) == 6
    assert notifications.unread_count(db.session, writer) == 0
    assert notifications.refresh_all_due(db.session) == 2


def test_done_tasks_get_no_due_notification(app, docs, make_user):
    writer = make_user("writer")
    _create(writer, assignee=writer.email, due=date(2020, 1, 1).isoformat(), status="done")
    notifications.refresh_due(db.session, writer)
    assert notifications.unread_count(db.session, writer) == 0


def test_demo_collab_creates_tasks_in_every_state_once(app, docs, make_user):
    from portal.tasks.demo import create_demo_collab
    from portal.tasks.models import STATUSES, Task
    assert create_demo_collab(db.session) == 0  # no accounts yet: nothing to do
    make_user("owner"), make_user("writer"), make_user("reader")
    assert create_demo_collab(db.session) == 5
    db.session.commit()
    statuses = {t.status for t in db.session.scalars(db.select(Task))}
    assert statuses == set(STATUSES)
    assert create_demo_collab(db.session) == 0


def test_notify_due_command(app, docs, make_user, runner):
    writer = make_user("writer")
    _create(writer, assignee=writer.email, due=date(2020, 1, 1).isoformat())
    result = runner.invoke(args=["portal", "notify-due"])
    assert result.exit_code == 0 and "1 open task(s)" in result.output
    assert notifications.unread_count(db.session, writer) == 1
    runner.invoke(args=["portal", "notify-due"])
    assert notifications.unread_count(db.session, writer) == 1
