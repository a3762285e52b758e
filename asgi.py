"""gunicorn entry point for the asyncio worker: `gunicorn -k asgi asgi:app` (see portal/asgi.py)."""
from portal.asgi import WSGIBridge
from wsgi import app as flask_app

app = WSGIBridge(flask_app)
