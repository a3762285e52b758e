"""Helpers shared by the benchmarks: temporary instances, `flask portal` commands; the
corpus and the gunicorn server come from tests.support, which the tests use too."""
import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import CORPUS, ROOT, free_port, gunicorn  # noqa: F401 (used by bench modules)


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


def percentile(values, p):
    """The p-th percentile (0..100) of a list of numbers, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
