"""The standalone community aggregator: ``python -m custom_components.ssch.vpp --broker mqtt://HOST:PORT``.

It listens to the community's members, prints a JSON status line every ``--report-every`` seconds and,
with ``--request``, splits one community request (``up:KW:MINUTES[:MAX_PRICE]``) among them. The
community key is read from ``--key-file`` or the ``SSCH_COMMUNITY_KEY`` environment variable, broker
credentials from ``SSCH_MQTT_USERNAME`` / ``SSCH_MQTT_PASSWORD``: never from the command line.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
import json
import logging
import os
from pathlib import Path
import sys
import time
from typing import TextIO

from .aggregator import Aggregator, AggregatorSettings
from .messages import Direction
from .paho_link import BrokerAddress, PahoLink
from .protocol import MIN_KEY_LENGTH
from .topics import DEFAULT_AGGREGATOR_ID, DEFAULT_PREFIX, prefix_is_valid, segment_is_valid


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m custom_components.ssch.vpp", description=__doc__.split("\n")[0]
    )
    p.add_argument("--broker", required=True, help="mqtt://HOST:PORT or mqtts://HOST:PORT")
    p.add_argument("--community", required=True, help="the community id (one topic level)")
    p.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"topic prefix (default {DEFAULT_PREFIX})")
    p.add_argument("--key-file", type=Path, help="file holding the shared community key")
    p.add_argument("--aggregator-id", default=DEFAULT_AGGREGATOR_ID, help="the sender id members trust")
    p.add_argument("--cafile", help="CA bundle for mqtts://")
    p.add_argument("--answer-timeout", type=float, default=10.0, help="seconds a member has to answer")
    p.add_argument(
        "--offline-grace",
        type=float,
        default=20.0,
        help="seconds before an offline member's part is re-split",
    )
    p.add_argument("--settle", type=float, default=3.0, help="seconds to collect envelopes before a request")
    p.add_argument("--request", help="DIRECTION:KW:MINUTES[:MAX_PRICE_PER_KWH], e.g. down:25:30:0.4")
    p.add_argument("--report-every", type=float, default=30.0, help="seconds between status lines")
    p.add_argument(
        "--run-for", type=float, default=0.0, help="stop after this many seconds (0: run until stopped)"
    )
    return p


def community_key(path: Path | None) -> bytes:
    """The key from the file, else from the environment; refused if short."""
    key = path.read_text().strip() if path is not None else os.environ.get("SSCH_COMMUNITY_KEY", "")
    if len(key) < MIN_KEY_LENGTH:
        raise SystemExit(
            f"the community key needs at least {MIN_KEY_LENGTH} characters (--key-file or SSCH_COMMUNITY_KEY)"
        )
    return key.encode()


def parse_request(text: str) -> tuple[Direction, float, float, float]:
    """(direction, kW, minutes, max price) from ``DIRECTION:KW:MINUTES[:MAX_PRICE]``."""
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise SystemExit("--request is DIRECTION:KW:MINUTES[:MAX_PRICE_PER_KWH]")
    try:
        direction = Direction(parts[0])
        kw, minutes = float(parts[1]), float(parts[2])
        price = float(parts[3]) if len(parts) == 4 else float("inf")
    except ValueError as err:
        raise SystemExit(f"--request: {err}") from err
    if kw <= 0 or minutes <= 0:
        raise SystemExit("--request: kW and minutes must be positive")
    return direction, kw, minutes, price


def status(aggregator: Aggregator) -> dict[str, object]:
    """One JSON-ready status line: the community now and every member's deliveries."""
    return {
        "ts": round(time.time(), 3),
        **{k: round(v, 3) for k, v in asdict(aggregator.flexibility()).items()},
        "committed_kw": round(aggregator.committed_kw(), 3),
        "members": {m: asdict(r) for m, r in aggregator.members_report().items()},
        "refused": {str(k): v for k, v in aggregator.refusals.counts.items()},
    }


async def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Connect, aggregate, optionally request, report; returns the exit code."""
    if not segment_is_valid(args.community) or not prefix_is_valid(args.prefix):
        raise SystemExit("--community is one topic level and --prefix a few, without wildcards")
    key = community_key(args.key_file)
    request = parse_request(args.request) if args.request else None
    settings = AggregatorSettings(
        args.community,
        args.prefix,
        key,
        args.aggregator_id,
        args.answer_timeout,
        offline_grace_s=args.offline_grace,
    )
    link: PahoLink | None = None

    async def publish(topic: str, payload: str, retain: bool) -> None:
        assert link is not None
        await link.publish(topic, payload, retain)

    aggregator = Aggregator(settings, publish)
    link = PahoLink(
        BrokerAddress.parse(args.broker),
        f"ssch-aggregator-{args.community}",
        aggregator.handle,
        username=os.environ.get("SSCH_MQTT_USERNAME"),
        password=os.environ.get("SSCH_MQTT_PASSWORD"),
        cafile=args.cafile,
    )
    await link.start(aggregator.subscriptions)
    started = time.monotonic()
    try:
        if request is not None:
            await asyncio.sleep(args.settle)
            direction, kw, minutes, price = request
            now = time.time()
            order = await aggregator.request(direction, kw, now, now + minutes * 60.0, price)
            print(json.dumps({"order": order.summary()}), file=out, flush=True)
        next_report = time.monotonic()
        while args.run_for <= 0 or time.monotonic() - started < args.run_for:
            aggregator.check()
            if time.monotonic() >= next_report:
                print(json.dumps(status(aggregator)), file=out, flush=True)
                next_report += args.report_every
            await asyncio.sleep(1.0)
        await aggregator.drain()
        print(json.dumps(status(aggregator)), file=out, flush=True)
    finally:
        aggregator.stop()
        await link.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m custom_components.ssch.vpp``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0
