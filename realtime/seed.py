"""Demo data: three supervised companies in Peru with installations, signals and some history."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import ConnectionEvent, MaintenanceWindow, Signal, SupervisedCompany, TransferCoverage
from geo.crs import from_wgs84
from realtime import forms, registry, states
from realtime.availability import lima_midnight
from realtime.clock import ManualClock, SystemClock
from realtime.registry import SignalSpec

G = ("MMPCD", "barg", "°C", "% mol")  # gas flow, pressure, temperature, methane
# (code, name, activity, domain, incorporated_on, state mapping preset)
COMPANIES = [
    ("NOR", "Petrolera del Noroeste S.A.C.", "exploitation", "petronoroeste.com.pe", dt.date(2025, 3, 1), "tase2", "20100000011"),
    ("PLM", "Procesadora de Gas Las Malvinas S.A.", "processing", "procesadoramalvinas.pe", dt.date(2026, 1, 15), "norma", "20100000022"),
    ("TSU", "Transportadora de Gas del Sur S.A.", "transport", "tgsur.com.pe", dt.date(2026, 8, 3), "tase2", "20100000033"),
]
# (company, installation code, name, lon, lat, UTM zone)
INSTALLATIONS = [
    ("NOR", "LT01", "Lote X-1 Talara", -81.27, -4.58, "17S"),
    ("NOR", "LT02", "Lote X-2 Lobitos", -81.22, -4.45, "17S"),
    ("NOR", "LT03", "Lote Z-5 Ucayali", -74.90, -8.50, "18S"),
    ("PLM", "PP01", "Planta de procesamiento Las Malvinas", -72.94, -11.85, "18S"),
    ("PLM", "PF01", "Planta de fraccionamiento Pisco", -76.22, -13.72, "18S"),
    ("PLM", "PL01", "Planta de licuefacción Melchorita", -76.33, -13.25, "18S"),
    ("TSU", "EC01", "Estación de compresión Chiquintirca", -73.95, -13.05, "18S"),
    ("TSU", "VB01", "Válvula de bloqueo Huaytará", -75.35, -13.60, "18S"),
    ("TSU", "PE01", "Punto de entrega City Gate Lurín", -76.87, -12.27, "18S"),
    ("TSU", "EC02", "Estación de compresión Sicuani", -71.23, -14.27, "19S"),
    ("TSU", "PE02", "Punto de entrega Juliaca", -70.13, -15.49, "19S"),
]
# The pipeline drawn on the map (installation codes in order).
PIPELINES = {"TSU": [["EC01", "VB01", "PE01"], ["EC01", "EC02", "PE02"]]}


def _signals(code: str) -> list[SignalSpec]:
    s = []
    if code == "NOR":
        for lot, prod in (("LT01", 42.0), ("LT02", 28.0), ("LT03", 65.0)):
            s += [SignalSpec(f"NOR_{lot}_FT_HUM", "Producción de gas natural húmedo", "MMPCD", prod, "5a"),
                  SignalSpec(f"NOR_{lot}_FT_REI", "Gas natural seco reinyectado", "MMPCD", round(prod * 0.4, 1), "5b"),
                  SignalSpec(f"NOR_{lot}_PT_CAB", "Presión de cabezal", "barg", 95.0, ""),
                  SignalSpec(f"NOR_{lot}_XA_ESD", "Alarma de emergencia (parada de lote)", "", None, "5c", True)]
    elif code == "PLM":
        p = "PLM_PP01"
        s += [SignalSpec(f"{p}_FT_GHI", "Flujo de gas húmedo que ingresa (tren 1)", "MMPCD", 1180.0, "6a"),
              SignalSpec(f"{p}_PT_GHI", "Presión de gas húmedo que ingresa", "barg", 88.0, "6a"),
              SignalSpec(f"{p}_TT_GHI", "Temperatura de gas húmedo que ingresa", "°C", 32.0, "6a"),
              SignalSpec(f"{p}_AT_C1GHI", "Cromatografía: metano en gas húmedo", "% mol", 82.5, "6a"),
              SignalSpec(f"{p}_FT_GSE", "Flujo de gas seco entregado", "MMPCD", 1050.0, "6b"),
              SignalSpec(f"{p}_PT_GSE", "Presión de gas seco entregado", "barg", 140.0, "6b"),
              SignalSpec(f"{p}_TT_GSE", "Temperatura de gas seco entregado", "°C", 40.0, "6b"),
              SignalSpec(f"{p}_AT_C1GSE", "Cromatografía: metano en gas seco", "% mol", 89.0, "6b"),
              SignalSpec(f"{p}_FT_LGN", "Flujo de LGN producido", "BPD", 85000.0, "6c"),
              SignalSpec(f"{p}_LT_LGN", "Nivel de LGN almacenado", "%", 60.0, "6e"),
              SignalSpec(f"{p}_XV_SDV", "Válvula de parada de planta", "", None, ""),
              SignalSpec(f"{p}_XA_ESD", "Alarma de emergencia de planta", "", None, "6k", True)]
        f = "PLM_PF01"
        s += [SignalSpec(f"{f}_FT_LGN", "Flujo de LGN que ingresa a fraccionamiento", "BPD", 84000.0, "6d"),
              SignalSpec(f"{f}_PT_LGN", "Presión de LGN que ingresa", "barg", 18.0, "6d"),
              SignalSpec(f"{f}_TT_LGN", "Temperatura de LGN que ingresa", "°C", 25.0, "6d"),
              SignalSpec(f"{f}_FT_GLP", "Flujo de GLP producido", "BPD", 36000.0, "6f"),
              SignalSpec(f"{f}_LT_GLP", "Nivel de tanque de GLP", "%", 55.0, "6g"),
              SignalSpec(f"{f}_XA_ESD", "Alarma de emergencia de fraccionamiento", "", None, "6k", True)]
        q = "PLM_PL01"
        s += [SignalSpec(f"{q}_FT_GSI", "Flujo de gas seco que ingresa a licuefacción", "MMPCD", 620.0, "6h"),
              SignalSpec(f"{q}_PT_GSI", "Presión de gas seco que ingresa", "barg", 120.0, "6h"),
              SignalSpec(f"{q}_FT_GNL", "Flujo de GNL producido", "m3/h", 1500.0, "6i"),
              SignalSpec(f"{q}_LT_GNL", "Nivel de GNL en tanques", "%", 70.0, "6j"),
              SignalSpec(f"{q}_XA_ESD", "Alarma de emergencia de licuefacción", "", None, "6k", True)]
    else:
        for st, pin, pout in (("EC01", 98.0, 147.0), ("EC02", 70.0, 110.0)):
            s += [SignalSpec(f"TSU_{st}_PT_IN", "Presión de ingreso a la estación", "barg", pin, "7a"),
                  SignalSpec(f"TSU_{st}_PT_OUT", "Presión de salida de la estación", "barg", pout, "7a"),
                  SignalSpec(f"TSU_{st}_TT_IN", "Temperatura de ingreso", "°C", 28.0, "7g"),
                  SignalSpec(f"TSU_{st}_TT_OUT", "Temperatura de salida", "°C", 45.0, "7g"),
                  SignalSpec(f"TSU_{st}_FT", "Caudal en la estación", "MMPCD", 950.0 if st == "EC01" else 180.0, "7e"),
                  SignalSpec(f"TSU_{st}_XV_IN", "Válvula de ingreso", "", None, ""),
                  SignalSpec(f"TSU_{st}_XA_ESD", "Alarma de emergencia de la estación", "", None, "7i", True)]
        s += [SignalSpec("TSU_EC01_LP", "Volumen de linepack del ducto", "MMPC", 420.0, "7d"),
              SignalSpec("TSU_VB01_PT_IN", "Presión aguas arriba de la válvula", "barg", 120.0, "7a"),
              SignalSpec("TSU_VB01_PT_OUT", "Presión aguas abajo de la válvula", "barg", 118.0, "7a"),
              SignalSpec("TSU_VB01_TT", "Temperatura del ducto en la válvula", "°C", 18.0, "7g"),
              SignalSpec("TSU_VB01_XV", "Estado de la válvula de bloqueo", "", None, "")]
        for pe, flow in (("PE01", 520.0), ("PE02", 35.0)):
            s += [SignalSpec(f"TSU_{pe}_PT", "Presión en el punto de entrega", "barg", 50.0, "7b"),
                  SignalSpec(f"TSU_{pe}_FT", "Caudal en el punto de entrega", "MMPCD", flow, "7f"),
                  SignalSpec(f"TSU_{pe}_FQ", "Volumen entregado a usuarios (día)", "MMPC", flow, "7c"),
                  SignalSpec(f"TSU_{pe}_TT", "Temperatura en el punto de entrega", "°C", 20.0, "7h")]
    return s


def is_seeded(session: Session) -> bool:
    """True when the demo companies exist."""
    return (session.scalar(select(func.count(SupervisedCompany.id))) or 0) > 0


def seed_realtime(session: Session, now: dt.datetime | None = None, history_minutes: int = 60) -> dict[str, int]:
    """Register the demo companies and give them a semester of coverage and recent samples."""
    if is_seeded(session):
        return {}
    now = now or SystemClock().now()
    companies = {}
    for code, name, activity, domain, incorporated, preset, ruc in COMPANIES:
        companies[code] = registry.register_company(session, code, name, ruc, activity, domain, incorporated,
                                                    states.PRESETS[preset])
    for code, inst, name, lon, lat, zone in INSTALLATIONS:
        x, y = from_wgs84(lon, lat, "WGS84", zone)
        registry.add_installation(session, companies[code], inst, name, round(x, 1), round(y, 1), zone)
    for code, company in companies.items():
        for spec in _signals(code):
            registry.add_signal(session, company, spec)
    _history(session, companies, now, history_minutes)
    _forms(session, companies, now)
    _simulate(session, now, history_minutes)
    return {"rt_companies": len(companies), "rt_signals": session.scalar(select(func.count(Signal.id))) or 0}


def _history(session: Session, companies: dict[str, SupervisedCompany], now: dt.datetime, history_minutes: int) -> None:
    """Coverage spans since the semester or incorporation with a few outages, and link events."""
    sim_start = now - dt.timedelta(minutes=history_minutes)
    for code, company in companies.items():
        rng = random.Random(company.id * 7919)
        start = max(lima_midnight(company.incorporated_on), lima_midnight(dt.date(now.year, 1, 1)))
        outages = []
        t = start + dt.timedelta(hours=rng.uniform(20, 60))
        while t < sim_start - dt.timedelta(hours=12):
            length = dt.timedelta(hours=rng.choice((0.5, 1, 2, 3, 6, 10)))
            outages.append((t, t + length))
            t += length + dt.timedelta(hours=rng.uniform(60, 400))
        signals = list(session.scalars(select(Signal).where(Signal.company_id == company.id,
                                                            Signal.kind.in_(("measure", "state")))))
        spans, cursor = [], start
        for a, b in outages:
            spans.append((cursor, a))
            session.add(ConnectionEvent(company_id=company.id, at=a, kind="disconnected", detail="Caída del enlace principal"))
            session.add(ConnectionEvent(company_id=company.id, at=b, kind="connected", detail="Enlace restablecido"))
            cursor = b
        spans.append((cursor, sim_start))
        for s in signals:
            for a, b in spans:
                session.add(TransferCoverage(signal_id=s.id, starts_at=a, ends_at=b))
        if code == "TSU":
            # Appendix C 3.3-3.4 tests on the incorporation day: six stop/start cycles.
            t0 = lima_midnight(company.incorporated_on) + dt.timedelta(hours=10)
            for i in range(6):
                a = t0 + dt.timedelta(minutes=10 * i)
                session.add(ConnectionEvent(company_id=company.id, at=a, kind="disconnected", detail=f"Prueba de parada {i + 1}"))
                session.add(ConnectionEvent(company_id=company.id, at=a + dt.timedelta(seconds=3 + i), kind="connected",
                                            detail=f"Arranque {i + 1}: asociación restablecida"))
            vb = session.scalar(select(Signal.installation_id).where(Signal.code == "TSU_VB01_XV"))
            session.add(MaintenanceWindow(company_id=company.id, installation_id=vb,
                                          starts_at=lima_midnight(dt.date(2026, 9, 14)) + dt.timedelta(hours=8),
                                          ends_at=lima_midnight(dt.date(2026, 9, 14)) + dt.timedelta(hours=20),
                                          reported_on=dt.date(2026, 9, 4), accepted=True,
                                          note="Mantenimiento de actuador y RTU"))
    session.flush()


def _forms(session: Session, companies: dict[str, SupervisedCompany], now: dt.datetime) -> None:
    from auth.scope import Actor

    cso = Actor(None, "supervisor", "supervisor")
    for code, company in companies.items():
        data = {"sender": company.name, "contact_name": "Jefe de Sala de Control",
                "contact_email": f"sala.control@{company.domain}", "contact_phones": ["+51 1 411 2200", "+51 987 654 321"],
                "carrier": "Telecom Andina S.A.", "carrier_email": "noc@telecomandina.pe",
                "connection_date": (company.incorporated_on - dt.timedelta(days=30)).isoformat(),
                "activation_date": company.incorporated_on.isoformat(), "protocols": ["ICCP/TASE.2 sobre TCP/IP"],
                "on_corporate_network": "no"}
        form = forms.submit(session, cso, company, data, company.incorporated_on - dt.timedelta(days=45))
        forms.review(session, cso, form, "approved", "", lima_midnight(company.incorporated_on - dt.timedelta(days=40)))
        if code == "PLM":
            data = {**data, "protocols": ["MQTT (pasarela ICCP)"], "connection_date": now.date().isoformat(),
                    "activation_date": (now.date() + dt.timedelta(days=14)).isoformat()}
            forms.submit(session, cso, company, data, now.date())  # server change (Annex 5.2.1), pending review


def _simulate(session: Session, now: dt.datetime, minutes: int) -> None:
    """Recent samples through the real ingest: the simulator plays every company at one batch per minute."""
    from realtime.simulator import DirectTransport, Faults, players_from_db, step

    clock = ManualClock(now - dt.timedelta(minutes=minutes))
    faults = Faults(dropout=0.01, negative_flow=0.002, state_error=0.003, alarm_rate=0.0)
    players = players_from_db(session, None, {}, faults, run_id="seed")
    transport = DirectTransport(session, clock)
    for p in players:
        if p.code == "TSU":
            p._alarms["TSU_EC01_XA_ESD"] = 10_000  # an emergency alarm still active at the end of the history
    for i in range(minutes):
        if i == minutes - 25:
            for p in players:
                if p.code == "NOR":
                    p._alarms["NOR_LT02_XA_ESD"] = 6
        step(players, transport, clock.now())
        clock.advance(60)
    session.flush()
