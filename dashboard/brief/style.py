"""The brief's stylesheet: an A4 bulletin in print (WeasyPrint) and a readable page on screen."""

from __future__ import annotations

from html import escape

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Sans", sans-serif'


def _css_string(text: str) -> str:
    r"""``text`` as a CSS string literal: every character but letters, digits and spaces as a
    CSS escape (``\\3c ``), so no name can end the string or the ``<style>`` element.

    >>> _css_string('a"</style>')
    '"a\\22 \\3c \\2f style\\3e "'
    """
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def stylesheet(footer: str) -> str:
    """The CSS of the brief; ``footer`` is printed at the bottom of every page with the page number."""
    return f"""
@page {{
  size: A4;
  margin: 15mm 14mm 16mm 14mm;
  @bottom-left {{ content: {_css_string(footer)}; font-size: 7.5pt; color: #6b7785; }}
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 7.5pt; color: #6b7785; }}
}}
html {{ font-family: {FONT_STACK}; font-size: 9.5pt; color: #1d2733; line-height: 1.45; }}
body {{ margin: 0 auto; max-width: 190mm; }}
header.masthead {{ border-bottom: 2.5pt solid #b3261e; padding-bottom: 3mm; margin-bottom: 4mm; }}
.org {{ color: #b3261e; font-size: 9pt; letter-spacing: 0.08em; }}
h1 {{ font-size: 21pt; margin: 1mm 0 1mm 0; letter-spacing: 0.04em; }}
.period {{ font-size: 11pt; font-weight: bold; }}
.asof {{ color: #56606b; font-size: 8.5pt; }}
h2 {{ font-size: 12.5pt; color: #8c1d18; border-left: 3pt solid #b3261e; padding-left: 2mm;
      margin: 6mm 0 2.5mm 0; break-after: avoid; }}
h3 {{ font-size: 10pt; margin: 3mm 0 1.5mm 0; break-after: avoid; }}
p {{ margin: 1.2mm 0; }}
.headline {{ background: #fbf3f2; border: 0.6pt solid #e8c4c0; padding: 2.5mm 3.5mm; font-size: 10.5pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 1.5mm 0 2mm 0; }}
th, td {{ border-bottom: 0.5pt solid #d5dbe1; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }}
th {{ background: #eef2f6; font-weight: bold; font-size: 8.5pt; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
tr {{ break-inside: avoid; }}
table.kpis td {{ border: 0.6pt solid #d5dbe1; width: 16.6%; padding: 2mm; vertical-align: top; }}
.kpi-label {{ color: #56606b; font-size: 8pt; }}
.kpi-value {{ font-size: 15pt; font-weight: bold; color: #1f3b5c; }}
.kpi-delta {{ font-size: 7.5pt; color: #56606b; }}
.up {{ color: #b3261e; }}
.down {{ color: #1b7f3b; }}
.two {{ display: flex; gap: 5mm; }}
.two > div {{ flex: 1 1 0; min-width: 0; }}
img.chart {{ max-width: 100%; }}
.wide-chart img.chart {{ width: 120mm; }}
img.map {{ width: 100%; }}
.thumbs {{ display: flex; flex-wrap: wrap; gap: 2mm; }}
.thumbs img {{ width: 28mm; }}
.note {{ color: #56606b; font-size: 8.5pt; }}
.empty {{ color: #56606b; font-style: italic; border: 0.6pt dashed #c4ccd4; padding: 2mm 3mm; }}
section {{ break-inside: auto; }}
.keep {{ break-inside: avoid; }}
footer.notes {{ margin-top: 6mm; border-top: 0.8pt solid #c4ccd4; padding-top: 2mm; font-size: 7.8pt;
               color: #3e4954; }}
footer.notes li {{ margin: 0.6mm 0; }}
@media screen {{ body {{ padding: 12mm; }} }}
"""


def page(lang: str, title: str, css: str, body: str) -> str:
    """A whole HTML document (``title`` is escaped here; ``body`` must already be escaped HTML)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
