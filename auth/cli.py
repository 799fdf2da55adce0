"""Operator commands for accounts: create users, reset passwords."""
from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select


@click.group("user")
def user_group() -> None:
    """User account commands."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["public", "client", "eg_client", "sec", "operator", "supervisor"]))
@click.option("--email", required=True)
@click.option("--rut", default=None)
@click.option("--company", "company_code", default=None, help="Company code (operators).")
@click.option("--supply", "supplies", multiple=True, help="Client number (clients; repeatable).")
@click.option("--password", default=None, help="Initial password (default: a random one, printed).")
@with_appcontext
def create_cmd(username, role, email, rut, company_code, supplies, password) -> None:
    """Create an account; company-issued credentials must be changed at first login."""
    from services.users import UserError, create_user

    initial = password or secrets.token_urlsafe(9) + "7a"
    db = current_app.extensions["db"]
    try:
        with db.session() as session:
            create_user(session, username, initial, role, email, rut=rut, company_code=company_code,
                        supply_numbers=list(supplies), must_change_password=role != "public")
    except (UserError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Usuario {username} creado. Clave inicial: {initial}")


@user_group.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_cmd(username) -> None:
    """Issue a new random password (to be changed at next login) and end the user's sessions."""
    from auth.passwords import hash_password
    from data.models import User

    db = current_app.extensions["db"]
    new = secrets.token_urlsafe(9) + "7a"
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException("Usuario no encontrado.")
        user.password_hash = hash_password(new)
        user.must_change_password = True
        user.session_version += 1
        user.failed_logins = 0
        user.locked_until = None
    current_app.extensions["ra_login_throttle"].unlock(username)
    click.echo(f"Nueva clave temporal de {username}: {new}")


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(user_group)
