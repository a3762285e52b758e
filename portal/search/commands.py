"""CLI commands of the search area."""
import time

import click

from portal.cli import portal_cli
from portal.extensions import db
from portal.search import index


@portal_cli.command("reindex")
def reindex_command():
    """Rebuild the search index of every language from the published pages."""
    started = time.perf_counter()
    counts = index.rebuild(db.session)
    summary = ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items()))
    click.echo(f"Indexed {sum(counts.values())} pages ({summary}) "
               f"in {time.perf_counter() - started:.1f}s.")
