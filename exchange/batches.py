"""Daily delta batches (Anexo 1 §6.2): validated, atomic, idempotent and ordered per company."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from operator import itemgetter

import orjson

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.scope import Actor
from data.models import DistributionCompany, ExchangeBatch, utcnow
from exchange.apply import ApplyError, Operation, apply_operations
from exchange.entities import BY_NAME
from exchange.schemas import operations_valid, schema_errors
from exchange.snapshot import typed_fields, normalize
from exchange.codec import RecordValueError

MAX_DETAILS = 200


@dataclass
class BatchOutcome:
    """HTTP status and JSON body of a batch submission."""

    status: int
    body: dict
    replay: bool = False


class BatchRejected(Exception):
    """A batch refused before or while applying it (nothing was written)."""

    def __init__(self, status: int, message: str, details: list | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []


def parse_body(raw: bytes, max_depth: int):
    """Decode the request body (400 for malformed or too deeply nested JSON)."""
    from auth.guard import parse_json_limited

    try:
        return parse_json_limited(raw, max_depth)
    except RecursionError:
        raise BatchRejected(400, f"JSON demasiado anidado (máximo {max_depth} niveles).") from None
    except ValueError as exc:
        if "anidado" in str(exc):
            raise BatchRejected(400, f"JSON demasiado anidado (máximo {max_depth} niveles).") from None
        raise BatchRejected(400, f"JSON mal formado: {exc}") from None


def validate_body(body) -> list[Operation]:
    """Check the envelope and every operation against the entity schemas (422 with itemised errors)."""
    if not isinstance(body, dict):
        raise BatchRejected(422, "El cuerpo debe ser un objeto JSON con batch_id, sequence y operations.")
    details = []
    ops_raw = body.get("operations") if isinstance(body.get("operations"), list) else []
    for i, op in enumerate(ops_raw):
        name = op.get("entity") if isinstance(op, dict) else None
        if isinstance(name, str) and name not in BY_NAME:
            details.append({"operation": i, "field": "entity", "reason": f"entidad desconocida: {name[:40]}"})
    if details:
        raise BatchRejected(422, "El lote nombra entidades desconocidas.", details[:MAX_DETAILS])
    for err in schema_errors("batch", body, limit=MAX_DETAILS):
        details.append({"operation": _op_index(err["field"]), "field": err["field"], "reason": err["reason"]})
    if details:
        raise BatchRejected(422, "El lote no cumple el esquema (batch.json).", details)
    if operations_valid(body["operations"]):  # the usual case: checked in a few compiled passes
        return _operations(body["operations"])
    operations = []
    for i, op in enumerate(body["operations"]):
        ent = BY_NAME[op["entity"]]
        problems = [{**e, "field": f"key.{e['field']}".rstrip(".")} for e in schema_errors("key", op["key"], ent.name)]
        if op["op"] == "delete":
            if "data" in op:
                problems.append({"field": "data", "reason": "una eliminación no lleva 'data'"})
        elif "data" not in op:
            problems.append({"field": "data", "reason": f"'{op['op']}' requiere 'data'"})
        else:
            problems += [{**e, "field": f"data.{e['field']}".rstrip(".")}
                         for e in schema_errors("data", op["data"], ent.name, op["op"])]
        if not problems:
            try:
                key = normalize(ent, dict(op["key"]))
                data = normalize(ent, dict(op["data"])) if "data" in op else None
            except RecordValueError as exc:
                problems.append({"field": "", "reason": str(exc)})
        for p in problems:
            details.append({"operation": i, "entity": ent.name, **p})
        if not problems:
            operations.append(Operation(ent.name, op["op"], key, data, i))
        if len(details) >= MAX_DETAILS:
            break
    if details:
        raise BatchRejected(422, "Hay operaciones que no cumplen el esquema de su entidad.", details[:MAX_DETAILS])
    return operations


def _operations(ops_raw: list[dict]) -> list[Operation]:
    """Operations of a batch whose every operation is valid (values normalised as the general path does;
    a record is copied only when normalising changes it)."""
    out = []
    plans: dict[str, tuple] = {}
    try:
        for i, op in enumerate(ops_raw):
            name = op["entity"]
            plan = plans.get(name) or plans.setdefault(name, _entity_plan(name))
            key_needs, data_needs, key_of = plan
            key, data = op["key"], op.get("data")
            if key_needs is not None and key_needs(key):
                key = normalize(BY_NAME[name], dict(key))
            if data is not None and data_needs is not None and data_needs(data):
                data = normalize(BY_NAME[name], dict(data))
            out.append(Operation(name, op["op"], key, data, i, key_of(key)))
    except RecordValueError as exc:  # e.g. an impossible instant: rare, reported by the itemising path
        raise BatchRejected(422, "Hay operaciones que no cumplen el esquema de su entidad.",
                            _value_errors(ops_raw)) from exc
    return out


def _entity_plan(name: str) -> tuple:
    """(does a key need normalising, does a data object, the key tuple of a key object) for ``name``."""
    ent = BY_NAME[name]
    moments, integers = typed_fields(name)
    moments = tuple(f for f, _ in moments)
    in_key = tuple(f for f in moments if f in ent.key), tuple(f for f in integers if f in ent.key)
    in_data = tuple(f for f in moments if f not in ent.key), tuple(f for f in integers if f not in ent.key)
    getter = itemgetter(*ent.key)
    key_of = getter if len(ent.key) > 1 else (lambda key: (getter(key),))
    return _normalizer(*in_key), _normalizer(*in_data), key_of


def _normalizer(moments: tuple, integers: tuple):
    """A test telling whether a record changes when normalised (None: it never does)."""
    if not moments and not integers:
        return None

    def needs(record: dict) -> bool:
        for f in moments:
            if record.get(f) is not None:
                return True
        for f in integers:
            if type(record.get(f)) is float:
                return True
        return False

    return needs


def _value_errors(ops_raw: list[dict]) -> list[dict]:
    details = []
    for i, op in enumerate(ops_raw):
        ent = BY_NAME[op["entity"]]
        try:
            normalize(ent, dict(op["key"]))
            if "data" in op:
                normalize(ent, dict(op["data"]))
        except RecordValueError as exc:
            details.append({"operation": i, "entity": ent.name, "field": "", "reason": str(exc)})
            if len(details) >= MAX_DETAILS:
                break
    return details


def _op_index(path: str) -> int | None:
    parts = path.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[0] == "operations" and parts[1].isdigit() else None


def content_hash(body: dict) -> str:
    """SHA-256 of the canonical JSON of a batch (key order and spacing do not matter)."""
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson refuses (integers beyond 64 bits): the standard encoder
        return legacy_content_hash(body)
    return hashlib.sha256(canonical).hexdigest()


def legacy_content_hash(body: dict) -> str:
    """The hash batches accepted before orjson carry (same canonical JSON but for number spelling)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def next_sequence(session: Session, company_id: int) -> int:
    """The sequence number the company's next batch must carry."""
    last = session.scalar(select(func.max(ExchangeBatch.sequence)).where(
        ExchangeBatch.company_id == company_id, ExchangeBatch.status == "accepted"))
    return (last or 0) + 1


def submit_batch(session: Session, actor: Actor, raw: bytes, max_depth: int, parsed=None) -> BatchOutcome:
    """Validate and apply one batch for the token's company; rejections are recorded when identifiable.

    ``parsed``: the body already decoded within the same limits (the request guard does it once).
    """
    if actor.company_id is None:
        raise BatchRejected(403, "Sólo un token de intercambio de una empresa puede enviar lotes.")
    company = session.get(DistributionCompany, actor.company_id)
    body = parse_body(raw, max_depth) if parsed is None else parsed
    if isinstance(body, dict) and "company" in body and body["company"] != company.code:
        raise BatchRejected(403, f"El token de {company.code} no puede modificar datos de la empresa "
                                 f"{str(body['company'])[:32]}.")
    try:
        operations = validate_body(body)
    except BatchRejected as exc:
        _record_rejection(session, company.id, body, exc)
        raise
    digest = content_hash(body)
    # Serialise batches of one company (PostgreSQL row lock; SQLite already serialises writers).
    session.execute(select(DistributionCompany.id).where(DistributionCompany.id == company.id).with_for_update())
    previous = session.scalar(select(ExchangeBatch).where(ExchangeBatch.company_id == company.id,
                                                          ExchangeBatch.batch_id == body["batch_id"]))
    if previous is not None and previous.status == "accepted":
        if previous.content_hash in (digest, legacy_content_hash(body)):
            return BatchOutcome(200, previous.receipt, replay=True)
        raise BatchRejected(409, f"El lote '{body['batch_id']}' ya fue aceptado con otro contenido; "
                                 "use un identificador nuevo para un lote distinto.")
    expected = next_sequence(session, company.id)
    if body["sequence"] != expected:
        exc = BatchRejected(409, _sequence_message(body["sequence"], expected))
        _record_rejection(session, company.id, body, exc)
        raise exc
    try:
        result = apply_operations(session.connection(), company.id, operations, f"batch:{body['batch_id']}",
                                  actor.username)
    except ApplyError as exc:
        session.rollback()
        rejected = BatchRejected(exc.status, "El lote fue rechazado completo; no se aplicó ninguna operación.",
                                 exc.errors)
        _record_rejection(session, company.id, body, rejected)
        raise rejected from None
    receipt = {"batch_id": body["batch_id"], "sequence": body["sequence"], "company": company.code,
               "status": "accepted", "received_at": utcnow().replace(microsecond=0).isoformat(),
               "operations": len(operations), "counts": result.counts, "changes": result.changes,
               "change_cursor": result.last_change_id}
    if previous is not None:
        session.delete(previous)
        session.flush()
    session.add(ExchangeBatch(company_id=company.id, batch_id=body["batch_id"], sequence=body["sequence"],
                              content_hash=digest, status="accepted", operations=len(operations), receipt=receipt))
    session.flush()
    return BatchOutcome(201, receipt)


def _sequence_message(got: int, expected: int) -> str:
    if got > expected:
        return (f"Secuencia fuera de orden: se esperaba el lote N° {expected} y llegó el N° {got}. "
                f"Falta enviar {'el lote' if got == expected + 1 else 'los lotes'} {expected}"
                f"{'' if got == expected + 1 else f' a {got - 1}'}.")
    return f"Secuencia repetida: el N° {got} ya fue usado por un lote aceptado; el siguiente es el N° {expected}."


def _record_rejection(session: Session, company_id: int, body, exc: BatchRejected) -> None:
    """Keep a rejected batch (when it has an id and sequence) so the company's operator sees why."""
    if not isinstance(body, dict) or not isinstance(body.get("batch_id"), str) or \
            not isinstance(body.get("sequence"), int) or len(body["batch_id"]) > 80:
        return
    existing = session.scalar(select(ExchangeBatch).where(ExchangeBatch.company_id == company_id,
                                                          ExchangeBatch.batch_id == body["batch_id"]))
    if existing is not None and existing.status == "accepted":
        return
    ops = body.get("operations") if isinstance(body.get("operations"), list) else []
    errors = [{"error": exc.message}, *exc.details[:MAX_DETAILS]]
    if existing is None:
        existing = ExchangeBatch(company_id=company_id, batch_id=body["batch_id"])
        session.add(existing)
    existing.sequence = body["sequence"]
    existing.content_hash = content_hash(body)
    existing.status = "rejected"
    existing.received_at = utcnow()
    existing.operations = len(ops)
    existing.receipt = None
    existing.errors = errors
    session.commit()
