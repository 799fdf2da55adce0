"""Spanish (es-CL) formats: numbers with '.' thousands and ',' decimals, months, dates, CLP."""
from __future__ import annotations

import datetime as dt
import math

MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre"]
MONTHS_SHORT = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]


def fmt_number(value, decimals: int = 0) -> str:
    """Format a number es-CL style: ``1234567.5`` -> ``1.234.567,5``; ``None`` -> ``—``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_clp(value) -> str:
    """Chilean pesos: ``$ 1.234.567``."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}$ {fmt_number(abs(round(value)))}"


def fmt_month(month: dt.date, short: bool = False) -> str:
    """``2019-12-01`` -> ``diciembre 2019`` (or ``dic 2019``)."""
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[month.month - 1]} {month.year}"


def fmt_date(day: dt.date | None) -> str:
    """``2019-11-11`` -> ``11-11-2019`` (Chilean order)."""
    return "—" if day is None else day.strftime("%d-%m-%Y")


def fmt_long_date(day: dt.date) -> str:
    """``2019-11-11`` -> ``11 de noviembre de 2019``."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def fmt_datetime(moment: dt.datetime | None, tz: str = "America/Santiago") -> str:
    """A timestamp in Chilean local time: ``23-11-2026 14:05``."""
    if moment is None:
        return "—"
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).strftime("%d-%m-%Y %H:%M")


def month_add(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def fmt_kv(value: float) -> str:
    """Voltage in kV: ``13.2`` -> ``13,2 kV``."""
    return f"{fmt_number(value, 1 if value % 1 else 0)} kV"
