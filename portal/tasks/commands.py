"""CLI commands of the tasks area: due-date notifications for every assignee (e.g. from cron)."""
import click

from portal.cli import portal_cli
from portal.extensions import db
from portal.tasks import notifications


@portal_cli.command("notify-due")
def notify_due_command():
    """Create due-soon and overdue notifications now (they are also made when read)."""
    due = notifications.refresh_all_due(db.session)
    db.session.commit()
    click.echo(f"Checked due dates: {due} open task(s) due within 24 hours or overdue.")
