"""gunicorn entry point for the asyncio worker (see portal/asgi.py):

    gunicorn -k asgi --reuse-port asgi:app
"""
from portal.asgi import WSGIBridge
from wsgi import app as flask_app

app = WSGIBridge(flask_app)
