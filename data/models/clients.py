"""Supply customers, their monthly consumption and charges, EG installations and billing."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models.base import Base, BigId, LocatedMixin, TimestampMixin


class Client(TimestampMixin, Base):
    """A supply (suministro) identified by its client number."""

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("company_id", "client_number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    client_number: Mapped[str] = mapped_column(String(20), index=True)
    rut: Mapped[str] = mapped_column(String(12), index=True)  # normalised: 12345678-5
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(String(400), default="")  # accent-folded name+address
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"))
    billing_day: Mapped[int] = mapped_column(Integer)
    tariff: Mapped[str] = mapped_column(String(8), default="BT1")
    service_capacity_kw: Mapped[float] = mapped_column(Float)
    service_phases: Mapped[int] = mapped_column(Integer, default=1)
    transformer_id: Mapped[int] = mapped_column(ForeignKey("distribution_transformers.id"), index=True)



# Client-number searches (transformer search, SEC search) compare case-insensitively.
Index("ix_clients_upper_client_number", func.upper(Client.client_number))

class ClientMonthly(Base):
    """A billed month of a client: consumption (kWh) and charges (CLP, net of injections for EG)."""

    __tablename__ = "client_monthly"
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    consumption_kwh: Mapped[float] = mapped_column(Float)
    charge_clp: Mapped[int] = mapped_column(BigInteger)
    reading_kwh: Mapped[float] = mapped_column(Float)  # cumulative meter reading at period end


class GenerationInstallation(LocatedMixin, TimestampMixin, Base):
    """A customer's generation installation (EG, netbilling under Ley 21.118 / DS 57)."""

    __tablename__ = "generation_installations"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    transformer_id: Mapped[int] = mapped_column(ForeignKey("distribution_transformers.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    capacity_kw: Mapped[float] = mapped_column(Float)
    inverter_kw: Mapped[float] = mapped_column(Float)
    technology: Mapped[str] = mapped_column(String(24))  # solar_pv | wind | hydro | ...
    connection_date: Mapped[dt.date] = mapped_column(Date)
    settlement_method: Mapped[str] = mapped_column(String(120))  # forma de liquidación
    settlement_date: Mapped[dt.date] = mapped_column(Date)  # fecha de liquidación
    status: Mapped[str] = mapped_column(String(16), default="connected")


class InjectionMonthly(Base):
    """Energy injected by an EG in a billed month and its value."""

    __tablename__ = "eg_injections"
    installation_id: Mapped[int] = mapped_column(
        ForeignKey("generation_installations.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    injected_kwh: Mapped[float] = mapped_column(Float)
    injection_price_clp_kwh: Mapped[float] = mapped_column(Float)
    injection_value_clp: Mapped[int] = mapped_column(BigInteger)
    reading_kwh: Mapped[float] = mapped_column(Float)  # cumulative export register at period end


class SurplusCredit(Base):
    """A month of remanente accounting for an EG.

    closing = opening + injection_value - consumption_offset - paid_out, where
    consumption_offset = min(energy charges of the month, opening + injection_value).
    """

    __tablename__ = "surplus_credits"
    installation_id: Mapped[int] = mapped_column(
        ForeignKey("generation_installations.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    opening_clp: Mapped[int] = mapped_column(BigInteger)
    injection_value_clp: Mapped[int] = mapped_column(BigInteger)
    consumption_offset_clp: Mapped[int] = mapped_column(BigInteger)
    paid_out_clp: Mapped[int] = mapped_column(BigInteger)
    closing_clp: Mapped[int] = mapped_column(BigInteger)


class Invoice(TimestampMixin, Base):
    """A supply bill: boleta (households) or factura (companies)."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("company_id", "number"), Index("ix_invoices_client_period", "client_id", "period"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(8))  # boleta | factura
    period: Mapped[dt.date] = mapped_column(Date)  # billed month
    issue_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    reading_from_kwh: Mapped[float] = mapped_column(Float)
    reading_to_kwh: Mapped[float] = mapped_column(Float)
    consumption_kwh: Mapped[float] = mapped_column(Float)
    net_clp: Mapped[int] = mapped_column(BigInteger)
    vat_clp: Mapped[int] = mapped_column(BigInteger)
    total_clp: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.line_no", cascade="all, delete-orphan")


class InvoiceLine(Base):
    """One charge line of an invoice or injection annex."""

    __tablename__ = "invoice_lines"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(12))
    unit_price: Mapped[float] = mapped_column(Float)
    amount_clp: Mapped[int] = mapped_column(BigInteger)


class InjectionAnnex(TimestampMixin, Base):
    """The injection annex of an EG client's bill (energy injected and its valuation)."""

    __tablename__ = "injection_annexes"
    __table_args__ = (UniqueConstraint("company_id", "number"), Index("ix_annex_client_period", "client_id", "period"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoices.id"))
    number: Mapped[str] = mapped_column(String(20))
    period: Mapped[dt.date] = mapped_column(Date)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    reading_from_kwh: Mapped[float] = mapped_column(Float)
    reading_to_kwh: Mapped[float] = mapped_column(Float)
    injected_kwh: Mapped[float] = mapped_column(Float)
    injection_price_clp_kwh: Mapped[float] = mapped_column(Float)
    injection_value_clp: Mapped[int] = mapped_column(BigInteger)
    offset_clp: Mapped[int] = mapped_column(BigInteger)
    surplus_clp: Mapped[int] = mapped_column(BigInteger)  # remanente carried forward after this bill


class Meter(Base):
    """An electricity meter installed at a supply."""

    __tablename__ = "meters"
    __table_args__ = (UniqueConstraint("company_id", "serial"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    serial: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(40))
    meter_type: Mapped[str] = mapped_column(String(24))  # monofasico_bidireccional | trifasico_bidireccional | ...
    installed_on: Mapped[dt.date] = mapped_column(Date)


class MeterRegister(Base):
    """A stored meter register reading identified by its OBIS code (IEC 62056-6-1)."""

    __tablename__ = "meter_registers"
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), primary_key=True)
    obis_code: Mapped[str] = mapped_column(String(24), primary_key=True)  # e.g. 1-0:1.8.0*255
    read_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))


class ConnectionDocument(TimestampMixin, Base):
    """An EG connection document: contrato, protocolo or estudio de conexión."""

    __tablename__ = "connection_documents"
    __table_args__ = (UniqueConstraint("installation_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    installation_id: Mapped[int] = mapped_column(ForeignKey("generation_installations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # contract | protocol | study
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # JSON: the document's clauses/results
