"""A cheap data version for cache keys: it changes whenever company data changes."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ChangeLog, DistributionCompany, InitialLoad


def data_version(session: Session) -> str:
    """Max change-log id, max initial-load id and when the companies were loaded (three index lookups).

    Every delta batch and initial load moves one of the first two; the third tells two databases apart
    (a reseeded or restored database starts its ids again), so a shared cache never serves another
    dataset's results.
    """
    changes, loads, epoch = session.execute(select(
        select(func.max(ChangeLog.id)).scalar_subquery(), select(func.max(InitialLoad.id)).scalar_subquery(),
        select(func.max(DistributionCompany.created_at)).scalar_subquery())).one()
    stamp = epoch.timestamp() if epoch is not None else 0
    return f"{changes or 0}.{loads or 0}.{stamp:.6f}"
