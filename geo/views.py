"""Geographic downloads served by Flask: the KMZ plan of a feeder."""
from __future__ import annotations

from flask import Blueprint, Response

from auth.policy import NETWORK, protect
from auth.session import current_actor
from data.db import get_session
from services.feeder_plan import feeder_plan_kmz

bp = Blueprint("geo_files", __name__)

KMZ_MIMETYPE = "application/vnd.google-earth.kmz"


@bp.get("/red/alimentador/<int:feeder_id>/plano.kmz")
@protect(NETWORK)
def feeder_kmz(feeder_id: int):
    """Download the feeder's georeferenced plan (opens in Google Earth and QGIS)."""
    filename, data = feeder_plan_kmz(get_session(), current_actor(), feeder_id)
    return Response(data, mimetype=KMZ_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
