"""In a real Chromium: an admin manages accounts on the Users page, signs out with the
header's form; repeated failed sign-ins are told when to try again. Every page axe-checked."""
import json
import re
import urllib.request
from tests.browser.conftest import sign_in

DOCS = {"en/index.md": "# Welcome\n\nHello.\n"}
PASSWORD = "password-123"


def _admin(server):
    from portal.auth.operations import create_user
    from portal.extensions import db
    with server.app.app_context():
        create_user(db.session, "admin@example.com", "admin", PASSWORD, "Ada Admin")
        db.session.commit()
        db.session.remove()


def _sign_in(page, server, email, password=PASSWORD):
    sign_in(page, server, email, password)


def test_admin_creates_an_account_changes_its_role_and_issues_a_token(live_server, make_docs,
                                                                       page, axe_check):
    server = live_server(make_docs(DOCS))
    _admin(server)
    _sign_in(page, server, "admin@example.com")
    page.click("nav.account >> text=Users")
    assert page.locator("h1").inner_text() == "Users"
    axe_check(page)

    page.fill("#new-email", "not-an-email")
    page.click("text=Create account")
    assert "is not an email address" in page.locator("#new-email-error").inner_text()
    assert page.get_attribute("#new-email", "aria-invalid") == "true"
    axe_check(page)

    page.fill("#new-email", "wen@example.com")
    page.fill("#new-name", "Wen")
    page.select_option("#new-role", "writer")
    page.fill("#new-password", "a-long-password")
    page.click("text=Create account")
    assert page.locator("h1").inner_text() == "wen@example.com"
    assert "Created the account wen@example.com." in page.locator(".flashes").inner_text()
    axe_check(page)

    page.select_option("#role", "owner")
    page.click("text=Change role")
    assert "now has the role Owner" in page.locator(".flashes").inner_text()

    page.fill("#token-name", "ci")
    page.click("text=Create token")
    token = page.locator(".new-token code").inner_text()
    assert re.fullmatch(r"sp_[\w-]+", token)
    axe_check(page)
    request = urllib.request.Request(f"{server.url}/api/v1/me",  # no session cookie: the token only
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["role"] == "owner"

    page.goto(f"{server.url}/admin/users")
    row = page.locator("tr", has_text="wen@example.com").inner_text()
    assert "Owner" in row and "Active" in row

    page.click("nav.account button:has-text('Sign out')")
    page.wait_for_load_state()
    assert page.locator("nav.account >> text=Sign in").count() == 1
    page.goto(f"{server.url}/admin/users")
    assert "/login" in page.url


def test_failed_sign_ins_say_when_to_try_again(live_server, make_docs, page, axe_check):
    server = live_server(make_docs(DOCS))
    _admin(server)
    for _ in range(4):
        _sign_in(page, server, "admin@example.com", "wrong-password")
        assert "do not match" in page.locator(".flashes").inner_text()
    _sign_in(page, server, "admin@example.com", "wrong-password")
    assert "Try again in 30 seconds." in page.locator("main [role=alert]").inner_text()
    axe_check(page)
    page.goto(f"{server.url}/logout")
    assert page.locator("h1").inner_text() == "Sign out"
    axe_check(page)
