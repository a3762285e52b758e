"""HTTPS headers, proxies, no-store for signed-in users, and API tokens' scope and revocation."""
import pytest

from portal.auth import operations
from portal.extensions import db
from tests.conftest import make_app

PASSWORD = "correct-horse-battery"


def _sign_in(client, email, **kwargs):
    return client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"},
                       **kwargs)


def test_https_gets_hsts_and_secure_cookies(client, make_user):
    make_user("reader", email="s@example.com", password=PASSWORD)
    response = _sign_in(client, "s@example.com", base_url="https://docs.example")
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "remember_token"}
    assert all("; Secure" in c for c in cookies)
    assert "Strict-Transport-Security" in client.get(
        "/healthz", base_url="https://docs.example").headers


def test_plain_http_gets_neither(client, make_user):
    make_user("reader", email="h@example.com", password=PASSWORD)
    response = _sign_in(client, "h@example.com")
    assert "Strict-Transport-Security" not in response.headers
    assert not any("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_forwarded_proto_is_trusted_only_when_configured(tmp_path, database_template):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    plain = make_app(tmp_path / "a", database_template)
    assert "Strict-Transport-Security" not in plain.test_client().get(
        "/healthz", headers=headers).headers
    behind = make_app(tmp_path / "b", database_template, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    seen = {}
    behind.before_request(lambda: seen.update(
        addr=__import__("flask").request.remote_addr) and None)
    response = behind.test_client().get("/healthz", headers=headers)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert seen["addr"] == "203.0.113.9"


def test_signed_in_responses_are_never_stored(app, client, make_user):
    make_user("writer", email="w@example.com", password=PASSWORD)
    anonymous = client.get("/healthz")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    _sign_in(client, "w@example.com")
    for url in ("/api/v1/me", "/write/", "/en/"):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.cache_control
        assert cache.no_store and not cache.public and cache.max_age is None


def test_token_requests_are_never_stored(client, make_user):
    user = make_user("owner", email="o@example.com")
    token = operations.create_token(db.session, user)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.cache_control.no_store


@pytest.fixture
def tokens(make_user):
    made = {}
    for role in ("reader", "writer", "owner"):
        user = make_user(role, email=f"{role}@example.com")
        made[role] = (user, operations.create_token(db.session, user))
    db.session.commit()
    return made


def _get(client, token, url="/api/v1/insights/pages"):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_a_token_has_exactly_its_owners_role(client, tokens):
    assert _get(client, tokens["reader"][1]).status_code == 403
    assert _get(client, tokens["writer"][1]).status_code == 403
    assert _get(client, tokens["owner"][1]).status_code == 200
    assert _get(client, tokens["writer"][1], "/api/v1/me").get_json()["role"] == "writer"


def test_a_token_follows_role_changes_and_revocation(client, tokens):
    owner, token = tokens["owner"]
    operations.change_role(db.session, owner, "reader")
    db.session.commit()
    assert _get(client, token).status_code == 403
    operations.change_role(db.session, owner, "owner")
    db.session.commit()
    assert _get(client, token).status_code == 200
    second = operations.create_token(db.session, owner)
    assert operations.revoke_tokens(db.session, owner) == 2
    db.session.commit()
    assert _get(client, token).status_code == 401 and _get(client, second).status_code == 401
    assert _get(client, tokens["writer"][1], "/api/v1/me").status_code == 200  # others unaffected


def test_signing_out_does_not_revoke_tokens_but_deactivation_refuses_them(app, client, tokens):
    user, token = tokens["writer"]
    operations.revoke_sessions(db.session, user)
    db.session.commit()
    assert _get(client, token, "/api/v1/me").status_code == 200
    operations.set_active(db.session, user, False)
    db.session.commit()
    assert _get(client, token, "/api/v1/me").status_code == 401
