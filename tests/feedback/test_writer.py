"""Group commit (feedback/writer.py): every item flushed before its submit returns, groups
spaced while busy, a lone item written at once."""
import asyncio
import threading
import time

import pytest

from portal.feedback.writer import BackgroundCommit, GroupCommit
from tests.support import run_loop


def test_every_item_is_flushed_before_its_submit_returns():
    flushed = []
    committer = GroupCommit(flushed.extend)
    done, early = [], []

    def client(n):
        for i in range(10):
            committer.submit((n, i))
            (done if (n, i) in flushed else early).append((n, i))

    workers = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not early and len(done) == 80 and sorted(flushed) == sorted(done)


def test_a_busy_committer_spaces_its_groups():
    groups = []
    committer = GroupCommit(groups.append, spacing=0.05)
    workers = [threading.Thread(target=lambda n=n: [committer.submit((n, i)) for i in range(10)])
               for n in range(10)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    # 100 items from 10 threads that each wait for their last one: without spacing about
    # one group per item; with it the threads' items gather, about 10 a group
    assert sum(len(g) for g in groups) == 100
    assert len(groups) <= 25, [len(g) for g in groups]


def test_a_lone_item_on_a_quiet_committer_does_not_wait():
    groups = []
    committer = GroupCommit(groups.append, spacing=2.0)
    started = time.monotonic()
    committer.submit("only")
    assert groups == [["only"]] and time.monotonic() - started < 1.0


def _second_group(count, **options):
    """After a first item, `count` items from as many threads at once: (seconds, 2nd group).
    With a spacing of 30 s the second group waits that long unless something ends it."""
    groups = []
    committer = GroupCommit(groups.append, spacing=30.0, **options)
    committer.submit("first")
    started = time.monotonic()
    workers = [threading.Thread(target=committer.submit, args=(n,)) for n in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=10)
    return time.monotonic() - started, sorted(groups[1])


def test_a_full_group_does_not_wait_out_the_spacing():
    took, group = _second_group(4, max_items=4)
    assert took < 10 and group == [0, 1, 2, 3]


def test_a_failed_flush_is_raised_in_every_request_of_its_group():
    def fail(items):
        raise RuntimeError("disk full")
    committer = GroupCommit(fail)
    with pytest.raises(RuntimeError, match="disk full"):
        committer.submit("x")


def test_enough_waiting_requests_end_the_wait_before_the_group_is_full():
    """Each waiting request holds a server thread: `enough` of them are committed at once,
    even though the group could take more and the spacing is not over."""
    took, group = _second_group(3, max_items=64, enough=3)
    assert took < 10 and group == [0, 1, 2]


# -- BackgroundCommit: the asyncio worker's committer ---------------------------------

def test_background_futures_are_done_only_after_their_group_is_flushed():
    flushed, seen = [], []

    def flush(items):
        time.sleep(0.02)  # the later submits queue up meanwhile
        flushed.extend(items)

    committer = BackgroundCommit(flush)

    async def main():
        async def one(n):
            await committer.submit(n)
            seen.append(n in flushed)
        await asyncio.gather(*(one(n) for n in range(30)))
    run_loop(main())
    assert seen == [True] * 30 and sorted(flushed) == list(range(30))


def test_a_background_group_that_fails_fails_each_future_and_skips_cancelled_ones():
    release = threading.Event()

    def fail(items):
        release.wait(5)
        raise RuntimeError("disk full")

    committer = BackgroundCommit(fail)

    async def main():
        first, gone, last = (committer.submit(n) for n in range(3))
        gone.cancel()  # its client went away while the group was being written
        release.set()
        results = await asyncio.wait_for(
            asyncio.gather(first, last, return_exceptions=True), 5)
        await asyncio.sleep(0)
        return results, gone.cancelled()
    results, cancelled = run_loop(main())
    assert [str(r) for r in results] == ["disk full", "disk full"] and cancelled
