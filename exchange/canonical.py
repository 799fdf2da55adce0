"""A canonical hash of one company's data keyed by natural keys (ids excluded, FKs as natural keys).

Two databases holding the same company data give the same hash whatever their surrogate ids,
insertion order or backend (SQLite or PostgreSQL).
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection

from exchange.codec import company_profile, iter_snapshot


def _norm(value):
    if isinstance(value, float):
        # Both backends store IEEE doubles; rounding guards against text round-trips in other tools.
        return round(value, 9)
    return value


def record_digest(record: dict) -> str:
    """The canonical text of one record (sorted keys, normalised floats)."""
    return json.dumps({k: _norm(v) for k, v in record.items()}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def company_hash(conn: Connection, company_id: int, include_profile: bool = True) -> str:
    """SHA-256 over the company profile and every entity's records in natural-key order."""
    digest = hashlib.sha256()
    if include_profile:
        digest.update(b"company\n" + record_digest(company_profile(conn, company_id)).encode() + b"\n")
    for name, records in iter_snapshot(conn, company_id):
        digest.update(f"{name}:{len(records)}\n".encode())
        for record in records:
            digest.update(record_digest(record).encode())
            digest.update(b"\n")
    return digest.hexdigest()


def entity_hashes(conn: Connection, company_id: int) -> dict[str, str]:
    """Per-entity hashes (to tell which entity differs when company hashes do)."""
    out = {}
    for name, records in iter_snapshot(conn, company_id):
        digest = hashlib.sha256()
        for record in records:
            digest.update(record_digest(record).encode() + b"\n")
        out[name] = digest.hexdigest()
    return out
