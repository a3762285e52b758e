"""axe-core on every reader-facing page type, in English and Korean, light and dark."""
import pytest

from tests.browser.conftest import make_account, sign_in
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_serious_violations(guide_server, page, axe_check, scheme):
    page.emulate_media(color_scheme=scheme)
    for path in READER_PATHS:
        page.goto(guide_server.url + path)
        axe_check(page)


def test_owner_pages_have_no_serious_violations(guide_server, page, axe_check):
    make_account(guide_server, "owner-a11y@example.com", "owner")
    sign_in(page, guide_server, "owner-a11y@example.com")
    for path in ("/en/docs/getting-started", "/admin/surveys", "/admin/search"):
        page.goto(guide_server.url + path)
        axe_check(page)


def test_account_data_pages_have_no_serious_violations(guide_server, page, axe_check):
    """The own-account page (download, delete) and the admin user page with its data buttons."""
    make_account(guide_server, "admin-a11y@example.com", "admin")
    sign_in(page, guide_server, "admin-a11y@example.com")
    page.goto(guide_server.url + "/account")
    assert "Delete my account" in page.content()
    axe_check(page)
    with guide_server.app.app_context():
        from sqlalchemy import select

        from portal.auth.models import User
        from portal.extensions import db
        uid = db.session.scalar(select(User.id).where(User.email == "admin-a11y@example.com"))
        db.session.remove()
    page.goto(f"{guide_server.url}/admin/users/{uid}")
    assert "delete-confirm" in page.content()
    axe_check(page)


def test_axe_check_catches_a_violation(guide_server, page, axe_check):
    """The check can fail: an image button without a name is a critical violation."""
    page.goto(guide_server.url + "/en/")
    page.evaluate("() => { const b = document.createElement('button');"
                  " b.innerHTML = '<img src=x.png>'; document.querySelector('main').append(b); }")
    with pytest.raises(AssertionError, match="button-name"):
        axe_check(page)
