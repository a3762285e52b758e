"""Who may use each view: every route declares a rule, and the server enforces it.

Views are marked with `public` (anyone, signed in or not), `signed_in` (any account), or
`requires(role)` (that role or a higher one). The rule is kept on the view function
(`rule_of`) so tests can walk the app's URL map and fail on a route without a rule.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

RULE_ATTR = "signpost_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"


def _mark(view, rule):
    setattr(view, RULE_ATTR, rule)
    return view


def public(view):
    """Anyone may use this view, signed in or not."""
    return _mark(view, PUBLIC)


def signed_in(view):
    """Any signed-in account (session or bearer token) may use this view."""
    return _mark(login_required(view), SIGNED_IN)


def requires(role):
    """View decorator: signed in with `role` or a higher one (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403, description=f"This needs the {role} role.")
            return view(*args, **kwargs)
        return _mark(wrapper, role)
    return decorator


def rule_of(view):
    """The access rule declared on a view function, or None when it declares none."""
    return getattr(view, RULE_ATTR, None)
