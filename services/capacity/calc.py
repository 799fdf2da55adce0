"""Pure, vectorised hosting-capacity formulas: DataFrame of inputs in, DataFrame with every criterion out.

EG (netbilling), per distribution transformer, with Scc at the connection point and EG_total the EG
connected plus in process on the transformer (kW; inverters at unity power factor, so kVA ~ kW):
    CIP      = min(Scc / (Kvs * Kman), share * Scc)              (the binding term is reported)
    CIP_av   = max(0, CIP - EG_total)
    IEP_raw  = min(Dmin_day - EG_total, Scc / 20 - EG_total)     (NaN where the demand is not published)
    IEP      = clip(IEP_raw, 0, CIP_av)                            (floored at zero, capped at CIP_av)
    simplified track: EG <= min(10 kW, 20 % kVA - EG_total) on LV (30 kW, 15 % on MV)
PMGD, per MV feeder (indicative screens), with G_total = PMGD + EG connected and in process:
    limits   = ratio * Dmin,  Scc / SCR,  capacity * ratio + Dmin
    PMGD_av  = clip(min(limit) - G_total, 0, 9000 kW)
No I/O here; ``queries`` builds the inputs from the database.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from services.capacity.criteria import CapacityCriteria

CIP_LABELS = {"scc_kvs": "Scc / (Kvs · Kman)", "scc_share": "Fracción de Scc"}
IEP_LABELS = {"demand": "Demanda mínima diurna − EG", "scc": "Scc / 20 − EG", "cip": "CIP disponible"}
PMGD_LABELS = {"min_demand": "Demanda mínima (flujo inverso)", "short_circuit": "Razón de cortocircuito",
               "thermal": "Capacidad térmica del alimentador", "pmgd_max": "Tamaño máximo PMGD (9 MW)"}
EG_INPUTS = ("kva", "scc_mv_kva", "min_daytime_demand_kw", "eg_connected_kw", "eg_queue_kw")
PMGD_INPUTS = ("scc_kva", "capacity_kva", "min_demand_kw", "max_demand_kw", "pmgd_connected_kw", "pmgd_queue_kw",
               "eg_connected_kw", "eg_queue_kw")


def _require(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"faltan columnas de entrada: {missing}")


def scc_at_lv_bus(scc_mv_kva, kva, impedance_pu: float):
    """Short-circuit power at the LV bus: the MV network in series with the transformer (kVA / uk)."""
    scc_mv = np.asarray(scc_mv_kva, dtype=float)
    s_t = np.asarray(kva, dtype=float) / impedance_pu
    return scc_mv * s_t / (scc_mv + s_t)


def eg_capacity(inputs: pd.DataFrame, criteria: CapacityCriteria) -> pd.DataFrame:
    """Every EG criterion per transformer: values, binding terms, floor flag and the available figures.

    ``inputs`` needs kva, scc_mv_kva, min_daytime_demand_kw (NaN: not published), eg_connected_kw,
    eg_queue_kw and optionally ``level`` ("BT" default, or "MT" when the EG connects on the MV node).
    """
    _require(inputs, EG_INPUTS)
    out = inputs.copy()
    level = out["level"].to_numpy() if "level" in out else np.full(len(out), "BT")
    mv = level == "MT"
    kva = out["kva"].to_numpy(dtype=float)
    scc_mv = out["scc_mv_kva"].to_numpy(dtype=float)
    scc = np.where(mv, scc_mv, scc_at_lv_bus(scc_mv, kva, criteria.transformer_impedance_pu))
    eg_total = out["eg_connected_kw"].to_numpy(dtype=float) + out["eg_queue_kw"].to_numpy(dtype=float)
    demand = out["min_daytime_demand_kw"].to_numpy(dtype=float)

    cip_kvs = scc / (criteria.kvs_lv * criteria.kman_inverter)
    cip_share = criteria.cip_max_scc_share * scc
    cip = np.minimum(cip_kvs, cip_share)
    cip_available = np.maximum(cip - eg_total, 0.0)

    iep_demand = demand - eg_total
    iep_scc = scc / criteria.iep_scc_divisor - eg_total
    iep_raw = np.minimum(iep_demand, iep_scc)  # NaN when the demand is unknown
    iep = np.clip(iep_raw, 0.0, cip_available)
    iep_binding = np.where(iep_demand <= iep_scc, "demand", "scc")
    iep_binding = np.where(cip_available < iep_raw, "cip", iep_binding)
    iep_binding = np.where(np.isnan(iep_raw), None, iep_binding)

    max_kw = np.where(mv, criteria.simplified_max_kw_mv, criteria.simplified_max_kw_lv)
    share = np.where(mv, criteria.simplified_max_share_mv, criteria.simplified_max_share_lv)
    simplified = np.clip(np.minimum(max_kw, share * kva - eg_total), 0.0, None)

    out = out.assign(
        scc_kva=scc, eg_total_kw=eg_total,
        cip_scc_kvs_kw=cip_kvs, cip_scc_share_kw=cip_share, cip_kw=cip,
        cip_binding=np.where(cip_kvs <= cip_share, "scc_kvs", "scc_share"),
        cip_available_kw=cip_available,
        iep_demand_kw=iep_demand, iep_scc_kw=iep_scc, iep_raw_kw=iep_raw, iep_kw=iep,
        iep_binding=iep_binding, iep_floored=~np.isnan(iep_raw) & (iep_raw < 0),
        simplified_max_kw=simplified, simplified_applies=simplified > 0,
        simplified_share_used=np.divide(eg_total, kva, out=np.full(len(out), np.nan), where=kva > 0),
    )
    out["available_kw"] = out["iep_kw"]
    out["capacity_class"] = capacity_class(out["available_kw"], criteria.eg_class_breaks_kw)
    return out


def pmgd_capacity(inputs: pd.DataFrame, criteria: CapacityCriteria) -> pd.DataFrame:
    """Indicative PMGD screens per feeder: limits, headroom per screen, binding screen and available kW."""
    _require(inputs, PMGD_INPUTS)
    out = inputs.copy()
    scc = out["scc_kva"].to_numpy(dtype=float)
    cap = out["capacity_kva"].to_numpy(dtype=float)
    dmin = out["min_demand_kw"].to_numpy(dtype=float)
    gen = sum(out[c].to_numpy(dtype=float) for c in ("pmgd_connected_kw", "pmgd_queue_kw", "eg_connected_kw", "eg_queue_kw"))
    limits = {
        "min_demand": criteria.pmgd_max_gen_to_min_demand * dmin,
        "short_circuit": scc / criteria.pmgd_min_short_circuit_ratio,
        "thermal": criteria.pmgd_max_export_to_capacity * cap + dmin,
    }
    stack = np.vstack([limits[k] for k in limits])
    known = ~np.isnan(stack).any(axis=0)
    binding_idx = np.argmin(np.where(np.isnan(stack), np.inf, stack), axis=0)
    names = np.array(list(limits))
    raw = stack.min(axis=0) - gen  # NaN where a limit is unknown (no published demand)
    binding = np.where(known, names[binding_idx], None)
    capped = known & (raw > criteria.pmgd_max_kw)
    binding = np.where(capped, "pmgd_max", binding)
    available = np.clip(raw, 0.0, criteria.pmgd_max_kw)
    out = out.assign(
        generation_total_kw=gen,
        limit_min_demand_kw=limits["min_demand"], limit_short_circuit_kw=limits["short_circuit"],
        limit_thermal_kw=limits["thermal"],
        headroom_min_demand_kw=limits["min_demand"] - gen, headroom_short_circuit_kw=limits["short_circuit"] - gen,
        headroom_thermal_kw=limits["thermal"] - gen,
        ratio_gen_to_min_demand=np.divide(gen, dmin, out=np.full(len(out), np.nan), where=dmin > 0),
        short_circuit_ratio=np.divide(scc, gen, out=np.full(len(out), np.nan), where=gen > 0),
        ratio_export_to_capacity=np.divide(gen - dmin, cap, out=np.full(len(out), np.nan), where=cap > 0),
        pmgd_raw_kw=raw, pmgd_available_kw=available, pmgd_binding=binding,
        pmgd_floored=known & (raw < 0),
    )
    out["capacity_class"] = capacity_class(out["pmgd_available_kw"], criteria.pmgd_class_breaks_kw)
    return out


CLASSES = ("none", "low", "medium", "high", "unknown")


def capacity_class(available_kw, breaks: tuple[float, float]) -> np.ndarray:
    """Colour class per figure: none (0), low (< breaks[0]), medium (< breaks[1]), high, unknown (NaN)."""
    value = np.asarray(available_kw, dtype=float)
    low, high = breaks
    out = np.select([np.isnan(value), value <= 0, value < low, value < high], ["unknown", "none", "low", "medium"], "high")
    return out.astype(object)
