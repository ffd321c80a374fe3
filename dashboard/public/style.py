"""The public side's look: large text, large tap targets, high contrast; 关怀模式 larger still.

``COMMON_CSS`` styles the shared HTML pieces (tables, key, figures) in the app and the
static site; :func:`app_css` adds what Streamlit's own widgets need. Sizes follow MIIT's 2021
ageing-friendly rules and WCAG 2.2 AA: body text ≥ 18 px (≥ 22 px in elder mode), tap targets
≥ 44 px (≥ 60 px), text contrast ≥ 4.5:1 (the darkest grey used on white is #4a4a4a, 8.9:1).
"""

from __future__ import annotations

from dashboard.public.figures import BAR_COLOUR, WITHHELD_FILL, WITHHELD_STRIPE

TEXT = "#1a1a1a"
MUTED = "#4a4a4a"
ACCENT = "#0b4f8a"
"""Body text, secondary text and links/buttons (all ≥ 7:1 on white)."""


def sizes(elder: bool) -> tuple[int, int]:
    """Body text size and minimum tap target in pixels."""
    return (22, 60) if elder else (18, 44)


def common_css(elder: bool) -> str:
    """CSS of the shared HTML pieces (tables turn into cards below 600 px)."""
    font, target = sizes(elder)
    return f"""
.pub-root, .pub-root * {{ box-sizing: border-box; }}
.pub-root {{ font-size: {font}px; line-height: 1.6; color: {TEXT}; overflow-wrap: anywhere; }}
.pub-sentence {{ font-size: {round(font * 1.3)}px; line-height: 1.5; font-weight: 600; margin: 0.4em 0 0.6em; }}
.pub-muted {{ color: {MUTED}; font-size: {font}px; }}
.pub-kpis {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 0.5em 0 1em !important; padding: 0 !important;
  list-style: none; }}
.pub-kpis li {{ margin: 0 !important; flex: 1 1 180px; border: 2px solid #8a8a8a; border-radius: 8px;
  padding: 10px 14px; }}
.pub-kpi-label {{ display: block; font-size: {font}px; color: {MUTED}; }}
.pub-kpi-value {{ display: block; font-size: {round(font * 1.8)}px; font-weight: 700;
  line-height: 1.25; color: {TEXT}; }}
.pub-kpi-change {{ display: block; font-size: {font}px; color: {TEXT}; }}
.pub-table {{ width: 100%; border-collapse: collapse; font-size: {font}px; margin: 0.3em 0 1em; color: {TEXT}; }}
.pub-table caption {{ text-align: left; font-weight: 600; padding-bottom: 0.3em; }}
.pub-table th, .pub-table td {{ border-bottom: 1px solid #8a8a8a; padding: 8px 6px;
  text-align: left; vertical-align: top; }}
.pub-table thead th {{ border-bottom: 2px solid {TEXT}; }}
.pub-table td {{ font-variant-numeric: tabular-nums; }}
@media (max-width: 600px) {{
  .pub-table thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  .pub-table, .pub-table tbody, .pub-table tr, .pub-table th, .pub-table td {{ display: block; width: 100%; }}
  .pub-table tr {{ border: 2px solid #8a8a8a; border-radius: 8px; margin-bottom: 10px; padding: 4px 10px; }}
  .pub-table th, .pub-table td {{ border: none; padding: 3px 0; }}
  .pub-table tbody th {{ font-weight: 700; }}
  .pub-table td::before {{ content: attr(data-label); color: {MUTED}; padding-right: 0.25em; }}
}}
.pub-legend ul {{ list-style: none; padding: 0; margin: 0.3em 0 1em; display: flex; flex-wrap: wrap; gap: 6px 18px; }}
.pub-legend li {{ display: flex; align-items: center; gap: 8px; font-size: {font}px; }}
.pub-swatch {{ display: inline-block; flex: none; width: 28px; height: 22px; border: 1px solid #333; }}
.pub-swatch-withheld {{ background: repeating-linear-gradient(45deg, {WITHHELD_FILL} 0 5px,
  {WITHHELD_STRIPE} 5px 7px); }}
.pub-bars {{ list-style: none; padding: 0 !important; margin: 0.3em 0 1em !important; font-size: {font}px; }}
.pub-bars li {{ display: grid; grid-template-columns: 6.8em 1fr 4.6em; gap: 10px; align-items: center;
  margin: 0 !important; padding: 3px 0; border-bottom: 1px solid #d0d0d0; }}
.pub-bar-track {{ display: block; min-height: 1.1em; }}
.pub-bar {{ display: block; height: 1.1em; min-width: 2px; background: {BAR_COLOUR}; }}
.pub-bar-note {{ color: {MUTED}; }}
.pub-bar-value {{ text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }}
.pub-privacy li {{ margin-bottom: 0.5em; }}
.pub-stages {{ padding-left: 1.2em; }}
.pub-stages li {{ margin-bottom: 0.3em; }}
.pub-root a, .pub-link {{ color: {ACCENT}; }}
.pub-button {{ display: inline-flex; align-items: center; justify-content: center; min-height: {target}px;
  min-width: {target}px; padding: 6px 16px; border: 2px solid {ACCENT}; border-radius: 8px; background: #fff;
  color: {ACCENT}; font-size: {font}px; font-family: inherit; font-weight: 600; text-decoration: none;
  cursor: pointer; }}
.pub-button[aria-pressed="true"] {{ background: {ACCENT}; color: #fff; }}
"""


def app_css(elder: bool) -> str:
    """:func:`common_css` plus Streamlit's widgets at the same sizes."""
    font, target = sizes(elder)
    return (
        common_css(elder)
        + f"""
html {{ font-size: {font}px; }}
[data-testid="stApp"] {{ color: {TEXT}; }}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {{
  font-size: {font}px; line-height: 1.6; }}
[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] label {{
  font-size: {font}px !important; color: {TEXT}; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 1rem; padding-left: 1rem; padding-right: 1rem; max-width: 820px; }}
.stButton button, .stFormSubmitButton button {{ min-height: {target}px; min-width: {target}px; font-size: {font}px;
  padding: 6px 16px; border: 2px solid {ACCENT}; color: {ACCENT}; background: #fff; }}
.stButton button p, .stFormSubmitButton button p {{ font-size: {font}px; font-weight: 600; }}
.stButton button, .stButton button:focus, .stButton button:active {{ background: #fff !important;
  color: {ACCENT} !important; border-color: {ACCENT} !important; }}
.stButton button:hover {{ background: #e8f0f8 !important; }}
.stButton button[kind="primary"], .stFormSubmitButton button, .stFormSubmitButton button:focus,
.stFormSubmitButton button:active {{ background: {ACCENT} !important; color: #fff !important;
  border-color: {ACCENT} !important; }}
.stButton button[kind="primary"]:hover, .stFormSubmitButton button:hover {{ background: #083d6b !important; }}
.stButton button:focus-visible, .stFormSubmitButton button:focus-visible, input:focus-visible {{
  outline: 3px solid #c05600; outline-offset: 2px; }}
[data-testid="stTextInput"] input {{ min-height: {target}px; font-size: {font}px; color: {TEXT}; }}
[data-testid="stTextInput"] [data-baseweb="input"] {{ min-height: {target + 4}px; }}
[data-testid="stSelectbox"] input {{ font-size: {font}px !important; color: {TEXT}; min-height: {target}px; }}
[data-testid="stSelectbox"] [role="group"] {{ min-height: {target + 4}px; }}
[role="listbox"] [role="option"] {{ font-size: {font}px !important; min-height: {target}px; color: {TEXT}; }}
[data-testid="stRadioOption"] {{ min-height: {target}px; align-items: center; margin-right: 12px; }}
[data-testid="stRadio"] label p {{ font-size: {font}px; }}
[data-testid="stSelectbox"] div[data-baseweb="select"] > div {{ min-height: {target}px; font-size: {font}px; }}
[data-testid="stAlert"] p {{ font-size: {font}px; color: {TEXT}; }}
[data-testid="stButtonGroup"] button {{ min-height: {target}px; min-width: {target}px; padding: 6px 18px;
  border: 2px solid {ACCENT} !important; background: #fff !important; color: {ACCENT} !important; }}
[data-testid="stButtonGroup"] button[aria-checked="true"] {{ background: {ACCENT} !important;
  color: #fff !important; }}
[data-testid="stButtonGroup"] button[aria-checked="true"] p {{ color: #fff !important; }}
[data-testid="stButtonGroup"] button[aria-checked="false"] p {{ color: {ACCENT} !important; }}
[data-testid="stButtonGroup"] button p {{ font-size: {font}px; font-weight: 600; }}
h1, h2, h3 {{ color: {TEXT}; }}
h1 {{ font-size: {round(font * 1.6)}px !important; line-height: 1.3 !important; }}
h2 {{ font-size: {round(font * 1.35)}px !important; line-height: 1.3 !important; margin-top: 0.8em; }}
[data-testid="stDeckGlJsonChart"] .mapboxgl-ctrl-group button, [data-testid="stDeckGlJsonChart"]
.maplibregl-ctrl-group button {{ width: {target}px !important; height: {target}px !important; }}
[data-testid="stDeckGlJsonChart"] .mapboxgl-ctrl-group button .mapboxgl-ctrl-icon,
[data-testid="stDeckGlJsonChart"] .maplibregl-ctrl-group button .maplibregl-ctrl-icon {{
  width: 100%; height: 100%; background-size: {round(target * 0.8)}px; }}
[data-testid="stDeckGlJsonChart"] .mapboxgl-ctrl-group button:focus-visible {{ outline: 3px solid #c05600; }}
[data-testid="stHeader"] {{ display: none; }}
[data-testid="stElementToolbar"] {{ display: none; }}
"""
    )
