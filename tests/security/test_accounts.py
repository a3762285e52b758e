"""Account rules from the security review: equal work at sign-in, password length, one email rule."""
import pytest
from sqlalchemy import select

from portal.auth import models, operations
from portal.auth.models import User
from portal.extensions import db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts password-hash checks (each costs the same: the scrypt work is the timing)."""
    calls = []
    real = models.check_password_hash

    def counting(password_hash, password):
        calls.append(password_hash.split("$", 1)[0])
        return real(password_hash, password)
    monkeypatch.setattr(models, "check_password_hash", counting)
    return calls


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_sign_in_checks_one_hash_whether_the_account_exists_or_not(client, make_user, hash_checks):
    make_user("reader", email="known@example.com", password=PASSWORD)
    off = make_user("reader", email="off@example.com", password=PASSWORD)
    operations.set_active(db.session, off, False)
    db.session.add(User(email="nopass@example.com", role="reader"))
    db.session.commit()
    methods = {}
    for email, password in [("known@example.com", "wrong-password-1"),
                            ("unknown@example.com", "wrong-password-1"),
                            ("off@example.com", PASSWORD), ("nopass@example.com", PASSWORD),
                            ("known@example.com", PASSWORD)]:
        hash_checks.clear()
        _sign_in(client, email, password)
        assert len(hash_checks) == 1, email
        methods[email] = hash_checks[0]
    assert len(set(methods.values())) == 1  # the same hashing method (and cost) every time


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("reader", email="off@example.com", password=PASSWORD)
    operations.set_active(db.session, user, False)
    db.session.commit()
    assert _sign_in(client, "off@example.com").status_code == 400


@pytest.mark.parametrize("password", ["x", "short-pw", "eleven-char"])
def test_short_passwords_are_refused_everywhere(runner, make_user, password):
    result = runner.invoke(args=["portal", "create-user", "s@example.com", "--password", password])
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert db.session.scalar(select(User).where(User.email == "s@example.com")) is None
    user = make_user("reader", email="t@example.com", password=PASSWORD)
    with pytest.raises(operations.AccountError):
        operations.reset_password(db.session, user, password)
    result = runner.invoke(args=["portal", "set-password", "t@example.com", "--password", password])
    assert result.exit_code != 0 and "at least 12 characters" in result.output


def test_cli_sets_a_password_and_deactivates_an_account(app, runner, make_user):
    make_user("reader", email="c@example.com", password=PASSWORD)
    client = app.test_client()
    assert _sign_in(client, "c@example.com").status_code == 302
    result = runner.invoke(args=["portal", "set-password", "c@example.com",
                                 "--password", "a-brand-new-passphrase"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me").status_code == 401  # the old session is signed out
    assert _sign_in(app.test_client(), "c@example.com").status_code == 400
    assert _sign_in(client, "c@example.com", "a-brand-new-passphrase").status_code == 302

    token = runner.invoke(args=["portal", "create-token", "c@example.com"]).output.strip()
    result = runner.invoke(args=["portal", "deactivate", "c@example.com"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401
    assert _sign_in(app.test_client(), "c@example.com", "a-brand-new-passphrase").status_code == 400
    result = runner.invoke(args=["portal", "activate", "c@example.com"])
    assert result.exit_code == 0, result.output
    assert _sign_in(app.test_client(), "c@example.com", "a-brand-new-passphrase").status_code == 302
    missing = runner.invoke(args=["portal", "deactivate", "nobody@example.com"])
    assert missing.exit_code != 0 and "No user" in missing.output


@pytest.mark.parametrize("email", ["dev@team.test", "ops@corp.local", "Mixed@Example.COM"])
def test_an_account_the_cli_makes_can_sign_in_through_the_form(app, runner, email):
    result = runner.invoke(args=["portal", "create-user", email, "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert _sign_in(app.test_client(), email).status_code == 302


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "two@@example.com", "sp ace@example.com",
                                   "a@-dash.example"])
def test_the_cli_and_the_form_refuse_the_same_addresses(client, runner, email):
    result = runner.invoke(args=["portal", "create-user", email, "--password", PASSWORD])
    assert result.exit_code != 0 and "not an email address" in result.output
    page = _sign_in(client, email)
    assert page.status_code == 400 and "name@example.com" in page.get_data(as_text=True)
