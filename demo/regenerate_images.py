"""Regenerate the README's screenshots: start the demo, let it run a while, photograph it, stop it.

.venv/bin/python -m demo.regenerate_images [--warm-up 900] [--speed 60]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile

from demo.ports import free_port
from demo.screenshots import IMAGES, capture
from demo.settings import ROOT


async def regenerate(warm_up_s: float, speed: float) -> None:
    """Run the demo on free ports in a temporary configuration and capture every README image."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ssch-demo-") as folder:
        demo = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "demo", "--config", folder, "--port", str(port)),
            *("--ocpp-port", str(free_port()), "--speed", str(speed)),
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert demo.stdout is not None
        password = ""
        try:
            async for raw in demo.stdout:
                line = raw.decode().strip()
                if line.startswith("Password:"):
                    password = line.split()[1]
                if "Press Ctrl-C" in line:
                    break
            if not password:
                raise SystemExit("the demo did not start")
            print(f"Demo running; taking the screenshots in {warm_up_s:g} s ...", flush=True)
            await asyncio.sleep(warm_up_s)
            rendered = await capture(f"http://127.0.0.1:{port}", password, 14, IMAGES)
            print(f"{len(rendered.cards)} cards rendered; images in {IMAGES}", flush=True)
        finally:
            demo.send_signal(signal.SIGINT)
            await demo.communicate()


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warm-up", type=float, default=900.0, help="seconds the demo runs before the shots")
    parser.add_argument("--speed", type=float, default=60.0, help="the demo's time speed")
    args = parser.parse_args(argv)
    asyncio.run(regenerate(args.warm_up, args.speed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
