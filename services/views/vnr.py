"""VNR code search (Anexo 1 §2.5, fig. 17-18): the cost breakdown of a replacement-value unit.

Each company's VNR study prices the same code differently, so a code found in several
companies shows one breakdown per company.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core import ApiError
from auth.policy import NETWORK
from auth.scope import Actor
from data.models import DistributionCompany, VnrCode
from reports.model import Column, KeyValues, Report, Table
from reports.views import str_param, view
from services.formatting import fmt_clp

# (attribute, label) in the order of fig. 18.
BREAKDOWN = (
    ("surcharges", "Recargos 1"),
    ("assembly", "Montaje"),
    ("subtotal_1", "Stotal 1"),
    ("engineering_overhead", "ING + GG"),
    ("subtotal_2", "Stotal 2"),
    ("interest_during_construction", "IntInt"),
    ("total", "Total Instalac s/derechos"),
)


def normalize_vnr_code(text: str) -> str:
    """Trimmed, upper-case code (``ph-13 `` -> ``PH-13``)."""
    return "".join((text or "").split()).upper()


def vnr_breakdowns(session: Session, code: str) -> list[dict]:
    """One row per company that has ``code`` (case-insensitive), with every cost line in CLP."""
    rows = session.execute(select(VnrCode, DistributionCompany.name, DistributionCompany.code)
                           .join(DistributionCompany, DistributionCompany.id == VnrCode.company_id)
                           .where(func.upper(VnrCode.code) == normalize_vnr_code(code))
                           .order_by(DistributionCompany.name)).all()
    return [dict(company=name, company_code=ccode, code=v.code, description=v.description, unit=v.unit,
                 base_cost=v.base_cost, **{attr: getattr(v, attr) for attr, _ in BREAKDOWN})
            for v, name, ccode in rows]


@view("vnr", shared=True, title="Búsqueda por código VNR", policy=NETWORK, params={"codigo": str_param(32)})
def vnr_view(session: Session, actor: Actor, codigo: str) -> Report:
    """The fig. 18 breakdown of a VNR code, per company that uses it."""
    code = normalize_vnr_code(codigo)
    rows = vnr_breakdowns(session, code)
    if not rows:
        raise ApiError(f"No existe el código VNR «{code}» en los estudios de las empresas distribuidoras. "
                       "Revise el código (por ejemplo, PH-13 o TD-3F-045).", 404)
    sections = []
    width = 12 if len(rows) == 1 else 6
    for r in rows:
        items = [("Código VNR", r["code"]), ("Empresa", r["company"]), ("Descripción", r["description"]),
                 ("Unidad", r["unit"]), ("Costo base", fmt_clp(r["base_cost"]))]
        items += [(label, fmt_clp(r[attr])) for attr, label in BREAKDOWN]
        sections.append(KeyValues(f"Despliegue código VNR {r['code']} — {r['company']}", items,
                                  key=f"vnr-{r['company_code'].lower()}", width=width))
    # One column per company, one row per cost line (fig. 18 reads top to bottom): fits a printed page.
    columns = [Column("line", "Concepto")] + [Column(f"c{i}", r["company"], "clp") for i, r in enumerate(rows)]
    lines = [("base_cost", "Costo base"), *BREAKDOWN]
    table_rows = [{"line": label, **{f"c{i}": r[attr] for i, r in enumerate(rows)}} for attr, label in lines]
    sections.append(Table("Comparación entre empresas" if len(rows) > 1 else "Desglose", "desglose", columns,
                          table_rows,
                          note="Valores en pesos chilenos (CLP), sin derechos. Stotal 1 = costo base + Recargos 1 + "
                               "Montaje; Stotal 2 = Stotal 1 + ING + GG; Total = Stotal 2 + IntInt."))
    return Report("vnr", f"Código VNR {code}", {"codigo": code}, sections,
                  breadcrumb=[("Inicio", "/"), ("Búsqueda VNR", "/red/vnr"), (code, None)],
                  subtitle=rows[0]["description"],
                  company=", ".join(r["company"] for r in rows))
