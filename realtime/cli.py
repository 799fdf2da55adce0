"""``flask realtime ...``: simulate control rooms, run the MQTT ingest, sweep, maintain retention."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

realtime_cli = AppGroup("realtime", help="Supervisión en tiempo real (Res. 248-2016-OS/CD).")


def _issue_tokens(db, codes: list[str] | None) -> dict[str, str]:
    """Fresh real-time tokens for the simulated companies (earlier simulator tokens are revoked)."""
    from sqlalchemy import select

    from auth.tokens import issue_token
    from data.models import ApiToken, SupervisedCompany, utcnow

    tokens = {}
    with db.session() as session:
        query = select(SupervisedCompany)
        if codes:
            query = query.where(SupervisedCompany.code.in_(codes))
        for company in session.scalars(query):
            for old in session.scalars(select(ApiToken).where(ApiToken.supervised_company_id == company.id,
                                                              ApiToken.name == "simulador", ApiToken.revoked_at.is_(None))):
                old.revoked_at = utcnow()
            tokens[company.code], _row = issue_token(session, "realtime", "simulador", supervised_company_id=company.id)
    return tokens


@realtime_cli.command("simulate")
@click.option("--companies", default="", help="Códigos separados por coma (vacío: todas).")
@click.option("--transport", type=click.Choice(["http", "mqtt"]), default="http", show_default=True)
@click.option("--url", default="http://127.0.0.1:8050", show_default=True,
              help="Base URL of the app (http) or mqtt://host:port (mqtt).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between batches.")
@click.option("--duration", default=0.0, show_default=True, help="Seconds to run (0: until stopped).")
@click.option("--fault", "faults", multiple=True, help="Falla nombre=valor, p. ej. dropout=0.05, stale_after=300, "
              "stale_for=240, negative_flow=0.01, state_error=0.01, clock_skew=45, disconnect_every=600, disconnect_for=8.")
@click.option("--wait-for-server", default=60.0, show_default=True, help="Seconds to wait for the HTTP ingest to answer.")
def simulate_cmd(companies: str, transport: str, url: str, interval: float, duration: float, faults: tuple[str, ...],
                 wait_for_server: float) -> None:
    """Play the control rooms of supervised companies against the HTTP or MQTT ingest."""
    from realtime.clock import SystemClock
    from realtime.simulator import Faults, HttpTransport, MqttTransport, players_from_db, step

    db = current_app.extensions["db"]
    codes = [c.strip().upper() for c in companies.split(",") if c.strip()] or None
    try:
        fault_cfg = Faults.parse(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    tokens = _issue_tokens(db, codes)
    with db.session() as session:
        players = players_from_db(session, codes, tokens, fault_cfg)
    if not players:
        raise click.ClickException("No hay empresas supervisadas registradas (ejecute el seed).")
    sender = HttpTransport(url) if transport == "http" else MqttTransport(url)
    if transport == "http":
        _wait_http(url, wait_for_server)
    clock = SystemClock()
    click.echo(f"Simulando {', '.join(p.code for p in players)} vía {transport} ({url}) cada {interval:g} s")
    started = time.monotonic()
    while not duration or time.monotonic() - started < duration:
        try:
            step(players, sender, clock.now())
        except OSError as exc:  # the server restarts or is busy: keep playing
            click.echo(f"envío fallido: {exc}", err=True)
        time.sleep(interval)
    if transport == "mqtt":
        sender.close()


def _wait_http(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=2).close()  # noqa: S310
            return
        except OSError:
            if time.monotonic() > deadline:
                raise click.ClickException(f"La aplicación no responde en {url}") from None
            time.sleep(1)


@realtime_cli.command("ingest")
def ingest_cmd() -> None:
    """Run the MQTT ingest in the foreground (settings.mqtt_url)."""
    from realtime.mqtt import MqttIngest

    url = current_app.extensions["ra_settings"].mqtt_url
    if not url:
        raise click.ClickException("Configure MQTT_URL (p. ej. mqtt://127.0.0.1:1883).")
    ingest = MqttIngest(current_app.extensions["db"], url, client_id="cso-ingest-cli")
    ingest.start()
    click.echo(f"Ingesta MQTT conectando a {url}; Ctrl+C para salir")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        ingest.stop()


@realtime_cli.command("maintain")
def maintain_cmd() -> None:
    """Roll up complete hours and purge raw samples older than the retention."""
    from realtime.clock import SystemClock
    from realtime.retention import maintain

    days = current_app.extensions["ra_settings"].raw_sample_retention_days
    with current_app.extensions["db"].session() as session:
        result = maintain(session, SystemClock().now(), days)
    click.echo(f"Horas resumidas: {result.rolled_hours}; muestras eliminadas: {result.purged_samples}")


@realtime_cli.command("token")
@click.argument("code")
@click.option("--name", default="sala de control", show_default=True)
def token_cmd(code: str, name: str) -> None:
    """Issue a real-time API token for a supervised company (shown once)."""
    from sqlalchemy import select

    from auth.tokens import issue_token
    from data.models import SupervisedCompany

    with current_app.extensions["db"].session() as session:
        company = session.scalar(select(SupervisedCompany).where(SupervisedCompany.code == code.upper()))
        if company is None:
            raise click.ClickException(f"Empresa desconocida: {code}")
        token, _row = issue_token(session, "realtime", name, supervised_company_id=company.id)
    click.echo(token)


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(realtime_cli)
