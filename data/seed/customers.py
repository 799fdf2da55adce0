"""Clients, 36-60 months of consumption and BT1-like charges, EG netbilling, invoices and meters."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from data.seed.names import FIRST_NAMES, SURNAMES
from services.formatting import month_add

# Central-Chile shape of household consumption (Jan..Dec) and of PV yield kWh/kWp per month.
CONSUMPTION_SEASON = np.array([0.95, 0.93, 0.96, 1.0, 1.07, 1.15, 1.18, 1.15, 1.05, 0.98, 0.95, 0.97])
PV_YIELD = np.array([205, 178, 160, 122, 92, 76, 82, 102, 132, 166, 188, 207], dtype=float)
IVA = 0.19
SETTLEMENT_METHODS = (
    "Descuento en facturas siguientes; remanente anual pagado por transferencia electrónica",
    "Descuento en facturas siguientes; remanente pagado con vale vista al cumplirse el período",
)


def tariff(months: list[dt.date]) -> pd.DataFrame:
    """BT1-like unit prices (CLP net) per month; energy prices rise with the 2024-2025 tariff unfreeze."""
    t = np.arange(len(months)) / max(len(months) - 1, 1)
    return pd.DataFrame(dict(
        month=months,
        fixed=np.round(1050 + 200 * t),
        public_service=np.round(0.85 + 0.1 * t, 3),
        transport=np.round(20.5 + 3.0 * t, 2),
        energy=np.round(104.0 + 52.0 * t ** 1.3, 2),
        capacity=np.round(17.0 + 5.0 * t, 2),
        injection=np.round((104.0 + 52.0 * t ** 1.3) * 0.82, 2),
    ))


def build_clients(rng: np.random.Generator, transformers: pd.DataFrame, clients_range: tuple[int, int],
                  company_index: dict[int, int]) -> pd.DataFrame:
    """Clients hanging from each transformer, with plausible personal data (no real persons)."""
    counts = rng.integers(clients_range[0], clients_range[1] + 1, len(transformers))
    counts = np.where(transformers["phase_type"].to_numpy() == "monofasico", np.maximum(counts // 2, 1), counts)
    t_rows = np.repeat(np.arange(len(transformers)), counts)
    n = len(t_rows)
    company_id = transformers["company_id"].to_numpy()[t_rows]
    business = rng.random(n) < 0.05
    first = rng.choice(np.array(FIRST_NAMES), n)
    s1 = rng.choice(np.array(SURNAMES), n)
    s2 = rng.choice(np.array(SURNAMES), n)
    person = np.char.add(np.char.add(np.char.add(np.char.add(first, " "), s1), " "), s2)
    company_name = np.char.add(np.char.add("Comercial ", s1), rng.choice(np.array([" SpA", " Ltda.", " y Cía. Ltda."]), n))
    name = np.where(business, company_name, person)
    # Unique RUT bodies without replacement: persons 5-25M, businesses 76-78M (vectorised for 1M clients).
    persons = rng.choice(20_000_000, size=n, replace=False) + 5_000_000
    companies = rng.choice(2_000_000, size=n, replace=False) + 76_000_000
    bodies = np.where(business, companies, persons)
    rut = np.char.add(np.char.add(bodies.astype(str), "-"), rut_check_digits(bodies))
    seq = np.zeros(n, dtype=np.int64)
    numbers = np.empty(n, dtype=object)
    for cid, idx in company_index.items():
        mask = company_id == cid
        seq[mask] = np.arange(1, mask.sum() + 1)
        numbers[mask] = np.char.add(str(idx + 1), np.char.zfill((seq[mask] * 7 + 100_003).astype(str), 7))
    streets = transformers["_street"].to_numpy()[t_rows]
    address = np.char.add(np.char.add(streets.astype(str), " "), rng.integers(10, 3999, n).astype(str))
    login = fold_series(np.char.add(np.char.add(first, "."), s1)).str.replace(r"[ ']", "", regex=True).to_numpy(str)
    email = np.char.add(np.char.add(np.char.add(login, rng.integers(1, 99, n).astype(str)), "@"),
                        rng.choice(np.array(["correo.cl", "mail.cl", "example.cl"]), n))
    three_phase = business | (rng.random(n) < 0.06)
    service_kw = np.where(three_phase, rng.choice([16.5, 21.8, 27.4], n), rng.choice([5.5, 7.7, 9.9], n, p=[0.5, 0.35, 0.15]))
    frame = pd.DataFrame(dict(
        id=np.arange(1, n + 1), company_id=company_id, client_number=numbers, rut=rut, name=name,
        email=email, phone=np.char.add("+56 9 ", rng.integers(40_000_000, 99_999_999, n).astype(str)),
        address=address, comuna_code=transformers["comuna_code"].to_numpy()[t_rows],
        billing_day=rng.integers(1, 29, n), tariff=np.where(business, "BT2", "BT1"),
        service_capacity_kw=service_kw, service_phases=np.where(three_phase, 3, 1),
        transformer_id=transformers["id"].to_numpy()[t_rows], _business=business,
    ))
    frame["search_text"] = fold_series(frame["name"] + " " + frame["address"]).to_numpy(object)
    return frame


def rut_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Modulo-11 check digits of many RUT bodies at once (``K`` for 10, ``0`` for 11)."""
    rest = np.asarray(bodies, dtype=np.int64).copy()
    total = np.zeros(len(rest), dtype=np.int64)
    factor = 2
    while rest.any():
        total += (rest % 10) * factor
        rest //= 10
        factor = 2 if factor == 7 else factor + 1
    dv = 11 - total % 11
    return np.where(dv == 11, "0", np.where(dv == 10, "K", dv.astype(str)))


def fold_series(values) -> pd.Series:
    """Vectorised ``fold_text``: lower-case, accents stripped, spaces collapsed."""
    series = pd.Series(values, dtype="string")
    folded = series.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return folded.str.lower().str.split().str.join(" ").astype(object)


def consumption(rng: np.random.Generator, clients: pd.DataFrame, months: list[dt.date]) -> np.ndarray:
    """Monthly kWh per client (rows) and month (columns), seasonal with a mild upward trend."""
    n, h = len(clients), len(months)
    base = rng.lognormal(np.log(185), 0.45, n) * np.where(clients["_business"], 4.0, 1.0)
    season = CONSUMPTION_SEASON[np.array([m.month - 1 for m in months])]
    trend = 1 + 0.01 * np.arange(h) / 12
    noise = rng.normal(1.0, 0.07, (n, h)).clip(0.75, 1.3)
    return np.maximum(np.round(base[:, None] * season[None, :] * trend[None, :] * noise), 5.0)


def charges(kwh: np.ndarray, prices: pd.DataFrame) -> dict[str, np.ndarray]:
    """Invoice line amounts (CLP net) for each client-month; the offsettable part excludes the fixed charge."""
    p = {c: prices[c].to_numpy()[None, :] for c in ("fixed", "public_service", "transport", "energy", "capacity")}
    lines = dict(
        fixed=np.broadcast_to(p["fixed"], kwh.shape).astype(np.int64),
        public_service=np.round(kwh * p["public_service"]).astype(np.int64),
        transport=np.round(kwh * p["transport"]).astype(np.int64),
        energy=np.round(kwh * p["energy"]).astype(np.int64),
        capacity=np.round(kwh * p["capacity"]).astype(np.int64),
    )
    lines["offsettable"] = lines["public_service"] + lines["transport"] + lines["energy"] + lines["capacity"]
    return lines


def total_with_vat(net: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IVA and total of net amounts (CLP, rounded)."""
    vat = np.round(net * IVA).astype(np.int64)
    return vat, net + vat


def build_eg(rng: np.random.Generator, clients: pd.DataFrame, eg_share: float, as_of: dt.date) -> pd.DataFrame:
    """Pick EG clients and their installation attributes (capacity, dates, settlement terms)."""
    candidates = np.flatnonzero(~clients["_business"].to_numpy())
    n = max(1, int(round(len(clients) * eg_share)))
    chosen = np.sort(rng.choice(candidates, size=min(n, len(candidates)), replace=False))
    service = clients["service_capacity_kw"].to_numpy()[chosen]
    capacity = np.minimum(rng.choice([2.0, 3.0, 3.6, 4.5, 5.0, 6.0, 8.0, 10.0], len(chosen)), service)
    days_back = rng.integers(180, 8 * 365, len(chosen))
    connection = np.array([as_of - dt.timedelta(days=int(d)) for d in days_back])
    settlement = np.array([dt.date(c.year + 1, c.month, min(c.day, 28)) for c in connection])
    return pd.DataFrame(dict(
        client_row=chosen, capacity_kw=capacity, inverter_kw=np.round(capacity * rng.uniform(0.85, 1.0, len(chosen)), 1),
        technology=np.where(rng.random(len(chosen)) < 0.96, "solar_pv", "wind"), connection_date=connection,
        settlement_method=rng.choice(np.array(SETTLEMENT_METHODS), len(chosen)), settlement_date=settlement,
        _export_share=rng.uniform(0.45, 0.75, len(chosen)),
    ))


def injections(rng: np.random.Generator, eg: pd.DataFrame, months: list[dt.date]) -> np.ndarray:
    """Injected kWh per EG (rows) and month (columns); zero before the connection month."""
    yields = PV_YIELD[np.array([m.month - 1 for m in months])]
    noise = rng.normal(1.0, 0.09, (len(eg), len(months))).clip(0.6, 1.3)
    kwh = eg["capacity_kw"].to_numpy()[:, None] * yields[None, :] * eg["_export_share"].to_numpy()[:, None] * noise
    conn = np.array([dt.date(c.year, c.month, 1) for c in eg["connection_date"]])
    started = np.array(months)[None, :] > conn[:, None]
    return np.where(started, np.round(kwh), 0.0)


def surplus_ledger(value: np.ndarray, offsettable: np.ndarray, settle_month: np.ndarray, started: np.ndarray,
                   first_settlement: np.ndarray, months: list[dt.date]) -> dict[str, np.ndarray]:
    """Remanente accounting month by month (vectorised over EGs).

    available = opening + injection value; offset = min(offsettable charges, available);
    on the contract's settlement month the remaining balance is paid out.
    """
    n, h = value.shape
    out = {k: np.zeros((n, h), dtype=np.int64) for k in ("opening", "offset", "paid", "closing")}
    balance = np.zeros(n, dtype=np.int64)
    for j, month in enumerate(months):
        active = started[:, j]
        opening = np.where(active, balance, 0)
        available = opening + value[:, j]
        offset = np.where(active, np.minimum(offsettable[:, j], available), 0)
        remaining = available - offset
        settle = active & (settle_month == month.month) & (np.array(month) >= first_settlement)
        paid = np.where(settle, remaining, 0)
        balance = np.where(active, remaining - paid, 0)
        out["opening"][:, j], out["offset"][:, j], out["paid"][:, j], out["closing"][:, j] = opening, offset, paid, balance
    return out


def meter_registers(meter_ids: np.ndarray, import_reading: np.ndarray, export_reading: np.ndarray,
                    peak_kw: np.ndarray, read_days: list[dt.datetime], rng: np.random.Generator) -> pd.DataFrame:
    """OBIS registers (IEC 62056-6-1) for each meter at each reading time."""
    frames = []
    for k, read_at in enumerate(read_days):
        imp, exp = import_reading[:, k], export_reading[:, k]
        t1 = np.round(imp * 0.64, 1)
        e1 = np.round(exp * 0.97, 1)
        regs = {
            "1-0:1.8.0*255": (imp, "kWh"), "1-0:1.8.1*255": (t1, "kWh"), "1-0:1.8.2*255": (np.round(imp - t1, 1), "kWh"),
            "1-0:2.8.0*255": (exp, "kWh"), "1-0:2.8.1*255": (e1, "kWh"), "1-0:2.8.2*255": (np.round(exp - e1, 1), "kWh"),
            "1-0:1.6.0*255": (np.round(peak_kw[:, k], 2), "kW"),
            "1-0:2.6.0*255": (np.round(peak_kw[:, k] * rng.uniform(0.6, 1.1, len(imp)), 2), "kW"),
            "1-0:32.7.0*255": (np.round(rng.normal(224, 3, len(imp)), 1), "V"),
            "1-0:31.7.0*255": (np.round(rng.uniform(0.4, 9.0, len(imp)), 2), "A"),
        }
        for code, (values, unit) in regs.items():
            frames.append(pd.DataFrame(dict(meter_id=meter_ids, obis_code=code, read_at=read_at, value=values, unit=unit)))
    return pd.concat(frames, ignore_index=True)


def document_bodies(kind: str, client_name: str, rut: str, capacity: float, inverter: float, transformer_code: str,
                    settlement_method: str, settlement_date: dt.date, connection_date: dt.date, short_circuit_kva: float,
                    kva: float) -> str:
    """Structured content of a connection document (rendered to PDF on download)."""
    if kind == "contract":
        body = dict(parties=[client_name, rut], capacity_kw=capacity, inverter_kw=inverter, transformer=transformer_code,
                    settlement_method=settlement_method, settlement_date=settlement_date.isoformat(),
                    clauses=["Objeto: conexión de Equipamiento de Generación conforme a la Ley 21.118 y el DS 57/2019.",
                             "Las inyecciones se valorizan al precio de nudo de energía traspasado al cliente.",
                             "Los remanentes no descontados se liquidan según la forma y fecha indicadas."])
    elif kind == "protocol":
        body = dict(connection_date=connection_date.isoformat(), inverter_kw=inverter,
                    tests=[["Protección anti-isla", "Aprobada", "desconexión en 0,18 s"],
                           ["Umbral de sobretensión 59", "Aprobada", "253 V / 0,2 s"],
                           ["Umbral de subtensión 27", "Aprobada", "196 V / 0,4 s"],
                           ["Frecuencia 81O/81U", "Aprobada", "51,5 Hz / 47,5 Hz"],
                           ["Reconexión automática", "Aprobada", "60 s tras normalización"]])
    else:
        rise = round(capacity / max(short_circuit_kva, 1) * 100 * 6, 3)
        body = dict(short_circuit_kva=short_circuit_kva, transformer_kva=kva, capacity_kw=capacity,
                    voltage_rise_pct=rise,
                    conclusion="La conexión no requiere obras adicionales." if rise < 3 else
                    "Se requieren obras adicionales en la red de baja tensión.")
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def history_months(as_of: dt.date, count: int) -> list[dt.date]:
    """``count`` month starts ending at ``as_of`` (inclusive), oldest first."""
    return [month_add(as_of, -i) for i in range(count - 1, -1, -1)]
