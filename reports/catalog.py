"""Every module that defines views, imported once so the views register their routes."""
from services.views import company  # noqa: F401
