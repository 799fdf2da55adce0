"""Dash callbacks: thin adapters from inputs to services to components.

Each module exposes ``register(dash_app)`` and adds callbacks only through
``auth.policy.secure_callback`` so every callback carries an authorization policy.
"""
from __future__ import annotations

import importlib

# One module per line: the registration order does not matter.
MODULES = (
    "router",
    "report_actions",
    "tokens",
    "searches",
    "exchange_tokens",
    "network",
    "capacity",
    "realtime",
)


def register_all(dash_app) -> None:
    """Register every callback module on ``dash_app``."""
    for name in MODULES:
        importlib.import_module(f"callbacks.{name}").register(dash_app)
