"""The plan card and the hub's dashboard strategy in a real Home Assistant, drawn by headless Chromium.

The card comes from the integration's static path with no dashboard resource added by hand; it draws the
demo hub's plan, a departure typed into it changes the goal entity, and the browser logs no error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
import json
from pathlib import Path
import re
import struct
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from demo.auth import log_in
from demo.browser import Browser
from demo.dashboard import URL_PATH
from demo.ha_ws import HomeAssistantWebsocket
from demo.plan_card import PHONE, card_screenshots, open_card, read_card, set_departure, strategy_dashboard
from demo.screenshots import sign_in
from demo.settings import USERNAME

from .demo_process import RunningDemo

OVERVIEW = f"{URL_PATH}/overview"
DEMO_TIME_ZONE = ZoneInfo("Europe/Berlin")
OUTLOOK = re.compile(
    r"^(Ready: target reached|Ready at \d\d:\d\d( [AP]M)?|At risk: .+|No energy promised in this mode\.)$"
)


@asynccontextmanager
async def _session(demo: RunningDemo) -> AsyncIterator[tuple[Browser, HomeAssistantWebsocket]]:
    async with aiohttp.ClientSession() as session:
        tokens = await log_in(session, demo.url, USERNAME, demo.password)
        async with (
            HomeAssistantWebsocket(session, demo.url, tokens["access_token"]) as ws,
            Browser(session, 1400, 1300) as browser,
        ):
            await browser.time_zone(str(DEMO_TIME_ZONE))
            await sign_in(browser, session, demo.url, demo.password)
            yield browser, ws


async def _plan_with_cars(ws: HomeAssistantWebsocket, timeout_s: float = 240) -> dict[str, Any]:
    """The hub's plan once cars have come (the simulated stations plug them in as time runs)."""
    deadline = time.monotonic() + timeout_s
    while True:
        plan: dict[str, Any] = await ws.call("ssch/plan")
        if any(row["car"] for row in plan["evse_rows"]) or time.monotonic() > deadline:
            return plan
        await asyncio.sleep(2)


def _cars(plan: dict[str, Any]) -> list[str]:
    return sorted(row["key"] for row in plan["evse_rows"] if row["car"])


async def test_the_card_draws_the_demo_hubs_plan(demo: RunningDemo, socket_enabled: None) -> None:
    async with _session(demo) as (browser, ws):
        assert await ws.call("lovelace/resources") == []  # nothing added by hand
        plan = await _plan_with_cars(ws)
        assert _cars(plan), "no car came to the demo's stations"
        card = await open_card(browser, demo.url, OVERVIEW)
        # Cars come and go while the page loads: the card shows the cars of a plan made about then.
        for _ in range(20):
            card = await read_card(browser) or card
            if sorted(row["key"] for row in card.rows) == _cars(plan := await ws.call("ssch/plan")):
                break
            await asyncio.sleep(1)
        assert sorted(row["key"] for row in card.rows) == _cars(plan)
        loaded = await browser.evaluate(
            "performance.getEntriesByType('resource').map((entry) => entry.name)"
            ".filter((name) => name.includes('/ssch_frontend/ssch-plan-card.js?v='))"
        )
        errors = await browser.console_errors()
    assert len(loaded) == 1
    assert card.title == "Charging plan · Harbour hub"
    assert {"price", "grid", "solar", "battery"} <= set(card.charts)
    assert card.price_steps == len(plan["times"])
    drawn = {"import_price", "grid_import", "import_limit", "pv", "battery_power", "battery_soc"}
    assert drawn <= set(card.series)
    names = {row["key"]: row["name"] for row in plan["evse_rows"]}
    for row in card.rows:
        assert row["name"] == names[row["key"]]
        assert OUTLOOK.match(row["outlook"]), row
        assert re.match(r"^\d+ % at departure \(target \d+ %\)$", row["expected"]), row
        assert row["mode"] in {"smart", "fast", "solar_only", "off"}
        assert row["power_steps"] == len(plan["times"])  # the car's planned power over the horizon
    assert errors == []


async def test_a_departure_typed_into_the_card_changes_the_goal(
    demo: RunningDemo, socket_enabled: None
) -> None:
    async with _session(demo) as (browser, ws):
        plan = await _plan_with_cars(ws)
        row = next(row for row in plan["evse_rows"] if row["car"])
        entity_id = row["entities"]["departure"]
        await open_card(browser, demo.url, OVERVIEW)
        await browser.wait_for_deep(
            f"(() => {{ const c = {_card_rows_js()}; return c.includes({row['key']!r}); }})()"
        )
        wanted = (datetime.now(DEMO_TIME_ZONE) + timedelta(hours=20)).replace(second=0, microsecond=0)
        wanted = wanted.replace(minute=wanted.minute - wanted.minute % 15)
        await set_departure(browser, row["key"], wanted.strftime("%Y-%m-%dT%H:%M"))
        deadline = time.monotonic() + 30
        while True:
            states = {s["entity_id"]: s for s in await ws.call("get_states")}
            state = states[entity_id]["state"]
            if state not in ("unknown", "unavailable") and datetime.fromisoformat(state) == wanted:
                break
            assert time.monotonic() < deadline, f"{entity_id} is {state}, not {wanted.isoformat()}"
            await asyncio.sleep(0.5)
        # The card asks for the new plan at once and shows the new departure.
        shown = await browser.wait_for_deep(
            f"(() => {{ const c = {_card_departures_js()}; return c[{row['key']!r}] === "
            f"{wanted.strftime('%Y-%m-%dT%H:%M')!r}; }})()",
            timeout_s=30,
        )
        errors = await browser.console_errors()
    assert shown
    assert errors == []


async def test_the_hubs_strategy_dashboard_and_screenshots(
    demo: RunningDemo, tmp_path: Path, socket_enabled: None
) -> None:
    async with _session(demo) as (browser, ws):
        await _plan_with_cars(ws)
        cards, failed = await strategy_dashboard(browser, demo.url)
        await card_screenshots(browser, demo.url, OVERVIEW, tmp_path)
        await browser.emulate(*PHONE, mobile=True)
        card = await open_card(browser, demo.url, OVERVIEW)
        errors = await browser.console_errors()
    assert failed == []
    assert {"ssch-plan-card", "hui-entities-card", "hui-tile-card", "hui-calendar-card"} <= set(cards)
    assert cards.count("hui-tile-card") == 16
    # On a phone the card fits the screen: nothing sticks out sideways.
    assert card.box["width"] <= PHONE[0]
    assert card.scroll_width <= card.box["width"] + 1
    widths = {}
    for name in ("plan-card-light.png", "plan-card-dark.png", "plan-card-phone.png"):
        image = (tmp_path / name).read_bytes()
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        widths[name] = struct.unpack(">I", image[16:20])[0]
    assert widths["plan-card-phone.png"] == 2 * PHONE[0]
    assert errors == []


def _card_rows_js() -> str:
    return """(() => {
      const card = elements.find((element) => element.tagName.toLowerCase() === 'ssch-plan-card');
      return [...(card?.shadowRoot?.querySelectorAll('ssch-evse-row') ?? [])]
        .map((row) => row.shadowRoot?.querySelector('.evse')?.dataset.key);
    })()"""


def _card_departures_js() -> str:
    return """(() => {
      const card = elements.find((element) => element.tagName.toLowerCase() === 'ssch-plan-card');
      return Object.fromEntries([...(card?.shadowRoot?.querySelectorAll('ssch-evse-row') ?? [])]
        .map((row) => row.shadowRoot)
        .filter((shadow) => shadow?.querySelector('input.departure'))
        .map((shadow) => [shadow.querySelector('.evse').dataset.key,
          shadow.querySelector('input.departure').value]));
    })()"""


def _payload(**changes: Any) -> dict[str, Any]:
    """A small plan of two steps as ``ssch/plan`` answers, with ``changes``."""
    times = ["2026-12-04T18:00:00+00:00", "2026-12-04T18:15:00+00:00"]
    series = [1.0, 2.0]
    car = {
        "session_id": "CS01:2:tx",
        "soc_pct": None,
        "soc_known": False,
        "capacity_kwh": 60.0,
        "energy_kwh": 30.0,
        "departure": "2026-12-05T06:30:00+00:00",
        "expected_energy_kwh": 30.0,
        "target_energy_kwh": 48.0,
        "expected_soc_pct": 50.0,
        "target_soc_pct": 80.0,
        "ready_at": None,
        "target_reached": False,
        "at_risk": True,
        "reason": "window too short",
        "v2g": False,
        "soc_series_pct": [50.0, 50.0],
    }
    entities = dict.fromkeys(("departure", "target_soc", "charge_mode", "ev_soc", "target_status"))
    row = {"name": "Bay 01", "charger": "Bay 01", "online": True, "power_kw": series, "entities": entities}
    plan: dict[str, Any] = {
        "config_entry_id": "hub",
        "hub": "Test hub",
        "start": times[0],
        "step_minutes": 15,
        "times": times,
        **dict.fromkeys(
            ("grid_import_kw", "grid_export_kw", "battery_power_kw", "pv_curtailment_kw", "pv_forecast_kw"),
            series,
        ),
        **dict.fromkeys(("import_limit_kw", "import_price_per_kwh", "export_price_per_kwh"), series),
        "solver": {"backend": "built-in", "status": "optimal", "fallback_used": False, "reason": None},
        "ems_mode": "automatic",
        "status": "ok",
        "status_reason": None,
        "currency": "EUR",
        "charger_count": 1,
        "billed_peak_kw": 0.0,
        "peak_price_per_kw": 0.0,
        "pv_curtailable": False,
        "battery": None,
        "evse_rows": [
            row | {"key": "CS01:1", "evse_id": 1, "car": None},
            row | {"key": "CS01:2", "evse_id": 2, "name": "Bay 02", "car": car},
        ],
    }
    return plan | changes


# Bad input: what the card says instead of a plan (or beside it).
CASES: dict[str, tuple[Any, list[str]]] = {
    "no hub": ({"error": "Unknown hub: unknown_hub"}, ["No charging hub is set up"]),
    "hub not loaded": ({"error": "boom", "entry": "x"}, ["The hub's plan is not available: boom"]),
    "no plan yet": (
        _payload(times=[], solver={"backend": "none", "status": "unknown", "fallback_used": False}),
        ["No plan yet"],
    ),
    "no chargers": (
        _payload(charger_count=0, evse_rows=[]),
        ["This hub has no chargers yet", "Import price"],
    ),
    "off and fallback": (
        _payload(
            ems_mode="off",
            solver={"backend": "rules", "status": "fallback", "fallback_used": True, "reason": "no solver"},
        ),
        ["The hub is off", "Fallback plan in use: no solver"],
    ),
    "car without SoC, EVSE without car": (
        _payload(),
        ["does not report its charge", "Free: Bay 01", "At risk: window too short"],
    ),
    "half a payload": ({"hub": "Test hub"}, ["No plan yet"]),
}

RENDER_JS = """(async (answer) => {
  const card = document.createElement('ssch-plan-card');
  card.setConfig(answer.entry ? {type: 'custom:ssch-plan-card', config_entry_id: answer.entry}
                              : {type: 'custom:ssch-plan-card'});
  card.hass = {
    states: {}, language: 'en', config: {time_zone: 'Europe/Berlin', currency: 'EUR'},
    callWS: async () => {
      if (answer.error) throw {code: 'not_found', message: answer.error};
      return answer;
    },
    callService: async () => {},
  };
  document.body.appendChild(card);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const texts = [];
  const walk = (root) => {
    for (const node of root.querySelectorAll('*')) {
      if (node.shadowRoot) walk(node.shadowRoot);
    }
    texts.push(root.textContent);
  };
  walk(card.shadowRoot);
  card.remove();
  return texts.join(' ').replace(/\\s+/g, ' ');
})"""


async def test_the_card_says_what_is_missing(demo: RunningDemo, socket_enabled: None) -> None:
    """Never blank, never an exception: each kind of bad input gets its sentence."""
    async with _session(demo) as (browser, _):
        await browser.goto(f"{demo.url}/{OVERVIEW}")
        await browser.wait_for("customElements.get('ssch-plan-card') !== undefined")
        shown = {
            case: await browser.evaluate(f"{RENDER_JS}({json.dumps(answer)})")
            for case, (answer, _) in CASES.items()
        }
        errors = await browser.console_errors()
    for case, (_, sentences) in CASES.items():
        for sentence in sentences:
            assert sentence in shown[case], (case, shown[case])
    assert "Ready" not in shown["car without SoC, EVSE without car"]
    assert errors == []


EDITOR_JS = """(async () => {
  const hass = document.querySelector('home-assistant').hass;
  const editor = await customElements.get('ssch-plan-card').getConfigElement();
  editor.setConfig({type: 'custom:ssch-plan-card'});
  editor.hass = hass;
  document.body.appendChild(editor);
  const select = () => editor.shadowRoot?.querySelector('select.hub');
  for (let i = 0; i < 50 && (select()?.options.length ?? 0) < 2; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const options = [...select().options].map((option) => [option.value, option.textContent.trim()]);
  let chosen = null;
  editor.addEventListener('config-changed', (event) => { chosen = event.detail.config; });
  select().value = options[1][0];
  select().dispatchEvent(new Event('change'));
  editor.remove();
  return {options, chosen};
})()"""


async def test_the_editor_picks_the_hub(demo: RunningDemo, socket_enabled: None) -> None:
    async with _session(demo) as (browser, ws):
        (hub,) = await ws.call("config_entries/get", domain="ssch")
        await browser.goto(f"{demo.url}/{OVERVIEW}")
        await browser.wait_for("customElements.get('ssch-plan-card') !== undefined")
        picked = await browser.evaluate(EDITOR_JS)
        errors = await browser.console_errors()
    assert picked["options"] == [["", "The only hub"], [hub["entry_id"], hub["title"]]]
    assert picked["chosen"] == {"type": "custom:ssch-plan-card", "config_entry_id": hub["entry_id"]}
    assert errors == []
