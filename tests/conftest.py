"""Shared fixtures: an app on a temporary instance with a fresh, migrated database.

SQLite by default. With SIGNPOST_TEST_POSTGRES set to a server URL, a fresh database is
created for the run, migrated once, and every test starts from empty tables.
"""
import os
import shutil
import uuid

import pytest
from flask import g
from sqlalchemy import create_engine, text

from portal import create_app
from portal.extensions import db
from tests.support import CORPUS, CORPUS_PLACES, ROOT  # noqa: F401 (imported from here by tests)

PG_SERVER = os.environ.get("SIGNPOST_TEST_POSTGRES")


def _migrate(app):
    from flask_migrate import upgrade
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        db.engine.dispose()  # closing the last SQLite connection checkpoints the WAL


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database every test copies (SQLite) or empties (PostgreSQL)."""
    if PG_SERVER:
        name = f"signpost_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_SERVER.rsplit("/", 1)[0] + "/" + name
        _migrate(create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("pg")),
                             "SQLALCHEMY_DATABASE_URI": url}))
        yield {"url": url}
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    _migrate(create_app({"INSTANCE_PATH": str(folder),
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
    yield {"sqlite": path}


def _fresh_database(template, instance):
    if "url" in template:
        engine = create_engine(template["url"])
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"))]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                  + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template["url"]
    target = instance / "signpost.db"
    shutil.copy(template["sqlite"], target)
    return f"sqlite:///{target}"


def make_app(tmp_path, template, **config):
    """An app on a fresh instance folder and database."""
    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    settings = {"INSTANCE_PATH": str(instance), "TESTING": True, "WTF_CSRF_ENABLED": False,
                "SECRET_KEY": "test", "SERVER_NAME": None,
                "SQLALCHEMY_DATABASE_URI": _fresh_database(template, instance)}
    settings.update(config)
    app = create_app(settings)
    # Tests keep one app context open, which Flask reuses for client requests; start each
    # request with an empty `g`, as production does (a fresh app context per request).
    app.url_value_preprocessors.setdefault(None, []).insert(0, lambda endpoint, values: g.__dict__.clear())
    _MADE_APPS.append(app)
    return app


_MADE_APPS = []


@pytest.fixture(autouse=True)
def _one_rate_limit_minute(monkeypatch):
    """Event budgets count per clock minute: a test's requests all fall in one, the middle
    of the current minute, so no test sees its budget renewed halfway (a flake at :00)."""
    import time

    from portal.feedback import ratelimit
    minute = time.time() // ratelimit.WINDOW * ratelimit.WINDOW
    monkeypatch.setattr(ratelimit, "wall_clock", lambda: minute + ratelimit.WINDOW / 2)


@pytest.fixture(autouse=True)
def _close_made_apps():
    """Close the database connections of every app a test made, when the test ends: a
    pooled psycopg connection collected later warns (ResourceWarning) in another test."""
    first = len(_MADE_APPS)
    yield
    made, _MADE_APPS[first:] = _MADE_APPS[first:], []
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(tmp_path, database_template):
    """The application on a temporary instance with an empty, migrated database."""
    app = make_app(tmp_path, database_template)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(tmp_path, database_template):
    """Like `app`, with CSRF protection on (as in production)."""
    app = make_app(tmp_path, database_template, WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_client_as(csrf_app):
    """Factory: a client of `csrf_app` signed in as a new account (email, role)."""
    from portal.auth.operations import create_user

    def sign_in(email, role):
        user = create_user(db.session, email, role, "password-123")
        db.session.commit()
        client = csrf_app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
        return client
    return sign_in


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="writer", email=None, password="pw") -> User."""
    from portal.auth.operations import create_user
    counter = iter(range(1, 10_000))

    def factory(role="writer", email=None, password="password-123", name=""):
        user = create_user(db.session, email or f"user{next(counter)}@example.com", role,
                           password, name)
        db.session.commit()
        return user
    return factory


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new user with `role`; returns the user."""
    def login(role="writer"):
        user = make_user(role)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user
    return login


@pytest.fixture
def make_docs(tmp_path):
    """Factory: write {"en/guide/x.md": "..."} files into a temporary tree; returns its path."""
    def factory(files, name="docs"):
        root = tmp_path / name
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        return root
    return factory


@pytest.fixture
def import_docs(app):
    """Import a docs tree into the app's database and commit."""
    from portal.content.commands import run_import

    def do(path, mkdocs=False):
        return run_import(path, mkdocs=mkdocs)
    return do


@pytest.fixture(scope="session")
def corpus_path():
    """The shared FastAPI docs corpus (../shared next to the project, or SIGNPOST_CORPUS)."""
    if not (CORPUS / "mkdocs.yml").is_file():
        pytest.skip("The shared FastAPI corpus was not found at "
                    + ", ".join(map(str, CORPUS_PLACES)) + " (set SIGNPOST_CORPUS)")
    return CORPUS


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory, database_template, corpus_path):
    """An app with the shared FastAPI corpus imported (shared by a module's tests; read only)."""
    from portal.content.commands import run_import
    app = make_app(tmp_path_factory.mktemp("corpus"), database_template)
    with app.app_context():
        app.extensions["corpus_import"] = run_import(corpus_path, mkdocs=True)
        yield app
        db.session.remove()
        db.engine.dispose()
