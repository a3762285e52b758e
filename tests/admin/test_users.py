"""Admin users page: list, create, role, status, password, tokens; the last admin stays."""
import re

from sqlalchemy import select

from portal.auth import throttle
from portal.auth.models import ApiToken, User
from portal.extensions import db


def _user(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_list_shows_role_status_last_sign_in_and_created(client, login_as, make_user):
    admin = login_as("admin")
    make_user("writer", email="w@example.com", name="Wendy")
    client.post("/logout")
    signed = client.post("/login", data={"email": "w@example.com", "password": "password-123"})
    assert signed.status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    page = client.get("/admin/users")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "w@example.com" in html and "Wendy" in html
    row = re.search(r"w@example\.com</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "Writer" in row and "Active" in row and "<time" in row and "Never" not in row
    admin_row = re.search(re.escape(admin.email) + r"</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "Never" in admin_row  # signed in by session, not through the form
    assert 'href="/admin/users"' in client.get("/admin/surveys").get_data(as_text=True)


def test_lower_roles_are_refused(client, login_as):
    login_as("owner")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"email": "x@example.com"}).status_code == 403
    assert client.get("/admin/surveys").status_code == 200
    assert 'href="/admin/users"' not in client.get("/admin/surveys").get_data(as_text=True)


def test_create_user_with_and_without_password(client, login_as):
    login_as("admin")
    made = client.post("/admin/users", data={"email": " New@Example.com ", "name": "Nia",
                                             "role": "writer", "password": "long-enough-1"})
    assert made.status_code == 303
    user = _user("new@example.com")
    assert user.role == "writer" and user.name == "Nia" and user.check_password("long-enough-1")
    assert made.location.endswith(f"/admin/users/{user.id}")
    bare = client.post("/admin/users", data={"email": "nopw@example.com", "role": "reader"})
    assert bare.status_code == 303 and _user("nopw@example.com").password_hash is None


def test_create_user_explains_what_is_wrong(client, login_as):
    login_as("admin")
    cases = [({"email": "not-an-email", "role": "reader"}, "is not an email address"),
             ({"email": "a@example.com", "role": "emperor"}, "Choose one of the roles"),
             ({"email": "a@example.com", "role": "reader", "password": "short"},
              "at least 12 characters"),
             ({"email": "a@example.com", "role": "reader", "name": "n" * 121}, "at most 120")]
    for data, message in cases:
        answer = client.post("/admin/users", data=data)
        assert answer.status_code == 422, data
        html = answer.get_data(as_text=True)
        assert message in html and 'aria-invalid="true"' in html
    assert _user("a@example.com") is None
    client.post("/admin/users", data={"email": "a@example.com", "role": "reader"})
    again = client.post("/admin/users", data={"email": "A@example.com", "role": "owner"})
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)


def test_change_role_and_status(client, login_as, make_user):
    login_as("admin")
    user = make_user("reader", email="r@example.com")
    assert client.post(f"/admin/users/{user.id}/role", data={"role": "owner"}).status_code == 303
    assert _user("r@example.com").role == "owner"
    bad = client.post(f"/admin/users/{user.id}/role", data={"role": "root"})
    assert bad.status_code == 422 and _user("r@example.com").role == "owner"
    assert client.post(f"/admin/users/{user.id}/status", data={"active": "0"}).status_code == 303
    assert not _user("r@example.com").active
    other = client.application.test_client()
    refused = other.post("/login", data={"email": "r@example.com", "password": "password-123"})
    assert refused.status_code == 400
    client.post(f"/admin/users/{user.id}/status", data={"active": "1"})
    assert _user("r@example.com").active
    assert client.post("/admin/users/999999/role", data={"role": "owner"}).status_code == 404


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, login_as, make_user):
    admin = login_as("admin")
    for url, data in ((f"/admin/users/{admin.id}/role", {"role": "owner"}),
                      (f"/admin/users/{admin.id}/status", {"active": "0"})):
        answer = client.post(url, data=data)
        assert answer.status_code == 422 and "last active admin" in answer.get_data(as_text=True)
    assert _user(admin.email).role == "admin" and _user(admin.email).active
    second = make_user("admin", email="second@example.com")
    assert client.post(f"/admin/users/{second.id}/status", data={"active": "0"}).status_code == 303
    assert client.post(f"/admin/users/{admin.id}/role", data={"role": "owner"}).status_code == 422
    client.post(f"/admin/users/{second.id}/status", data={"active": "1"})
    assert client.post(f"/admin/users/{admin.id}/role", data={"role": "owner"}).status_code == 303
    assert _user(admin.email).role == "owner"


def test_reset_password_validates_and_lifts_a_lock(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("writer", email="locked@example.com", password="old-password-1")
    key = throttle.account_key(app.config["SECRET_KEY"], "locked@example.com")
    from portal.timeutil import utcnow
    for _ in range(10):
        throttle.record_failure(db.session, [key], utcnow())
    db.session.commit()
    short = client.post(f"/admin/users/{user.id}/password", data={"password": "short"})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/password",
                       data={"password": "brand-new-pass"}).status_code == 303
    assert _user("locked@example.com").check_password("brand-new-pass")
    assert throttle.retry_after(db.session, [key], utcnow()) == 0
    other = app.test_client()
    ok = other.post("/login", data={"email": "locked@example.com", "password": "brand-new-pass"})
    assert ok.status_code == 302


def test_create_token_shown_once_and_revoke(client, login_as, make_user):
    login_as("admin")
    user = make_user("owner", email="o@example.com")
    page = client.post(f"/admin/users/{user.id}/tokens", data={"name": "ci"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = re.search(r"<code>(sp_[^<]+)</code>", page.get_data(as_text=True)).group(1)
    assert client.get(f"/admin/users/{user.id}").get_data(as_text=True).count(token) == 0
    api = client.application.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == "o@example.com"
    revoked = client.post(f"/admin/users/{user.id}/tokens/revoke")
    assert revoked.status_code == 303
    assert "Revoked 1 API token of o@example.com." in client.get(
        revoked.location).get_data(as_text=True)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_admin_forms_need_csrf(csrf_client_as):
    client = csrf_client_as("root@example.com", "admin")
    refused = client.post("/admin/users", data={"email": "x@example.com", "role": "reader"})
    assert refused.status_code == 400 and _user("x@example.com") is None
    page = client.get("/admin/users").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    made = client.post("/admin/users", data={"email": "x@example.com", "role": "reader",
                                             "csrf_token": csrf})
    assert made.status_code == 303
