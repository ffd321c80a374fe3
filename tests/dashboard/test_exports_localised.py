"""Issue 16 (defect 12): downloads in the page's language, named by page, method and dates,
with the filters and method inside the file (CSV comment rows, the Excel file's second sheet)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from data.exports import read_notes
from tests.dashboard.apptest import run_app

NAME = re.compile(r"gridscope_hotspots_gi_star_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.(csv|xlsx)")
TEXT = {
    "zh": {
        "dates": "日期范围",
        "method": "方法: Gi* 冷热点",
        "category": "事件类型: 噪音扰民",
        "rank": "名次",
        "label": "类别",
    },
    "en": {
        "dates": "Date range",
        "method": "Method: Gi* hot/cold spots",
        "category": "Category: Noise nuisance",
        "rank": "Rank",
        "label": "Class",
    },
}


def _capture(monkeypatch) -> dict[str, bytes]:
    """The files the page's download buttons offer, by name: made at once (as a click would
    make them; the page hands over a callable that makes the file on click)."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id
    deferred = MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, kind, filename=None):
        captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def made(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = data_callable()
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", made)
    return captured


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hotspot_downloads_are_localised_and_say_what_they_hold(monkeypatch, small_db_file, lang):
    captured = _capture(monkeypatch)
    at = run_app(monkeypatch, small_db_file, lang, page="dashboard/pages/hotspots.py", timeout=180)
    assert not at.exception, at.exception
    at.multiselect(key="f_categories").set_value(["noise"]).run()
    assert not at.exception, at.exception
    csv_names = [n for n in captured if n and NAME.fullmatch(n) and n.endswith(".csv")]
    assert csv_names, list(captured)
    name = csv_names[-1]
    first, last, _ = NAME.fullmatch(name).groups()
    notes, table = read_notes(captured[name])
    text = TEXT[lang]
    assert f"{text['dates']}: {first} – {last}" in notes
    assert text["method"] in notes and any(n.startswith(text["category"]) for n in notes), notes
    assert table.columns[0] == text["rank"] and "unit_id" not in table.columns and "p_adjusted" not in table.columns
    labels = set(table[text["label"]])
    assert labels and not labels & {"not_significant", "hot_99", "cold_99"}  # names, not codes
    book = openpyxl.load_workbook(io.BytesIO(captured[name[:-4] + ".xlsx"]))
    data, about = book.worksheets
    header = [c.value for c in next(data.iter_rows(max_row=1))]
    assert header == list(table.columns)
    assert data.max_row == len(table) + 1
    rows = {r[0]: r[1] for r in about.iter_rows(values_only=True)}
    assert rows[text["dates"]] == f"{first} – {last}"
