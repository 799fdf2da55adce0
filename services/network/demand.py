"""Monthly max/min demands (last 12 months) and the spare capacity (MARGEN) of distribution transformers.

MARGEN (kW) = kVA × fp − Dmax12, where Dmax12 is the highest monthly maximum demand of the last
12 published months and fp = ``POWER_FACTOR`` (0.95, the design power factor companies use to
size distribution transformers). A negative margin means the transformer is overloaded.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import DistributionTransformer, FeederDemand, TransformerDemand
from services.formatting import month_add
from services.network.hierarchy import get_feeder, get_transformer

POWER_FACTOR = 0.95
MONTHS = 12
MARGIN_FORMULA = (f"MARGEN (kW) = capacidad (kVA) × fp − demanda máxima de los últimos {MONTHS} meses (kW), "
                  f"con fp = {str(POWER_FACTOR).replace('.', ',')}.")


def margin_kw(kva: float, max_demand_kw: float | None, power_factor: float = POWER_FACTOR) -> float | None:
    """Spare capacity of a transformer in kW (None without demand data)."""
    if max_demand_kw is None:
        return None
    return round(kva * power_factor - max_demand_kw, 1)


def _last_months(rows) -> list[dict]:
    rows = sorted(rows, key=lambda r: r.month, reverse=True)
    if not rows:
        return []
    first = month_add(rows[0].month, -(MONTHS - 1))
    return [{"month": r.month, "max_kw": r.max_demand_kw, "min_kw": r.min_demand_kw}
            for r in rows if r.month >= first][:MONTHS]


def feeder_demands(session: Session, actor: Actor, feeder_id: int) -> list[dict]:
    """The feeder's last 12 monthly max/min demands (kW, normal operation), newest first."""
    get_feeder(session, actor, feeder_id)
    latest = session.scalar(select(func.max(FeederDemand.month)).where(FeederDemand.feeder_id == feeder_id))
    if latest is None:
        return []
    rows = session.scalars(select(FeederDemand).where(FeederDemand.feeder_id == feeder_id,
                                                      FeederDemand.month >= month_add(latest, -(MONTHS - 1))))
    return _last_months(rows)


def transformer_demands(session: Session, actor: Actor, transformer_id: int) -> list[dict] | None:
    """The last 12 monthly max/min demands of an SMMC-monitored transformer; None when it is not monitored."""
    tr = get_transformer(session, actor, transformer_id)
    if not tr.smmc_monitored:
        return None
    latest = session.scalar(select(func.max(TransformerDemand.month))
                            .where(TransformerDemand.transformer_id == transformer_id))
    if latest is None:
        return []
    rows = session.scalars(select(TransformerDemand).where(
        TransformerDemand.transformer_id == transformer_id,
        TransformerDemand.month >= month_add(latest, -(MONTHS - 1))))
    return _last_months(rows)


def feeder_transformer_margins(session: Session, actor: Actor, feeder_id: int) -> list[dict]:
    """Every transformer of a feeder with kVA, its last-12-month max demand and MARGEN (kW)."""
    get_feeder(session, actor, feeder_id)
    latest = session.scalar(select(func.max(TransformerDemand.month)).join(
        DistributionTransformer, DistributionTransformer.id == TransformerDemand.transformer_id)
        .where(DistributionTransformer.feeder_id == feeder_id))
    peaks = {}
    if latest is not None:
        peaks = dict(session.execute(
            select(TransformerDemand.transformer_id, func.max(TransformerDemand.max_demand_kw))
            .join(DistributionTransformer, DistributionTransformer.id == TransformerDemand.transformer_id)
            .where(DistributionTransformer.feeder_id == feeder_id,
                   TransformerDemand.month >= month_add(latest, -(MONTHS - 1)))
            .group_by(TransformerDemand.transformer_id)).all())
    rows = []
    for t in session.scalars(select(DistributionTransformer).where(DistributionTransformer.feeder_id == feeder_id)
                             .order_by(DistributionTransformer.code)):
        peak = peaks.get(t.id)
        rows.append({"id": t.id, "code": t.code, "name": t.name, "kva": t.kva, "phase_type": t.phase_type,
                     "smmc": t.smmc_monitored, "max_kw": peak, "margin_kw": margin_kw(t.kva, peak),
                     "href": f"/red/transformador/{t.id}"})
    return rows


def transformer_margin(session: Session, actor: Actor, transformer_id: int) -> tuple[float | None, float | None]:
    """(last-12-month max demand kW, MARGEN kW) of one transformer."""
    tr = get_transformer(session, actor, transformer_id)
    latest = session.scalar(select(func.max(TransformerDemand.month))
                            .where(TransformerDemand.transformer_id == transformer_id))
    if latest is None:
        return None, None
    peak = session.scalar(select(func.max(TransformerDemand.max_demand_kw)).where(
        TransformerDemand.transformer_id == transformer_id, TransformerDemand.month >= month_add(latest, -(MONTHS - 1))))
    return peak, margin_kw(tr.kva, peak)
