"""A small cache/counter store: Redis when configured (shared by workers), else in-process."""
from __future__ import annotations

import threading
import time


class MemoryStore:
    """Thread-safe in-process store with TTLs (one worker only)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: str):
        """The value of ``key`` or None when missing or expired."""
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] < time.monotonic():
                self._data.pop(key, None)
                return None
            return item[1]

    def set(self, key: str, value, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds."""
        with self._lock:
            self._data[key] = (time.monotonic() + ttl, value)

    def incr(self, key: str, ttl: float) -> int:
        """Increment a counter that expires ``ttl`` seconds after its first increment."""
        with self._lock:
            expires, value = self._data.get(key, (0.0, 0))
            if expires < time.monotonic():
                expires, value = time.monotonic() + ttl, 0
            value = int(value) + 1
            self._data[key] = (expires, value)
            return value

    def delete(self, key: str) -> None:
        """Remove ``key``."""
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    """The same interface on Redis (values are stored as pickles)."""

    def __init__(self, url: str, prefix: str = "ra") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._prefix = prefix + ":"

    def get(self, key: str):
        """The value of ``key`` or None."""
        import pickle

        raw = self._redis.get(self._prefix + key)
        if raw is None:
            return None
        if raw.startswith(b"p:"):
            return pickle.loads(raw[2:])  # noqa: S301 - values written by this class only
        return int(raw)  # counters written by incr

    def set(self, key: str, value, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds."""
        import pickle

        self._redis.set(self._prefix + key, b"p:" + pickle.dumps(value), ex=max(1, int(ttl)))

    def incr(self, key: str, ttl: float) -> int:
        """Increment a counter with an expiry set at its first increment."""
        pipe = self._redis.pipeline()
        pipe.incr(self._prefix + key)
        pipe.expire(self._prefix + key, max(1, int(ttl)), nx=True)
        return int(pipe.execute()[0])

    def delete(self, key: str) -> None:
        """Remove ``key``."""
        self._redis.delete(self._prefix + key)


def make_store(redis_url: str, prefix: str = "ra"):
    """Redis when ``redis_url`` is set and reachable, else the in-process store."""
    if redis_url:
        try:
            store = RedisStore(redis_url, prefix)
            store._redis.ping()
            return store
        except Exception:  # noqa: BLE001 - Redis is optional on a laptop
            pass
    return MemoryStore()


def cached(store, key: str, ttl: float, compute):
    """Return ``(value, hit)``: the stored value under ``key`` or ``compute()`` stored for ``ttl`` seconds.

    Only for results that are the same for every user who may see them (e.g. public network
    lists); the key must include the data version so a data change is never served stale.
    """
    value = store.get(key)
    if value is not None:
        return value, True
    value = compute()
    store.set(key, value, ttl)
    return value, False


def shared_cache(key: str, ttl: float, compute):
    """``cached`` on the app's store (Redis when configured); records hit/miss for the X-Cache header."""
    from flask import current_app, g, has_request_context

    if not has_request_context():
        return compute()
    value, hit = cached(current_app.extensions["ra_store"], f"cache:{key}", ttl, compute)
    g.cache_status = "hit" if hit else "miss"
    return value
