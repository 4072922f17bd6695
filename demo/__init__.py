"""The demo hub: a real Home Assistant with a complete charging hub, as a new user meets the product.

``./scripts/demo`` runs ``python -m demo``. The launcher (``demo.launcher``) is shared with the EMS
latency benchmark.
"""
