"""The Parquet lake: raw readings and events as day partitions, and their rollups.

``export`` writes a store's readings or events as ``DIR/day=YYYY-MM-DD/*.parquet`` (and the
sensors beside the readings); ``rollup`` computes the rollups with DuckDB or Apache Spark
(the same SQL, :mod:`data.lake.rollup_sql`) into day partitions of their own; ``load``
puts them into a store. The room sits beside ``data/ingest``: files in, files or store rows
out, through the ``Store`` protocol only.
"""

from __future__ import annotations

from data.lake.export import ExportReport, export_lake
from data.lake.rollup import ENGINES, RollupReport, rollup

__all__ = ["ENGINES", "ExportReport", "RollupReport", "export_lake", "rollup"]
