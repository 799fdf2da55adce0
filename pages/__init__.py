"""Dash pages. Each module defines ``PAGE`` (a ``PageSpec``); ``all_pages`` lists them for the registry."""
from __future__ import annotations


def all_pages():
    """Every page of the app (the navbar, router and authorization tests read this list)."""
    from pages import account, companies, errors, home, login, realtime

    return [home.PAGE, login.PAGE, account.PAGE, companies.PAGE, *realtime.PAGES, *errors.PAGES]
