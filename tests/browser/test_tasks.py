"""In a real Chromium: a reader's "not helpful" comment becomes a task an owner assigns from
the page timeline; the writer finds it in "My tasks" with its activity and a notification.
Hostile text in the comment and the task never runs."""
import re
import uuid

from portal.auth.operations import create_user
from portal.extensions import db
from tests.browser.conftest import sign_in

DOCS = {"en/index.md": "# Welcome\n\nStart with [Install](guide/install.md).\n",
        "en/guide/install.md": "# Install\n\n## Download\n\nGet the package.\n"}
HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'


def _users(server):
    with server.app.app_context():
        create_user(db.session, "olga@example.com", "owner", "owner-pass-123", "Olga")
        create_user(db.session, "wes@example.com", "writer", "writer-pass-123", "Wes")
        db.session.commit()
        db.session.remove()


def _sign_in(page, server, email, password):
    sign_in(page, server, email, password)


def _guard(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_not_helpful_comment_becomes_an_assigned_task(live_server, make_docs, browser, axe_check):
    server = live_server(make_docs(DOCS))
    _users(server)
    reader = browser.new_context(locale="en-US")
    response = reader.request.post(f"{server.url}/api/v1/events", data={
        "session": uuid.uuid4().hex, "events": [
            {"type": "feedback", "page": "guide/install", "lang": "en", "helpful": False,
             "reason": "incorrect", "comment": "The download link is broken " + HOSTILE}]})
    assert response.status == 202, response.text()
    reader.close()

    owner_context = browser.new_context(locale="en-US")
    owner = owner_context.new_page()
    dialogs = _guard(owner)
    _sign_in(owner, server, "olga@example.com", "owner-pass-123")
    owner.goto(f"{server.url}/write/pages/en/guide/install/timeline")
    entry = owner.locator(".entry-unhelpful")
    entry.locator(".vote-comment").filter(has_text="The download link is broken").wait_for()
    axe_check(owner)
    entry.get_by_role("link", name="Create task").click()
    owner.wait_for_url(re.compile(r"/write/tasks/new\?"))
    assert "download link is broken" in owner.locator("#t-description").input_value()
    axe_check(owner)
    owner.fill("#t-title", "Fix the download link " + HOSTILE)
    owner.select_option("#t-assignee", label="Wes (wes@example.com)")
    owner.select_option("#t-priority", "high")
    owner.get_by_role("button", name="Create task").click()
    owner.wait_for_url(re.compile(r"/write/tasks/\d+$"))
    owner.locator("h1").filter(has_text="Fix the download link").wait_for()
    assert owner.get_by_role("link", name="Reader feedback #1").is_visible()
    axe_check(owner)
    owner.goto(f"{server.url}/write/tasks/board")
    axe_check(owner)
    owner.goto(f"{server.url}/write/tasks")
    axe_check(owner)
    owner.goto(f"{server.url}/en/docs/guide/install")
    axe_check(owner, "#comments")
    assert owner.evaluate("() => window.__pwned") is None
    owner_context.close()

    writer_context = browser.new_context(locale="en-US")
    writer = writer_context.new_page()
    dialogs += _guard(writer)
    _sign_in(writer, server, "wes@example.com", "writer-pass-123")
    writer.goto(f"{server.url}/write/tasks/mine")
    link = writer.get_by_role("link", name="Notifications (1), 1 unread")
    assert link.inner_text() == "Notifications (1)"
    axe_check(writer)
    writer.locator(".task-table a").filter(has_text="Fix the download link").click()
    rows = writer.locator(".activity-table tbody tr")
    assert "created" in rows.nth(0).inner_text()
    assert any("wes@example.com" in rows.nth(i).inner_text() and "assignee" in rows.nth(i).inner_text()
               for i in range(rows.count()))
    writer.select_option("#t-status", "in_progress")
    writer.get_by_role("button", name="Save changes").click()
    writer.locator(".flash").filter(has_text="was updated").wait_for()
    assert "In progress" in writer.locator(".activity-table tbody tr").last.inner_text()
    writer.goto(f"{server.url}/notifications")
    writer.locator(".notification.unread").filter(has_text="Olga assigned you the task").wait_for()
    axe_check(writer)
    writer.get_by_role("button", name="Mark all as read").click()
    writer.get_by_role("link", name="Notifications (0), 0 unread").wait_for()
    assert writer.evaluate("() => window.__pwned") is None
    writer_context.close()
    assert dialogs == []
