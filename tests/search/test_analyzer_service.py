"""The Korean analyzer process: same tokens as the model in-process, started on first use
and again after it dies, gone with its owner, and a fallback to the in-process model."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portal.search import analysis, analyzer_service
from portal.search.analyzer_service import KToken, RemoteKiwi, Unavailable
from tests.conftest import make_app

TEXTS = ["파일을 업로드하려면 매개변수를 선언합니다.", "FastAPI에서 Docker로 배포하기", "헤더"]


@pytest.fixture
def local_mode():
    yield
    analysis.use_local()


@pytest.fixture(autouse=True)
def _reap_servers():
    """Servers started by a test are ended and waited for when it ends."""
    yield
    while analyzer_service._started:
        process = analyzer_service._started.pop()
        process.terminate()
        process.wait(timeout=30)


def test_socket_path_stays_short(tmp_path):
    assert analyzer_service.socket_path(tmp_path) == str(tmp_path / "analyzer.sock")
    deep = tmp_path / ("x" * 120)
    path = analyzer_service.socket_path(deep)
    assert len(path.encode()) <= 100 and path != analyzer_service.socket_path(tmp_path / "y")


@pytest.mark.parametrize("config, mode", [
    ({}, "local"), ({"SEARCH_ANALYZER": "local"}, "local"),
    ({"SEARCH_ANALYZER": "process"}, "process"), ({"SEARCH_PRELOAD": True}, "preload"),
    ({"SEARCH_ANALYZER": "process", "SEARCH_KOREAN": "bigram"}, "local")])
def test_analyzer_mode_from_config(tmp_path, database_template, monkeypatch, local_mode,
                                   config, mode):
    calls = []
    monkeypatch.setattr(analysis, "preload", lambda: calls.append("preload"))
    monkeypatch.setattr(analyzer_service, "ensure_running", lambda *a: calls.append("start"))
    monkeypatch.setattr("gc.freeze", lambda: None)
    make_app(tmp_path, database_template, **config)
    remote = analysis._remote
    assert (remote is not None) == (mode == "process")
    assert calls == (["preload"] if mode == "preload" else [])  # not the master: no start
    if remote is not None:
        path = analyzer_service.socket_path(tmp_path / "instance" / "search")
        assert remote.remote.path == path


def test_unknown_mode_is_refused(tmp_path, database_template):
    with pytest.raises(ValueError, match="SEARCH_ANALYZER"):
        make_app(tmp_path, database_template, SEARCH_ANALYZER="shared")


def test_falls_back_to_the_model_in_process(tmp_path, monkeypatch, local_mode, caplog):
    def cannot_start(path, owner):
        raise RuntimeError("no room")

    class Local:
        def tokenize(self, texts):
            return [KToken("로컬", "NNG", 0, 2)]

    monkeypatch.setattr(analyzer_service, "ensure_running", cannot_start)
    monkeypatch.setattr(analysis, "_local_kiwi", lambda: Local())
    analysis.use_service(str(tmp_path / "analyzer.sock"))
    assert analysis.kiwi().tokenize("무엇이든") == [KToken("로컬", "NNG", 0, 2)]
    assert "unavailable" in caplog.text
    with pytest.raises(Unavailable):  # the client alone reports it
        RemoteKiwi(str(tmp_path / "analyzer.sock")).tokenize("무엇이든")


def test_asks_the_analyzer_again_after_falling_back_and_then_lets_go_of_its_model(
        monkeypatch, caplog):
    class Remote:
        up = False

        def tokenize(self, texts):
            if not self.up:
                raise Unavailable("down")
            return [KToken("원격", "NNG", 0, 2)]

    class Local:
        def tokenize(self, texts):
            return [KToken("로컬", "NNG", 0, 2)]

    monkeypatch.setattr(analysis, "_kiwi", Local())
    monkeypatch.setattr(analysis, "_kiwi_pid", os.getpid())
    remote = Remote()
    either = analysis._RemoteOrLocal(remote, retry_after=3600)
    assert either.tokenize("하나") == [KToken("로컬", "NNG", 0, 2)]
    assert either.fallen_back
    remote.up = True
    assert either.tokenize("둘") == [KToken("로컬", "NNG", 0, 2)]  # not asked again yet
    either.fallen_back_at -= 3600
    assert either.tokenize("셋") == [KToken("원격", "NNG", 0, 2)]
    assert not either.fallen_back and analysis._kiwi is None
    assert "is back" in caplog.text


def test_an_inherited_model_is_never_released(monkeypatch):
    inherited = object()
    monkeypatch.setattr(analysis, "_kiwi", inherited)
    monkeypatch.setattr(analysis, "_kiwi_pid", os.getppid())
    analysis._release_local_kiwi()
    assert analysis._kiwi is inherited


@pytest.mark.slow
def test_a_socket_still_closing_is_waited_out_and_a_new_server_started(tmp_path):
    """A killed server's socket may still accept (its process is exiting) and reset each
    connection: the client keeps trying, then starts a server of its own."""
    path = str(tmp_path / "analyzer.sock")
    dying = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dying.bind(path)
    dying.listen(16)
    resets = []

    def reset_connections():
        dying.settimeout(0.05)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                conn, _ = dying.accept()
            except TimeoutError:
                continue
            time.sleep(0.01)  # the request is in: closing now resets the client
            conn.close()
            resets.append(1)
        dying.close()

    closer = threading.Thread(target=reset_connections)
    closer.start()
    remote = RemoteKiwi(path, owner=os.getpid())
    try:
        assert [t.form for t in remote.tokenize("헤더")] == ["헤더"]
        assert resets and _alive(_pid(path))
    finally:
        closer.join()
        remote.close()
        _stop(path)


@pytest.mark.slow
def test_served_tokens_equal_local_ones_and_a_dead_server_is_restarted(tmp_path, local_mode):
    path = str(tmp_path / "analyzer.sock")
    remote = RemoteKiwi(path, owner=os.getpid())
    try:
        local = analysis._local_kiwi()
        want = [[(t.form, t.tag, t.start, t.len) for t in local.tokenize(text)] for text in TEXTS]
        assert [list(map(tuple, remote.tokenize(text))) for text in TEXTS] == want
        assert [list(map(tuple, tokens)) for tokens in remote.tokenize(TEXTS)] == want
        first = _pid(path)
        os.kill(first, signal.SIGKILL)
        _wait(lambda: not _alive(first))
        assert list(map(tuple, remote.tokenize(TEXTS[2]))) == want[2]
        second = _pid(path)
        assert second != first and _alive(second)
    finally:
        remote.close()
        _stop(path)


@pytest.mark.slow
def test_server_exits_with_its_owner(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    path = str(tmp_path / "analyzer.sock")
    try:
        analyzer_service.ensure_running(path, owner.pid)
        server = _pid(path)
        assert _alive(server)
    finally:
        owner.kill()
        owner.wait()
    _wait(lambda: not _alive(server), timeout=20)
    assert not os.path.exists(path)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is not alive
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _pid(path):
    return int(Path(analyzer_service.pid_file(path)).read_text())


def _stop(path):
    try:
        os.kill(_pid(path), signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass


def test_a_repeated_query_is_asked_once_and_page_text_is_not_kept(local_mode):
    asked = []

    class Remote:
        def tokenize(self, texts):
            asked.append(texts)
            return [KToken("질의", "NNG", 0, 2)]

        def close(self):
            pass

    analysis.use_service("/nonexistent/analyzer.sock")
    analysis._remote.remote = Remote()
    for _ in range(3):  # title, headings and body fields analyse the same query
        analysis.kiwi().tokenize("업로드 질의")
    page = "본문 " * 200
    analysis.kiwi().tokenize(page)
    analysis.kiwi().tokenize(page)
    assert asked == ["업로드 질의", page, page]
