"""A cheap data version for cache keys: it changes whenever company data changes."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ChangeLog, InitialLoad


def data_version(session: Session) -> str:
    """Max change-log id and initial-load id: any delta or load moves it (seeding sets it once)."""
    changes = session.scalar(select(func.max(ChangeLog.id))) or 0
    loads = session.scalar(select(func.max(InitialLoad.id))) or 0
    return f"{changes}.{loads}"
