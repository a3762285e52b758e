"""Signing out, or a new password, revokes every copy of the old session and remember cookies."""
import re

from portal.auth import operations
from portal.auth.models import User
from portal.extensions import db

PASSWORD = "correct-horse-battery"


def _sign_in(app, email, remember=True):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    return client


def _only_cookie(app, name, value):
    """A new client (another browser) holding nothing but one copied cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_sign_out_revokes_a_copied_remember_cookie_and_session_cookie(app, make_user):
    make_user("reader", email="r@example.com", password=PASSWORD)
    client = _sign_in(app, "r@example.com")
    remember = client.get_cookie("remember_token").value
    session = client.get_cookie("session").value
    assert _only_cookie(app, "remember_token", remember).get("/api/v1/me").status_code == 200
    assert _only_cookie(app, "session", session).get("/api/v1/me").status_code == 200

    assert client.post("/logout").status_code == 303
    assert client.get("/api/v1/me").status_code == 401
    assert _only_cookie(app, "remember_token", remember).get("/api/v1/me").status_code == 401
    assert _only_cookie(app, "session", session).get("/api/v1/me").status_code == 401
    # and signing in again works, with new cookies
    assert _sign_in(app, "r@example.com").get("/api/v1/me").get_json()["email"] == "r@example.com"


def test_a_new_password_revokes_old_sessions(app, make_user):
    user = make_user("reader", email="p@example.com", password=PASSWORD)
    client = _sign_in(app, "p@example.com")
    remember = client.get_cookie("remember_token").value
    operations.reset_password(db.session, user, "another-long-password")
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401
    assert _only_cookie(app, "remember_token", remember).get("/api/v1/me").status_code == 401


def test_sign_in_starts_a_new_session(csrf_app, make_user):
    """Nothing from before sign-in (e.g. its CSRF token) carries over into the signed-in session."""
    make_user("reader", email="n@example.com", password=PASSWORD)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        before = dict(session)
        session["planted"] = "by someone else"
    response = client.post("/login", data={"email": "n@example.com", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before.get("csrf_token")
        assert session["_user_id"] == db.session.scalar(
            db.select(User).where(User.email == "n@example.com")).get_id()
