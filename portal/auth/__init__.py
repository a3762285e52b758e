"""Accounts, roles, login and API tokens."""


def init_app(app):
    """Subscribe to the app's lifecycle: demo accounts when `init --demo` makes an instance."""
    from portal import lifecycle
    from portal.auth.commands import _demo_accounts
    lifecycle.connect(lifecycle.instance_initialised, _demo_accounts)
