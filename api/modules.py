"""Every API module, imported once so its routes register on the shared blueprint."""
from api import health  # noqa: F401
from api import exchange  # noqa: F401
from api import network  # noqa: F401
from api import capacity  # noqa: F401
from reports import catalog  # noqa: F401,E402  (views register their JSON/PDF/CSV routes)
from api import search  # noqa: F401,E402
from api import clients  # noqa: F401,E402
from api import realtime  # noqa: F401,E402  (real-time supervision, issue 6)
