"""The access log: every access is recorded (who, what, when); personal-data views are flagged."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import AccessLog

access_log = logging.getLogger("redabierta.access")


def record_access(session: Session, actor: Actor, action: str, target: str = "", object_type: str = "",
                  object_id: str | int = "", personal_data: bool = False, detail: str = "", ip: str = "") -> None:
    """Append one access-log row in the caller's transaction."""
    session.add(AccessLog(user_id=actor.user_id, username=actor.username or "anónimo", role=actor.role or "anonymous",
                          ip=ip[:45], action=action[:40], target=target[:300], object_type=object_type[:40],
                          object_id=str(object_id)[:64], personal_data=personal_data, detail=detail))
    # The same event as a structured log line (personal data masked by auth.logmask).
    access_log.info("access %s %s", action, target, extra={
        "event": "access", "action": action, "user": actor.username or "anónimo", "role": actor.role or "anonymous",
        "target": target, "object_type": object_type, "object_id": str(object_id), "personal_data": personal_data,
        "ip": ip})
