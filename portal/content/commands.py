"""CLI: init, import-docs, export-docs."""
import logging
import time
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, table

from portal.cli import portal_cli
from portal.content import operations
from portal.content.source import UnsafePath
from portal.extensions import db

log = logging.getLogger(__name__)


def _languages():
    return list(current_app.config["CONTENT_LANGUAGES"])


def run_import(path, mkdocs=False):
    """Import a docs tree, commit, and return the stats."""
    stats = operations.import_docs(db.session, path, _languages(),
                                   current_app.config["SOURCE_LANGUAGE"], mkdocs=mkdocs)
    db.session.commit()
    from portal.content import events
    events.published(stats.changed_translations)
    return stats


@portal_cli.command("init")
@click.option("--demo/--no-demo", default=False,
              help="On a new, empty database also import Signpost's own guide from docs/ and "
                   "create demo accounts (password signpost-demo) and demo traffic.")
def init_command(demo):
    """Create or upgrade the database and the search index; demo content only with --demo."""
    is_new = _is_empty_instance()
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    from portal import lifecycle
    lifecycle.send(lifecycle.database_ready, echo=click.echo)  # e.g. search checks its index
    if not is_new:
        click.echo("Database is up to date.")
        if demo:
            click.echo("Demo content is only added to a new, empty database; nothing was added.")
        return
    if demo:
        docs = Path(current_app.config["DOCS_PATH"])
        stats = run_import(docs, mkdocs=(docs / "mkdocs.yml").is_file())
        click.echo(f"Imported {stats.pages} pages ({stats.revisions} revisions) from docs/.")
    else:
        click.echo("The database is ready; it has no pages and no accounts yet. Next: flask "
                   "portal create-user EMAIL --role admin, then flask portal import-docs PATH.")
    from portal.content import events
    events.instance_created(demo=demo, echo=click.echo)


def _is_empty_instance():
    """True before the first migration, or while there are neither pages nor accounts."""
    tables = inspect(db.engine).get_table_names()
    if "pages" not in tables or "users" not in tables:
        return True
    return not (db.session.scalar(select(func.count()).select_from(operations.Page))
                or db.session.scalar(select(func.count()).select_from(table("users"))))


@portal_cli.command("import-docs")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--mkdocs", is_flag=True, help="Read page order and sections from mkdocs.yml.")
def import_docs_command(path, mkdocs):
    """Import a tree of <lang>/<slug>.md files."""
    started = time.perf_counter()
    try:
        stats = run_import(path, mkdocs=mkdocs)
    except UnsafePath as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{stats.pages} new pages, {stats.translations} new translations, "
               f"{stats.revisions} new revisions, {stats.unchanged} unchanged "
               f"in {time.perf_counter() - started:.1f}s.")


@portal_cli.command("export-docs")
@click.argument("path", type=click.Path(file_okay=False))
def export_docs_command(path):
    """Write every page back as <lang>/<slug>.md files (and mkdocs.yml navigation)."""
    try:
        count = operations.export_docs(db.session, path)
    except UnsafePath as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Exported {count} files to {path}.")
