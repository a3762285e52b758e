"""Page comments: posting, replies, limits, moderation, the JSON API and notifications."""
import pytest

from portal.comments.models import PageComment
from portal.extensions import db
from portal.tasks.models import Notification

PAGE = "/en/docs/guide/install"
POST = "/en/comments/guide/install"
API = "/api/v1/pages/guide/install/comments"


def test_anonymous_readers_see_the_thread_and_a_sign_in_prompt(client, docs, make_user, app):
    writer = make_user("writer")
    from portal.comments.operations import add_comment, find_page
    add_comment(db.session, find_page(db.session, "guide/install"), "en", writer, "First **note**")
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert "<strong>note</strong>" in html
    assert "Sign in to comment." in html
    assert 'name="body"' not in html
    assert client.post(POST, data={"body": "x"}).status_code == 302  # to the login page


def test_signed_in_reader_comments_and_replies_without_javascript(client, docs, login_as):
    login_as("reader")
    response = client.post(POST, data={"body": "Where is step 3?"})
    assert response.status_code == 303
    first = db.session.scalars(db.select(PageComment)).one()
    assert response.headers["Location"].endswith(f"{PAGE}#comment-{first.id}")
    client.post(POST, data={"body": "Same question", "parent": str(first.id)})
    reply = db.session.scalars(db.select(PageComment).where(PageComment.parent_id == first.id)).one()
    html = client.get(PAGE).get_data(as_text=True)
    assert f'id="comment-{reply.id}"' in html and "comment-replies" in html


@pytest.mark.parametrize("body, message", [("   ", "Write a comment before sending it."),
                                           ("x" * 5001, "at most 5000 characters")])
def test_empty_and_too_long_comments_are_refused(client, docs, login_as, body, message):
    login_as("reader")
    response = client.post(POST, data={"body": body}, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PageComment.id))) == 0


def test_api_lists_and_adds_comments(client, docs, login_as):
    user = login_as("reader")
    response = client.post(API + "?lang=en", json={"body": "Nice <b>page</b>"})
    assert response.status_code == 201
    data = response.get_json()
    assert {"id", "author", "body", "created_at", "parent"} <= set(data)
    assert data["author"] == user.display_name and data["parent"] is None
    assert "<b>" not in data["html"]
    reply = client.post(API + "?lang=en", json={"body": "reply", "parent": data["id"]}).get_json()
    assert reply["parent"] == data["id"]
    listed = client.get(API + "?lang=en").get_json()["comments"]
    assert [c["id"] for c in listed] == [data["id"], reply["id"]]
    assert client.get(API + "?lang=ko").get_json()["comments"] == []


def test_api_errors(client, docs, login_as, app):
    assert client.post(API, json={"body": "x"}).status_code == 401
    login_as("reader")
    assert client.post(API, json={"body": ""}).status_code == 422
    assert client.post(API, json={"body": "x" * 5001}).status_code == 422
    assert client.post(API, json={"body": "x", "parent": 999}).status_code == 422
    assert client.post(API, json={"body": 5}).status_code == 422
    assert client.post("/api/v1/pages/nope/comments", json={"body": "x"}).status_code == 404
    assert client.get("/api/v1/pages/nope/comments").status_code == 404
    assert client.get(API + "?lang=xx").status_code == 422
    response = client.post(API, data="body=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "error" in response.get_json()


def test_reply_to_a_comment_on_another_page_is_refused(client, docs, login_as):
    login_as("reader")
    other = client.post("/api/v1/pages/index/comments", json={"body": "x"}).get_json()
    response = client.post(API, json={"body": "y", "parent": other["id"]})
    assert response.status_code == 422


def test_rate_limit_answers_429_with_a_clear_message(client, docs, login_as, app):
    app.config["COMMENT_RATE_LIMIT"] = 3
    app.extensions.pop("signpost_comment_limiter", None)
    login_as("reader")
    codes = [client.post(API, json={"body": f"c{i}"}).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    response = client.post(API, json={"body": "again"})
    assert "too quickly" in response.get_json()["error"] and response.headers["Retry-After"]
    html = client.post(POST, data={"body": "form"}, follow_redirects=True).get_data(as_text=True)
    assert "too quickly" in html


def test_readers_cannot_moderate(client, docs, login_as):
    login_as("reader")
    comment = client.post(API, json={"body": "x"}).get_json()
    assert client.post(f"/comments/{comment['id']}/moderate", data={"action": "hide"}).status_code == 403


def test_writers_hide_and_delete_softly_with_who_and_when(client, docs, login_as, make_user, app):
    from portal.comments.operations import add_comment, find_page
    author = make_user("reader")
    comment = add_comment(db.session, find_page(db.session, "guide/install"), "en", author,
                          "secret text")
    db.session.commit()
    writer = login_as("writer")
    assert client.post(f"/comments/{comment.id}/moderate", data={"action": "hide"}).status_code == 303
    db.session.refresh(comment)
    assert comment.status == "hidden" and comment.moderated_by_id == writer.id
    assert comment.moderated_at is not None
    assert "secret text" in client.get(PAGE).get_data(as_text=True)  # writers still see it
    with client.session_transaction() as session:
        session.clear()
    html = client.get(PAGE).get_data(as_text=True)
    assert "secret text" not in html and "hidden by a moderator" in html
    assert client.get(API).get_json()["comments"][0]["body"] is None
    login_as("owner")
    client.post(f"/comments/{comment.id}/moderate", data={"action": "delete"})
    db.session.refresh(comment)
    assert comment.status == "deleted"
    assert db.session.get(PageComment, comment.id) is not None  # soft: the row stays
    assert "was deleted by" in client.get(PAGE).get_data(as_text=True)


def test_reply_and_mention_notify(client, docs, make_user, login_as):
    from portal.comments.operations import add_comment, find_page
    page = find_page(db.session, "guide/install")
    ann = make_user("reader", email="ann@example.com")
    bob = make_user("writer", email="bob.k@example.com", name="Bobby")
    first = add_comment(db.session, page, "en", ann, "question")
    db.session.commit()
    login_as("reader")
    client.post(API, json={"body": "answer for @bob.k and @ann", "parent": first.id})
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(db.select(Notification))}
    assert (ann.id, "reply") in kinds and (ann.id, "mention") in kinds
    assert (bob.id, "mention") in kinds
    client.post(API, json={"body": "ping @Bobby"})
    assert db.session.scalar(db.select(db.func.count(Notification.id))
                             .where(Notification.user_id == bob.id)) == 2


def test_a_refused_comment_keeps_its_text_for_the_form(client, docs, login_as, app):
    app.config["COMMENT_RATE_LIMIT"] = 1
    app.extensions.pop("signpost_comment_limiter", None)
    login_as("reader")
    client.post(POST, data={"body": "first"})
    html = client.post(POST, data={"body": "my careful second thought"},
                       follow_redirects=True).get_data(as_text=True)
    assert "too quickly" in html
    assert "my careful second thought</textarea>" in html
    assert "my careful second thought" not in client.get(PAGE).get_data(as_text=True)
