"""Public app, published-layer reader, static site (issue 12)."""
