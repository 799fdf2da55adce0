"""Dash pages. Each module defines ``PAGE`` (a ``PageSpec``); ``all_pages`` lists them for the registry."""
from __future__ import annotations


def all_pages():
    """Every page of the app (the navbar, router and authorization tests read this list)."""
    from pages import account, companies, errors, home, login, realtime, register, tokens, transformer_search, vnr

    return [home.PAGE, login.PAGE, register.PAGE, account.PAGE, tokens.PAGE, companies.PAGE, transformer_search.PAGE,
            vnr.PAGE, *realtime.PAGES, *errors.PAGES]
