"""The public network profile (Anexo 1 §2.3): location hierarchy, demands and margins, asset search, maps.

Every function takes the request's SQLAlchemy ``Session`` and the ``Actor``; pages, callbacks,
views and the /api/v1 routes all call these same functions.
"""
