"""One local Spark session (local[2]) for every lake test that needs one: start-up is most of
a Spark test's time. Spark runs in CI (scripts/test.sh installs Java 17 and the spark extra)."""

from __future__ import annotations

import pytest

from data.lake.spark_engine import session


@pytest.fixture(scope="session")
def spark():
    """The shared Spark session, stopped at the end of the test session."""
    s = session("local[2]")
    yield s
    s.stop()
