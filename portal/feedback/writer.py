"""Group commit: concurrent requests share one transaction, each answered after it commits.

With SQLite's synchronous=FULL a commit costs an fsync; committing each request's batch
alone caps ingest at the disk's fsync rate. Here the first request to arrive becomes the
leader, writes every batch queued so far in one transaction, commits, and wakes the
requests it carried. Nobody is acknowledged before the commit that holds their events.

Under a steady stream most batches arrive alone, so most groups held one batch, and each
commit's fixed cost (the fsync, the write-ahead log frames, the kernel's journal work: more
CPU than the rows of a 50-event batch) was paid per batch, on the cores that serve pages.
`spacing` bounds that: a leader that comes less than `spacing` seconds after the previous
group started waits out the rest of it (or until `max_items` are queued), so this process
commits at most 1/spacing times a second while busy, and a lone batch on a quiet server is
written at once. The wait also ends once `enough` requests are queued: each waiting request
holds one of the worker's threads, and with small batches arriving fast (a reader's browser
sends 2-3 events at a time) a 20 ms wait for 64 of them held every thread, so page requests
queued behind the commit.
"""
import asyncio
import threading
import time


class _Ticket:
    __slots__ = ("item", "done", "error", "wake")

    def __init__(self, item):
        self.item, self.done, self.error = item, False, None
        self.wake = threading.Event()


class GroupCommit:
    """Runs `flush(items)` for items submitted concurrently, many at a time."""

    def __init__(self, flush, max_items=64, spacing=0.0, enough=8):
        self._flush = flush
        self._max = max_items
        self._enough = max(1, min(enough, max_items))
        self._spacing = spacing
        self._lock = threading.Lock()
        self._pending = []
        self._leading = False
        self._full = threading.Event()  # set when `enough` wait: a lingering leader goes
        self._started = float("-inf")  # monotonic time the last group was taken

    def submit(self, item):
        """Block until `item` was flushed (committed); re-raise the flush's error if any."""
        ticket = _Ticket(item)
        with self._lock:
            self._pending.append(ticket)
            if len(self._pending) >= self._enough:
                self._full.set()
        while True:
            batch = self._take_lead(ticket)
            if batch is not None:
                self._run(batch)
            if ticket.done:
                break
            ticket.wake.wait(0.05)
            ticket.wake.clear()
        if ticket.error is not None:
            raise ticket.error

    def _take_lead(self, ticket):
        with self._lock:
            if ticket.done or self._leading:
                return None
            self._leading = True
            linger = self._started + self._spacing - time.monotonic()
        if linger > 0:  # busy: let more batches join this group (the lock is not held)
            self._full.wait(linger)
        with self._lock:
            batch, self._pending = self._pending[:self._max], self._pending[self._max:]
            if len(self._pending) < self._enough:
                self._full.clear()
            self._started = time.monotonic()
            return batch

    def _run(self, batch):
        error = None
        try:
            self._flush([t.item for t in batch])
        except Exception as exc:  # handed to every request in the group
            error = exc
        for t in batch:
            t.error, t.done = error, True
        with self._lock:
            self._leading = False
            following = self._pending[0] if self._pending else None
        # Woken outside the lock: each wake hands a thread the GIL, and new requests
        # queueing meanwhile need the lock, not the leader.
        for t in batch:
            t.wake.set()
        if following is not None:
            following.wake.set()  # the next leader


class BackgroundCommit:
    """Group commit for callers that must not block: the asyncio worker's event loop.

    `submit(item)`, called in a running event loop, queues the item and returns an asyncio
    Future of that loop, done once the item is committed (or failed with the flush's
    error). One thread per process commits whatever is queued, at most `max_items` at a
    time and at most once every `spacing` seconds while busy, and then settles the
    group's futures with one call into their loop, not a thread-safe callback per batch;
    the committer is woken only when it sleeps. (py-spy put 15% of a loop's GIL time in
    waking the committer on every submit; end to end, workers' CPU per event did not
    change measurably.) Requests waiting for their commit hold no
    thread, so their number is not bounded by a thread pool (under `GroupCommit` each
    waits in a thread of its own: 16 threads per worker capped 3-event batches at ~6,400
    events/s).
    """

    def __init__(self, flush, max_items=64, spacing=0.0):
        self._flush, self._max, self._spacing = flush, max_items, spacing
        self._lock = threading.Lock()
        self._pending = []
        self._wake = threading.Event()
        self._thread = None

    def submit(self, item):
        """Queue `item`; the returned asyncio Future is done when its group is committed."""
        done = asyncio.get_running_loop().create_future()
        with self._lock:
            self._pending.append((item, done))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="signpost-event-commit")
                self._thread.start()
            if not self._wake.is_set():  # cleared under this lock once the queue is empty
                self._wake.set()
        return done

    def _run(self):
        started = float("-inf")
        while True:
            self._wake.wait()
            linger = started + self._spacing - time.monotonic()
            if linger > 0:  # busy: let more batches join this group
                time.sleep(linger)
            with self._lock:
                group, self._pending = self._pending[:self._max], self._pending[self._max:]
                if not self._pending:
                    self._wake.clear()
            if not group:
                continue
            started = time.monotonic()
            error = None
            try:
                self._flush([item for item, _ in group])
            except Exception as exc:  # handed to every request of the group
                error = exc
            by_loop = {}
            for _, done in group:
                by_loop.setdefault(done.get_loop(), []).append(done)
            for loop, futures in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, futures, error)
                except RuntimeError:  # that loop is closed: its worker is exiting
                    pass


def _settle(futures, error):
    """In the futures' loop: the group was committed (`error` None) or failed."""
    for done in futures:
        if done.done():  # cancelled: the client went away while it waited
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
