"""User text shown on a page: escaped for Markdown, or for HTML, before it is rendered.

Streamlit renders Markdown in ``st.markdown``/``st.caption``/``st.title``…, alerts
(``st.info``/``warning``/``error``/``success``), metric labels and values, widget and
button labels, radio and segmented-control options, tab and expander labels and
``help`` tooltips; an imported name like ``![t](http://host/track.png)`` there would be
an image that every viewer's browser fetches. Every name, id, file name, column name or
error text that came from data goes through :func:`md` in those places, and through
:func:`html_text` where it lands in HTML (pydeck tooltips, plotly labels).

Selectbox and multiselect options and dataframe cells are plain text: they take the raw
string (an escape there would show its backslashes).
"""

from __future__ import annotations

import html
import re

import pandas as pd

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and every
inline construct (links, images, emphasis, code, HTML, entities, autolinks, Streamlit's
``:color[...]`` and ``$math$``) begins with one."""

_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")


def md(text: object) -> str:
    r"""``text`` as literal Markdown: ASCII punctuation backslash-escaped, line breaks as spaces.

    >>> print(md("![t](http://h/t.png)"))
    \!\[t\]\(http\:\/\/h\/t\.png\)
    >>> print(md("**社区**\n# 1"))
    \*\*社区\*\* \# 1
    """
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def html_text(text: object) -> str:
    """``text`` for HTML element content (pydeck tooltips, plotly labels): ``&``, ``<``, ``>``
    as entities (plotly decodes these three; quotes are harmless outside attributes)."""
    return html.escape(str(text), quote=False)


def html_series(values: pd.Series) -> pd.Series:
    """:func:`html_text` of every value of ``values`` (for tooltip columns)."""
    return values.astype(str).map(html_text)
