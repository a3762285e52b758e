"""`flask portal purge`, `export-account` and `delete-account`."""
import json

import click

from portal.cli import portal_cli


@portal_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(dry_run):
    """Delete raw events and search-log rows older than the retention now (rollups stay)."""
    from portal.extensions import db
    from portal.privacy import purge
    result = purge(db.session, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    cut = result["cutoffs"]
    click.echo(f"events before {cut['events'] or '(kept forever)'}: {verb} {result['events']}")
    click.echo(f"search log before {cut['search_log'] or '(kept forever)'}: {verb} "
               f"{result['search_log']} searches, {result['search_clicks']} clicks")
    if result["kept_dirty_days"]:
        click.echo("kept (not rolled up yet; run `flask portal rollup`): "
                   + ", ".join(result["kept_dirty_days"]))


def _find(email):
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.extensions import db
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with the email {email}.")
    return user


@portal_cli.command("export-account")
@click.argument("email")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
def export_account_command(email, output):
    """Write everything stored about one account as JSON."""
    from portal.extensions import db
    from portal.privacy import export_account
    json.dump(export_account(db.session, _find(email)), output, ensure_ascii=False, indent=2)
    output.write("\n")


@portal_cli.command("delete-account")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_account_command(email, yes):
    """Delete one account and its personal data (comments and task text stay, unattributed)."""
    from portal.extensions import db
    from portal.privacy import LastAdminError, delete_account
    user = _find(email)
    if not yes:
        click.confirm(f"Delete the account {user.email} and its personal data?", abort=True)
    try:
        delete_account(db.session, user)
    except LastAdminError:
        db.session.rollback()
        raise click.ClickException("This is the last active admin: make another user an admin first.")
    click.echo(f"Deleted the account {email}.")


@portal_cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
def backup_command(destination):
    """Copy the SQLite database to DESTINATION with SQLite's online backup API (safe while
    the portal serves). For PostgreSQL use pg_dump."""
    import sqlite3

    from portal.extensions import db
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "flask portal backup copies a SQLite database file; for PostgreSQL run "
            "pg_dump --format=custom (see the operations page of the guide).")
    source = sqlite3.connect(url.database)
    try:
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        source.close()
    if ok != "ok":
        raise click.ClickException(f"The copy failed its integrity check: {ok}")
    click.echo(f"Backed up {url.database} to {destination}.")
