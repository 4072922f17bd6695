"""The plan card and the hub's strategy dashboard in the browser: what they show, an edit, screenshots."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from demo.browser import Browser, has_element
from demo.dashboard import STRATEGY_URL_PATH

PHONE = (390, 844)

# The first plan card on the page, read through its shadow roots.
CARD_JS = """(() => {
  const card = elements.find((element) => element.tagName.toLowerCase() === 'ssch-plan-card');
  const root = card && card.shadowRoot;
  if (!root || !root.querySelector('.content')) return null;
  const text = (node) => (node ? node.textContent.trim().replace(/\\s+/g, ' ') : null);
  const rows = [...root.querySelectorAll('ssch-evse-row')]
    .map((row) => row.shadowRoot)
    .filter((shadow) => shadow && shadow.querySelector('.evse'))
    .map((shadow) => ({
      key: shadow.querySelector('.evse').dataset.key,
      name: text(shadow.querySelector('.name')),
      outlook: text(shadow.querySelector('.outlook')),
      expected: text(shadow.querySelector('.expected')),
      departure: shadow.querySelector('input.departure')?.value ?? null,
      mode: shadow.querySelector('select.mode')?.value ?? null,
      power_steps: shadow.querySelector('ssch-plan-chart')?.shadowRoot
        ?.querySelectorAll('.series[data-series=car_power] rect').length ?? 0,
    }));
  const charts = [...root.querySelectorAll('ssch-plan-chart')];
  const series = Object.fromEntries(charts.flatMap((chart) =>
    [...(chart.shadowRoot?.querySelectorAll('.series') ?? [])].map((node) =>
      [node.dataset.series, (node.getAttribute('d') || node.getAttribute('points') || '').length
        || node.childElementCount])));
  const box = card.getBoundingClientRect();
  return {
    title: text(root.querySelector('.header')),
    messages: [...root.querySelectorAll('.message')].map(text),
    rows,
    charts: charts.map((chart) => chart.dataset.chart),
    series,
    price_steps: (charts.find((c) => c.dataset.chart === 'price')?.shadowRoot
      ?.querySelector('.series[data-series=import_price]')?.getAttribute('d')?.match(/H/g) ?? []).length,
    box: {x: box.x + window.scrollX, y: box.y + window.scrollY, width: box.width, height: box.height},
    scroll_width: root.querySelector('ha-card').scrollWidth,
  };
})()"""

# Every card element of a dashboard, built-in or custom, and any card that failed.
CARD_TAGS_JS = """elements
  .map((element) => element.tagName.toLowerCase())
  .filter((tag) => (tag.startsWith('hui-') && tag.endsWith('-card')) || tag === 'ssch-plan-card')"""
FAILED_CARDS_JS = """elements
  .filter((element) => ['hui-warning', 'hui-error-card'].includes(element.tagName.toLowerCase()))
  .map((element) => element.textContent.trim() || element.tagName.toLowerCase())"""


@dataclass(frozen=True, slots=True)
class RenderedCard:
    """What the plan card showed."""

    title: str
    messages: list[str]
    rows: list[dict[str, Any]]
    charts: list[str]
    series: dict[str, int]
    price_steps: int
    box: dict[str, float]
    scroll_width: int


async def read_card(browser: Browser) -> RenderedCard | None:
    """The first plan card on the page as it is drawn now (None before it has rendered)."""
    found = await browser.deep(CARD_JS)
    return RenderedCard(**found) if found else None


async def open_card(browser: Browser, url: str, path: str) -> RenderedCard:
    """Open a dashboard view and wait until its plan card has drawn a plan."""
    await browser.goto(f"{url}/{path}")
    await browser.wait_for_deep(has_element("ssch-plan-card"))
    await browser.wait_for_deep(f"(() => {{ const c = {CARD_JS}; return c && c.charts.length > 0; }})()")
    card = await read_card(browser)
    if card is None:
        raise RuntimeError(f"the plan card on /{path} vanished")
    return card


async def set_departure(browser: Browser, key: str, wall_clock: str) -> None:
    """Type a departure (``YYYY-MM-DDTHH:MM`` in the page's time zone) into one EVSE's row, as a user does."""
    script = f"""(() => {{
      const card = elements.find((element) => element.tagName.toLowerCase() === 'ssch-plan-card');
      const row = [...card.shadowRoot.querySelectorAll('ssch-evse-row')]
        .find((r) => r.shadowRoot?.querySelector('.evse')?.dataset.key === {json.dumps(key)});
      const input = row.shadowRoot.querySelector('input.departure');
      input.value = {json.dumps(wall_clock)};
      input.dispatchEvent(new Event('change'));
      return true;
    }})()"""
    await browser.deep(script)


async def shoot_card(browser: Browser, path: Path, margin: float = 8) -> None:
    """A screenshot of the plan card alone."""
    card = await read_card(browser)
    if card is None:
        raise RuntimeError("no plan card to photograph")
    box = card.box
    await browser.screenshot(
        path,
        clip={
            "x": max(box["x"] - margin, 0),
            "y": max(box["y"] - margin, 0),
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        },
    )


async def card_screenshots(browser: Browser, url: str, path: str, folder: Path) -> None:
    """The card in the light and the dark theme, and on a 390 px wide phone."""
    for name, dark in (("plan-card-light.png", False), ("plan-card-dark.png", True)):
        await browser.emulate(1400, 1300, dark=dark)
        await open_card(browser, url, path)
        await asyncio.sleep(2)
        await shoot_card(browser, folder / name)
    await browser.emulate(*PHONE, mobile=True, scale=2)
    await open_card(browser, url, path)
    await asyncio.sleep(2)
    await browser.screenshot(folder / "plan-card-phone.png")
    await browser.emulate(1400, 1300)


async def strategy_dashboard(browser: Browser, url: str) -> tuple[list[str], list[str]]:
    """Open the dashboard the hub's strategy generates; its card elements and any failed cards."""
    await browser.goto(f"{url}/{STRATEGY_URL_PATH}/overview")
    await browser.wait_for_deep(has_element("ssch-plan-card"))
    await browser.wait_for_deep(has_element("hui-tile-card"))
    await asyncio.sleep(1)
    return await browser.deep(CARD_TAGS_JS), await browser.deep(FAILED_CARDS_JS)
