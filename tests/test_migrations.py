"""The migrations create exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import portal.models  # noqa: F401
from portal.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_migrations_downgrade_to_empty_and_back(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect
    directory = str(__import__("pathlib").Path(__file__).parent.parent / "migrations")
    downgrade(directory=directory, revision="base")
    db.engine.dispose()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory, revision="heads")
    db.engine.dispose()
    assert {"pages", "translations", "revisions", "users"} <= set(inspect(db.engine).get_table_names())
