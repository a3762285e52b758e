"""Helpers shared by the benchmarks: temporary instances and a gunicorn server."""
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus" / "fastapi-docs",
                           Path("/work/shared/corpus/fastapi-docs")) if p.is_dir()),
              ROOT.parent / "shared" / "corpus" / "fastapi-docs")


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def instance(database_url=None):
    """A temporary instance folder (SQLite inside it unless `database_url` is given)."""
    with tempfile.TemporaryDirectory(prefix="signpost-bench-") as folder:
        env = dict(os.environ, SIGNPOST_INSTANCE_PATH=folder, FLASK_APP="wsgi")
        if database_url:
            env["DATABASE_URL"] = database_url
        yield Path(folder), env


def flask(env, *args):
    """Run `flask portal ...` in the project with `env`; returns stdout."""
    done = subprocess.run([sys.executable, "-m", "flask", "portal", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


@contextlib.contextmanager
def gunicorn(env, workers=2, threads=4):
    """Serve the app with gunicorn on a free port; yields the port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=env)
    try:
        _wait_for(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def percentile(values, p):
    """The p-th percentile (0..100) of a list of numbers, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
