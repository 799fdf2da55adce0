"""The mnemonic naming convention of protocol registers (Annex Art. 5.1).

A register code is ``<EMPRESA>_<INSTALACION>_<VARIABLE>[_<CALIFICADOR>]``:

* ``EMPRESA`` — the supervised company's code, 2–6 capital letters (``TGP``);
* ``INSTALACION`` — a two-letter installation kind and a two-digit number (``EC01``), see
  ``INSTALLATION_KINDS``;
* ``VARIABLE`` — an ISA-style tag from ``VARIABLES`` (``FT`` flow, ``PT`` pressure, ``XV`` valve
  state, ``XA`` emergency alarm...); it fixes the signal kind (measure / state / alarm);
* ``CALIFICADOR`` — optional, 1–8 capital letters or digits: position (``IN``/``OUT``), train
  (``T1``), chromatography component (``C1``, ``CO2``), product (``GLP``)...

Examples: ``TGP_EC01_PT_IN`` (inlet pressure of compression station 1), ``PLS_PP01_AT_C1``
(methane % at processing plant 1), ``EXL_LT01_FT_HUM`` (wet-gas production of lot 1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

INSTALLATION_KINDS: dict[str, tuple[str, str]] = {
    # prefix: (kind, Spanish label)
    "LT": ("lote", "Lote de producción"),
    "PP": ("planta_procesamiento", "Planta de procesamiento"),
    "PF": ("planta_fraccionamiento", "Planta de fraccionamiento"),
    "PL": ("planta_licuefaccion", "Planta de licuefacción"),
    "EC": ("estacion", "Estación (compresión / bombeo / medición)"),
    "VB": ("valvula_bloqueo", "Válvula de bloqueo"),
    "PE": ("punto_entrega", "Punto de entrega"),
    "TK": ("tanque", "Tanque de almacenamiento"),
}
KIND_PREFIX = {kind: prefix for prefix, (kind, _label) in INSTALLATION_KINDS.items()}

VARIABLES: dict[str, tuple[str, str, str]] = {
    # tag: (signal kind, variable, Spanish description)
    "FT": ("measure", "flow", "Flujo / caudal"),
    "FQ": ("measure", "volume", "Volumen entregado / producido / reinyectado"),
    "PT": ("measure", "pressure", "Presión"),
    "TT": ("measure", "temperature", "Temperatura"),
    "AT": ("measure", "composition", "Cromatografía en línea"),
    "LT": ("measure", "level", "Nivel de tanque"),
    "LP": ("measure", "linepack", "Volumen de linepack"),
    "XV": ("state", "valve", "Estado de válvula"),
    "XA": ("alarm", "emergency", "Alarma de emergencia"),
}
FLOW_TAGS = frozenset({"FT"})

CODE_RE = re.compile(r"^(?P<company>[A-Z]{2,6})_(?P<inst>(?P<prefix>[A-Z]{2})\d{2})_(?P<tag>[A-Z]{2})(?:_(?P<qual>[A-Z0-9]{1,8}))?$")


class NamingError(ValueError):
    """A register code that does not follow the convention."""


@dataclass(frozen=True)
class SignalCode:
    """A parsed register code."""

    company: str
    installation: str
    tag: str
    qualifier: str | None

    @property
    def kind(self) -> str:
        """measure | state | alarm."""
        return VARIABLES[self.tag][0]

    @property
    def variable(self) -> str:
        """The physical variable (flow, pressure, valve...)."""
        return VARIABLES[self.tag][1]

    @property
    def is_flow(self) -> bool:
        """True for flow measurements (a negative value marks a wrong value)."""
        return self.tag in FLOW_TAGS

    def __str__(self) -> str:
        return "_".join(p for p in (self.company, self.installation, self.tag, self.qualifier) if p)


def parse_code(code: str) -> SignalCode:
    """Parse and validate a register code, or raise ``NamingError`` with a Spanish reason."""
    m = CODE_RE.match(code or "")
    if not m:
        raise NamingError(f"El código '{code}' no sigue la convención EMPRESA_INSTALACION_VARIABLE[_CALIFICADOR].")
    if m["prefix"] not in INSTALLATION_KINDS:
        raise NamingError(f"Tipo de instalación desconocido '{m['prefix']}' en '{code}'.")
    if m["tag"] not in VARIABLES:
        raise NamingError(f"Variable desconocida '{m['tag']}' en '{code}'.")
    return SignalCode(m["company"], m["inst"], m["tag"], m["qual"])


def make_code(company: str, installation: str, tag: str, qualifier: str | None = None) -> str:
    """Build a register code and validate it."""
    code = "_".join(p for p in (company, installation, tag, qualifier) if p)
    parse_code(code)
    return code


def installation_code(kind: str, number: int) -> str:
    """The installation part of a code, e.g. ``('estacion', 1) -> 'EC01'``."""
    return f"{KIND_PREFIX[kind]}{number:02d}"
