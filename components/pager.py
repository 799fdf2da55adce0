"""Page-by-page navigation for long result grids; the page number lives in the URL (``pagina``)."""
from __future__ import annotations

import dataclasses
import math
from urllib.parse import urlencode

from dash import dcc, html

from reports.model import Report, Table
from services.formatting import fmt_number


def current_page(query: dict) -> int:
    """The 1-based page requested in the query string (bad values -> 1)."""
    try:
        return max(1, int(query.get("pagina", 1)))
    except (TypeError, ValueError):
        return 1


def paginate(report: Report, table_key: str, page: int, size: int) -> tuple[Report, int, int]:
    """A copy of ``report`` whose table shows one page; returns (report, page, pages)."""
    table = report.table(table_key)
    if table is None:
        return report, 1, 1
    pages = max(1, math.ceil(len(table.rows) / size))
    page = min(page, pages)
    sliced = dataclasses.replace(table, rows=table.rows[(page - 1) * size: page * size])
    sections = [sliced if s is table else s for s in report.sections]
    return dataclasses.replace(report, sections=sections), page, pages


def pager(path: str, query: dict, page: int, pages: int, element_id: str,
          next_label: str = "Siguiente") -> html.Nav | None:
    """Previous / numbered / next links keeping the other query parameters."""
    if pages <= 1:
        return None

    def href(n: int) -> str:
        return f"{path}?{urlencode({**{k: v for k, v in query.items() if k != 'pagina'}, 'pagina': n})}"

    numbers = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items, last = [], 0
    for n in numbers:
        if n - last > 1:
            items.append(html.Li(html.Span("…", className="page-link"), className="page-item disabled"))
        items.append(html.Li(dcc.Link(fmt_number(n), href=href(n), className="page-link"),
                             className="page-item" + (" active" if n == page else "")))
        last = n
    prev = html.Li(dcc.Link("Anterior", href=href(page - 1), className="page-link"),
                   className="page-item" + (" disabled" if page == 1 else ""))
    nxt = html.Li(dcc.Link(next_label, href=href(page + 1), className="page-link", id=f"{element_id}-next"),
                  className="page-item" + (" disabled" if page == pages else ""))
    return html.Nav(html.Ul([prev, *items, nxt], className="pagination pagination-sm mb-0"),
                    **{"aria-label": "páginas"}, id=element_id, className="no-print mt-2")


def table_rows(report: Report, key: str) -> Table | None:
    """The table ``key`` of a report (helper for tests and pages)."""
    return report.table(key)
