"""Dashboard pages, registered in streamlit_app.py."""
