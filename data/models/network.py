"""The distribution network: substations, feeders, transformers, poles, spans, equipment, VNR."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models.base import Base, BigId, LocatedMixin, TimestampMixin


class VnrCode(Base):
    """A regulated replacement-value (VNR) unit with the cost breakdown of Anexo 1 fig. 18.

    subtotal_1 = base_cost + surcharges + assembly; subtotal_2 = subtotal_1 + engineering_overhead;
    total = subtotal_2 + interest_during_construction (all CLP, "Total Instalac s/derechos").
    """

    __tablename__ = "vnr_codes"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))  # c/u, km, ...
    base_cost: Mapped[int] = mapped_column(BigInteger)
    surcharges: Mapped[int] = mapped_column(BigInteger)  # Recargos 1
    assembly: Mapped[int] = mapped_column(BigInteger)  # Montaje
    subtotal_1: Mapped[int] = mapped_column(BigInteger)  # Stotal 1
    engineering_overhead: Mapped[int] = mapped_column(BigInteger)  # ING + GG
    subtotal_2: Mapped[int] = mapped_column(BigInteger)  # Stotal 2
    interest_during_construction: Mapped[int] = mapped_column(BigInteger)  # IntInt
    total: Mapped[int] = mapped_column(BigInteger)  # Total Instalac s/derechos


class Substation(LocatedMixin, TimestampMixin, Base):
    """An HV/MV substation (S/E) feeding MV feeders."""

    __tablename__ = "substations"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"), index=True)
    hv_kv: Mapped[float] = mapped_column(Float)
    power_transformers: Mapped[list["PowerTransformer"]] = relationship(
        back_populates="substation", order_by="PowerTransformer.code"
    )
    feeders: Mapped[list["Feeder"]] = relationship(back_populates="substation", order_by="Feeder.code")


class PowerTransformer(Base):
    """An AT/MT power transformer inside a substation."""

    __tablename__ = "power_transformers"
    __table_args__ = (UniqueConstraint("substation_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    substation_id: Mapped[int] = mapped_column(ForeignKey("substations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    hv_kv: Mapped[float] = mapped_column(Float)
    mv_kv: Mapped[float] = mapped_column(Float)
    mva: Mapped[float] = mapped_column(Float)
    substation: Mapped[Substation] = relationship(back_populates="power_transformers")


class Feeder(TimestampMixin, Base):
    """An MV feeder (alimentador) or sub-feeder (sub-alimentador) leaving a substation."""

    __tablename__ = "feeders"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    substation_id: Mapped[int] = mapped_column(ForeignKey("substations.id"), index=True)
    power_transformer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("power_transformers.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default="feeder")  # feeder | sub_feeder
    owner_company_name: Mapped[Optional[str]] = mapped_column(String(200))  # sub-feeders only
    purchase_point: Mapped[Optional[str]] = mapped_column(String(120))  # sub-feeders only
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"), index=True)
    nominal_kv: Mapped[float] = mapped_column(Float)
    capacity_kva: Mapped[float] = mapped_column(Float)
    capacity_a: Mapped[float] = mapped_column(Float)
    short_circuit_kva: Mapped[float] = mapped_column(Float)
    substation: Mapped[Substation] = relationship(back_populates="feeders")
    transformers: Mapped[list["DistributionTransformer"]] = relationship(
        back_populates="feeder", order_by="DistributionTransformer.code"
    )


class FeederDemand(Base):
    """Monthly max/min demand of a feeder in normal operation (load transfers excluded)."""

    __tablename__ = "feeder_demands"
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    max_demand_kw: Mapped[float] = mapped_column(Float)
    min_demand_kw: Mapped[float] = mapped_column(Float)


class Pole(LocatedMixin, Base):
    """A pole (poste): a node of the network."""

    __tablename__ = "poles"
    __table_args__ = (UniqueConstraint("company_id", "code"), Index("ix_poles_feeder_code", "feeder_id", "code"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"))
    code: Mapped[str] = mapped_column(String(32))  # plate (placa poste)
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"))
    mv_kv: Mapped[Optional[float]] = mapped_column(Float)
    lv_v: Mapped[Optional[float]] = mapped_column(Float)
    vnr_code: Mapped[Optional[str]] = mapped_column(String(32))


class Span(Base):
    """A conductor segment (vano) between two nodes."""

    __tablename__ = "spans"
    __table_args__ = (UniqueConstraint("company_id", "code"), Index("ix_spans_feeder_code", "feeder_id", "code"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"))
    code: Mapped[str] = mapped_column(String(40))
    from_node: Mapped[str] = mapped_column(String(32))  # origin pole plate or node
    to_node: Mapped[str] = mapped_column(String(32))
    from_pole_id: Mapped[Optional[int]] = mapped_column(ForeignKey("poles.id"))
    to_pole_id: Mapped[Optional[int]] = mapped_column(ForeignKey("poles.id"), index=True)
    voltage_level: Mapped[str] = mapped_column(String(2))  # MT | BT
    length_m: Mapped[float] = mapped_column(Float)
    conductor_material: Mapped[str] = mapped_column(String(40))
    conductor_insulation: Mapped[str] = mapped_column(String(40))
    conductor_section_mm2: Mapped[float] = mapped_column(Float)
    ampacity_a: Mapped[float] = mapped_column(Float)
    phases: Mapped[int] = mapped_column(Integer)
    vnr_code: Mapped[Optional[str]] = mapped_column(String(32))


class DistributionTransformer(LocatedMixin, TimestampMixin, Base):
    """An MV/LV distribution transformer, usually mounted on a pole."""

    __tablename__ = "distribution_transformers"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"), index=True)
    pole_id: Mapped[Optional[int]] = mapped_column(ForeignKey("poles.id"))
    code: Mapped[str] = mapped_column(String(32))  # plate (placa transformador), the public id
    name: Mapped[str] = mapped_column(String(120))
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"), index=True)
    kva: Mapped[float] = mapped_column(Float)
    connection_group: Mapped[str] = mapped_column(String(16))  # Dyn1, Yzn11, Ii0 ...
    primary_kv: Mapped[float] = mapped_column(Float)
    secondary_v: Mapped[float] = mapped_column(Float)
    pole_plate: Mapped[str] = mapped_column(String(32), index=True)  # número (placa poste)
    phase_type: Mapped[str] = mapped_column(String(16))  # monofasico | bifasico | trifasico
    phase_id: Mapped[str] = mapped_column(String(3))  # RST | RS | RT | ST | R | S | T
    vnr_code: Mapped[Optional[str]] = mapped_column(String(32))
    smmc_monitored: Mapped[bool] = mapped_column(Boolean, default=False)
    short_circuit_kva: Mapped[float] = mapped_column(Float)  # at the MV node feeding it
    feeder: Mapped[Feeder] = relationship(back_populates="transformers")



# The simple transformer search matches plates case-insensitively: these expression indexes keep it an index
# lookup (a plain index on the column cannot serve ``upper(code) = ...``).
Index("ix_distribution_transformers_upper_code", func.upper(DistributionTransformer.code))
Index("ix_distribution_transformers_upper_pole_plate", func.upper(DistributionTransformer.pole_plate))
# The latest published month (the capacity and demand windows end there) is an index lookup, not a scan.
Index("ix_feeder_demands_month", FeederDemand.month)

class TransformerDemand(Base):
    """Monthly demand of a distribution transformer (only SMMC-monitored ones are published)."""

    __tablename__ = "transformer_demands"
    transformer_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_transformers.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    max_demand_kw: Mapped[float] = mapped_column(Float)
    min_demand_kw: Mapped[float] = mapped_column(Float)
    min_daytime_demand_kw: Mapped[float] = mapped_column(Float)  # 09:00-18:00, for the EG criteria


Index("ix_transformer_demands_month", TransformerDemand.month)

class Equipment(LocatedMixin, TimestampMixin, Base):
    """A network device: protection, switching, regulator, capacitor bank or autotransformer."""

    __tablename__ = "equipment"
    __table_args__ = (UniqueConstraint("company_id", "code"), Index("ix_equipment_feeder_code", "feeder_id", "code"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"))
    pole_id: Mapped[Optional[int]] = mapped_column(ForeignKey("poles.id"))
    code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(24))  # protection | switching | regulator | compensation | autotransformer
    kind: Mapped[str] = mapped_column(String(40))  # Reconectador, Desconectador fusible, Banco de condensadores ...
    capacity: Mapped[float] = mapped_column(Float)
    capacity_unit: Mapped[str] = mapped_column(String(8))  # A | kVA | kVAr
    connection: Mapped[str] = mapped_column(String(40))
    operating_mode: Mapped[str] = mapped_column(String(40))
    voltage_setpoints: Mapped[Optional[str]] = mapped_column(String(80))
    ratio: Mapped[Optional[str]] = mapped_column(String(40))
    vnr_code: Mapped[Optional[str]] = mapped_column(String(32))


class EquipmentMonthly(Base):
    """The month-by-month state of a piece of equipment (Anexo 1 fig. 11)."""

    __tablename__ = "equipment_history"
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[float] = mapped_column(Float)
    capacity_unit: Mapped[str] = mapped_column(String(8))
    connection: Mapped[str] = mapped_column(String(40))
    operating_mode: Mapped[str] = mapped_column(String(40))
    voltage_setpoints: Mapped[Optional[str]] = mapped_column(String(80))


class ConnectionApplication(TimestampMixin, Base):
    """An EG or PMGD connection application in process (counts in hosting capacity)."""

    __tablename__ = "connection_applications"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))  # eg | pmgd
    capacity_kw: Mapped[float] = mapped_column(Float)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"), index=True)
    transformer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("distribution_transformers.id"), index=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="in_process")  # in_process | approved | rejected


class Pmgd(LocatedMixin, TimestampMixin, Base):
    """A connected small distributed generator (PMGD, <= 9 MW) on an MV feeder."""

    __tablename__ = "pmgds"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    feeder_id: Mapped[int] = mapped_column(ForeignKey("feeders.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    technology: Mapped[str] = mapped_column(String(24))
    capacity_kw: Mapped[float] = mapped_column(Float)
    connection_date: Mapped[dt.date] = mapped_column(Date)
