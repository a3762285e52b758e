"""Browser tests: a live server in a thread and Debian's Chromium through Playwright.

Locally a missing Chromium skips these tests with the reason; under CI=true it fails.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from tests.conftest import ROOT, make_app

CHROMIUM = os.environ.get("SIGNPOST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the session."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " — browser tests are required under CI")
        print(f"\nSKIPPING browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """A running portal: `url` is its base address, `app` its application."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(tmp_path, database_template):
    """Factory: live_server(docs_path=None, **config) -> LiveServer with those docs imported."""
    servers = []

    def start(docs_path=None, mkdocs=False, **config):
        app = make_app(tmp_path / f"live{len(servers)}", database_template,
                       WTF_CSRF_ENABLED=True, **config)
        with app.app_context():
            if docs_path is not None:
                from portal.content.commands import run_import
                run_import(docs_path, mkdocs=mkdocs)
            db.session.remove()
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        with server.app.app_context():
            db.engine.dispose()


@pytest.fixture
def page(browser):
    """A fresh browser context and page per test (no shared storage)."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()


AXE_PLACES = [Path(p) for p in (os.environ.get("SIGNPOST_AXE"),
                                ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js") if p]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script (the npm package, installed by `make test` into .cache/axe)."""
    path = next((p for p in AXE_PLACES if p.is_file()), None)
    if path is None:
        reason = ("axe-core not found (make test installs it: npm install --prefix .cache/axe "
                  "axe-core)")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " — accessibility checks are required under CI")
        print(f"\nSKIPPING accessibility checks: {reason}")
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source):
    """axe_check(page, context=None): fail on serious or critical WCAG 2 A/AA violations.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not apply to, so the page under test keeps its real CSP.
    """
    def check(page, context=None):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            "([context, tags]) => axe.run(context || document, "
            "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            [context, AXE_TAGS])
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        details = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in bad)
        assert not bad, f"axe found serious/critical WCAG 2 AA violations on {page.url}:\n{details}"
        return result["violations"]
    return check


PASSWORD = "password-123"


def make_account(server, email, role="writer", password=PASSWORD):
    """Create an account in a live server's database."""
    from portal.auth.operations import create_user
    with server.app.app_context():
        create_user(db.session, email, role, password)
        db.session.commit()
        db.session.remove()


def sign_in(page, server, email, password=PASSWORD):
    """Sign in through the login form, as a person would."""
    page.goto(f"{server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#submit")
    page.wait_for_load_state()
