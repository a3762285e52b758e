"""axe-core on every reader-facing page type, in English and Korean, light and dark."""
import pytest

from portal.auth.operations import create_user
from portal.extensions import db
from tests.conftest import ROOT

READER_PATHS = [
    "/en/", "/ko/",
    "/en/docs/getting-started", "/ko/docs/getting-started",
    "/en/docs/searching", "/ko/docs/insights",
    "/en/search?q=install", "/ko/search?q=%EA%B2%80%EC%83%89",
    "/en/search?q=zzzzqqqq", "/en/docs/no/such/page", "/login",
]


@pytest.fixture
def guide_server(live_server):
    return live_server(ROOT / "docs")


def sign_in(page, server, role):
    """Create an account with `role` and sign in through the login form."""
    email = f"{role}-a11y@example.com"
    with server.app.app_context():
        create_user(db.session, email, role, "password-123")
        db.session.commit()
    page.goto(f"{server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "password-123")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_serious_violations(guide_server, page, axe_check, scheme):
    page.emulate_media(color_scheme=scheme)
    for path in READER_PATHS:
        page.goto(guide_server.url + path)
        axe_check(page)


def test_owner_pages_have_no_serious_violations(guide_server, page, axe_check):
    sign_in(page, guide_server, "owner")
    for path in ("/en/docs/getting-started", "/admin/surveys"):
        page.goto(guide_server.url + path)
        axe_check(page)


def test_axe_check_catches_a_violation(guide_server, page, axe_check):
    """The check can fail: an image button without a name is a critical violation."""
    page.goto(guide_server.url + "/en/")
    page.evaluate("() => { const b = document.createElement('button');"
                  " b.innerHTML = '<img src=x.png>'; document.querySelector('main').append(b); }")
    with pytest.raises(AssertionError, match="button-name"):
        axe_check(page)
