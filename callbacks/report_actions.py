"""Imprimir: print what is shown (the print stylesheet hides navigation)."""
from __future__ import annotations

from dash import Input, Output

from auth.policy import SIGNED_IN, secure_clientside_callback
from components.report_view import PRINT_BUTTON, PRINT_SINK


def register(dash_app) -> None:
    """Register the print button handler (browser-side)."""
    secure_clientside_callback(
        dash_app, SIGNED_IN,
        "function(n){ if(n){ window.print(); } return ''; }",
        Output(PRINT_SINK, "children"), Input(PRINT_BUTTON, "n_clicks"), prevent_initial_call=True,
    )
