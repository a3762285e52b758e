"""INSERT ... ON CONFLICT for SQLite and PostgreSQL (both speak the same clause)."""
from sqlalchemy.dialects import postgresql, sqlite


def _insert(db_session, model):
    dialect = db_session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def insert_ignore(db_session, model, rows, keys):
    """Insert rows, skipping those whose `keys` already exist."""
    db_session.execute(_insert(db_session, model).on_conflict_do_nothing(index_elements=keys),
                       rows)


def upsert(db_session, model, values, keys, update, increment=None):
    """Insert `values`, or on a `keys` conflict update the `update` columns (and add `increment`)."""
    stmt = _insert(db_session, model).values(**values)
    changes = {c: stmt.excluded[c] for c in update}
    for column, amount in (increment or {}).items():
        changes[column] = getattr(model, column) + amount
    if changes:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changes)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    db_session.execute(stmt)
