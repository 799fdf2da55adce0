"""What a client checks by hand: the chart matches the table, the window is the right months, the money adds up."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from services.formatting import month_add


def _twin(auth, view, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = auth.client.get(f"/api/v1/vistas/{view}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json


def _section(data, kind, key):
    return next(s for s in data["sections"] if s["type"] == kind and s["key"] == key)


def _last_billed(app, client_id):
    from data.models import ClientMonthly

    with app.extensions["db"].session() as s:
        return s.scalar(select(func.max(ClientMonthly.month)).where(ClientMonthly.client_id == client_id))


@pytest.mark.parametrize("user, view, months, chart_key, table_key, columns", [
    ("cliente", "cliente-consumos", 36, "consumos", "consumos", ("consumption_kwh", "charge_clp")),
    ("cliente_eg", "cliente-eg-consumos", 36, "consumos", "consumos", ("consumption_kwh", "charge_clp")),
    ("cliente_eg", "cliente-eg-inyecciones", 12, "inyecciones", "inyecciones", ("consumption_kwh", "injected_kwh")),
])
def test_chart_equals_table_over_exact_window(shared_app, shared_auth, supplies, user, view, months, chart_key,
                                              table_key, columns):
    shared_auth.login(user)
    client_id = supplies.cliente[0] if user == "cliente" else supplies.eg
    data = _twin(shared_auth, view, client_id=client_id)
    chart, table = _section(data, "chart", chart_key), _section(data, "table", table_key)
    rows, total_row = table["rows"][:-1], table["rows"][-1]
    assert total_row["month"] == "Total" and len(rows) == months == table["total"]
    last = _last_billed(shared_app, client_id)
    expected = [month_add(last, -i).isoformat() for i in range(months)]
    assert [r["month"] for r in rows] == expected  # newest first, consecutive, ending at the last billed month
    for series, column in zip(chart["series"], columns):
        assert len(series["y"]) == months
        assert sum(series["y"]) == pytest.approx(sum(r[column] for r in rows))
        assert total_row[column] == pytest.approx(sum(series["y"]))
        assert list(reversed(series["y"])) == pytest.approx([r[column] for r in rows])


def test_chart_months_are_spanish_labels(shared_auth, supplies):
    shared_auth.login("cliente")
    chart = _section(_twin(shared_auth, "cliente-consumos", client_id=supplies.cliente[0]), "chart", "consumos")
    assert all(label.split()[0] in {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}
               for label in chart["series"][0]["x"])


def test_remanente_arithmetic_month_by_month_and_totals(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    first = _twin(shared_auth, "cliente-eg-remanentes", client_id=supplies.eg)
    table = _section(first, "table", "remanentes")
    pages = -(-table["total"] // 12)
    assert 12 <= table["total"] <= 60 and pages >= 2
    rows = []
    for page in range(1, pages + 1):
        rows += _section(_twin(shared_auth, "cliente-eg-remanentes", client_id=supplies.eg, pagina=page),
                         "table", "remanentes")["rows"]
    assert len(rows) == table["total"]
    rows.sort(key=lambda r: r["month"])
    for prev, row in zip(rows, rows[1:]):
        assert row["opening"] == prev["closing"], row["month"]  # carried forward
    for row in rows:
        assert row["closing"] == row["opening"] + row["injection"] - row["offset"] - row["paid"], row["month"]
        assert row["closing"] >= 0 and row["offset"] >= 0
    api = shared_auth.client.get(f"/api/v1/clientes/{supplies.eg}/remanentes").json
    assert api["totals"]["injection"] == sum(r["injection"] for r in rows)
    assert api["totals"]["offset"] == sum(r["offset"] for r in rows)
    assert api["totals"]["paid"] == sum(r["paid"] for r in rows)
    assert api["totals"]["closing"] == rows[-1]["closing"]
    assert api["totals"]["opening"] + api["totals"]["injection"] - api["totals"]["offset"] - api["totals"]["paid"] \
        == api["totals"]["closing"]
    kv = _section(first, "key_values", "liquidacion")
    labels = [i["label"] for i in kv["items"]]
    assert "Forma de liquidación según contrato" in labels and "Próxima liquidación" in labels


def test_surplus_page_out_of_range_is_404(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    assert shared_auth.client.get(f"/api/v1/vistas/cliente-eg-remanentes?client_id={supplies.eg}&pagina=99").status_code == 404


def test_every_invoice_total_is_lines_plus_vat(shared_app, supplies):
    from data.models import Invoice

    with shared_app.extensions["db"].session() as s:
        invoices = s.scalars(select(Invoice).where(Invoice.client_id == supplies.eg)).all()
        assert len(invoices) == 36
        for inv in invoices:
            assert sum(line.amount_clp for line in inv.lines) == inv.net_clp, inv.number
            assert inv.vat_clp == round(inv.net_clp * 0.19) and inv.total_clp == inv.net_clp + inv.vat_clp
            assert inv.consumption_kwh == pytest.approx(inv.reading_to_kwh - inv.reading_from_kwh, abs=0.11)


def test_invoice_view_shows_lines_and_totals_that_add_up(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    listing = shared_auth.client.get(f"/api/v1/clientes/{supplies.eg}/boletas?page_size=1").json
    number = listing["items"][0]["number"]
    data = _twin(shared_auth, "cliente-eg-boleta", client_id=supplies.eg, numero=number)
    lines = _section(data, "table", "lineas")["rows"]
    totals = {r["description"]: r["amount"] for r in _section(data, "table", "totales")["rows"]}
    assert any("inyecciones" in l["description"] for l in lines)
    assert totals["Monto neto"] == sum(l["amount"] for l in lines)
    assert totals["Total a pagar"] == totals["Monto neto"] + totals["IVA (19%)"] == listing["items"][0]["total_clp"]


def test_lists_hold_the_last_36_of_each(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    data = _twin(shared_auth, "cliente-eg-boletas", client_id=supplies.eg)
    invoices, annexes = _section(data, "table", "boletas"), _section(data, "table", "anexos")
    assert len(invoices["rows"]) == 36 and len(annexes["rows"]) == min(36, annexes["total"]) and annexes["rows"]
    periods = [r["period"] for r in invoices["rows"]]
    assert periods == sorted(periods, reverse=True)


def test_search_by_number_period_and_amount(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    base = f"/api/v1/clientes/{supplies.eg}/boletas"
    everything = shared_auth.client.get(base + "?page_size=100").json["items"]
    target = everything[5]
    by_number = shared_auth.client.get(f"{base}?numero={target['number']}").json
    assert [i["number"] for i in by_number["items"]] == [target["number"]]
    by_period = shared_auth.client.get(f"{base}?periodo={target['period']}").json
    assert [i["number"] for i in by_period["items"]] == [target["number"]]
    low, high = sorted(i["total_clp"] for i in everything)[10], sorted(i["total_clp"] for i in everything)[20]
    in_range = shared_auth.client.get(f"{base}?monto_min={low}&monto_max={high}&page_size=100").json
    assert in_range["total"] == sum(low <= i["total_clp"] <= high for i in everything) >= 11
    assert all(low <= i["total_clp"] <= high for i in in_range["items"])
    view = _twin(shared_auth, "cliente-eg-boletas", client_id=supplies.eg, periodo=target["period"])
    assert [r["number"] for r in _section(view, "table", "boletas")["rows"]] == [target["number"]]
    annexes = shared_auth.client.get(f"/api/v1/clientes/{supplies.eg}/anexos?periodo={target['period']}").json
    assert all(a["period"] == target["period"] for a in annexes["items"])


@pytest.mark.parametrize("query, fragment", [
    ("numero=1;DROP", "letras y dígitos"), ("monto_min=500&monto_max=100", "mínimo no puede ser mayor"),
    ("periodo=2026-13", "AAAA-MM"), ("monto_min=-5", "montos deben estar"), ("otro=1", "desconocidos"),
])
def test_search_input_is_validated(shared_auth, supplies, query, fragment):
    shared_auth.login("cliente_eg")
    response = shared_auth.client.get(f"/api/v1/clientes/{supplies.eg}/boletas?{query}")
    assert response.status_code == 400 and fragment in response.json["error"]


def test_view_search_input_is_validated(shared_auth, supplies):
    shared_auth.login("cliente_eg")
    response = shared_auth.client.get(f"/api/v1/vistas/cliente-eg-boletas?client_id={supplies.eg}&monto_min=9&monto_max=1")
    assert response.status_code == 400


def test_next_settlement_date_is_the_next_anniversary():
    from services.eg import next_settlement_date

    assert next_settlement_date(dt.date(2019, 11, 20), dt.date(2026, 11, 1)) == dt.date(2026, 11, 20)
    assert next_settlement_date(dt.date(2019, 3, 5), dt.date(2026, 11, 1)) == dt.date(2027, 3, 5)
    assert next_settlement_date(dt.date(2027, 6, 1), dt.date(2026, 11, 1)) == dt.date(2027, 6, 1)
