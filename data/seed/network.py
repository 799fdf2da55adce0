"""Network topology: substations, radial feeder trees of poles and spans, transformers, equipment.

Trees grow inside each comuna polygon in a metric (WGS84 UTM) space, one step for every feeder
at once (vectorised over feeders, not over poles), then locations are recorded in the
company's datum and the UTM zone of their longitude.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from data.seed.catalog import LV_CONDUCTORS, MV_CONDUCTORS
from data.seed.names import FEEDER_NAMES, STREETS, SUBSTATION_NAMES
from data.seed.profiles import Profile
from geo.crs import epsg_for, from_wgs84, to_wgs84, zone_for_lon

DATUM_SHARES = {"WGS84": 0.55, "SIRGAS2002": 0.20, "SIRGAS2016": 0.08, "PSAD56": 0.12, "SAD69": 0.05}


@dataclass
class ComunaSpace:
    """A comuna polygon projected to the WGS84 UTM zone of its centroid (metres)."""

    code: str
    name: str
    company_id: int
    zone: str
    polygon: object  # shapely geometry in UTM metres, prepared
    inner: object  # polygon shrunk inward, where substations may sit


def comuna_spaces(comunas: pd.DataFrame) -> list[ComunaSpace]:
    """Project each selected comuna (rows with code, name, company_id, geometry lon/lat) to metres."""
    spaces = []
    for row in comunas.itertuples():
        centroid = row.geometry.centroid
        zone = zone_for_lon(centroid.x)
        epsg = epsg_for("WGS84", zone)
        poly = shapely.ops.transform(lambda x, y, _e=epsg: from_wgs84(x, y, "WGS84", zone), row.geometry)
        inner = poly.buffer(-1500)
        if inner.is_empty or inner.area < 4e6:
            inner = poly.buffer(-300)
        shapely.prepare(poly)
        shapely.prepare(inner)
        spaces.append(ComunaSpace(row.code, row.name, row.company_id, zone, poly, inner))
    return spaces


def _sample_inside(rng: np.random.Generator, geom, center, spread: float) -> tuple[float, float]:
    """A random point inside ``geom``, near ``center`` when possible."""
    minx, miny, maxx, maxy = geom.bounds
    for attempt in range(400):
        if attempt < 200:
            x, y = rng.normal(center[0], spread), rng.normal(center[1], spread)
        else:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(geom, x, y):
            return x, y
    point = geom.representative_point()
    return point.x, point.y


def grow_trees(rng: np.random.Generator, roots: np.ndarray, headings: np.ndarray, sizes: np.ndarray,
               polygons: np.ndarray, step: tuple[float, float], p_continue: float):
    """Grow one radial tree per root; returns (x, y, parent, heading, length) arrays shaped (n, max size).

    Node 0 is placed one step from the root; node i > 0 hangs from node i-1 with probability
    ``p_continue`` (a line) or from a random earlier node (a branch). Every node lies inside
    its tree's polygon (up to 40 retries, then re-rooted from node 0 until it fits).
    """
    n, m = len(roots), int(sizes.max()) if len(sizes) else 0
    xs = np.full((n, m), np.nan)
    ys = np.full((n, m), np.nan)
    parent = np.full((n, m), -1, dtype=np.int64)
    heading = np.zeros((n, m))
    length = np.zeros((n, m))
    rows = np.arange(n)
    for i in range(m):
        active = rows[sizes > i]
        if i == 0:
            par = np.full(len(active), -1)
            base_x, base_y = roots[active, 0], roots[active, 1]
            head = headings[active]
        else:
            cont = rng.random(len(active)) < p_continue
            par = np.where(cont, i - 1, (rng.random(len(active)) * i).astype(np.int64))
            base_x, base_y = xs[active, par], ys[active, par]
            turn = np.where(cont, rng.normal(0, 0.22, len(active)),
                            rng.choice([-1.0, 1.0], len(active)) * np.pi / 2 + rng.normal(0, 0.3, len(active)))
            head = heading[active, par] + turn
        placed = np.zeros(len(active), dtype=bool)
        nx = np.empty(len(active))
        ny = np.empty(len(active))
        nl = np.empty(len(active))
        nh = np.empty(len(active))
        for attempt in range(80):
            todo = ~placed
            if not todo.any():
                break
            if attempt == 40 and i > 0:
                # Re-root stubborn nodes at the feeder head: it is inside by construction.
                par = np.where(todo, 0, par)
                base_x = np.where(todo, xs[active, 0], base_x)
                base_y = np.where(todo, ys[active, 0], base_y)
            k = todo.sum()
            h = head[todo] if attempt == 0 else rng.uniform(0, 2 * np.pi, k)
            ln = rng.uniform(step[0], step[1], k)
            cx = base_x[todo] + ln * np.cos(h)
            cy = base_y[todo] + ln * np.sin(h)
            ok = shapely.contains_xy(polygons[active[todo]], cx, cy)
            idx = np.flatnonzero(todo)[ok]
            nx[idx], ny[idx], nl[idx], nh[idx] = cx[ok], cy[ok], ln[ok], h[ok]
            placed[idx] = True
        if not placed.all():  # pragma: no cover - only for degenerate polygons
            raise RuntimeError("could not place nodes inside their comuna")
        xs[active, i], ys[active, i] = nx, ny
        parent[active, i] = par
        heading[active, i] = nh
        length[active, i] = nl
    return xs, ys, parent, heading, length


def record_locations(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, datum: np.ndarray):
    """Record lon/lat as the company would: x, y in ``datum`` and the UTM zone of the longitude."""
    zone = np.array([zone_for_lon(v) for v in np.round(lon, 6)]) if len(lon) < 64 else _zones(lon)
    x = np.empty(len(lon))
    y = np.empty(len(lon))
    keys = np.char.add(np.char.add(datum.astype(str), "|"), zone.astype(str))
    for key in np.unique(keys):
        mask = keys == key
        d, z = key.split("|")
        x[mask], y[mask] = from_wgs84(lon[mask], lat[mask], d, z)
    # Companies record to the decimetre.
    return np.round(x, 1), np.round(y, 1), zone


def _zones(lon: np.ndarray) -> np.ndarray:
    numbers = ((np.asarray(lon) + 180) // 6).astype(int) + 1
    return np.char.add(numbers.astype(str), "S")


def utm_to_lonlat(x: np.ndarray, y: np.ndarray, zones: np.ndarray):
    """Metric WGS84 UTM (per-row zone) back to lon/lat."""
    lon = np.empty(len(x))
    lat = np.empty(len(x))
    for zone in np.unique(zones):
        mask = zones == zone
        lon[mask], lat[mask] = to_wgs84(x[mask], y[mask], "WGS84", zone)
    return lon, lat


def pick_datums(rng: np.random.Generator, n: int) -> np.ndarray:
    """A recording datum per feeder/substation: mostly WGS84/SIRGAS, some legacy PSAD56/SAD69."""
    names = np.array(list(DATUM_SHARES))
    return rng.choice(names, size=n, p=np.array(list(DATUM_SHARES.values())))


def build_network(rng: np.random.Generator, profile: Profile, spaces: list[ComunaSpace],
                  company_codes: dict[int, str]) -> dict[str, pd.DataFrame]:
    """Generate substations, power transformers, feeders, MV/LV poles, spans and transformer slots."""
    sub_rows, pt_rows, feeder_rows = [], [], []
    sub_seq = {cid: 0 for cid in company_codes}
    feeder_seq = {cid: 0 for cid in company_codes}
    space_of_feeder = []
    for space in spaces:
        rp = space.inner.representative_point()
        for _ in range(rng.integers(profile.substations_per_comuna[0], profile.substations_per_comuna[1] + 1)):
            sub_seq[space.company_id] += 1
            cc = company_codes[space.company_id]
            sx, sy = _sample_inside(rng, space.inner, (rp.x, rp.y), 2500)
            sub_id = len(sub_rows) + 1
            hv = float(rng.choice([66.0, 110.0, 154.0], p=[0.45, 0.45, 0.10]))
            mv = float(rng.choice([12.0, 13.2, 15.0, 23.0], p=[0.25, 0.5, 0.15, 0.10]))
            sub_rows.append(dict(id=sub_id, company_id=space.company_id, code=f"SE-{cc}-{sub_seq[space.company_id]:02d}",
                                 name=f"S/E {space.name} {SUBSTATION_NAMES[(sub_id - 1) % len(SUBSTATION_NAMES)]}",
                                 comuna_code=space.code, hv_kv=hv, _ux=sx, _uy=sy, _zone=space.zone, _mv=mv))
            n_pt = int(rng.integers(1, 3))
            for k in range(n_pt):
                mva = float(rng.choice([10, 16, 25, 30]))
                pt_rows.append(dict(id=len(pt_rows) + 1, substation_id=sub_id, code=f"TR{k + 1}",
                                    name=f"TR{k + 1} {hv:g}/{mv:g} kV {mva:g} MVA".replace(".", ","),
                                    hv_kv=hv, mv_kv=mv, mva=mva))
            n_f = int(rng.integers(profile.feeders_per_substation[0], profile.feeders_per_substation[1] + 1))
            first_pt = len(pt_rows) - n_pt + 1
            base_heading = rng.uniform(0, 2 * np.pi)
            for f in range(n_f):
                feeder_seq[space.company_id] += 1
                fid = len(feeder_rows) + 1
                is_sub = rng.random() < 0.1
                feeder_rows.append(dict(
                    id=fid, company_id=space.company_id, substation_id=sub_id,
                    power_transformer_id=first_pt + f % n_pt,
                    code=f"AL-{cc}-{feeder_seq[space.company_id]:03d}",
                    name=FEEDER_NAMES[(fid - 1) % len(FEEDER_NAMES)] + ("" if fid <= len(FEEDER_NAMES) else f" {fid}"),
                    kind="sub_feeder" if is_sub else "feeder",
                    owner_company_name="Cooperativa Eléctrica Rural Los Andes Ltda." if is_sub else None,
                    purchase_point=f"Punto de compra {space.name} N° {int(rng.integers(1, 40))}" if is_sub else None,
                    comuna_code=space.code, nominal_kv=mv, _heading=base_heading + 2 * np.pi * f / n_f,
                ))
                space_of_feeder.append(space)
    subs = pd.DataFrame(sub_rows)
    feeders = pd.DataFrame(feeder_rows)
    n_feeders = len(feeders)

    # Transformer slots and MV pole counts per feeder.
    t_counts = rng.integers(profile.transformers_per_feeder[0], profile.transformers_per_feeder[1] + 1, n_feeders)
    if profile.big_feeder_transformers and n_feeders:
        t_counts[0] = profile.big_feeder_transformers
    mv_per_t = rng.integers(profile.mv_poles_per_transformer[0], profile.mv_poles_per_transformer[1] + 1, n_feeders)
    mv_counts = np.maximum(t_counts * mv_per_t // 2 + 2, t_counts + 2)
    sub_index = feeders["substation_id"].to_numpy() - 1
    roots = np.column_stack([subs["_ux"].to_numpy()[sub_index], subs["_uy"].to_numpy()[sub_index]])
    polygons = np.array([s.polygon for s in space_of_feeder], dtype=object)
    zones = np.array([s.zone for s in space_of_feeder])
    mx, my, mpar, _mh, mlen = grow_trees(rng, roots, feeders["_heading"].to_numpy(), mv_counts, polygons,
                                        (40.0, 120.0), 0.9)

    # Distance from the head along the tree (for short-circuit power) and phases per node.
    dist = np.zeros_like(mlen)
    phases = np.full(mlen.shape, 3, dtype=np.int64)
    cols = np.arange(n_feeders)
    for i in range(mx.shape[1]):
        act = mv_counts > i
        par = mpar[:, i]
        if i == 0:
            dist[act, 0] = mlen[act, 0]
            continue
        dist[act, i] = dist[cols[act], par[act]] + mlen[act, i]
        branch = act & (par != i - 1)
        inherited = phases[cols, np.maximum(par, 0)]
        phases[act, i] = inherited[act]
        flip = branch & (inherited == 3) & (rng.random(n_feeders) < 0.45)
        phases[flip, i] = 2

    # Flatten MV poles.
    f_idx, n_idx = np.nonzero(~np.isnan(mx))
    mv = pd.DataFrame(dict(feeder_row=f_idx, node=n_idx, ux=mx[f_idx, n_idx], uy=my[f_idx, n_idx],
                           parent=mpar[f_idx, n_idx], length=mlen[f_idx, n_idx], dist_m=dist[f_idx, n_idx],
                           phases=phases[f_idx, n_idx], zone=zones[f_idx]))
    mv["is_branch_start"] = (mv["node"] > 0) & (mv["parent"] != mv["node"] - 1)

    # Feeder capacity from its trunk conductor; short-circuit power at the head from the bus.
    trunk = rng.choice(len(MV_CONDUCTORS[:2]), n_feeders)
    feeders["_trunk"] = trunk
    feeders["capacity_a"] = np.array([MV_CONDUCTORS[t][3] for t in trunk], dtype=float)
    feeders["capacity_kva"] = np.round(np.sqrt(3) * feeders["nominal_kv"] * feeders["capacity_a"], 0)
    icc_ka = rng.uniform(4.0, 12.0, n_feeders)
    feeders["short_circuit_kva"] = np.round(np.sqrt(3) * feeders["nominal_kv"] * icc_ka * 1000, -2)

    # Place transformers on distinct MV poles (never the head pole).
    t_rows = []
    mv_start = np.concatenate([[0], np.cumsum(mv_counts)[:-1]])
    for f in range(n_feeders):
        nodes = rng.choice(np.arange(1, mv_counts[f]), size=min(t_counts[f], mv_counts[f] - 1), replace=False)
        nodes.sort()
        for node in nodes:
            t_rows.append((f, int(node), int(mv_start[f] + node)))
    slots = pd.DataFrame(t_rows, columns=["feeder_row", "node", "mv_row"])
    node_phases = mv["phases"].to_numpy()[slots["mv_row"].to_numpy()]
    tri = (node_phases == 3) & (rng.random(len(slots)) < 0.8)
    slots["phase_type"] = np.where(tri, "trifasico", "monofasico")
    slots["phase_id"] = np.where(tri, "RST", rng.choice(["RS", "RT", "ST"], len(slots)))
    slots["dist_m"] = mv["dist_m"].to_numpy()[slots["mv_row"].to_numpy()]

    # LV trees hang from each transformer's pole.
    lv_counts = rng.integers(profile.lv_poles_per_transformer[0], profile.lv_poles_per_transformer[1] + 1, len(slots))
    lv_roots = np.column_stack([mv["ux"].to_numpy()[slots["mv_row"]], mv["uy"].to_numpy()[slots["mv_row"]]])
    lv_polys = polygons[slots["feeder_row"].to_numpy()]
    lx, ly, lpar, _lh, llen = grow_trees(rng, lv_roots, rng.uniform(0, 2 * np.pi, len(slots)), lv_counts, lv_polys,
                                        (25.0, 50.0), 0.7)
    t_idx, l_idx = np.nonzero(~np.isnan(lx))
    lv = pd.DataFrame(dict(slot=t_idx, node=l_idx, ux=lx[t_idx, l_idx], uy=ly[t_idx, l_idx],
                           parent=lpar[t_idx, l_idx], length=llen[t_idx, l_idx]))
    lv["feeder_row"] = slots["feeder_row"].to_numpy()[lv["slot"]]
    lv["zone"] = zones[lv["feeder_row"]]
    lv["three_phase"] = slots["phase_type"].to_numpy()[lv["slot"]] == "trifasico"

    return dict(substations=subs, power_transformers=pd.DataFrame(pt_rows), feeders=feeders,
                mv_nodes=mv, lv_nodes=lv, slots=slots, feeder_polygons=polygons, feeder_zones=zones,
                mv_counts=mv_counts)


def finish_poles_and_spans(rng: np.random.Generator, net: dict, company_codes: dict[int, str],
                           feeder_datum: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn MV/LV nodes into pole and span rows with plates, recorded locations and conductors."""
    feeders, mv, lv, slots = net["feeders"], net["mv_nodes"], net["lv_nodes"], net["slots"]
    mv = mv.copy()
    lv = lv.copy()
    n_mv = len(mv)
    mv["pole_id"] = np.arange(1, n_mv + 1)
    lv["pole_id"] = np.arange(n_mv + 1, n_mv + len(lv) + 1)
    poles = pd.concat([
        pd.DataFrame(dict(id=mv["pole_id"], feeder_row=mv["feeder_row"], ux=mv["ux"], uy=mv["uy"], zone=mv["zone"],
                          level="MT")),
        pd.DataFrame(dict(id=lv["pole_id"], feeder_row=lv["feeder_row"], ux=lv["ux"], uy=lv["uy"], zone=lv["zone"],
                          level="BT")),
    ], ignore_index=True)
    fr = poles["feeder_row"].to_numpy()
    poles["feeder_id"] = feeders["id"].to_numpy()[fr]
    poles["company_id"] = feeders["company_id"].to_numpy()[fr]
    poles["comuna_code"] = feeders["comuna_code"].to_numpy()[fr]
    lon, lat = utm_to_lonlat(poles["ux"].to_numpy(), poles["uy"].to_numpy(), poles["zone"].to_numpy())
    poles["lon"], poles["lat"] = lon, lat
    poles["datum"] = feeder_datum[fr]
    poles["x"], poles["y"], poles["zone"] = record_locations(rng, lon, lat, poles["datum"].to_numpy())
    is_mv = poles["level"].to_numpy() == "MT"
    poles["mv_kv"] = np.where(is_mv, feeders["nominal_kv"].to_numpy()[fr], np.nan)
    has_t = np.zeros(len(poles), dtype=bool)
    has_t[slots["mv_row"].to_numpy()] = True
    poles["lv_v"] = np.where(~is_mv | has_t, 380.0, np.nan)
    end_or_branch = np.zeros(len(poles), dtype=bool)
    end_or_branch[:n_mv] = mv["is_branch_start"].to_numpy()
    poles["vnr_code"] = np.where(is_mv, np.where(end_or_branch, "PH-13", "PH-115"),
                                 np.where(rng.random(len(poles)) < 0.8, "PH-09", "PM-09"))
    poles["code"] = _plates(poles["company_id"].to_numpy(), company_codes, "P", 6)

    # Spans: head span from the substation bus, then one per node from its parent.
    mv_first = mv.groupby("feeder_row")["pole_id"].transform("min").to_numpy()
    mv_parent_pole = np.where(mv["parent"].to_numpy() >= 0, mv_first + mv["parent"].to_numpy(), -1)
    slot_pole = mv["pole_id"].to_numpy()[slots["mv_row"].to_numpy()]
    lv_first = lv.groupby("slot")["pole_id"].transform("min").to_numpy()
    lv_parent_pole = np.where(lv["parent"].to_numpy() >= 0, lv_first + lv["parent"].to_numpy(),
                              slot_pole[lv["slot"].to_numpy()])
    trunk_cond = feeders["_trunk"].to_numpy()[mv["feeder_row"].to_numpy()]
    branch_cond = rng.choice([0, 2, 3], len(mv))
    mv_cond = np.where(mv["phases"].to_numpy() == 3, np.where(mv["is_branch_start"], branch_cond, trunk_cond), 0)
    spans = pd.concat([
        pd.DataFrame(dict(feeder_row=mv["feeder_row"], to_pole_id=mv["pole_id"], from_pole_id=mv_parent_pole,
                          length_m=mv["length"], voltage_level="MT", phases=mv["phases"], cond=mv_cond)),
        pd.DataFrame(dict(feeder_row=lv["feeder_row"], to_pole_id=lv["pole_id"], from_pole_id=lv_parent_pole,
                          length_m=lv["length"], voltage_level="BT", phases=np.where(lv["three_phase"], 3, 1),
                          cond=np.where(lv["three_phase"], 0, 1))),
    ], ignore_index=True)
    fr = spans["feeder_row"].to_numpy()
    spans["feeder_id"] = feeders["id"].to_numpy()[fr]
    spans["company_id"] = feeders["company_id"].to_numpy()[fr]
    plate = poles.set_index("id")["code"]
    spans["to_node"] = plate.loc[spans["to_pole_id"]].to_numpy()
    sub_code = net["substations"].set_index("id")["code"]
    head_node = sub_code.loc[feeders["substation_id"].to_numpy()[fr]].to_numpy()
    has_parent = spans["from_pole_id"].to_numpy() > 0
    spans["from_node"] = np.where(has_parent, plate.reindex(spans["from_pole_id"]).to_numpy(), head_node)
    spans["from_pole_id"] = np.where(has_parent, spans["from_pole_id"], np.nan)
    is_mv = spans["voltage_level"].to_numpy() == "MT"
    cond = spans["cond"].to_numpy()
    mv_table = np.array(MV_CONDUCTORS, dtype=object)
    lv_table = np.array(LV_CONDUCTORS, dtype=object)
    chosen = np.where(is_mv[:, None], mv_table[np.minimum(cond, len(MV_CONDUCTORS) - 1)],
                      lv_table[np.minimum(cond, len(LV_CONDUCTORS) - 1)])
    spans["conductor_material"] = chosen[:, 0]
    spans["conductor_insulation"] = chosen[:, 1]
    spans["conductor_section_mm2"] = chosen[:, 2].astype(float)
    spans["ampacity_a"] = chosen[:, 3].astype(float)
    vnr = chosen[:, 4].astype(str)
    spans["vnr_code"] = np.where(is_mv & (spans["phases"].to_numpy() == 2), "CMT-AL70-1F", vnr)
    spans["length_m"] = np.round(spans["length_m"].to_numpy(), 1)
    spans["id"] = np.arange(1, len(spans) + 1)
    spans["code"] = _plates(spans["company_id"].to_numpy(), company_codes, "V", 7)
    return poles, spans


def _plates(company_ids: np.ndarray, company_codes: dict[int, str], letter: str, width: int) -> np.ndarray:
    """Company-prefixed sequential identifiers: ``P-DEA-000123``."""
    out = np.empty(len(company_ids), dtype=object)
    for cid, cc in company_codes.items():
        mask = company_ids == cid
        seq = np.arange(1, mask.sum() + 1).astype(str)
        out[mask] = np.char.add(f"{letter}-{cc}-", np.char.zfill(seq, width))
    return out


def street_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random street + number strings."""
    return np.char.add(np.char.add(rng.choice(np.array(STREETS), n), " "), rng.integers(10, 3999, n).astype(str))
