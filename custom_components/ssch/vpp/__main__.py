"""``python -m custom_components.ssch.vpp``: the standalone community aggregator (see ``cli``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
