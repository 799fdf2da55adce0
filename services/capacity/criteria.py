"""Interconnection criteria: every threshold of the capacity figures, with the source it comes from.

The values are validated once, when ``Settings`` is built (``settings.capacity_criteria``, env
``RA_CAPACITY_CRITERIA`` as a JSON object of overrides). docs/interconnection.md says which
values were checked against the norm's text and which are assumptions.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

NT_EG = ("Norma Técnica de Conexión y Operación de Equipamiento de Generación en Baja Tensión (CNE, 2019), "
         "cap. «Capacidad Instalada Permitida e Inyección de Excedentes Permitida»")
DS57 = "DS 57/2019 (Reglamento de generación distribuida para autoconsumo)"
DS88 = "DS 88/2019 (Reglamento para medios de generación de pequeña escala) y NTCO de PMGD"


class CriteriaError(ValueError):
    """An interconnection threshold is missing, of the wrong type or outside its valid range."""


@dataclass(frozen=True)
class CapacityCriteria:
    """Thresholds of the EG (per distribution transformer) and PMGD (per feeder) capacity figures."""

    # --- EG / netbilling, per distribution transformer ---
    kvs_lv: float = 33.0  # voltage-variation factor Kvs for LV connections
    kman_inverter: float = 1.0  # switching factor Kman for inverter-based EG
    cip_max_scc_share: float = 0.10  # CIP never above this share of Scc
    iep_scc_divisor: float = 20.0  # IEP <= Scc / divisor - existing EG
    transformer_impedance_pu: float = 0.04  # uk used to carry Scc from the MV node to the LV bus (assumption)
    demand_window_months: int = 12  # minimum daytime demand taken over this many months up to "data as of"
    require_smmc_demand: bool = True  # demand criterion only where the transformer is SMMC-monitored (published)
    simplified_max_kw_lv: float = 10.0  # simplified track: EG size limit on LV
    simplified_max_kw_mv: float = 30.0  # simplified track: EG size limit on MV
    simplified_max_share_lv: float = 0.20  # simplified track: total EG <= share of transformer kVA (LV)
    simplified_max_share_mv: float = 0.15  # simplified track: total EG <= share of transformer kVA (MV)
    # --- PMGD, per MV feeder (indicative screens) ---
    pmgd_max_kw: float = 9000.0  # a PMGD is at most 9 MW
    pmgd_max_gen_to_min_demand: float = 1.0  # generation on the feeder <= this x minimum demand (no reverse flow)
    pmgd_min_short_circuit_ratio: float = 20.0  # Scc at the head / generation >= this (Scc/20, like the EG rule)
    pmgd_max_export_to_capacity: float = 1.0  # generation - minimum demand <= this x feeder capacity (thermal)
    # --- presentation ---
    eg_class_breaks_kw: tuple[float, float] = (3.0, 10.0)  # colour classes of available EG capacity
    pmgd_class_breaks_kw: tuple[float, float] = (1000.0, 3000.0)  # colour classes of available PMGD capacity
    nearest_default_k: int = 5  # point query: transformers listed by default
    nearest_max_k: int = 20  # point query: most transformers a request may ask for
    nearest_max_distance_m: float = 20000.0  # point query: farther network is "not near"

    @classmethod
    def from_mapping(cls, overrides: dict | None) -> "CapacityCriteria":
        """Defaults with ``overrides`` applied; unknown keys or bad values raise ``CriteriaError``."""
        overrides = dict(overrides or {})
        known = {f.name: f for f in fields(cls)}
        unknown = set(overrides) - set(known)
        if unknown:
            raise CriteriaError(f"capacity_criteria: claves desconocidas {sorted(unknown)}")
        values = {}
        for name, value in overrides.items():
            default = getattr(cls, name)
            try:
                if isinstance(default, bool):
                    values[name] = value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
                elif isinstance(default, tuple):
                    values[name] = tuple(float(v) for v in value)
                elif isinstance(default, int):
                    values[name] = int(value)
                else:
                    values[name] = float(value)
            except (TypeError, ValueError):
                raise CriteriaError(f"capacity_criteria.{name}: valor inválido {value!r}") from None
        return cls(**values).validated()

    def validated(self) -> "CapacityCriteria":
        """Refuse values that would make the figures meaningless (e.g. negative factors)."""
        positive = ("kvs_lv", "kman_inverter", "cip_max_scc_share", "iep_scc_divisor", "transformer_impedance_pu",
                    "simplified_max_kw_lv", "simplified_max_kw_mv", "simplified_max_share_lv",
                    "simplified_max_share_mv", "pmgd_max_kw", "pmgd_max_gen_to_min_demand",
                    "pmgd_min_short_circuit_ratio", "pmgd_max_export_to_capacity", "nearest_max_distance_m")
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise CriteriaError(f"capacity_criteria.{name} debe ser un número positivo, no {value!r}")
        for name in ("cip_max_scc_share", "simplified_max_share_lv", "simplified_max_share_mv", "transformer_impedance_pu"):
            if getattr(self, name) > 1:
                raise CriteriaError(f"capacity_criteria.{name} es una fracción (0-1], no {getattr(self, name)!r}")
        if not 1 <= self.demand_window_months <= 60:
            raise CriteriaError("capacity_criteria.demand_window_months debe estar entre 1 y 60")
        if not 1 <= self.nearest_default_k <= self.nearest_max_k <= 100:
            raise CriteriaError("capacity_criteria: se requiere 1 <= nearest_default_k <= nearest_max_k <= 100")
        for name in ("eg_class_breaks_kw", "pmgd_class_breaks_kw"):
            low, high = getattr(self, name)
            if not 0 < low < high:
                raise CriteriaError(f"capacity_criteria.{name} debe ser (bajo, alto) con 0 < bajo < alto")
        return self

    def as_dict(self) -> dict:
        """Plain values (for the API and the docs test)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


# Where each threshold comes from. "verificado" only where the text was read; see docs/interconnection.md.
SOURCES: dict[str, str] = {
    "kvs_lv": f"{NT_EG}: factor Kvs = 33 en BT (lectura pública; fórmula no verificada contra el texto).",
    "kman_inverter": f"{NT_EG}: factor Kman = 1 para EG con inversor (lectura pública; no verificado).",
    "cip_max_scc_share": f"{NT_EG}: CIP ≤ 10 % de la Scc (lectura pública; no verificado).",
    "iep_scc_divisor": f"{NT_EG}: IEP ≤ Scc/20 − EG existentes (lectura pública; no verificado).",
    "transformer_impedance_pu": "Supuesto de Red Abierta: uk = 4 % para llevar la Scc del nodo MT a la barra BT "
                                "(el dato publicado es la Scc en el nodo MT).",
    "demand_window_months": "Supuesto de Red Abierta: mínimo de la demanda mínima diurna (09-18 h) de los últimos 12 meses.",
    "require_smmc_demand": "Anexo 1 SEC §2: solo se publican demandas de transformadores con SMMC.",
    "simplified_max_kw_lv": f"{NT_EG}, {DS57}: tramo simplificado ≤ 10 kW en BT (lectura pública; no verificado).",
    "simplified_max_kw_mv": f"{NT_EG}, {DS57}: tramo simplificado ≤ 30 kW en MT (lectura pública; no verificado).",
    "simplified_max_share_lv": f"{NT_EG}: EG total ≤ 20 % de la capacidad del transformador en BT (lectura pública).",
    "simplified_max_share_mv": f"{NT_EG}: EG total ≤ 15 % de la capacidad en MT (lectura pública).",
    "pmgd_max_kw": f"{DS88}: PMGD con excedentes de potencia ≤ 9.000 kW (verificado en el texto del DS 88).",
    "pmgd_max_gen_to_min_demand": f"Indicativo ({DS88}): sin flujo inverso en cabecera; umbral configurable, "
                                  "no es el criterio de «impacto no significativo» de la NTCO.",
    "pmgd_min_short_circuit_ratio": "Indicativo: razón de cortocircuito ≥ 20 (análoga al criterio Scc/20 de EG).",
    "pmgd_max_export_to_capacity": "Indicativo: exportación (generación − demanda mínima) ≤ capacidad del alimentador.",
    "eg_class_breaks_kw": "Presentación: clases de color del mapa (kW disponibles para EG).",
    "pmgd_class_breaks_kw": "Presentación: clases de color del mapa (kW disponibles para PMGD).",
    "nearest_default_k": "Presentación: transformadores listados en la consulta por punto.",
    "nearest_max_k": "Límite de lectura: máximo de transformadores por consulta.",
    "nearest_max_distance_m": "Límite de lectura: distancia máxima de búsqueda (m).",
}


def current_criteria() -> CapacityCriteria:
    """The criteria of the running app (defaults outside an app context)."""
    try:
        from flask import current_app

        return current_app.extensions["ra_settings"].capacity_criteria
    except (RuntimeError, KeyError, AttributeError):
        return CapacityCriteria()
