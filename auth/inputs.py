"""Input bounds shared by every route: database-safe integer identifiers in URLs."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: larger ids can never exist and would raise in the driver


class BoundedIntConverter(IntegerConverter):
    """``<int:x>`` limited to 0..2**31-1, so an out-of-range id is a 404 rather than a database error."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        upper = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=upper, signed=signed)


def install(app) -> None:
    """Use the bounded converter for every ``<int:...>`` route of ``app`` (call before adding routes)."""
    app.url_map.converters["int"] = BoundedIntConverter
