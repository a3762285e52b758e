"""The OpenAPI document at /api/v1/openapi.json: in sync with the URL map, and fuzzed.

schemathesis generates requests for every operation from the document (property-based,
through the WSGI app, without a token and with an admin's bearer token) and checks that no
answer is a 500 and every answer matches the document (status, content type, schema).
"""
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from portal.apispec.spec import document
from portal.config import Config
from portal.extensions import db
from tests.conftest import make_app

DOCS = {"en/index.md": "# Welcome\n\nStart with [Install](guide/install.md).\n",
        "en/guide/install.md": "# Install\n\nRun the installer.\n\n## Configure { #configure }\n\nSet the port.\n",
        "ko/guide/install.md": "# 설치\n\n설치 프로그램을 실행합니다.\n"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]


def _openapi_path(rule):
    """`/api/v1/pages/<path:slug>` -> `/api/v1/pages/{slug}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _documented(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    return doc, {(path, method.upper()) for path, item in doc["paths"].items()
                 for method in item if method.upper() in METHODS}


def _routed(app):
    return {(_openapi_path(rule.rule), method) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") for method in rule.methods & METHODS}


def test_every_api_route_is_documented_and_every_documented_path_exists(app):
    doc, documented = _documented(app)
    assert doc["openapi"].startswith("3.1")
    routed = _routed(app)
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations the app does not route"


def test_documented_access_matches_the_routes_rules(app):
    from portal.auth.access import rule_of
    doc, _ = _documented(app)
    rules = {(_openapi_path(r.rule), m): rule_of(app.view_functions[r.endpoint])
             for r in app.url_map.iter_rules() for m in r.methods & METHODS}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert operation["x-access"] == rules[(path, method.upper())], (path, method)
            assert ("security" in operation) == (operation["x-access"] != "public"), (path, method)


def test_the_guide_links_the_document():
    from tests.conftest import ROOT
    for lang in ("en", "ko"):
        assert "/api/v1/openapi.json" in (ROOT / "docs" / lang / "api.md").read_text("utf-8")


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, database_template):
    """An app with a few pages, a comment, a task and an admin's token (shared by the run)."""
    from portal.auth import operations
    from portal.content.commands import run_import
    folder = tmp_path_factory.mktemp("openapi")
    docs = folder / "docs"
    for rel, text in DOCS.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    app = make_app(folder, database_template, EVENT_RATE_LIMIT=0,
                   EVENT_RATE_LIMIT_PER_ADDRESS=0, COMMENT_RATE_LIMIT=0)
    with app.app_context():
        run_import(docs)
        admin = operations.create_user(db.session, "admin@fuzz.example", "admin", "password-123")
        app.config["FUZZ_TOKEN"] = operations.create_token(db.session, admin, "fuzz")
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {app.config['FUZZ_TOKEN']}"}
        client.post("/api/v1/pages/guide/install/comments?lang=en", json={"body": "Which port?"},
                    headers=headers)
        client.post("/api/v1/tasks", json={"title": "Explain the port", "page": "guide/install",
                                           "lang": "en"}, headers=headers)
        db.session.remove()
        yield app  # requests run inside this context, as the suite's `app` fixture does
        db.session.remove()
        db.engine.dispose()


# Loaded at collection from the same data the app serves (schemathesis' lazy fixture loader
# does not work with this pytest); `fuzzed_app` points it at the app.
schema = schemathesis.openapi.from_dict(document({"CONTENT_LANGUAGES": Config.CONTENT_LANGUAGES,
                                                  "SITE_NAME": Config.SITE_NAME}))
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def test_the_fuzzed_document_is_the_served_one(app):
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served["paths"] == schema.raw_schema["paths"]


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_api_without_a_token(case, fuzzed_app):
    case.call_and_validate(app=fuzzed_app, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_api_with_an_admin_token(case, fuzzed_app):
    case.call_and_validate(app=fuzzed_app, checks=CHECKS, headers={
        "Authorization": f"Bearer {fuzzed_app.config['FUZZ_TOKEN']}"})
