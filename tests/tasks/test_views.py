"""The tasks pages: list, board, my tasks, new from evidence, detail, timeline, notifications."""
from datetime import timedelta

from portal.comments.operations import add_comment, find_page
from portal.extensions import db
from portal.feedback.models import PageDay, Vote
from portal.tasks.models import Task
from portal.timeutil import utcnow

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def _vote(helpful=False, comment="Step 3 fails", lang="en"):
    vote = Vote(session="s" * 32, page="guide/install", lang=lang, helpful=helpful,
                reason="incorrect", comment=comment)
    db.session.add(vote)
    db.session.commit()
    return vote


def test_pages_need_a_writer(client, docs, login_as):
    for url in ("/write/tasks", "/write/tasks/board", "/write/tasks/mine", "/write/tasks/new",
                "/write/pages/en/guide/install/timeline"):
        assert client.get(url).status_code == 302
    login_as("reader")
    for url in ("/write/tasks", "/write/tasks/new", "/write/pages/en/guide/install/timeline"):
        assert client.get(url).status_code == 403
    assert client.get("/notifications").status_code == 200  # any signed-in account


def test_create_from_a_not_helpful_vote_links_back_and_shows_numbers(client, docs, login_as):
    vote = _vote()
    login_as("owner")
    form = client.get(f"/write/tasks/new?evidence=vote:{vote.id}").get_data(as_text=True)
    assert "Step 3 fails" in form and 'value="guide/install"' in form
    response = client.post("/write/tasks/new", data={
        "title": "Fix step 3", "description": "> Step 3 fails", "page": "guide/install",
        "lang": "en", "evidence": f"vote:{vote.id}", "priority": "high", "labels": "", "due": "",
        "assignee": ""})
    assert response.status_code == 303
    task = db.session.scalars(db.select(Task)).one()
    assert (task.evidence_kind, task.evidence_ref) == ("vote", str(vote.id))
    html = client.get(f"/write/tasks/{task.id}").get_data(as_text=True)
    assert f"/write/pages/en/guide/install/timeline#vote-{vote.id}" in html
    assert "Reader numbers before and after" in html


def test_before_and_after_numbers_come_from_equal_windows(client, docs, login_as):
    owner = login_as("owner")
    today = utcnow().date()
    created = today - timedelta(days=20)
    closed = today - timedelta(days=9)  # 10 days since closing: both windows are 10 days
    for offset in range(1, 15):
        db.session.add(PageDay(day=created - timedelta(days=offset), page="guide/install", lang="en",
                               views=10, sessions=10, exits=5, votes_yes=1, votes_no=3))
    for offset in range(10):
        db.session.add(PageDay(day=closed + timedelta(days=offset), page="guide/install", lang="en",
                               views=20, sessions=20, exits=2, votes_yes=3, votes_no=1))
    task = Task(title="t", page=find_page(db.session, "guide/install"), lang="en", status="done",
                reporter_id=owner.id, evidence_kind="page", evidence_ref="en:guide/install",
                created_at=utcnow() - timedelta(days=20), closed_at=utcnow() - timedelta(days=9))
    db.session.add(task)
    db.session.commit()
    from portal.tasks.queries import before_after
    numbers = before_after(db.session, task)
    assert numbers["days"] == 10
    assert (numbers["before"].views, numbers["before"].yes, numbers["before"].no) == (100, 10, 30)
    assert (numbers["after"].views, numbers["after"].yes, numbers["after"].no) == (200, 30, 10)
    assert numbers["after"].exit_rate == 0.1 and numbers["before"].exit_rate == 0.5
    html = client.get(f"/write/tasks/{task.id}").get_data(as_text=True)
    assert "75.0 %" in html and "25.0 %" in html


def test_board_moves_a_card_without_javascript(client, docs, login_as):
    login_as("writer")
    client.post("/api/v1/tasks", json={"title": "card"})
    task = db.session.scalars(db.select(Task)).one()
    response = client.post(f"/write/tasks/{task.id}", data={"status": "in_review",
                                                           "next": "/write/tasks/board"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/write/tasks/board")
    db.session.refresh(task)
    assert task.status == "in_review" and task.activity[-1].field == "status"
    html = client.get("/write/tasks/board").get_data(as_text=True)
    column = html.split('id="col-in_review"')[1].split("</section>")[0]
    assert "card" in column


def test_list_filters_sort_and_overdue(client, docs, login_as):
    login_as("owner")
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    client.post("/api/v1/tasks", json={"title": "late one", "due": yesterday, "labels": ["ko"]})
    client.post("/api/v1/tasks", json={"title": "calm one", "priority": "urgent"})
    html = client.get("/write/tasks?overdue=1").get_data(as_text=True)
    assert "late one" in html and "calm one" not in html and "Overdue:" in html
    html = client.get("/write/tasks?label=ko").get_data(as_text=True)
    assert "late one" in html and "calm one" not in html
    html = client.get("/write/tasks?sort=priority").get_data(as_text=True)
    assert html.index("calm one") < html.index("late one")
    assert "calm one" in client.get("/write/tasks?priority=urgent").get_data(as_text=True)


def test_my_tasks_and_header_count(client, docs, login_as, make_user):
    writer = make_user("writer", email="wes@example.com")
    login_as("owner")
    client.post("/api/v1/tasks", json={"title": "for wes", "assignee": writer.email})
    client.post("/api/v1/tasks", json={"title": "for nobody"})
    with client.session_transaction() as session:
        session["_user_id"] = writer.get_id()
    html = client.get("/write/tasks/mine").get_data(as_text=True)
    assert "for wes" in html and "for nobody" not in html
    assert "Notifications (1)" in html
    notes = client.get("/notifications").get_data(as_text=True)
    assert "assigned you the task “for wes”" in notes
    client.post("/notifications/read-all")
    assert "Notifications (0)" in client.get("/write/tasks/mine").get_data(as_text=True)


def test_writer_form_cannot_assign_someone_else(client, docs, login_as, make_user):
    other = make_user("writer")
    login_as("writer")
    response = client.post("/write/tasks/new", data={"title": "x", "assignee": str(other.id)})
    assert response.status_code == 422
    assert "Only owners can assign" in response.get_data(as_text=True)


def test_timeline_has_revisions_comments_tasks_and_votes(client, docs, login_as, make_user):
    reader = make_user("reader")
    add_comment(db.session, find_page(db.session, "guide/install"), "en", reader, "a comment")
    db.session.commit()
    vote = _vote(comment="confusing")
    _vote(helpful=True, comment=None, lang="ko")
    login_as("writer")
    client.post("/api/v1/tasks", json={"title": "page task", "page": "guide/install"})
    html = client.get("/write/pages/en/guide/install/timeline").get_data(as_text=True)
    for text in ("Revision 1", "a comment", "page task", "confusing",
                 "Reason: The information is incorrect"):
        assert text in html
    assert f"evidence=vote:{vote.id}" in html
    assert "helpful (ko)" not in html
    assert "helpful (ko)" in client.get("/write/pages/en/guide/install/timeline?all=1").get_data(as_text=True)
    assert client.get("/write/pages/en/nope/timeline").status_code == 404


def test_hostile_text_stays_inert(client, docs, login_as):
    login_as("owner")
    client.post("/api/v1/tasks", json={"title": HOSTILE, "description": HOSTILE + " [x](javascript:alert(3))",
                                       "labels": [HOSTILE[:40]], "page": "guide/install"})
    client.post("/api/v1/pages/guide/install/comments", json={"body": HOSTILE})
    task = db.session.scalars(db.select(Task)).one()
    for url in ("/write/tasks", "/write/tasks/board", f"/write/tasks/{task.id}",
                "/write/pages/en/guide/install/timeline", "/en/docs/guide/install"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript' not in html, url


def test_opening_a_notification_marks_it_read(client, docs, login_as, make_user):
    from portal.tasks.models import Notification
    writer = make_user("writer")
    login_as("owner")
    task = client.post("/api/v1/tasks", json={"title": "t", "assignee": writer.email}).get_json()
    note = db.session.scalars(db.select(Notification)).one()
    with client.session_transaction() as session:
        session["_user_id"] = writer.get_id()
    response = client.post(f"/notifications/{note.id}/read", data={"open": "1"})
    assert response.headers["Location"].endswith(f"/write/tasks/{task['id']}")
    db.session.refresh(note)
    assert note.read_at is not None
    with client.session_transaction() as session:
        session["_user_id"] = make_user("writer").get_id()
    assert client.post(f"/notifications/{note.id}/read").status_code == 404  # not theirs


def test_timeline_shows_later_task_changes_not_the_creation_fields(client, docs, login_as):
    from portal.tasks.models import TaskActivity
    login_as("writer")
    task = client.post("/api/v1/tasks", json={"title": "t", "page": "guide/install",
                                              "priority": "high"}).get_json()
    client.patch(f"/api/v1/tasks/{task['id']}", json={"status": "in_review"})
    change = db.session.scalars(db.select(TaskActivity).where(TaskActivity.field == "status")).one()
    change.at = change.at + timedelta(minutes=5)  # a change made later than the creation
    db.session.commit()
    html = client.get("/write/pages/en/guide/install/timeline").get_data(as_text=True)
    assert "changed status of task" in html and "changed priority of task" not in html


def test_a_korean_page_timeline_speaks_the_writers_language(client, docs, login_as):
    login_as("writer")
    html = client.get("/write/pages/ko/guide/install/timeline",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Timeline of 설치" in html
