"""Control-room simulator: plays supervised companies sending real-time data, with faults.

A ``Player`` turns a company's registered signals into batches (flows with a daily swing,
pressures, temperatures, chromatography, tank levels, valve states in the company's own state
encoding, rare emergency alarms). ``Faults`` inject dropouts, stale data, negative flows, state
errors, clock skew and disconnections. Transports send batches through MQTT, HTTP or straight
into the database (seeding). The clock is injectable so tests control time.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
import time
import urllib.request
from dataclasses import dataclass, field, fields

from realtime import quality, states
from realtime.clock import Clock

NOISE = {"flow": 0.01, "volume": 0.004, "pressure": 0.003, "temperature": 0.002, "composition": 0.0005,
         "level": 0.001, "linepack": 0.002}
SWING = {"flow": 0.08, "volume": 0.05, "pressure": 0.02, "temperature": 0.03, "composition": 0.002,
         "level": 0.0, "linepack": 0.03}


@dataclass
class Faults:
    """Fault injection (all off by default); times are seconds since the player started."""

    dropout: float = 0.0  # probability that a reading is missing from a cycle
    stale_after: float | None = None  # measures stop being sent (link alive) from this second...
    stale_for: float = 0.0  # ...for this long (0: for ever)
    negative_flow: float = 0.0  # probability a flow is sent negative
    state_error: float = 0.0  # probability a valve state is sent as the error code
    clock_skew: float = 0.0  # seconds added to the company's time-stamps
    disconnect_every: float = 0.0  # seconds between link drops (0: never)
    disconnect_for: float = 5.0  # seconds offline per drop
    alarm_rate: float = 0.0005  # probability an emergency alarm trips per cycle

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...]) -> "Faults":
        """``['dropout=0.1', 'clock_skew=40']`` -> Faults (ValueError on unknown names)."""
        known = {f.name for f in fields(cls)}
        values = {}
        for item in items:
            name, _, raw = item.partition("=")
            name = name.strip().replace("-", "_")
            if name not in known:
                raise ValueError(f"falla desconocida '{name}' (válidas: {', '.join(sorted(known))})")
            values[name] = float(raw)
        return cls(**values)


@dataclass
class SignalModel:
    """What the simulator needs to know about a signal."""

    code: str
    kind: str
    variable: str
    nominal: float | None
    is_flow: bool


@dataclass
class Player:
    """One company's control room."""

    code: str
    token: str
    signals: list[SignalModel]
    state_mapping: dict = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    started_at: dt.datetime | None = None
    online: bool = True
    _seq: int = 0
    _rng: random.Random = field(default_factory=random.Random)
    _valves: dict = field(default_factory=dict)
    _alarms: dict = field(default_factory=dict)
    _run: str = field(default_factory=lambda: secrets.token_hex(3))

    def __post_init__(self):
        self._rng = random.Random(self.seed or hash(self.code) & 0xFFFF)
        inverse = {norm: raw for raw, norm in (self.state_mapping or states.IDENTITY_MAPPING).items()}
        self._encode = lambda norm: inverse[norm]

    def _t(self, now: dt.datetime) -> float:
        if self.started_at is None:
            self.started_at = now
        return (now - self.started_at).total_seconds()

    def link_should_be_up(self, now: dt.datetime) -> bool:
        """False during a scheduled disconnection."""
        f = self.faults
        if not f.disconnect_every:
            return True
        t = self._t(now)
        return (t % f.disconnect_every) >= f.disconnect_for or t < f.disconnect_every

    def _stale(self, t: float) -> bool:
        f = self.faults
        return f.stale_after is not None and t >= f.stale_after and (not f.stale_for or t < f.stale_after + f.stale_for)

    def value(self, s: SignalModel, now: dt.datetime) -> float:
        """A realistic value: nominal with a daily swing and noise."""
        day = 2 * math.pi * (now.timestamp() % 86400) / 86400
        nominal = s.nominal or 1.0
        if s.variable == "level":
            return round(nominal * (0.55 + 0.25 * math.sin(now.timestamp() / 7200.0)) + self._rng.gauss(0, nominal * 0.001), 3)
        if s.variable == "temperature":
            return round(nominal + 3 * math.sin(day - 1.2) + self._rng.gauss(0, 0.15), 2)
        swing = SWING.get(s.variable, 0.02) * math.sin(day - 0.8)
        return round(nominal * (1 + swing + self._rng.gauss(0, NOISE.get(s.variable, 0.005))), 3)

    def batch(self, now: dt.datetime) -> dict | None:
        """The next batch at ``now`` (None when nothing is sent)."""
        t = self._t(now)
        f = self.faults
        stamp = (now + dt.timedelta(seconds=f.clock_skew)).isoformat()
        readings = []
        for s in self.signals:
            if s.kind == "measure" and self._stale(t):
                continue
            if f.dropout and self._rng.random() < f.dropout:
                continue
            reading = {"code": s.code, "ts": stamp, "quality": quality.encode()}
            if s.kind == "measure":
                v = self.value(s, now)
                if s.is_flow and f.negative_flow and self._rng.random() < f.negative_flow:
                    v = -abs(v)
                reading["value"] = v
            elif s.kind == "state":
                reading["state"] = self._encode(self._valve(s.code, f))
            else:
                reading["value"] = self._alarm(s.code, f)
            readings.append(reading)
        if not readings:
            return None
        self._seq += 1
        return {"message_id": f"{self.code}-{self._run}-{self._seq}", "sent_at": stamp, "readings": readings}

    def _valve(self, code: str, f: Faults) -> str:
        state = self._valves.get(code, "10" if self._rng.random() < 0.8 else "01")
        if state == "11":
            state = self._rng.choice(("10", "01"))
        elif self._rng.random() < 0.01:
            state = "11"  # an operation starts: in transit for one cycle
        self._valves[code] = state
        if f.state_error and self._rng.random() < f.state_error:
            return "00"
        return state

    def _alarm(self, code: str, f: Faults) -> int:
        left = self._alarms.get(code, 0)
        if left > 0:
            self._alarms[code] = left - 1
            return 1
        if f.alarm_rate and self._rng.random() < f.alarm_rate:
            self._alarms[code] = self._rng.randint(3, 12)
            return 1
        return 0


# -- transports -------------------------------------------------------------------------------
class DirectTransport:
    """Straight into the database through the ingest service (seeding, benchmarks)."""

    def __init__(self, session, clock: Clock):
        self.session, self.clock = session, clock

    def send(self, player: Player, batch: dict) -> None:
        """Ingest the batch in the caller's session."""
        from sqlalchemy import select

        from data.models import SupervisedCompany
        from realtime.ingest import ingest_batch

        company = self.session.scalar(select(SupervisedCompany).where(SupervisedCompany.code == player.code))
        ingest_batch(self.session, company, batch, self.clock)

    def link(self, player: Player, up: bool) -> None:
        """Record the link change."""
        from sqlalchemy import select

        from data.models import SupervisedCompany
        from realtime.ingest import record_connection

        company = self.session.scalar(select(SupervisedCompany).where(SupervisedCompany.code == player.code))
        record_connection(self.session, company, "connected" if up else "disconnected", self.clock.now(), "simulador")


class HttpTransport:
    """POSTs batches to the HTTP ingest with the company's bearer token."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def _post(self, path: str, token: str, body: dict) -> dict:
        req = urllib.request.Request(self.base_url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - operator-given URL
            return json.loads(resp.read() or b"{}")

    def send(self, player: Player, batch: dict) -> None:
        """POST one batch."""
        self._post("/api/v1/realtime/batches", player.token, batch)

    def link(self, player: Player, up: bool) -> None:
        """POST a link event."""
        self._post("/api/v1/realtime/events", player.token, {"kind": "connected" if up else "disconnected",
                                                              "detail": "simulador (HTTP)"})


class MqttTransport:
    """One paho client per company: QoS 1 data, retained status with a last will."""

    def __init__(self, url: str, client_prefix: str = "sala", topic_root: str = "cso"):
        from realtime.mqtt import parse_url

        self.host, self.port = parse_url(url)
        self.prefix = client_prefix
        self.root = topic_root
        self.clients: dict[str, object] = {}

    def _client(self, player: Player):
        import paho.mqtt.client as mqtt

        if player.code in self.clients:
            return self.clients[player.code]
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{self.prefix}-{player.code}",
                             clean_session=False, protocol=mqtt.MQTTv311)
        client.username_pw_set(player.code, player.token)
        client.will_set(f"{self.root}/{player.code}/status", json.dumps({"status": "offline", "token": player.token}), qos=1,
                        retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=2)

        def on_connect(c, _u, _f, rc, _p):
            if not rc.is_failure:
                c.publish(f"{self.root}/{player.code}/status", json.dumps({"status": "online", "token": player.token}), qos=1,
                          retain=True)

        client.on_connect = on_connect
        client.connect_async(self.host, self.port, keepalive=10)
        client.loop_start()
        self.clients[player.code] = client
        deadline = time.monotonic() + 10
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.02)  # the first batch waits for the session; later ones queue in paho
        return client

    def send(self, player: Player, batch: dict):
        """Publish one batch at QoS 1 (paho queues it while the broker is away)."""
        client = self._client(player)
        return client.publish(f"{self.root}/{player.code}/data", json.dumps({**batch, "token": player.token}), qos=1)

    def link(self, player: Player, up: bool) -> None:
        """Drop the link abruptly (the broker publishes the last will) or bring it back."""
        client = self._client(player)
        if up:
            client.reconnect()
            client.loop_start()
            return
        # Stop the network loop (no automatic reconnection), then close the socket without a
        # DISCONNECT packet: the broker sees a broken link and publishes the will ("offline").
        client.loop_stop()
        sock = client.socket()
        if sock is not None:
            sock.close()

    def wait_published(self, infos, timeout: float = 20.0) -> bool:
        """Wait until every MQTTMessageInfo was acknowledged by the broker."""
        deadline = time.monotonic() + timeout
        for info in infos:
            # rc is NO_CONN for a message queued while the broker was away; paho still sends it later.
            while not getattr(info, "_published", False):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        return True

    def close(self) -> None:
        """Disconnect every client cleanly."""
        for client in self.clients.values():
            client.disconnect()
            client.loop_stop()
        self.clients.clear()


def step(players: list[Player], transport, now: dt.datetime) -> int:
    """One cycle for every player: handle link faults, send a batch; returns batches sent."""
    sent = 0
    for p in players:
        up = p.link_should_be_up(now)
        if up != p.online:
            p.online = up
            transport.link(p, up)
        if not up:
            continue
        batch = p.batch(now)
        if batch is not None:
            transport.send(p, batch)
            sent += 1
    return sent


def players_from_db(session, codes: list[str] | None, tokens: dict[str, str], faults: Faults,
                    run_id: str | None = None) -> list[Player]:
    """Players for the registered companies (all when ``codes`` is empty)."""
    from sqlalchemy import select

    from data.models import Signal, SupervisedCompany

    query = select(SupervisedCompany).order_by(SupervisedCompany.code)
    if codes:
        query = query.where(SupervisedCompany.code.in_(codes))
    players = []
    for company in session.scalars(query):
        sigs = [SignalModel(s.code, s.kind, s.variable, s.nominal_value, s.is_flow)
                for s in session.scalars(select(Signal).where(Signal.company_id == company.id).order_by(Signal.code))]
        player = Player(company.code, tokens.get(company.code, ""), sigs, company.state_mapping or {}, faults,
                        seed=company.id)
        if run_id:
            player._run = run_id  # deterministic message ids (seeding)
        players.append(player)
    return players
