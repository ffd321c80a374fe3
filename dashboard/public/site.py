"""The static site (``gridscope publish --site DIR``): the public app's figures as plain files.

``write_site(public_db_path, out_dir)`` writes ``index.html`` (Chinese) and ``en.html``
(English), each one self-contained (inline CSS, JS and SVG; no request outside the folder,
no CDN, no web font), and the open-data downloads in ``data/`` (CSV, GeoJSON and the data
dictionary of :func:`data.publish.opendata.write_open_data`). Figures come from the same
services and the same words as the app, so both say the same. 关怀模式 is one button (larger
text and targets, remembered in the address ``?elder=1``); without JavaScript the page is
complete at the normal size. Tracking needs the server: the site says where to look it up.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from dashboard.public.figures import (
    area_headers,
    area_rows,
    bars_html,
    category_headers,
    category_rows,
    count_classes,
    legend_items_html,
    period_headers,
    period_rows,
    table_html,
    trend_periods,
    trend_title,
)
from dashboard.public.maps import svg_map
from dashboard.public.overview import kpis_html, privacy_html
from dashboard.public.style import ACCENT, TEXT, common_css, sizes
from dashboard.public.text import (
    date_text,
    district_name,
    month_text,
    summary_sentence,
    tr,
    unit_name,
)
from queries.answers import public as answers
from queries.published import DuckDBPublished, PublishedLayer

PAGES = {"zh": "index.html", "en": "en.html"}
"""One page per language."""

_SCRIPT = """
(function () {
  var btn = document.getElementById('pub-elder');
  var normal = document.getElementById('css-normal'), elder = document.getElementById('css-elder');
  function wanted() {
    var q = new URLSearchParams(location.search);
    if (q.has('elder')) return q.get('elder') === '1';
    try { return localStorage.getItem('gridscope-elder') === '1'; } catch (e) { return false; }
  }
  function apply(on) {
    elder.media = on ? 'all' : 'not all';
    normal.media = on ? 'not all' : 'all';
    btn.setAttribute('aria-pressed', on ? 'true' : 'false');
    document.querySelectorAll('a[data-page]').forEach(function (a) {
      a.setAttribute('href', a.getAttribute('data-page') + (on ? '?elder=1' : ''));
    });
    try { localStorage.setItem('gridscope-elder', on ? '1' : '0'); } catch (e) {}
    try {
      var u = new URL(location.href);
      if (on) { u.searchParams.set('elder', '1'); } else { u.searchParams.delete('elder'); }
      history.replaceState(null, '', u.href);
    } catch (e) {}
  }
  btn.hidden = false;
  apply(wanted());
  btn.addEventListener('click', function () { apply(btn.getAttribute('aria-pressed') !== 'true'); });
})();
"""


def _page_css(elder: bool) -> str:
    font, target = sizes(elder)
    return common_css(elder) + (
        f"body {{ margin: 0; background: #fff; color: {TEXT}; font-size: {font}px; line-height: 1.6;"
        ' font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }\n'
        ".pub-page { max-width: 820px; margin: 0 auto; padding: 16px; box-sizing: border-box; }\n"
        f"h1 {{ font-size: {round(font * 1.6)}px; line-height: 1.3; margin: 0.3em 0; }}\n"
        f"h2 {{ font-size: {round(font * 1.35)}px; line-height: 1.3; margin: 1.2em 0 0.4em; }}\n"
        ".pub-controls { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.6em 0 1em; }\n"
        f".pub-skip {{ position: absolute; left: -9999px; }} .pub-skip:focus {{ left: 8px; top: 8px; background: #fff;"
        f" padding: 8px; border: 2px solid {ACCENT}; }}\n"
        ".pub-svg-map { display: block; width: 100%; height: auto; max-height: 70vh; }\n"
        f".pub-svg-label {{ font-size: {18 if not elder else 22}px; font-weight: 600; fill: #111;"
        " paint-order: stroke; stroke: #fff; stroke-width: 3px; }\n"
        ".pub-downloads li { margin-bottom: 0.4em; }\n"
        f"details summary {{ cursor: pointer; min-height: {target}px; color: {ACCENT}; }}\n"
        "details summary h2 { display: inline; }\n"
        f".pub-downloads a {{ display: inline-flex; align-items: center; min-height: {target}px; }}\n"
        "a:focus-visible, button:focus-visible { outline: 3px solid #c05600; outline-offset: 2px; }\n"
    )


def _map_section(layer: PublishedLayer, meta: answers.PublicMeta, lang: str, level: str, month: str) -> str:
    frame = answers.area_figures(layer, level, month)
    classes = count_classes(frame["received"])
    level_word = tr(f"pub_level_{level}", lang)
    heading = tr("pub_map_title", lang, level=level_word, period=month_text(month, lang))
    alt = tr("pub_map_alt", lang, level=level_word)
    parents = None
    if level == "community":
        streets = answers.units(layer, "street")
        parents = {str(r["unit_id"]): unit_name(r, lang) for _, r in streets.iterrows()}
    title = tr("pub_table_title", lang, level=level_word, period=month_text(month, lang))
    withheld = bool(frame["received"].isna().any())
    return (
        f"<section><h2>{html.escape(heading)}</h2>"
        f"{svg_map(frame, classes, lang, title=alt, labels=level == 'street')}"
        f'<p class="pub-muted">{html.escape(alt)}</p>'
        f"{legend_items_html(classes, meta, lang, any_withheld=withheld)}"
        + (f"<details><summary><h2>{html.escape(title)}</h2></summary>" if level == "community" else "")
        + (f"<h2>{html.escape(title)}</h2>" if level != "community" else "")
        + table_html(
            area_headers(lang, with_parent=parents is not None),
            area_rows(frame, meta, lang, with_parent=parents),
            testid=f"pub-area-table-{level}",
            lang=lang,
        )
        + ("</details>" if level == "community" else "")
        + "</section>"
    )


def _weeks_section(layer: PublishedLayer, meta: answers.PublicMeta, lang: str) -> str:
    """The latest week's sentence, the weekly trend and its table ("" when no week is published)."""
    summary = answers.period_summary(layer, "week")
    if summary is None:
        return ""
    weeks = trend_periods(answers.district_periods(layer, "week"), "week")
    title = trend_title("week", lang)
    return (
        f'<section><h2>{html.escape(title)}</h2><p class="pub-sentence" data-testid="pub-week-sentence">'
        f"{html.escape(summary_sentence(summary, meta, lang))}</p>{bars_html(weeks, meta, lang, 'week')}"
        + table_html(
            period_headers(lang, "week"), period_rows(weeks, meta, lang, "week"), testid="pub-week-table", lang=lang
        )
        + "</section>"
    )


def _downloads(files: list[Path], out_dir: Path, lang: str) -> str:
    if not files:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(p.relative_to(out_dir).as_posix())}">{html.escape(p.name)}</a></li>'
        for p in sorted(files)
    )
    title, intro = tr("pub_site_downloads", lang), tr("pub_site_downloads_intro", lang)
    return (
        f'<section class="pub-downloads"><h2>{html.escape(title)}</h2><p>{html.escape(intro)}</p>'
        f"<ul>{items}</ul></section>"
    )


def page_html(layer: PublishedLayer, lang: str, downloads: str, made_on: date) -> str:
    """One language's page of the static site."""
    meta = answers.published_meta(layer)
    summary = answers.month_summary(layer)
    district = district_name(meta, lang)
    esc = html.escape
    other = "en" if lang == "zh" else "zh"
    parts = [
        f"<h1>{esc(tr('pub_app_title', lang, district=district))}</h1>",
    ]
    if meta.through_date is not None:
        through = tr("pub_data_through", lang, date=date_text(meta.through_date, lang), lag=meta.lag_days)
        parts.append(f'<p class="pub-muted" data-testid="pub-through">{esc(through)}</p>')
    parts.append(
        '<div class="pub-controls">'
        f'<a class="pub-button" href="{PAGES[other]}" data-page="{PAGES[other]}"'
        f' lang="{"en" if other == "en" else "zh-CN"}"'
        f' data-testid="pub-lang">{esc(tr("pub_lang_switch", lang))}</a>'
        f'<button type="button" class="pub-button" id="pub-elder" aria-pressed="false" hidden>'
        f"{esc(tr('pub_elder_toggle', lang))}</button></div>"
    )
    body = []
    if summary is None:
        body.append(f"<p>{esc(tr('pub_no_data', lang))}</p>")
    else:
        month = summary.label
        body.append(
            f'<p class="pub-sentence" data-testid="pub-sentence">{esc(summary_sentence(summary, meta, lang))}</p>'
        )
        body.append(kpis_html(summary, meta, lang))
        if meta.rounding_base:
            body.append(f"<p>{esc(tr('pub_rounded_note', lang, base=meta.rounding_base))}</p>")
        for level in answers.LEVELS:
            body.append(_map_section(layer, meta, lang, level, month))
        months = answers.district_months(layer)
        title = trend_title("month", lang)
        body.append(
            f"<section><h2>{esc(title)}</h2>{bars_html(months, meta, lang)}"
            + table_html(period_headers(lang), period_rows(months, meta, lang), testid="pub-month-table", lang=lang)
            + "</section>"
        )
        body.append(_weeks_section(layer, meta, lang))
        categories = answers.category_figures(layer, month)
        if len(categories):
            title = tr("pub_categories_title", lang, period=month_text(month, lang))
            body.append(
                f"<section><h2>{esc(title)}</h2>"
                + table_html(
                    category_headers(lang),
                    category_rows(categories, meta, lang),
                    testid="pub-category-table",
                    lang=lang,
                )
                + "</section>"
            )
    body.append(privacy_html(meta, answers.sensitive_groups(layer), lang))
    body.append(
        f'<section><h2>{esc(tr("pub_track_title", lang))}</h2><p data-testid="pub-track-static">'
        f"{esc(tr('pub_track_static', lang))}</p></section>"
    )
    body.append(downloads)
    footer = esc(tr("pub_site_generated", lang, date=date_text(made_on, lang)))
    html_lang = "en" if lang == "en" else "zh-CN"
    return (
        f'<!doctype html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{esc(tr('pub_app_title', lang, district=district))}</title>"
        f'<style id="css-normal">{_page_css(False)}</style>'
        f'<style id="css-elder" media="not all">{_page_css(True)}</style></head>'
        f'<body><a class="pub-skip" href="#main">{esc(tr("pub_skip_link", lang))}</a>'
        f'<div class="pub-page pub-root"><header>{"".join(parts)}</header>'
        f'<main id="main">{"".join(body)}</main>'
        f'<footer><p class="pub-muted">{footer}</p></footer></div>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def write_site(public_db_path: Path | str, out_dir: Path | str) -> list[Path]:
    """Write the static site of the published DuckDB file ``public_db_path`` into ``out_dir``:
    the two pages and the open-data files in ``data/``; return the pages."""
    from data.publish.opendata import write_open_data

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [Path(p) for p in write_open_data(public_db_path, out / "data")]
    layer = DuckDBPublished(public_db_path)
    try:
        stamp = answers.published_meta(layer).published_at[:10]
        try:
            made_on = date.fromisoformat(stamp)
        except ValueError:
            made_on = date.today()
        pages = []
        for lang, name in PAGES.items():
            path = out / name
            path.write_text(page_html(layer, lang, _downloads(files, out, lang), made_on), encoding="utf-8")
            pages.append(path)
    finally:
        layer.close()
    return pages
