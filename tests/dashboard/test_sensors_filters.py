"""Issue 16 (defect 8): the sensors page sets the category and source filters aside (alarms
come from readings, before any event) and says so; the selections stay for the other pages."""

from __future__ import annotations

from tests.dashboard.apptest import run_app

PAGE = "dashboard/pages/sensors.py"


def _shown(at) -> tuple:
    metrics = [(m.label, m.value, m.delta) for m in at.metric]
    tables = [d.value.to_csv() for d in at.dataframe]
    return metrics, tables


def test_category_and_source_change_nothing_and_are_said_unused(monkeypatch, small_db_file):
    at = run_app(monkeypatch, small_db_file, "zh", page=PAGE, timeout=180)
    assert not at.exception, at.exception
    before = _shown(at)
    assert before[0], "the alarm cards"
    assert not any("不按事件类型和来源筛选" in c.value for c in at.sidebar.caption)
    at.multiselect(key="f_categories").set_value(["noise"]).run()
    at.multiselect(key="f_sources").set_value(["hotline"]).run()
    assert not at.exception, at.exception
    assert _shown(at) == before
    assert any("不按事件类型和来源筛选" in c.value for c in at.sidebar.caption)
    assert at.multiselect(key="f_categories").value == ["noise"]  # kept for the other pages
    at.switch_page("dashboard/pages/trends.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="f_categories").value == ["noise"]
