"""The asyncio worker's entry point of earlier releases: `gunicorn -k asgi asgi:app`.

`wsgi:app` is itself an ASGI app under that worker (portal.asgi.DualProtocolFlask), and
gunicorn.conf.py makes the asyncio worker the default, so plain `gunicorn wsgi:app` is
enough; this name stays for commands written for the earlier releases.
"""
from wsgi import app  # noqa: F401
