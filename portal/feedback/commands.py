"""CLI commands of the feedback area: rollup and demo traffic."""
from datetime import date

import click

from portal.cli import portal_cli
from portal.extensions import db
from portal.feedback import demo, rollup


@portal_cli.command("rollup")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default today).")
def rollup_command(first, last):
    """Rebuild the daily rollups for a day range (default: days with new events)."""
    if first is None and last is None:
        days = rollup.refresh_dirty(db.session)
        db.session.commit()
        click.echo(f"Rolled up {len(days)} day(s) with new events.")
        return
    last = last.date() if last else date.today()
    first = first.date() if first else last
    if first > last:
        raise click.BadParameter("--from must not be after --to.")
    from flask import current_app
    from portal.privacy import cutoffs
    kept_from = cutoffs(current_app.config)["events"]
    if kept_from is not None and first < kept_from:
        # Raw events before the retention cut may have been purged: rebuilding those days
        # from what is left would replace their reports with zeros.
        click.echo(f"Days before {kept_from} are past EVENT_RETENTION_DAYS; their rollups are "
                   "kept as they are.")
        first = kept_from
        if first > last:
            return
    rows = rollup.rollup_range(db.session, first, last)
    db.session.commit()
    click.echo(f"Rolled up {(last - first).days + 1} day(s) from {first} to {last}: {rows} rows.")


@portal_cli.command("demo-traffic")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 365))
@click.option("--sessions", default=400, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--seed", default=7, show_default=True, type=int)
def demo_traffic_command(days, sessions, seed):
    """Generate realistic reader traffic (with designed problems) through the ingest code."""
    stats = demo.generate(db.session, days=days, sessions=sessions, seed=seed)
    db.session.commit()
    click.echo(f"Generated {stats['sessions']} sessions with {stats['events']} events "
               f"over {days} days.")


def _demo_on_new_instance(demo, echo):
    if not demo:
        return
    from portal.feedback import demo as demo_traffic
    stats = demo_traffic.generate(db.session, days=14, sessions=400)
    db.session.commit()
    echo(f"Demo traffic: {stats['sessions']} sessions, {stats['events']} events.")


