"""Dash pages. Each module defines ``PAGE`` (a ``PageSpec``) or ``PAGES``; ``all_pages`` lists them."""
from __future__ import annotations

import importlib

# One module per line, in navigation-independent order (nav order comes from each PageSpec).
MODULES = (
    "home",
    "login",
    "register",
    "account",
    "tokens",
    "companies",
    "network_search",
    "network_views",
    "supplies",
    "client",
    "client_eg",
    "transformer_search",
    "vnr",
    "sec_clients",
    "sec_audit",
    "exchange_status",
    "exchange_tokens",
    "capacity",
    "realtime",
    "errors",
)


def all_pages():
    """Every page of the app (the navbar, router and authorization tests read this list)."""
    pages = []
    for name in MODULES:
        module = importlib.import_module(f"pages.{name}")
        pages.extend([module.PAGE] if hasattr(module, "PAGE") else getattr(module, "PAGES", []))
    return pages
