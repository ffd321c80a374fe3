"""The public side (issue 12): the citizens' app and the static site over the published layer only.

Nothing here imports the internal pages, the page kit that reads the internal store
(``dashboard.components``, ``dashboard.state``) or a store's write paths
(``tests/public/test_public_layers.py`` checks).
"""
