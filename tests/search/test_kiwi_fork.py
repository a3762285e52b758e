"""The Korean model loaded before a fork (gunicorn preload) works in the forked worker: a
batch (index rebuild) does not wait for the parent's threads, and exiting does not abort."""
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from portal.search import analysis
    analysis.preload()
    pid = os.fork()
    if pid == 0:
        signal.alarm(30)  # a hang ends as SIGALRM
        analysis.prime([f"문서 {i}번을 업로드하려면 도커로 배포하기" for i in range(40)])
        assert len(analysis._primed) == 40
        analysis.kiwi().tokenize("헤더 매개변수")
        sys.exit(0)  # a normal interpreter exit, as a gunicorn worker's
    _, status = os.waitpid(pid, 0)
    print("signal", os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
          "exit", os.WEXITSTATUS(status) if os.WIFEXITED(status) else None)
""")


@pytest.mark.slow
def test_forked_worker_analyses_batches_and_exits_cleanly():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["signal", "0", "exit", "0"], done.stdout + done.stderr
