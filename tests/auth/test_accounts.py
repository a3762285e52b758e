"""Accounts: CLI, login, roles, API tokens."""
import re

from sqlalchemy import select

from portal.auth.models import ApiToken, User
from portal.extensions import db


def test_create_user_and_token_from_cli(runner):
    result = runner.invoke(args=["portal", "create-user", "Ann@Example.com", "--role", "writer",
                                 "--password", "s3cret-passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    assert user.role == "writer" and user.check_password("s3cret-passphrase")
    assert "s3cret-passphrase" not in user.password_hash

    result = runner.invoke(args=["portal", "create-token", "ann@example.com"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("sp_")
    stored = db.session.scalars(select(ApiToken)).all()
    assert len(stored) == 1 and stored[0].token_hash != token


def test_cli_refuses_duplicates_and_unknown_users(runner):
    args = ["portal", "create-user", "a@example.com", "--role", "owner", "--password", "x" * 12]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output
    missing = runner.invoke(args=["portal", "create-token", "nobody@example.com"])
    assert missing.exit_code != 0 and "No user" in missing.output


def test_bearer_token_authenticates_until_revoked(client, runner, make_user):
    make_user("owner", email="owner@example.com")
    token = runner.invoke(args=["portal", "create-token", "owner@example.com"]).output.strip()
    assert client.get("/api/v1/me").status_code == 401
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json["role"] == "owner"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer sp_wrong"})
    assert bad.status_code == 401 and "error" in bad.json
    runner.invoke(args=["portal", "revoke-tokens", "owner@example.com"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_login_and_logout(client, make_user):
    make_user("reader", email="r@example.com", password="correct-horse")
    wrong = client.post("/login", data={"email": "r@example.com", "password": "nope"})
    assert wrong.status_code == 400
    assert "do not match" in wrong.get_data(as_text=True)
    ok = client.post("/login?next=/api/v1/me",
                     data={"email": "R@example.com", "password": "correct-horse"})
    assert ok.status_code == 302 and ok.location.endswith("/api/v1/me")
    assert client.get("/api/v1/me").json["email"] == "r@example.com"
    client.post("/logout")
    assert client.get("/api/v1/me").status_code == 401


def test_login_ignores_offsite_next(client, make_user):
    make_user("reader", email="r@example.com", password="correct-horse")
    ok = client.post("/login?next=//evil.example/x",
                     data={"email": "r@example.com", "password": "correct-horse"})
    assert "evil.example" not in ok.location


def test_login_form_needs_csrf_token(csrf_app):
    client = csrf_app.test_client()
    refused = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', page)


def test_roles_are_ordered(make_user):
    owner = make_user("owner")
    assert owner.has_role("writer") and owner.has_role("owner") and not owner.has_role("admin")
