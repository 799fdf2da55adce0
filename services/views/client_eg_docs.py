"""EG client documents (Anexo 1 §5.2 V and IX): boletas/facturas and annexes with search, connection documents, location."""
from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from api.core import ApiError
from auth.scope import Actor
from reports.charts import PALETTE
from reports.model import Column, KeyValues, MapLayer, MapSection, Report, Table, Text
from reports.views import int_param, month_param, optional, str_param, view
from services import eg as eg_service
from services.clients import DocumentFilter, get_invoice, search_invoices, validate_filter
from services.formatting import fmt_clp, fmt_date, fmt_long_date, fmt_month, fmt_number
from services.invoice_pdf import annex_pdf, invoice_pdf
from services.rut import format_rut
from services.views.client import CLIENT_VIEW_POLICY
from services.views.client_eg import SECTION_TITLES, eg_report

SEARCH_PARAMS = {"client_id": int_param, "numero": optional(str_param(20)), "periodo": optional(month_param),
                 "monto_min": optional(int_param), "monto_max": optional(int_param)}


def section_href(client_id: int, **query) -> str:
    """A link inside the EG page (section and detail in the query string)."""
    return f"/cliente-eg/{client_id}?{urlencode(query)}"


def document_filter(numero=None, periodo=None, monto_min=None, monto_max=None) -> DocumentFilter:
    """Validated search criteria, or a 400 with the reason."""
    try:
        return validate_filter(numero, periodo, monto_min, monto_max)
    except ValueError as exc:
        raise ApiError(str(exc), 400, [{"field": "busqueda", "reason": str(exc)}]) from None


@view("cliente-eg-boletas", title=SECTION_TITLES["boletas"], policy=CLIENT_VIEW_POLICY, params=SEARCH_PARAMS,
      personal_data=True)
def eg_documents_list_view(session: Session, actor: Actor, client_id: int, numero: str | None = None,
                           periodo: dt.date | None = None, monto_min: int | None = None,
                           monto_max: int | None = None) -> Report:
    """§5.2 V: the last 36 boletas/facturas and 36 injection annexes, or those matching a search."""
    flt = document_filter(numero, periodo, monto_min, monto_max)
    profile = eg_service.eg_profile(session, actor, client_id)
    invoices, n_inv = search_invoices(session, actor, client_id, flt)
    annexes, n_ann = eg_service.search_annexes(session, profile, flt)
    inv_rows = [dict(number=i.number, href=section_href(client_id, seccion="boletas", boleta=i.number),
                     kind=i.kind.capitalize(), period=i.period, issue_date=i.issue_date, due_date=i.due_date,
                     consumption_kwh=i.consumption_kwh, total_clp=i.total_clp) for i in invoices]
    ann_rows = [dict(number=a.number, href=section_href(client_id, seccion="boletas", anexo=a.number), period=a.period,
                     issue_date=a.issue_date, injected_kwh=a.injected_kwh, value_clp=a.injection_value_clp,
                     offset_clp=a.offset_clp, surplus_clp=a.surplus_clp) for a in annexes]
    label = f"Resultado de la búsqueda ({flt.describe()})" if flt.active else None
    sections = [
        Table(f"{label or 'Últimas 36 boletas/facturas de suministro'}: {fmt_number(n_inv)} encontradas"
              if flt.active else "Últimas 36 boletas/facturas de suministro", "boletas", [
            Column("number", "N°", "link", href_key="href"), Column("kind", "Tipo"), Column("period", "Período", "month"),
            Column("issue_date", "Emisión", "date"), Column("due_date", "Vencimiento", "date"),
            Column("consumption_kwh", "Consumo (kWh)", "number", 1), Column("total_clp", "Total ($)", "clp")],
              inv_rows, total=n_inv, empty_text="Ninguna boleta coincide con la búsqueda.",
              note="Monto de búsqueda: total de la boleta." + (" Se muestran las 36 más recientes." if n_inv > 36 else "")),
        Table(f"Anexos de inyecciones: {fmt_number(n_ann)} encontrados" if flt.active
              else "Últimos 36 anexos de facturas o boletas de inyecciones", "anexos", [
            Column("number", "N°", "link", href_key="href"), Column("period", "Período", "month"),
            Column("issue_date", "Emisión", "date"), Column("injected_kwh", "Inyección (kWh)", "number", 1),
            Column("value_clp", "Valor ($)", "clp"), Column("offset_clp", "Descontado ($)", "clp"),
            Column("surplus_clp", "Remanente ($)", "clp")], ann_rows, total=n_ann,
              empty_text="Ningún anexo coincide con la búsqueda.",
              note="Monto de búsqueda: valor de las inyecciones." + (" Se muestran los 36 más recientes." if n_ann > 36 else "")),
    ]
    params = {"client_id": client_id, **{k: v for k, v in dict(numero=flt.number, periodo=periodo, monto_min=monto_min,
                                                                monto_max=monto_max).items() if v is not None}}
    return eg_report(session, actor, profile, "cliente-eg-boletas", SECTION_TITLES["boletas"], sections, params)


@view("cliente-eg-boleta", title="Boleta/factura de suministro", policy=CLIENT_VIEW_POLICY,
      params={"client_id": int_param, "numero": str_param(20)}, personal_data=True, pdf=invoice_pdf)
def eg_invoice_view(session: Session, actor: Actor, client_id: int, numero: str) -> Report:
    """One boleta/factura: header, readings and charge lines with net, IVA and total."""
    profile = eg_service.eg_profile(session, actor, client_id)
    inv = get_invoice(session, actor, client_id, numero)
    kind = "Factura" if inv.kind == "factura" else "Boleta"
    lines = [dict(description=l.description, quantity=l.quantity, unit=l.unit, unit_price=l.unit_price, amount=l.amount_clp)
             for l in inv.lines]
    totals = [dict(description="Monto neto", amount=inv.net_clp), dict(description="IVA (19%)", amount=inv.vat_clp),
              dict(description="Total a pagar", amount=inv.total_clp)]
    sections = [
        KeyValues(f"{kind} electrónica N° {inv.number}", [
            ("Emisor", f"{profile.company.name} · RUT {format_rut(profile.company.rut)}"),
            ("Cliente", f"{profile.client.name} · RUT {format_rut(profile.client.rut)}"),
            ("Dirección", f"{profile.client.address}, {profile.comuna.name}"), ("Período", fmt_month(inv.period)),
            ("Emisión", fmt_date(inv.issue_date)), ("Vencimiento", fmt_date(inv.due_date)),
            ("Lectura anterior", f"{fmt_number(inv.reading_from_kwh, 1)} kWh"),
            ("Lectura actual", f"{fmt_number(inv.reading_to_kwh, 1)} kWh"),
            ("Consumo", f"{fmt_number(inv.consumption_kwh, 1)} kWh")], key="boleta", width=5),
        Table("Detalle de cargos", "lineas", [
            Column("description", "Descripción"), Column("quantity", "Cantidad", "number", 1), Column("unit", "Unidad"),
            Column("unit_price", "Precio unitario", "number", 2), Column("amount", "Monto ($)", "clp")], lines, width=7),
        Table("Totales", "totales", [Column("description", "Concepto"), Column("amount", "Monto ($)", "clp")], totals, width=7),
    ]
    return eg_report(session, actor, profile, "cliente-eg-boleta", f"{kind} N° {inv.number}", sections,
                     {"client_id": client_id, "numero": inv.number})


@view("cliente-eg-anexo", title="Anexo de inyecciones", policy=CLIENT_VIEW_POLICY,
      params={"client_id": int_param, "numero": str_param(20)}, personal_data=True, pdf=annex_pdf)
def eg_annex_view(session: Session, actor: Actor, client_id: int, numero: str) -> Report:
    """One injection annex: export readings, valuation, offset and remanente."""
    profile = eg_service.eg_profile(session, actor, client_id)
    a = eg_service.get_annex(session, profile, numero)
    invoice = eg_service.annex_invoice_number(session, a)
    sections = [KeyValues(f"Anexo de inyecciones N° {a.number}", [
        ("Emisor", f"{profile.company.name} · RUT {format_rut(profile.company.rut)}"),
        ("Cliente", f"{profile.client.name} · RUT {format_rut(profile.client.rut)}"), ("Período", fmt_month(a.period)),
        ("Emisión", fmt_date(a.issue_date)), ("Boleta/factura asociada", invoice or "—"),
        ("Lectura anterior (2.8.0)", f"{fmt_number(a.reading_from_kwh, 1)} kWh"),
        ("Lectura actual (2.8.0)", f"{fmt_number(a.reading_to_kwh, 1)} kWh"),
        ("Energía inyectada", f"{fmt_number(a.injected_kwh, 1)} kWh"),
        ("Precio de la energía inyectada", f"{fmt_number(a.injection_price_clp_kwh, 2)} $/kWh"),
        ("Valor de las inyecciones", fmt_clp(a.injection_value_clp)), ("Descontado en la boleta", fmt_clp(a.offset_clp)),
        ("Remanente acumulado", fmt_clp(a.surplus_clp))], key="anexo")]
    return eg_report(session, actor, profile, "cliente-eg-anexo", f"Anexo de inyecciones N° {a.number}", sections,
                     {"client_id": client_id, "numero": a.number})


def location_sections(profile) -> list:
    """The EG location in UTM WGS84 and a map (point over its comuna)."""
    from geo.comunas import comuna_geojson
    from geo.crs import format_location, to_wgs84

    x, y, zone, lon, lat = eg_service.utm_wgs84(profile)
    inst = profile.installation
    base = [{"type": "Feature", "geometry": f["geometry"], "properties": {"popup": profile.comuna.name}}
            for f in comuna_geojson(profile.comuna.code)["features"]]
    point = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
              "properties": {"popup": f"{inst.code} · {fmt_number(inst.capacity_kw, 1)} kW"}}]
    ring = []
    for i in range(0, 361, 10):  # a 500 m circle drawn in UTM metres (true distance), then reprojected
        ring.append(list(to_wgs84(x + 500 * math.cos(math.radians(i)), y + 500 * math.sin(math.radians(i)), "WGS84", zone)))
    around = [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": ring},
               "properties": {"popup": "Radio de 500 m alrededor del EG"}}]
    return [
        KeyValues("Ubicación del EG (UTM, datum WGS84)", [
            ("Este (m)", fmt_number(x, 1)), ("Norte (m)", fmt_number(y, 1)), ("Huso", zone), ("Datum", "WGS84"),
            ("Latitud / longitud", f"{fmt_number(lat, 6)}° / {fmt_number(lon, 6)}°"),
            ("Registrada como", format_location(inst.x, inst.y, inst.datum, inst.zone)),
            ("Comuna", profile.comuna.name)], key="ubicacion", width=5),
        MapSection("Mapa de ubicación", [MapLayer(profile.comuna.name, base, "polygon", PALETTE[5], fill_opacity=0.1),
                                         MapLayer("Radio de 500 m", around, "line", PALETTE[7], weight=1),
                                         MapLayer(f"EG {inst.code}", point, "point", PALETTE[3], radius=8)],
                   key="mapa", height=360, width=7),
    ]


@view("cliente-eg-documentos", title=SECTION_TITLES["documentos"], policy=CLIENT_VIEW_POLICY,
      params={"client_id": int_param}, personal_data=True)
def eg_documents_view(session: Session, actor: Actor, client_id: int) -> Report:
    """§5.2 IX: connection contract, protocol, study (when there is one) and the EG location."""
    profile = eg_service.eg_profile(session, actor, client_id)
    kinds = {v: k for k, v in eg_service.DOCUMENT_KINDS.items()}
    rows = [dict(title=eg_service.DOCUMENT_LABELS.get(d.kind, d.title), number=d.number, signed_on=d.signed_on,
                 signed_by=d.signed_by, href=section_href(client_id, seccion="documentos", documento=kinds[d.kind]))
            for d in eg_service.documents(session, profile)]
    has_study = any(d["title"] == eg_service.DOCUMENT_LABELS["study"] for d in rows)
    table = Table("Documentos de conexión", "documentos", [
        Column("title", "Documento", "link", href_key="href"), Column("number", "N°"), Column("signed_on", "Fecha", "date"),
        Column("signed_by", "Firmado por")], rows,
        note="" if has_study else "No se realizó estudio de conexión para este Equipamiento de Generación.")
    return eg_report(session, actor, profile, "cliente-eg-documentos", SECTION_TITLES["documentos"],
                     [table, *location_sections(profile)])


def _body_sections(kind: str, body: dict) -> list:
    if kind == "contract":
        parties = body.get("parties") or ["", ""]
        return [KeyValues("Condiciones", [
            ("Usuario final", f"{parties[0]} · RUT {format_rut(parties[1]) if parties[1] else '—'}"),
            ("Capacidad instalada", f"{fmt_number(body.get('capacity_kw'), 1)} kW"),
            ("Potencia del inversor", f"{fmt_number(body.get('inverter_kw'), 1)} kW"),
            ("Transformador de conexión", str(body.get("transformer", "—"))),
            ("Forma de liquidación de remanentes", str(body.get("settlement_method", "—"))),
            ("Fecha de liquidación de remanentes",
             fmt_long_date(dt.date.fromisoformat(body["settlement_date"])) if body.get("settlement_date") else "—")],
                          key="condiciones"),
                Text("Cláusulas", [f"{i}. {c}" for i, c in enumerate(body.get("clauses", []), start=1)], key="clausulas")]
    if kind == "protocol":
        tests = [dict(test=t[0], result=t[1], detail=t[2]) for t in body.get("tests", []) if len(t) == 3]
        return [KeyValues("Puesta en servicio", [
            ("Fecha de conexión", fmt_date(dt.date.fromisoformat(body["connection_date"])) if body.get("connection_date") else "—"),
            ("Potencia del inversor", f"{fmt_number(body.get('inverter_kw'), 1)} kW")], key="servicio"),
                Table("Pruebas de conexión", "pruebas", [Column("test", "Prueba"), Column("result", "Resultado"),
                                                          Column("detail", "Detalle")], tests)]
    return [KeyValues("Resultados del estudio", [
        ("Potencia de cortocircuito en el punto de conexión", f"{fmt_number(body.get('short_circuit_kva'))} kVA"),
        ("Capacidad del transformador", f"{fmt_number(body.get('transformer_kva'))} kVA"),
        ("Capacidad del EG", f"{fmt_number(body.get('capacity_kw'), 1)} kW"),
        ("Elevación de tensión estimada", f"{fmt_number(body.get('voltage_rise_pct'), 3)} %")], key="resultados"),
            Text("Conclusión", [str(body.get("conclusion", "—"))], key="conclusion")]


@view("cliente-eg-documento", title="Documento de conexión", policy=CLIENT_VIEW_POLICY,
      params={"client_id": int_param, "tipo": str_param(12)}, personal_data=True)
def eg_document_view(session: Session, actor: Actor, client_id: int, tipo: str) -> Report:
    """One connection document rendered from its stored body (Guardar gives its PDF)."""
    profile = eg_service.eg_profile(session, actor, client_id)
    doc, body = eg_service.document(session, profile, tipo)
    header = KeyValues(doc.title, [("N° documento", doc.number), ("Fecha de firma", fmt_date(doc.signed_on)),
                                   ("Firmado por", doc.signed_by), ("Equipamiento de Generación", profile.installation.code),
                                   ("Distribuidora", profile.company.name)], key="documento")
    return eg_report(session, actor, profile, "cliente-eg-documento", f"{eg_service.DOCUMENT_LABELS[doc.kind]} N° {doc.number}",
                     [header, *_body_sections(doc.kind, body)], {"client_id": client_id, "tipo": tipo})
