"""Helpers shared by the exchange tests: tokens, posting batches and the company data hash."""
from __future__ import annotations

from sqlalchemy import func, select

from data.models import ChangeLog


def company_id(app, code: str) -> int:
    from exchange.codec import company_id_for

    with app.extensions["db"].engine.connect() as conn:
        return company_id_for(conn, code)


def data_hash(app, code: str) -> str:
    """The canonical natural-key hash of one company's data."""
    from exchange.canonical import company_hash

    with app.extensions["db"].engine.connect() as conn:
        return company_hash(conn, company_id(app, code))


def token(app, code: str) -> str:
    """A fresh exchange token of company ``code``."""
    from auth.tokens import issue_token

    with app.extensions["db"].session() as session:
        plain, _ = issue_token(session, "exchange", "pruebas", company_id=company_id(app, code))
    return plain


def post(client, plain_token: str | None, body=None, raw: bytes | None = None):
    headers = {"Content-Type": "application/json"}
    if plain_token:
        headers["Authorization"] = f"Bearer {plain_token}"
    if raw is None:
        import json

        raw = json.dumps(body).encode()
    return client.post("/api/v1/exchange/batches", data=raw, headers=headers)


def change_count(app) -> int:
    with app.extensions["db"].engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ChangeLog))


def first(app, sql: str):
    from sqlalchemy import text

    with app.extensions["db"].engine.connect() as conn:
        return conn.execute(text(sql)).first()
