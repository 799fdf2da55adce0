"""The query layer: read capacity inputs from the database into frames and apply ``calc``.

Functions take the request's Session (never create one). "Data as of" is the last month with demand
data; demand criteria use the window of ``criteria.demand_window_months`` ending that month.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import (
    Comuna,
    ConnectionApplication,
    DistributionCompany,
    DistributionTransformer,
    Feeder,
    FeederDemand,
    GenerationInstallation,
    Pmgd,
    Pole,
    Span,
    Substation,
    TransformerDemand,
)
from geo.crs import frame_to_wgs84
from services.capacity.calc import eg_capacity, pmgd_capacity
from services.capacity.criteria import CapacityCriteria, current_criteria
from services.formatting import month_add
from services.frames import query_frame

IN_PROCESS = "in_process"


@dataclass(frozen=True)
class Scope:
    """Which part of the network to compute: explicit ids, one feeder, one comuna, or everything."""

    ids: tuple[int, ...] | None = None
    feeder_id: int | None = None
    comuna_code: str | None = None

    def apply(self, stmt, model):
        """Restrict a select on ``model`` (transformers or feeders) to this scope."""
        if self.ids is not None:
            stmt = stmt.where(model.id.in_(self.ids))
        if self.feeder_id is not None:
            stmt = stmt.where((model.feeder_id if model is DistributionTransformer else model.id) == self.feeder_id)
        if self.comuna_code is not None:
            stmt = stmt.where(model.comuna_code == self.comuna_code)
        return stmt




def _with_lonlat(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(lon=pd.Series(dtype=float), lat=pd.Series(dtype=float))
    lon, lat = frame_to_wgs84(frame["x"].to_numpy(), frame["y"].to_numpy(), frame["datum"].to_numpy(),
                              frame["zone"].to_numpy())
    return frame.assign(lon=lon, lat=lat)


def _sum_by(session: Session, key, value, *where, prefix: str) -> pd.DataFrame:
    stmt = select(key.label("key"), func.coalesce(func.sum(value), 0.0).label(f"{prefix}_kw"),
                  func.count().label(f"{prefix}_n")).where(*where).group_by(key)
    return query_frame(session, stmt).set_index("key")


def demand_months(session: Session, model, criteria: CapacityCriteria) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) month of the demand window for ``model`` (TransformerDemand or FeederDemand)."""
    last = session.scalar(select(func.max(model.month)))
    if last is None:
        return None, None
    return month_add(last, -(criteria.demand_window_months - 1)), last


def transformer_inputs(session: Session, scope: Scope = Scope(), criteria: CapacityCriteria | None = None
                       ) -> tuple[pd.DataFrame, dt.date | None]:
    """Transformers in ``scope`` with location, Scc, windowed demand, EG connected and EG in process."""
    criteria = criteria or current_criteria()
    T = DistributionTransformer
    stmt = (select(T.id, T.code, T.name, T.company_id, DistributionCompany.code.label("company_code"), T.feeder_id,
                   Feeder.code.label("feeder_code"), T.comuna_code, Comuna.name.label("comuna_name"), T.kva,
                   T.primary_kv, T.secondary_v, T.phase_type, T.smmc_monitored, T.short_circuit_kva.label("scc_mv_kva"),
                   T.x, T.y, T.datum, T.zone)
            .join(Feeder, Feeder.id == T.feeder_id).join(DistributionCompany, DistributionCompany.id == T.company_id)
            .join(Comuna, Comuna.code == T.comuna_code).order_by(T.code))
    frame = _with_lonlat(query_frame(session, scope.apply(stmt, T)))
    first, last = demand_months(session, TransformerDemand, criteria)
    ids = scope.apply(select(T.id), T).scalar_subquery() if scope != Scope() else None

    def restrict(col):
        return (col.in_(ids),) if ids is not None else ()

    if first is not None:
        D = TransformerDemand
        demand = query_frame(session, select(D.transformer_id.label("key"),
                                        func.min(D.min_daytime_demand_kw).label("min_daytime_demand_kw"),
                                        func.min(D.min_demand_kw).label("min_demand_kw"),
                                        func.max(D.max_demand_kw).label("max_demand_kw"))
                        .where(D.month >= first, D.month <= last, *restrict(D.transformer_id))
                        .group_by(D.transformer_id)).set_index("key")
    else:
        demand = pd.DataFrame(columns=["min_daytime_demand_kw", "min_demand_kw", "max_demand_kw"])
    G, A = GenerationInstallation, ConnectionApplication
    eg = _sum_by(session, G.transformer_id, G.capacity_kw, G.status == "connected", *restrict(G.transformer_id),
                 prefix="eg_connected")
    queue = _sum_by(session, A.transformer_id, A.capacity_kw, A.status == IN_PROCESS, A.kind == "eg",
                    A.transformer_id.is_not(None), *restrict(A.transformer_id), prefix="eg_queue")
    frame = frame.join(demand, on="id").join(eg, on="id").join(queue, on="id")
    for col in ("eg_connected_kw", "eg_queue_kw", "eg_connected_n", "eg_queue_n"):
        frame[col] = frame[col].fillna(0).astype(float)
    for col in ("min_daytime_demand_kw", "min_demand_kw", "max_demand_kw"):
        frame[col] = frame[col].astype(float)
        if criteria.require_smmc_demand:
            frame.loc[~frame["smmc_monitored"].astype(bool), col] = np.nan
    frame["level"] = "BT"
    return frame, last


def transformer_capacity(session: Session, scope: Scope = Scope(), criteria: CapacityCriteria | None = None
                         ) -> tuple[pd.DataFrame, dt.date | None]:
    """EG criteria per transformer in ``scope`` and the "data as of" month."""
    criteria = criteria or current_criteria()
    inputs, as_of = transformer_inputs(session, scope, criteria)
    return eg_capacity(inputs, criteria), as_of


def feeder_inputs(session: Session, scope: Scope = Scope(), criteria: CapacityCriteria | None = None
                  ) -> tuple[pd.DataFrame, dt.date | None]:
    """Feeders in ``scope`` with Scc at the head, capacity, windowed demand, PMGD and EG connected/in process."""
    criteria = criteria or current_criteria()
    F = Feeder
    stmt = (select(F.id, F.code, F.name, F.company_id, DistributionCompany.code.label("company_code"),
                   F.substation_id, Substation.name.label("substation_name"), F.comuna_code,
                   Comuna.name.label("comuna_name"), F.nominal_kv, F.capacity_kva, F.short_circuit_kva.label("scc_kva"))
            .join(Substation, Substation.id == F.substation_id)
            .join(DistributionCompany, DistributionCompany.id == F.company_id)
            .join(Comuna, Comuna.code == F.comuna_code).order_by(F.code))
    frame = query_frame(session, scope.apply(stmt, F))
    first, last = demand_months(session, FeederDemand, criteria)
    ids = scope.apply(select(F.id), F).scalar_subquery() if scope != Scope() else None

    def restrict(col):
        return (col.in_(ids),) if ids is not None else ()

    if first is not None:
        D = FeederDemand
        demand = query_frame(session, select(D.feeder_id.label("key"), func.min(D.min_demand_kw).label("min_demand_kw"),
                                        func.max(D.max_demand_kw).label("max_demand_kw"))
                        .where(D.month >= first, D.month <= last, *restrict(D.feeder_id))
                        .group_by(D.feeder_id)).set_index("key")
    else:
        demand = pd.DataFrame(columns=["min_demand_kw", "max_demand_kw"])
    A, G, T = ConnectionApplication, GenerationInstallation, DistributionTransformer
    pmgd = _sum_by(session, Pmgd.feeder_id, Pmgd.capacity_kw, *restrict(Pmgd.feeder_id), prefix="pmgd_connected")
    pmgd_q = _sum_by(session, A.feeder_id, A.capacity_kw, A.status == IN_PROCESS, A.kind == "pmgd",
                     *restrict(A.feeder_id), prefix="pmgd_queue")
    eg_q = _sum_by(session, A.feeder_id, A.capacity_kw, A.status == IN_PROCESS, A.kind == "eg",
                   *restrict(A.feeder_id), prefix="eg_queue")
    eg_stmt = (select(T.feeder_id.label("key"), func.coalesce(func.sum(G.capacity_kw), 0.0).label("eg_connected_kw"),
                      func.count().label("eg_connected_n"))
               .join(T, T.id == G.transformer_id).where(G.status == "connected", *restrict(T.feeder_id))
               .group_by(T.feeder_id))
    eg = query_frame(session, eg_stmt).set_index("key")
    frame = frame.join(demand, on="id").join(pmgd, on="id").join(pmgd_q, on="id").join(eg, on="id").join(eg_q, on="id")
    for col in ("pmgd_connected_kw", "pmgd_queue_kw", "eg_connected_kw", "eg_queue_kw", "pmgd_connected_n",
                "pmgd_queue_n", "eg_connected_n", "eg_queue_n"):
        frame[col] = frame[col].fillna(0).astype(float)
    for col in ("min_demand_kw", "max_demand_kw"):
        frame[col] = frame[col].astype(float)
    return frame, last


def feeder_capacity(session: Session, scope: Scope = Scope(), criteria: CapacityCriteria | None = None
                    ) -> tuple[pd.DataFrame, dt.date | None]:
    """PMGD indicators per feeder in ``scope`` and the "data as of" month."""
    criteria = criteria or current_criteria()
    inputs, as_of = feeder_inputs(session, scope, criteria)
    return pmgd_capacity(inputs, criteria), as_of


def feeder_lines(session: Session, feeder_ids) -> dict[int, list[list[list[float]]]]:
    """MV span segments per feeder as lon/lat coordinate pairs (for maps and the spatial index)."""
    ids = list(feeder_ids)
    if not ids:
        return {}
    A, B = Pole.__table__.alias("a"), Pole.__table__.alias("b")
    stmt = (select(Span.feeder_id, A.c.x.label("x0"), A.c.y.label("y0"), A.c.datum.label("d0"), A.c.zone.label("z0"),
                   B.c.x.label("x1"), B.c.y.label("y1"), B.c.datum.label("d1"), B.c.zone.label("z1"))
            .join(A, A.c.id == Span.from_pole_id).join(B, B.c.id == Span.to_pole_id)
            .where(Span.voltage_level == "MT", Span.feeder_id.in_(ids)))
    spans = query_frame(session, stmt)
    if spans.empty:
        return {}
    lon0, lat0 = frame_to_wgs84(spans["x0"].to_numpy(), spans["y0"].to_numpy(), spans["d0"].to_numpy(), spans["z0"].to_numpy())
    lon1, lat1 = frame_to_wgs84(spans["x1"].to_numpy(), spans["y1"].to_numpy(), spans["d1"].to_numpy(), spans["z1"].to_numpy())
    out: dict[int, list] = {}
    for fid, a, b, c, d in zip(spans["feeder_id"].to_numpy(), lon0, lat0, lon1, lat1):
        out.setdefault(int(fid), []).append([[round(a, 6), round(b, 6)], [round(c, 6), round(d, 6)]])
    return out


def queue(session: Session, *, transformer_id: int | None = None, feeder_id: int | None = None) -> pd.DataFrame:
    """Applications in process (the queue) on one transformer or one feeder, oldest first."""
    A = ConnectionApplication
    stmt = select(A.code, A.kind, A.capacity_kw, A.submitted_on, A.transformer_id).where(A.status == IN_PROCESS)
    if transformer_id is not None:
        stmt = stmt.where(A.transformer_id == transformer_id)
    if feeder_id is not None:
        stmt = stmt.where(A.feeder_id == feeder_id)
    return query_frame(session, stmt.order_by(A.submitted_on, A.code))


def connected_pmgds(session: Session, feeder_id: int) -> pd.DataFrame:
    """Connected PMGDs of a feeder."""
    return query_frame(session, select(Pmgd.code, Pmgd.name, Pmgd.technology, Pmgd.capacity_kw, Pmgd.connection_date)
                  .where(Pmgd.feeder_id == feeder_id).order_by(Pmgd.code))


def connected_eg(session: Session, transformer_id: int) -> pd.DataFrame:
    """Connected EG installations on a transformer (codes and sizes only: no client data)."""
    G = GenerationInstallation
    return query_frame(session, select(G.code, G.technology, G.capacity_kw, G.inverter_kw, G.connection_date)
                  .where(G.transformer_id == transformer_id, G.status == "connected").order_by(G.code))


def feeder_monthly_demand(session: Session, feeder_id: int, criteria: CapacityCriteria | None = None) -> pd.DataFrame:
    """Monthly max/min demand of a feeder over the demand window."""
    criteria = criteria or current_criteria()
    first, last = demand_months(session, FeederDemand, criteria)
    D = FeederDemand
    if first is None:
        return pd.DataFrame(columns=["month", "max_demand_kw", "min_demand_kw"])
    return query_frame(session, select(D.month, D.max_demand_kw, D.min_demand_kw)
                  .where(D.feeder_id == feeder_id, D.month >= first, D.month <= last).order_by(D.month))


def comunas_with_network(session: Session) -> list[tuple[str, str, int]]:
    """(code, name, transformers) of every comuna with distribution transformers, by name."""
    T = DistributionTransformer
    rows = session.execute(select(Comuna.code, Comuna.name, func.count(T.id)).join(T, T.comuna_code == Comuna.code)
                           .group_by(Comuna.code, Comuna.name).order_by(Comuna.name)).all()
    return [(code, name, int(n)) for code, name, n in rows]
