"""Upgrading a database made by the oldest migration, with data in it, step by step to the
newest: the data reads back through the app's models (SQLite; PostgreSQL with
SIGNPOST_TEST_POSTGRES, as `make test-postgres` runs)."""
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.timeutil import UTCDateTime
from tests.conftest import PG_SERVER

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def _steps():
    config = AlembicConfig()
    config.set_main_option("script_location", MIGRATIONS)
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _table(name, *columns):
    return sa.table(name, *[sa.column(c, t) for c, t in columns])


TABLES = {
    "users": _table("users", ("id", sa.Integer), ("email", sa.String), ("name", sa.String),
                    ("role", sa.String), ("password_hash", sa.String), ("active", sa.Boolean),
                    ("created_at", UTCDateTime())),
    "api_tokens": _table("api_tokens", ("id", sa.Integer), ("user_id", sa.Integer),
                         ("token_hash", sa.String), ("name", sa.String),
                         ("created_at", UTCDateTime())),
    "pages": _table("pages", ("id", sa.Integer), ("slug", sa.String), ("section", sa.String),
                    ("order", sa.Integer), ("created_at", UTCDateTime())),
    "translations": _table("translations", ("id", sa.Integer), ("page_id", sa.Integer),
                           ("lang", sa.String), ("title", sa.String), ("published", sa.Boolean),
                           ("current_revision_id", sa.Integer), ("updated_at", UTCDateTime())),
    "revisions": _table("revisions", ("id", sa.Integer), ("translation_id", sa.Integer),
                        ("number", sa.Integer), ("title", sa.String), ("markdown", sa.Text),
                        ("meta", sa.JSON), ("message", sa.String), ("author_id", sa.Integer),
                        ("created_at", UTCDateTime()), ("source_revision", sa.Integer)),
    "events": _table("events", ("id", sa.Integer), ("received_at", UTCDateTime()),
                     ("day", sa.Date), ("session", sa.String), ("seq", sa.Integer),
                     ("type", sa.String), ("page", sa.String), ("lang", sa.String),
                     ("data", sa.JSON)),
    "page_comments": _table("page_comments", ("id", sa.Integer), ("page_id", sa.Integer),
                            ("lang", sa.String), ("author_id", sa.Integer), ("body", sa.Text),
                            ("status", sa.String), ("created_at", UTCDateTime())),
}


def _insert(conn, table, **values):
    conn.execute(sa.insert(TABLES[table]).values(**values))


def _data_at(revision, conn):
    """Rows written with the schema of `revision` (only the columns that existed then)."""
    if revision == "0001":
        _insert(conn, "users", id=1, email="old@example.com", name="Old Writer", role="writer",
                password_hash="x", active=True, created_at=WHEN)
        _insert(conn, "api_tokens", id=1, user_id=1, token_hash="a" * 64, name="ci",
                created_at=WHEN)
        for pid, slug in ((1, "guide/install"), (2, "guide/use")):
            _insert(conn, "pages", id=pid, slug=slug, section="Guide", order=pid, created_at=WHEN)
            _insert(conn, "translations", id=pid, page_id=pid, lang="en", title=f"T {slug}",
                    published=True, current_revision_id=None, updated_at=WHEN)
            _insert(conn, "revisions", id=pid, translation_id=pid, number=1, title=f"T {slug}",
                    markdown=f"# {slug}\n\n한국어 text é\n", meta={"tags": ["a"]}, message="import",
                    author_id=1, created_at=WHEN, source_revision=None)
            conn.execute(sa.update(TABLES["translations"])
                         .where(TABLES["translations"].c.id == pid).values(current_revision_id=pid))
    elif revision == "0003":
        _insert(conn, "events", id=1, received_at=WHEN, day=WHEN.date(), session="f" * 32, seq=0,
                type="page_view", page="guide/install", lang="en", data={"ref": "direct"})
    elif revision == "0005":
        _insert(conn, "page_comments", id=1, page_id=1, lang="en", author_id=1,
                body="Written before the upgrade", status="visible", created_at=WHEN)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    if not PG_SERVER:
        pytest.skip("SIGNPOST_TEST_POSTGRES is not set")
    name = f"signpost_upgrade_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_the_oldest_migration_keeps_data(empty_database, tmp_path):
    steps = _steps()
    assert steps[0] == "0001" and len(steps) >= 14
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": empty_database, "NODE_SYNC": False})
    with app.app_context():
        for revision in steps:
            upgrade(directory=MIGRATIONS, revision=revision)
            with db.engine.begin() as conn:
                assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == revision
                _data_at(revision, conn)
        db.engine.dispose()

        from portal.auth.models import ApiToken, User
        from portal.comments.models import PageComment
        from portal.content.models import Page
        from portal.feedback.models import Event
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.name, user.role, user.active) == ("old@example.com", "Old Writer",
                                                                   "writer", True)
        assert user.created_at == WHEN
        # Columns added later got their defaults: the old account still signs in and out.
        user.revoke_sessions()
        db.session.commit()
        assert [t.name for t in db.session.scalars(sa.select(ApiToken))] == ["ci"]
        pages = {p.slug: p for p in db.session.scalars(sa.select(Page))}
        assert sorted(pages) == ["guide/install", "guide/use"]
        translation = pages["guide/install"].translations[0]
        revision = translation.current_revision
        assert revision.markdown == "# guide/install\n\n한국어 text é\n"
        assert revision.meta == {"tags": ["a"]} and revision.author.email == "old@example.com"
        assert revision.draft is False
        event = db.session.scalar(sa.select(Event))
        assert (event.day, event.type, event.data, event.at) == (
            date(2025, 3, 4), "page_view", {"ref": "direct"}, None)
        comment = db.session.scalar(sa.select(PageComment))
        assert comment.body == "Written before the upgrade" and comment.author.id == user.id
        # The upgraded database serves the old page.
        response = app.test_client().get("/en/docs/guide/install")
        assert response.status_code == 200 and "한국어 text é" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
