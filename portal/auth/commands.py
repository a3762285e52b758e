"""CLI: create-user, set-password, (de)activate, create-token, revoke-tokens; demo accounts."""
from contextlib import contextmanager

import click

from portal.auth import operations
from portal.auth.models import ROLES
from portal.cli import portal_cli
from portal.extensions import db


@portal_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.option("--password", help="Leave out to be asked for it.")
@click.option("--name", default="")
def create_user_command(email, role, password, name):
    """Create a user account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _account_change():
        user = operations.create_user(db.session, email, role, password, name)
    click.echo(f"Created {user.email} with role {user.role}.")


@contextmanager
def _account_change():
    """Run an account operation: committed when it succeeds, its refusal the command's error."""
    try:
        yield
    except operations.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()


def _existing_user(email):
    user = operations.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    return user


@portal_cli.command("set-password")
@click.argument("email")
@click.option("--password", help="Leave out to be asked for it.")
def set_password_command(email, password):
    """Give EMAIL a new password; signs the account out everywhere (API tokens stay)."""
    user = _existing_user(email)
    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _account_change():
        operations.reset_password(db.session, user, password)
    click.echo(f"New password set for {user.email}; its sessions are signed out.")


@portal_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Stop EMAIL from signing in: sessions end now and its API tokens are refused."""
    _set_active(email, False)


@portal_cli.command("activate")
@click.argument("email")
def activate_command(email):
    """Let a deactivated EMAIL sign in again (with its old password and tokens)."""
    _set_active(email, True)


def _set_active(email, active):
    user = _existing_user(email)
    with _account_change():
        operations.set_active(db.session, user, active)
    click.echo(f"{user.email} is {'active' if active else 'deactivated'}.")


@portal_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="A note to recognise the token by.")
def create_token_command(email, name):
    """Print a new API token for EMAIL (store it: it is shown once)."""
    with _account_change():
        token = operations.create_token(db.session, _existing_user(email), name)
    click.echo(token)


@portal_cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens_command(email):
    """Revoke every API token of EMAIL."""
    with _account_change():
        count = operations.revoke_tokens(db.session, _existing_user(email))
    click.echo(f"Revoked {count} token(s).")


def _demo_accounts(demo, echo):
    if not demo:
        return
    users = operations.create_demo_users(db.session)
    db.session.commit()
    for user in users:
        echo(f"Demo account: {user.email} ({user.role}), password {operations.DEMO_PASSWORD}")
    from portal.tasks.demo import create_demo_collab  # needs the demo accounts and the guide
    tasks = create_demo_collab(db.session)
    db.session.commit()
    if tasks:
        echo(f"Demo tasks: {tasks}, with page comments.")
