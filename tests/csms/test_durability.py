"""Nothing acknowledged is lost: a kill -9 right after a CALLRESULT, replayed queues, duplicates, a
truncated state file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import glob
import json
from pathlib import Path
import signal
import socket
import sys
from typing import Any

import aiohttp
import pytest

from custom_components.ssch.csms.events import TransactionEnded, TransactionStarted
from custom_components.ssch.csms.journal import StateJournal
from custom_components.ssch.csms.settings import CsmsSettings
from custom_components.ssch.csms.store import JsonFileStore

from .conftest import PASSWORD, V2G, HubFactory, basic_auth, connect_raw, exchange

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-06-01T12:00:00.000Z"


def transaction(
    event_type: str, tx_id: str, seq_no: int, import_wh: float | None = None, evse: int | None = 1
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "eventType": event_type,
        "timestamp": NOW,
        "triggerReason": "MeterValuePeriodic",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": tx_id},
    }
    if evse is not None:
        payload["evse"] = {"id": evse, "connectorId": 1}
    if import_wh is not None:
        payload["meterValue"] = [
            {
                "timestamp": NOW,
                "sampledValue": [{"value": import_wh, "measurand": "Energy.Active.Import.Register"}],
            }
        ]
    return payload


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def standalone(state_file: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, int]]:
    """The standalone server as its own process, killed (not stopped) at the end."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "custom_components.ssch.csms",
        "--port",
        str(port),
        "--station",
        f"CS1:{PASSWORD}",
        "--state-file",
        str(state_file),
        "--quiet",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        while b"listening on" not in await process.stdout.readline():
            pass
    try:
        yield process, port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()


async def test_what_was_acknowledged_survives_a_kill_9(http: aiohttp.ClientSession, tmp_path: Path) -> None:
    state_file = tmp_path / "csms.json"
    async with standalone(state_file) as (process, port):
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{port}/ocpp/CS1",
            protocols=("ocpp2.1",),
            headers={"Authorization": basic_auth("CS1")},
        )
        # A whole session of 3 kWh, then the next car's first 0.1 kWh without an EVSE id.
        for seq_no, (event_type, import_wh) in enumerate(
            (("Started", 10_000), ("Updated", 12_000), ("Ended", 13_000))
        ):
            answer = await exchange(
                ws, [2, f"a{seq_no}", "TransactionEvent", transaction(event_type, "tx-1", seq_no, import_wh)]
            )
            assert answer[0] == 3
        assert (await exchange(ws, [2, "b0", "TransactionEvent", transaction("Started", "tx-2", 0, 13_000)]))[
            0
        ] == 3
        answer = await exchange(
            ws, [2, "b1", "TransactionEvent", transaction("Updated", "tx-2", 1, 13_100, evse=None)]
        )
        assert answer[0] == 3
        process.send_signal(signal.SIGKILL)  # no shutdown save: only what is on disk counts
        await process.wait()
        await ws.close()

    async with standalone(state_file) as (_, port):
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{port}/ocpp/CS1",
            protocols=("ocpp2.1",),
            headers={"Authorization": basic_auth("CS1")},
        )
        # The next reading counts from the last durable one: 0.2 kWh more for the second car.
        await exchange(
            ws, [2, "c0", "TransactionEvent", transaction("Updated", "tx-2", 2, 13_300, evse=None)]
        )
        # A late repeat of the first car's Ended does not reopen or add anything.
        await exchange(ws, [2, "c1", "TransactionEvent", transaction("Updated", "tx-1", 3, 13_000)])
        await exchange(ws, [2, "c2", "TransactionEvent", transaction("Ended", "tx-2", 3, 13_300, evse=None)])
        await ws.close()

    saved = json.loads(state_file.read_text()) if state_file.exists() else {}
    journal = StateJournal(f"{state_file}.journal")
    journal.bind(lambda station_id: None)
    records = dict(await journal.read())
    await journal.close()
    station = records.get("CS1") or saved["stations"]["CS1"]
    evse = station["evses"]["1"]
    assert evse["transaction_id"] is None
    assert evse["charged_kwh"] == pytest.approx(3.3)
    assert evse["charged_kwh"] - evse["session_start_charged_kwh"] == pytest.approx(0.3)
    assert list(station["ended"]) == ["tx-1", "tx-2"]


async def test_a_replayed_queue_is_slowed_down_not_refused(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    settings = CsmsSettings(
        transaction_rate_per_s=200.0, transaction_burst=20, rate_burst=20, save_delay_s=0.05
    )
    hub = await make_hub(settings=settings)
    ws = await connect_raw(http, hub, "CS21")
    # 300 queued events sent without waiting, as a station that comes back online does.
    for seq_no in range(300):
        event_type = "Started" if seq_no == 0 else "Updated"
        payload = transaction(event_type, "queued", seq_no, 10_000 + seq_no * 10)
        await ws.send_str(json.dumps([2, f"q{seq_no}", "TransactionEvent", payload]))
    answers = []
    async with asyncio.timeout(20):
        while len(answers) < 300:
            answers.append(json.loads(await ws.receive_str()))
    assert [answer[0] for answer in answers] == [3] * 300
    assert hub.server.state("CS21").evses[1].energy_charged_kwh == pytest.approx(2.99)
    # other traffic over the limit still gets an answer, a refusal
    for index in range(40):
        await ws.send_str(json.dumps([2, f"h{index}", "Heartbeat", {}]))
    codes = [json.loads(await ws.receive_str())[0] for _ in range(40)]
    assert 4 in codes
    await ws.close()


async def test_duplicates_and_late_events_do_not_make_sessions(
    make_hub: HubFactory, http: aiohttp.ClientSession
) -> None:
    hub = await make_hub()
    ws = await connect_raw(http, hub, "CS21")
    session = [
        transaction("Started", "dup", 0, 1_000),
        transaction("Updated", "dup", 1, 2_000),
        transaction("Ended", "dup", 2, 3_000),
    ]
    for delivery in range(2):
        for index, payload in enumerate(session):
            assert (await exchange(ws, [2, f"d{delivery}{index}", "TransactionEvent", payload]))[0] == 3
    # a late Updated that names the EVSE, after Ended
    assert (await exchange(ws, [2, "late", "TransactionEvent", transaction("Updated", "dup", 3, 3_000)]))[
        0
    ] == 3
    assert len(hub.of_type(TransactionStarted)) == 1
    ended = hub.of_type(TransactionEnded)
    assert len(ended) == 1
    assert ended[0].session_energy_kwh == pytest.approx(2.0)
    assert hub.server.state("CS21").evses[1].transaction_id is None
    # the same events within one open transaction are not counted twice either
    await exchange(ws, [2, "n0", "TransactionEvent", transaction("Started", "next", 0, 3_000)])
    await exchange(ws, [2, "n1", "TransactionEvent", transaction("Updated", "next", 1, 3_500)])
    await exchange(ws, [2, "n1", "TransactionEvent", transaction("Updated", "next", 1, 3_500)])
    assert hub.server.state("CS21").evses[1].session_energy_kwh == pytest.approx(0.5)
    await ws.close()


async def test_a_truncated_state_file_is_kept_aside_and_never_overwritten(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "csms.json"
    hub = await make_hub({"CS21": V2G}, store=JsonFileStore(path))
    ws = await connect_raw(http, hub, "CS21")
    await exchange(ws, [2, "s", "TransactionEvent", transaction("Started", "t", 0, 0)])
    await exchange(ws, [2, "u", "TransactionEvent", transaction("Updated", "t", 1, 4_000)])
    await ws.close()
    assert await hub.server.stop()
    whole = path.read_text()
    path.write_text(whole[: len(whole) // 2])

    store = JsonFileStore(path)
    again = await make_hub({"CS21": V2G}, store=store)
    aside = [Path(item) for item in glob.glob(f"{path}.corrupt.*")]
    assert len(aside) == 1
    assert aside[0].read_text() == whole[: len(whole) // 2]
    assert store.problem is not None
    assert str(aside[0]) in store.problem
    assert "restore it from a backup" in caplog.text
    assert again.server.state("CS21").evses == {}
