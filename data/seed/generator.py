"""Orchestrates the generator: ``generate(profile, seed, as_of)`` returns one DataFrame per table."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import pandas as pd

from data.seed import customers as cu
from data.seed.catalog import STANDARD_KVA_1F, STANDARD_KVA_3F, transformer_vnr, vnr_frame
from data.seed.network import build_network, comuna_spaces, finish_poles_and_spans, pick_datums, record_locations, utm_to_lonlat
from data.seed.names import STREETS
from data.seed.profiles import Profile
from geo.comunas import REGION_ORDER, comunas_frame
from services.formatting import month_add

Progress = Callable[[str], None]


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The last fully billed month: the month before ``today``."""
    today = today or dt.date.today()
    return month_add(dt.date(today.year, today.month, 1), -1)


def generate(profile: Profile, seed: int = 42, as_of: dt.date | None = None,
             progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Generate the whole demo dataset deterministically from ``seed``."""
    say = progress or (lambda _msg: None)
    as_of = as_of or default_as_of()
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}

    say("regiones y comunas")
    dpa = comunas_frame().reset_index(drop=True)
    regions = dpa[["region_code", "region"]].drop_duplicates().rename(columns={"region_code": "code", "region": "name"})
    regions["ordinal"] = regions["code"].map({c: i for i, c in enumerate(REGION_ORDER)})
    out["regions"] = regions.sort_values("code").reset_index(drop=True)
    out["comunas"] = dpa[["code", "name", "province", "region_code"]].reset_index(drop=True)

    companies = pd.DataFrame([dict(id=i + 1, code=c.code, name=c.name, rut=c.rut, address=c.address, phone=c.phone,
                                   website=c.website) for i, c in enumerate(profile.companies)])
    out["companies"] = companies
    company_codes = dict(zip(companies["id"], companies["code"]))
    company_index = {cid: i for i, cid in enumerate(companies["id"])}
    chosen = []
    for i, spec in enumerate(profile.companies):
        frame = dpa[(dpa["region_code"] == spec.region_code) & dpa["name"].isin(spec.comunas)]
        order = {name: k for k, name in enumerate(spec.comunas)}
        frame = frame.assign(_o=frame["name"].map(order)).sort_values("_o").head(profile.comunas_per_company)
        chosen.append(frame.assign(company_id=i + 1))
    chosen = pd.concat(chosen)
    out["company_comunas"] = chosen[["company_id", "code"]].rename(columns={"code": "comuna_code"}).reset_index(drop=True)
    out["vnr_codes"] = vnr_frame(list(companies["id"]), rng)

    say("red: subestaciones, alimentadores, postes y vanos")
    net = build_network(rng, profile, comuna_spaces(chosen), company_codes)
    feeders = net["feeders"]
    subs = net["substations"]
    sub_datum = pick_datums(rng, len(subs))
    lon, lat = utm_to_lonlat(subs["_ux"].to_numpy(), subs["_uy"].to_numpy(), subs["_zone"].to_numpy())
    subs["datum"] = sub_datum
    subs["x"], subs["y"], subs["zone"] = record_locations(rng, lon, lat, sub_datum)
    out["substations"] = subs
    out["power_transformers"] = net["power_transformers"]
    feeder_datum = pick_datums(rng, len(feeders))
    poles, spans = finish_poles_and_spans(rng, net, company_codes, feeder_datum)
    out["poles"], out["spans"] = poles, spans

    say("transformadores de distribución")
    slots = net["slots"]
    mv_pole_ids = np.arange(1, len(net["mv_nodes"]) + 1)
    t_pole = mv_pole_ids[slots["mv_row"].to_numpy()]
    pole_by_id = poles.set_index("id")
    fr = slots["feeder_row"].to_numpy()
    transformers = pd.DataFrame(dict(
        id=np.arange(1, len(slots) + 1), company_id=feeders["company_id"].to_numpy()[fr],
        feeder_id=feeders["id"].to_numpy()[fr], pole_id=t_pole,
        comuna_code=feeders["comuna_code"].to_numpy()[fr], phase_type=slots["phase_type"], phase_id=slots["phase_id"],
        primary_kv=feeders["nominal_kv"].to_numpy()[fr],
        pole_plate=pole_by_id.loc[t_pole, "code"].to_numpy(),
        x=pole_by_id.loc[t_pole, "x"].to_numpy(), y=pole_by_id.loc[t_pole, "y"].to_numpy(),
        datum=pole_by_id.loc[t_pole, "datum"].to_numpy(), zone=pole_by_id.loc[t_pole, "zone"].to_numpy(),
        _street=rng.choice(np.array(STREETS), len(slots)),
    ))
    tri = transformers["phase_type"].to_numpy() == "trifasico"
    transformers["secondary_v"] = np.where(tri, 380.0, 220.0)
    transformers["connection_group"] = np.where(tri, rng.choice(["Dyn1", "Dyn11", "Yzn11"], len(slots), p=[0.5, 0.3, 0.2]), "Ii0")
    transformers["smmc_monitored"] = rng.random(len(slots)) < 0.45
    scc_head = feeders["short_circuit_kva"].to_numpy()[fr]
    transformers["short_circuit_kva"] = np.round(scc_head / (1 + slots["dist_m"].to_numpy() / 1000 * 0.35), -1)
    tcodes = np.empty(len(slots), dtype=object)
    for cid, cc in company_codes.items():
        mask = transformers["company_id"].to_numpy() == cid
        tcodes[mask] = np.char.add(f"TD-{cc}-", np.char.zfill(np.arange(1, mask.sum() + 1).astype(str), 5))
    transformers["code"] = tcodes
    comuna_name = dpa.set_index("code")["name"]
    transformers["name"] = ("TD " + comuna_name.loc[transformers["comuna_code"]].to_numpy() + " "
                            + transformers["_street"].str.replace(r"^(Av\.|Calle|Pasaje|Camino) ", "", regex=True)
                            + " " + transformers["id"].astype(str))

    say("clientes y consumos")
    clients = cu.build_clients(rng, transformers, profile.clients_per_transformer, company_index)
    h = max(profile.history_months, profile.eg_history_months)
    months = cu.history_months(as_of, h)
    prices = cu.tariff(months)
    kwh = cu.consumption(rng, clients, months)
    lines = cu.charges(kwh, prices)

    say("EG (netbilling), inyecciones y remanentes")
    eg = cu.build_eg(rng, clients, profile.eg_share, as_of)
    eg_rows = eg["client_row"].to_numpy()
    inj_kwh = cu.injections(rng, eg, months)
    inj_value = np.round(inj_kwh * prices["injection"].to_numpy()[None, :]).astype(np.int64)
    conn_month = np.array([dt.date(c.year, c.month, 1) for c in eg["connection_date"]])
    started = np.array(months)[None, :] > conn_month[:, None]
    settle_month = np.array([d.month for d in eg["settlement_date"]])
    first_settlement = np.array([dt.date(d.year, d.month, 1) for d in eg["settlement_date"]])
    ledger = cu.surplus_ledger(inj_value, lines["offsettable"][eg_rows], settle_month, started, first_settlement, months)
    offset = np.zeros_like(kwh, dtype=np.int64)
    offset[eg_rows] = ledger["offset"]
    net_amount = lines["fixed"] + lines["offsettable"] - offset
    vat, total = cu.total_with_vat(net_amount)
    readings = clients_readings(rng, kwh)

    # Monthly rows: the last 36 months for everyone, the full history for EG clients.
    keep = np.zeros(kwh.shape, dtype=bool)
    keep[:, -profile.history_months:] = True
    keep[eg_rows] = True
    ci, mi = np.nonzero(keep)
    out["client_monthly"] = pd.DataFrame(dict(client_id=clients["id"].to_numpy()[ci], month=np.array(months)[mi],
                                              consumption_kwh=kwh[ci, mi], charge_clp=total[ci, mi],
                                              reading_kwh=readings[ci, mi]))

    say("dimensionamiento de transformadores y demandas")
    tr_rows = clients["transformer_id"].to_numpy() - 1
    month_kwh = np.zeros((len(transformers), h))
    np.add.at(month_kwh, tr_rows, kwh)
    peak = month_kwh / 730.0 / 0.42  # diversified peak with a group load factor of 0.42
    eg_kw = np.zeros(len(transformers))
    np.add.at(eg_kw, clients["transformer_id"].to_numpy()[eg_rows] - 1, eg["capacity_kw"].to_numpy())
    need = np.maximum(peak.max(axis=1), eg_kw) / 0.95 * rng.uniform(1.15, 1.6, len(transformers))
    too_big_1f = (~tri) & (need > STANDARD_KVA_1F[-1])
    transformers.loc[too_big_1f, ["phase_type", "phase_id", "secondary_v", "connection_group"]] = ["trifasico", "RST", 380.0, "Dyn1"]
    tri = transformers["phase_type"].to_numpy() == "trifasico"
    kva = np.where(tri, _next_standard(need, STANDARD_KVA_3F), _next_standard(need, STANDARD_KVA_1F))
    transformers["kva"] = kva.astype(float)
    transformers["vnr_code"] = transformer_vnr(transformers["phase_type"].to_numpy(), kva)
    out["distribution_transformers"] = transformers
    out["clients"] = clients

    max_t = np.round(peak * rng.uniform(1.0, 1.08, peak.shape), 1)
    min_t = np.round(max_t * rng.uniform(0.15, 0.28, peak.shape), 1)
    min_day = np.round(max_t * rng.uniform(0.3, 0.5, peak.shape), 1)
    last = slice(h - profile.history_months, h)
    ti, mj = np.nonzero(np.ones((len(transformers), profile.history_months), dtype=bool))
    mj_abs = mj + h - profile.history_months
    out["transformer_demands"] = pd.DataFrame(dict(
        transformer_id=transformers["id"].to_numpy()[ti], month=np.array(months)[mj_abs],
        max_demand_kw=max_t[ti, mj_abs], min_demand_kw=min_t[ti, mj_abs], min_daytime_demand_kw=min_day[ti, mj_abs]))
    f_of_t = transformers["feeder_id"].to_numpy() - 1
    sum_max = np.zeros((len(feeders), h))
    sum_min = np.zeros((len(feeders), h))
    top = np.zeros((len(feeders), h))
    np.add.at(sum_max, f_of_t, max_t)
    np.add.at(sum_min, f_of_t, min_t)
    np.maximum.at(top, f_of_t, max_t)
    f_max = np.round(np.maximum(sum_max * 0.82, top), 1)
    f_min = np.round(np.minimum(sum_min, f_max), 1)
    fi, fj = np.nonzero(np.ones((len(feeders), profile.history_months), dtype=bool))
    fj_abs = fj + h - profile.history_months
    out["feeder_demands"] = pd.DataFrame(dict(feeder_id=feeders["id"].to_numpy()[fi], month=np.array(months)[fj_abs],
                                              max_demand_kw=f_max[fi, fj_abs], min_demand_kw=f_min[fi, fj_abs]))
    out["feeders"] = feeders

    say("equipos, PMGD y solicitudes en trámite")
    out["equipment"], out["equipment_history"] = build_equipment(rng, net, poles, company_codes, months[last])
    out["pmgds"], out["connection_applications"] = build_generation_queue(rng, feeders, transformers, poles, net,
                                                                          company_codes, as_of)

    say("instalaciones EG, boletas, anexos, medidores y documentos")
    out.update(build_eg_tables(rng, clients, transformers, eg, eg_rows, months, prices, kwh, lines, offset, vat,
                               total, readings, inj_kwh, inj_value, ledger, started, profile, poles, company_codes))
    return out


def clients_readings(rng: np.random.Generator, kwh: np.ndarray) -> np.ndarray:
    """Cumulative import register at the end of each month."""
    start = rng.integers(1_000, 40_000, kwh.shape[0]).astype(float)
    return np.round(start[:, None] + np.cumsum(kwh, axis=1), 1)


def _next_standard(need: np.ndarray, series: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(series, need)
    return series[np.minimum(idx, len(series) - 1)]


def build_equipment(rng: np.random.Generator, net: dict, poles: pd.DataFrame, company_codes: dict[int, str],
                    months: list[dt.date]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Place devices where a real network has them: head breaker/recloser, sectionalisers, branch fuses,
    some regulators, capacitor banks and autotransformers."""
    feeders, mv = net["feeders"], net["mv_nodes"]
    pole_first = mv.assign(pole_id=np.arange(1, len(mv) + 1)).groupby("feeder_row")["pole_id"].min()
    rows = []
    by_feeder = dict(tuple(mv.groupby("feeder_row")))
    for f in range(len(feeders)):
        fm = by_feeder[f]
        first = int(pole_first.loc[f])
        kv = float(feeders["nominal_kv"].iloc[f])
        n_nodes = len(fm)
        trunk = fm[(fm["parent"] == fm["node"] - 1) | (fm["node"] == 0)]["node"].to_numpy()
        rows.append((f, first, "protection", "Reconectador" if rng.random() < 0.6 else "Interruptor",
                     630.0 if kv < 20 else 400.0, "A", "Trifásica", "Automático, recierre 3 intentos", None, "600:5",
                     "EQ-REC"))
        for node in trunk[25::30]:
            rows.append((f, first + int(node), "switching", "Desconectador cuchillo", 400.0, "A", "Trifásica",
                         "Normalmente cerrado", None, None, "EQ-DCU"))
        for node in fm[fm["is_branch_start"]]["node"].to_numpy():
            rows.append((f, first + int(node), "protection", "Desconectador fusible", float(rng.choice([40, 65, 100])),
                         "A", "Trifásica" if fm["phases"].iloc[node] == 3 else "Bifásica", "Normalmente cerrado",
                         None, None, "EQ-DFU"))
        length_km = fm["length"].sum() / 1000
        if length_km > 6 and rng.random() < 0.6:
            node = int(trunk[int(len(trunk) * 0.6)])
            setpoint = round(kv * 1.02, 1)
            rows.append((f, first + node, "regulator", "Regulador de tensión", 219.0, "A", "Estrella aterrizada",
                         "Automático", f"{setpoint:g} kV; banda ±1,0 %; retardo 45 s".replace(".", ","), "±10 % en 32 pasos",
                         "EQ-REG"))
        if rng.random() < 0.35 and n_nodes > 10:
            node = int(trunk[len(trunk) // 2])
            rows.append((f, first + node, "compensation", "Banco de condensadores", float(rng.choice([300, 600, 900])),
                         "kVAr", "Estrella flotante", "Fijo" if rng.random() < 0.5 else "Automático por tensión",
                         None, None, "EQ-CAP"))
        if rng.random() < 0.06 and n_nodes > 10:
            node = int(trunk[len(trunk) // 3])
            rows.append((f, first + node, "autotransformer", "Autotransformador", 2000.0, "kVA", "Estrella aterrizada",
                         "Normalmente en servicio", None, "23/13,2 kV", "EQ-ATR"))
        if length_km > 10 and rng.random() < 0.5:
            node = int(trunk[int(len(trunk) * 0.45)])
            rows.append((f, first + node, "protection", "Seccionalizador", 200.0, "A", "Trifásica",
                         "Automático, 2 conteos", None, None, "EQ-SEC"))
    eq = pd.DataFrame(rows, columns=["feeder_row", "pole_id", "category", "kind", "capacity", "capacity_unit",
                                     "connection", "operating_mode", "voltage_setpoints", "ratio", "vnr_code"])
    eq["id"] = np.arange(1, len(eq) + 1)
    eq["feeder_id"] = feeders["id"].to_numpy()[eq["feeder_row"]]
    eq["company_id"] = feeders["company_id"].to_numpy()[eq["feeder_row"]]
    p = poles.set_index("id").loc[eq["pole_id"]]
    for col in ("x", "y", "datum", "zone"):
        eq[col] = p[col].to_numpy()
    codes = np.empty(len(eq), dtype=object)
    for cid, cc in company_codes.items():
        mask = eq["company_id"].to_numpy() == cid
        codes[mask] = np.char.add(f"EQ-{cc}-", np.char.zfill(np.arange(1, mask.sum() + 1).astype(str), 5))
    eq["code"] = codes
    # Monthly history: mostly stable, with occasional mode or set-point changes.
    hist = []
    for e in eq.itertuples():
        mode, setpoints = e.operating_mode, e.voltage_setpoints
        for month in months:
            if e.category == "regulator" and rng.random() < 0.08:
                setpoints = rng.choice([setpoints, (e.voltage_setpoints or "").replace("±1,0", "±1,5")])
            if e.category == "switching" and rng.random() < 0.03:
                mode = "Normalmente abierto" if mode == "Normalmente cerrado" else "Normalmente cerrado"
            hist.append((e.id, month, e.kind, e.capacity, e.capacity_unit, e.connection, mode, setpoints))
    history = pd.DataFrame(hist, columns=["equipment_id", "month", "kind", "capacity", "capacity_unit", "connection",
                                          "operating_mode", "voltage_setpoints"])
    return eq, history


def build_generation_queue(rng: np.random.Generator, feeders: pd.DataFrame, transformers: pd.DataFrame,
                           poles: pd.DataFrame, net: dict, company_codes: dict[int, str], as_of: dt.date):
    """Connected PMGDs on some feeders, and EG/PMGD applications in process."""
    pm_rows, app_rows = [], []
    mv = net["mv_nodes"].assign(pole_id=np.arange(1, len(net["mv_nodes"]) + 1))
    seq = {cid: 0 for cid in company_codes}
    first_feeder = set(feeders.groupby("company_id")["id"].min())
    by_feeder = dict(tuple(mv.groupby("feeder_row")))
    for f in feeders.itertuples():
        fm = by_feeder[f.Index]
        # Every company has at least one PMGD so the feeder indicators always have a case to show.
        if rng.random() < 0.15 or f.id in first_feeder:
            far = int(fm["pole_id"].iloc[int(len(fm) * 0.8)])
            p = poles.loc[far - 1]
            seq[f.company_id] += 1
            cap = float(rng.choice([500, 1500, 3000, 6000, 9000]))
            pm_rows.append(dict(id=len(pm_rows) + 1, company_id=f.company_id, feeder_id=f.id,
                                code=f"PMGD-{company_codes[f.company_id]}-{seq[f.company_id]:03d}",
                                name=f"Parque Fotovoltaico {f.name}", technology="solar_pv", capacity_kw=cap,
                                connection_date=as_of - dt.timedelta(days=int(rng.integers(200, 2500))),
                                x=p["x"], y=p["y"], datum=p["datum"], zone=p["zone"]))
        if rng.random() < 0.1:
            app_rows.append(dict(company_id=f.company_id, kind="pmgd", capacity_kw=float(rng.choice([1000, 3000, 6000, 9000])),
                                 feeder_id=f.id, transformer_id=None,
                                 submitted_on=as_of - dt.timedelta(days=int(rng.integers(10, 400)))))
    pick = rng.random(len(transformers)) < 0.012
    for t in transformers[pick].itertuples():
        app_rows.append(dict(company_id=t.company_id, kind="eg", capacity_kw=float(rng.choice([3, 5, 8, 10])),
                             feeder_id=t.feeder_id, transformer_id=t.id,
                             submitted_on=as_of - dt.timedelta(days=int(rng.integers(5, 120)))))
    apps = pd.DataFrame(app_rows, columns=["company_id", "kind", "capacity_kw", "feeder_id", "transformer_id", "submitted_on"])
    apps.insert(0, "id", np.arange(1, len(apps) + 1))
    apps["code"] = [f"SOL-{company_codes[c]}-{i:05d}" for c, i in zip(apps["company_id"], apps["id"])]
    apps["status"] = "in_process"
    pmgds = pd.DataFrame(pm_rows, columns=["id", "company_id", "feeder_id", "code", "name", "technology", "capacity_kw",
                                           "connection_date", "x", "y", "datum", "zone"])
    return pmgds, apps


def build_eg_tables(rng, clients, transformers, eg, eg_rows, months, prices, kwh, lines, offset, vat, total,
                    readings, inj_kwh, inj_value, ledger, started, profile, poles, company_codes) -> dict[str, pd.DataFrame]:
    """EG installations, injections, remanentes, invoices with lines, injection annexes, meters, documents."""
    out = {}
    n = len(eg)
    c = clients.iloc[eg_rows].reset_index(drop=True)
    t = transformers.set_index("id").loc[c["transformer_id"]]
    # The EG sits near its transformer (a few tens of metres, on the client's LV network).
    lon_t, lat_t = _to_lonlat_rows(t)
    lon = lon_t + rng.normal(0, 0.0003, n)
    lat = lat_t + rng.normal(0, 0.0003, n)
    from data.seed.network import record_locations as rec

    x, y, zone = rec(rng, lon, lat, np.full(n, "WGS84"))
    cc = clients["company_id"].to_numpy()[eg_rows]
    inst = pd.DataFrame(dict(
        id=np.arange(1, n + 1), company_id=cc, client_id=c["id"].to_numpy(), transformer_id=c["transformer_id"].to_numpy(),
        code=[f"EG-{company_codes[a]}-{i:05d}" for a, i in zip(cc, range(1, n + 1))],
        capacity_kw=eg["capacity_kw"].to_numpy(), inverter_kw=eg["inverter_kw"].to_numpy(),
        technology=eg["technology"].to_numpy(), connection_date=eg["connection_date"].to_numpy(),
        settlement_method=eg["settlement_method"].to_numpy(), settlement_date=eg["settlement_date"].to_numpy(),
        status="connected", x=x, y=y, datum="WGS84", zone=zone))
    out["generation_installations"] = inst
    months_arr = np.array(months)
    ii, jj = np.nonzero(started)
    inj_price = prices["injection"].to_numpy()
    export_reading = np.round(rng.integers(0, 500, n)[:, None] + np.cumsum(inj_kwh, axis=1), 1)
    out["eg_injections"] = pd.DataFrame(dict(installation_id=inst["id"].to_numpy()[ii], month=months_arr[jj],
                                             injected_kwh=inj_kwh[ii, jj], injection_price_clp_kwh=inj_price[jj],
                                             injection_value_clp=inj_value[ii, jj], reading_kwh=export_reading[ii, jj]))
    out["surplus_credits"] = pd.DataFrame(dict(
        installation_id=inst["id"].to_numpy()[ii], month=months_arr[jj], opening_clp=ledger["opening"][ii, jj],
        injection_value_clp=inj_value[ii, jj], consumption_offset_clp=ledger["offset"][ii, jj],
        paid_out_clp=ledger["paid"][ii, jj], closing_clp=ledger["closing"][ii, jj]))

    # Invoices (last 36 months) with their lines, and injection annexes for months with injections.
    h36 = profile.history_months
    last_cols = np.arange(len(months) - h36, len(months))
    inv_i, inv_j = np.meshgrid(np.arange(n), last_cols, indexing="ij")
    inv_i, inv_j = inv_i.ravel(), inv_j.ravel()
    rows_c = eg_rows[inv_i]
    billing_day = clients["billing_day"].to_numpy()[rows_c]
    periods = months_arr[inv_j]
    issue = np.array([_add_days(p, 31 + int(d) - 1) for p, d in zip(periods, billing_day)])
    business = clients["_business"].to_numpy()[rows_c]
    invoices = pd.DataFrame(dict(
        id=np.arange(1, len(inv_i) + 1), company_id=cc[inv_i], client_id=c["id"].to_numpy()[inv_i],
        kind=np.where(business, "factura", "boleta"), period=periods, issue_date=issue,
        due_date=[d + dt.timedelta(days=20) for d in issue],
        reading_from_kwh=np.round(readings[rows_c, inv_j] - kwh[rows_c, inv_j], 1), reading_to_kwh=readings[rows_c, inv_j],
        consumption_kwh=kwh[rows_c, inv_j],
        net_clp=(lines["fixed"] + lines["offsettable"] - offset)[rows_c, inv_j], vat_clp=vat[rows_c, inv_j],
        total_clp=total[rows_c, inv_j]))
    invoices["number"] = _numbers(invoices["company_id"].to_numpy(), company_codes, "")
    out["invoices"] = invoices
    p = prices.set_index("month")
    per = invoices["period"].to_numpy()
    k = kwh[rows_c, inv_j]
    line_specs = [
        ("Cargo fijo mensual", np.ones(len(k)), "mes", p.loc[per, "fixed"].to_numpy(), lines["fixed"]),
        ("Cargo por servicio público", k, "kWh", p.loc[per, "public_service"].to_numpy(), lines["public_service"]),
        ("Transporte de electricidad", k, "kWh", p.loc[per, "transport"].to_numpy(), lines["transport"]),
        ("Cargo por energía", k, "kWh", p.loc[per, "energy"].to_numpy(), lines["energy"]),
        ("Cargo por compra de potencia", k, "kWh", p.loc[per, "capacity"].to_numpy(), lines["capacity"]),
    ]
    frames = []
    for no, (desc, qty, unit, price, amounts) in enumerate(line_specs, start=1):
        frames.append(pd.DataFrame(dict(invoice_id=invoices["id"], line_no=no, description=desc, quantity=qty,
                                        unit=unit, unit_price=price, amount_clp=amounts[rows_c, inv_j])))
    off = offset[rows_c, inv_j]
    frames.append(pd.DataFrame(dict(invoice_id=invoices["id"], line_no=6, description="Descuento por inyecciones (Ley 21.118)",
                                    quantity=1.0, unit="mes", unit_price=-off.astype(float), amount_clp=-off)))
    out["invoice_lines"] = pd.concat(frames, ignore_index=True).sort_values(["invoice_id", "line_no"]).reset_index(drop=True)

    has_inj = started[inv_i, inv_j]
    ai, aj = inv_i[has_inj], inv_j[has_inj]
    annex = pd.DataFrame(dict(
        company_id=cc[ai], client_id=c["id"].to_numpy()[ai], invoice_id=invoices["id"].to_numpy()[has_inj],
        period=months_arr[aj], issue_date=issue[has_inj],
        reading_from_kwh=np.round(export_reading[ai, aj] - inj_kwh[ai, aj], 1), reading_to_kwh=export_reading[ai, aj],
        injected_kwh=inj_kwh[ai, aj], injection_price_clp_kwh=inj_price[aj], injection_value_clp=inj_value[ai, aj],
        offset_clp=ledger["offset"][ai, aj], surplus_clp=ledger["closing"][ai, aj]))
    annex.insert(0, "id", np.arange(1, len(annex) + 1))
    annex["number"] = _numbers(annex["company_id"].to_numpy(), company_codes, "AI")
    out["injection_annexes"] = annex

    # Meters and their OBIS registers at the last three readings.
    brands = np.array([("Elster", "A1140"), ("Landis+Gyr", "E350"), ("Itron", "ACE6000"), ("Kaifa", "MA110"),
                       ("Hexing", "HXE110")], dtype=object)
    pick = rng.integers(0, len(brands), n)
    three = clients["service_phases"].to_numpy()[eg_rows] == 3
    meters = pd.DataFrame(dict(id=np.arange(1, n + 1), company_id=cc, client_id=c["id"].to_numpy(),
                               serial=[f"{company_codes[a]}{rng.integers(10**7, 10**8)}" for a in cc],
                               brand=brands[pick, 0], model=brands[pick, 1],
                               meter_type=np.where(three, "trifasico_bidireccional", "monofasico_bidireccional"),
                               installed_on=eg["connection_date"].to_numpy()))
    meters["serial"] = meters["serial"] + "-" + meters["id"].astype(str)
    out["meters"] = meters
    read_cols = list(range(len(months) - 3, len(months)))
    read_at = [dt.datetime.combine(_add_days(months[j], 31), dt.time(13, 30), tzinfo=dt.timezone.utc) for j in read_cols]
    peak_kw = kwh[eg_rows][:, read_cols] / 730 / 0.3
    out["meter_registers"] = cu.meter_registers(meters["id"].to_numpy(), readings[eg_rows][:, read_cols],
                                                export_reading[:, read_cols], peak_kw, read_at, rng)

    docs = []
    # Plain lists: per-row DataFrame access would dominate the run time at the large profile.
    names, ruts = c["name"].tolist(), c["rut"].tolist()
    t_codes, t_scc, t_kva = t["code"].tolist(), t["short_circuit_kva"].tolist(), t["kva"].tolist()
    study_draw = rng.random(n)
    prefixes = {"contract": "CC", "protocol": "PC", "study": "EC"}
    titles = {"contract": "Contrato de conexión de Equipamiento de Generación", "protocol": "Protocolo de conexión",
              "study": "Estudio de conexión"}
    offsets = {"contract": 20, "protocol": 0, "study": 60}
    for i, row in enumerate(inst[["id", "code", "capacity_kw", "inverter_kw", "connection_date", "settlement_method",
                                  "settlement_date"]].itertuples(index=False)):
        kinds = ["contract", "protocol"] + (["study"] if row.capacity_kw > 6 or study_draw[i] < 0.25 else [])
        for kind in kinds:
            docs.append(dict(installation_id=int(row.id), kind=kind, number=f"{prefixes[kind]}-{row.code}",
                             title=titles[kind], signed_on=row.connection_date - dt.timedelta(days=offsets[kind]),
                             signed_by=names[i] if kind == "contract" else "Departamento de Conexiones",
                             body=cu.document_bodies(kind, names[i], ruts[i], row.capacity_kw, row.inverter_kw,
                                                     t_codes[i], row.settlement_method, row.settlement_date,
                                                     row.connection_date, float(t_scc[i]), float(t_kva[i] or 0))))
    documents = pd.DataFrame(docs)
    documents.insert(0, "id", np.arange(1, len(documents) + 1))
    out["connection_documents"] = documents
    return out


def _to_lonlat_rows(frame: pd.DataFrame):
    from geo.crs import frame_to_wgs84

    return frame_to_wgs84(frame["x"].to_numpy(), frame["y"].to_numpy(), frame["datum"].to_numpy(), frame["zone"].to_numpy())


def _add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def _numbers(company_ids: np.ndarray, company_codes: dict[int, str], prefix: str) -> np.ndarray:
    out = np.empty(len(company_ids), dtype=object)
    for cid in company_codes:
        mask = company_ids == cid
        out[mask] = np.char.add(prefix, np.char.zfill(np.arange(100001, 100001 + mask.sum()).astype(str), 9))
    return out
