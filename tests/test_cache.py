"""The portal's one LRU cache helper."""
import threading

from portal.cache import LRU


def test_a_hit_keeps_an_entry_and_the_least_recently_used_goes_first():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_compute_runs_only_on_a_miss_and_a_cached_none_is_a_hit():
    cache = LRU(4)
    calls = []
    assert cache.get("k", lambda: calls.append("k")) is None
    assert cache.get("k", lambda: calls.append("again")) is None
    assert calls == ["k"]
    assert cache.get("missing") is None and "missing" not in cache


def test_a_byte_bound_counts_the_weight_of_each_value():
    cache = LRU(10, weigh=len)
    cache.put("a", b"xxxx")
    cache.put("b", b"yyyy")
    cache.put("a", b"zz")  # replacing an entry replaces its weight
    assert cache.weight == 6
    cache.put("c", b"wwww")  # 10 bytes: everything fits
    cache.put("d", b"v")  # 11 bytes: the least recently used ("b") goes
    assert "b" not in cache and cache.weight == 7
    cache.put("huge", b"h" * 11)  # heavier than the bound: not kept, nothing evicted
    assert "huge" not in cache and len(cache) == 3
    cache.clear()
    assert len(cache) == 0 and cache.weight == 0


def test_threads_putting_together_keep_the_bound_and_the_count():
    cache = LRU(50, weigh=len)

    def work(n):
        for i in range(2000):
            cache.put((n, i % 97), b"x" * (i % 5 + 1))
            cache.get((n, (i * 7) % 97))
    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.weight == sum(len(cache.get(key)) for key in list(cache._data))
    assert cache.weight <= 50


def test_a_byte_bound_with_an_item_bound_keeps_both():
    cache = LRU(100, weigh=len, max_items=2)
    for key in "abc":
        cache.put(key, b"x")
    assert len(cache) == 2 and "a" not in cache and cache.weight == 2
    cache.put("d", b"y" * 99)
    assert list(cache._data) == ["c", "d"] and cache.weight == 100


def test_size_of_weighs_strings_in_containers_and_dataclasses():
    from dataclasses import dataclass

    from portal.cache import size_of

    @dataclass
    class Page:
        html: str
        toc: list

    small, big = Page("x", []), Page("x" * 10_000, [{"name": "y" * 1000}])
    assert size_of(big) - size_of(small) >= 11_000
    assert size_of(("a" * 500, b"b" * 500)) >= 1000
