"""Anonymous reader pages from prepared bytes: headers, 304s, what is shared, invalidation."""
import re
from email.utils import formatdate

import pytest
from sqlalchemy import select

from portal import pagecache
from portal.content.models import Page, Translation
from portal.extensions import db

GUIDE = {
    "en/index.md": "---\ntitle: Welcome\n---\n# Welcome\n\nStart here.\n",
    "en/guide/install.md": "# Install\n\nOriginal install text.\n",
    "en/guide/other.md": "# Other\n\nAnother page.\n",
    "ko/guide/install.md": "# 설치\n\n소개.\n",
}
URL = "/en/docs/guide/install"


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


def store(app):
    """The app's page store (the middleware keeps it in app.extensions)."""
    return app.extensions["signpost_page_cache"].store


def stored_bodies(app):
    return [entry.body.decode() for entry in store(app)._data.values()]


def publish(slug, lang, markdown):
    """Save and publish a new revision as the writers' workspace does."""
    from portal.content import editing
    translation = db.session.scalars(select(Translation).join(Page).where(
        Page.slug == slug, Translation.lang == lang)).one()
    editing.save(db.session, translation, editing.Edit(markdown=markdown, title=translation.title),
                 None, "en")
    db.session.commit()


def test_anonymous_page_carries_validators_and_public_cache_control(app, client, guide):
    first = client.get(URL)
    assert first.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])  # strong: no W/
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=%d" % app.config["PAGE_CACHE_MAX_AGE"]
    assert "Cookie" not in first.headers.get("Vary", "")
    assert "Set-Cookie" not in first.headers
    assert "Sign in" in first.get_data(as_text=True)
    second = client.get(URL)  # served from the store, without Flask
    assert second.get_data() == first.get_data()
    assert sorted(second.headers.items()) == sorted(first.headers.items())
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_matching_etag_or_date_gets_304_and_others_the_page(client, guide):
    page = client.get(URL)
    etag, modified = page.headers["ETag"], page.headers["Last-Modified"]
    not_modified = client.get(URL, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == etag
    assert not_modified.headers["Cache-Control"] == page.headers["Cache-Control"]
    assert client.get(URL, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(URL, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = formatdate(0, usegmt=True)
    assert client.get(URL, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match decides when both are sent.
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(URL, headers=both).status_code == 200
    head = client.head(URL)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == page.headers["Content-Length"]


def test_signed_in_pages_carry_their_own_account_menu_and_are_private(csrf_app, guide):
    from portal.auth.operations import create_user
    owner = create_user(db.session, "olivia@example.com", "owner", "password-123", "Olivia")
    writer = create_user(db.session, "walter@example.com", "writer", "password-123", "Walter")
    db.session.commit()
    anonymous = csrf_app.test_client()
    shared = anonymous.get(URL).get_data(as_text=True)  # the anonymous page is stored first
    pages, tokens = {}, {}
    for user in (owner, writer):
        client = csrf_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        response = client.get(URL)
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers
        html = response.get_data(as_text=True)
        assert "Sign out" in html and "Sign in</a>" not in html
        pages[user.email] = html
        tokens[user.email] = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert 'href="/insights/"' in pages["olivia@example.com"]
    assert 'href="/insights/"' not in pages["walter@example.com"]
    assert tokens["olivia@example.com"] != tokens["walter@example.com"]
    again = anonymous.get(URL).get_data(as_text=True)
    assert again == shared and "Sign out" not in again
    for body in stored_bodies(csrf_app):
        assert "csrf_token" not in body and "Sign out" not in body
        for email, token in tokens.items():
            assert token not in body and email not in body
        assert "Olivia" not in body and "Walter" not in body


def test_session_without_a_user_still_gets_the_shared_page(csrf_app, guide):
    client = csrf_app.test_client()
    client.get("/login")  # puts a CSRF token in the session
    assert any(c.key == "session" for c in client._cookies.values())
    page = client.get(URL)
    assert page.headers["Cache-Control"].startswith("public")
    assert "Cookie" not in page.headers.get("Vary", "")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Only for this reader")]
    flashed = client.get(URL)
    assert flashed.headers["Cache-Control"] == "private, no-store"
    assert "Only for this reader" in flashed.get_data(as_text=True)
    assert all("Only for this reader" not in b for b in stored_bodies(csrf_app))


def test_publishing_gives_new_text_and_new_etag(client, guide):
    before = client.get(URL)
    publish("guide/install", "en", "# Install\n\nRewritten install text.\n")
    after = client.get(URL)
    assert "Rewritten install text." in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get(URL, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_a_change_elsewhere_keeps_the_etag_of_pages_it_does_not_touch(client, guide):
    before = client.get("/ko/docs/guide/install").headers["ETag"]
    publish("guide/other", "en", "# Other\n\nNew body, same title.\n")
    assert client.get("/ko/docs/guide/install").headers["ETag"] == before


def test_translation_change_updates_the_outdated_notice(client, guide):
    before = client.get("/ko/docs/guide/install").get_data(as_text=True)
    assert "notice-outdated" not in before
    publish("guide/install", "en", "# Install\n\nThe source changed.\n")
    after = client.get("/ko/docs/guide/install").get_data(as_text=True)
    assert "notice-outdated" in after


def test_navigation_change_invalidates_every_page(client, guide):
    def nav_order(html):
        sidebar = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
        return sidebar.index("Other") < sidebar.index("Install")
    assert not nav_order(client.get(URL).get_data(as_text=True))
    pages = {p.slug: p for p in db.session.scalars(select(Page))}
    pages["guide/other"].order, pages["guide/install"].order = -2, 5
    db.session.commit()  # only pages' order: the translations' columns do not change
    assert nav_order(client.get(URL).get_data(as_text=True))


def test_new_comment_invalidates_its_page(client, guide, make_user):
    from portal.comments import operations
    client.get(URL)
    author = make_user("reader", name="Commenter")
    page = db.session.scalars(select(Page).where(Page.slug == "guide/install")).one()
    operations.add_comment(db.session, page, "en", author, "A reader's remark")
    db.session.commit()
    assert "A reader&#39;s remark" in client.get(URL).get_data(as_text=True)


def test_switching_a_survey_on_invalidates_pages(client, guide):
    from portal.feedback.surveys import update_setting
    assert 'id="survey-config"' not in client.get(URL).get_data(as_text=True)
    update_setting(db.session, "ces", True, 1.0)
    db.session.commit()
    assert 'id="survey-config"' in client.get(URL).get_data(as_text=True)


def test_first_request_a_head_stores_the_page_for_the_next_get(app, client, guide):
    head = client.head(URL)
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"]
    page = client.get(URL)
    assert page.headers["ETag"] == head.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(page.get_data()) > 0
    assert len(stored_bodies(app)) == 1


def test_ui_catalog_change_invalidates_pages_of_that_language(tmp_path, database_template,
                                                              make_docs):
    import shutil

    from babel.messages.mofile import read_mo, write_mo
    from portal.content.commands import run_import
    from tests.conftest import ROOT, make_app
    catalogs = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", catalogs)
    app = make_app(tmp_path, database_template, BABEL_TRANSLATION_DIRECTORIES=str(catalogs))
    with app.app_context():
        run_import(make_docs(GUIDE))
        client = app.test_client()
        url = "/ko/docs/guide/install"
        before = client.get(url)
        assert "NEW-CONTENTS-LABEL" not in before.get_data(as_text=True)
        mo = catalogs / "ko" / "LC_MESSAGES" / "messages.mo"
        with open(mo, "rb") as fh:
            catalog = read_mo(fh)
        catalog["Skip to content"].string = "NEW-CONTENTS-LABEL"
        with open(mo, "wb") as fh:
            write_mo(fh, catalog)
        after = client.get(url)
        assert "NEW-CONTENTS-LABEL" in after.get_data(as_text=True)
        assert after.headers["ETag"] != before.headers["ETag"]
        english = client.get(URL)
        assert "NEW-CONTENTS-LABEL" not in english.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_ui_language_from_accept_language_varies_on_it(client, guide):
    korean = client.get("/es/docs/guide/install", headers={"Accept-Language": "ko"})
    english = client.get("/es/docs/guide/install", headers={"Accept-Language": "en"})
    assert korean.headers["Vary"] == "Accept-Language"
    assert korean.get_data() != english.get_data()
    assert "Vary" not in client.get(URL).headers


def test_pages_with_a_query_string_are_not_shared(client, guide):
    response = client.get(URL + "?feedback=thanks")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_bump_changes_the_stamp(app):
    first = pagecache.current(app)
    pagecache.bump(app, "test")
    assert pagecache.current(app) != first
    assert pagecache.changed_at(app) > 0


def _serve(app, workers, worker="gthread", log=None):
    """A gunicorn of `workers` processes on the app's instance folder and database.

    `worker` "gthread": `-k gthread` with 2 threads each; "default": plain `gunicorn
    wsgi:app` with the settings file's worker (the asyncio one) and 2 threads each. `log`:
    a file for gunicorn's info-level log.
    """
    import os
    import subprocess
    import sys

    import time

    from tests.conftest import ROOT
    from tests.support import free_port
    port = free_port()
    env = dict(os.environ, SIGNPOST_INSTANCE_PATH=app.instance_path, SIGNPOST_SECRET_KEY="test",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], GUNICORN_THREADS="2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", str(workers),
         *(["--worker-class", "gthread"] if worker == "gthread" else []),
         "--bind", f"127.0.0.1:{port}", "--log-level", "info" if log else "warning",
         "wsgi:app"],
        cwd=ROOT, env=env, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if _fetch(port, "/healthz")[0] == 200:
                return proc, port
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.2)


def _fetch(port, path, headers=None):
    """One GET on a new connection (so the workers take turns accepting them)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.mark.slow
def test_an_edit_reaches_every_worker_of_every_process(app, guide):
    """Two gunicorns (2 workers and 1) on one instance folder: after a publish through a
    third process (this test), every answer has the new text and the new ETag."""
    servers = [_serve(app, 2), _serve(app, 1)]
    try:
        old = {}
        for _, port in servers:
            etags = set()
            for _ in range(12):
                status, headers, body = _fetch(port, URL)
                assert status == 200 and "Original install text." in body
                etags.add(headers["ETag"])
            assert len(etags) == 1  # the same bytes, the same ETag, in every worker
            old[port] = etags.pop()  # (each server its own: absolute hreflang URLs name the port)
        publish("guide/install", "en", "# Install\n\nEdited in another process.\n")
        for _, port in servers:
            for _ in range(12):
                status, headers, body = _fetch(port, URL, {"If-None-Match": old[port]})
                assert status == 200, "a worker answered 304 to the old ETag"
                assert "Edited in another process." in body
                assert headers["ETag"] != old[port]
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=30)


def test_during_an_outage_a_changed_page_is_served_from_its_last_cached_copy(
        app, client, guide, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from portal.docs import views
    before = client.get(URL)
    assert before.status_code == 200 and b"Original install text." in before.data
    pagecache.bump(app, "a change the worker cannot render while the database is out")

    def unavailable(*args, **kwargs):
        raise PoolTimeout("no connection came free")
    monkeypatch.setattr(views.queries, "get_page_view", unavailable)
    during = client.get(URL)
    assert during.status_code == 200 and during.data == before.data
    assert during.headers["Cache-Control"] == "no-store"
    other = client.get("/en/docs/guide/other")  # never rendered by this worker: no copy
    assert other.status_code == 503 and other.headers["Retry-After"].isdigit()


def test_readers_arriving_together_at_a_stale_page_wait_for_one_render(app, guide):
    """After a publish, concurrent anonymous requests for the page render it once; the
    others send what that render stored (the same bytes and ETag)."""
    import threading
    import time

    from werkzeug.test import EnvironBuilder
    fast = app.extensions["signpost_page_cache"]
    inner, renders = fast.wsgi_app, []

    def slow_flask(environ, start_response):
        renders.append(environ["PATH_INFO"])
        time.sleep(0.3)  # long enough for every reader below to arrive meanwhile
        return inner(environ, start_response)
    fast.wsgi_app = slow_flask
    answers = []

    def read():
        environ = EnvironBuilder(path=URL, base_url="http://localhost").get_environ()
        got = []
        body = b"".join(fast(environ, lambda status, headers, exc_info=None: got.append(
            (status, dict(headers)))))
        answers.append((got[0][0], got[0][1]["ETag"], body))
    readers = [threading.Thread(target=read) for _ in range(8)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(10)
    assert renders == [URL]
    assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][0] == "200 OK"
    pagecache.bump(app, "a publish")  # stale again: the next reader renders it once more
    read()
    assert renders == [URL, URL]
