"""An acknowledged event survives the server being killed: 202 is sent only after commit.

A real gunicorn serves the event API while client threads post batches; the whole server
is then killed with SIGKILL in the middle of the traffic. Every event that got a 202 must
be in the database afterwards (events in flight may or may not be there).
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from portal.extensions import db
from portal.feedback.models import Event
from tests.conftest import ROOT
from tests.support import free_port as _free_port, wait_healthy as _wait_for
from tests.feedback.conftest import UA

CLIENTS = 8
BATCH = 10


def _client(port, session, stop, acked):
    body = json.dumps({"session": session, "events": [
        {"type": "scroll", "page": "guide/install", "lang": "en", "depth": i, "t": i}
        for i in range(BATCH)]})
    headers = {"Content-Type": "application/json", **UA}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while not stop.is_set():
            try:
                conn.request("POST", "/api/v1/events", body, headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if response.status != 202:
                acked["errors"] = acked.get("errors", []) + [(response.status, payload)]
                return
            acked[session] = acked.get(session, 0) + json.loads(payload)["accepted"]
    finally:
        conn.close()


@pytest.mark.slow
def test_events_acknowledged_before_a_kill_are_all_stored(app, docs):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # the server gets the database to itself
    port = _free_port()
    env = dict(os.environ, SIGNPOST_INSTANCE_PATH=app.instance_path, DATABASE_URL=url,
               SIGNPOST_SECRET_KEY="test", SIGNPOST_EVENT_RATE_LIMIT="0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", "2",
         "--threads", "8", "--bind", f"127.0.0.1:{port}", "--log-level", "error", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_for(port, proc)
        stop, acked = threading.Event(), {}
        threads = [threading.Thread(target=_client, args=(port, f"{n:032x}", stop, acked))
                   for n in range(1, CLIENTS + 1)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.killpg(proc.pid, signal.SIGKILL)  # master and workers, mid-traffic
        proc.wait(10)
        stop.set()
        for t in threads:
            t.join(15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    assert not acked.pop("errors", None), "the server refused a valid batch"
    assert sum(acked.values()) > 0, "no batch was acknowledged before the kill"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored = dict(conn.execute(select(Event.session, func.count())
                                       .group_by(Event.session)).all())
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()
    missing = {s: n - stored.get(s, 0) for s, n in acked.items() if stored.get(s, 0) < n}
    assert not missing, f"acknowledged events missing after the kill: {missing}"
    assert all(stored[s] % BATCH == 0 for s in stored), "a batch was stored in part"
