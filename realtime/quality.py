"""The ICCP/TASE.2 quality byte (IEC 60870-6-503 Data_Flags).

Bits 2–3 validity (VALID 0, SUSPECT 4, HELD 8, NOTVALID 12); bits 4–5 source (TELEMETERED 0,
ENTERED 16, CALCULATED 32, ESTIMATED 48); bit 6 normal value (1: abnormal); bit 7 time-stamp
quality (1: invalid).
"""
from __future__ import annotations

from dataclasses import dataclass

VALIDITY = {0: "VALID", 4: "SUSPECT", 8: "HELD", 12: "NOTVALID"}
SOURCE = {0: "TELEMETERED", 16: "ENTERED", 32: "CALCULATED", 48: "ESTIMATED"}
VALIDITY_BITS = {v: k for k, v in VALIDITY.items()}
SOURCE_BITS = {v: k for k, v in SOURCE.items()}
ABNORMAL_BIT = 64
TIMESTAMP_INVALID_BIT = 128
# Validity labels for the UI (es).
VALIDITY_LABELS = {"VALID": "Válida", "HELD": "Retenida", "SUSPECT": "Sospechosa", "NOTVALID": "No válida"}


@dataclass(frozen=True)
class Quality:
    """A decoded quality byte."""

    validity: str
    source: str
    abnormal: bool
    timestamp_quality: str  # VALID | INVALID

    @property
    def is_valid(self) -> bool:
        """True when the value is VALID (deadband and tolerances apply only then, Annex 6.4)."""
        return self.validity == "VALID"


def decode(byte: int) -> Quality:
    """Decode a quality byte (0–255)."""
    if not isinstance(byte, int) or not 0 <= byte <= 255:
        raise ValueError(f"byte de calidad inválido: {byte!r}")
    return Quality(VALIDITY[byte & 12], SOURCE[byte & 48], bool(byte & ABNORMAL_BIT),
                   "INVALID" if byte & TIMESTAMP_INVALID_BIT else "VALID")


def encode(validity: str = "VALID", source: str = "TELEMETERED", abnormal: bool = False,
           timestamp_valid: bool = True) -> int:
    """Build a quality byte (the simulator's side)."""
    return VALIDITY_BITS[validity] | SOURCE_BITS[source] | (ABNORMAL_BIT if abnormal else 0) | \
        (0 if timestamp_valid else TIMESTAMP_INVALID_BIT)
