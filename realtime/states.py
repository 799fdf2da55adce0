"""Valve/breaker states: the norm's convention and per-company mappings.

Appendix C 3.2: ``10`` closed, ``01`` open, ``11`` in transit, ``00`` error. TASE.2's own
Data_State encodes ``00`` between, ``01`` off/open, ``10`` on/closed, ``11`` invalid, so a
company sending native TASE.2 states needs the mapping ``TASE2_MAPPING``; each company's
mapping (raw code -> norm code) is stored in ``SupervisedCompany.state_mapping``.
"""
from __future__ import annotations

NORM_STATES = {"10": "cerrado", "01": "abierto", "11": "en tránsito", "00": "error"}
IDENTITY_MAPPING = {code: code for code in NORM_STATES}
TASE2_MAPPING = {"00": "11", "01": "01", "10": "10", "11": "00"}
PRESETS = {"norma": IDENTITY_MAPPING, "tase2": TASE2_MAPPING}


class StateError(ValueError):
    """A state value that cannot be mapped."""


def raw_code(value) -> str:
    """Normalise a raw state: ``'10'``, ``'10XXXXXX'``/``'10110000'`` (first two bits) or an int 0–3."""
    if isinstance(value, bool):
        raise StateError(f"estado inválido: {value!r}")
    if isinstance(value, int):
        if not 0 <= value <= 3:
            raise StateError(f"estado fuera de rango: {value}")
        return format(value, "02b")
    text = str(value).strip().upper()
    if len(text) >= 2 and text[:2] in NORM_STATES and all(c in "01X" for c in text):
        return text[:2]
    raise StateError(f"estado inválido: {value!r}")


def validate_mapping(mapping: dict) -> dict[str, str]:
    """A complete, bijective mapping raw -> norm code, or ``StateError``."""
    mapping = dict(mapping or IDENTITY_MAPPING)
    if set(mapping) != set(NORM_STATES) or set(mapping.values()) != set(NORM_STATES):
        raise StateError("La tabla de estados debe asignar los cuatro códigos 00/01/10/11 sin repetir.")
    return {str(k): str(v) for k, v in mapping.items()}


def to_norm(value, mapping: dict | None) -> str:
    """Map a company's raw state to the norm code (identity when the company has no mapping)."""
    table = mapping or IDENTITY_MAPPING
    return table[raw_code(value)]


def label(norm_code: str | None) -> str:
    """Spanish label of a norm state code."""
    return NORM_STATES.get(norm_code or "", "—")
