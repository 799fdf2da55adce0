"""OBIS codes (IEC 62056-6-1:2017): parsing, validation and a plain-Spanish catalogue for meter registers.

An OBIS code names a value in a meter as six groups ``A-B:C.D.E*F``:
A medium (1 = electricity), B channel, C physical quantity (1 = active energy imported,
2 = exported, 32 = L1 voltage...), D processing (8 = cumulative register, 6 = maximum demand,
7 = instantaneous value), E tariff or further classification (0 = total, 1..n = tariff),
F billing period (255 = current). Meter displays usually show only ``C.D.E`` (e.g. ``1.8.0``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FULL = re.compile(r"^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\*(\d{1,3}))?$")
_SHORT = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")


class ObisError(ValueError):
    """A text that is not a valid OBIS code."""


@dataclass(frozen=True)
class ObisCode:
    """The six value groups of an OBIS code."""

    a: int
    b: int
    c: int
    d: int
    e: int
    f: int = 255

    @property
    def display(self) -> str:
        """The reduced ``C.D.E`` form shown on meter displays."""
        return f"{self.c}.{self.d}.{self.e}"

    def __str__(self) -> str:
        return f"{self.a}-{self.b}:{self.c}.{self.d}.{self.e}*{self.f}"


def parse_obis(text: str) -> ObisCode:
    """Parse ``A-B:C.D.E*F`` (F optional, default 255) or the display form ``C.D.E`` (electricity, channel 0)."""
    raw = (text or "").strip()
    match = _FULL.match(raw)
    if match:
        groups = [int(g) if g is not None else 255 for g in match.groups()]
    else:
        short = _SHORT.match(raw)
        if not short:
            raise ObisError(f"Código OBIS inválido: {raw[:30]!r} (formato A-B:C.D.E*F o C.D.E)")
        groups = [1, 0, *(int(g) for g in short.groups()), 255]
    if any(g > 255 for g in groups):
        raise ObisError(f"Código OBIS inválido: {raw[:30]!r} (cada grupo va de 0 a 255)")
    code = ObisCode(*groups)
    if code.a != 1:
        raise ObisError(f"Código OBIS {code} no corresponde a energía eléctrica (grupo A = 1)")
    return code


# Group C: the physical quantity (IEC 62056-6-1 table for electricity).
QUANTITIES = {
    1: ("Energía activa consumida desde la red", "Potencia activa consumida desde la red"),
    2: ("Energía activa inyectada a la red", "Potencia activa inyectada a la red"),
    3: ("Energía reactiva consumida (inductiva)", "Potencia reactiva consumida"),
    4: ("Energía reactiva inyectada (capacitiva)", "Potencia reactiva inyectada"),
    13: (None, "Factor de potencia"),
    14: (None, "Frecuencia de la red"),
    31: (None, "Corriente en la fase 1"),
    32: (None, "Tensión en la fase 1"),
    51: (None, "Corriente en la fase 2"),
    52: (None, "Tensión en la fase 2"),
    71: (None, "Corriente en la fase 3"),
    72: (None, "Tensión en la fase 3"),
}
UNITS = {1: "kWh", 2: "kWh", 3: "kvarh", 4: "kvarh", 13: "", 14: "Hz", 31: "A", 32: "V", 51: "A", 52: "V", 71: "A", 72: "V"}
_DEMAND_UNITS = {1: "kW", 2: "kW", 3: "kvar", 4: "kvar"}
# Tariff blocks as billed by the demo companies (E group).
TARIFF_NAMES = {1: "horario punta (tarifa 1)", 2: "fuera de punta (tarifa 2)", 3: "tarifa 3", 4: "tarifa 4"}


def unit_for(code: ObisCode) -> str:
    """The unit a register with this code is expressed in."""
    if code.d == 6:
        return _DEMAND_UNITS.get(code.c, "")
    return UNITS.get(code.c, "")


def describe(code: ObisCode | str) -> str:
    """A plain-Spanish explanation of what the register holds and how to use it."""
    code = parse_obis(code) if isinstance(code, str) else code
    energy, power = QUANTITIES.get(code.c, (None, None))
    if code.d == 8 and energy:
        what = f"{energy}: lectura acumulada del registro"
        if code.e == 0:
            what += " (total de todas las tarifas)"
        else:
            what += f" en {TARIFF_NAMES.get(code.e, f'tarifa {code.e}')}"
        if code.c == 1:
            what += ". La diferencia entre dos lecturas es el consumo facturado del período."
        elif code.c == 2:
            what += ". La diferencia entre dos lecturas es la energía inyectada que valoriza el anexo de inyecciones."
        else:
            what += "."
        return what
    if code.d == 6 and power:
        return f"Demanda máxima: {power.lower()} más alta registrada en el período (promedio de 15 minutos)."
    if code.d == 7 and power:
        return f"{power}: valor instantáneo al momento de la lectura."
    if code.d == 4 and power:
        return f"{power}: promedio del período de integración en curso."
    return f"Registro {code.display} del medidor (clasificación IEC 62056-6-1)."


@dataclass(frozen=True)
class DisplayIndicator:
    """A code shown on the meter display and what the person should check with it."""

    display: str
    label: str
    check: str


_COMMON = [
    DisplayIndicator("1.8.0", "Energía consumida total (kWh)",
                     "Compare con la «lectura actual» de consumo de su boleta."),
    DisplayIndicator("1.8.1", "Energía consumida en horario punta (kWh)", "Parte del total 1.8.0."),
    DisplayIndicator("1.8.2", "Energía consumida fuera de punta (kWh)", "1.8.1 + 1.8.2 = 1.8.0."),
    DisplayIndicator("2.8.0", "Energía inyectada total (kWh)",
                     "Compare con la «lectura actual» del anexo de inyecciones."),
    DisplayIndicator("2.8.1", "Energía inyectada en horario punta (kWh)", "Parte del total 2.8.0."),
    DisplayIndicator("2.8.2", "Energía inyectada fuera de punta (kWh)", "2.8.1 + 2.8.2 = 2.8.0."),
    DisplayIndicator("1.6.0", "Demanda máxima consumida (kW)", "No debe superar la capacidad del empalme."),
    DisplayIndicator("2.6.0", "Demanda máxima inyectada (kW)", "No debe superar la potencia del inversor."),
]
DISPLAY_SEQUENCES = {
    "monofasico_bidireccional": _COMMON + [
        DisplayIndicator("32.7.0", "Tensión instantánea (V)", "En baja tensión, 220 V ± 7,5 %."),
        DisplayIndicator("31.7.0", "Corriente instantánea (A)", "Corriente que circula al momento de mirar el display."),
    ],
    "trifasico_bidireccional": _COMMON + [
        DisplayIndicator("32.7.0", "Tensión fase 1 (V)", "En baja tensión, 220 V ± 7,5 % por fase."),
        DisplayIndicator("52.7.0", "Tensión fase 2 (V)", "Idem fase 1."),
        DisplayIndicator("72.7.0", "Tensión fase 3 (V)", "Idem fase 1."),
        DisplayIndicator("31.7.0", "Corriente fase 1 (A)", "Corriente al momento de mirar el display."),
    ],
}
METER_TYPE_LABELS = {
    "monofasico_bidireccional": "Monofásico bidireccional (consumo e inyección)",
    "trifasico_bidireccional": "Trifásico bidireccional (consumo e inyección)",
}


def display_sequence(meter_type: str) -> list[DisplayIndicator]:
    """The display indicators of a meter type (bidirectional single-phase by default)."""
    return DISPLAY_SEQUENCES.get(meter_type, DISPLAY_SEQUENCES["monofasico_bidireccional"])
