"""Operator commands for the database: migrate and seed."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
def upgrade_cmd() -> None:
    """Apply migrations up to the latest revision."""
    from data.migrate import upgrade

    upgrade(current_app.extensions["db"].url)
    click.echo("Migraciones aplicadas.")


@click.command("seed")
@click.option("--profile", default="demo", show_default=True, help="tiny | demo | large")
@click.option("--seed", "seed_value", default=42, show_default=True, type=int, help="Random seed (deterministic).")
@click.option("--as-of", default=None, help="Last billed month, YYYY-MM (default: last month).")
@click.option("--if-empty", is_flag=True, help="Do nothing when data is already loaded.")
def seed_cmd(profile: str, seed_value: int, as_of: str | None, if_empty: bool) -> None:
    """Generate and load the demo network, clients and demo accounts."""
    from data.seeding import is_empty, seed

    db = current_app.extensions["db"]
    if current_app.extensions["ra_settings"].is_production:
        raise click.ClickException("El generador de datos de demostración no se ejecuta en producción.")
    if not is_empty(db):
        if if_empty:
            click.echo("La base de datos ya tiene datos; no se genera la demostración.")
            return
        raise click.ClickException("La base de datos ya tiene datos. Use una base vacía.")
    month = dt.datetime.strptime(as_of, "%Y-%m").date() if as_of else None
    counts = seed(db, profile, seed_value, month, progress=click.echo, bar=profile == "large")
    click.echo(f"Filas cargadas: {sum(counts.values()):,}".replace(",", "."))


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(db_group)
    app.cli.add_command(seed_cmd)
