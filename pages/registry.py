"""Page specs and path matching: one source of truth for routes, titles, navigation and access."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from auth.policy import Policy


@dataclass(frozen=True)
class PageSpec:
    """A page: its path pattern (werkzeug syntax), title, access policy and layout factory.

    ``layout(**path_params, query=dict)`` builds the page; it runs inside the guarded router
    callback, never at import, so restricted data cannot leak into a static layout.
    """

    name: str
    path: str
    title: str
    policy: Policy
    layout: Callable
    nav_label: str | None = None  # shown in the navbar when set
    nav_order: int = 100
    home_card: str | None = None  # description on the home page when set
    extra_paths: tuple[str, ...] = field(default_factory=tuple)


class PageRegistry:
    """All pages of the app and a matcher from URL path to (page, params)."""

    def __init__(self, pages: list[PageSpec]):
        self.pages = {p.name: p for p in pages}
        rules = []
        for page in pages:
            for path in (page.path, *page.extra_paths):
                rules.append(Rule(path, endpoint=page.name))
        from auth.inputs import BoundedIntConverter

        self._map = Map(rules, strict_slashes=False, converters={"int": BoundedIntConverter})

    def match(self, path: str) -> tuple[PageSpec, dict] | None:
        """The page serving ``path`` and its path parameters, or None."""
        try:
            name, params = self._map.bind("localhost").match(path or "/", method="GET")
        except HTTPException:
            return None
        return self.pages[name], params

    def nav(self, role: str | None) -> list[PageSpec]:
        """Pages to show in the navbar for ``role``, in order."""
        return sorted((p for p in self.pages.values() if p.nav_label and p.policy.allows(role) and not
                       (p.policy.anonymous and role is not None and p.name in ("login", "register"))),
                      key=lambda p: p.nav_order)
