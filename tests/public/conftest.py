"""The fixture published layer (:mod:`tests.public.pubfixture`), written once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queries.published import DuckDBPublished
from tests.public.pubfixture import write_fixture


@pytest.fixture(scope="session")
def pub_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the fixture layer's DuckDB file (read it only: tests share it)."""
    return write_fixture(tmp_path_factory.mktemp("pub") / "public.duckdb")


@pytest.fixture(scope="session")
def pub_layer(pub_file: Path) -> Iterator[DuckDBPublished]:
    """The fixture layer opened as the public app opens it (read-only)."""
    layer = DuckDBPublished(pub_file)
    yield layer
    layer.close()
