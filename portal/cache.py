"""One bounded, thread-safe LRU cache for the portal's per-process caches.

`LRU(maxsize)` keeps at most `maxsize` entries; `LRU(max_bytes, weigh=len)` keeps entries
whose total weight (e.g. bytes) stays within the bound, and `max_items` then bounds their
number as well. A hit makes an entry the most
recently used; an insert past the bound evicts the least recently used first.
"""
import dataclasses
import sys
import threading
from collections import OrderedDict

_MISSING = object()


class LRU:
    """A bounded least-recently-used cache: `get(key)`, `get(key, compute)`, `put`, `clear`."""

    def __init__(self, maxsize, weigh=None, max_items=None):
        self.maxsize, self.weight, self.max_items = maxsize, 0, max_items
        self._weigh = weigh or (lambda value: 1)
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, compute=None):
        """The value for `key`; on a miss, `compute()` stored and returned (None without it).

        `compute` runs outside the lock, so two threads missing together may both compute;
        the values are equal and the later one is kept.
        """
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is not _MISSING:
                self._data.move_to_end(key)
                return value
        if compute is None:
            return None
        value = compute()
        self.put(key, value)
        return value

    def put(self, key, value):
        """Keep `value` for `key`, evicting the least recently used past the bound.

        A value heavier than the whole bound is not kept.
        """
        weight = self._weigh(value)
        if weight > self.maxsize:
            return
        with self._lock:
            old = self._data.pop(key, _MISSING)
            if old is not _MISSING:
                self.weight -= self._weigh(old)
            self._data[key] = value
            self.weight += weight
            while self.weight > self.maxsize or (
                    self.max_items is not None and len(self._data) > self.max_items):
                _, dropped = self._data.popitem(last=False)
                self.weight -= self._weigh(dropped)

    def clear(self):
        """Forget every entry."""
        with self._lock:
            self._data.clear()
            self.weight = 0

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)


def size_of(value):
    """Approximate bytes held by `value`: strings and bytes, and the lists, tuples, dicts
    and dataclasses made of them (a weight for `LRU(max_bytes, weigh=size_of)`)."""
    if isinstance(value, (str, bytes, bytearray)):
        return sys.getsizeof(value)
    if isinstance(value, (list, tuple)):
        return sys.getsizeof(value) + sum(size_of(v) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k) + size_of(v) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(size_of(getattr(value, f.name))
                                          for f in dataclasses.fields(value))
    return sys.getsizeof(value)
