"""GridScope's public app (公开透明): ``streamlit run public_app.py`` or ``scripts/public.sh``.

Reads only the published layer (``GRIDSCOPE_PUBLIC_DB`` or ``GRIDSCOPE_PUBLIC_DSN``).
"""

from dashboard.public.app import main

main()
