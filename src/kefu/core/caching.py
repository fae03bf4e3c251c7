"""A tiny per-process cache with a time limit, for configuration read on every write.

Configuration (the standard version in force, the category tree) changes rarely but is read
for every ticket; holding it for a second saves a query per ticket, and the service that
changes it clears the cache in its own process at once.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class TTLCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        moment = time.monotonic()
        with self._lock:
            found = self._values.get(key)
            if found and moment - found[0] < self.seconds:
                return found[1]
        value = load()
        with self._lock:
            self._values[key] = (moment, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_registry: list[TTLCache] = []


def ttl_cache(seconds: float) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache a function of hashable arguments for ``seconds``; ``fn.cache_clear()`` forgets."""

    def wrap(function: Callable[..., T]) -> Callable[..., T]:
        cache = TTLCache(seconds)
        _registry.append(cache)

        @functools.wraps(function)
        def cached(*args: Hashable) -> T:
            return cache.get(args, lambda: function(*args))

        cached.cache_clear = cache.clear  # type: ignore[attr-defined]
        return cached

    return wrap


def clear_all_ttl_caches() -> None:
    for cache in _registry:
        cache.clear()
