"""Application settings, read once from the environment by ``create_app``.

Nothing else in the code base reads environment variables: every component receives
the ``Settings`` object (or the values it needs) from the app factory.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PLACEHOLDER_SECRETS = {"", "changeme", "secret", "dev", "development", "please-change-me"}


class SettingsError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent."""


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one app instance (documented in docs/configuration.md)."""

    env: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'redabierta.db'}"
    secret_key: str = ""
    redis_url: str = ""  # empty: in-process cache and rate limits
    redis_prefix: str = "ra"  # namespace of every Redis key (several deployments may share a Redis)
    mqtt_url: str = ""  # empty: real-time MQTT ingest disabled
    behind_tls: bool = False
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    max_page_size: int = 500
    default_page_size: int = 50
    max_request_bytes: int = 5 * 1024 * 1024
    max_json_depth: int = 20
    login_rate_per_ip: str = "20 per minute"  # every login POST from one address (limits syntax)
    login_max_failures: int = 5  # failed logins of one account before it is locked
    login_ip_max_failures: int = 50  # failed logins from one address before it is locked
    login_lockout_minutes: int = 15  # failure window and lockout duration
    proxy_hops: int = 0  # trusted reverse proxies in front (X-Forwarded-For/-Proto via ProxyFix)
    hsts_seconds: int = 31536000  # Strict-Transport-Security max-age (sent only behind TLS)
    raw_sample_retention_days: int = 30
    # Registration captcha (ALTCHA proof of work, docs/access.md): PBKDF2 iterations per attempt and the
    # largest counter a browser may have to reach (the expected work is ~3/4 of it).
    captcha_cost: int = 1000
    captcha_max_counter: int = 2000
    captcha_ttl_minutes: int = 10
    max_personal_tokens: int = 10
    tiles_url: str = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """True when running with production safety checks."""
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        """Build settings from ``RA_*`` / well-known environment variables."""
        env = os.environ if environ is None else environ
        kwargs: dict = {}
        mapping = {
            "env": "RA_ENV",
            "database_url": "DATABASE_URL",
            "secret_key": "SECRET_KEY",
            "redis_url": "REDIS_URL",
            "redis_prefix": "RA_REDIS_PREFIX",
            "mqtt_url": "MQTT_URL",
            "behind_tls": "RA_BEHIND_TLS",
            "tiles_url": "RA_TILES_URL",
            "proxy_hops": "RA_PROXY_HOPS",
        }
        for name, var in mapping.items():
            if var in env:
                kwargs[name] = env[var]
        if "behind_tls" in kwargs:
            kwargs["behind_tls"] = str(kwargs["behind_tls"]).lower() in {"1", "true", "yes"}
        if "proxy_hops" in kwargs:
            try:
                kwargs["proxy_hops"] = int(kwargs["proxy_hops"])
            except ValueError:
                raise SettingsError("RA_PROXY_HOPS must be an integer") from None
        return cls(**kwargs).validated()

    def with_overrides(self, overrides: dict | None) -> "Settings":
        """Return a copy with ``overrides`` applied (unknown keys go to ``extra``)."""
        if not overrides:
            return self.validated()
        known = {f.name for f in fields(self)}
        direct = {k: v for k, v in overrides.items() if k in known}
        extra = {**self.extra, **{k: v for k, v in overrides.items() if k not in known}}
        return replace(self, **direct, extra=extra).validated()

    def validated(self) -> "Settings":
        """Refuse unsafe production settings; fill a random dev secret otherwise."""
        if self.env not in {"development", "test", "production"}:
            raise SettingsError(f"RA_ENV must be development, test or production, not {self.env!r}")
        if self.proxy_hops < 0 or self.login_max_failures < 1 or self.login_ip_max_failures < 1 \
                or self.login_lockout_minutes < 1:
            raise SettingsError("proxy_hops must be >= 0 and login limits >= 1")
        if self.is_production:
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
                raise SettingsError("SECRET_KEY must be set to a random value of 32+ characters in production")
            return self
        if not self.secret_key:
            # A per-process random key: sessions do not survive restarts in development,
            # which is the safe default when no key was configured.
            return replace(self, secret_key=secrets.token_urlsafe(32))
        return self
