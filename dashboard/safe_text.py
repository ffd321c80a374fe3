"""User text shown on a page: escaped for Markdown, or for HTML, before it is rendered.

Streamlit renders Markdown in ``st.markdown``/``st.caption``/``st.title``…, alerts
(``st.info``/``warning``/``error``/``success``), metric labels and values, widget and
button labels, radio and segmented-control options, tab and expander labels and
``help`` tooltips; an imported name like ``![t](http://host/track.png)`` there would be
an image that every viewer's browser fetches. Every name, id, file name, column name or
error text that came from data goes through :func:`md` in those places, and through
:func:`html_text` where plotly draws it (plotly renders ``<a href>``, ``<b>``… in labels).

Map tooltips need nothing: Streamlit HTML-escapes every ``{field}`` value it puts into a
pydeck ``html`` tooltip (1.67, ``DeckGlJsonChart``), so user values must only ever reach a
tooltip as such a field, never inside the template itself.

Selectbox and multiselect options and dataframe cells are plain text: they take the raw
string (an escape there would show its backslashes).
"""

from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and every
inline construct (links, images, emphasis, code, HTML, entities, autolinks, Streamlit's
``:color[...]`` and ``$math$``) begins with one."""

_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")

_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=[:.])|@")
"""Where GFM's literal autolinks begin (``http://``, ``www.``, ``user@host.tld``): GitHub's
and Streamlit's parsers find them in the text *after* backslash escapes are resolved, so an
escape does not stop them; an invisible word joiner after the scheme (or ``@``) does."""

WORD_JOINER = "\u2060"
"""U+2060: no width, no line break; splits ``http`` from ``://`` for the autolink finder."""


def md(text: object) -> str:
    r"""``text`` as literal Markdown: ASCII punctuation backslash-escaped, line breaks as
    spaces, and a :data:`WORD_JOINER` where a bare URL or e-mail address would become a link.

    >>> print(md("![t](http://h/t.png)").replace(WORD_JOINER, "<WJ>"))
    \!\[t\]\(http<WJ>\:\/\/h\/t\.png\)
    >>> print(md("**社区**\n# 1"))
    \*\*社区\*\* \# 1
    """
    text = _AUTOLINK.sub(lambda m: m.group() + WORD_JOINER, _LINE_BREAKS.sub(" ", str(text)))
    return _PUNCTUATION.sub(r"\\\1", text)


def html_text(text: object) -> str:
    """``text`` for plotly labels, names and titles: ``&``, ``<``, ``>`` as entities (plotly
    decodes these three; quotes are harmless outside attributes)."""
    return html.escape(str(text), quote=False)
