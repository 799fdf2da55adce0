"""Capacity tables as report Tables, CSV, XLSX and GeoJSON (one column list feeds all formats)."""
from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd

from reports.csvexport import safe_cell, table_csv
from reports.model import Column, Table
from services.capacity.calc import CIP_LABELS, IEP_LABELS, PMGD_LABELS
from services.capacity.layers import CLASS_COLORS

DISCLAIMER = ("Cifras indicativas calculadas con los datos publicados; no reemplazan el estudio de conexión ni la "
              "respuesta de la distribuidora. Incluyen las solicitudes de conexión en trámite.")

TRANSFORMER_COLUMNS = [
    Column("code", "Transformador", "link", href_key="href"), Column("company_code", "Empresa"),
    Column("feeder_code", "Alimentador"), Column("comuna_name", "Comuna"), Column("kva", "kVA", "number", 0),
    Column("primary_kv", "kV primario", "number", 1), Column("smmc_monitored", "SMMC"),
    Column("scc_kva", "Scc BT (kVA)", "number", 0), Column("min_daytime_demand_kw", "Dem. mín. diurna (kW)", "number", 1),
    Column("eg_connected_kw", "EG conectada (kW)", "number", 1), Column("eg_queue_kw", "EG en trámite (kW)", "number", 1),
    Column("cip_kw", "CIP (kW)", "number", 1), Column("cip_available_kw", "CIP disponible (kW)", "number", 1),
    Column("iep_kw", "IEP disponible (kW)", "number", 1), Column("iep_binding_label", "Criterio limitante IEP"),
    Column("simplified_max_kw", "Tramo simplificado hasta (kW)", "number", 1),
    Column("lat", "Latitud", "number", 6), Column("lon", "Longitud", "number", 6),
]
FEEDER_COLUMNS = [
    Column("code", "Alimentador", "link", href_key="href"), Column("name", "Nombre"), Column("company_code", "Empresa"),
    Column("substation_name", "Subestación"), Column("comuna_name", "Comuna"), Column("nominal_kv", "kV", "number", 1),
    Column("capacity_kva", "Capacidad (kVA)", "number", 0), Column("scc_kva", "Scc cabecera (kVA)", "number", 0),
    Column("min_demand_kw", "Dem. mínima (kW)", "number", 1), Column("max_demand_kw", "Dem. máxima (kW)", "number", 1),
    Column("pmgd_connected_kw", "PMGD conectados (kW)", "number", 0), Column("pmgd_queue_kw", "PMGD en trámite (kW)", "number", 0),
    Column("eg_connected_kw", "EG conectada (kW)", "number", 1), Column("eg_queue_kw", "EG en trámite (kW)", "number", 1),
    Column("generation_total_kw", "Generación total (kW)", "number", 1),
    Column("pmgd_available_kw", "Disponible PMGD (kW, indicativo)", "number", 1),
    Column("pmgd_binding_label", "Criterio limitante"),
]


def clean_value(value):
    """A JSON-safe scalar: numpy types unwrapped, NaN -> None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def transformer_rows(frame: pd.DataFrame) -> list[dict]:
    """Table rows of transformer capacity (NaN -> None, Spanish binding labels, links)."""
    rows = []
    for r in frame.to_dict("records"):
        row = {k: clean_value(v) for k, v in r.items()}
        row["iep_binding_label"] = IEP_LABELS.get(row.get("iep_binding") or "", "Sin demanda publicada")
        row["cip_binding_label"] = CIP_LABELS.get(row.get("cip_binding") or "", "—")
        row["href"] = f"/capacidad/transformador/{int(row['id'])}"
        row["color"] = CLASS_COLORS[row["capacity_class"]]
        rows.append(row)
    return rows


def feeder_rows(frame: pd.DataFrame) -> list[dict]:
    """Table rows of feeder PMGD indicators."""
    rows = []
    for r in frame.to_dict("records"):
        row = {k: clean_value(v) for k, v in r.items()}
        row["pmgd_binding_label"] = PMGD_LABELS.get(row.get("pmgd_binding") or "", "Sin datos de demanda")
        row["href"] = f"/capacidad/alimentador/{int(row['id'])}"
        row["color"] = CLASS_COLORS[row["capacity_class"]]
        rows.append(row)
    return rows


def as_table(kind: str, rows: list[dict], note: str = "") -> Table:
    """The report Table of ``kind`` (transformadores | alimentadores)."""
    if kind == "transformadores":
        return Table("Capacidad por transformador de distribución (EG)", "transformadores", TRANSFORMER_COLUMNS, rows,
                     note=note or DISCLAIMER)
    return Table("Indicadores PMGD por alimentador", "alimentadores", FEEDER_COLUMNS, rows, note=note or DISCLAIMER)


def to_csv(table: Table) -> str:
    """CSV (';', decimal comma, BOM) of a capacity table."""
    return table_csv(table)


def to_xlsx(table: Table, as_of: dt.date | None, criteria: dict) -> bytes:
    """An XLSX workbook: the table (numbers as numbers) and a notes sheet with date, disclaimer and criteria."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = table.key[:31]
    ws.append([c.label for c in table.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for c in table.columns:
            v = row.get(c.key)
            if isinstance(v, bool):
                v = "Sí" if v else "No"
            elif isinstance(v, str):
                v = safe_cell(v)
            values.append(v)
        ws.append(values)
    ws.freeze_panes = "A2"
    for i, c in enumerate(table.columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(32, len(c.label) + 2))
    notes = wb.create_sheet("Notas")
    notes.append(["Datos al", as_of.isoformat() if as_of else "—"])
    notes.append(["Advertencia", DISCLAIMER])
    notes.append([])
    notes.append(["Criterio", "Valor"])
    for key, value in criteria.items():
        notes.append([key, ", ".join(str(v) for v in value) if isinstance(value, list) else value])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_geojson(rows: list[dict], keys: list[str], geometry, as_of: dt.date | None) -> dict:
    """A FeatureCollection: ``geometry(row)`` gives each feature's geometry; raw values as properties."""
    features = []
    for row in rows:
        geom = geometry(row)
        if geom is None:
            continue
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {k: (v.isoformat() if isinstance(v, dt.date) else v)
                                        for k, v in ((k, row.get(k)) for k in keys)}})
    return {"type": "FeatureCollection", "data_as_of": as_of.isoformat() if as_of else None,
            "disclaimer": DISCLAIMER, "features": features}
