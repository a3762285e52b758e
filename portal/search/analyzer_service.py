"""One Korean analyzer process per machine, shared by every worker over a unix socket.

The Korean morphological model (Kiwi) takes ~320 MB once loaded and used. Loaded in a
gunicorn master and shared copy-on-write it still counts a third of itself in each of two
workers' proportional memory (PSS); loaded in each worker it counts whole. Served by one
process of its own, a worker holds none of it: it sends the texts to analyse over the
socket in the instance folder and gets Kiwi's tokens back (an extra round trip of well
under a millisecond, only for Korean text).

    python -m portal.search.analyzer_service SOCKET [--owner PID]

starts a server on SOCKET (requests that arrive while it loads the model wait) and exits when the process OWNER is gone. Workers do not start
it by hand: `RemoteKiwi` starts it on first use (one starter at a time, under a file lock),
and again if it died; when it cannot be started it says so in the log and the caller falls
back to the model in its own process (see `portal.search.analysis.kiwi`).

Protocol: each message is a 4-byte big-endian length and a JSON body. A request is a list
of texts, the answer a list (one per text) of tokens `[form, tag, start, len]`; an empty
request is a ping, answered `[]`.
"""
import fcntl
import hashlib
import json
import logging
import os
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import namedtuple

log = logging.getLogger(__name__)

# What a client needs of a Kiwi token (kiwipiepy.Token has the same attributes).
KToken = namedtuple("KToken", "form tag start len")
HEADER = struct.Struct(">I")
MAX_MESSAGE = 64 * 1024 * 1024
START_TIMEOUT = 30  # seconds to wait for a starting server to bind its socket
TIMEOUT = 120  # seconds a request may wait (the first ones wait for the model to load, ~5)
RETRY_AFTER = 30  # seconds before a client that failed to start a server tries again
RECONNECT = 10  # seconds a request keeps trying to reach a (restarting) server
OWNER_POLL = 2.0
_started = []


def socket_path(folder):
    """The socket of the analyzer serving the instance whose search index is in `folder`.

    A unix socket path is limited to ~107 bytes; a longer one lives in the temp folder
    under a name derived from `folder`.
    """
    path = os.path.join(os.path.abspath(folder), "analyzer.sock")
    if len(path.encode()) <= 100:
        return path
    digest = hashlib.sha1(path.encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"signpost-analyzer-{digest}.sock")


def pid_file(path):
    return path + ".pid"


def _send(sock, payload):
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    sock.sendall(HEADER.pack(len(body)) + body)


def _recv(sock):
    head = _read(sock, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    if size > MAX_MESSAGE:
        raise ValueError(f"analyzer message of {size} bytes")
    body = _read(sock, size)
    if body is None:
        raise ConnectionError("analyzer connection closed mid-message")
    return json.loads(body)


def _read(sock, size):
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- client -------------------------------------------------------------------------------

class Unavailable(Exception):
    """No analyzer server answers and none could be started."""


class RemoteKiwi:
    """`tokenize` as kiwipiepy.Kiwi's, answered by the analyzer server at `path`.

    Thread-safe: each thread keeps its own connection. `owner` is the process the server
    lives for (the gunicorn master); it exits when that process does.
    """

    def __init__(self, path, owner=None):
        self.path = path
        self.owner = owner
        self._local = threading.local()
        self._failed_at = None

    def tokenize(self, texts):
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        answer = self._ask(batch)
        tokens = [[KToken(*t) for t in tokens] for tokens in answer]
        return tokens[0] if single else tokens

    def _ask(self, batch):
        """Send `batch`, return the answer; reconnect (and restart the server) as needed.

        A failed exchange is retried on a new connection: at once the first time (the
        kept connection may be to a server that has since restarted), then after growing
        pauses, for up to RECONNECT seconds in all. The pauses matter when the server
        was killed: its process may still be exiting, with the socket open, for a moment
        (a multi-threaded process shows as gone while its last threads close its files),
        so a connection made then is accepted and reset.
        """
        deadline = time.monotonic() + RECONNECT
        pause = 0.0
        while True:
            try:
                sock = self._connection()
                _send(sock, batch)
                answer = _recv(sock)
                if answer is None:
                    raise ConnectionError("analyzer closed the connection")
                if len(answer) != len(batch):
                    raise ValueError("analyzer answered a different number of texts")
                return answer
            except (OSError, ValueError) as exc:
                self._drop()
                if time.monotonic() + pause > deadline:
                    raise Unavailable(f"analyzer at {self.path}: {exc}") from exc
                log.info("analyzer at %s: %s; trying again", self.path, exc)
            time.sleep(pause)
            pause = min(max(pause * 2, 0.05), 1.0)

    def _connection(self):
        sock = getattr(self._local, "sock", None)
        if sock is not None:
            return sock
        try:
            sock = _connect(self.path)
        except OSError:
            self._start()
            sock = _connect(self.path)
        self._local.sock = sock
        return sock

    def _drop(self):
        sock = getattr(self._local, "sock", None)
        self._local.sock = None
        if sock is not None:
            sock.close()

    def _start(self):
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_AFTER:
            raise Unavailable(f"analyzer at {self.path} failed to start recently")
        try:
            ensure_running(self.path, self.owner or os.getppid())
            self._failed_at = None
        except Exception as exc:
            self._failed_at = time.monotonic()
            raise Unavailable(f"analyzer at {self.path} could not be started: {exc}") from exc

    def ping(self):
        """True when a server answers (without starting one; waits while it loads)."""
        try:
            with _connect(self.path) as sock:
                _send(sock, [])
                return _recv(sock) == []
        except (OSError, ValueError):
            return False

    def close(self):
        self._drop()


def _connect(path, timeout=TIMEOUT):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def ensure_running(path, owner):
    """Start a server at `path` for `owner` unless one is there; wait until it is bound.

    A bound server may still be loading its model: a client's first request then waits
    for it (queued on the socket). Several workers may call this at once: a lock file lets
    one start the server while the others wait and then find it bound.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _bound(path):
                return
            try:
                os.unlink(path)  # a dead server's socket
            except FileNotFoundError:
                pass
            process = subprocess.Popen(
                [sys.executable, "-m", "portal.search.analyzer_service", path,
                 "--owner", str(owner)],
                stdin=subprocess.DEVNULL, start_new_session=True, close_fds=True)
            _started.append(process)  # never collected: Popen warns if collected running
            log.info("started the Korean analyzer process %s at %s", process.pid, path)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"analyzer exited with status {process.returncode}")
                if _bound(path):
                    return
                time.sleep(0.05)
            process.kill()
            raise RuntimeError(f"analyzer did not start within {START_TIMEOUT} s")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _bound(path):
    try:
        _connect(path, timeout=5).close()
        return True
    except OSError:
        return False


# -- server -------------------------------------------------------------------------------

class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        kiwi = self.server.kiwi
        while True:
            try:
                batch = _recv(self.request)
            except (OSError, ValueError):
                return
            if batch is None:
                return
            if not isinstance(batch, list) or not all(isinstance(t, str) for t in batch):
                return
            if len(batch) == 1:
                found = [kiwi.tokenize(batch[0])]
            else:
                found = kiwi.tokenize(batch) if batch else []
            answer = [[(t.form, t.tag, t.start, t.len) for t in tokens] for tokens in found]
            try:
                _send(self.request, answer)
            except OSError:
                return


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 256  # every worker thread may connect while the model loads


def serve(path, owner=None):
    """Bind `path`, load the model, then answer until `owner` (a pid) is gone.

    Clients that connect while the model loads wait in the socket's queue.
    """
    temp = f"{path}.{os.getpid()}.tmp"
    server = _Server(temp, _Handler)
    os.rename(temp, path)
    with open(pid_file(path), "w") as fh:
        fh.write(str(os.getpid()))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # leave through `finally` below
    from portal.search import analysis
    analysis.preload()
    server.kiwi = analysis.kiwi()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while owner is None or _alive(owner):
            time.sleep(OWNER_POLL)
            if _replaced(path):
                break
    finally:
        server.shutdown()
        if not _replaced(path):
            for name in (path, pid_file(path)):
                try:
                    os.unlink(name)
                except FileNotFoundError:
                    pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _replaced(path):
    """True when the pid file names another server (a newer one took the socket)."""
    try:
        with open(pid_file(path)) as fh:
            return fh.read().strip() != str(os.getpid())
    except FileNotFoundError:
        return False


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(prog="python -m portal.search.analyzer_service")
    parser.add_argument("socket")
    parser.add_argument("--owner", type=int, default=None,
                        help="exit when this process is gone (default: run until killed)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    serve(args.socket, args.owner)


if __name__ == "__main__":
    main()
