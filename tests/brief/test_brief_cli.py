"""``gridscope brief`` end to end: files written, --last-week, a street, readable errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main

from .conftest import STREET, WEEK


def test_writes_html_and_pdf(small_db_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["brief", "--week", WEEK, "--out", str(out), "--db", str(small_db_file)]) == 0
    said = capsys.readouterr().out
    assert f"brief {WEEK} (district, zh)" in said
    html = (out / "brief.html").read_text(encoding="utf-8")
    assert WEEK in html and "周例会简报" in html
    pdf = (out / "brief.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    text = subprocess.run(["pdftotext", str(out / "brief.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert WEEK in text


def test_last_week_for_a_street_in_english(small_db_file, tmp_path, capsys):
    code = main(
        [
            "brief",
            "--last-week",
            "--street",
            STREET,
            "--lang",
            "en",
            "--html-only",
            "--out",
            str(tmp_path),
            "--db",
            str(small_db_file),
        ]
    )
    assert code == 0
    # the small city ends on Tuesday 2026-06-30: the last complete week is 2026-W26
    assert f"brief 2026-W26 ({STREET}, en)" in capsys.readouterr().out
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "Weekly review brief" in html and "Jinzhan Street" in html
    assert not (tmp_path / "brief.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W99"], "not an ISO week: '2026-W99' (2026 has weeks 1-53)"),
        (["--week", "47"], "not an ISO week: '47'"),
        (["--week", WEEK, "--street", "nowhere"], "no street with code 'nowhere'"),
    ],
)
def test_bad_week_or_street_is_a_message(small_db_file, tmp_path, capsys, args, message):
    assert main(["brief", *args, "--out", str(tmp_path), "--db", str(small_db_file)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "brief.html").exists()


def test_missing_or_unreachable_store_is_a_message(tmp_path, capsys):
    assert main(["brief", "--last-week", "--out", str(tmp_path), "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no store at" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()  # nothing created
    code = main(
        [
            "brief",
            "--last-week",
            "--out",
            str(tmp_path),
            "--dsn",
            "postgresql://gridscope@127.0.0.1:1/gridscope?connect_timeout=2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "not reachable" in err and "Traceback" not in err


def test_the_console_script_runs_from_anywhere(small_db_file, tmp_path):
    """The dashboard is no installed package: the script finds the renderer in the checkout."""
    script = Path(sys.executable).with_name("gridscope")
    done = subprocess.run(
        [str(script), "brief", "--week", WEEK, "--html-only", "--out", str(tmp_path / "o"), "--db", str(small_db_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"brief 2026-W26 \(district, zh\): [\d,]+ events", done.stdout)
