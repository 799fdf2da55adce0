"""The one authorization mechanism: every Flask endpoint, Dash page and Dash callback has a Policy.

Anything without a policy is denied. ``auth.guard`` enforces policies before any view or callback
runs; data scope (which client, which company) is then checked by services through
``auth.scope``. Tests enumerate the app's own routes and callbacks against these registries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

ANONYMOUS = "anonymous"
ALL_ROLES = frozenset({"public", "client", "eg_client", "sec", "operator", "supervisor"})
# Machine identities authenticated by API tokens, never by a browser session.
SYSTEM_ROLES = frozenset({"company_system", "gas_company_system"})
KNOWN_ROLES = ALL_ROLES | SYSTEM_ROLES
# Who may read the public network information (Anexo 1 §2): every signed-in user of the SEC platform.
NETWORK_READERS = frozenset({"public", "client", "eg_client", "sec", "operator"})
CLIENT_ROLES = frozenset({"client", "eg_client"})
CLIENT_DATA_READERS = frozenset({"client", "eg_client", "sec", "operator"})


@dataclass(frozen=True)
class Policy:
    """Who may use an entry point: ``anonymous=True`` lets anyone in, else only ``roles``."""

    roles: frozenset[str] = frozenset()
    anonymous: bool = False
    description: str = ""

    def allows(self, role: str | None) -> bool:
        """True when a user with ``role`` (None: anonymous) may pass."""
        if self.anonymous:
            return True
        return role is not None and role in self.roles

    def requires_login(self) -> bool:
        """True when anonymous users must sign in first."""
        return not self.anonymous


def roles(*names: str, description: str = "") -> Policy:
    """A policy for signed-in users with one of ``names``."""
    unknown = set(names) - KNOWN_ROLES
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return Policy(frozenset(names), description=description)


def role_set(names: Iterable[str], description: str = "") -> Policy:
    """A policy from a set of role names."""
    return roles(*names, description=description)


PUBLIC = Policy(anonymous=True, description="anyone, including anonymous visitors")
SIGNED_IN = Policy(ALL_ROLES, description="any signed-in user")
NETWORK = Policy(NETWORK_READERS, description="registered users of the public network profile")


def protect(policy: Policy) -> Callable:
    """Decorator attaching ``policy`` to a Flask view function."""

    def decorate(view: Callable) -> Callable:
        view._ra_policy = policy  # read by auth.guard
        return view

    return decorate


class CallbackPolicies:
    """Policies of Dash callbacks keyed by the callback's output id (as in ``app.callback_map``)."""

    def __init__(self) -> None:
        self._by_output: dict[str, Policy] = {}
        self._clientside: set[str] = set()

    def register(self, output_key: str, policy: Policy, clientside: bool = False) -> None:
        """Record the policy of one callback (``clientside``: it runs in the browser only)."""
        self._by_output[output_key] = policy
        if clientside:
            self._clientside.add(output_key)

    def is_clientside(self, output_key: str) -> bool:
        """True for browser-only callbacks (a server request for one is forged)."""
        return output_key in self._clientside

    def get(self, output_key: str) -> Policy | None:
        """The policy of a callback, or None when it has none (denied)."""
        return self._by_output.get(output_key)

    def keys(self) -> set[str]:
        """Every callback output id with a policy."""
        return set(self._by_output)


def secure_callback(dash_app, policy: Policy, *args, **kwargs) -> Callable:
    """``dash_app.callback`` that also records ``policy`` for the guard (the only way to add callbacks)."""
    registry: CallbackPolicies = dash_app.server.extensions["ra_callback_policies"]

    def decorate(func: Callable) -> Callable:
        before = set(dash_app.callback_map)
        wrapped = dash_app.callback(*args, **kwargs)(func)
        for key in set(dash_app.callback_map) - before:
            registry.register(key, policy)
        return wrapped

    return decorate


def secure_clientside_callback(dash_app, policy: Policy, js: str, *args, **kwargs) -> None:
    """``dash_app.clientside_callback`` recorded like server callbacks (it never reaches the server,
    but the authorization matrix still lists it)."""
    registry: CallbackPolicies = dash_app.server.extensions["ra_callback_policies"]
    before = set(dash_app.callback_map)
    dash_app.clientside_callback(js, *args, **kwargs)
    for key in set(dash_app.callback_map) - before:
        registry.register(key, policy, clientside=True)
