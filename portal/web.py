"""App-wide web plumbing: security headers, error pages, health check, root redirect."""
import hashlib
import logging
import os

from flask import abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from markupsafe import escape
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from portal import database
from portal.cache import LRU
from portal.auth.access import public
from portal.extensions import db
from portal.i18n import is_content_language, language_name, negotiate_language

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "frame-ancestors 'none'; form-action 'self'")


def init_app(app):
    """Attach headers, error handlers and the app-wide routes."""
    app.url_value_preprocessor(_pull_lang)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.context_processor(_template_globals)
    app.add_url_rule("/", "root", _root)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.url_defaults(_static_version)
    app.after_request(_cache_versioned_static)
    app.after_request(_keep_for_outages)


_versions = {}  # static file path -> (mtime_ns, size, content hash)


def static_version(filename):
    """A short hash of a static file's content; None when there is no such file."""
    path = os.path.join(current_app.static_folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    known = _versions.get(path)
    if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
        with open(path, "rb") as fh:
            known = (stat.st_mtime_ns, stat.st_size, hashlib.sha256(fh.read()).hexdigest()[:12])
        _versions[path] = known
    return known[2]


def _static_version(endpoint, values):
    """Static URLs carry their content's hash (`?v=`): a new release is never served stale."""
    if endpoint == "static" and "v" not in values and values.get("filename"):
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _cache_versioned_static(response):
    """A static file asked for by its current hash may be cached for a year."""
    if (request.endpoint == "static" and response.status_code == 200 and request.args.get("v")
            and request.args["v"] == static_version(request.view_args.get("filename", ""))):
        response.cache_control.public = True
        response.cache_control.max_age = 31536000
        response.cache_control.immutable = True
    return response


def _pull_lang(endpoint, values):
    """Every `/<lang>/...` route: 404 for unknown languages, else remember it in `g.lang`."""
    lang = (values or {}).get("lang")
    if lang is not None:
        if not is_content_language(lang):
            abort(404)
        g.lang = lang


SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
                    ("Permissions-Policy", "interest-cohort=()"))


def _security_headers(response):
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


def wants_json():
    """True for API requests, which get JSON errors instead of HTML pages."""
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _http_error(exc):
    if wants_json():
        message = getattr(exc, "json_message", None) or exc.description
        return jsonify(error=message), exc.code
    return render_template("error.html", code=exc.code, message=_error_message(exc)), exc.code


def _error_message(exc):
    messages = {
        400: _("The request could not be understood. Check the form and try again."),
        403: _("You do not have permission to open this page."),
        404: _("We could not find that page. It may have moved or been removed."),
        405: _("That action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(exc.code, exc.description)


def _unexpected_error(exc):
    if database.is_outage(exc):
        return _database_unavailable(exc)
    log.exception("Unhandled error on %s", request.path)
    db.session.rollback()
    if wants_json():
        return jsonify(error="internal error"), 500
    return render_template("error.html", code=500,
                           message=_("Something went wrong on our side.")), 500


# -- while the database is unavailable ------------------------------------------------------

READER_ENDPOINTS = frozenset({"docs.page", "docs.home"})
PAGECACHE_KEY = "signpost.pagecache"  # portal.pagecache.ENVIRON_KEY: "shared" = anonymous bytes
STALE_PAGES = 256  # anonymous reader pages kept per worker for outages (LRU)


def _database_unavailable(exc):
    """503 with Retry-After (one log line per outage); reader pages from the last good copy."""
    database.health.failed(exc)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        db.session.close()
    retry = {"Retry-After": str(database.RETRY_AFTER)}
    # Never stored as the page of the current content stamp (portal.pagecache).
    request.environ[PAGECACHE_KEY] = "unavailable"
    stale = _stale_page() if request.method in ("GET", "HEAD") else None
    if stale is not None:
        response = current_app.response_class(stale, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response
    if wants_json():
        return jsonify(error=_("The database is unavailable right now; try again in "
                               "%(n)d seconds.", n=database.RETRY_AFTER)), 503, retry
    g._login_user = current_app.login_manager.anonymous_user()  # no user lookup
    message = _("Signing in and saving changes are unavailable for a moment: the database "
                "cannot be reached. Published pages can still be read. Please try again in a "
                "few seconds.")
    try:
        return render_template("error.html", code=503, message=message), 503, retry
    except Exception:  # something in the page itself needed the database
        return f"<!doctype html><title>503</title><p>{escape(message)}</p>", 503, retry


def _stale_pages():
    ext = current_app.extensions
    if "signpost_stale_pages" not in ext:
        ext.setdefault("signpost_stale_pages", LRU(  # first thread's wins
            current_app.config["STALE_PAGES_BYTES"], weigh=len, max_items=STALE_PAGES))
    return ext["signpost_stale_pages"]


def _stale_key():
    return request.path, str(get_locale())


def _page_cache():
    """The anonymous page cache (`portal.docs.fastpath`) when it is on, else None."""
    pages = current_app.extensions.get("signpost_page_cache")
    return pages if pages is not None and pages.enabled else None


def _stale_page():
    """The last anonymous render of this reader page in this UI language, if any: from the
    page cache, which keeps every shared render, or (with it off) from this worker's own."""
    if request.endpoint not in READER_ENDPOINTS:
        return None
    pages = _page_cache()
    if pages is not None:
        return pages.last_body(request.environ, str(get_locale()))
    return _stale_pages().get(_stale_key())


def _anonymous_render(response):
    """True when `response` is the page every anonymous reader gets."""
    user = g.get("_login_user")
    return user is not None and user.is_anonymous and "Set-Cookie" not in response.headers


def _keep_for_outages(response):
    """Keep each anonymous reader page this worker renders, to serve it during an outage
    (with the page cache on, it keeps them already: no second copy)."""
    if _page_cache() is not None:
        return response
    if (request.endpoint in READER_ENDPOINTS and response.status_code == 200
            and request.method == "GET" and not request.args
            and _anonymous_render(response)):
        _stale_pages().put(_stale_key(), response.get_data())
    return response


def _template_globals():
    return {
        "site_name": current_app.config["SITE_NAME"],
        "page_lang": getattr(g, "lang", None) or current_app.config["SOURCE_LANGUAGE"],
        "content_languages": current_app.config["CONTENT_LANGUAGES"],
        "language_name": language_name,
    }


@public
def _root():
    lang = negotiate_language()
    response = redirect(url_for("docs.home", lang=lang))
    response.headers["Vary"] = "Accept-Language"
    return response


@public
def _healthz():
    try:
        db.session.execute(text("SELECT 1"))
        state = "ok"
    except Exception as exc:  # reported (once per outage), not raised
        if not database.is_outage(exc):
            log.exception("health check failed")
        database.health.failed(exc)
        db.session.rollback()
        state = "unreachable"
    status = 200 if state == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=state), status
