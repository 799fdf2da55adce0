"""CSV downloads of report tables (';' separated, UTF-8 with BOM for spreadsheet users in Chile)."""
from __future__ import annotations

import csv
import io

from reports.model import Table

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell value that spreadsheets will not execute as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def _raw(column, row) -> str:
    value = row.get(column.key)
    if value is None:
        return ""
    if column.kind in ("int", "number", "clp"):
        return str(value).replace(".", ",") if column.kind == "number" else str(int(round(value)))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def table_csv(table: Table) -> str:
    """The whole table as CSV text (raw values, decimal comma)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(_raw(c, row)) for c in table.columns])
    return buffer.getvalue()
