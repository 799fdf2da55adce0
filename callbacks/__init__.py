"""Dash callbacks: thin adapters from inputs to services to components.

Each module exposes ``register(dash_app)`` and adds callbacks only through
``auth.policy.secure_callback`` so every callback carries an authorization policy.
"""
from __future__ import annotations


def register_all(dash_app) -> None:
    """Register every callback module on ``dash_app``."""
    from callbacks import realtime, report_actions, router, searches, tokens

    for module in (router, report_actions, tokens, searches, realtime):
        module.register(dash_app)
