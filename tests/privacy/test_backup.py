"""`flask portal backup`: an online copy of the SQLite database that opens and holds the data."""
import sqlite3

import pytest

from portal.extensions import db


def test_backup_copies_the_live_database(app, runner, make_user, tmp_path):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite only")
    make_user("writer", email="kept@example.com")
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["portal", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT email FROM users").fetchall() == [("kept@example.com",)]
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_backup_refuses_postgresql_with_advice(app, runner, tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url
    monkeypatch.setattr(db.engine, "url", make_url("postgresql://x@localhost/signpost"))
    result = runner.invoke(args=["portal", "backup", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output
