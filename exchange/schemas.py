"""JSON Schemas of the interchange: one per entity (full record), plus the delta batch envelope.

The schemas are derived from the ORM columns and ``exchange.entities`` and committed under
``exchange/schemas/`` (``flask --app app exchange schemas`` rewrites them; a test keeps them in sync),
so a company can validate its files without running this code.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Float, Integer, Numeric, String, Text

from exchange.entities import BY_NAME, ENTITIES, Entity

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
BASE_URI = "https://redabierta.example.cl/exchange/v1"
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
FORMAT_VERSION = 1


def field_column(ent: Entity, name: str) -> tuple[Column, bool]:
    """The column that types record field ``name`` and whether the field may be null."""
    if name in ent.plain_columns:  # a plain column that also names a soft reference (pole_plate)
        column = ent.table.c[name]
        return column, column.nullable and name not in ent.key
    for ref in ent.refs:
        if name in ref.fields:
            target = BY_NAME[ref.target]
            column, _ = field_column(target, target.key[ref.fields.index(name)])
            fk_nullable = ent.table.c[ref.column].nullable
            return column, fk_nullable and name not in ent.key
    column = ent.table.c[name]
    return column, column.nullable and name not in ent.key


def _type_schema(column: Column) -> dict:
    kind = column.type
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, (Integer, BigInteger)):
        return {"type": "integer"}
    if isinstance(kind, (Float, Numeric)):
        return {"type": "number"}
    if isinstance(kind, DateTime):
        return {"type": "string", "pattern": DATETIME_PATTERN, "description": "ISO 8601 con zona horaria"}
    if isinstance(kind, Date):
        return {"type": "string", "pattern": DATE_PATTERN, "description": "AAAA-MM-DD"}
    if isinstance(kind, (String, Text)):
        out: dict = {"type": "string"}
        if getattr(kind, "length", None):
            out["maxLength"] = kind.length
        return out
    raise TypeError(f"tipo no soportado: {kind!r}")


def field_schema(ent: Entity, name: str) -> dict:
    """The JSON Schema of one record field."""
    column, nullable = field_column(ent, name)
    schema = _type_schema(column)
    if name in ent.enums:
        schema["enum"] = list(ent.enums[name])
    if name in ent.patterns:
        schema["pattern"] = ent.patterns[name]
    if name in ent.key and schema["type"] == "string":
        schema["minLength"] = 1
    if nullable:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def record_schema(ent: Entity) -> dict:
    """The strict schema of a full record of ``ent`` (a line of ``<entity>.jsonl``)."""
    props = {name: field_schema(ent, name) for name in ent.fields}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}/{ent.name}.json",
        "title": ent.title,
        "description": f"Registro de {ent.title.lower()}; clave natural: {', '.join(ent.key)}.",
        "type": "object",
        "properties": props,
        "required": list(ent.fields),
        "additionalProperties": False,
        "x-key": list(ent.key),
        "x-references": [{"fields": list(r.fields), "entity": r.target, "optional": r.soft}
                         for r in ent.refs],
    }


def key_schema(ent: Entity) -> dict:
    """The schema of an operation's ``key`` object."""
    return {"type": "object", "properties": {k: field_schema(ent, k) for k in ent.key},
            "required": list(ent.key), "additionalProperties": False}


def data_schema(ent: Entity, op: str) -> dict:
    """The schema of an operation's ``data``: every field for insert, a non-empty subset for update."""
    props = {k: field_schema(ent, k) for k in ent.data_fields}
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if op == "insert":
        schema["required"] = list(ent.data_fields)
    else:
        schema["minProperties"] = 1
    return schema


def company_schema() -> dict:
    """The schema of ``company.json`` (the company profile and its comunas)."""
    string = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}/company.json",
        "title": "Empresa distribuidora",
        "type": "object",
        "properties": {"code": {"type": "string", "minLength": 1, "maxLength": 32},
                       "name": {"type": "string", "maxLength": 200}, "rut": {"type": "string", "maxLength": 12},
                       "address": string, "phone": string, "website": string,
                       "comunas": {"type": "array", "items": {"type": "string", "pattern": r"^[0-9]{5}$"},
                                   "uniqueItems": True}},
        "required": ["code", "name", "rut", "address", "phone", "website", "comunas"],
        "additionalProperties": False,
    }


def batch_schema() -> dict:
    """The envelope of a delta batch (entity-specific ``key``/``data`` are checked next)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}/batch.json",
        "title": "Lote de actualización diaria",
        "type": "object",
        "properties": {
            "batch_id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$"},
            "sequence": {"type": "integer", "minimum": 1},
            "company": {"type": "string", "maxLength": 32},
            "operations": {"type": "array", "minItems": 1, "items": {
                "type": "object",
                "properties": {"entity": {"type": "string", "enum": [e.name for e in ENTITIES]},
                               "op": {"type": "string", "enum": ["insert", "update", "delete"]},
                               "key": {"type": "object"}, "data": {"type": "object"}},
                "required": ["entity", "op", "key"],
                "additionalProperties": False}},
        },
        "required": ["batch_id", "sequence", "operations"],
        "additionalProperties": False,
    }


def all_schemas() -> dict[str, dict]:
    """File name -> schema, for every committed schema file."""
    out = {f"{e.name}.json": record_schema(e) for e in ENTITIES}
    out["company.json"] = company_schema()
    out["batch.json"] = batch_schema()
    return out


def write_schema_files(directory: Path = SCHEMA_DIR) -> list[Path]:
    """(Re)write the committed schema files; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in all_schemas().items():
        path = directory / name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@lru_cache(maxsize=None)
def validator(kind: str, name: str = "", op: str = "") -> Draft202012Validator:
    """A cached validator: ``record``/``key``/``data`` of an entity, ``company`` or ``batch``."""
    if kind == "record":
        schema = record_schema(BY_NAME[name])
    elif kind == "key":
        schema = key_schema(BY_NAME[name])
    elif kind == "data":
        schema = data_schema(BY_NAME[name], op)
    elif kind == "company":
        schema = company_schema()
    else:
        schema = batch_schema()
    return Draft202012Validator(schema)


@lru_cache(maxsize=None)
def _fast(kind: str, name: str = "", op: str = ""):
    """A compiled Rust validator for the common valid case (optional: jsonschema-rs)."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the pure-Python validator is used alone
        return None
    return jsonschema_rs.validator_for(validator(kind, name, op).schema)


@lru_cache(maxsize=None)
def _operations_validator(name: str, op: str):
    """A compiled validator of a list of ``op`` operations on entity ``name`` (None: no jsonschema-rs)."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the per-operation path is used alone
        return None
    ent = BY_NAME[name]
    props = {"entity": {"const": name}, "op": {"const": op}, "key": key_schema(ent)}
    required = ["entity", "op", "key"]
    if op != "delete":
        props["data"] = data_schema(ent, op)
        required.append("data")
    item = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    return jsonschema_rs.validator_for({"type": "array", "items": item})


@lru_cache(maxsize=None)
def _records_validator(name: str):
    """A compiled validator of a list of full records of entity ``name`` (None: no jsonschema-rs)."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the per-record path is used alone
        return None
    record = {k: v for k, v in record_schema(BY_NAME[name]).items() if not k.startswith(("$", "x-"))}
    return jsonschema_rs.validator_for({"type": "array", "items": record})


def records_valid(name: str, records: list) -> bool:
    """True when every record is valid against the entity's record schema (one compiled pass)."""
    validator_ = _records_validator(name)
    return validator_ is not None and validator_.is_valid(records)


def operations_valid(operations: list) -> bool:
    """True when every operation of a batch (envelope already valid) satisfies its entity's key and data
    schemas: one compiled pass per (entity, op) group instead of two validations per operation.
    False says only that some operation is invalid: the per-operation path then itemises why."""
    groups: dict[tuple, list] = {}
    for op in operations:
        groups.setdefault((op["entity"], op["op"]), []).append(op)
    for (name, op), items in groups.items():
        validator_ = _operations_validator(name, op)
        if validator_ is None or not validator_.is_valid(items):
            return False
    return True


def schema_errors(kind: str, instance, name: str = "", op: str = "", limit: int = 20) -> list[dict]:
    """Itemised violations: [{field, reason}] (field is the JSON path inside the instance)."""
    fast = _fast(kind, name, op)
    if fast is not None and fast.is_valid(instance):
        return []  # ~50x faster on valid records; errors are always described by jsonschema below
    out = []
    for error in validator(kind, name, op).iter_errors(instance):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            out.append({"field": ".".join(filter(None, [path, extra[0] if extra else ""])),
                        "reason": f"campo no permitido: {', '.join(extra)}"})
        elif error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            out.append({"field": ".".join(filter(None, [path, missing])), "reason": "campo obligatorio ausente"})
        else:
            out.append({"field": path, "reason": _spanish(error)})
        if len(out) >= limit:
            break
    return out


def _spanish(error) -> str:
    v = error.validator
    if v == "type":
        return f"tipo inválido (se esperaba {error.validator_value}, llegó {json.dumps(error.instance)[:40]})"
    if v == "enum":
        return f"valor no permitido {json.dumps(error.instance)[:40]} (valores: {', '.join(map(str, error.validator_value))})"
    if v == "pattern":
        return f"formato inválido: {json.dumps(error.instance)[:40]}"
    if v == "maxLength":
        return f"texto demasiado largo (máximo {error.validator_value})"
    if v == "minLength":
        return "texto vacío"
    if v in ("minimum", "minItems", "minProperties"):
        return f"valor bajo el mínimo ({error.validator_value})"
    return error.message[:200]
