"""API metadata routes."""
from __future__ import annotations

from flask import jsonify

from api.core import api_route, openapi_document, registry
from auth.policy import PUBLIC, protect
from auth.session import current_actor


@registry.blueprint.get("/openapi.json")
@protect(PUBLIC)
def openapi():
    """The OpenAPI document of every /api/v1 route."""
    return jsonify(openapi_document())


@api_route("/me", policy=PUBLIC, summary="Identidad de la solicitud (usuario, rol o anónimo)", tags=("meta",),
           response_schema={"type": "object", "properties": {"username": {"type": ["string", "null"]},
                                                             "role": {"type": ["string", "null"]}}})
def me():
    """Who the request is authenticated as."""
    actor = current_actor()
    return jsonify(username=actor.username or None, role=actor.role)
