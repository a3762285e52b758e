"""Signpost: a self-hosted, multilingual documentation portal."""
import logging
import os
import secrets
from pathlib import Path

from portal.config import Config
from portal.extensions import babel, csrf, db, login_manager, migrate

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the application: defaults, instance config, environment, then `config`."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get(
        "SIGNPOST_INSTANCE_PATH", str(PROJECT_ROOT / "instance")
    )
    from portal.asgi import DualProtocolFlask  # WSGI, and ASGI for the asyncio worker
    app = DualProtocolFlask(__name__, instance_path=os.path.abspath(instance_path),
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    _load_config(app, config)
    from portal.i18n import LangConverter
    app.url_map.converters["lang"] = LangConverter
    from portal.database import IdConverter
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    from portal import web
    web.init_app(app)
    from portal import auth, feedback  # lifecycle subscribers, after search's (init order)
    from portal.search import index as search_index
    search_index.init_app(app)
    auth.init_app(app)
    feedback.init_app(app)
    from portal.asgi import LoopGuard  # under the asyncio worker Flask never runs in the loop
    app.wsgi_app = LoopGuard(app.wsgi_app)
    from portal.feedback.fastpath import EventsFastPath
    app.wsgi_app = EventsFastPath(app, app.wsgi_app)
    from portal import pagecache
    pagecache.init_app(app)
    from portal import sync
    sync.init_app(app)
    from portal.auth import transport  # last: ProxyFix and HTTPS headers wrap everything
    transport.init_app(app)
    return app


def _load_config(app, overrides):
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SIGNPOST")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.update(overrides)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI",
                          "sqlite:///" + os.path.join(app.instance_path, "signpost.db"))
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SEARCH_INDEX_DIR", os.path.join(app.instance_path, "search"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.config.setdefault("DOCS_PATH", str(PROJECT_ROOT / "docs"))


def _normalise_db_url(url):
    """Use the psycopg 3 driver for plain postgres:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance_path):
    """Read the instance's secret key, generating it once on first start."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def _init_extensions(app):
    from portal import i18n
    from portal.database import configure_engine_events
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(PROJECT_ROOT / "translations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))


def _register_blueprints(app):
    from portal.admin.views import bp as admin_bp
    from portal.apispec import bp as apispec_bp
    from portal.auth.views import bp as auth_bp
    from portal.docs.api import bp as pages_api_bp
    from portal.docs.views import bp as docs_bp
    from portal.feedback.views import bp as feedback_bp
    from portal.insights.api import bp as insights_api_bp
    from portal.insights.views import bp as insights_bp
    from portal.search.views import bp as search_bp
    from portal.write.views import bp as write_bp
    from portal.comments.views import bp as comments_bp
    from portal.tasks.views import bp as tasks_bp
    for bp in (auth_bp, search_bp, feedback_bp, insights_bp, write_bp, comments_bp, tasks_bp,
               admin_bp, pages_api_bp, insights_api_bp, apispec_bp, docs_bp):
        app.register_blueprint(bp)
    from portal.privacy.views import bp as privacy_bp
    app.register_blueprint(privacy_bp)


def _register_cli(app):
    from portal.cli import portal_cli
    import portal.content.commands  # noqa: F401  (registers its commands)
    import portal.auth.commands  # noqa: F401
    import portal.search.commands  # noqa: F401
    import portal.feedback.commands  # noqa: F401
    import portal.privacy.commands  # noqa: F401
    app.cli.add_command(portal_cli)
