"""The tasks JSON API: roles, shapes, validation, activity, filters, bearer tokens."""
import pytest

from portal.auth.operations import create_token
from portal.extensions import db

API = "/api/v1/tasks"


def test_anonymous_gets_401_and_readers_403(client, docs, login_as):
    assert client.get(API).status_code == 401
    assert client.post(API, json={"title": "x"}).status_code == 401
    assert client.patch(f"{API}/1", json={}).status_code == 401
    login_as("reader")
    for response in (client.get(API), client.post(API, json={"title": "x"}),
                     client.get(f"{API}/1"), client.patch(f"{API}/1", json={})):
        assert response.status_code == 403 and "error" in response.get_json()


def test_create_answers_201_with_the_task(client, docs, login_as, make_user):
    owner = login_as("owner")
    writer = make_user("writer")
    response = client.post(API, json={"title": "Clarify step 2", "description": "see @x",
                                      "page": "guide/install", "lang": "ko",
                                      "assignee": writer.email, "priority": "urgent",
                                      "due": "2031-05-06", "labels": ["ko", "install"],
                                      "evidence": "stuck:ko:guide/install"})
    assert response.status_code == 201
    task = response.get_json()
    assert {k: task[k] for k in ("title", "page", "lang", "assignee", "reporter", "status",
                                 "priority", "due", "labels")} == {
        "title": "Clarify step 2", "page": "guide/install", "lang": "ko",
        "assignee": writer.email, "reporter": owner.email, "status": "open",
        "priority": "urgent", "due": "2031-05-06", "labels": ["install", "ko"]}
    assert task["evidence"] == {"kind": "stuck", "ref": "ko:guide/install"}
    assert task["activity"][0] == {"at": task["activity"][0]["at"], "actor": owner.email,
                                   "field": "created", "from": None, "to": "Clarify step 2"}
    assert set(task) >= {"id", "created_at", "updated_at", "activity", "description"}
    assert client.get(f"{API}/{task['id']}").get_json() == task


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": "x", "priority": "p9"},
                                  {"title": "x", "due": "tomorrow"}, {"title": "x", "page": "nope"},
                                  {"title": "x", "assignee": "ghost@example.com"},
                                  {"title": "x", "labels": "not-a-list-of-strings" * 10},
                                  {"title": "x", "colour": "red"}, {"title": "x", "evidence": "vote:x"}])
def test_bad_input_is_422_with_a_message(client, docs, login_as, body):
    login_as("writer")
    response = client.post(API, json=body)
    assert response.status_code == 422 and response.get_json()["error"]


def test_non_json_is_400(client, docs, login_as):
    login_as("writer")
    assert client.post(API, data="title=x").status_code == 400


def test_patch_logs_each_changed_field(client, docs, login_as):
    writer = login_as("writer")
    task = client.post(API, json={"title": "t"}).get_json()
    response = client.patch(f"{API}/{task['id']}", json={"status": "in_review", "priority": "low",
                                                        "title": "t", "assignee": writer.email})
    assert response.status_code == 200
    activity = response.get_json()["activity"][1:]
    assert [(a["field"], a["from"], a["to"], a["actor"]) for a in activity] == [
        ("assignee", None, writer.email, writer.email), ("status", "open", "in_review", writer.email),
        ("priority", "normal", "low", writer.email)]


def test_only_owners_assign_to_others(client, docs, login_as, make_user):
    other = make_user("writer")
    login_as("writer")
    task = client.post(API, json={"title": "t"}).get_json()
    assert client.patch(f"{API}/{task['id']}", json={"assignee": other.email}).status_code == 403
    assert client.post(API, json={"title": "t", "assignee": other.email}).status_code == 403
    login_as("owner")
    assert client.patch(f"{API}/{task['id']}", json={"assignee": other.email}).status_code == 200


def test_unknown_task_is_404(client, docs, login_as):
    login_as("writer")
    assert client.get(f"{API}/999").status_code == 404
    assert client.patch(f"{API}/999", json={"status": "done"}).status_code == 404


def test_filters(client, docs, login_as, make_user):
    other = make_user("writer")
    me = login_as("owner")
    ids = {}
    ids["a"] = client.post(API, json={"title": "a", "assignee": me.email, "page": "guide/install",
                                      "lang": "en"}).get_json()["id"]
    ids["b"] = client.post(API, json={"title": "b", "assignee": other.email}).get_json()["id"]
    ids["c"] = client.post(API, json={"title": "c", "lang": "ko"}).get_json()["id"]
    client.patch(f"{API}/{ids['c']}", json={"status": "done"})

    def listed(query):
        return sorted(t["title"] for t in client.get(API + query).get_json()["tasks"])
    assert listed("") == ["a", "b", "c"]
    assert listed("?mine=1") == ["a"]
    assert listed(f"?assignee={other.email}") == ["b"]
    assert listed("?assignee=none") == ["c"]
    assert listed("?status=done") == ["c"]
    assert listed("?page=guide/install") == ["a"]
    assert listed("?lang=ko") == ["c"]
    assert client.get(API + "?status=later").status_code == 422
    assert client.get(API + "?assignee=ghost@x.org").status_code == 422


def test_bearer_token_works_without_csrf(app, docs, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    writer = make_user("writer")
    token = create_token(db.session, writer, "ci")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(API, json={"title": "from CI"}, headers=headers)
    assert created.status_code == 201
    assert client.patch(f"{API}/{created.get_json()['id']}", json={"status": "done"},
                        headers=headers).status_code == 200
    assert client.post(API, json={"title": "x"}, headers={"Authorization": "Bearer nope"}).status_code == 401
