"""Answer services: what a page asks, answered by named queries plus geo/ statistics."""
