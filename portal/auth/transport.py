"""HTTPS and proxies: ProxyFix from settings, HSTS and `Secure` cookies on HTTPS, and
`Cache-Control: no-store` on every response to a signed-in user.

Behind a reverse proxy that terminates TLS the app sees plain HTTP from the proxy's
address; `PROXY_FIX_X_FOR`, `PROXY_FIX_X_PROTO`, ... (the number of proxies that set each
`X-Forwarded-*` header, 0 = do not trust it) let werkzeug's ProxyFix restore the reader's
address and scheme. Set them only when such a proxy is really in front: a client could
otherwise claim any address. The middleware wraps everything else (the events and page
fast paths included), so they see the same address, scheme and headers.
"""
from werkzeug.middleware.proxy_fix import ProxyFix

PROXY_SETTINGS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def init_app(app):
    """Wrap the WSGI app (call last in create_app) and add the no-store hook."""
    app.after_request(_no_store_when_signed_in)
    seconds = int(app.config.get("HSTS_SECONDS", 0) or 0)
    hsts = f"max-age={seconds}" if seconds > 0 else None
    if hsts and app.config.get("HSTS_INCLUDE_SUBDOMAINS"):
        hsts += "; includeSubDomains"
    app.wsgi_app = HttpsOnly(app.wsgi_app, hsts)
    trusted = {name: int(app.config.get(f"PROXY_FIX_{name.upper()}", 0) or 0)
               for name in PROXY_SETTINGS}
    if any(trusted.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)


class HttpsOnly:
    """On HTTPS requests: `Strict-Transport-Security`, and `Secure` on every cookie set."""

    def __init__(self, wsgi_app, hsts):
        self.wsgi_app, self.hsts = wsgi_app, hsts

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [(name, _secure_cookie(value) if name.lower() == "set-cookie" else value)
                       for name, value in headers]
            if self.hsts and not any(n.lower() == "strict-transport-security" for n, _ in headers):
                headers.append(("Strict-Transport-Security", self.hsts))
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, secure_start_response)


def _secure_cookie(value):
    parts = [p.strip().lower() for p in value.split(";")]
    return value if "secure" in parts else value + "; Secure"


def _no_store_when_signed_in(response):
    """A response made for a signed-in user (session or token) is never stored by caches.

    Reads the user Flask-Login already loaded for this request (if any) instead of the
    session, so anonymous responses stay free of `Vary: Cookie`.
    """
    from flask import g
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        cache = response.cache_control
        cache.public, cache.max_age, cache.immutable = False, None, False
        if not cache.no_store:  # a view that chose no-store itself keeps its header as is
            cache.private, cache.no_store = True, True
    return response
