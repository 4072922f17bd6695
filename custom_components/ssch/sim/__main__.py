"""Entry point: ``python -m custom_components.ssch.sim --url ws://127.0.0.1:9000 --version 1.6``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
