"""Categories and departments during an import: known values to codes, new ones created.

A file names categories and departments by code or by name (Chinese or English); a
value that matches neither is added to the store as a new entry whose code and names
are the value itself (or the name column the mapping gives, e.g. 311's "Agency Name").
A new category's default department is the one most of its rows name; an event without
a department gets its category's default (the domain rule: every category has one).

A new category gets the default SLA (:data:`~data.contracts.DEFAULT_SLA_HOURS`, 2 h to
respond, 24 h to close) marked ``sla_assumed``: the import report lists every category of
the file whose SLA is assumed, and the pages that rest on SLAs name them, until a
categories file (:mod:`data.ingest.categories`) or an SLA edit sets the district's hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import polars as pl

from data.contracts import DEFAULT_SLA_HOURS
from data.store import Store

UNASSIGNED = ("unassigned", "未指派", "Unassigned")
"""Department (code, name_zh, name_en) for new categories no row names a department for."""


def _lookup(frame: pd.DataFrame) -> dict[str, str]:
    """value -> code for codes and names, exact and lower-cased (codes win over names)."""
    out: dict[str, str] = {}
    for col in ("name_en", "name_zh", "code"):
        for value, code in zip(frame[col].astype(str), frame["code"].astype(str), strict=True):
            out[value.strip().lower()] = code
            out[value] = code
    return out


@dataclass
class Catalog:
    """Lookup tables of the store's categories and departments."""

    categories: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    default_department: dict[str, str] = field(default_factory=dict)
    assumed: set[str] = field(default_factory=set)
    """Codes of the categories whose SLA is assumed (``categories.sla_assumed``)."""
    sla_hours: dict[str, tuple[float, float]] = field(default_factory=dict)
    """code -> (hours to respond, hours to close) of every known category."""

    @classmethod
    def from_store(cls, store: Store) -> Catalog:
        """Read ``list_categories`` and ``list_departments``."""
        cats = store.fetch("list_categories")
        deps = store.fetch("list_departments")
        return cls(
            categories=_lookup(cats) if len(cats) else {},
            departments=_lookup(deps) if len(deps) else {},
            default_department=dict(zip(cats["code"].astype(str), cats["department"].astype(str), strict=True))
            if len(cats)
            else {},
            assumed=set(cats.loc[cats["sla_assumed"].fillna(False).astype(bool), "code"].astype(str))
            if len(cats)
            else set(),
            sla_hours={
                str(c): (float(r), float(h))
                for c, r, h in zip(cats["code"], cats["sla_response_h"], cats["sla_close_h"], strict=True)
            }
            if len(cats)
            else {},
        )

    @staticmethod
    def _known(values: pl.Series, table: dict[str, str]) -> dict[str, str | None]:
        """Each distinct value -> its code (exact, then trimmed and lower-cased); None if new."""
        return {v: table.get(v) or table.get(v.strip().lower()) for v in values.unique().drop_nulls().to_list()}

    def _codes(self, values: pl.Series, table: dict[str, str]) -> tuple[pl.Series, list[str]]:
        known = self._known(values, table)
        new = [v for v, code in known.items() if code is None]
        return values.replace({v: code or v for v, code in known.items()}), new

    def _default_department(self, category: pl.Series) -> pl.Series:
        return category.replace_strict(self.default_department, default=None, return_dtype=pl.String)

    def known_codes(self, rows: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
        """``(category, department)`` codes :meth:`apply` would give ``rows`` without creating
        anything: null where a value is not known yet (a new entry), the department filled
        from the category's default where the row has none, as :meth:`apply` fills it."""

        def known(values: pl.Series, table: dict[str, str]) -> pl.Series:
            return values.replace_strict(self._known(values, table), default=None, return_dtype=pl.String)

        null = pl.Series([None] * rows.height, dtype=pl.String)
        category = known(rows.get_column("category"), self.categories) if "category" in rows.columns else null
        default = self._default_department(category)
        if "department" in rows.columns:
            given = rows.get_column("department")
            department = known(given, self.departments)
            unknown = given.is_not_null() & department.is_null()  # a new department: not known
            department = department.fill_null(default)
            category = category.zip_with(~unknown, null)
        else:
            department = default
        return category.alias("category"), department.alias("department")

    def apply(self, store: Store, good: pl.DataFrame, report) -> pl.DataFrame:
        """Replace category/department values by codes, creating the new ones in ``store``.

        Returns ``good`` with ``category`` and ``department`` as codes (department filled
        from the category's default where the row has none); ``*_name`` columns dropped.
        """
        if "department" in good.columns:
            dep_codes, new_deps = self._codes(good.get_column("department"), self.departments)
            good = good.with_columns(dep_codes.alias("department"))
        else:
            new_deps = []
            good = good.with_columns(pl.lit(None, dtype=pl.String).alias("department"))
        cat_codes, new_cats = self._codes(good.get_column("category"), self.categories)
        good = good.with_columns(cat_codes.alias("category"))
        dep_rows = []
        if new_deps:
            names = _names(good, "department", "department_name", new_deps)
            dep_rows = [(c, names.get(c, c), names.get(c, c)) for c in new_deps]
        cat_rows = []
        if new_cats:
            names = _names(good, "category", "category_name", new_cats)
            top = (
                good.filter(pl.col("category").is_in(new_cats) & pl.col("department").is_not_null())
                .group_by("category", "department")
                .len()
                .sort(["category", "len", "department"], descending=[False, True, False])
                .unique("category", keep="first")
            )
            top_dep = dict(
                zip(top.get_column("category").to_list(), top.get_column("department").to_list(), strict=True)
            )
            for c in new_cats:
                dep = top_dep.get(c)
                if dep is None:
                    dep = UNASSIGNED[0]
                    if UNASSIGNED[0] not in self.departments and UNASSIGNED not in dep_rows:
                        dep_rows.append(UNASSIGNED)
                cat_rows.append((c, names.get(c, c), names.get(c, c), dep))
        if dep_rows:
            store.upsert_frame(
                "departments", pd.DataFrame(dep_rows, columns=["code", "name_zh", "name_en"]), ["code"], update=False
            )
            for code, *_ in dep_rows:
                self.departments[code] = code
            report.new_departments += [d[0] for d in dep_rows]
        if cat_rows:
            frame = pd.DataFrame(cat_rows, columns=["code", "name_zh", "name_en", "department"])
            response_h, close_h = DEFAULT_SLA_HOURS
            store.upsert_frame(
                "categories",
                frame.assign(sla_response_h=response_h, sla_close_h=close_h, sla_assumed=True),
                ["code"],
                update=False,
            )
            for code, _, _, dep in cat_rows:
                self.categories[code] = code
                self.default_department[code] = dep
                self.assumed.add(code)
                self.sla_hours[code] = (float(response_h), float(close_h))
            report.new_categories += [c[0] for c in cat_rows]
        if self.assumed:
            assumed = good.get_column("category").filter(good.get_column("category").is_in(list(self.assumed)))
            for code, n in assumed.value_counts().iter_rows():
                report.assumed_sla[code] += n
        good = good.with_columns(pl.col("department").fill_null(self._default_department(good.get_column("category"))))
        return good.drop([c for c in ("category_name", "department_name") if c in good.columns])


def with_deadlines(good: pl.DataFrame, sla_hours: dict[str, tuple[float, float]]) -> pl.DataFrame:
    """``good`` with ``respond_due_at`` / ``close_due_at``: ``reported_at`` plus its category's
    SLA hours, as ``refresh_event_deadlines`` computes them (microseconds rounded); null for a
    category without SLA. Stored with the rows, so the import's closing refresh finds nothing
    to rewrite (a rounding difference would still be corrected by it)."""
    cats = good.get_column("category")
    out = []
    for i, name in enumerate(("respond_due_at", "close_due_at")):
        us = {c: round(h[i] * 3_600_000_000) for c, h in sla_hours.items()}
        micros = cats.replace_strict(us, default=None, return_dtype=pl.Int64)
        out.append((pl.col("reported_at") + pl.duration(microseconds=pl.lit(micros))).alias(name))
    return good.with_columns(out)


def _names(good: pl.DataFrame, code_col: str, name_col: str, codes: list[str]) -> dict[str, str]:
    """First non-empty name given for each new code (empty when the mapping has no name column)."""
    if name_col not in good.columns:
        return {}
    sub = good.filter(pl.col(code_col).is_in(codes) & pl.col(name_col).is_not_null()).unique(code_col, keep="first")
    return dict(zip(sub.get_column(code_col).to_list(), sub.get_column(name_col).to_list(), strict=True))


__all__ = ["UNASSIGNED", "Catalog", "with_deadlines"]
