"""Per-account export and deletion of personal data: CLI, the admin user page, /account."""
import json

import pytest
from sqlalchemy import func, select

from portal.auth.models import ApiToken, User
from portal.comments.models import PageComment
from portal.content.models import Page
from portal.extensions import db
from portal.tasks.models import Notification, Task, TaskComment
from tests.feedback.conftest import DOCS


@pytest.fixture
def stored(make_docs, import_docs, make_user):
    """A writer with a comment, a task, a task comment, a notification and a token."""
    import_docs(make_docs(DOCS))
    writer = make_user("writer", email="ann@example.com", name="Ann")
    other = make_user("writer", email="bob@example.com")
    page = db.session.scalar(select(Page).where(Page.slug == "guide/install"))
    comment = PageComment(page_id=page.id, lang="en", author_id=writer.id, body="Step 2 is unclear")
    task = Task(title="Fix step 2", description="Ann's words about step 2", reporter_id=writer.id,
                assignee_id=other.id)
    db.session.add_all([comment, task])
    db.session.flush()
    db.session.add_all([
        TaskComment(task_id=task.id, author_id=writer.id, body="I can review it"),
        Notification(user_id=writer.id, kind="assigned", key=f"assigned:{task.id}",
                     actor_id=other.id, task_id=task.id),
        Notification(user_id=other.id, kind="mention", key="m1", actor_id=writer.id),
        ApiToken(user_id=writer.id, token_hash="0" * 64, name="laptop")])
    db.session.commit()
    return {"user": writer, "other": other, "comment": comment.id, "task": task.id}


def _check_export(data):
    assert data["profile"]["email"] == "ann@example.com" and data["profile"]["name"] == "Ann"
    assert [c["body"] for c in data["page_comments"]] == ["Step 2 is unclear"]
    assert data["page_comments"][0]["page"] == "guide/install"
    assert [t["description"] for t in data["tasks_reported"]] == ["Ann's words about step 2"]
    assert [c["body"] for c in data["task_comments"]] == ["I can review it"]
    assert [n["kind"] for n in data["notifications"]] == ["assigned"]
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"]
    assert "token_hash" not in json.dumps(data) and "password_hash" not in json.dumps(data)


def _check_deleted(stored):
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "ann@example.com")) is None
    comment = db.session.get(PageComment, stored["comment"])
    task = db.session.get(Task, stored["task"])
    assert comment.body == "Step 2 is unclear" and comment.author_id is None  # text stays
    assert task.description == "Ann's words about step 2" and task.reporter_id is None
    assert db.session.scalar(select(TaskComment.author_id)) is None
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    # Ann's own notification is gone; Bob's one (Ann as actor) stays, unattributed.
    assert [(n.user_id, n.actor_id) for n in db.session.scalars(select(Notification))] == [
        (stored["other"].id, None)]


def test_cli_export_and_delete(app, runner, stored, tmp_path):
    out = tmp_path / "ann.json"
    result = runner.invoke(args=["portal", "export-account", "ANN@example.com", "-o", str(out)])
    assert result.exit_code == 0, result.output
    _check_export(json.loads(out.read_text()))
    refused = runner.invoke(args=["portal", "delete-account", "ann@example.com"], input="n\n")
    assert refused.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "ann@example.com")) is not None
    result = runner.invoke(args=["portal", "delete-account", "ann@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    _check_deleted(stored)
    missing = runner.invoke(args=["portal", "export-account", "nobody@example.com"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_admin_exports_and_deletes_from_the_user_page(app, client, login_as, stored):
    login_as("admin")
    uid = stored["user"].id
    page = client.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert f"/admin/users/{uid}/data.json" in page and f"/admin/users/{uid}/delete" in page
    response = client.get(f"/admin/users/{uid}/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    _check_export(response.get_json())
    wrong = client.post(f"/admin/users/{uid}/delete", data={"confirm": "bob@example.com"})
    assert wrong.status_code == 303
    assert db.session.get(User, uid) is not None
    done = client.post(f"/admin/users/{uid}/delete", data={"confirm": "ann@example.com"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/users")
    _check_deleted(stored)
    assert client.get(f"/admin/users/{uid}/data.json").status_code == 404


def test_only_admins_reach_other_accounts_data(app, client, login_as, stored):
    login_as("owner")
    assert client.get(f"/admin/users/{stored['user'].id}/data.json").status_code == 403
    assert client.post(f"/admin/users/{stored['user'].id}/delete",
                       data={"confirm": "ann@example.com"}).status_code == 403


def test_user_downloads_and_deletes_own_account_with_password(app, client, stored):
    with client.session_transaction() as session:
        session["_user_id"] = stored["user"].get_id()
    assert "Delete my account" in client.get("/account").get_data(as_text=True)
    _check_export(client.get("/account/data.json").get_json())
    wrong = client.post("/account/delete", data={"password": "not-my-password"})
    assert wrong.status_code == 422 and "password is not right" in wrong.get_data(as_text=True)
    assert db.session.get(User, stored["user"].id) is not None
    done = client.post("/account/delete", data={"password": "password-123"})
    assert done.status_code == 303
    _check_deleted(stored)
    assert client.get("/account").status_code == 302  # signed out


def test_last_admin_cannot_delete_itself(app, client, make_user):
    admin = make_user("admin", email="root@example.com")
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    response = client.post("/account/delete", data={"password": "password-123"})
    assert response.status_code == 409
    assert db.session.get(User, admin.id) is not None
