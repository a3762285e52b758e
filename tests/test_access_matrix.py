"""Every route × method × actor, generated from the app's URL map.

Each view declares who may use it (`portal.auth.access`: `public`, `signed_in`,
`requires(role)`). A route without a rule fails here by name. For the others the server's
answer is checked for every actor: below the rule, an anonymous visitor is sent to /login
(HTML) or gets a 401 JSON error (under /api/), and a signed-in lower role gets 403; at or
above it, the request passes the check (any answer but 401, 403, a login redirect or 500).

Bearer tokens authenticate the JSON API only: on an HTML route a token-only request is an
anonymous one. A new route passes by carrying its decorator; nothing here needs editing.
"""
import tempfile
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import IntegerConverter, PathConverter

from portal import create_app
from portal.auth import operations
from portal.auth.access import PUBLIC, SIGNED_IN, rule_of
from portal.auth.models import ROLES, User
from portal.extensions import db
from portal.i18n import LangConverter
from tests.conftest import make_app

SKIP_ENDPOINTS = {"static"}
METHODS_IGNORED = {"HEAD", "OPTIONS"}
SESSION_ACTORS = ("reader", "writer", "owner", "admin")
TOKEN_ACTORS = ("token:writer", "token:owner")
ACTORS = ("anonymous",) + SESSION_ACTORS + TOKEN_ACTORS


def routes(app):
    """(rule, method) for every route the matrix checks."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - METHODS_IGNORED):
            yield rule, method


def missing_rules(app):
    """Endpoints whose view declares no access rule."""
    return sorted({rule.endpoint for rule, _ in routes(app)
                   if rule_of(app.view_functions[rule.endpoint]) is None})


def sample_url(rule):
    """The rule's path with harmless sample values for its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, LangConverter) or name == "lang":
            values[name] = "en"
        elif isinstance(converter, PathConverter):
            values[name] = "no/such/page"
        elif isinstance(converter, IntegerConverter):
            values[name] = 999999
        else:
            values[name] = "no-such-thing"
    return rule.build(values, append_unknown=False)[1]


def _url_map_app():
    folder = tempfile.mkdtemp(prefix="signpost-matrix-")
    return create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "matrix",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})


_MAP_APP = _url_map_app()
CASES = [(rule.endpoint, rule.rule, method) for rule, method in routes(_MAP_APP)]


def test_every_route_declares_an_access_rule():
    missing = missing_rules(_MAP_APP)
    assert not missing, "Routes without an access rule (add @public, @signed_in or " \
                        "@requires(role) under the route decorator): " + ", ".join(missing)


def test_a_route_without_a_rule_is_named(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.add_url_rule("/forgotten", "forgotten", lambda: "open")
    assert missing_rules(app) == ["forgotten"]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, database_template):
    """One app and one account per role, plus bearer tokens of a writer and an owner."""
    app = make_app(tmp_path_factory.mktemp("matrix"), database_template)
    with app.app_context():
        users, tokens = {}, {}
        for role in SESSION_ACTORS:
            users[role] = operations.create_user(db.session, f"{role}@matrix.example", role,
                                                 "password-123").id
        for role in ("writer", "owner"):
            user = operations.create_user(db.session, f"token-{role}@matrix.example", role)
            tokens[f"token:{role}"] = operations.create_token(db.session, user, "matrix")
        db.session.commit()
        yield app, users, tokens
        db.session.remove()
        db.engine.dispose()


def _request(app, users, tokens, actor, method, url):
    client = app.test_client()  # fresh per request: a POST /logout must not sign the next one out
    headers = {}
    if actor in users:
        with client.session_transaction() as session:
            session["_user_id"] = db.session.get(User, users[actor]).get_id()
            session["_fresh"] = True
    elif actor in tokens:
        headers["Authorization"] = f"Bearer {tokens[actor]}"
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH", "DELETE") else {}
    return client.open(url, method=method, headers=headers, **kwargs)


def expected(rule, actor, url):
    """'pass', 'login' (anonymous below the rule) or 'forbidden' (signed in, role too low)."""
    is_api = url.startswith("/api/")
    if actor.startswith("token:"):
        role = actor.split(":", 1)[1] if is_api else None
    else:
        role = None if actor == "anonymous" else actor
    if rule == PUBLIC:
        return "pass"
    if role is None:
        return "login"
    if rule == SIGNED_IN or ROLES.index(role) >= ROLES.index(rule):
        return "pass"
    return "forbidden"


def check(response, outcome, url):
    """None when the response is what `outcome` asks for, else a description."""
    status = response.status_code
    if outcome == "login":
        if url.startswith("/api/"):
            ok = status == 401 and "error" in (response.get_json(silent=True) or {})
        else:
            ok = status == 302 and urlsplit(response.location).path == "/login"
    elif outcome == "forbidden":
        ok = status == 403
    else:
        login_redirect = status == 302 and urlsplit(response.location or "").path == "/login"
        ok = status not in (401, 403, 500) and not login_redirect
    return None if ok else f"expected {outcome}, got {status} {response.location or ''}".strip()


@pytest.mark.parametrize("endpoint,path,method", CASES, ids=[f"{m} {p}" for _, p, m in CASES])
def test_route_answers_each_actor_by_its_rule(matrix, endpoint, path, method):
    app, users, tokens = matrix
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    declared = rule_of(app.view_functions[endpoint])
    assert declared is not None, f"{endpoint} ({path}) declares no access rule"
    url = sample_url(rule)
    wrong = {}
    for actor in ACTORS:
        response = _request(app, users, tokens, actor, method, url)
        problem = check(response, expected(declared, actor, url), url)
        if problem:
            wrong[actor] = problem
    assert not wrong, f"{method} {url} (rule {declared}): {wrong}"


def test_expectations_follow_the_role_order():
    assert expected("writer", "reader", "/write/") == "forbidden"
    assert expected("writer", "owner", "/write/") == "pass"
    assert expected("writer", "token:owner", "/write/") == "login"
    assert expected("writer", "token:owner", "/api/v1/tasks") == "pass"
    assert expected("admin", "token:owner", "/api/v1/x") == "forbidden"
    assert expected(SIGNED_IN, "anonymous", "/api/v1/me") == "login"
    assert expected(PUBLIC, "anonymous", "/login") == "pass"


API_WRITES = [(e, p, m) for e, p, m in CASES
              if p.startswith("/api/") and m in ("POST", "PUT", "PATCH", "DELETE")]


@pytest.mark.parametrize("endpoint,path,method", API_WRITES,
                         ids=[f"{m} {p}" for _, p, m in API_WRITES])
def test_tokens_write_to_the_json_api_with_csrf_on(matrix, endpoint, path, method):
    """Scripts have no CSRF token: a bearer token must be enough for the JSON API."""
    app, users, tokens = matrix
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    url = sample_url(rule)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for actor in TOKEN_ACTORS:
            response = _request(app, users, tokens, actor, method, url)
            text = response.get_data(as_text=True)
            assert "CSRF" not in text, f"{method} {url} with {actor}: {response.status_code} {text}"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
