"""Every module that defines views, imported once so the views register their routes."""
from services.views import client, client_eg, client_eg_docs, company  # noqa: F401
