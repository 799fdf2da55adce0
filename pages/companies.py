"""Companies and concession areas: the entry of the public network profile."""
from __future__ import annotations

from auth.policy import NETWORK
from auth.session import current_actor
from components.report_view import render_report
from data.db import get_session
from pages.registry import PageSpec
from reports.views import build_view


def layout(query: dict | None = None):
    """The companies view rendered from its Report."""
    return render_report(build_view("distribuidoras", get_session(), current_actor(), {}))


PAGE = PageSpec(name="companies", path="/red/distribuidoras", title="Distribuidoras", policy=NETWORK, layout=layout,
                nav_label="Distribuidoras", nav_order=10,
                home_card="Empresas distribuidoras, sus comunas de concesión y capacidad instalada.")
