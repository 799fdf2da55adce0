"""Helpers shared by the real-time tests: test companies, batches, polling and a private broker."""
from __future__ import annotations

import datetime as dt
import getpass
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from realtime import registry, states
from realtime.registry import SignalSpec

T0 = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.timezone.utc)
SYSTEM_BROKER = ("127.0.0.1", 1883)


def broker_up(host: str, port: int) -> bool:
    """True when something listens on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def build_companies(session) -> dict:
    """TSA (transport, TASE.2 state encoding) and TSB (processing, the norm's encoding)."""
    tsa = registry.register_company(session, "TSA", "Transporte de Prueba S.A.", "20999999991", "transport",
                                    "tsa.example.pe", dt.date(2026, 1, 10), states.TASE2_MAPPING)
    tsb = registry.register_company(session, "TSB", "Procesadora de Prueba S.A.", "20999999992", "processing",
                                    "tsb.example.pe", dt.date(2026, 1, 10), states.IDENTITY_MAPPING)
    registry.add_installation(session, tsa, "EC01", "Estación de prueba", 500000.0, 8560000.0, "18S")
    registry.add_installation(session, tsa, "VB01", "Válvula de prueba", 300000.0, 8300000.0, "19S")
    registry.add_installation(session, tsb, "PP01", "Planta de prueba", 600000.0, 9500000.0, "17S")
    for spec in (SignalSpec("TSA_EC01_FT", "Caudal en la estación", "MMPCD", 100.0, "7e"),
                 SignalSpec("TSA_EC01_PT_IN", "Presión de ingreso", "barg", 50.0, "7a"),
                 SignalSpec("TSA_EC01_XV_IN", "Válvula de ingreso", "", None, ""),
                 SignalSpec("TSA_EC01_XA_ESD", "Alarma de emergencia", "", None, "7i", True)):
        registry.add_signal(session, tsa, spec)
    for spec in (SignalSpec("TSB_PP01_FT_GHI", "Gas húmedo que ingresa", "MMPCD", 200.0, "6a"),
                 SignalSpec("TSB_PP01_XV_SDV", "Válvula de parada", "", None, "")):
        registry.add_signal(session, tsb, spec)
    session.commit()
    return {"TSA": tsa, "TSB": tsb}


def batch(mid: str, *readings: dict) -> dict:
    """A batch envelope."""
    return {"message_id": mid, "readings": list(readings)}


def reading(code: str, ts: dt.datetime, value=None, state=None, quality: int = 0) -> dict:
    """One reading."""
    r = {"code": code, "ts": ts.isoformat(), "quality": quality}
    if value is not None:
        r["value"] = value
    if state is not None:
        r["state"] = state
    return r


def wait_for(predicate, timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``predicate`` until true or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


class OwnBroker:
    """A private Mosquitto with persistence, which a test may stop and start again."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.conf = workdir / "mosquitto.conf"
        # ``user``: started as root, mosquitto would drop to user "mosquitto", which cannot write here.
        self.conf.write_text(f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                             f"persistence_location {workdir}/\nautosave_interval 1\n"
                             f"log_dest file {workdir}/mosquitto.log\n")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: broker_up("127.0.0.1", self.port), 10), "mosquitto did not start"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # a clean stop saves the persistent sessions and queues
            self.proc.wait(10)
        self.proc = None
