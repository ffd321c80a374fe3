"""The import page names imports that did not finish (issue 9: a killed import left no trace)."""

from __future__ import annotations

import pytest

from data.ingest.batches import BatchLog, FileIdentity
from queries.duckdb_store import DuckDBStore
from tests.dashboard.apptest import run_app, shown


def _dead_pid() -> int:
    import os

    for pid in range(4_000_000, 4_100_000):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free pid")


@pytest.mark.parametrize(
    "lang,expected",
    [
        (
            "zh",
            [
                "有 1 次导入没有完成",
                "批次 events:e_1.csv:x（事件/工单，文件 e_1.csv）：已中断，已提交 3 块、入库 5,994 行",
            ],
        ),
        (
            "en",
            [
                "1 import(s) did not finish",
                "batch events:e_1.csv:x (Events / cases, file e_1.csv): interrupted, "
                "3 chunks committed, 5,994 rows stored",
            ],
        ),
    ],
)
def test_an_interrupted_import_is_named_on_the_import_page(monkeypatch, small_db_file, lang, expected):
    store = DuckDBStore(small_db_file)
    try:
        log = BatchLog(store, "events:e_1.csv:x", "events", FileIdentity("e_1.csv", 123, "ab" * 32))
        log.start()
        log.committed(3, 6_000, 5_994, 6)
        log._write(pid=_dead_pid())  # the process that ran it is gone (kill -9)
    finally:
        store.close()
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/data_import.py")
    assert not at.exception
    [warning] = [w.value for w in at.warning if expected[0] in shown(w.value)]
    assert expected[1] in shown(warning)


def test_no_warning_without_unfinished_imports(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "en", page="dashboard/pages/data_import.py")
    assert not at.exception
    assert not [w for w in at.warning if "did not finish" in w.value]
