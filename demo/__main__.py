"""``python -m demo``: start the demo hub (see ``./scripts/demo --help``)."""

from __future__ import annotations

import asyncio
import sys

from demo.app import main
from demo.cli import parse_args

if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
