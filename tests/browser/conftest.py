"""Browser tests: a live server in a thread and Debian's Chromium through Playwright.

Locally a missing Chromium skips these tests with the reason; under CI=true it fails.
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal.extensions import db
from tests.conftest import make_app

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
