"""Energy community over MQTT: N member hubs, one aggregator, a real Mosquitto.

Starts Mosquitto on a free loopback port (unless ``--broker`` is given), N simulated member hubs in a
child process (the real member protocol of ``custom_components.ssch.vpp.member`` behind a simulated
plan, several hubs per MQTT connection) and the aggregator in this process. Each hub publishes its
envelope every ``--interval`` seconds. During a ``--window`` the aggregator places ``--requests``
community requests; half-way through, ``--drop`` of the hubs go offline (as an unloading hub says) and
what they held is re-split.

Reports envelopes received per second, request-to-all-commitments p50/p99, the re-split after the drop
(no lost commitment), and the aggregator's CPU and RSS (this process only: the hubs and the broker run
in their own processes).

    .venv/bin/python -m benchmarks.vpp_mqtt --hubs 1000
    .venv/bin/python -m benchmarks.vpp_mqtt --hubs 100 --window 30 --interval 10
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import ExitStack
from dataclasses import dataclass
import json
import os
from pathlib import Path
import random
import resource
import statistics
import sys
import time

from benchmarks.mosquitto import running_broker
from custom_components.ssch.vpp.aggregator import Aggregator, AggregatorSettings
from custom_components.ssch.vpp.member import MemberProtocol
from custom_components.ssch.vpp.messages import Direction
from custom_components.ssch.vpp.orders import Order
from custom_components.ssch.vpp.paho_link import BrokerAddress, PahoLink
from custom_components.ssch.vpp.simulated import SimulatedHub
from custom_components.ssch.vpp.topics import CommunitySettings, member_id_for

KEY = b"benchmark-community-key-0123456789"
COMMUNITY = "bench"
PREFIX = "ssch/community"
OUT = Path(__file__).parent / "out" / "vpp_mqtt.json"


# Member hubs (child process) ---------------------------------------------------------------------


@dataclass
class SimMember:
    """One simulated hub behind the real member protocol."""

    protocol: MemberProtocol
    hub: SimulatedHub
    dropped: bool = False


class HubGroup:
    """Several member hubs sharing one MQTT connection (N Home Assistants would each have their own)."""

    def __init__(self, broker: BrokerAddress, index: int, members: list[SimMember]) -> None:
        """Route each hub's topics to it; community-wide topics to every hub of the group."""
        self.members = {m.protocol.settings.member_id: m for m in members}
        self.link = PahoLink(broker, f"bench-hubs-{index}", self._route, on_connected=self.announce)

    async def _publish(self, topic: str, payload: str, retain: bool) -> None:
        await self.link.publish(topic, payload, retain)

    async def _route(self, topic: str, payload: bytes) -> None:
        first = next(iter(self.members.values()))
        where = first.protocol.topics.member_of(topic)
        targets = (
            [self.members[where[0]]] if where and where[0] in self.members else list(self.members.values())
        )
        for member in targets:
            if not member.dropped:
                await member.protocol.handle(topic, payload)

    async def announce(self) -> None:
        """Every live hub says it is online and publishes its envelope and state."""
        for member in self.members.values():
            if not member.dropped:
                await member.protocol.announce()

    def subscriptions(self) -> list[str]:
        """Each hub's own topics, and the community's once."""
        topics: set[str] = set()
        for member in self.members.values():
            topics.update(member.protocol.subscriptions)
        return sorted(topics)


def _members(count: int, interval_s: float, seed: int) -> list[SimMember]:
    rng = random.Random(seed)
    members = []
    for index in range(count):
        settings = CommunitySettings(
            community_id=COMMUNITY,
            topic_prefix=PREFIX,
            key=KEY,
            member_id=member_id_for(COMMUNITY, f"hub-{index}"),
            price_floor_eur_per_kwh=round(rng.uniform(0.02, 0.30), 3),
            max_kw=22.0,
            interval_s=interval_s,
        )
        hub = SimulatedHub(up_kw=round(rng.uniform(2.0, 11.0), 2), down_kw=round(rng.uniform(2.0, 11.0), 2))
        members.append(SimMember(MemberProtocol(settings, hub, _unset), hub))
    return members


async def _unset(topic: str, payload: str, retain: bool) -> None:
    raise RuntimeError("publish before the group connected")


async def run_hubs(args: argparse.Namespace) -> None:
    """The child process: connect the groups, announce, publish envelopes, obey ``drop`` on stdin."""
    broker = BrokerAddress.parse(args.broker)
    members = _members(args.hubs, args.interval, args.seed)
    groups = []
    for index in range(0, len(members), args.hubs_per_connection):
        chunk = members[index : index + args.hubs_per_connection]
        group = HubGroup(broker, index // args.hubs_per_connection, chunk)
        for member in chunk:
            member.protocol._publish = group._publish  # wired once the group exists
        groups.append(group)
    for group in groups:
        await group.link.start(group.subscriptions())
        await group.announce()
    print("ready", flush=True)

    async def publish_forever(member: SimMember, phase: float) -> None:
        await asyncio.sleep(phase)
        while not member.dropped:
            await member.protocol.publish_envelope()
            await member.protocol.publish_state()
            await asyncio.sleep(args.interval)

    rng = random.Random(args.seed + 1)
    tasks = [asyncio.create_task(publish_forever(m, rng.uniform(0, args.interval))) for m in members]
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.startswith("stop"):
            break
        if line.startswith("drop"):
            ids = set(line.split()[1:])
            for member in members:
                if member.protocol.settings.member_id in ids:
                    member.dropped = True
                    await member.protocol.go_offline()
            print("dropped", flush=True)
    for task in tasks:
        task.cancel()
    for group in groups:
        await group.link.stop()


# Aggregator (this process) -----------------------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024.0, int(fields["VmHWM"].split()[0]) / 1024.0


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_aggregator(
    args: argparse.Namespace, broker_url: str, broker_pid: int | None = None
) -> dict[str, object]:
    """Start the hubs, aggregate, request, drop, and measure."""
    hubs = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.vpp_mqtt", "--role", "hubs", "--broker", broker_url,
        "--hubs", str(args.hubs), "--interval", str(args.interval), "--seed", str(args.seed),
        "--hubs-per-connection", str(args.hubs_per_connection),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert hubs.stdin is not None
    assert hubs.stdout is not None
    link: PahoLink | None = None

    async def publish(topic: str, payload: str, retain: bool) -> None:
        assert link is not None
        await link.publish(topic, payload, retain)

    aggregator = Aggregator(
        AggregatorSettings(COMMUNITY, PREFIX, KEY, answer_timeout_s=args.answer_timeout), publish
    )
    link = PahoLink(BrokerAddress.parse(broker_url), "bench-aggregator", aggregator.handle)
    try:
        started = time.monotonic()
        assert (await hubs.stdout.readline()).strip() == b"ready"
        await link.start(aggregator.subscriptions)
        while aggregator.flexibility().members_online < args.hubs:
            await asyncio.sleep(0.1)
            if time.monotonic() - started > 120:
                raise RuntimeError(f"only {aggregator.flexibility().members_online} members online")
        setup_s = time.monotonic() - started
        flex = aggregator.flexibility()
        cpu0, wall0, env0 = _cpu_s(), time.monotonic(), aggregator.envelopes_received
        broker0 = _process_cpu_s(broker_pid) if broker_pid else 0.0
        orders: list[Order] = []
        spacing = args.window / (args.requests + 1)
        dropped: dict[str, object] = {}
        for index in range(args.requests):
            await asyncio.sleep(max(0.0, wall0 + spacing * (index + 1) - time.monotonic()))
            direction = Direction.DOWN if index % 2 == 0 else Direction.UP
            total = flex.down_kw if direction is Direction.DOWN else flex.up_kw
            now = time.time()
            orders.append(
                await aggregator.request(
                    direction, round(total * args.request_share, 1), now, now + 3600.0, 1.0
                )
            )
            if index == args.requests // 2 and args.drop > 0:
                dropped = await _drop(args, aggregator, orders, hubs)
        await asyncio.sleep(max(0.0, wall0 + args.window - time.monotonic()))
        wall, cpu = time.monotonic() - wall0, _cpu_s() - cpu0
        broker_cpu = _process_cpu_s(broker_pid) - broker0 if broker_pid else None
        latencies = [o.completed - o.received for o in orders if o.completed is not None]
        rss, peak = _rss_mb()
        per_order = [len(o.allocations) for o in orders]
        return {
            "hubs": args.hubs,
            "interval_s": args.interval,
            "window_s": round(wall, 1),
            "setup_s": round(setup_s, 1),
            "envelopes_per_s": round((aggregator.envelopes_received - env0) / wall, 1),
            "requests": len(orders),
            "member_requests_per_order_mean": round(statistics.mean(per_order), 1),
            "request_to_commitments_p50_s": round(_percentile(latencies, 0.5), 3),
            "request_to_commitments_p99_s": round(_percentile(latencies, 0.99), 3),
            "request_to_commitments_max_s": round(max(latencies), 3),
            "fully_committed_orders": sum(o.committed_kw >= o.power_kw - 0.05 for o in orders),
            "aggregator_cpu_pct_of_one_core": round(100.0 * cpu / wall, 1),
            "aggregator_rss_mb": round(rss, 1),
            "aggregator_peak_rss_mb": round(peak, 1),
            "broker_cpu_pct_of_one_core": None if broker_cpu is None else round(100.0 * broker_cpu / wall, 1),
            "drop": dropped,
            "refused_messages": sum(aggregator.refusals.counts.values()),
        }
    finally:
        hubs.stdin.write(b"stop\n")
        await hubs.stdin.drain()
        await hubs.wait()
        await link.stop()


async def _drop(
    args: argparse.Namespace, aggregator: Aggregator, orders: list[Order], hubs: asyncio.subprocess.Process
) -> dict[str, object]:
    """Take ``--drop`` of the hubs offline, preferring those that hold commitments; wait for the re-split."""
    assert hubs.stdin is not None
    assert hubs.stdout is not None
    holders = sorted({a.member_id for o in orders for a in o.allocations if a.committed_kw > 0})
    others = sorted(set(aggregator.book.members) - set(holders))
    count = round(args.hubs * args.drop)
    victims = (holders + others)[:count]
    before = [o.committed_kw for o in orders]
    held_by_victims = sum(
        a.committed_kw for o in orders for a in o.allocations if a.member_id in victims and a.committed_kw > 0
    )
    started = time.monotonic()
    hubs.stdin.write(("drop " + " ".join(victims) + "\n").encode())
    await hubs.stdin.drain()
    assert (await hubs.stdout.readline()).strip() == b"dropped"
    offline = set(victims)
    # The aggregator has no event for "heard offline": poll.
    while offline & {m.member_id for m in aggregator.book.online(time.time())}:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    await aggregator.drain()
    resplit_s = time.monotonic() - started
    # Short after the re-split: lost if other members had room left, else the community ran out.
    short = [(b - o.committed_kw, aggregator.spare_kw(o)) for b, o in zip(before, orders, strict=True)]
    lost = [kw for kw, spare in short if kw > 0.05 and spare >= 0.05]
    out_of_room = [kw for kw, spare in short if kw > 0.05 and spare < 0.05]
    return {
        "hubs_dropped": len(victims),
        "holders_dropped": len(set(victims) & set(holders)),
        "kw_they_held": round(held_by_victims, 1),
        "resplit_s": round(resplit_s, 3),
        "kw_lost": round(sum(lost), 3),
        "member_requests_timed_out": sum(
            a.status.value == "timed_out" for o in orders for a in o.allocations
        ),
        "timed_out_of_dropped_hubs": sum(
            a.status.value == "timed_out" and a.member_id in offline for o in orders for a in o.allocations
        ),
        "kw_short_for_want_of_room": round(sum(out_of_room), 3),
    }


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hubs", type=int, default=100)
    p.add_argument("--broker", help="mqtt://HOST:PORT of a running broker (default: start Mosquitto)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between a hub's envelopes")
    p.add_argument("--window", type=float, default=90.0, help="seconds measured")
    p.add_argument("--requests", type=int, default=20, help="community requests during the window")
    p.add_argument("--request-share", type=float, default=0.08, help="of the community's flexibility each")
    p.add_argument("--drop", type=float, default=0.10, help="share of hubs that go offline half-way")
    p.add_argument("--hubs-per-connection", type=int, default=50)
    p.add_argument("--answer-timeout", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--role", choices=("aggregator", "hubs"), default="aggregator", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and save) its figures."""
    args = parser().parse_args(argv)
    if args.role == "hubs":
        asyncio.run(run_hubs(args))
        return 0
    with ExitStack() as stack:
        if args.broker:
            result = asyncio.run(run_aggregator(args, args.broker))
        else:
            broker = stack.enter_context(running_broker())
            assert broker.process is not None
            result = asyncio.run(run_aggregator(args, broker.url, broker.process.pid))
    result["cores"] = os.cpu_count()
    print(json.dumps(result, indent=2))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
