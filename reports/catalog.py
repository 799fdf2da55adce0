"""Every module that defines views, imported once so the views register their routes."""
from services.views import company  # noqa: F401
from services.views import vnr  # noqa: F401
from services.views import exchange_status  # noqa: F401
from services.views import sec  # noqa: F401
from services.views import network_detail, network_feeder, network_lists  # noqa: F401
from services.views import client, client_eg, client_eg_docs  # noqa: F401
from services.views import capacity, capacity_point  # noqa: F401
from realtime import views_admin, views_live  # noqa: F401,E402  (real-time supervision, issue 6)
