"""Building blocks shared by the client and EG client pages: a guarded section renderer and the section nav."""
from __future__ import annotations

from typing import Callable

import dash_bootstrap_components as dbc
from dash import html

from api.core import ApiError
from auth.scope import AccessDenied
from auth.session import current_actor
from components.report_view import error_alert, render_report
from data.db import get_session
from reports.views import build_view


def section_nav(nav_id: str, base: str, sections: list[tuple[str, str]], current: str) -> dbc.Nav:
    """Pills linking to each section of a supply page (state in the query string)."""
    return dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=f"{base}?seccion={key}", active=key == current,
                                            id=f"{nav_id}-{key}", className="py-1 px-2 small"))
                    for key, label in sections], pills=True, className="mb-3 flex-wrap gap-1 no-print", id=nav_id)


def guarded_section(view_name: str, raw: dict, top=None, bottom: Callable | None = None):
    """Render a view for the page, or a Spanish message when it is out of scope or the input is invalid.

    ``bottom(report)`` may add components under the report (e.g. a pager).
    """
    try:
        report = build_view(view_name, get_session(), current_actor(), raw)
    except AccessDenied as exc:
        return error_alert(exc.message)
    except ApiError as exc:
        reasons = "; ".join(f"{d.get('field')}: {d.get('reason')}" for d in exc.details if isinstance(d, dict))
        return error_alert(f"{exc.message} {reasons}".strip())
    page = render_report(report, top)
    return html.Div([page, bottom(report)]) if bottom is not None else page


def clean_query(query: dict | None, allowed: set[str]) -> dict:
    """Only the allowed, non-empty query parameters (page state), trimmed."""
    return {k: str(v).strip() for k, v in (query or {}).items() if k in allowed and str(v).strip()}
