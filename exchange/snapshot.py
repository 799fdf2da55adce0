"""Full snapshots of one company: write them as a ZIP of JSON Lines, read and validate them back."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import orjson
from sqlalchemy import Connection, DateTime, Integer

from data.models import utcnow
from exchange.codec import company_profile, dumps, from_json, iter_snapshot, to_json, RecordValueError
from exchange.entities import BY_NAME, ENTITIES, Entity
from exchange.schemas import FORMAT_VERSION, field_column, records_valid, schema_errors

MANIFEST = "manifest.json"
COMPANY_FILE = "company.json"
FORMAT_NAME = "red-abierta-intercambio"
MAX_FILE_ERRORS = 500


def export_company(conn: Connection, company_id: int, out: Path | io.BytesIO) -> dict:
    """Write the company's full snapshot as a ZIP; returns the manifest."""
    profile = company_profile(conn, company_id)
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "company": profile["code"],
                "exported_at": to_json(utcnow().replace(microsecond=0)), "entities": {}}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(COMPANY_FILE, json.dumps(profile, ensure_ascii=False, indent=2) + "\n")
        for name, records in iter_snapshot(conn, company_id):
            text = "".join(dumps(r) + "\n" for r in records).encode("utf-8")
            zf.writestr(f"{name}.jsonl", text)
            manifest["entities"][name] = {"file": f"{name}.jsonl", "rows": len(records), "bytes": len(text),
                                          "sha256": hashlib.sha256(text).hexdigest()}
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


@dataclass
class Snapshot:
    """The raw files of a snapshot (entity -> bytes) and its company profile."""

    source: str
    files: dict[str, bytes]
    company: dict | None
    unknown: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the company file and every entity file (order-independent of the ZIP)."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.company, sort_keys=True, ensure_ascii=False).encode())
        for name in sorted(self.files):
            digest.update(f"{name}\n".encode() + hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()


def read_snapshot(path: Path) -> Snapshot:
    """Read a ZIP (or a directory) of ``<entity>.jsonl`` files plus ``company.json``."""
    raw: dict[str, bytes] = {}
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.is_file():
                raw[item.name] = item.read_bytes()
    else:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    raw[info.filename.rsplit("/", 1)[-1]] = zf.read(info)
    snap = Snapshot(str(path), {}, None)
    for name, content in raw.items():
        if name == MANIFEST:
            continue
        if name == COMPANY_FILE:
            try:
                snap.company = json.loads(content)
            except ValueError as exc:
                snap.errors.append(_ferr(name, 1, "", f"JSON inválido: {exc}"))
            continue
        stem = name[:-6] if name.endswith(".jsonl") else None
        if stem in BY_NAME:
            snap.files[stem] = content
        else:
            snap.unknown.append(name)
            snap.errors.append(_ferr(name, 0, "", "archivo o entidad desconocida (se esperan <entidad>.jsonl)"))
    if snap.company is None and not any(e["file"] == COMPANY_FILE for e in snap.errors):
        snap.errors.append(_ferr(COMPANY_FILE, 0, "", "falta el archivo company.json"))
    return snap


def sizing(snap: Snapshot) -> list[dict]:
    """The "cubicación": rows and bytes per entity file."""
    rows = []
    for ent in ENTITIES:
        content = snap.files.get(ent.name, b"")
        rows.append({"entity": ent.name, "title": ent.title, "file": f"{ent.name}.jsonl",
                     "rows": content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0),
                     "bytes": len(content)})
    return rows


def _ferr(file: str, line: int, field_name: str, reason: str) -> dict:
    return {"file": file, "line": line, "field": field_name, "reason": reason}


@lru_cache(maxsize=None)
def typed_fields(name: str) -> tuple[tuple[tuple[str, object], ...], tuple[str, ...]]:
    ent = BY_NAME[name]
    moments, integers = [], []
    for field_name in ent.fields:
        column, _ = field_column(ent, field_name)
        if isinstance(column.type, DateTime):
            moments.append((field_name, column))
        elif isinstance(column.type, Integer):
            integers.append(field_name)
    return tuple(moments), tuple(integers)


def normalize(ent: Entity, record: dict) -> dict:
    """Canonical JSON values (datetimes in UTC ``+00:00``, integral numbers as int) for comparison."""
    moments, integers = typed_fields(ent.name)
    for name, column in moments:
        if record.get(name) is not None:
            record[name] = to_json(from_json(column, record[name]))
    for name in integers:
        if isinstance(record.get(name), float):
            record[name] = int(record[name])
    return record


def parse_snapshot(snap: Snapshot, progress: Callable[[int], None] | None = None) -> dict[str, dict[tuple, dict]]:
    """Parse and validate every line; errors go to ``snap.errors`` (file, line, field, reason)."""
    tick = progress or (lambda _n: None)
    out: dict[str, dict[tuple, dict]] = {}
    if snap.company is not None:
        for err in schema_errors("company", snap.company):
            snap.errors.append(_ferr(COMPANY_FILE, 1, err["field"], err["reason"]))
    for ent in ENTITIES:
        records: dict[tuple, dict] = {}
        file = f"{ent.name}.jsonl"
        content = snap.files.get(ent.name, b"")
        lines = [(n, line) for n, line in enumerate(content.splitlines(), start=1) if line.strip()]
        valid = _valid_records(ent.name, lines)  # the usual case: every line valid, checked in one pass
        for i, (line_no, line) in enumerate(lines):
            if len(snap.errors) >= MAX_FILE_ERRORS:
                break
            if valid is not None:
                record = valid[i]
            else:
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    snap.errors.append(_ferr(file, line_no, "", f"JSON inválido: {exc}"))
                    continue
                if not isinstance(record, dict):
                    snap.errors.append(_ferr(file, line_no, "", "cada línea debe ser un objeto JSON"))
                    continue
                problems = schema_errors("record", record, ent.name)
                if problems:
                    snap.errors.extend(_ferr(file, line_no, p["field"], p["reason"]) for p in problems)
                    continue
            try:
                normalize(ent, record)
            except RecordValueError as exc:
                snap.errors.append(_ferr(file, line_no, "", str(exc)))
                continue
            key = tuple(record[k] for k in ent.key)
            if key in records:
                snap.errors.append(_ferr(file, line_no, ",".join(ent.key), f"clave duplicada {list(key)}"))
                continue
            record["_line"] = line_no
            records[key] = record
        tick(content.count(b"\n"))
        out[ent.name] = records
    _check_references(snap, out)
    for records in out.values():
        for record in records.values():
            record.pop("_line", None)
    return out


def _valid_records(name: str, lines: list[tuple[int, bytes]]) -> list[dict] | None:
    """Every line decoded, when every line is a record valid against its entity's schema (one
    compiled pass over the file); None otherwise: the line-by-line path then itemises the errors."""
    try:
        records = [orjson.loads(line) for _, line in lines]
    except orjson.JSONDecodeError:
        return None
    return records if records_valid(name, records) else None


def _check_references(snap: Snapshot, parsed: dict[str, dict[tuple, dict]]) -> None:
    """Every non-null reference must name a record of the snapshot (soft references excepted)."""
    for ent in ENTITIES:
        file = f"{ent.name}.jsonl"
        for ref in ent.refs:
            if ref.soft:
                continue
            targets = parsed.get(ref.target, {})
            for record in parsed.get(ent.name, {}).values():
                key = tuple(record[f] for f in ref.fields)
                if any(v is None for v in key) or key in targets:
                    continue
                if len(snap.errors) >= MAX_FILE_ERRORS:
                    return
                snap.errors.append(_ferr(file, record["_line"], ref.fields[-1],
                                         f"referencia inexistente en {ref.target}.jsonl: {list(key)}"))
