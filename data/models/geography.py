"""Companies and the official administrative divisions (CUT codes)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models.base import Base, TimestampMixin


class DistributionCompany(TimestampMixin, Base):
    """A company holding an electricity distribution concession."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    rut: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    comunas: Mapped[list["Comuna"]] = relationship(secondary="company_comunas", viewonly=True)


class Region(Base):
    """A region of Chile identified by its CUT code (e.g. ``05``)."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    ordinal: Mapped[int] = mapped_column(Integer)  # north-to-south order for display


class Comuna(Base):
    """A comuna identified by its CUT code (e.g. ``05501``)."""

    __tablename__ = "comunas"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    region: Mapped[Region] = relationship()


class CompanyComuna(Base):
    """A comuna inside a company's concession area."""

    __tablename__ = "company_comunas"
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    comuna_code: Mapped[str] = mapped_column(ForeignKey("comunas.code"), primary_key=True, index=True)
