"""``gridscope import ...`` end to end on a DuckDB file: exit codes and the printed reconciliation."""

from __future__ import annotations

from cli import main
from queries.duckdb_store import DuckDBStore
from tests.importer.conftest import planted_events, text_frame, write_areas
from tests.importer.test_import_csv_gbk import ZH


def test_cli_imports_areas_then_events(tmp_path, capsys):
    db = tmp_path / "g.duckdb"
    assert main(["import", "areas", str(write_areas(tmp_path / "a.geojson")), "--db", str(db)]) == 0
    planted = planted_events()
    path = tmp_path / "e.csv"
    path.write_bytes(text_frame(planted, ZH).to_csv(index=False).encode("gbk"))
    assert main(["import", "events", str(path), "--mapping", "zh", "--crs", "wgs84", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    n, bad = len(planted.frame), len(planted.expected)
    assert f"rows read {n:,} = stored {n - bad:,} + rejected {bad:,}  [OK]" in out
    assert "rejected 1: outside every area" in out
    store = DuckDBStore(db)
    try:
        assert store.table_counts()["events"] == n - bad
        assert store.table_counts()["import_rejects"] == bad
    finally:
        store.close()
    # the same file again: the stored rows are skipped (EV0001, twice in the file, is checked);
    # --check-all checks them
    args = ["import", "events", str(path), "--mapping", "zh", "--db", str(db)]
    assert main(args) == 0
    assert f"of the unchanged, {n - bad - 1:,} are exactly as stored" in capsys.readouterr().out
    assert main([*args, "--check-all"]) == 0
    out = capsys.readouterr().out
    assert f"0 new, 0 updated, {n - bad:,} unchanged" in out and "exactly as stored" not in out


def test_cli_unreadable_file_exits_1_with_one_message(tmp_path, capsys):
    (tmp_path / "x.csv").write_bytes(b"")
    assert main(["import", "events", str(tmp_path / "x.csv"), "--db", str(tmp_path / "g.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "gridscope import: 'x.csv' is empty" in err


def test_cli_lists_mappings(capsys):
    assert main(["import", "mappings"]) == 0
    out = capsys.readouterr().out
    assert "311" in out and "zh" in out and "readings" in out
