"""Operator commands: ``flask exchange export|load|hash|schemas|token``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services.formatting import fmt_number


@click.group("exchange", cls=AppGroup)
def exchange_group() -> None:
    """Data exchange with SEC (Anexo 1 §6)."""


def _company_id(conn, code: str) -> int:
    from exchange.codec import company_id_for

    company_id = company_id_for(conn, code)
    if company_id is None:
        raise click.ClickException(f"Empresa desconocida: {code}")
    return company_id


@exchange_group.command("export")
@click.option("--company", "company_code", required=True, help="Company code (e.g. DEA).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="ZIP to write.")
def export_cmd(company_code: str, out: Path) -> None:
    """Write a full snapshot of one company in the interchange format."""
    from exchange.snapshot import export_company

    db = current_app.extensions["db"]
    with db.engine.connect() as conn:
        manifest = export_company(conn, _company_id(conn, company_code), out)
    total = sum(e["rows"] for e in manifest["entities"].values())
    click.echo(f"Respaldo de {company_code} escrito en {out}: {fmt_number(total)} registros "
               f"en {len(manifest['entities'])} entidades.")


@exchange_group.command("load")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--company", "company_code", required=True, help="Company the snapshot belongs to.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def load_cmd(path: Path, company_code: str, quiet: bool) -> None:
    """Initial load (§6.1): print the sizing, validate, and load all or nothing."""
    from tqdm import tqdm

    from exchange.load import load_company

    bars: dict = {}

    def on_sizing(rows: list[dict]) -> None:
        click.echo("Cubicación de la carga:")
        click.echo(f"  {'Entidad':<28}{'Registros':>12}{'Bytes':>14}")
        for row in rows:
            click.echo(f"  {row['entity']:<28}{fmt_number(row['rows']):>12}{fmt_number(row['bytes']):>14}")
        total_rows, total_bytes = sum(r["rows"] for r in rows), sum(r["bytes"] for r in rows)
        click.echo(f"  {'TOTAL':<28}{fmt_number(total_rows):>12}{fmt_number(total_bytes):>14}")
        bars["validate"] = tqdm(total=total_rows, desc="Validando", unit="reg", disable=quiet)

    def on_plan(n: int) -> None:
        bars["validate"].close()
        bars["write"] = tqdm(total=n, desc="Cargando", unit="op", disable=quiet)

    report = load_company(current_app.extensions["db"], path, company_code, actor="cli",
                          on_sizing=on_sizing, validate_progress=lambda n: bars["validate"].update(n),
                          write_progress=lambda _e, n: bars["write"].update(n), on_plan=on_plan)
    for bar in bars.values():
        bar.close()
    if report.status == "rejected":
        click.echo(f"Carga RECHAZADA ({len(report.errors)} errores); no se modificó ningún dato:", err=True)
        for err in report.errors[:100]:
            click.echo(f"  {err['file']}:{err['line']} [{err['field'] or '-'}] {err['reason']}", err=True)
        raise click.ClickException("carga rechazada")
    if report.status == "unchanged":
        click.echo(f"Sin cambios: los datos de {company_code} ya coinciden con el respaldo (carga {report.load_id}).")
        return
    ops = {op: sum(c.get(op, 0) for c in report.counts.values()) for op in ("insert", "update", "delete")}
    click.echo(f"Carga {report.load_id} de {company_code} completada: {fmt_number(ops['insert'])} altas, "
               f"{fmt_number(ops['update'])} modificaciones, {fmt_number(ops['delete'])} bajas.")


@exchange_group.command("hash")
@click.option("--company", "company_code", required=True)
def hash_cmd(company_code: str) -> None:
    """Print the canonical hash of one company's data (equal data -> equal hash)."""
    from exchange.canonical import company_hash

    with current_app.extensions["db"].engine.connect() as conn:
        click.echo(company_hash(conn, _company_id(conn, company_code)))


@exchange_group.command("schemas")
def schemas_cmd() -> None:
    """Rewrite the committed JSON Schema files under exchange/schemas/."""
    from exchange.schemas import write_schema_files

    paths = write_schema_files()
    click.echo(f"{len(paths)} esquemas escritos en {paths[0].parent}")


@exchange_group.command("token")
@click.option("--company", "company_code", required=True)
@click.option("--name", required=True, help="What the token is for (shown in listings).")
def token_cmd(company_code: str, name: str) -> None:
    """Issue an exchange token for a company's system (printed once)."""
    from auth.tokens import issue_token

    db = current_app.extensions["db"]
    with db.session() as session:
        company_id = _company_id(session.connection(), company_code)
        token, row = issue_token(session, "exchange", name, company_id=company_id)
    click.echo(f"Token {row.prefix} emitido para {company_code} (se muestra una sola vez):\n{token}")


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(exchange_group)
