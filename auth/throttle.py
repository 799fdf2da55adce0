"""Login throttling: a request rate per address, and temporary lockouts per account and per address.

* Every POST to /auth/login counts against ``login_rate_per_ip`` (a moving window of the
  ``limits`` library — the engine of Flask-Limiter — on Redis when ``redis_url`` is set,
  in memory otherwise).
* Failed logins are counted per account name (existing or not: no enumeration) and per address
  within ``login_lockout_minutes``; reaching ``login_max_failures`` / ``login_ip_max_failures``
  locks the account name / address for ``login_lockout_minutes``.
* If Redis fails at run time the throttle falls back to this process's memory instead of
  failing open or breaking the login page.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Callable

from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from services.cache import MemoryStore

log = logging.getLogger("redabierta.security")
PREFIX = "ra-login"


def _key(kind: str, value: str) -> str:
    # Hash the identifiers: the shared store never holds user names or addresses in clear.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


class LoginThrottle:
    """Per-address rate and per-account/per-address lockouts for the login form."""

    def __init__(self, settings, store, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.store = store
        self.clock = clock
        self._fallback_store = MemoryStore()
        self.rate = parse(settings.login_rate_per_ip)
        uri = settings.redis_url if settings.redis_url and type(store).__name__ == "RedisStore" else "memory://"
        self._limiter = MovingWindowRateLimiter(storage_from_string(uri))
        self._fallback_limiter = MovingWindowRateLimiter(MemoryStorage())

    # -- storage with a fallback -------------------------------------------------------------
    def _call(self, method: str, *args):
        try:
            return getattr(self.store, method)(*args)
        except Exception as exc:  # noqa: BLE001 - Redis down: keep throttling in this process
            log.warning("login throttle store unavailable (%s); using process memory", type(exc).__name__)
            return getattr(self._fallback_store, method)(*args)

    def request_allowed(self, ip: str) -> bool:
        """Count one login request from ``ip``; False when the address exceeded the rate."""
        try:
            return self._limiter.hit(self.rate, PREFIX, "rate", ip)
        except Exception as exc:  # noqa: BLE001
            log.warning("login rate storage unavailable (%s); using process memory", type(exc).__name__)
            return self._fallback_limiter.hit(self.rate, PREFIX, "rate", ip)

    # -- lockouts ----------------------------------------------------------------------------
    def locked_for(self, username: str, ip: str) -> int:
        """Seconds until the account name or the address is unlocked (0: not locked)."""
        now = self.clock()
        remaining = 0.0
        for key in (_key("lock-u", username), _key("lock-ip", ip)):
            until = self._call("get", key)
            if until is not None and float(until) > now:
                remaining = max(remaining, float(until) - now)
        return int(math.ceil(remaining))

    def failure(self, username: str, ip: str) -> None:
        """Record a failed login; lock the account name / address when its limit is reached."""
        window = self.settings.login_lockout_minutes * 60
        until = self.clock() + window
        if self._call("incr", _key("fail-u", username), window) >= self.settings.login_max_failures:
            self._call("set", _key("lock-u", username), until, window)
            self._call("delete", _key("fail-u", username))
            log.warning("login lockout: account", extra={"event": "login_lockout", "scope": "account"})
        if self._call("incr", _key("fail-ip", ip), window) >= self.settings.login_ip_max_failures:
            self._call("set", _key("lock-ip", ip), until, window)
            self._call("delete", _key("fail-ip", ip))
            log.warning("login lockout: address", extra={"event": "login_lockout", "scope": "address"})

    def success(self, username: str) -> None:
        """A successful login clears the account's failure counter."""
        self._call("delete", _key("fail-u", username))

    def unlock(self, username: str) -> None:
        """Clear an account's lockout (operator password reset)."""
        for key in (_key("fail-u", username), _key("lock-u", username)):
            self._call("delete", key)


def init_app(app) -> None:
    """Attach the throttle to ``app``."""
    app.extensions["ra_login_throttle"] = LoginThrottle(app.extensions["ra_settings"], app.extensions["ra_store"])


def throttle() -> LoginThrottle:
    """The current app's login throttle."""
    from flask import current_app

    return current_app.extensions["ra_login_throttle"]
