"""Error pages rendered by the router: not found and forbidden."""
from __future__ import annotations

from components.shell import message_page


def not_found():
    """404: the address does not exist."""
    return message_page("Página no encontrada", "La dirección solicitada no existe o fue movida.", "404")


def forbidden():
    """403: signed in, but the role may not open this page."""
    return message_page("Acceso no permitido", "Su perfil no tiene acceso a esta página.", "403")


PAGES: list = []
