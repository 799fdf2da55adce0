"""VNR catalogue and equipment/conductor vocabularies used by the generator."""
from __future__ import annotations

import numpy as np
import pandas as pd

# (code, description, unit, base cost CLP)
VNR_ITEMS = (
    ("PH-09", "Poste hormigón armado 9 m (BT)", "c/u", 410_000),
    ("PH-115", "Poste hormigón armado 11,5 m (MT)", "c/u", 690_000),
    ("PH-13", "Poste hormigón armado 13 m (MT, remate)", "c/u", 910_000),
    ("PM-09", "Poste madera impregnada 9 m (BT)", "c/u", 230_000),
    ("CMT-AL70", "Conductor MT aluminio AAAC 70 mm² desnudo, 3F", "km", 14_800_000),
    ("CMT-AL120", "Conductor MT aluminio AAAC 120 mm² desnudo, 3F", "km", 19_600_000),
    ("CMT-CU35", "Conductor MT cobre 35 mm² desnudo, 3F", "km", 23_400_000),
    ("CMT-PR70", "Conductor MT aluminio 70 mm² protegido XLPE, 3F", "km", 27_900_000),
    ("CMT-AL70-1F", "Conductor MT aluminio AAAC 70 mm² desnudo, 2F", "km", 10_300_000),
    ("CBT-PRE50", "Conductor BT preensamblado aluminio 3x50+N", "km", 12_700_000),
    ("CBT-PRE35", "Conductor BT preensamblado aluminio 2x35+N", "km", 8_900_000),
    ("TD-1F-010", "Transformador monofásico 10 kVA", "c/u", 2_350_000),
    ("TD-1F-015", "Transformador monofásico 15 kVA", "c/u", 2_780_000),
    ("TD-1F-025", "Transformador monofásico 25 kVA", "c/u", 3_420_000),
    ("TD-1F-050", "Transformador monofásico 50 kVA", "c/u", 4_960_000),
    ("TD-3F-030", "Transformador trifásico 30 kVA", "c/u", 4_150_000),
    ("TD-3F-045", "Transformador trifásico 45 kVA", "c/u", 4_880_000),
    ("TD-3F-075", "Transformador trifásico 75 kVA", "c/u", 6_240_000),
    ("TD-3F-100", "Transformador trifásico 100 kVA", "c/u", 7_310_000),
    ("TD-3F-150", "Transformador trifásico 150 kVA", "c/u", 9_420_000),
    ("TD-3F-225", "Transformador trifásico 225 kVA", "c/u", 12_870_000),
    ("TD-3F-300", "Transformador trifásico 300 kVA", "c/u", 15_600_000),
    ("TD-3F-500", "Transformador trifásico 500 kVA", "c/u", 22_900_000),
    ("EQ-REC", "Reconectador automático 15 kV 630 A", "c/u", 38_500_000),
    ("EQ-INT", "Interruptor de cabecera 15 kV 1250 A", "c/u", 46_200_000),
    ("EQ-SEC", "Seccionalizador 15 kV", "c/u", 16_900_000),
    ("EQ-DCU", "Desconectador cuchillo 15 kV 400 A (juego)", "c/u", 2_150_000),
    ("EQ-DFU", "Desconectador fusible 15 kV 100 A (juego)", "c/u", 1_380_000),
    ("EQ-REG", "Regulador de tensión monofásico 15 kV 219 A (banco)", "c/u", 64_800_000),
    ("EQ-CAP", "Banco de condensadores 15 kV 600 kVAr", "c/u", 18_700_000),
    ("EQ-ATR", "Autotransformador 23/13,2 kV 2.000 kVA", "c/u", 71_300_000),
)

STANDARD_KVA_1F = np.array([10, 15, 25, 50])
STANDARD_KVA_3F = np.array([30, 45, 75, 100, 150, 225, 300, 500])

# MV conductors: (material label, insulation, section mm2, ampacity A, VNR code)
MV_CONDUCTORS = (
    ("Aluminio AAAC", "Desnudo", 70, 290, "CMT-AL70"),
    ("Aluminio AAAC", "Desnudo", 120, 410, "CMT-AL120"),
    ("Cobre", "Desnudo", 35, 230, "CMT-CU35"),
    ("Aluminio", "Protegido XLPE", 70, 270, "CMT-PR70"),
)
LV_CONDUCTORS = (
    ("Aluminio preensamblado", "XLPE", 50, 165, "CBT-PRE50"),
    ("Aluminio preensamblado", "XLPE", 35, 130, "CBT-PRE35"),
)


def vnr_frame(company_ids: list[int], rng: np.random.Generator) -> pd.DataFrame:
    """One VNR catalogue per company; every breakdown adds up exactly (Anexo 1 fig. 18)."""
    rows = []
    for company_id in company_ids:
        # Each company's VNR study prices the same units a little differently.
        company_factor = rng.uniform(0.93, 1.08)
        for code, description, unit, base in VNR_ITEMS:
            base_cost = int(round(base * company_factor * rng.uniform(0.97, 1.03), -2))
            surcharges = int(round(base_cost * rng.uniform(0.06, 0.14)))
            assembly = int(round(base_cost * rng.uniform(0.18, 0.42)))
            subtotal_1 = base_cost + surcharges + assembly
            engineering = int(round(subtotal_1 * rng.uniform(0.11, 0.17)))
            subtotal_2 = subtotal_1 + engineering
            interest = int(round(subtotal_2 * rng.uniform(0.025, 0.045)))
            rows.append(dict(company_id=company_id, code=code, description=description, unit=unit,
                             base_cost=base_cost, surcharges=surcharges, assembly=assembly,
                             subtotal_1=subtotal_1, engineering_overhead=engineering, subtotal_2=subtotal_2,
                             interest_during_construction=interest, total=subtotal_2 + interest))
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def transformer_vnr(phase_type: np.ndarray, kva: np.ndarray) -> np.ndarray:
    """The VNR code of each distribution transformer from its phase type and kVA."""
    prefix = np.where(phase_type == "trifasico", "TD-3F-", "TD-1F-")
    return np.char.add(prefix.astype(str), np.char.zfill(kva.astype(int).astype(str), 3))
