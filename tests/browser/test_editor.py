"""The editor in a real browser: live preview, publish, history and diff, a stale save refused
without losing the second writer's text, and the translation flagged outdated everywhere."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_account, sign_in
from tests.docs.test_reader import GUIDE

EDIT = "/write/pages/en/guide/install/edit"


@pytest.fixture
def server(live_server, make_docs):
    return live_server(make_docs(GUIDE))


def _second_page(browser):
    context = browser.new_context(locale="en-US")
    return context, context.new_page()


def test_edit_preview_publish_history_diff_and_stale_save(server, page, browser, axe_check):
    context, other = _second_page(browser)
    try:
        _sign_in_role(page, server, "writer")
        _sign_in_as(other, server, "second-writer@example.com")
        other.goto(server.url + EDIT)  # opened before the first writer saves
        expect(other.locator(".preview-body")).to_contain_text("Set things.")

        page.goto(server.url + EDIT)
        expect(page.locator(".preview-pane")).to_be_visible()
        axe_check(page)
        text = page.locator("textarea[name=markdown]")
        text.fill("# Install\n\nIntro.\n\n## Configure\n\nSet **live** things.\n")
        expect(page.locator(".preview-body strong")).to_have_text("live")
        expect(page.locator(".preview-body h2#configure")).to_be_visible()
        page.fill("input[name=message]", "Say what is live")
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("readers now see revision 2")

        page.goto(server.url + "/write/pages/en/guide/install/history")
        axe_check(page)
        expect(page.locator("#revision-2")).to_contain_text("Say what is live")
        page.locator("#revision-2").get_by_role("link", name="Changes").click()
        expect(page.locator("table.diff-unified .diff-add")).to_contain_text("Set **live** things.")
        expect(page.locator("table.diff-unified .diff-del")).to_contain_text("Set things.")
        axe_check(page)
        page.get_by_role("link", name="Side by side").click()
        expect(page.locator("table.diff-split")).to_be_visible()
        axe_check(page)

        mine = "# Install\n\nIntro.\n\n## Configure\n\nThe second writer's words.\n"
        other.locator("textarea[name=markdown]").fill(mine)
        other.get_by_role("button", name="Publish", exact=True).click()
        expect(other.locator(".conflict")).to_contain_text("someone else saved this page first")
        expect(other.locator("textarea[name=markdown]")).to_have_value(mine)
        expect(other.locator(".conflict table.diff .diff-del")).to_contain_text("Set **live** things.")
        expect(other.locator(".conflict table.diff .diff-add")).to_contain_text("second writer's words")
        axe_check(other)
        page.goto(server.url + "/en/docs/guide/install")
        expect(page.locator(".doc-body")).to_contain_text("Set live things.")
    finally:
        context.close()


def test_english_edit_flags_korean_everywhere(server, page, axe_check):
    _sign_in_role(page, server, "writer")
    page.goto(server.url + EDIT)
    page.locator("textarea[name=markdown]").fill(GUIDE["en/guide/install.md"] + "\nA new step.\n")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("revision 2")

    page.goto(server.url + "/ko/docs/guide/install")
    expect(page.locator(".notice-outdated")).to_be_visible()
    page.goto(server.url + "/write/?lang=ko&status=outdated")
    expect(page.locator(".pages-table tbody tr")).to_have_count(1)
    expect(page.locator(".pages-table tbody tr .badge-outdated")).to_be_visible()
    axe_check(page)
    api = page.request.get(server.url + "/api/v1/pages/guide/install?lang=ko").json()
    assert api["outdated"] is True

    page.goto(server.url + "/write/pages/ko/guide/install/translate")
    expect(page.locator(".translate-source .diff-add", has_text="A new step.")).to_be_visible()
    axe_check(page)
    page.locator(".translate-target textarea[name=markdown]").fill(
        GUIDE["ko/guide/install.md"] + "\n새 단계.\n")
    page.get_by_label("This translation is brought up to date with English revision 2").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("revision 2")
    page.goto(server.url + "/ko/docs/guide/install")
    expect(page.locator(".doc-body")).to_contain_text("새 단계.")
    expect(page.locator(".notice-outdated")).to_have_count(0)
    assert page.request.get(server.url + "/api/v1/pages/guide/install?lang=ko").json()[
        "outdated"] is False


def test_preview_tells_which_images_have_no_alt_text(server, page, axe_check):
    _sign_in_role(page, server, "writer")
    page.goto(server.url + EDIT)
    notice = page.locator(".preview-pane .alt-notice[role=status]")
    expect(notice).to_be_empty()
    page.locator("textarea[name=markdown]").fill(
        '# Install\n\n![](a.png)\n\n![A cat](b.png)\n\n<img src="c.png">\n\n'
        '<img src="d.png" alt="">\n')
    expect(notice.locator("li")).to_have_text(["a.png", "c.png"])
    expect(notice).to_contain_text("have no text alternative")
    axe_check(page, ".alt-notice")
    page.locator("textarea[name=markdown]").fill("# Install\n\n![A cat](b.png)\n")
    expect(notice.locator("li")).to_have_count(0)


def _sign_in_role(page, server, role):
    email = f"{role}-editor@example.com"
    make_account(server, email, role)
    sign_in(page, server, email)


def _sign_in_as(page, server, email):
    make_account(server, email, "writer")
    sign_in(page, server, email)


@pytest.mark.parametrize("locale, scheme", [("ko-KR", "light"), ("en-US", "dark")])
def test_other_write_pages_pass_axe(server, browser, axe_check, locale, scheme):
    context = browser.new_context(locale=locale, color_scheme=scheme)
    page = context.new_page()
    try:
        _sign_in_role(page, server, "writer")
        for path in ("/write/", "/write/new", "/write/pages/en/guide/install/move",
                     "/write/pages/ko/guide/only-english/translate",
                     "/write/pages/ko/guide/install/edit",
                     "/write/pages/en/guide/install/diff?from=1&to=1&view=split"):
            page.goto(server.url + path)
            axe_check(page)
        # A failed create keeps the form and names the problem next to the field.
        page.goto(server.url + "/write/new")
        page.fill("input[name=slug]", "../bad")
        page.fill("input[name=title]", "Bad")
        page.locator("input[name=publish]").click()
        expect(page.locator(".field-error")).to_be_visible()
        axe_check(page)
    finally:
        context.close()
