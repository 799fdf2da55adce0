"""Point query navigation: a map click or one of the forms becomes the page URL (the view validates it)."""
from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from auth.policy import NETWORK, secure_callback
from pages import capacity as page


def navigate(click, _latlon, _utm, _client, lat, lon, east, north, datum, zone, client, k):
    """Turn the trigger into ``?lat=..`` / ``?este=..`` / ``?cliente=..`` on the page URL."""
    search = page.point_search(ctx.triggered_id, click, {"lat": lat, "lon": lon, "este": east, "norte": north,
                                                          "datum": datum, "huso": zone, "cliente": client, "k": k})
    return search or no_update


def register(dash_app) -> None:
    """Register the point-query navigation callback."""
    secure_callback(dash_app, NETWORK, Output(page.POINT_NAV, "search"),
                    Input(page.POINT_CLICK, "data"), Input(page.POINT_GO_LATLON, "n_clicks"),
                    Input(page.POINT_GO_UTM, "n_clicks"), Input(page.POINT_GO_CLIENT, "n_clicks"),
                    State(page.POINT_LAT, "value"), State(page.POINT_LON, "value"), State(page.POINT_EAST, "value"),
                    State(page.POINT_NORTH, "value"), State(page.POINT_DATUM, "value"), State(page.POINT_ZONE, "value"),
                    State(page.POINT_CLIENT, "value"), State(page.POINT_K, "value"),
                    prevent_initial_call=True)(navigate)
