"""Initial load (§6.1) and the change feed: export/reload and A -> B replication give identical data."""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from data.models import ChangeLog, InitialLoad
from exchange.load import load_company
from exchange.snapshot import export_company
from tests.conftest import make_app
from tests.exchange.helpers import company_id, data_hash, first, post, token


def export_zip(app, code: str, path: Path) -> Path:
    with app.extensions["db"].engine.connect() as conn:
        export_company(conn, company_id(app, code), path)
    return path


def rewrite_zip(src: Path, dst: Path, edit) -> Path:
    """Copy a snapshot ZIP applying ``edit(name, text) -> text`` to each member."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit(info.filename, zin.read(info).decode()))
    return dst


def test_export_and_reload_into_an_empty_database_gives_the_same_hash(shared_app, empty_app, tmp_path):
    original = data_hash(shared_app, "DEA")
    path = export_zip(shared_app, "DEA", tmp_path / "dea.zip")
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["exchange", "load", str(path), "--company", "DEA", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Cubicación de la carga" in result.output and "client_monthly" in result.output
    assert data_hash(empty_app, "DEA") == original
    with empty_app.extensions["db"].session() as session:
        load = session.scalar(select(InitialLoad))
        assert load.status == "loaded" and load.sizing["counts"]["clients"]["insert"] > 0
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == sum(
            e["rows"] for e in load.sizing["entities"])


def test_reload_of_same_content_changes_nothing_and_new_content_converges(app, tmp_path):
    path = export_zip(app, "DEA", tmp_path / "dea.zip")
    before = data_hash(app, "DEA")
    report = load_company(app.extensions["db"], path, "DEA")
    assert report.status == "unchanged" and report.counts == {}
    assert data_hash(app, "DEA") == before
    feeder = first(app, "select code from feeders where company_id=1 order by code limit 1")[0]

    def edit(name, text):
        lines = text.splitlines(keepends=True)
        if name == "client_monthly.jsonl":
            return "".join(lines[1:])
        if name == "feeders.jsonl":
            return text.replace(f'"code":"{feeder}","substation_code"', f'"code":"{feeder}","substation_code"', 1) \
                .replace('"name":"', '"name":"Renombrado ', 1)
        return text

    changed = rewrite_zip(path, tmp_path / "dea2.zip", edit)
    report = load_company(app.extensions["db"], changed, "DEA")
    assert report.status == "loaded", report.errors
    assert report.counts == {"client_monthly": {"delete": 1}, "feeders": {"update": 1}}
    assert first(app, f"select name from feeders where code='{feeder}'")[0].startswith("Renombrado ")
    # A second app loading the same edited snapshot into an empty database converges to the same data.
    assert load_company(app.extensions["db"], changed, "DEA").status == "unchanged"


def test_invalid_snapshot_is_rejected_with_itemised_errors_and_no_change(app, tmp_path):
    path = export_zip(app, "DEA", tmp_path / "dea.zip")
    before = data_hash(app, "DEA")

    def edit(name, text):
        lines = text.splitlines(keepends=True)
        if name == "poles.jsonl":
            lines[2] = "{no es json\n"
        if name == "clients.jsonl":
            rec = json.loads(lines[0])
            rec["rut"] = "12.345.678-5"
            rec["color"] = "azul"
            lines[0] = json.dumps(rec, ensure_ascii=False) + "\n"
        if name == "meters.jsonl":
            rec = json.loads(lines[0])
            rec["client_number"] = "99999999"
            lines[0] = json.dumps(rec, ensure_ascii=False) + "\n"
        return "".join(lines)

    bad = rewrite_zip(path, tmp_path / "bad.zip", edit)
    report = load_company(app.extensions["db"], bad, "DEA")
    assert report.status == "rejected"
    where = {(e["file"], e["line"], e["field"]) for e in report.errors}
    assert ("poles.jsonl", 3, "") in where
    assert ("clients.jsonl", 1, "rut") in where and ("clients.jsonl", 1, "color") in where
    assert ("meters.jsonl", 1, "client_number") in where
    assert data_hash(app, "DEA") == before
    with app.extensions["db"].session() as session:
        assert session.scalar(select(InitialLoad.status).order_by(InitialLoad.id.desc())) == "rejected"


def test_snapshot_of_one_company_cannot_be_loaded_as_another(app, tmp_path):
    path = export_zip(app, "DEA", tmp_path / "dea.zip")
    before = data_hash(app, "CEM")
    report = load_company(app.extensions["db"], path, "CEM")
    assert report.status == "rejected" and "no de CEM" in report.errors[0]["reason"]
    assert data_hash(app, "CEM") == before


def test_changes_on_a_replicate_to_b_through_the_feed(app, template_url, backend):
    """Changes made on A, read from A's change feed and posted to B leave both with identical data."""
    b = make_app(backend.copy(template_url, "b" + uuid.uuid4().hex[:6]))
    try:
        assert data_hash(app, "DEA") == data_hash(b, "DEA")
        client_a, tok_a = app.test_client(), token(app, "DEA")
        row = first(app, "select k.client_number, t.code from clients k join distribution_transformers t "
                         "on t.id=k.transformer_id where k.company_id=1 order by k.id limit 1")
        month = first(app, "select max(month) from client_monthly where client_id=(select min(id) from clients)")[0]
        ops1 = [
            {"entity": "clients", "op": "update", "key": {"client_number": row[0]},
             "data": {"name": "Ñandú Pérez", "address": "Avenida Álamos 123"}},
            {"entity": "client_monthly", "op": "delete", "key": {"client_number": row[0], "month": str(month)[:10]}},
            {"entity": "feeder_demands", "op": "insert", "key": {"feeder_code": "AL-DEA-001", "month": "2031-01-01"},
             "data": {"max_demand_kw": 900.5, "min_demand_kw": 300.25}},
        ]
        ops2 = [{"entity": "feeder_demands", "op": "update", "key": {"feeder_code": "AL-DEA-001", "month": "2031-01-01"},
                 "data": {"max_demand_kw": 950.0}}]
        assert post(client_a, tok_a, {"batch_id": "a1", "sequence": 1, "operations": ops1}).status_code == 201
        assert post(client_a, tok_a, {"batch_id": "a2", "sequence": 2, "operations": ops2}).status_code == 201
        assert data_hash(app, "DEA") != data_hash(b, "DEA")

        client_b, tok_b = b.test_client(), token(b, "DEA")
        cursor, sequence = 0, 1
        while True:
            page = client_a.get(f"/api/v1/exchange/changes?since={cursor}&page_size=2",
                                headers={"Authorization": f"Bearer {tok_a}"}).json
            if page["operations"]:
                body = {"batch_id": f"feed-{page['since']}-{page['next_cursor']}", "sequence": sequence,
                        "company": page["company"], "operations": page["operations"]}
                response = post(client_b, tok_b, body)
                assert response.status_code == 201, response.json
                sequence += 1
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        assert sequence == 3  # four changes in pages of two
        assert data_hash(app, "DEA") == data_hash(b, "DEA")
        assert data_hash(app, "CEM") == data_hash(b, "CEM")
        assert first(b, f"select search_text from clients where client_number='{row[0]}'")[0] == \
            "nandu perez avenida alamos 123"
    finally:
        b.extensions["db"].engine.dispose()


def test_feed_is_scoped_to_the_token_company(app):
    client = app.test_client()
    tok = token(app, "CEM")
    response = client.get("/api/v1/exchange/changes?since=0&company=DEA", headers={"Authorization": f"Bearer {tok}"})
    assert response.status_code == 403


def test_committed_schema_files_match_the_model():
    from exchange.schemas import SCHEMA_DIR, all_schemas

    for name, schema in all_schemas().items():
        committed = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert committed == schema, f"{name} desactualizado: ejecute flask --app app exchange schemas"


def test_export_zip_has_manifest_and_one_file_per_entity(shared_app):
    from exchange.entities import ENTITIES

    buffer = io.BytesIO()
    with shared_app.extensions["db"].engine.connect() as conn:
        manifest = export_company(conn, company_id(shared_app, "CEM"), buffer)
    names = set(zipfile.ZipFile(buffer).namelist())
    assert {f"{e.name}.jsonl" for e in ENTITIES} | {"company.json", "manifest.json"} == names
    assert manifest["company"] == "CEM" and manifest["entities"]["clients"]["rows"] > 0


def test_change_feed_refuses_out_of_range_cursors(app):
    """A cursor beyond 64 bits (found by the API fuzzer) is a Spanish 400, never a database overflow."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token(app, 'DEA')}"}
    for since in ("9223372036854775808", "-1"):
        response = client.get(f"/api/v1/exchange/changes?since={since}", headers=headers)
        assert response.status_code == 400 and "since" in response.get_json()["error"]
    assert client.get("/api/v1/exchange/changes?since=9223372036854775807", headers=headers).status_code == 200
