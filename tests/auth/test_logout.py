"""Sign-out is a POST with CSRF; GET asks to confirm. The login form's `next` stays on site."""
import re

import pytest


def test_get_logout_asks_and_does_not_sign_out(client, login_as):
    login_as("reader")
    page = client.get("/logout")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_logout_without_csrf_token_is_refused(csrf_client_as):
    client = csrf_client_as("r@example.com", "reader")
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/logout").get_data(as_text=True)).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "\\\\evil.example", "javascript:alert(1)", "/ok\r\nX: y"])
def test_login_next_never_leaves_the_site(client, make_user, target):
    make_user("reader", email="r@example.com", password="correct-horse")
    ok = client.post("/login", query_string={"next": target},
                     data={"email": "r@example.com", "password": "correct-horse"})
    assert ok.status_code == 302 and "evil" not in ok.location and "javascript" not in ok.location


def test_login_next_keeps_a_local_path(client, make_user):
    make_user("writer", email="w@example.com", password="correct-horse")
    ok = client.post("/login", query_string={"next": "/write/?q=a"},
                     data={"email": "w@example.com", "password": "correct-horse"})
    assert ok.location.endswith("/write/?q=a")


def test_a_bearer_token_does_not_open_html_pages(client, runner, make_user):
    make_user("owner", email="owner@example.com")
    token = runner.invoke(args=["portal", "create-token", "owner@example.com"]).output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/insights/pages", headers=headers).status_code == 200
    page = client.get("/insights/", headers=headers)
    assert page.status_code == 302 and "/login" in page.location
