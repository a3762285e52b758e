"""The portal keeps answering while its SQLite database cannot be used.

A database file locked past the busy timeout, on a file system remounted read-only, or on
a full disk: the event and vote APIs answer 503 with Retry-After (never 500), reader pages
already rendered are served from memory, search answers from its index, sign-in answers a
503 page, and the store is intact afterwards. One log line per outage and one per recovery, no tracebacks.
(PostgreSQL stopped mid-traffic under gunicorn: tests/test_outage_postgres.py.)
"""
import logging
import os
import sqlite3
import subprocess
import uuid

import pytest

from portal import database
from portal.extensions import db
from tests.conftest import PG_SERVER, make_app


@pytest.fixture(autouse=True)
def _new_process_health(monkeypatch):
    """Each test's outage is this process's first: no recovery of an earlier test within
    the settle time that would make it continue that one silently."""
    for name in ("down_since", "recovered_at"):
        monkeypatch.setattr(database.health, name, None)
    monkeypatch.setattr(database.health, "quiet", False)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(PG_SERVER), reason="SQLite file outages (this run is "
                                 "on PostgreSQL: tests/test_outage_postgres.py)")]

DOCS = {"en/index.md": "# Welcome\n\nStart here.\n",
        "en/guide/install.md": "# Install\n\nRun the installer.\n",
        "ko/guide/install.md": "# 설치\n\n설치 프로그램을 실행합니다.\n"}
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"}


def _batch(n=3):
    session = uuid.uuid4().hex
    return session, {"session": session, "events": [
        {"type": "page_view", "page": "guide/install", "lang": "en", "ref": "direct"}] * n}


def _app(tmp_path, template, make_docs, instance=None, **config):
    from portal.content.commands import run_import
    app = make_app(tmp_path, template, SQLITE_BUSY_TIMEOUT_MS=100, **config)
    if instance is not None:  # move the fresh database onto the given file system
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        app = make_app(tmp_path, template, SQLITE_BUSY_TIMEOUT_MS=100, INSTANCE_PATH=str(instance),
                       SQLALCHEMY_DATABASE_URI=_copy_db(url, instance), **config)
    with app.app_context():
        run_import(make_docs(DOCS))
        db.session.remove()
    return app


@pytest.fixture
def in_context():
    """Run the test's requests inside the app's context, as the suite's `app` fixture does."""
    held = []

    def enter(app):
        ctx = app.app_context()
        ctx.push()
        held.append(ctx)
        return app
    yield enter
    for ctx in held:
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def _copy_db(url, instance):
    import shutil
    target = os.path.join(instance, "signpost.db")
    shutil.copy(url.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


def _db_path(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def _stored(app, session):
    with sqlite3.connect(_db_path(app)) as conn:
        return conn.execute("SELECT count(*) FROM events WHERE session = ?", (session,)).fetchone()[0]


def _outage_records(caplog):
    down = [r for r in caplog.records if r.getMessage().startswith("Database unavailable")]
    up = [r for r in caplog.records if r.getMessage().startswith("Database available again")]
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    return len(down), len(up), tracebacks


def _check_unavailable(client):
    """What readers, the beacon and would-be writers get while the database is out."""
    session, body = _batch()
    for _ in range(5):
        answer = client.post("/api/v1/events", json=body, headers=UA)
        assert answer.status_code == 503, answer.get_data(as_text=True)
        assert answer.headers["Retry-After"].isdigit()
        assert "retry" in answer.get_json()["error"]
    vote = client.post("/api/v1/feedback", json={"session": session, "page": "guide/install",
                                                  "lang": "en", "helpful": True}, headers=UA)
    assert vote.status_code == 503 and vote.headers["Retry-After"].isdigit()
    page = client.get("/en/docs/guide/install")
    assert page.status_code == 200 and b"Run the installer." in page.data
    korean = client.get("/ko/docs/guide/install")
    assert korean.status_code == 200 and "설치 프로그램을 실행합니다." in korean.get_data(as_text=True)
    found = client.get("/api/v1/search?q=installer&lang=en")  # from the index, not logged
    assert found.status_code == 200, found.get_data(as_text=True)
    assert [hit["slug"] for hit in found.get_json()["results"]] == ["guide/install"]
    results = client.get("/en/search?q=installer")
    assert results.status_code == 200 and b"/en/docs/guide/install" in results.data
    suggested = client.get("/api/v1/search/suggest?q=inst&lang=en")
    assert suggested.status_code == 200
    sign_in = client.post("/login", data={"email": "owner@example.com", "password": "x" * 12},
                          headers={"Accept-Language": "ko"})
    assert sign_in.status_code == 503 and sign_in.headers["Retry-After"].isdigit()
    assert "오류 503" in sign_in.get_data(as_text=True)  # a page in the reader's language
    return session


def test_locked_database_answers_503_and_recovers(tmp_path, database_template, make_docs, caplog,
                                                  in_context):
    app = in_context(_app(tmp_path, database_template, make_docs))
    client = app.test_client()
    caplog.set_level(logging.INFO)
    assert client.get("/en/docs/guide/install").status_code == 200
    assert client.get("/ko/docs/guide/install").status_code == 200
    stored_before, body = _batch()
    assert client.post("/api/v1/events", json=body, headers=UA).status_code == 202

    from portal.auth.operations import create_user
    writer = create_user(db.session, "writer@outage.example", "writer", "password-123")
    db.session.commit()
    writing = app.test_client()
    with writing.session_transaction() as session:
        session["_user_id"] = writer.get_id()
    db.session.remove()

    locker = sqlite3.connect(_db_path(app), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock: a busy database
    try:
        refused = _check_unavailable(client)
        saved = writing.post("/write/pages/en/guide/install/edit", headers={
            "Accept-Language": "ko"}, data={"title": "Install", "markdown": "# Install\n\nNew.\n",
                                            "base_revision": "1", "publish": "Publish"})
        assert saved.status_code == 503 and saved.headers["Retry-After"].isdigit()
        assert "오류 503" in saved.get_data(as_text=True)
        api = writing.put("/api/v1/pages/guide/install?lang=en",
                          json={"markdown": "# Install\n\nNew.\n", "base_revision": 1})
        assert api.status_code == 503 and api.get_json()["error"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    session, body = _batch()
    assert client.post("/api/v1/events", json=body, headers=UA).status_code == 202
    assert _stored(app, session) == 3 and _stored(app, stored_before) == 3
    assert _stored(app, refused) == 0  # refused is not stored: the beacon sends it again
    assert _outage_records(caplog) == (1, 1, [])


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (a real file system that fills up and can be remounted read-only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {exc}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _close_files(app):
    """Close this app's database connections and the ingest lock file, as after a restart."""
    db.session.remove()
    db.engine.dispose()
    state = app.extensions.pop("signpost_ingest", None)
    lock = state and state["write_lock"]
    if getattr(lock, "_fd", None) is not None:
        os.close(lock._fd)


def _integrity(app):
    with sqlite3.connect(_db_path(app)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_read_only_file_system_answers_503_and_recovers(tmp_path, database_template, make_docs,
                                                        small_disk, caplog, in_context):
    app = in_context(_app(tmp_path, database_template, make_docs, instance=small_disk))
    client = app.test_client()
    caplog.set_level(logging.INFO)
    assert client.get("/en/docs/guide/install").status_code == 200
    assert client.get("/ko/docs/guide/install").status_code == 200

    _close_files(app)  # a file system with files open for writing cannot become read-only
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        refused = _check_unavailable(client)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    session, body = _batch()
    assert client.post("/api/v1/events", json=body, headers=UA).status_code == 202
    assert _stored(app, session) == 3 and _stored(app, refused) == 0
    assert _integrity(app) == "ok"
    down, up, tracebacks = _outage_records(caplog)
    assert (down, up, tracebacks) == (1, 1, [])


def test_full_disk_is_a_clear_503_and_the_store_stays_intact(tmp_path, database_template,
                                                            make_docs, small_disk, caplog,
                                                            in_context):
    app = in_context(_app(tmp_path, database_template, make_docs, instance=small_disk,
                          EVENT_RATE_LIMIT=0, EVENT_RATE_LIMIT_PER_ADDRESS=0))
    client = app.test_client()
    caplog.set_level(logging.INFO)
    assert client.get("/en/docs/guide/install").status_code == 200
    acknowledged = []
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:  # fill the disk
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, os.path.getsize(filler) - 8 * 4096))  # but a few pages
    answers = []
    while answers.count(503) < 3 and len(answers) < 200:  # until the disk cannot take more
        session, body = _batch(40)
        answer = client.post("/api/v1/events", json=body, headers=UA)
        answers.append(answer.status_code)
        if answer.status_code == 202:
            acknowledged.append(session)
        else:
            assert answer.status_code == 503, answer.get_data(as_text=True)
            assert "retry" in answer.get_json()["error"]
            assert answer.headers["Retry-After"].isdigit()
    assert 503 in answers
    assert client.get("/en/docs/guide/install").status_code == 200
    os.remove(filler)
    session, body = _batch()
    assert client.post("/api/v1/events", json=body, headers=UA).status_code == 202
    db.engine.dispose()
    assert _integrity(app) == "ok"
    assert all(_stored(app, s) == 40 for s in acknowledged) and _stored(app, session) == 3
    down, up, tracebacks = _outage_records(caplog)
    assert down == 1 and up == 1 and tracebacks == []
