"""Answer services: what a page asks, answered by named queries plus :mod:`geo` statistics.

This is the room between the store and the pages. A page asks a question in its own terms
("the KPIs of this filter", "the hot spots of these grids", "what drove this week's
anomaly") and a function here answers it: it knows which named queries
(``queries/sql/<name>.sql``) to run and with which bound parameters, and which pure
statistics of :mod:`geo` to apply to their rows. Pages never call
``store.fetch("<sql name>", ...)`` themselves and never compute statistics; ``geo`` never
learns a query's parameter names.

Every service takes the store first (``store: Store``), then hashable arguments (an
:class:`~queries.filters.EventFilter`, strings, numbers, datetimes), so a page can cache
it, and returns DataFrames or small dataclasses it may change freely.

One module per page question:

- :mod:`.lookups` — names pages show: categories, departments, areas and shapes, data days
- :mod:`.kpis` — the overview's KPIs with the previous period
- :mod:`.counts` — the overview's count map (per H3 cell or area) and daily trend
- :mod:`.rankings` — the overview's top areas at the coarsest level a store has
- :mod:`.hotspots` — Gi*, Local Moran and emerging hot spots, and a unit's events
- :mod:`.trends` — period comparison, breakdowns, the anomaly band and its drivers, forecast
- :mod:`.chain` — the governance chain's reads and the per-category SLA edit
- :mod:`.sensors` — readings per sensor and unit, series, alarms and their events
"""
