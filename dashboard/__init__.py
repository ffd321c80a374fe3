"""The Streamlit dashboard: pages (a render() each), the page kit, layers, charts, zh/en strings."""
