"""The MQTT ingest: a paho-mqtt 2.x subscriber feeding ``realtime.ingest``.

Topics: ``cso/<EMPRESA>/data`` (a batch, JSON) and ``cso/<EMPRESA>/status`` (``online`` /
``offline``, the latter as the company client's last will). Every message carries the company's
real-time API token (``"token": "ra_..."``), checked here against the topic's company: a plain
broker cannot tell the ingest who published, so the credential travels with the data (the
broker's own ACLs, username = company code, are a deployment-level second fence; see
docs/realtime.md).

Delivery: QoS 1, a persistent session (``clean_session=False``, fixed client id) so the broker
queues messages while the ingest is away, and ``manual_ack``: the PUBACK is sent only after the
batch is committed. A redelivery therefore stores nothing twice (samples are unique by message
id) and a crash between commit and ack loses nothing. paho reconnects by itself every 1–2 s.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from sqlalchemy import select

from data.db import Database
from data.models import SupervisedCompany
from realtime import log
from realtime.clock import Clock, SystemClock
from realtime.ingest import BatchError, ingest_batch, record_connection

LOG = logging.getLogger("realtime.mqtt")
TOPIC_ROOT = "cso"
TOKEN_CACHE_S = 60.0


def parse_url(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` -> (host, port)."""
    parsed = urlparse(url if "://" in url else f"mqtt://{url}")
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


class MqttIngest:
    """A background MQTT subscriber that stores what companies publish."""

    def __init__(self, db: Database, url: str, clock: Clock | None = None, client_id: str = "cso-ingest",
                 sweep_interval: float | None = 15.0, topic_root: str = TOPIC_ROOT):
        self.db = db
        self.host, self.port = parse_url(url)
        self.clock = clock or SystemClock()
        self.client_id = client_id
        self.sweep_interval = sweep_interval
        self.topic_root = topic_root
        self.connected = threading.Event()
        self.connects = 0
        self.processed = 0
        self.last_connect_monotonic: float | None = None
        self._tokens: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                                  protocol=mqtt.MQTTv311, manual_ack=True)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background (the app keeps running if the broker is absent)."""
        self.client.connect_async(self.host, self.port, keepalive=10)
        self.client.loop_start()
        if self.sweep_interval:
            self._sweeper = threading.Thread(target=self._sweep_loop, daemon=True, name="rt-sweep")
            self._sweeper.start()

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        self._stop.set()
        self.client.disconnect()
        self.client.loop_stop()

    def wait_connected(self, timeout: float) -> bool:
        """Block until connected (True) or ``timeout`` seconds pass (False)."""
        return self.connected.wait(timeout)

    # -- callbacks ---------------------------------------------------------------------------
    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            LOG.warning("MQTT connection refused: %s", reason_code)
            return
        client.subscribe([(f"{self.topic_root}/+/data", 1), (f"{self.topic_root}/+/status", 1)])
        self.connects += 1
        self.last_connect_monotonic = time.monotonic()
        if self.connects > 1:
            self._all_companies("outage_end", "Broker MQTT del CSO restablecido")
        self.connected.set()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        was = self.connected.is_set()
        self.connected.clear()
        if was and not self._stop.is_set():
            LOG.warning("MQTT disconnected (%s); paho reconnects automatically", reason_code)
            self._all_companies("outage_start", "Broker MQTT del CSO no disponible")

    def _on_message(self, client, _userdata, msg) -> None:
        try:
            self.handle(msg.topic, msg.payload)
        except Exception:  # noqa: BLE001 - never kill the network thread; the message is redelivered
            LOG.exception("MQTT message on %s failed; not acknowledged", msg.topic)
            return
        client.ack(msg.mid, msg.qos)

    # -- processing --------------------------------------------------------------------------
    def handle(self, topic: str, payload: bytes) -> str:
        """Process one message; returns what was done (for tests and logs)."""
        parts = topic.split("/")
        if len(parts) != 3 or parts[0] != self.topic_root or parts[2] not in ("data", "status"):
            return "ignored"
        code, kind = parts[1], parts[2]
        with self.db.session() as session:
            company = session.scalar(select(SupervisedCompany).where(SupervisedCompany.code == code))
            try:
                body = json.loads(payload)
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                if company is not None:
                    log.record(session, company.id, "dataset", f"Mensaje MQTT ilegible en {topic}", self.clock.now())
                return "unreadable"
            if company is None or not self._authorised(session, company, body.get("token")):
                if company is not None:
                    log.record(session, company.id, "auth", f"Mensaje en {topic} con credencial inválida: descartado",
                               self.clock.now())
                return "unauthorised"
            if kind == "status":
                state = "connected" if body.get("status") == "online" else "disconnected"
                record_connection(session, company, state, self.clock.now(), "Sala de control (MQTT)")
                return state
            try:
                result = ingest_batch(session, company, body, self.clock)
            except BatchError as exc:
                log.record(session, company.id, "dataset", f"Lote MQTT rechazado: {exc}", self.clock.now())
                return "rejected"
        self.processed += 1
        return f"stored:{result.stored}"

    def _authorised(self, session, company: SupervisedCompany, token) -> bool:
        if not isinstance(token, str):
            return False
        now = time.monotonic()
        with self._lock:
            cached = self._tokens.get(token)
        if cached and cached[1] > now:
            return cached[0] == company.id
        from auth.tokens import resolve_token

        row = resolve_token(session, token)
        if row is None or row.scope != "realtime" or row.supervised_company_id is None:
            return False
        with self._lock:
            self._tokens[token] = (row.supervised_company_id, now + TOKEN_CACHE_S)
        return row.supervised_company_id == company.id

    def _all_companies(self, kind: str, detail: str) -> None:
        try:
            with self.db.session() as session:
                for company in session.scalars(select(SupervisedCompany)):
                    record_connection(session, company, kind, self.clock.now(), detail)
        except Exception:  # noqa: BLE001 - the database may be down too; the link state is best effort
            LOG.exception("could not record %s", kind)

    def _sweep_loop(self) -> None:
        from realtime.status import sweep

        while not self._stop.wait(self.sweep_interval):
            try:
                with self.db.session() as session:
                    sweep(session, self.clock)
            except Exception:  # noqa: BLE001
                LOG.exception("sweep failed")


