"""The interchange entities: which table each maps to, its natural key and its references.

A record is a row with every surrogate id replaced by natural keys: company-scoped codes
(feeder code, pole plate, client number...). A foreign key is a ``Ref``: the record fields that
hold the target's natural key, in the order of the target's key. Entities are listed parents first;
loads and deltas write in this order and delete in the reverse order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Table

from data.models import Base

# Columns never exchanged: surrogate ids, the owning company (implied by the token/load) and timestamps.
HIDDEN_COLUMNS = {"id", "company_id", "created_at", "updated_at"}


@dataclass(frozen=True)
class Ref:
    """A foreign key expressed through the target's natural key."""

    column: str  # FK column of this entity's table
    fields: tuple[str, ...]  # record fields holding the target's key (same order as the target's key)
    target: str  # target entity name
    soft: bool = False  # unresolved key -> NULL instead of an error (a plate that is not a pole)


@dataclass(frozen=True)
class Entity:
    """One exchanged entity (a table of one company's data)."""

    name: str
    title: str  # Spanish label for sizing tables and pages
    key: tuple[str, ...]
    refs: tuple[Ref, ...] = ()
    owned_by: str | None = None  # parent entity whose deletion cascades to these rows
    derived: tuple[str, ...] = ()  # columns computed on write, never exchanged
    enums: dict = field(default_factory=dict)
    patterns: dict = field(default_factory=dict)

    # Cached: the delta engine asks these for every operation of a batch.
    @cached_property
    def table(self) -> Table:
        """The SQLAlchemy table."""
        return Base.metadata.tables[self.name]

    @cached_property
    def has_id(self) -> bool:
        """True when rows have a surrogate ``id`` (so other entities may reference them)."""
        return "id" in self.table.columns

    @cached_property
    def company_scoped(self) -> bool:
        """True when the table has its own ``company_id`` column."""
        return "company_id" in self.table.columns

    def ref_for_column(self, column: str) -> Ref | None:
        """The Ref stored in ``column``, if any."""
        return next((r for r in self.refs if r.column == column), None)

    @property
    def scope_ref(self) -> Ref:
        """For tables without company_id: the Ref to the parent that carries the company."""
        return next((r for r in self.refs if r.target == self.owned_by), self.refs[0])

    @cached_property
    def plain_columns(self) -> list[str]:
        """Columns exchanged under their own name (not ids, not refs, not derived)."""
        ref_cols = {r.column for r in self.refs}
        return [c.name for c in self.table.columns
                if c.name not in HIDDEN_COLUMNS and c.name not in ref_cols and c.name not in self.derived]

    @cached_property
    def plain_set(self) -> frozenset[str]:
        """``plain_columns`` as a set (membership tests per record field)."""
        return frozenset(self.plain_columns)

    @cached_property
    def fields(self) -> list[str]:
        """Every record field: the key first, then the rest in table order."""
        out = list(self.key)
        for column in self.table.columns:
            ref = self.ref_for_column(column.name)
            names = ref.fields if ref else ((column.name,) if column.name in self.plain_columns else ())
            out.extend(n for n in names if n not in out)
        return out

    @cached_property
    def data_fields(self) -> list[str]:
        """Record fields that are not part of the key."""
        return [f for f in self.fields if f not in self.key]


LOCATED = {"datum": ("WGS84", "SIRGAS2002", "SIRGAS2016", "PSAD56", "SAD69"), "zone": ("18S", "19S", "12S")}
COMUNA = {"comuna_code": r"^[0-9]{5}$"}


def _ref(column: str, target: str, *fields: str, soft: bool = False) -> Ref:
    return Ref(column, tuple(fields), target, soft)


ENTITIES: tuple[Entity, ...] = (
    Entity("vnr_codes", "Códigos VNR", ("code",)),
    Entity("substations", "Subestaciones", ("code",), enums=LOCATED, patterns=COMUNA),
    Entity("power_transformers", "Transformadores AT/MT", ("substation_code", "code"),
           refs=(_ref("substation_id", "substations", "substation_code"),)),
    Entity("feeders", "Alimentadores", ("code",),
           refs=(_ref("substation_id", "substations", "substation_code"),
                 _ref("power_transformer_id", "power_transformers", "substation_code", "power_transformer_code")),
           enums={"kind": ("feeder", "sub_feeder")}, patterns=COMUNA),
    Entity("feeder_demands", "Demandas de alimentadores", ("feeder_code", "month"),
           refs=(_ref("feeder_id", "feeders", "feeder_code"),), owned_by="feeders"),
    Entity("poles", "Postes", ("code",), refs=(_ref("feeder_id", "feeders", "feeder_code"),),
           enums=LOCATED, patterns=COMUNA),
    Entity("spans", "Vanos", ("code",),
           refs=(_ref("feeder_id", "feeders", "feeder_code"), _ref("from_pole_id", "poles", "from_pole_plate"),
                 _ref("to_pole_id", "poles", "to_pole_plate")),
           enums={"voltage_level": ("MT", "BT")}),
    Entity("distribution_transformers", "Transformadores de distribución", ("code",),
           refs=(_ref("feeder_id", "feeders", "feeder_code"), _ref("pole_id", "poles", "pole_plate", soft=True)),
           enums={**LOCATED, "phase_type": ("monofasico", "bifasico", "trifasico")}, patterns=COMUNA),
    Entity("transformer_demands", "Demandas de transformadores", ("transformer_code", "month"),
           refs=(_ref("transformer_id", "distribution_transformers", "transformer_code"),),
           owned_by="distribution_transformers"),
    Entity("equipment", "Equipos", ("code",),
           refs=(_ref("feeder_id", "feeders", "feeder_code"), _ref("pole_id", "poles", "pole_plate")),
           enums={**LOCATED, "category": ("protection", "switching", "regulator", "compensation", "autotransformer")}),
    Entity("equipment_history", "Historial de equipos", ("equipment_code", "month"),
           refs=(_ref("equipment_id", "equipment", "equipment_code"),), owned_by="equipment"),
    Entity("pmgds", "PMGD", ("code",), refs=(_ref("feeder_id", "feeders", "feeder_code"),), enums=LOCATED),
    Entity("connection_applications", "Solicitudes de conexión", ("code",),
           refs=(_ref("feeder_id", "feeders", "feeder_code"),
                 _ref("transformer_id", "distribution_transformers", "transformer_code")),
           enums={"kind": ("eg", "pmgd"), "status": ("in_process", "approved", "rejected")}),
    Entity("clients", "Clientes", ("client_number",),
           refs=(_ref("transformer_id", "distribution_transformers", "transformer_code"),),
           derived=("search_text",), patterns={**COMUNA, "rut": r"^[1-9][0-9]{0,8}-[0-9K]$"}),
    Entity("client_monthly", "Consumos mensuales", ("client_number", "month"),
           refs=(_ref("client_id", "clients", "client_number"),), owned_by="clients"),
    Entity("generation_installations", "Instalaciones EG", ("code",),
           refs=(_ref("client_id", "clients", "client_number"),
                 _ref("transformer_id", "distribution_transformers", "transformer_code")), enums=LOCATED),
    Entity("eg_injections", "Inyecciones EG", ("installation_code", "month"),
           refs=(_ref("installation_id", "generation_installations", "installation_code"),),
           owned_by="generation_installations"),
    Entity("surplus_credits", "Remanentes", ("installation_code", "month"),
           refs=(_ref("installation_id", "generation_installations", "installation_code"),),
           owned_by="generation_installations"),
    Entity("invoices", "Boletas y facturas", ("number",), refs=(_ref("client_id", "clients", "client_number"),),
           enums={"kind": ("boleta", "factura")}),
    Entity("invoice_lines", "Líneas de boletas", ("invoice_number", "line_no"),
           refs=(_ref("invoice_id", "invoices", "invoice_number"),), owned_by="invoices"),
    Entity("injection_annexes", "Anexos de inyección", ("number",),
           refs=(_ref("client_id", "clients", "client_number"), _ref("invoice_id", "invoices", "invoice_number"))),
    Entity("meters", "Medidores", ("serial",), refs=(_ref("client_id", "clients", "client_number"),)),
    Entity("meter_registers", "Registros de medidores", ("meter_serial", "obis_code", "read_at"),
           refs=(_ref("meter_id", "meters", "meter_serial"),), owned_by="meters"),
    Entity("connection_documents", "Documentos de conexión", ("installation_code", "kind"),
           refs=(_ref("installation_id", "generation_installations", "installation_code"),),
           owned_by="generation_installations", enums={"kind": ("contract", "protocol", "study")}),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
ORDER: dict[str, int] = {e.name: i for i, e in enumerate(ENTITIES)}


def entity(name: str) -> Entity:
    """The entity called ``name`` (KeyError when unknown)."""
    return BY_NAME[name]


def referencing(target: str) -> list[tuple[Entity, Ref]]:
    """Every (entity, ref) pointing at ``target`` that is not a cascade of ownership."""
    return [(e, r) for e in ENTITIES for r in e.refs if r.target == target and e.owned_by != target]


def derive(ent: Entity, values: dict) -> dict:
    """Fill the derived columns of a row about to be written."""
    if "search_text" in ent.derived:
        from services.search import fold_text

        values["search_text"] = fold_text(f"{values.get('name', '')} {values.get('address', '')}")
    return values
