"""What the tests and the benchmarks (`make bench`) both do: find the shared corpus, serve
the app with a real gunicorn on a free port and wait until it answers /healthz.

Importable from `bench/` too: `python -m bench` runs from the project folder.
"""
import asyncio
import concurrent.futures
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# SIGNPOST_CORPUS, then ../shared/corpus next to the project, then /work/shared/corpus
CORPUS_PLACES = [Path(p) for p in (os.environ.get("SIGNPOST_CORPUS"),
                                   ROOT.parent / "shared" / "corpus" / "fastapi-docs",
                                   "/work/shared/corpus/fastapi-docs") if p]
CORPUS = next((p for p in CORPUS_PLACES if (p / "mkdocs.yml").is_file()), CORPUS_PLACES[0])


def run_loop(coroutine):
    """Run `coroutine` on an event loop of its own, in a thread of its own: the browser
    tests' Playwright keeps a loop running in the main thread for the whole session."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc=None, timeout=60):
    """Return once GET /healthz on `port` answers 200; RuntimeError if `proc` (the server
    process, when given) exits first or nothing answers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def request(port, method, path, body=None, headers=None):
    """One request on a new connection to 127.0.0.1:`port`; returns (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(env, workers=2, threads=4):
    """Serve the app with gunicorn on a free port; yields the port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=env)
    try:
        wait_healthy(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
